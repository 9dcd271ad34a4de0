package io.albjobs.operator.sync;

import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.crd.JobPhase;
import java.time.Instant;

/**
 * Computes an AsyncJob's status from what ALB reports, with the conditions that make
 * {@code kubectl wait}, kstatus (Flux) and Argo CD read it right.
 */
public final class JobStatuses {
  /** A problem that stops the operator from following the job, shown as Stalled. */
  public record Problem(String reason, String message) {}

  private JobStatuses() {}

  public static JobPhase phaseOf(AlbJob job) {
    return switch (job.status()) {
      case AlbJob.SUCCEEDED -> JobPhase.Succeeded;
      case AlbJob.FAILED -> JobPhase.Failed;
      default -> JobPhase.Processing;
    };
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
      s.setErrorCode(job.errorCode() == null || job.errorCode().isEmpty() ? "Unknown" : job.errorCode());
      s.setErrorMessage(job.errorMessage());
    }
    if (phase.isFinished()) {
      s.setCompletionTime(
          job.modifyTimeMillis() > 0 ? Times.fromMillis(job.modifyTimeMillis()) : Times.format(now));
    }
    carryOver(previous, s, generation);
    s.setConditions(conditions(s, null, previous, generation, now));
    return s;
  }

  /** The status of a job ALB does not show (yet), possibly with a problem that stalls it. */
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
   * A finished job's status acknowledging a newer generation (a user edited the spec): only
   * {@code observedGeneration} moves, so kstatus and Flux do not wait on it forever.
   */
  public static AsyncJobStatus observed(AsyncJobStatus finished, Long generation) {
    AsyncJobStatus s = copyOf(finished);
    s.setObservedGeneration(generation);
    java.util.List<io.fabric8.kubernetes.api.model.Condition> conditions = new java.util.ArrayList<>();
    for (io.fabric8.kubernetes.api.model.Condition c : finished.getConditions()) {
      io.fabric8.kubernetes.api.model.Condition copy =
          new io.fabric8.kubernetes.api.model.ConditionBuilder(c).withObservedGeneration(generation).build();
      conditions.add(copy);
    }
    s.setConditions(conditions);
    return s;
  }

  /** True when a finished job's status lags behind its spec's generation. */
  public static boolean lagsBehind(io.albjobs.operator.crd.AsyncJob job) {
    Long generation = job.getMetadata().getGeneration();
    return job.getStatus() != null && generation != null
        && !generation.equals(job.getStatus().getObservedGeneration());
  }

  private static void carryOver(AsyncJobStatus previous, AsyncJobStatus s, Long generation) {
    s.setObservedGeneration(generation);
    if (previous != null) {
      s.setLastSyncTime(previous.getLastSyncTime());
      s.setPollNowHandled(previous.getPollNowHandled());
    }
  }

  static java.util.List<io.fabric8.kubernetes.api.model.Condition> conditions(
      AsyncJobStatus s, Problem problem, AsyncJobStatus previous, Long generation, Instant now) {
    Conditions c = Conditions.after(previous == null ? null : previous.getConditions(), generation, now);
    JobPhase phase = s.getPhase();
    switch (phase) {
      case Succeeded -> c.set(Conditions.COMPLETE, true, "Succeeded", "ALB job succeeded")
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
    String text = s.getErrorMessage() == null || s.getErrorMessage().isEmpty() ? "" : ": " + s.getErrorMessage();
    return api + " failed with " + s.getErrorCode() + text;
  }

  /** A copy through Jackson-free field copies, so callers never mutate a cached object. */
  public static AsyncJobStatus copyOf(AsyncJobStatus p) {
    AsyncJobStatus s = new AsyncJobStatus();
    if (p == null) {
      return s;
    }
    s.setPhase(p.getPhase());
    s.setApiName(p.getApiName());
    s.setOperateType(p.getOperateType());
    s.setResourceType(p.getResourceType());
    s.setResourceId(p.getResourceId());
    s.setErrorCode(p.getErrorCode());
    s.setErrorMessage(p.getErrorMessage());
    s.setCreateTime(p.getCreateTime());
    s.setModifyTime(p.getModifyTime());
    s.setCompletionTime(p.getCompletionTime());
    s.setLastSyncTime(p.getLastSyncTime());
    s.setObservedGeneration(p.getObservedGeneration());
    s.setPollNowHandled(p.getPollNowHandled());
    s.setConditions(new java.util.ArrayList<>(p.getConditions()));
    return s;
  }
}
