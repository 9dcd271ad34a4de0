package io.albjobs.simulator;

/**
 * An error ALB would answer with: HTTP status, error code and message. Thrown inside the simulator
 * to short-circuit a request and rendered as ALB's error body by {@link SimResponse#error}.
 */
final class AlbError extends RuntimeException {
  private final int httpStatus;
  private final String code;

  AlbError(int httpStatus, String code, String message) {
    super(message, null, false, false);
    this.httpStatus = httpStatus;
    this.code = code;
  }

  int httpStatus() {
    return httpStatus;
  }

  String code() {
    return code;
  }

  static AlbError missingParam(String name) {
    return new AlbError(
        400,
        "MissingParam",
        "The input parameter \""
            + name
            + "\" that is mandatory for processing this request is"
            + " not supplied.");
  }

  static AlbError invalidParameter(String name, String why) {
    return new AlbError(
        400, "InvalidParameter", "The specified parameter \"" + name + "\" is not valid: " + why);
  }

  static AlbError throttled() {
    return new AlbError(400, "Throttling.User", "Request was denied due to user flow control.");
  }

  static AlbError serviceUnavailable() {
    return new AlbError(
        503,
        "ServiceUnavailable",
        "The request has failed due to a temporary failure of the server.");
  }

  static AlbError internalError() {
    return new AlbError(
        500,
        "InternalError",
        "The request processing has failed due to some unknown error, exception or failure.");
  }

  static AlbError forbidden() {
    return new AlbError(
        403,
        "Forbidden.RAM",
        "User not authorized to operate on the specified resource, or this API doesn't support"
            + " RAM.");
  }
}
