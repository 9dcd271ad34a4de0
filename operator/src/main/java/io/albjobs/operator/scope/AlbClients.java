package io.albjobs.operator.scope;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJobClient;

/** Hands out the (budgeted) ALB client of an account scope. */
public interface AlbClients {
  AlbJobClient forScope(AccountScope scope) throws AlbException;

  /** Called with each scope whose client was closed and state dropped (rotated away, or idle). */
  default void onScopeClosed(java.util.function.Consumer<AccountScope> listener) {}

  /** Whether the scope is held (not rotated away or dropped): state may be kept for it. */
  default boolean isLive(AccountScope scope) {
    return true;
  }

  /** Builds the raw client of a scope; the SDK client in production, anything in tests. */
  @FunctionalInterface
  interface Factory {
    AlbJobClient create(AccountScope scope) throws AlbException;
  }
}
