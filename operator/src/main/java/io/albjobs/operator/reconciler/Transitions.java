package io.albjobs.operator.reconciler;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.albjobs.operator.crd.FailedJobRef;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.metrics.OperatorMetrics;
import io.albjobs.operator.status.ChildrenListed;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.status.JobStatuses;
import io.albjobs.operator.status.Problem;
import io.albjobs.operator.status.Times;
import io.albjobs.operator.write.EventRecorder;
import io.albjobs.operator.write.StatusRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a person sees happen, beyond the status itself: the Events and metrics of each status change
 * the {@link StatusRecorder} wrote (it calls this once per written change), and the Event of a
 * failed reconcile.
 */
public final class Transitions implements StatusRecorder.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(Transitions.class);
  private static final Set<String> HEALTHY =
      Set.of("Synced", "JobsInFlight", "JobFailed", "Suspended", "Settling");

  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final Clock clock;

  public Transitions(EventRecorder events, OperatorMetrics metrics, Clock clock) {
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * The in-flight gauge; an unknown ALB status word (metric and Event, once per word); a newly
   * finished job (metric, and a {@code JobFailed} Event if it failed); a job that newly stalls, or
   * stalls for a new reason (an Event; a failed reconcile's reasons are announced by {@link
   * #problem}).
   */
  @Override
  public void jobChanged(AsyncJob job, AsyncJobStatus before, AsyncJobStatus after) {
    String key = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
    Instant created = Times.parse(after.getCreateTime());
    metrics.inFlight(key, created == null ? clock.instant() : created, !after.isFinished());
    String unknown = JobStatuses.unknownWord(after);
    if (unknown != null && !unknown.equals(JobStatuses.unknownWord(before))) {
      metrics.unknownAlbStatus(unknown);
      events.warning(
          job,
          JobStatuses.UNKNOWN_ALB_STATUS,
          Conditions.find(after.getConditions(), Conditions.RECONCILING)
              .map(Condition::getMessage)
              .orElse(unknown));
    }
    boolean newlyFinished = after.isFinished() && (before == null || !before.isFinished());
    if (newlyFinished) {
      Instant done = Times.parse(after.getCompletionTime());
      Duration took = created == null || done == null ? null : Duration.between(created, done);
      metrics.jobFinished(
          after.getPhase().name(),
          after.getApiName(),
          after.getResourceType(),
          after.getErrorCode(),
          took);
      if (after.getPhase() == JobPhase.Failed) {
        events.warning(
            job,
            "JobFailed",
            "ALB job "
                + job.getSpec().getJobId()
                + " ("
                + after.getApiName()
                + " on "
                + after.getResourceId()
                + ") failed: "
                + after.getErrorCode()
                + (after.getErrorMessage() == null ? "" : ": " + after.getErrorMessage()));
      }
    }
    String stalledBefore = before == null ? null : stalledReason(before);
    String stalledAfter = stalledReason(after);
    if (stalledAfter != null
        && !stalledAfter.equals(stalledBefore)
        && !after.isFinished()
        && !ReconcileErrors.REASONS.contains(stalledAfter)) {
      Condition stalled = Conditions.find(after.getConditions(), Conditions.STALLED).orElseThrow();
      events.warning(job, stalledAfter, stalled.getMessage());
    }
  }

  /**
   * Events for what a person should look at on a watch: a new polling problem, a new problem
   * listing a load balancer's children (ChildrenListed=False), a newly failed job.
   */
  @Override
  public void watchChanged(
      AsyncJobWatch watch, AsyncJobWatchStatus before, AsyncJobWatchStatus after) {
    Condition ready = Conditions.find(after.getConditions(), Conditions.READY).orElse(null);
    String oldReason =
        before == null
            ? null
            : Conditions.find(before.getConditions(), Conditions.READY)
                .map(Condition::getReason)
                .orElse(null);
    if (ready != null
        && !HEALTHY.contains(ready.getReason())
        && !Objects.equals(oldReason, ready.getReason())) {
      events.warning(watch, ready.getReason(), ready.getMessage());
    }
    Condition children =
        ChildrenListed.newProblem(
            before == null ? null : before.getConditions(), after.getConditions());
    if (children != null) {
      events.warning(watch, children.getReason(), children.getMessage());
    }
    Condition tracking =
        ChildrenListed.newProblem(
            Conditions.CHANGES_TRACKED,
            before == null ? null : before.getConditions(),
            after.getConditions());
    if (tracking != null && !"ChangeTrackingDisabled".equals(tracking.getReason())) {
      events.warning(watch, tracking.getReason(), tracking.getMessage());
    }
    FailedJobRef failed = after.getLastFailedJob();
    FailedJobRef previous = before == null ? null : before.getLastFailedJob();
    if (failed != null
        && (previous == null || !Objects.equals(previous.getJobId(), failed.getJobId()))) {
      events.warning(
          watch,
          "JobFailed",
          "ALB job "
              + failed.getJobId()
              + " ("
              + failed.getApiName()
              + " on "
              + failed.getResourceId()
              + ") failed: "
              + failed.getErrorCode()
              + (failed.getErrorMessage() == null ? "" : ": " + failed.getErrorMessage()));
    }
  }

  /** A Warning Event (and one log line) for a new problem of a failed reconcile. */
  @Override
  public void problem(HasMetadata about, Problem problem) {
    LOG.warn(
        "{} {}/{}: {}: {}",
        about.getKind(),
        about.getMetadata().getNamespace(),
        about.getMetadata().getName(),
        problem.reason(),
        problem.message());
    events.warning(about, problem.reason(), problem.message());
  }

  private static String stalledReason(AsyncJobStatus status) {
    return Conditions.find(status.getConditions(), Conditions.STALLED)
        .filter(c -> "True".equals(c.getStatus()))
        .map(Condition::getReason)
        .orElse(null);
  }
}
