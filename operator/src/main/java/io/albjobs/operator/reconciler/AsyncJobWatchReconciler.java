package io.albjobs.operator.reconciler;

import io.albjobs.operator.change.ChangeTracker;
import io.albjobs.operator.change.ObjectChange;
import io.albjobs.operator.change.Settle;
import io.albjobs.operator.change.SettleDefaults;
import io.albjobs.operator.config.Durations;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.albjobs.operator.crd.ResourceType;
import io.albjobs.operator.metrics.OperatorMetrics;
import io.albjobs.operator.poll.WatchPoll;
import io.albjobs.operator.poll.WatchState;
import io.albjobs.operator.poll.WatchStates;
import io.albjobs.operator.poll.WatchSync;
import io.albjobs.operator.status.ChildrenListed;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.status.Problem;
import io.albjobs.operator.status.Statuses;
import io.albjobs.operator.status.Times;
import io.albjobs.operator.write.JobMirror;
import io.albjobs.operator.write.Labels;
import io.albjobs.operator.write.OwnWrites;
import io.albjobs.operator.write.StatusRecorder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
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
 * {@code albjobs.io/poll-now}), mirrors the jobs and writes the roll-up status only when it changed
 * (or at the heartbeat). Observe-then-write; every step is safe to repeat.
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
  private static final Duration MAX_WAIT = Duration.ofHours(1);

  private final WatchSync sync;
  private final JobMirror mirror;
  private final StatusRecorder recorder;
  private final OperatorMetrics metrics;
  private final WatchStates states;
  private final Clock clock;
  private final ChangeTracker tracker;
  private final SettleDefaults settle;
  private volatile InformerEventSource<AsyncJob, AsyncJobWatch> children;
  private volatile SimpleInboundEventSource<AsyncJobWatch> changes;
  private volatile io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache<
          AsyncJobWatch>
      primaries;

  public AsyncJobWatchReconciler(
      WatchSync sync,
      JobMirror mirror,
      StatusRecorder recorder,
      OperatorMetrics metrics,
      WatchStates states,
      Clock clock) {
    this(
        sync,
        mirror,
        recorder,
        metrics,
        states,
        clock,
        new ChangeTracker(null, clock, false),
        SettleDefaults.STANDARD);
  }

  /**
   * @param tracker the Ingress and AlbConfig changes and their fences
   * @param settle the operator-wide settle period, timeout and margin
   */
  public AsyncJobWatchReconciler(
      WatchSync sync,
      JobMirror mirror,
      StatusRecorder recorder,
      OperatorMetrics metrics,
      WatchStates states,
      Clock clock,
      ChangeTracker tracker,
      SettleDefaults settle) {
    this.sync = sync;
    this.mirror = mirror;
    this.recorder = recorder;
    this.metrics = metrics;
    this.states = states;
    this.clock = clock;
    this.tracker = tracker;
    this.settle = settle;
  }

  @Override
  public List<EventSource<?, AsyncJobWatch>> prepareEventSources(
      EventSourceContext<AsyncJobWatch> context) {
    var config =
        InformerEventSourceConfiguration.from(AsyncJob.class, AsyncJobWatch.class)
            .withName("watch-children")
            .withLabelSelector(Labels.WATCH)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(AsyncJobWatch.class))
            .withNamespacesInheritedFromController()
            .withItemStore(new LeanItemStore<>())
            .build();
    children = new InformerEventSource<>(config, context);
    SimpleInboundEventSource<AsyncJobWatch> changes = new SimpleInboundEventSource<>("changes");
    tracker.onChange(changes::propagateEvent);
    this.changes = changes;
    this.primaries = context.getPrimaryCache();
    var cache = primaries;
    sync.peersFrom(() -> cache.list().toList());
    return List.of(children, changes);
  }

  /**
   * A listing of its scope showed a job of this watch ({@code namespace/name}) new or changed,
   * while its next poll was later ({@code poll/SharedListings}): it is due from {@code at} (when
   * that listing started, so that it polls with it) and is reconciled now.
   */
  public void wake(String member, Instant at) {
    var source = changes;
    var cache = primaries;
    int slash = member.indexOf('/');
    if (source == null || cache == null || slash < 0) {
      return;
    }
    ResourceID id = new ResourceID(member.substring(slash + 1), member.substring(0, slash));
    cache
        .get(id)
        .map(watch -> states.find(watch.getMetadata().getUid()))
        .ifPresent(
            state -> {
              // Only a watch reconciled before has a state (none is made here for one deleted
              // meanwhile).
              state.wake(at);
              source.propagateEvent(id);
            });
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
    Problem problem = ReconcileErrors.classify(e, context);
    AsyncJobWatchStatus current = recorder.current(watch);
    AsyncJobWatchStatus next = copy(current);
    next.setConditions(
        ReconcileErrors.conditions(
            next.getConditions(), problem, watch.getMetadata().getGeneration(), clock.instant()));
    boolean newProblem =
        ReconcileErrors.isNew(current == null ? null : current.getConditions(), problem);
    try {
      if (newProblem) {
        recorder.writeWatch(watch, next, ownWrites(context));
      }
    } catch (KubernetesClientException gone) {
      if (!isGone(watch, gone)) {
        throw gone;
      }
      return ErrorStatusUpdateControl.noStatusUpdate();
    } finally {
      if (newProblem) {
        recorder.problem(watch, problem);
      }
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  @Override
  public UpdateControl<AsyncJobWatch> reconcile(
      AsyncJobWatch watch, Context<AsyncJobWatch> context) {
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
    return e.getCode() == 404
        && e.getStatus() != null
        && e.getStatus().getDetails() != null
        && "asyncjobwatches".equals(e.getStatus().getDetails().getKind())
        && watch.getMetadata().getName().equals(e.getStatus().getDetails().getName());
  }

  private UpdateControl<AsyncJobWatch> reconcileLive(
      AsyncJobWatch watch, Context<AsyncJobWatch> context) {
    WatchState state = states.of(watch.getMetadata().getUid());
    Instant now = clock.instant();
    // One read of the children per reconcile: the informer builds a Set of them each time.
    Set<AsyncJob> secondaries = context.getSecondaryResources(AsyncJob.class);
    mirror.acknowledgeGenerations(secondaries, childWrites());
    boolean suspended = watch.getSpec().isSuspended();
    AsyncJobWatchStatus current = recorder.current(watch);
    Long generation = watch.getMetadata().getGeneration();
    String pollNow = annotation(watch, Labels.POLL_NOW);
    boolean specChanged =
        current == null || !Objects.equals(generation, current.getObservedGeneration());
    boolean pollNowAsked =
        pollNow != null && !pollNow.equals(current == null ? null : current.getPollNowHandled());
    boolean loadBalancers = watch.getSpec().getResourceType() == ResourceType.LOADBALANCER;
    ResourceID id = ResourceID.fromResource(watch);
    Duration period = duration(watch.getSpec().getSettlePeriod(), settle.period());
    Duration timeout = duration(watch.getSpec().getSettleTimeout(), settle.timeout());
    // A watch new to this process (created, or the operator restarted) takes the changes of the
    // last settle timeout; after that only those it has not taken.
    Instant notBefore = now.minus(timeout);
    List<ObjectChange> objectChanges =
        suspended || !loadBalancers
            ? List.of()
            : tracker.changesFor(id, state.changesTaken(), notBefore);
    boolean settling = current != null && current.getSettling() != null;
    AsyncJobWatchStatus next = null;
    Instant pollDue = null;
    if (!suspended && (settling || specChanged || pollNowAsked || !objectChanges.isEmpty())) {
      next = copy(current);
      if (specChanged || pollNowAsked) {
        Settle.acknowledgeTimedOut(next, timeout, now);
      }
      if (!period.isZero() && (specChanged || pollNowAsked)) {
        Settle.add(
            next,
            Settle.ofWatch(
                watch.getMetadata().getName(),
                generation,
                current == null ? "created" : specChanged ? "spec" : "poll-now",
                now));
      }
      for (ObjectChange c : objectChanges) {
        Settle.add(next, Settle.of(c));
      }
      Settle.fence(next, tracker::fence, period, timeout, settle.margin(), now);
      pollDue = Settle.pollDue(next, now);
      Instant scheduled = state.nextPoll();
      if (pollDue != null
          && !specChanged
          && !pollNowAsked
          && scheduled.isAfter(now)
          && !scheduled.isAfter(pollDue.plus(sync.activeInterval(watch.getSpec())))) {
        // The poll after a fence's margin was put on a tick of the scope near it (below, and at
        // the end of a poll): a reconcile before that tick (a job's update, a change) leaves it
        // there, so that the one listing made at the tick serves this watch too.
        pollDue = null;
      }
    }
    boolean newChanges = !objectChanges.isEmpty();
    if (!suspended
        && !specChanged
        && !pollNowAsked
        && newChanges
        && pollDue == null
        && now.isBefore(state.nextPoll())) {
      // A change to wait for: the watch leaves Ready now, without waiting for ALB (its calls may
      // wait for the rate budget); the next poll stays when it was, or comes sooner for the wait.
      var verdict = Settle.verdict(next, period, timeout, now);
      AsyncJobWatchStatus written =
          sync.between(watch, next, childrenOf(secondaries), state, verdict);
      ChildrenListed.apply(
          Conditions.CHANGES_TRACKED,
          written,
          current == null ? null : current.getConditions(),
          trackingState(),
          generation,
          now);
      recorder.watch(watch, current, written, ownWrites(context));
      objectChanges.stream().mapToLong(ObjectChange::seq).max().ifPresent(state::changesTaken);
      // Both on a tick of the watch's scope when one is near, so that the listing made for the
      // watches polling then serves this one too.
      Instant at = state.nextPoll();
      Duration active = sync.activeInterval(watch.getSpec());
      Instant wake =
          verdict.wakeAt() == null
              ? null
              : sync.onTick(state, verdict.wakeAt(), Duration.ZERO, Duration.ZERO, active, now);
      Instant soon =
          sync.onTick(
              state,
              now.plus(active),
              active,
              io.albjobs.operator.poll.SharedListings.early(active),
              io.albjobs.operator.poll.SharedListings.late(active),
              now);
      at = at.isAfter(soon) ? soon : at;
      at = wake != null && wake.isAfter(now) && wake.isBefore(at) ? wake : at;
      state.nextPoll(at);
      return UpdateControl.<AsyncJobWatch>noUpdate().rescheduleAfter(until(now, at));
    }
    if (!suspended
        && !specChanged
        && !pollNowAsked
        && !newChanges
        && pollDue == null
        && now.isBefore(state.nextPoll())) {
      // A fence seen, or nothing new: the next poll is when it was, or when the wait changes.
      Instant at = state.nextPoll();
      if (next != null) {
        // A fence's margin ends then: on a tick of the scope when one comes within the active
        // interval, where the listing made for the watches polling then serves this one too.
        Instant wake = Settle.verdict(next, period, timeout, now).wakeAt();
        if (wake != null) {
          Duration active = sync.activeInterval(watch.getSpec());
          wake = sync.onTick(state, wake, Duration.ZERO, Duration.ZERO, active, now);
        }
        at = wake != null && wake.isAfter(now) && wake.isBefore(at) ? wake : at;
        state.nextPoll(at);
      }
      return UpdateControl.<AsyncJobWatch>noUpdate().rescheduleAfter(until(now, at));
    }
    if (next == null) {
      next = copy(current);
    }
    next.setJobSelector(Labels.watchSelector(watch.getMetadata().getName()));
    if (specChanged) {
      next.setObservedGeneration(generation);
      next.setObservedGenerationTime(Times.format(now));
    }
    next.setPollNowHandled(pollNow);
    if (suspended) {
      // No poll and no reschedule while suspended; resuming is a spec change, which polls at once
      // (and settles for the settle period).
      next.setSettling(null);
      suspend(next, generation, now);
      recorder.watch(watch, current, next, ownWrites(context));
      state.nextPoll(Instant.EPOCH);
      metrics.forgetWatch(watch.getMetadata().getNamespace(), watch.getMetadata().getName());
      // Nothing lists the scope for it while suspended (discovery included).
      sync.leave(watch);
      return UpdateControl.noUpdate();
    }
    // Due now for a spec change, poll-now or a first poll: a shared listing must be this fresh.
    // A poll after a change's fence must have started after the change's visibleAt.
    Instant due =
        pollDue != null
            ? pollDue
            : specChanged || pollNowAsked || state.nextPoll().equals(Instant.EPOCH)
                ? now
                : state.nextPoll().isAfter(now) ? now : state.nextPoll();
    Instant woken = state.woken();
    if (woken != null && !woken.isAfter(now) && woken.isAfter(due)) {
      // Woken by a listing that started then: this poll takes that listing (or a newer one), which
      // serves the wake; an older due time would leave it unserved and the watch due at once again.
      due = woken;
    }
    List<ObjectChange> taken = new java.util.ArrayList<>(objectChanges);
    WatchPoll.Settlement settlement =
        (status, listed, childrenFresh, ids, listedFrom) -> {
          Instant at = clock.instant();
          if (ids != null && loadBalancers) {
            tracker.target(id, ids, watch.getSpec().getAlbConfigSelector());
            // Targets known now (a first poll, a new AlbConfig): their changes count at once.
            long seen = taken.stream().mapToLong(ObjectChange::seq).max().orElse(0);
            for (ObjectChange c :
                tracker.changesFor(id, Math.max(seen, state.changesTaken()), notBefore)) {
              Settle.add(status, Settle.of(c));
              taken.add(c);
            }
            Settle.fence(status, tracker::fence, period, timeout, settle.margin(), at);
          }
          if (listed) {
            Settle.polled(
                status,
                listedFrom,
                childrenFresh && ids != null && !ids.isEmpty(),
                ids != null && ids.isEmpty());
          }
          return Settle.verdict(status, period, timeout, at);
        };
    WatchSync.Outcome outcome =
        sync.poll(
            new WatchPoll(
                watch,
                next,
                childrenOf(secondaries),
                state,
                childWrites(),
                due,
                settlement,
                pollDue));
    AsyncJobWatchStatus written = outcome.status();
    ChildrenListed.apply(
        Conditions.CHANGES_TRACKED,
        written,
        current == null ? null : current.getConditions(),
        loadBalancers ? trackingState() : null,
        generation,
        now);
    recorder.watch(watch, current, written, ownWrites(context));
    taken.stream().mapToLong(ObjectChange::seq).max().ifPresent(state::changesTaken);
    state.polled(due);
    state.nextPoll(outcome.nextPollAt());
    return UpdateControl.<AsyncJobWatch>noUpdate()
        .rescheduleAfter(until(clock.instant(), outcome.nextPollAt()));
  }

  /**
   * The wait until {@code at}: never negative, and never too long for JOSDK's millisecond delay.
   */
  static Duration until(Instant now, Instant at) {
    if (!at.isAfter(now)) {
      return Duration.ZERO;
    }
    return now.plus(MAX_WAIT).isBefore(at) ? MAX_WAIT : Duration.between(now, at);
  }

  /** The ChangesTracked condition; unchanged while the tracker is starting. */
  private ChildrenListed.State trackingState() {
    ChangeTracker.Tracking t = tracker.tracking();
    return t == null
        ? ChildrenListed.State.UNCHANGED
        : new ChildrenListed.State(t.tracked(), t.reason(), t.message());
  }

  /** A watch's own settle duration, or the operator's when absent or not valid. */
  private static Duration duration(String value, Duration fallback) {
    try {
      return Durations.parseOr(value, fallback);
    } catch (IllegalArgumentException e) {
      return fallback; // the poll reports the invalid spec
    }
  }

  /** A deleted watch: its in-memory state and its metric series go with it. */
  private void forget(AsyncJobWatch watch) {
    tracker.forget(ResourceID.fromResource(watch));
    states.forget(watch.getMetadata().getUid());
    sync.leave(watch);
    recorder.forget(watch);
    metrics.forgetWatch(watch.getMetadata().getNamespace(), watch.getMetadata().getName());
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

  /** The watch's AsyncJobs go back into the {@code watch-children} informer's cache. */
  private OwnWrites<AsyncJob> childWrites() {
    InformerEventSource<AsyncJob, AsyncJobWatch> source = children;
    return source == null ? OwnWrites.none() : InformerWrites.of(source);
  }

  /** The watch itself goes back into the controller's own cache. */
  private static OwnWrites<AsyncJobWatch> ownWrites(Context<AsyncJobWatch> context) {
    return InformerWrites.of(context.eventSourceRetriever().getControllerEventSource());
  }

  static AsyncJobWatchStatus copy(AsyncJobWatchStatus status) {
    return status == null ? new AsyncJobWatchStatus() : Statuses.copy(status);
  }

  private static String annotation(AsyncJobWatch watch, String key) {
    Map<String, String> annotations = watch.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
