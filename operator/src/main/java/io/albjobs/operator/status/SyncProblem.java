package io.albjobs.operator.status;

/**
 * Something only a person can fix (a missing Secret, bad credentials, a refused permission). It
 * becomes a {@code Stalled} condition and a Warning Event; the message says what to change.
 */
public final class SyncProblem extends Exception {
  private final String reason;

  public SyncProblem(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** A CamelCase reason for conditions and Events, e.g. {@code SecretNotFound}. */
  public String reason() {
    return reason;
  }
}
