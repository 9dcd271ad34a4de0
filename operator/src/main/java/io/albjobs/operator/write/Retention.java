package io.albjobs.operator.write;

import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.AsyncJobWatchSpec;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.poll.WatchPoll;
import io.albjobs.operator.status.Times;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes finished AsyncJobs a watch created once they pass {@code ttlSecondsAfterFinished} or fall
 * outside {@code successfulJobsHistoryLimit} / {@code failedJobsHistoryLimit}, like Job and CronJob
 * do. Jobs in flight are never deleted.
 */
public final class Retention {
  private final KubernetesClient client;

  public Retention(KubernetesClient client) {
    this.client = client;
  }

  /**
   * A job already past its TTL when first seen is not created at all (it would be deleted at once).
   */
  public boolean expiredOnArrival(AsyncJobWatch watch, AlbJob job, Instant now) {
    Long ttl = watch.getSpec().getTtlSecondsAfterFinished();
    if (ttl == null || !job.isFinished() || job.modifyTimeMillis() <= 0) {
      return false;
    }
    return !Instant.ofEpochMilli(job.modifyTimeMillis()).plusSeconds(ttl).isAfter(now);
  }

  /** Applies the watch's retention to {@code view} (name → AsyncJob); returns what is left. */
  public Map<String, AsyncJob> apply(WatchPoll poll, Map<String, AsyncJob> view, Instant now) {
    AsyncJobWatchSpec spec = poll.watch().getSpec();
    List<AsyncJob> doomed = new ArrayList<>();
    List<AsyncJob> succeeded = new ArrayList<>();
    List<AsyncJob> failed = new ArrayList<>();
    for (AsyncJob job : view.values()) {
      if (job.getStatus() == null || !job.getStatus().isFinished()) {
        continue;
      }
      Instant done = Times.parse(job.getStatus().getCompletionTime());
      Long ttl = spec.getTtlSecondsAfterFinished();
      if (ttl != null && done != null && !done.plus(Duration.ofSeconds(ttl)).isAfter(now)) {
        doomed.add(job);
      } else if (job.getStatus().getPhase() == JobPhase.Succeeded) {
        succeeded.add(job);
      } else {
        failed.add(job);
      }
    }
    doomed.addAll(beyondLimit(succeeded, spec.getSuccessfulJobsHistoryLimit()));
    doomed.addAll(beyondLimit(failed, spec.getFailedJobsHistoryLimit()));
    Map<String, AsyncJob> left = new HashMap<>(view);
    for (AsyncJob job : doomed) {
      delete(job);
      left.remove(job.getMetadata().getName());
      Instant created = Times.parse(job.getStatus().getCreateTime());
      poll.state().markDeleted(job.getMetadata().getName(), created == null ? now : created);
    }
    return left;
  }

  private static List<AsyncJob> beyondLimit(List<AsyncJob> jobs, Integer limit) {
    if (limit == null || jobs.size() <= limit) {
      return List.of();
    }
    jobs.sort(
        Comparator.comparing(
                (AsyncJob j) ->
                    j.getStatus().getCompletionTime() == null
                        ? ""
                        : j.getStatus().getCompletionTime())
            .thenComparing(j -> j.getMetadata().getName())
            .reversed());
    return jobs.subList(limit, jobs.size());
  }

  private void delete(AsyncJob job) {
    try {
      client
          .resources(AsyncJob.class)
          .inNamespace(job.getMetadata().getNamespace())
          .withName(job.getMetadata().getName())
          .withPropagationPolicy(DeletionPropagation.BACKGROUND)
          .delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }
}
