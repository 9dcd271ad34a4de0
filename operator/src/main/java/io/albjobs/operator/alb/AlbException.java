package io.albjobs.operator.alb;

/**
 * A failed {@code ListAsynJobs} call, classified for the caller. The message carries ALB's code and
 * message and never a credential: whatever it is given passes {@link Redaction} first.
 */
public final class AlbException extends Exception {
  private final ErrorKind kind;
  private final String code;
  private final int httpStatus;
  private final String requestId;

  public AlbException(
      ErrorKind kind, String code, int httpStatus, String message, String requestId) {
    super(Redaction.redact(message));
    this.kind = kind;
    this.code = code;
    this.httpStatus = httpStatus;
    this.requestId = requestId;
  }

  public ErrorKind kind() {
    return kind;
  }

  /** ALB's error code, or a local one such as {@code Network} or {@code MalformedResponse}. */
  public String code() {
    return code;
  }

  /** The HTTP status, or 0 when no HTTP answer arrived. */
  public int httpStatus() {
    return httpStatus;
  }

  public String requestId() {
    return requestId;
  }
}
