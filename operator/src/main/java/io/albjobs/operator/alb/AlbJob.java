package io.albjobs.operator.alb;

/**
 * One job as {@code ListAsynJobs} reports it. Times are epoch milliseconds; {@code status} is ALB's
 * own word ({@code Processing}, {@code Succeeded}, {@code Failed}).
 */
public record AlbJob(
    String id,
    String apiName,
    String operateType,
    String resourceType,
    String resourceId,
    String status,
    String errorCode,
    String errorMessage,
    long createTimeMillis,
    long modifyTimeMillis) {

  public static final String PROCESSING = "Processing";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";

  /** Finished: ALB says Succeeded or Failed, in any letter case. */
  public boolean isFinished() {
    return SUCCEEDED.equalsIgnoreCase(status) || FAILED.equalsIgnoreCase(status);
  }
}
