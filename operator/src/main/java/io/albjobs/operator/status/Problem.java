package io.albjobs.operator.status;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.ErrorClassifier;
import io.albjobs.operator.alb.ErrorKind;

/**
 * What went wrong, as a person sees it on the object: a CamelCase reason from {@link Reasons}, an
 * actionable message, and whether it is {@code Stalled} (only a change by a person fixes it) or
 * retried ({@code Reconciling}). The one type for every problem the operator shows: thrown by the
 * steps that find it (a missing Secret, a refused endpoint), carried as a value into the status
 * computations, and made from a failed ALB call in one place ({@link #of(AlbException, int)}). It
 * is an exception only so that the resolving steps can throw it; it records no stack trace.
 */
public final class Problem extends Exception {
  /** How {@code alb/RrsaCredentialsProvider} starts the message of a refused token exchange. */
  static final String RRSA_PREFIX = "RRSA: ";

  private final String reason;
  private final boolean stalled;

  /** A problem only a person can fix: {@code Stalled}. */
  public Problem(String reason, String message) {
    this(reason, message, true);
  }

  public Problem(String reason, String message, boolean stalled) {
    super(message, null, false, false);
    this.reason = reason;
    this.stalled = stalled;
  }

  /** A CamelCase reason for conditions and Events, e.g. {@code SecretNotFound}. */
  public String reason() {
    return reason;
  }

  public String message() {
    return getMessage();
  }

  /** True when retrying cannot help; false while the operator retries on its own. */
  public boolean stalled() {
    return stalled;
  }

  /** A failed ALB call as a problem; {@code failures} counts the calls that failed in a row. */
  public static Problem of(AlbException e, int failures) {
    if (e.kind() == ErrorKind.TERMINAL && "EndpointNotFound".equals(e.code())) {
      return new Problem("EndpointNotFound", e.getMessage());
    }
    if (e.kind() == ErrorKind.TERMINAL
        && e.getMessage() != null
        && (e.getMessage().startsWith(RRSA_PREFIX)
            || e.getMessage().contains(": " + RRSA_PREFIX))) {
      // The operator's own RRSA credentials: STS refused the token exchange, ALB was not asked.
      return new Problem(
          "RrsaRefused",
          e.getMessage()
              + "; check ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and the role's trust policy"
              + " (oidc:aud sts.aliyuncs.com, oidc:sub of the operator's ServiceAccount)");
    }
    if (e.kind() == ErrorKind.TERMINAL) {
      String reason =
          ErrorClassifier.isCredentialProblem(e.code())
              ? "InvalidCredentials"
              : ErrorClassifier.isPermissionProblem(e.code())
                  ? "PermissionDenied"
                  : "AlbRequestRefused";
      String hint =
          switch (reason) {
            case "InvalidCredentials" ->
                "; check accessKeyId/accessKeySecret in the credentials Secret";
            case "PermissionDenied" -> "; grant the RAM identity alb:ListAsynJobs";
            default -> "";
          };
      String message =
          e.getMessage().endsWith(".")
              ? e.getMessage().substring(0, e.getMessage().length() - 1)
              : e.getMessage();
      return new Problem(reason, "ALB refused ListAsynJobs: " + message + hint);
    }
    String reason = e.kind() == ErrorKind.THROTTLED ? "AlbThrottled" : "AlbUnavailable";
    return new Problem(
        reason,
        "ListAsynJobs failed (" + failures + " in a row), retrying: " + e.getMessage(),
        false);
  }

  @Override
  public String toString() {
    return "Problem[" + reason + (stalled ? ", stalled" : "") + ": " + getMessage() + "]";
  }
}
