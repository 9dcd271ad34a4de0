package io.albjobs.operator.write;

import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobSpec;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.poll.LoadBalancerChildren;
import io.albjobs.operator.poll.WatchPoll;
import io.albjobs.operator.poll.WatchState;
import io.albjobs.operator.status.JobStatuses;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Mirrors the jobs of a watch's poll into AsyncJobs: one create per new job, and the status the
 * job's ALB record gives, written by the {@link StatusRecorder} (one write per change, nothing when
 * nothing changed).
 */
public final class JobMirror {
  private final KubernetesClient client;
  private final StatusRecorder recorder;
  private final Retention retention;
  private final Clock clock;

  public JobMirror(
      KubernetesClient client, StatusRecorder recorder, Retention retention, Clock clock) {
    this.client = client;
    this.recorder = recorder;
    this.retention = retention;
    this.clock = clock;
  }

  /**
   * Mirrors the jobs the poll returned into its children (name → AsyncJob), creating the missing
   * ones. Returns the updated view.
   */
  public Map<String, AsyncJob> mirror(WatchPoll poll, List<AlbJob> jobs) {
    return mirror(poll, jobs, job -> null);
  }

  /**
   * As above; {@code loadBalancerOf} names the load balancer a job belongs to (a load-balancer
   * watch with children, see {@link LoadBalancerChildren}), or null: it goes into the label {@link
   * Labels#LOAD_BALANCER} and {@code status.loadBalancerId}.
   */
  public Map<String, AsyncJob> mirror(
      WatchPoll poll, List<AlbJob> jobs, Function<AlbJob, String> loadBalancerOf) {
    AsyncJobWatch watch = poll.watch();
    WatchState state = poll.state();
    Map<String, AsyncJob> view = new HashMap<>(poll.children());
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
        poll.writes().created(existing);
      }
      view.put(
          name,
          recorder.job(
              existing,
              stored ->
                  withLoadBalancer(
                      JobStatuses.fromAlb(
                          job, stored.getStatus(), stored.getMetadata().getGeneration(), now),
                      loadBalancer),
              poll.writes()));
    }
    return view;
  }

  /**
   * Finished jobs whose spec a user edited: acknowledge the new generation (nothing else changes),
   * so that kstatus and Flux do not wait on them forever. No ALB call is involved.
   */
  public void acknowledgeGenerations(Iterable<AsyncJob> jobs, OwnWrites<AsyncJob> writes) {
    for (AsyncJob job : jobs) {
      if (job.getStatus() != null && job.getStatus().isFinished() && JobStatuses.lagsBehind(job)) {
        recorder.job(job, JobMirror::acknowledged, writes);
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

  private static AsyncJobStatus withLoadBalancer(AsyncJobStatus status, String loadBalancer) {
    if (loadBalancer != null) {
      status.setLoadBalancerId(loadBalancer);
    }
    return status;
  }

  private AsyncJob create(
      AsyncJobWatch watch, AlbJob job, String name, WatchState state, String loadBalancer) {
    AsyncJob resource = new AsyncJob();
    Map<String, String> labels = new HashMap<>();
    labels.put(Labels.WATCH, Labels.value(watch.getMetadata().getName()));
    labels.put(Labels.MANAGED_BY, Labels.MANAGER);
    putLabel(labels, Labels.RESOURCE_TYPE, job.resourceType());
    putLabel(labels, Labels.RESOURCE_ID, job.resourceId());
    putLabel(labels, Labels.LOAD_BALANCER, loadBalancer);
    putLabel(labels, Labels.API_NAME, job.apiName());
    putLabel(labels, Labels.JOB_ID, job.id());
    if (recorder.phaseLabels()) {
      labels.put(Labels.PHASE, JobStatuses.phaseOf(job).name());
    }
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
          client
              .resources(AsyncJob.class)
              .inNamespace(watch.getMetadata().getNamespace())
              .withName(name)
              .get();
      if (other != null
          && Labels.value(watch.getMetadata().getName()).equals(labelOf(other, Labels.WATCH))) {
        return other;
      }
      state.markForeign(name);
      return null;
    }
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
