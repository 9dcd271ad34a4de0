package io.albjobs.operator.status;

import io.fabric8.kubernetes.client.utils.Serialization;

/** What both status kinds share. */
public final class Statuses {
  private Statuses() {}

  /**
   * A deep copy of a status (either kind), through its JSON form: every field the API carries is
   * copied, so a field added to a status class is never dropped (StatusCopyTest checks both kinds).
   */
  @SuppressWarnings("unchecked")
  public static <S> S copy(S status) {
    return status == null
        ? null
        : (S) Serialization.unmarshal(Serialization.asJson(status), status.getClass());
  }
}
