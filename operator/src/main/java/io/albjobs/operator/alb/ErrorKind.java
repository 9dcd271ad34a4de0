package io.albjobs.operator.alb;

/** How the caller should react to a failed ALB call. */
public enum ErrorKind {
  /** Flow control: back off, then retry; the SDK does not retry these itself. */
  THROTTLED,
  /** Transient (5xx, busy, network, malformed answer): retry with backoff. */
  RETRYABLE,
  /** Retrying the same request cannot help (credentials, permission, bad parameter). */
  TERMINAL
}
