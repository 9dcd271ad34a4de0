package io.albjobs.operator.alb;

import java.util.Set;

/** Maps ALB error codes and HTTP statuses to {@link ErrorKind} (table in alb-listasynjobs.md). */
public final class ErrorClassifier {
  private static final Set<String> RETRYABLE_CODES =
      Set.of("SystemBusy", "ServiceUnavailable", "InternalError", "ServiceBusy", "UnknownError");

  private ErrorClassifier() {}

  public static ErrorKind classify(String code, int httpStatus) {
    if (code != null && code.startsWith("Throttling")) {
      return ErrorKind.THROTTLED;
    }
    if (code != null && RETRYABLE_CODES.contains(code)) {
      return ErrorKind.RETRYABLE;
    }
    if (isCredentialProblem(code)) {
      return ErrorKind.TERMINAL;
    }
    if (httpStatus >= 500 || httpStatus == 0 || httpStatus == 429) {
      return ErrorKind.RETRYABLE;
    }
    return ErrorKind.TERMINAL;
  }

  /** Whether the error means the credentials themselves are wrong (vs. a missing permission). */
  public static boolean isCredentialProblem(String code) {
    return code != null
        && (code.startsWith("InvalidAccessKeyId")
            || code.startsWith("SignatureDoesNotMatch")
            || code.startsWith("IncompleteSignature")
            || code.startsWith("InvalidSecurityToken")
            // The SDK's own verdict when ALB's echoed string to sign equals the one it signed.
            || code.equals("SDK.InvalidAccessKeySecret"));
  }

  public static boolean isPermissionProblem(String code) {
    return code != null && code.startsWith("Forbidden");
  }
}
