package io.albjobs.it.bench;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.JobPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches AsyncJobs in the benchmark's namespaces through an informer (what {@code kubectl wait}
 * and other controllers see) and records, per JobId, when it was first seen at all and when it
 * was first seen in a final phase, in wall-clock milliseconds.
 */
final class JobTimeline implements AutoCloseable {
  record Seen(long firstSeenMillis, JobPhase firstPhase, long finalSeenMillis, JobPhase finalPhase) {}

  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final AtomicInteger finals = new AtomicInteger();
  private final Set<String> namespaces;
  private final SharedIndexInformer<AsyncJob> informer;

  JobTimeline(KubernetesClient client, Set<String> namespaces) {
    this.namespaces = namespaces;
    informer = client.resources(AsyncJob.class).inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(AsyncJob job) {
        record(job);
      }

      @Override
      public void onUpdate(AsyncJob old, AsyncJob job) {
        record(job);
      }

      @Override
      public void onDelete(AsyncJob job, boolean unknown) {}
    }, 0L);
  }

  private void record(AsyncJob job) {
    long now = System.currentTimeMillis();
    if (!namespaces.contains(job.getMetadata().getNamespace()) || job.getSpec() == null) {
      return;
    }
    JobPhase phase = job.getStatus() == null ? null : job.getStatus().getPhase();
    seen.compute(job.getSpec().getJobId(), (id, s) -> {
      if (s == null) {
        s = new Seen(now, phase, -1, null);
      }
      if (s.firstPhase() == null && phase != null) {
        s = new Seen(now, phase, s.finalSeenMillis(), s.finalPhase());
      }
      if (s.finalPhase() == null && phase != null && phase.isFinished()) {
        finals.incrementAndGet();
        s = new Seen(s.firstSeenMillis(), s.firstPhase(), now, phase);
      }
      return s;
    });
  }

  Seen get(String jobId) {
    return seen.get(jobId);
  }

  int count() {
    return seen.size();
  }

  int finals() {
    return finals.get();
  }

  @Override
  public void close() {
    informer.close();
  }
}
