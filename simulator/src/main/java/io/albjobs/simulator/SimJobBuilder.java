package io.albjobs.simulator;

import java.time.Duration;
import java.time.Instant;

/**
 * Fluent construction of a {@link SimJob}, so that tests name only what they care about. Defaults:
 * region {@code cn-hangzhou}, {@code CreateListener}/{@code Create} on load balancer {@code
 * alb-sim}, created at the epoch, visible at once, never finishing.
 */
public final class SimJobBuilder {
  private final String id;
  private final String accountId;
  private String regionId = "cn-hangzhou";
  private String apiName = "CreateListener";
  private String operateType = "Create";
  private String resourceType = "loadbalancer";
  private String resourceId = "alb-sim";
  private Instant createTime = Instant.EPOCH;
  private Duration visibleAfter = Duration.ZERO;
  private Instant finishTime;
  private String finalStatus = SimJob.SUCCEEDED;
  private String errorCode;
  private String errorMessage;
  private String runningStatus;

  SimJobBuilder(String id, String accountId) {
    this.id = id;
    this.accountId = accountId;
  }

  public SimJobBuilder region(String regionId) {
    this.regionId = regionId;
    return this;
  }

  public SimJobBuilder api(String apiName, String operateType) {
    this.apiName = apiName;
    this.operateType = operateType;
    return this;
  }

  public SimJobBuilder resource(String resourceType, String resourceId) {
    this.resourceType = resourceType;
    this.resourceId = resourceId;
    return this;
  }

  public SimJobBuilder createdAt(Instant createTime) {
    this.createTime = createTime;
    return this;
  }

  /** Delay between creation and the job showing up in {@code ListAsynJobs}. */
  public SimJobBuilder visibleAfter(Duration delay) {
    this.visibleAfter = delay;
    return this;
  }

  public SimJobBuilder succeedsAt(Instant finishTime) {
    this.finishTime = finishTime;
    this.finalStatus = SimJob.SUCCEEDED;
    this.errorCode = null;
    this.errorMessage = null;
    return this;
  }

  public SimJobBuilder failsAt(Instant finishTime, String errorCode, String errorMessage) {
    this.finishTime = finishTime;
    this.finalStatus = SimJob.FAILED;
    this.errorCode = errorCode;
    this.errorMessage = errorMessage;
    return this;
  }

  /** The status word shown while the job runs (default {@code Processing}). */
  public SimJobBuilder runningStatus(String word) {
    this.runningStatus = word;
    return this;
  }

  /** The word of the final status, e.g. {@code succeeded} to answer in another letter case. */
  public SimJobBuilder finalStatusWord(String word) {
    this.finalStatus = word;
    return this;
  }

  public SimJob build() {
    return new SimJob(
        id,
        accountId,
        regionId,
        apiName,
        operateType,
        resourceType,
        resourceId,
        createTime,
        createTime.plus(visibleAfter),
        finishTime,
        finalStatus,
        errorCode,
        errorMessage,
        runningStatus);
  }
}
