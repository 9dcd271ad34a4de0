package io.albjobs.operator.reconciler;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobSpec;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.sync.AccountScope;
import io.albjobs.operator.sync.ChildCache;
import io.albjobs.operator.sync.Conditions;
import io.albjobs.operator.sync.EventRecorder;
import io.albjobs.operator.sync.JobMirror;
import io.albjobs.operator.sync.JobStatuses;
import io.albjobs.operator.sync.Labels;
import io.albjobs.operator.sync.ScopeResolver;
import io.albjobs.operator.sync.SyncProblem;
import io.albjobs.operator.sync.UserJobPoller;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Reconciles AsyncJobs that a user or pipeline created from a JobId (those a watch created carry
 * the {@code albjobs.io/watch} label and are left to their watch). It resolves the account scope
 * and hands the job to the batching {@link UserJobPoller}; a finished job is never polled again.
 */
@ControllerConfiguration(
    name = AsyncJobReconciler.NAME,
    generationAwareEventProcessing = false,
    informer = @Informer(labelSelector = "!" + Labels.WATCH))
public class AsyncJobReconciler implements Reconciler<AsyncJob> {
  public static final String NAME = "asyncjob";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AsyncJobReconciler.class);

  private final ScopeResolver scopes;
  private final UserJobPoller poller;
  private final JobMirror mirror;
  private final EventRecorder events;
  private final Clock clock;
  private final Duration retryProblemsAfter;

  public AsyncJobReconciler(
      ScopeResolver scopes,
      UserJobPoller poller,
      JobMirror mirror,
      EventRecorder events,
      Clock clock,
      Duration retryProblemsAfter) {
    this.scopes = scopes;
    this.poller = poller;
    this.mirror = mirror;
    this.events = events;
    this.clock = clock;
    this.retryProblemsAfter = retryProblemsAfter;
  }

  /**
   * A reconcile failed with an exception (JOSDK retries it with backoff): an unfinished job shows
   * it as Ready False with a reason from {@link ReconcileErrors} and an actionable message, and an
   * Event says it once per new problem. A finished job's status never changes: the Event only.
   */
  @Override
  public ErrorStatusUpdateControl<AsyncJob> updateErrorStatus(
      AsyncJob job, Context<AsyncJob> context, Exception e) {
    ReconcileErrors.Problem problem = ReconcileErrors.classify(e, context);
    AsyncJobStatus status = job.getStatus();
    boolean newProblem = ReconcileErrors.isNew(status == null ? null : status.getConditions(), problem);
    try {
      if (newProblem && (status == null || !status.isFinished())) {
        AsyncJobStatus desired = JobStatuses.copyOf(status);
        if (desired.getPhase() == null) {
          desired.setPhase(io.albjobs.operator.crd.JobPhase.Pending);
        }
        desired.setConditions(ReconcileErrors.conditions(
            desired.getConditions(), problem, job.getMetadata().getGeneration(), clock.instant()));
        mirror.writeIfChanged(job, desired, ChildCache.NONE);
      }
    } catch (RuntimeException writeFailed) {
      LOG.warn("Could not show {} on AsyncJob {}/{}: {}", problem.reason(), job.getMetadata().getNamespace(),
          job.getMetadata().getName(), writeFailed.getMessage());
    } finally {
      ReconcileErrors.report(job, problem, newProblem, events);
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  @Override
  public UpdateControl<AsyncJob> reconcile(AsyncJob job, Context<AsyncJob> context) {
    AsyncJobStatus status = job.getStatus();
    if (status != null && status.isFinished()) {
      poller.untrack(job);
      if (JobStatuses.lagsBehind(job)) {
        mirror.writeIfChanged(job, JobStatuses.observed(status, job.getMetadata().getGeneration()), ChildCache.NONE);
      }
      return UpdateControl.noUpdate();
    }
    AsyncJobSpec spec = job.getSpec();
    AccountScope scope;
    try {
      scope =
          scopes.resolve(
              job.getMetadata().getNamespace(), spec.getRegionId(), spec.getEndpoint(), spec.getCredentialsSecretRef());
    } catch (SyncProblem problem) {
      poller.untrack(job);
      stall(job, problem);
      return UpdateControl.<AsyncJob>noUpdate().rescheduleAfter(retryProblemsAfter);
    }
    String pollNow = annotation(job, Labels.POLL_NOW);
    boolean pollNowAsked =
        pollNow != null && !pollNow.equals(status == null ? null : status.getPollNowHandled());
    boolean notFoundStalled = status != null && "JobNotFound".equals(stalledReason(status));
    if (notFoundStalled && !pollNowAsked) {
      return UpdateControl.noUpdate();
    }
    AsyncJob current = job;
    if (status == null || pollNowAsked || stalledReason(status) != null) {
      AsyncJobStatus pending =
          JobStatuses.notVisible(status, null, job.getMetadata().getGeneration(), clock.instant());
      pending.setPollNowHandled(pollNow);
      current = mirror.writeIfChanged(job, pending, ChildCache.NONE);
    }
    poller.track(current, scope, pollNowAsked);
    return UpdateControl.noUpdate();
  }

  private void stall(AsyncJob job, SyncProblem problem) {
    String before = job.getStatus() == null ? null : stalledReason(job.getStatus());
    AsyncJobStatus desired =
        JobStatuses.notVisible(
            job.getStatus(),
            new JobStatuses.Problem(problem.reason(), problem.getMessage()),
            job.getMetadata().getGeneration(),
            clock.instant());
    mirror.writeIfChanged(job, desired, ChildCache.NONE);
    if (!Objects.equals(before, problem.reason())) {
      events.warning(job, problem.reason(), problem.getMessage());
    }
  }

  private static String stalledReason(AsyncJobStatus status) {
    return Conditions.find(status.getConditions(), Conditions.STALLED)
        .filter(c -> "True".equals(c.getStatus()))
        .map(Condition::getReason)
        .orElse(null);
  }

  private static String annotation(AsyncJob job, String key) {
    Map<String, String> annotations = job.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
