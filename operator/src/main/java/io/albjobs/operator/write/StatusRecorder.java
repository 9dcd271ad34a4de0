package io.albjobs.operator.write;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.albjobs.operator.status.Problem;
import io.albjobs.operator.status.Statuses;
import io.albjobs.operator.status.Times;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that writes the status of AsyncJobs and AsyncJobWatches. It compares ignoring the
 * heartbeat fields (the sync times, and a watch's watermark), writes the whole status by
 * server-side apply on the status subresource (field manager {@value #FIELD_MANAGER}; a JSON patch
 * or a PUT where the API server does not serve apply, as in the embedded demo API), puts the stored
 * object back into the informer cache ({@link OwnWrites}) and tells its {@link Listener} of every
 * written change, which makes each transition's Events and metrics happen once.
 *
 * <p>An AsyncJob's write is conditional on the resourceVersion its status was computed from: on a
 * conflict the object is read again and the status computed again, so a status is never written
 * over a newer one, and a final phase is never replaced. A watch has one writer (its reconciler, on
 * the leader), so its write is not conditional; a change of the heartbeat fields alone is written
 * only at the heartbeat, and kept here meanwhile for the next poll of the watch.
 */
public final class StatusRecorder {
  public static final String FIELD_MANAGER = StatusSubresource.FIELD_MANAGER;
  private static final Logger LOG = LoggerFactory.getLogger(StatusRecorder.class);
  private static final int CONFLICT_ATTEMPTS = 5;

  /** The side effects of status changes: Events and metrics, each fired once per written change. */
  public interface Listener {
    void jobChanged(AsyncJob stored, AsyncJobStatus before, AsyncJobStatus after);

    void watchChanged(AsyncJobWatch stored, AsyncJobWatchStatus before, AsyncJobWatchStatus after);

    /** A reconcile failed with {@code problem}, newly shown on {@code about}. */
    void problem(HasMetadata about, Problem problem);
  }

  /**
   * A watch status computed but not written (only heartbeat fields moved), and the object it
   * extends.
   */
  private record Unwritten(String resourceVersion, AsyncJobWatchStatus status) {}

  private final KubernetesClient client;
  private final Listener listener;
  private final Clock clock;
  private final Duration heartbeat;
  private final StatusSubresource subresource;
  private final Map<String, Unwritten> unwritten = new ConcurrentHashMap<>();
  private volatile boolean phaseLabels = true;

  /**
   * @param heartbeat how often a watch status is written when only its heartbeat fields moved
   */
  public StatusRecorder(
      KubernetesClient client, Listener listener, Clock clock, Duration heartbeat) {
    this.client = client;
    this.subresource = new StatusSubresource(client);
    this.listener = listener;
    this.clock = clock;
    this.heartbeat = heartbeat;
  }

  /**
   * Brings an AsyncJob's status (and phase label) to what {@code desiredFor} computes from the
   * object as stored, if that differs; {@code desiredFor} returning null leaves it as it is. The
   * write is conditional on the resourceVersion of the object the status was computed from: when
   * the object changed meanwhile (a user's edit, or an informer copy behind the API server), it is
   * read again and the status computed again. Returns the object as last stored or read.
   */
  public AsyncJob job(
      AsyncJob current, Function<AsyncJob, AsyncJobStatus> desiredFor, OwnWrites<AsyncJob> cache) {
    AsyncJob base = current;
    for (int attempt = 1; ; attempt++) {
      AsyncJobStatus desired = desiredFor.apply(base);
      if (desired == null) {
        return base;
      }
      try {
        AsyncJob stored = jobIfChanged(base, desired);
        if (stored != base) {
          cache.updated(stored, current);
        }
        return stored;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= CONFLICT_ATTEMPTS) {
          throw e;
        }
        AsyncJob fresh =
            client
                .resources(AsyncJob.class)
                .inNamespace(base.getMetadata().getNamespace())
                .withName(base.getMetadata().getName())
                .get();
        if (fresh == null) {
          return base;
        }
        base = fresh;
      }
    }
  }

  /**
   * Whether AsyncJobs carry the {@code albjobs.io/phase} label, patched at every phase change (one
   * more write per transition). Off, {@code status.phase} is selected with {@code --field-selector}
   * (CRD selectableFields, Kubernetes 1.31+); an object that carries the label from before keeps it
   * true.
   */
  public void phaseLabels(boolean on) {
    phaseLabels = on;
  }

  public boolean phaseLabels() {
    return phaseLabels;
  }

  /** One conditional attempt: writes {@code desired} over {@code current} if it differs. */
  private AsyncJob jobIfChanged(AsyncJob current, AsyncJobStatus desired) {
    AsyncJobStatus before = current.getStatus();
    if (before != null && before.isFinished() && desired.getPhase() != before.getPhase()) {
      // A final phase is final: whatever computed another phase worked from an older view.
      LOG.debug(
          "Not writing phase {} over the final phase {} of {}/{}",
          desired.getPhase(),
          before.getPhase(),
          current.getMetadata().getNamespace(),
          current.getMetadata().getName());
      desired = before;
    }
    boolean statusChanged = !sameIgnoringHeartbeat(before, desired);
    String phaseLabel = desired.getPhase() == null ? null : desired.getPhase().name();
    String labelled = JobMirror.labelOf(current, Labels.PHASE);
    // The label only where it is written (--phase-label) or already is: it never lies.
    boolean labelChanged =
        (phaseLabels || labelled != null) && !Objects.equals(labelled, phaseLabel);
    if (!statusChanged && !labelChanged) {
      return current;
    }
    AsyncJob stored = current;
    if (statusChanged) {
      desired.setLastSyncTime(Times.format(clock.instant()));
      stored = writeIfUnchanged(current, desired);
      listener.jobChanged(stored, before, desired);
    }
    if (labelChanged && phaseLabel != null) {
      String patch =
          "{\"metadata\":{\"labels\":{\"" + Labels.PHASE + "\":\"" + phaseLabel + "\"}}}";
      stored =
          client
              .resources(AsyncJob.class)
              .inNamespace(stored.getMetadata().getNamespace())
              .withName(stored.getMetadata().getName())
              .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }
    return stored;
  }

  /**
   * The newest status of a watch: the one computed at its last poll if only heartbeat fields moved
   * since the object in the cache was stored (that status was not written), else the stored one.
   */
  public AsyncJobWatchStatus current(AsyncJobWatch watch) {
    Unwritten kept = unwritten.get(watch.getMetadata().getUid());
    return kept != null && kept.resourceVersion().equals(watch.getMetadata().getResourceVersion())
        ? kept.status()
        : watch.getStatus();
  }

  /**
   * Records a watch's status after a poll: written if anything but the heartbeat fields changed
   * from {@code before} or the heartbeat is due, else kept for {@link #current}.
   */
  public void watch(
      AsyncJobWatch watch,
      AsyncJobWatchStatus before,
      AsyncJobWatchStatus next,
      OwnWrites<AsyncJobWatch> cache) {
    Instant now = clock.instant();
    // The heartbeat counts from the last write (the stored object's sync time), not from the last
    // poll: a kept status carries every poll's sync time, and a watch polled more often than the
    // heartbeat would otherwise never be written while nothing else changes.
    AsyncJobWatchStatus stored = watch.getStatus();
    Instant lastWrite =
        before == null || stored == null ? null : Times.parse(stored.getLastSyncTime());
    boolean heartbeatDue = lastWrite == null || !now.isBefore(lastWrite.plus(heartbeat));
    if (before != null && sameIgnoringHeartbeat(before, next) && !heartbeatDue) {
      unwritten.put(
          watch.getMetadata().getUid(),
          new Unwritten(watch.getMetadata().getResourceVersion(), next));
      return;
    }
    writeWatch(watch, next, cache);
    listener.watchChanged(watch, before, next);
  }

  /** Writes a watch's status now (stamped with the sync time), with no transition to announce. */
  public void writeWatch(
      AsyncJobWatch watch, AsyncJobWatchStatus next, OwnWrites<AsyncJobWatch> cache) {
    next.setLastSyncTime(Times.format(clock.instant()));
    AsyncJobWatch stored = write(watch, next);
    unwritten.remove(watch.getMetadata().getUid());
    cache.updated(stored, watch);
  }

  /** A deleted watch: nothing is kept for it. */
  public void forget(AsyncJobWatch watch) {
    unwritten.remove(watch.getMetadata().getUid());
  }

  /**
   * A reconcile of {@code about} failed with a problem it does not show yet: the listener says so.
   */
  public void problem(HasMetadata about, Problem problem) {
    listener.problem(about, problem);
  }

  /**
   * Replaces the status of {@code target} with {@code status} only if the object is still at {@code
   * target}'s resourceVersion (else HTTP 409); see {@link StatusSubresource}.
   */
  public <S, T extends CustomResource<?, S>> T writeIfUnchanged(T target, S status) {
    return subresource.writeIfUnchanged(target, status);
  }

  /** Replaces the status of {@code target} with {@code status}; returns the object as stored. */
  public <S, T extends CustomResource<?, S>> T write(T target, S status) {
    return subresource.write(target, status);
  }

  /** Status writes issued so far (for tests and benchmarks). */
  public long writeCount() {
    return subresource.writeCount();
  }

  /** Equal but for {@code lastSyncTime}, which moves at every write. */
  static boolean sameIgnoringHeartbeat(AsyncJobStatus a, AsyncJobStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    AsyncJobStatus x = Statuses.copy(a);
    x.setLastSyncTime(b.getLastSyncTime());
    return x.equals(b);
  }

  /** Equal but for the sync times and the watermark, which move at every poll. */
  static boolean sameIgnoringHeartbeat(AsyncJobWatchStatus a, AsyncJobWatchStatus b) {
    AsyncJobWatchStatus x = Statuses.copy(a);
    x.setLastSyncTime(b.getLastSyncTime());
    x.setLastSuccessfulSyncTime(b.getLastSuccessfulSyncTime());
    x.setWatermark(b.getWatermark());
    return x.equals(b);
  }
}
