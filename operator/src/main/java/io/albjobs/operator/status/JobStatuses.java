package io.albjobs.operator.status;

import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.crd.JobPhase;
import java.time.Instant;

/**
 * Computes an AsyncJob's status from what ALB reports, with the conditions that make {@code kubectl
 * wait}, kstatus (Flux) and Argo CD read it right.
 */
public final class JobStatuses {
  private JobStatuses() {}

  /** Condition reason while ALB reports a status word the operator does not know. */
  public static final String UNKNOWN_ALB_STATUS = "UnknownAlbStatus";

  private static final String UNKNOWN_PREFIX = "ALB reports status \"";
  private static final String UNKNOWN_SUFFIX =
      "\", which this operator does not know; the job is treated as in flight and still polled";

  /**
   * ALB's status word as a phase. Words are matched in any letter case ({@code succeeded} is
   * Succeeded); any other word is Processing, flagged by {@link #unknownWord(AlbJob)}.
   */
  public static JobPhase phaseOf(AlbJob job) {
    String word = job.status() == null ? "" : job.status();
    if (word.equalsIgnoreCase(AlbJob.SUCCEEDED)) {
      return JobPhase.Succeeded;
    }
    return word.equalsIgnoreCase(AlbJob.FAILED) ? JobPhase.Failed : JobPhase.Processing;
  }

  /**
   * The status word if the operator does not know it (not Processing, Succeeded or Failed, any
   * case), else null.
   */
  public static String unknownWord(AlbJob job) {
    String word = job.status() == null ? "" : job.status();
    boolean known =
        word.equalsIgnoreCase(AlbJob.PROCESSING)
            || word.equalsIgnoreCase(AlbJob.SUCCEEDED)
            || word.equalsIgnoreCase(AlbJob.FAILED);
    return known ? null : word;
  }

  /** The unknown ALB status word a status shows (its Reconciling condition), else null. */
  public static String unknownWord(AsyncJobStatus status) {
    if (status == null) {
      return null;
    }
    return Conditions.find(status.getConditions(), Conditions.RECONCILING)
        .filter(
            c ->
                UNKNOWN_ALB_STATUS.equals(c.getReason())
                    && c.getMessage() != null
                    && c.getMessage().startsWith(UNKNOWN_PREFIX)
                    && c.getMessage().endsWith(UNKNOWN_SUFFIX))
        .map(
            c ->
                c.getMessage()
                    .substring(
                        UNKNOWN_PREFIX.length(), c.getMessage().length() - UNKNOWN_SUFFIX.length()))
        .orElse(null);
  }

  /** The status for a job ALB has shown; {@code lastSyncTime} is carried over from before. */
  public static AsyncJobStatus fromAlb(
      AlbJob job, AsyncJobStatus previous, Long generation, Instant now) {
    AsyncJobStatus s = new AsyncJobStatus();
    JobPhase phase = phaseOf(job);
    s.setPhase(phase);
    s.setApiName(job.apiName());
    s.setOperateType(job.operateType());
    s.setResourceType(job.resourceType());
    s.setResourceId(job.resourceId());
    s.setCreateTime(Times.fromMillis(job.createTimeMillis()));
    s.setModifyTime(Times.fromMillis(job.modifyTimeMillis()));
    if (phase == JobPhase.Failed) {
      s.setErrorCode(
          job.errorCode() == null || job.errorCode().isEmpty() ? "Unknown" : job.errorCode());
      s.setErrorMessage(job.errorMessage());
    }
    if (phase.isFinished()) {
      s.setCompletionTime(
          job.modifyTimeMillis() > 0
              ? Times.fromMillis(job.modifyTimeMillis())
              : Times.format(now));
    }
    carryOver(previous, s, generation);
    s.setConditions(conditions(s, null, previous, generation, now));
    String unknown = unknownWord(job);
    if (unknown != null) {
      String message = UNKNOWN_PREFIX + unknown + UNKNOWN_SUFFIX;
      s.setConditions(
          Conditions.after(previous == null ? null : previous.getConditions(), generation, now)
              .set(Conditions.COMPLETE, false, UNKNOWN_ALB_STATUS, message)
              .set(Conditions.FAILED, false, UNKNOWN_ALB_STATUS, "")
              .set(Conditions.FINISHED, false, UNKNOWN_ALB_STATUS, message)
              .set(Conditions.READY, false, UNKNOWN_ALB_STATUS, message)
              .set(Conditions.RECONCILING, true, UNKNOWN_ALB_STATUS, message)
              .set(Conditions.STALLED, false, UNKNOWN_ALB_STATUS, "")
              .build());
    }
    return s;
  }

  /**
   * The status of a job ALB does not show (yet), possibly with a problem that stalls it (shown as
   * Stalled).
   */
  public static AsyncJobStatus notVisible(
      AsyncJobStatus previous, Problem problem, Long generation, Instant now) {
    AsyncJobStatus s = copyOf(previous);
    if (s.getPhase() == null) {
      s.setPhase(JobPhase.Pending);
    }
    s.setObservedGeneration(generation);
    s.setConditions(conditions(s, problem, previous, generation, now));
    return s;
  }

  /**
   * A finished job's status acknowledging a newer generation (a user edited the spec): only {@code
   * observedGeneration} moves, so kstatus and Flux do not wait on it forever.
   */
  public static AsyncJobStatus observed(AsyncJobStatus finished, Long generation) {
    AsyncJobStatus s = copyOf(finished);
    s.setObservedGeneration(generation);
    java.util.List<io.fabric8.kubernetes.api.model.Condition> conditions =
        new java.util.ArrayList<>();
    for (io.fabric8.kubernetes.api.model.Condition c : finished.getConditions()) {
      io.fabric8.kubernetes.api.model.Condition copy =
          new io.fabric8.kubernetes.api.model.ConditionBuilder(c)
              .withObservedGeneration(generation)
              .build();
      conditions.add(copy);
    }
    s.setConditions(conditions);
    return s;
  }

  /** True when a finished job's status lags behind its spec's generation. */
  public static boolean lagsBehind(io.albjobs.operator.crd.AsyncJob job) {
    Long generation = job.getMetadata().getGeneration();
    return job.getStatus() != null
        && generation != null
        && !generation.equals(job.getStatus().getObservedGeneration());
  }

  private static void carryOver(AsyncJobStatus previous, AsyncJobStatus s, Long generation) {
    s.setObservedGeneration(generation);
    if (previous != null) {
      s.setLoadBalancerId(previous.getLoadBalancerId());
      s.setLastSyncTime(previous.getLastSyncTime());
      s.setPollNowHandled(previous.getPollNowHandled());
    }
  }

  static java.util.List<io.fabric8.kubernetes.api.model.Condition> conditions(
      AsyncJobStatus s, Problem problem, AsyncJobStatus previous, Long generation, Instant now) {
    Conditions c =
        Conditions.after(previous == null ? null : previous.getConditions(), generation, now);
    JobPhase phase = s.getPhase();
    switch (phase) {
      case Succeeded ->
          c.set(Conditions.COMPLETE, true, "Succeeded", "ALB job succeeded")
              .set(Conditions.FAILED, false, "Succeeded", "")
              .set(Conditions.FINISHED, true, "Succeeded", "ALB job succeeded")
              .set(Conditions.READY, true, "Succeeded", "ALB job succeeded")
              .set(Conditions.RECONCILING, false, "Succeeded", "")
              .set(Conditions.STALLED, false, "Succeeded", "");
      case Failed -> {
        String reason = s.getErrorCode();
        String message = failureMessage(s);
        c.set(Conditions.COMPLETE, false, reason, message)
            .set(Conditions.FAILED, true, reason, message)
            .set(Conditions.FINISHED, true, reason, message)
            .set(Conditions.READY, false, reason, message)
            .set(Conditions.RECONCILING, false, reason, "")
            .set(Conditions.STALLED, true, reason, message);
      }
      default -> {
        String reason = phase.name();
        String message =
            phase == JobPhase.Pending
                ? "waiting for the job to appear in ALB ListAsynJobs"
                : "ALB is processing the job";
        c.set(Conditions.COMPLETE, false, reason, message)
            .set(Conditions.FAILED, false, reason, "")
            .set(Conditions.FINISHED, false, reason, message);
        if (problem == null) {
          c.set(Conditions.READY, false, reason, message)
              .set(Conditions.RECONCILING, true, reason, message)
              .set(Conditions.STALLED, false, reason, "");
        } else {
          c.set(Conditions.READY, false, problem.reason(), problem.message())
              .set(Conditions.RECONCILING, false, problem.reason(), "")
              .set(Conditions.STALLED, true, problem.reason(), problem.message());
        }
      }
    }
    return c.build();
  }

  private static String failureMessage(AsyncJobStatus s) {
    String api = s.getApiName() == null ? "ALB job" : s.getApiName();
    String text =
        s.getErrorMessage() == null || s.getErrorMessage().isEmpty()
            ? ""
            : ": " + s.getErrorMessage();
    return api + " failed with " + s.getErrorCode() + text;
  }

  /**
   * A deep copy ({@link Statuses#copy}), so callers never mutate a cached object; empty for null.
   */
  public static AsyncJobStatus copyOf(AsyncJobStatus p) {
    return p == null ? new AsyncJobStatus() : Statuses.copy(p);
  }
}
