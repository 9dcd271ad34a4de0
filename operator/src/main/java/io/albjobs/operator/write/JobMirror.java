package io.albjobs.operator.write;

import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.status.JobStatuses;
import io.albjobs.operator.status.Times;
import io.albjobs.operator.poll.WatchState;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobSpec;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes AsyncJobs: one create per new job, one status write per change, nothing when nothing
 * changed. Every status write is conditional on the resourceVersion the new status was computed
 * from; on a conflict the object is read again and the status computed again, so a status is
 * never written over a newer one. A finished phase is never replaced by another phase, and the
 * side effects of a transition (metric, {@code JobFailed} Event) follow the one write that made it.
 */
public final class JobMirror {
  private static final Logger LOG = LoggerFactory.getLogger(JobMirror.class);
  private static final int CONFLICT_ATTEMPTS = 5;

  private final KubernetesClient client;
  private final StatusWriter writer;
  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final Clock clock;

  public JobMirror(
      KubernetesClient client,
      StatusWriter writer,
      EventRecorder events,
      OperatorMetrics metrics,
      Clock clock) {
    this.client = client;
    this.writer = writer;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Mirrors the jobs a watch's poll returned into {@code children} (name → AsyncJob), creating
   * the missing ones. Returns the updated view.
   */
  public Map<String, AsyncJob> mirror(
      AsyncJobWatch watch,
      List<AlbJob> jobs,
      Map<String, AsyncJob> children,
      WatchState state,
      Retention retention,
      ChildCache cache) {
    return mirror(watch, jobs, children, state, retention, cache, job -> null);
  }

  /**
   * As above; {@code loadBalancerOf} names the load balancer a job belongs to (a load-balancer
   * watch with children, see {@link LoadBalancerChildren}), or null: it goes into the label
   * {@link Labels#LOAD_BALANCER} and {@code status.loadBalancerId}.
   */
  public Map<String, AsyncJob> mirror(
      AsyncJobWatch watch,
      List<AlbJob> jobs,
      Map<String, AsyncJob> children,
      WatchState state,
      Retention retention,
      ChildCache cache,
      Function<AlbJob, String> loadBalancerOf) {
    Map<String, AsyncJob> view = new HashMap<>(children);
    Instant now = clock.instant();
    for (AlbJob job : jobs) {
      String name = JobNames.forJobId(job.id());
      AsyncJob existing = view.get(name);
      if (existing != null && existing.getStatus() != null && existing.getStatus().isFinished()) {
        continue;
      }
      if (existing == null && (state.skips(name) || retention.expiredOnArrival(watch, job, now))) {
        continue;
      }
      String loadBalancer = loadBalancerOf.apply(job);
      if (existing == null) {
        existing = create(watch, job, name, state, loadBalancer);
        if (existing == null) {
          continue;
        }
        cache.created(existing);
      }
      view.put(
          name,
          update(existing, stored -> withLoadBalancer(
                  JobStatuses.fromAlb(job, stored.getStatus(), stored.getMetadata().getGeneration(), now), loadBalancer),
              cache));
    }
    return view;
  }

  /**
   * Finished jobs whose spec a user edited: acknowledge the new generation (nothing else
   * changes), so that kstatus and Flux do not wait on them forever. No ALB call is involved.
   */
  public void acknowledgeGenerations(Iterable<AsyncJob> jobs, ChildCache cache) {
    for (AsyncJob job : jobs) {
      if (job.getStatus() != null && job.getStatus().isFinished() && JobStatuses.lagsBehind(job)) {
        update(job, JobMirror::acknowledged, cache);
      }
    }
  }

  /** The status of a finished job acknowledging its generation; null when nothing is to write. */
  public static AsyncJobStatus acknowledged(AsyncJob stored) {
    AsyncJobStatus status = stored.getStatus();
    return status != null && status.isFinished() && JobStatuses.lagsBehind(stored)
        ? JobStatuses.observed(status, stored.getMetadata().getGeneration())
        : null;
  }

  /**
   * Brings an AsyncJob's status (and phase label) to what {@code desiredFor} computes from the
   * object as stored, if that differs; {@code desiredFor} returning null leaves it as it is. The
   * write is conditional on the resourceVersion of the object the status was computed from: when
   * the object changed meanwhile (a user's edit, or an informer copy behind the API server), it is
   * read again and the status computed again. Returns the object as last stored or read.
   */
  public AsyncJob update(AsyncJob current, Function<AsyncJob, AsyncJobStatus> desiredFor, ChildCache cache) {
    AsyncJob base = current;
    for (int attempt = 1; ; attempt++) {
      AsyncJobStatus desired = desiredFor.apply(base);
      if (desired == null) {
        return base;
      }
      try {
        AsyncJob stored = writeIfChanged(base, desired);
        if (stored != base) {
          cache.updated(stored, current);
        }
        return stored;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= CONFLICT_ATTEMPTS) {
          throw e;
        }
        AsyncJob fresh =
            client.resources(AsyncJob.class)
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

  /** One conditional attempt: writes {@code desired} over {@code current} if it differs. */
  private AsyncJob writeIfChanged(AsyncJob current, AsyncJobStatus desired) {
    AsyncJobStatus before = current.getStatus();
    if (before != null && before.isFinished() && desired.getPhase() != before.getPhase()) {
      // A final phase is final: whatever computed another phase worked from an older view.
      LOG.debug("Not writing phase {} over the final phase {} of {}/{}", desired.getPhase(), before.getPhase(),
          current.getMetadata().getNamespace(), current.getMetadata().getName());
      desired = before;
    }
    boolean statusChanged = !sameIgnoringSyncTime(before, desired);
    String phaseLabel = desired.getPhase() == null ? null : desired.getPhase().name();
    boolean labelChanged = !Objects.equals(labelOf(current, Labels.PHASE), phaseLabel);
    if (!statusChanged && !labelChanged) {
      return current;
    }
    AsyncJob stored = current;
    if (statusChanged) {
      desired.setLastSyncTime(Times.format(clock.instant()));
      stored = writer.writeIfUnchanged(current, desired);
      onTransition(stored, before, desired);
    }
    if (labelChanged && phaseLabel != null) {
      stored = patchPhaseLabel(stored, phaseLabel);
    }
    return stored;
  }

  private void onTransition(AsyncJob job, AsyncJobStatus before, AsyncJobStatus after) {
    String key = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
    Instant created = Times.parse(after.getCreateTime());
    metrics.inFlight(key, created == null ? clock.instant() : created, !after.isFinished());
    String unknown = JobStatuses.unknownWord(after);
    if (unknown != null && !unknown.equals(JobStatuses.unknownWord(before))) {
      metrics.unknownAlbStatus(unknown);
      events.warning(job, JobStatuses.UNKNOWN_ALB_STATUS, Conditions.find(after.getConditions(), Conditions.RECONCILING)
          .map(io.fabric8.kubernetes.api.model.Condition::getMessage).orElse(unknown));
    }
    boolean newlyFinished = after.isFinished() && (before == null || !before.isFinished());
    if (!newlyFinished) {
      return;
    }
    Instant done = Times.parse(after.getCompletionTime());
    Duration took = created == null || done == null ? null : Duration.between(created, done);
    metrics.jobFinished(
        after.getPhase().name(), after.getApiName(), after.getResourceType(), after.getErrorCode(), took);
    if (after.getPhase() == JobPhase.Failed) {
      events.warning(
          job,
          "JobFailed",
          "ALB job " + job.getSpec().getJobId() + " (" + after.getApiName() + " on "
              + after.getResourceId() + ") failed: " + after.getErrorCode()
              + (after.getErrorMessage() == null ? "" : ": " + after.getErrorMessage()));
    }
  }

  private static AsyncJobStatus withLoadBalancer(AsyncJobStatus status, String loadBalancer) {
    if (loadBalancer != null) {
      status.setLoadBalancerId(loadBalancer);
    }
    return status;
  }

  private AsyncJob create(AsyncJobWatch watch, AlbJob job, String name, WatchState state, String loadBalancer) {
    AsyncJob resource = new AsyncJob();
    Map<String, String> labels = new HashMap<>();
    labels.put(Labels.WATCH, Labels.value(watch.getMetadata().getName()));
    labels.put(Labels.MANAGED_BY, Labels.MANAGER);
    putLabel(labels, Labels.RESOURCE_TYPE, job.resourceType());
    putLabel(labels, Labels.RESOURCE_ID, job.resourceId());
    putLabel(labels, Labels.LOAD_BALANCER, loadBalancer);
    putLabel(labels, Labels.API_NAME, job.apiName());
    putLabel(labels, Labels.JOB_ID, job.id());
    labels.put(Labels.PHASE, JobStatuses.phaseOf(job).name());
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(watch.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(Map.of(Labels.JOB_ID_ANNOTATION, job.id()))
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(watch.getApiVersion())
                    .withKind(watch.getKind())
                    .withName(watch.getMetadata().getName())
                    .withUid(watch.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(false)
                    .build())
            .build());
    resource.setSpec(new AsyncJobSpec(job.id(), watch.getSpec().getRegionId()));
    try {
      return client.resource(resource).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // Another writer got there first: adopt it if it is ours, else leave it to its owner.
      AsyncJob other =
          client.resources(AsyncJob.class)
              .inNamespace(watch.getMetadata().getNamespace())
              .withName(name)
              .get();
      if (other != null && Labels.value(watch.getMetadata().getName()).equals(labelOf(other, Labels.WATCH))) {
        return other;
      }
      state.markForeign(name);
      return null;
    }
  }

  private AsyncJob patchPhaseLabel(AsyncJob job, String phase) {
    String patch = "{\"metadata\":{\"labels\":{\"" + Labels.PHASE + "\":\"" + phase + "\"}}}";
    return client
        .resources(AsyncJob.class)
        .inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  static boolean sameIgnoringSyncTime(AsyncJobStatus a, AsyncJobStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    AsyncJobStatus x = JobStatuses.copyOf(a);
    x.setLastSyncTime(b.getLastSyncTime());
    return x.equals(b);
  }

  private static void putLabel(Map<String, String> labels, String key, String value) {
    String v = Labels.value(value);
    if (v != null) {
      labels.put(key, v);
    }
  }

  static String labelOf(AsyncJob job, String key) {
    Map<String, String> labels = job.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }
}
