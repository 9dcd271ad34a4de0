package io.albjobs.simulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One asynchronous job as the simulator's ALB knows it: what it is, and the schedule on which it
 * becomes visible, runs and finishes. Its {@code Status} at any moment is derived from the job
 * clock, so a test moves jobs along by moving the clock.
 *
 * <p>Times are truncated to milliseconds because the wire carries epoch milliseconds and paging
 * positions must compare exactly what the client saw. {@code visibleAt} defaults to {@code
 * createTime}; a {@code null} {@code finishTime} means the job never finishes.
 *
 * <p>{@code runningStatus} is the word shown until the job finishes ({@code Processing} unless
 * set), and {@code finalStatus} may be {@code Succeeded} or {@code Failed} in any letter case: a
 * test can make ALB answer with a status word the operator does not know, or in another case.
 */
public record SimJob(
    String id,
    String accountId,
    String regionId,
    String apiName,
    String operateType,
    String resourceType,
    String resourceId,
    Instant createTime,
    Instant visibleAt,
    Instant finishTime,
    String finalStatus,
    String errorCode,
    String errorMessage,
    String runningStatus) {

  public static final String PROCESSING = "Processing";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";

  public SimJob {
    requireText(id, "id");
    requireText(accountId, "accountId");
    requireText(regionId, "regionId");
    Objects.requireNonNull(createTime, "createTime");
    createTime = createTime.truncatedTo(ChronoUnit.MILLIS);
    visibleAt = visibleAt == null ? createTime : visibleAt.truncatedTo(ChronoUnit.MILLIS);
    finishTime = finishTime == null ? null : finishTime.truncatedTo(ChronoUnit.MILLIS);
    if (finishTime != null && finishTime.isBefore(createTime)) {
      throw new IllegalArgumentException("job " + id + ": finishTime is before createTime");
    }
    finalStatus = finalStatus == null ? SUCCEEDED : finalStatus;
    runningStatus = runningStatus == null ? PROCESSING : runningStatus;
    if (!SUCCEEDED.equalsIgnoreCase(finalStatus) && !FAILED.equalsIgnoreCase(finalStatus)) {
      throw new IllegalArgumentException(
          "job " + id + ": finalStatus must be Succeeded or Failed, got " + finalStatus);
    }
  }

  /** Starts a job with demo-friendly defaults; see {@link SimJobBuilder}. */
  public static SimJobBuilder builder(String id, String accountId) {
    return new SimJobBuilder(id, accountId);
  }

  /** Whether ALB lists the job at {@code now} (jobs can lag behind the call that started them). */
  public boolean isVisible(Instant now) {
    return !now.isBefore(visibleAt);
  }

  public boolean isFinished(Instant now) {
    return finishTime != null && !now.isBefore(finishTime);
  }

  public String statusAt(Instant now) {
    return isFinished(now) ? finalStatus : runningStatus;
  }

  /** ALB bumps ModifyTime when the job finishes and not while it runs. */
  public Instant modifyTimeAt(Instant now) {
    return isFinished(now) ? finishTime : createTime;
  }

  JobKey key() {
    return new JobKey(createTime, id);
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("SimJob." + name + " must not be blank");
    }
  }
}
