package io.albjobs.operator.status;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.albjobs.operator.crd.FailedJobRef;
import io.albjobs.operator.crd.JobCounts;
import io.albjobs.operator.crd.JobPhase;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * Rolls a watch's AsyncJobs up into its status: counts per phase, the last failed job and the
 * conditions Argo CD and Flux read (they see only the watch, which is what is in Git).
 */
public final class WatchRollup {
  private WatchRollup() {}

  /**
   * Rolls {@code jobs} up into {@code status}; {@code problem} is why polling failed, null when it
   * did not.
   */
  public static void apply(
      AsyncJobWatchStatus status,
      Collection<AsyncJob> jobs,
      Problem problem,
      Long generation,
      Instant now) {
    apply(status, jobs, problem, SettleVerdict.NONE, generation, now);
  }

  /**
   * The same for a watch that may be waiting for a change ({@code settle}): a failed or timed-out
   * wait is Stalled after a terminal problem and a failed job; a wait in progress is Settling
   * (Reconciling) before jobs in flight.
   */
  public static void apply(
      AsyncJobWatchStatus status,
      Collection<AsyncJob> jobs,
      Problem problem,
      SettleVerdict settle,
      Long generation,
      Instant now) {
    int inFlight = 0;
    int succeeded = 0;
    int failed = 0;
    for (AsyncJob job : jobs) {
      JobPhase phase = job.getStatus() == null ? JobPhase.Pending : job.getStatus().getPhase();
      if (phase == JobPhase.Succeeded) {
        succeeded++;
      } else if (phase == JobPhase.Failed) {
        failed++;
      } else {
        inFlight++;
      }
    }
    status.setJobs(new JobCounts(inFlight, succeeded, failed));
    Optional<AsyncJob> lastFailed =
        jobs.stream()
            .filter(j -> j.getStatus() != null && j.getStatus().getPhase() == JobPhase.Failed)
            .max(
                Comparator.comparing((AsyncJob j) -> nz(j.getStatus().getCompletionTime()))
                    .thenComparing(j -> j.getMetadata().getName()));
    status.setLastFailedJob(lastFailed.map(WatchRollup::ref).orElse(null));
    Instant countedSince = Times.parse(status.getObservedGenerationTime());
    boolean failedSinceSpec =
        lastFailed.isPresent()
            && (countedSince == null
                || !Times.parse(nz2(lastFailed.get().getStatus().getCompletionTime(), now))
                    .isBefore(countedSince));

    Conditions c = Conditions.after(status.getConditions(), generation, now);
    if (problem != null && problem.stalled()) {
      c.set(Conditions.READY, false, problem.reason(), problem.message())
          .set(Conditions.RECONCILING, false, problem.reason(), "")
          .set(Conditions.STALLED, true, problem.reason(), problem.message());
    } else if (failedSinceSpec) {
      FailedJobRef f = status.getLastFailedJob();
      String message =
          "job "
              + f.getJobId()
              + " ("
              + f.getApiName()
              + " on "
              + f.getResourceId()
              + ") failed: "
              + f.getErrorCode()
              + (f.getErrorMessage() == null ? "" : ": " + f.getErrorMessage());
      c.set(Conditions.READY, false, "JobFailed", message)
          .set(
              Conditions.RECONCILING,
              inFlight > 0,
              inFlight > 0 ? "JobsInFlight" : "JobFailed",
              inFlight > 0 ? inFlight + " job(s) in flight" : "")
          .set(Conditions.STALLED, true, "JobFailed", message);
    } else if (settle.waiting() && settle.stalled()) {
      c.set(Conditions.READY, false, settle.reason(), settle.message())
          .set(Conditions.RECONCILING, false, settle.reason(), "")
          .set(Conditions.STALLED, true, settle.reason(), settle.message());
    } else if (problem != null) {
      c.set(Conditions.READY, false, problem.reason(), problem.message())
          .set(Conditions.RECONCILING, true, problem.reason(), problem.message())
          .set(Conditions.STALLED, false, problem.reason(), "");
    } else if (settle.waiting()) {
      String message =
          settle.message() + (inFlight > 0 ? "; " + inFlight + " job(s) in flight" : "");
      c.set(Conditions.READY, false, settle.reason(), message)
          .set(Conditions.RECONCILING, true, settle.reason(), message)
          .set(Conditions.STALLED, false, settle.reason(), "");
    } else if (inFlight > 0) {
      String message = inFlight + " job(s) in flight";
      c.set(Conditions.READY, false, "JobsInFlight", message)
          .set(Conditions.RECONCILING, true, "JobsInFlight", message)
          .set(Conditions.STALLED, false, "JobsInFlight", "");
    } else {
      String message = jobs.size() + " job(s) mirrored, none in flight, none failed";
      c.set(Conditions.READY, true, "Synced", message)
          .set(Conditions.RECONCILING, false, "Synced", "")
          .set(Conditions.STALLED, false, "Synced", "");
    }
    status.setConditions(c.build());
  }

  private static FailedJobRef ref(AsyncJob job) {
    AsyncJobStatus s = job.getStatus();
    FailedJobRef ref = new FailedJobRef();
    ref.setJobId(job.getSpec().getJobId());
    ref.setName(job.getMetadata().getName());
    ref.setApiName(s.getApiName());
    ref.setResourceId(s.getResourceId());
    ref.setErrorCode(s.getErrorCode());
    ref.setErrorMessage(s.getErrorMessage());
    ref.setCompletionTime(s.getCompletionTime());
    return ref;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static String nz2(String s, Instant fallback) {
    return s == null ? Times.format(fallback) : s;
  }
}
