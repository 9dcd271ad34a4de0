package io.albjobs.it;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.JobPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a user's controller, {@code kubectl wait} or a GitOps gate sees of the AsyncJobs: an
 * informer (list + watch, as they use) records, per JobId, every phase it was shown in and in which
 * order (repeats folded), when it was first seen at all and when first in a final phase (wall-clock
 * milliseconds). The reliability suites check the order (a finished job never goes back); the
 * benchmark reads the times (detection latency).
 */
public final class PhaseRecorder implements AutoCloseable {
  /** When a JobId was first seen (phase may be null: no status yet) and first seen finished. */
  public record Seen(
      long firstSeenMillis, JobPhase firstPhase, long finalSeenMillis, JobPhase finalPhase) {}

  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final Map<String, List<JobPhase>> sequences = new ConcurrentHashMap<>();
  private final AtomicInteger finals = new AtomicInteger();
  private final Set<String> namespaces;
  private final SharedIndexInformer<AsyncJob> informer;

  /** Records the AsyncJobs of one namespace. */
  public PhaseRecorder(KubernetesClient client, String namespace) {
    this.namespaces = Set.of(namespace);
    this.informer = client.resources(AsyncJob.class).inNamespace(namespace).inform(handler(), 0L);
  }

  /** Records the AsyncJobs of several namespaces (one informer over all namespaces). */
  public PhaseRecorder(KubernetesClient client, Set<String> namespaces) {
    this.namespaces = Set.copyOf(namespaces);
    this.informer = client.resources(AsyncJob.class).inAnyNamespace().inform(handler(), 0L);
  }

  private ResourceEventHandler<AsyncJob> handler() {
    return new ResourceEventHandler<>() {
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
    };
  }

  private void record(AsyncJob job) {
    long now = System.currentTimeMillis();
    if (!namespaces.contains(job.getMetadata().getNamespace()) || job.getSpec() == null) {
      return;
    }
    String id = job.getSpec().getJobId();
    JobPhase phase = job.getStatus() == null ? null : job.getStatus().getPhase();
    seen.compute(
        id,
        (key, s) -> {
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
    if (phase != null) {
      List<JobPhase> sequence = sequences.computeIfAbsent(id, k -> new ArrayList<>());
      synchronized (sequence) {
        if (sequence.isEmpty() || sequence.get(sequence.size() - 1) != phase) {
          sequence.add(phase);
        }
      }
    }
  }

  /** The phases each JobId was shown in, in the order the watch delivered them (repeats folded). */
  public Map<String, List<String>> sequences() {
    Map<String, List<String>> copy = new HashMap<>();
    sequences.forEach(
        (id, sequence) -> {
          synchronized (sequence) {
            copy.put(id, sequence.stream().map(JobPhase::name).toList());
          }
        });
    return copy;
  }

  /** Every phase each JobId was shown in. */
  public Map<String, Set<String>> phases() {
    Map<String, Set<String>> copy = new HashMap<>();
    sequences().forEach((id, sequence) -> copy.put(id, new LinkedHashSet<>(sequence)));
    return copy;
  }

  /** When the JobId was first seen and first seen finished; null when never seen. */
  public Seen get(String jobId) {
    return seen.get(jobId);
  }

  /** JobIds seen. */
  public int count() {
    return seen.size();
  }

  /** JobIds seen in a final phase. */
  public int finals() {
    return finals.get();
  }

  @Override
  public void close() {
    informer.close();
  }
}
