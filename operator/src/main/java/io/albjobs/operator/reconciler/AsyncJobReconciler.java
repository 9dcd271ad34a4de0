package io.albjobs.operator.reconciler;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobSpec;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.poll.UserJobPoller;
import io.albjobs.operator.scope.AccountScope;
import io.albjobs.operator.scope.ScopeResolver;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.status.JobStatuses;
import io.albjobs.operator.status.Problem;
import io.albjobs.operator.write.JobMirror;
import io.albjobs.operator.write.Labels;
import io.albjobs.operator.write.OwnWrites;
import io.albjobs.operator.write.StatusRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reconciles AsyncJobs that a user or pipeline created from a JobId (those a watch created carry
 * the {@code albjobs.io/watch} label and are left to their watch). It resolves the account scope
 * and hands the job to the batching {@link UserJobPoller}; a finished job is never polled again.
 *
 * <p>This reconciler is the one writer of such an AsyncJob's status: the poller only observes and
 * hands each observation back through the {@value #POLL_RESULTS} event source, so every write of
 * one object runs in its reconcile, which JOSDK never runs twice at once for one object.
 */
@ControllerConfiguration(
    name = AsyncJobReconciler.NAME,
    generationAwareEventProcessing = false,
    informer = @Informer(labelSelector = "!" + Labels.WATCH))
public class AsyncJobReconciler implements Reconciler<AsyncJob> {
  public static final String NAME = "asyncjob";
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(AsyncJobReconciler.class);
  static final String POLL_RESULTS = "user-job-polls";

  /** The least time a job showing a Kubernetes error waits before the next attempt. */
  static final Duration MIN_ERROR_HOLD_OFF = Duration.ofSeconds(30);

  private final ScopeResolver scopes;
  private final UserJobPoller poller;
  private final StatusRecorder recorder;
  private final Clock clock;
  private final Duration retryProblemsAfter;

  public AsyncJobReconciler(
      ScopeResolver scopes,
      UserJobPoller poller,
      StatusRecorder recorder,
      Clock clock,
      Duration retryProblemsAfter) {
    this.scopes = scopes;
    this.poller = poller;
    this.recorder = recorder;
    this.clock = clock;
    this.retryProblemsAfter = retryProblemsAfter;
  }

  @Override
  public List<EventSource<?, AsyncJob>> prepareEventSources(EventSourceContext<AsyncJob> context) {
    SimpleInboundEventSource<AsyncJob> results = new SimpleInboundEventSource<>(POLL_RESULTS);
    IndexedResourceCache<AsyncJob> cache = context.getPrimaryCache();
    poller.onObservation(
        (namespace, name) -> results.propagateEvent(new ResourceID(name, namespace)),
        key -> {
          int slash = key.indexOf('/');
          return cache
              .get(new ResourceID(key.substring(slash + 1), key.substring(0, slash)))
              .isPresent();
        });
    return List.of(results);
  }

  /**
   * A reconcile failed with an exception (JOSDK retries it with backoff): an unfinished job shows
   * it as Ready False with a reason from {@link ReconcileErrors} and an actionable message, and an
   * Event says it once per new problem. A finished job's status never changes: the Event only.
   */
  @Override
  public ErrorStatusUpdateControl<AsyncJob> updateErrorStatus(
      AsyncJob job, Context<AsyncJob> context, Exception e) {
    Problem problem = ReconcileErrors.classify(e, context);
    AsyncJobStatus status = job.getStatus();
    boolean newProblem =
        ReconcileErrors.isNew(status == null ? null : status.getConditions(), problem);
    try {
      if (newProblem && (status == null || !status.isFinished())) {
        recorder.job(
            job,
            stored -> {
              if (finished(stored)) {
                return null;
              }
              AsyncJobStatus desired = JobStatuses.copyOf(stored.getStatus());
              if (desired.getPhase() == null) {
                desired.setPhase(io.albjobs.operator.crd.JobPhase.Pending);
              }
              desired.setConditions(
                  ReconcileErrors.conditions(
                      desired.getConditions(),
                      problem,
                      stored.getMetadata().getGeneration(),
                      clock.instant()));
              return desired;
            },
            ownWrites(context));
      }
    } catch (RuntimeException writeFailed) {
      LOG.warn(
          "Could not show {} on AsyncJob {}/{}: {}",
          problem.reason(),
          job.getMetadata().getNamespace(),
          job.getMetadata().getName(),
          writeFailed.getMessage());
    } finally {
      if (newProblem) {
        recorder.problem(job, problem);
      }
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  @Override
  public UpdateControl<AsyncJob> reconcile(AsyncJob job, Context<AsyncJob> context) {
    if (job.getStatus() != null && !job.getStatus().isFinished()) {
      Duration holdOff =
          retryProblemsAfter.compareTo(MIN_ERROR_HOLD_OFF) > 0
              ? retryProblemsAfter
              : MIN_ERROR_HOLD_OFF;
      java.util.Optional<Duration> wait =
          ReconcileErrors.waitBeforeRetry(
              job.getStatus().getConditions(), clock.instant(), holdOff);
      if (wait.isPresent()) {
        return UpdateControl.<AsyncJob>noUpdate().rescheduleAfter(wait.get());
      }
    }
    OwnWrites<AsyncJob> writes = ownWrites(context);
    AsyncJob current = job;
    UserJobPoller.Observation observation = poller.observation(job);
    if (observation != null) {
      current = recorder.job(current, stored -> poller.statusAfter(stored, observation), writes);
      poller.written(job, observation);
    }
    if (finished(current)) {
      poller.untrack(current);
      recorder.job(current, JobMirror::acknowledged, writes);
      return UpdateControl.noUpdate();
    }
    AsyncJobSpec spec = current.getSpec();
    AccountScope scope;
    try {
      scope =
          scopes.resolve(
              current.getMetadata().getNamespace(),
              spec.getRegionId(),
              spec.getEndpoint(),
              spec.getCredentialsSecretRef());
    } catch (Problem problem) {
      poller.untrack(current);
      recorder.job(
          current,
          stored ->
              finished(stored)
                  ? null
                  : JobStatuses.notVisible(
                      stored.getStatus(),
                      problem,
                      stored.getMetadata().getGeneration(),
                      clock.instant()),
          writes);
      return UpdateControl.<AsyncJob>noUpdate().rescheduleAfter(retryProblemsAfter);
    }
    AsyncJobStatus status = current.getStatus();
    String pollNow = annotation(current, Labels.POLL_NOW);
    boolean pollNowAsked =
        pollNow != null && !pollNow.equals(status == null ? null : status.getPollNowHandled());
    boolean notFoundStalled = status != null && "JobNotFound".equals(stalledReason(status));
    if (notFoundStalled && !pollNowAsked) {
      return UpdateControl.noUpdate();
    }
    if (status == null || pollNowAsked || stalledReason(status) != null) {
      current =
          recorder.job(
              current,
              stored -> {
                if (finished(stored)) {
                  return null;
                }
                AsyncJobStatus pending =
                    JobStatuses.notVisible(
                        stored.getStatus(),
                        null,
                        stored.getMetadata().getGeneration(),
                        clock.instant());
                pending.setPollNowHandled(annotation(stored, Labels.POLL_NOW));
                return pending;
              },
              writes);
      if (finished(current)) {
        poller.untrack(current);
        return UpdateControl.noUpdate();
      }
    }
    poller.track(current, scope, pollNowAsked);
    return UpdateControl.noUpdate();
  }

  /** The job goes back into the controller's own cache after each write. */
  private static OwnWrites<AsyncJob> ownWrites(Context<AsyncJob> context) {
    return InformerWrites.of(context.eventSourceRetriever().getControllerEventSource());
  }

  private static boolean finished(AsyncJob job) {
    return job.getStatus() != null && job.getStatus().isFinished();
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
