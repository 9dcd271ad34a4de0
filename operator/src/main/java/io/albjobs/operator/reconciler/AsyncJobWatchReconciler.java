package io.albjobs.operator.reconciler;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.albjobs.operator.crd.FailedJobRef;
import io.albjobs.operator.metrics.OperatorMetrics;
import io.albjobs.operator.write.ChildCache;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.write.EventRecorder;
import io.albjobs.operator.write.JobMirror;
import io.albjobs.operator.write.Labels;
import io.albjobs.operator.write.StatusWriter;
import io.albjobs.operator.status.Times;
import io.albjobs.operator.poll.WatchState;
import io.albjobs.operator.poll.WatchStates;
import io.albjobs.operator.poll.WatchSync;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reconciles an {@link AsyncJobWatch}: polls ALB when a poll is due (interval, spec change or
 * {@code albjobs.io/poll-now}), mirrors the jobs and writes the roll-up status only when it
 * changed (or at the heartbeat). Observe-then-write; every step is safe to repeat.
 *
 * <p>It is also called when a watch is deleted (JOSDK's all-events mode, no finalizer): then it
 * drops the watch's in-memory state and metric series. A suspended watch is not polled and has no
 * metric series; it is polled at once when resumed, from its recorded watermark.
 */
@ControllerConfiguration(
    name = AsyncJobWatchReconciler.NAME,
    generationAwareEventProcessing = false,
    triggerReconcilerOnAllEvents = true)
public class AsyncJobWatchReconciler implements Reconciler<AsyncJobWatch> {
  public static final String NAME = "asyncjobwatch";
  private static final Set<String> HEALTHY = Set.of("Synced", "JobsInFlight", "JobFailed", "Suspended");
  private static final Duration MAX_WAIT = Duration.ofHours(1);

  private final WatchSync sync;
  private final JobMirror mirror;
  private final OperatorMetrics metrics;
  private final WatchStates states;
  private final StatusWriter writer;
  private final EventRecorder events;
  private final Clock clock;
  private final Duration heartbeat;
  private volatile InformerEventSource<AsyncJob, AsyncJobWatch> children;

  public AsyncJobWatchReconciler(
      WatchSync sync,
      JobMirror mirror,
      OperatorMetrics metrics,
      WatchStates states,
      StatusWriter writer,
      EventRecorder events,
      Clock clock,
      Duration heartbeat) {
    this.sync = sync;
    this.mirror = mirror;
    this.metrics = metrics;
    this.states = states;
    this.writer = writer;
    this.events = events;
    this.clock = clock;
    this.heartbeat = heartbeat;
  }

  @Override
  public List<EventSource<?, AsyncJobWatch>> prepareEventSources(EventSourceContext<AsyncJobWatch> context) {
    var config =
        InformerEventSourceConfiguration.from(AsyncJob.class, AsyncJobWatch.class)
            .withName("watch-children")
            .withLabelSelector(Labels.WATCH)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(AsyncJobWatch.class))
            .withNamespacesInheritedFromController()
            .withItemStore(new LeanItemStore<>())
            .build();
    children = new InformerEventSource<>(config, context);
    return List.of(children);
  }

  /**
   * A reconcile failed with an exception (JOSDK retries it with backoff): the watch shows it as
   * Ready False with a reason from {@link ReconcileErrors} and an actionable message, and an Event
   * says it once per new problem, so a person sees it without the operator's log.
   */
  @Override
  public ErrorStatusUpdateControl<AsyncJobWatch> updateErrorStatus(
      AsyncJobWatch watch, Context<AsyncJobWatch> context, Exception e) {
    if (context.isPrimaryResourceDeleted()) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    ReconcileErrors.Problem problem = ReconcileErrors.classify(e, context);
    WatchState state = states.of(watch.getMetadata().getUid());
    AsyncJobWatchStatus current = state.newest(watch.getStatus(), watch.getMetadata().getResourceVersion());
    Instant now = clock.instant();
    AsyncJobWatchStatus next = copy(current);
    next.setConditions(ReconcileErrors.conditions(next.getConditions(), problem, watch.getMetadata().getGeneration(), now));
    boolean newProblem = ReconcileErrors.isNew(current == null ? null : current.getConditions(), problem);
    try {
      if (newProblem) {
        next.setLastSyncTime(Times.format(now));
        AsyncJobWatch stored = writer.write(watch, next);
        state.remember(next, stored.getMetadata().getResourceVersion());
      }
    } catch (KubernetesClientException gone) {
      if (!isGone(watch, gone)) {
        throw gone;
      }
      return ErrorStatusUpdateControl.noStatusUpdate();
    } finally {
      ReconcileErrors.report(watch, problem, newProblem, events);
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  @Override
  public UpdateControl<AsyncJobWatch> reconcile(AsyncJobWatch watch, Context<AsyncJobWatch> context) {
    if (context.isPrimaryResourceDeleted()) {
      forget(watch);
      return UpdateControl.noUpdate();
    }
    try {
      return reconcileLive(watch, context);
    } catch (KubernetesClientException e) {
      if (!isGone(watch, e)) {
        throw e;
      }
      // Deleted while this reconcile ran: its delete event forgets it; nothing to report.
      return UpdateControl.noUpdate();
    }
  }

  /** The API server answered 404 for the watch itself (not for one of its AsyncJobs). */
  static boolean isGone(AsyncJobWatch watch, KubernetesClientException e) {
    return e.getCode() == 404 && e.getStatus() != null && e.getStatus().getDetails() != null
        && "asyncjobwatches".equals(e.getStatus().getDetails().getKind())
        && watch.getMetadata().getName().equals(e.getStatus().getDetails().getName());
  }

  private UpdateControl<AsyncJobWatch> reconcileLive(AsyncJobWatch watch, Context<AsyncJobWatch> context) {
    WatchState state = states.of(watch.getMetadata().getUid());
    Instant now = clock.instant();
    // One read of the children per reconcile: the informer builds a Set of them each time.
    Set<AsyncJob> secondaries = context.getSecondaryResources(AsyncJob.class);
    mirror.acknowledgeGenerations(secondaries, childCache());
    boolean suspended = watch.getSpec().isSuspended();
    AsyncJobWatchStatus current =
        state.newest(watch.getStatus(), watch.getMetadata().getResourceVersion());
    Long generation = watch.getMetadata().getGeneration();
    String pollNow = annotation(watch, Labels.POLL_NOW);
    boolean specChanged = current == null || !Objects.equals(generation, current.getObservedGeneration());
    boolean pollNowAsked = pollNow != null && !pollNow.equals(current == null ? null : current.getPollNowHandled());
    if (!suspended && !specChanged && !pollNowAsked && now.isBefore(state.nextPoll())) {
      return UpdateControl.<AsyncJobWatch>noUpdate().rescheduleAfter(until(now, state.nextPoll()));
    }
    AsyncJobWatchStatus next = copy(current);
    next.setJobSelector(Labels.watchSelector(watch.getMetadata().getName()));
    if (specChanged) {
      next.setObservedGeneration(generation);
      next.setObservedGenerationTime(Times.format(now));
    }
    next.setPollNowHandled(pollNow);
    if (suspended) {
      // No poll and no reschedule while suspended; resuming is a spec change, which polls at once.
      suspend(next, generation, now);
      save(watch, current, next, state, now);
      state.nextPoll(Instant.EPOCH);
      metrics.forgetWatch(watch.getMetadata().getNamespace(), watch.getMetadata().getName());
      return UpdateControl.noUpdate();
    }
    if (specChanged || pollNowAsked || state.nextPoll().equals(Instant.EPOCH)) {
      state.nextPoll(now); // due now: a shared listing must be this fresh
    }
    WatchSync.Outcome outcome = sync.poll(watch, next, childrenOf(secondaries), state, childCache());
    save(watch, current, outcome.status(), state, now);
    announce(watch, current, outcome.status());
    state.nextPoll(outcome.nextPollAt());
    return UpdateControl.<AsyncJobWatch>noUpdate().rescheduleAfter(until(clock.instant(), outcome.nextPollAt()));
  }

  /** The wait until {@code at}: never negative, and never too long for JOSDK's millisecond delay. */
  static Duration until(Instant now, Instant at) {
    if (!at.isAfter(now)) {
      return Duration.ZERO;
    }
    return now.plus(MAX_WAIT).isBefore(at) ? MAX_WAIT : Duration.between(now, at);
  }

  /** A deleted watch: its in-memory state and its metric series go with it. */
  private void forget(AsyncJobWatch watch) {
    states.forget(watch.getMetadata().getUid());
    metrics.forgetWatch(watch.getMetadata().getNamespace(), watch.getMetadata().getName());
  }

  /** Writes the status if anything but the sync times changed, or the heartbeat is due. */
  private void save(
      AsyncJobWatch watch, AsyncJobWatchStatus current, AsyncJobWatchStatus next, WatchState state, Instant now) {
    Instant lastWrite = current == null ? null : Times.parse(current.getLastSyncTime());
    boolean heartbeatDue = lastWrite == null || !now.isBefore(lastWrite.plus(heartbeat));
    if (current != null && sameIgnoringSyncTimes(current, next) && !heartbeatDue) {
      state.remember(next, watch.getMetadata().getResourceVersion());
      return;
    }
    next.setLastSyncTime(Times.format(now));
    AsyncJobWatch stored = writer.write(watch, next);
    state.remember(next, stored.getMetadata().getResourceVersion());
  }

  /** Events for what a person should look at: a new polling problem, a newly failed job. */
  private void announce(AsyncJobWatch watch, AsyncJobWatchStatus before, AsyncJobWatchStatus after) {
    Condition ready = Conditions.find(after.getConditions(), Conditions.READY).orElse(null);
    String oldReason =
        before == null ? null : Conditions.find(before.getConditions(), Conditions.READY).map(Condition::getReason).orElse(null);
    if (ready != null && !HEALTHY.contains(ready.getReason()) && !Objects.equals(oldReason, ready.getReason())) {
      events.warning(watch, ready.getReason(), ready.getMessage());
    }
    FailedJobRef failed = after.getLastFailedJob();
    FailedJobRef previous = before == null ? null : before.getLastFailedJob();
    if (failed != null && (previous == null || !Objects.equals(previous.getJobId(), failed.getJobId()))) {
      events.warning(
          watch,
          "JobFailed",
          "ALB job " + failed.getJobId() + " (" + failed.getApiName() + " on " + failed.getResourceId()
              + ") failed: " + failed.getErrorCode()
              + (failed.getErrorMessage() == null ? "" : ": " + failed.getErrorMessage()));
    }
  }

  private static void suspend(AsyncJobWatchStatus status, Long generation, Instant now) {
    status.setConditions(
        Conditions.after(status.getConditions(), generation, now)
            .set(Conditions.READY, false, "Suspended", "polling is suspended (spec.suspend)")
            .set(Conditions.RECONCILING, false, "Suspended", "")
            .set(Conditions.STALLED, false, "Suspended", "")
            .build());
  }

  private static Map<String, AsyncJob> childrenOf(Set<AsyncJob> secondaries) {
    Map<String, AsyncJob> byName = new HashMap<>();
    for (AsyncJob job : secondaries) {
      byName.put(job.getMetadata().getName(), job);
    }
    return byName;
  }

  private ChildCache childCache() {
    InformerEventSource<AsyncJob, AsyncJobWatch> source = children;
    if (source == null) {
      return ChildCache.NONE;
    }
    return new ChildCache() {
      @Override
      public void created(AsyncJob job) {
        source.handleRecentResourceCreate(ResourceID.fromResource(job), job);
      }

      @Override
      public void updated(AsyncJob newer, AsyncJob older) {
        source.handleRecentResourceUpdate(ResourceID.fromResource(newer), newer, older);
      }
    };
  }

  static boolean sameIgnoringSyncTimes(AsyncJobWatchStatus a, AsyncJobWatchStatus b) {
    AsyncJobWatchStatus x = copy(a);
    x.setLastSyncTime(b.getLastSyncTime());
    x.setLastSuccessfulSyncTime(b.getLastSuccessfulSyncTime());
    x.setWatermark(b.getWatermark());
    return x.equals(b);
  }

  static AsyncJobWatchStatus copy(AsyncJobWatchStatus status) {
    return status == null
        ? new AsyncJobWatchStatus()
        : Serialization.unmarshal(Serialization.asJson(status), AsyncJobWatchStatus.class);
  }

  private static String annotation(AsyncJobWatch watch, String key) {
    Map<String, String> annotations = watch.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
