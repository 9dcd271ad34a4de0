package io.albjobs.it.reliability;

import io.albjobs.operator.crd.AsyncJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Records every phase each AsyncJob of a namespace was ever seen in, through a watch. */
final class PhaseRecorder implements AutoCloseable {
  private final Map<String, Set<String>> seen = new ConcurrentHashMap<>();
  private final Map<String, List<String>> sequences = new ConcurrentHashMap<>();
  private final SharedIndexInformer<AsyncJob> informer;

  PhaseRecorder(KubernetesClient client, String namespace) {
    informer = client.resources(AsyncJob.class).inNamespace(namespace).inform(new ResourceEventHandler<>() {
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
    });
  }

  private void record(AsyncJob job) {
    if (job.getStatus() != null && job.getStatus().getPhase() != null) {
      String phase = job.getStatus().getPhase().name();
      seen.computeIfAbsent(job.getSpec().getJobId(), k -> ConcurrentHashMap.newKeySet()).add(phase);
      List<String> sequence = sequences.computeIfAbsent(job.getSpec().getJobId(), k -> new ArrayList<>());
      synchronized (sequence) {
        if (sequence.isEmpty() || !sequence.get(sequence.size() - 1).equals(phase)) {
          sequence.add(phase);
        }
      }
    }
  }

  /** The phases each JobId was shown in, in the order the watch delivered them (repeats folded). */
  Map<String, List<String>> sequences() {
    Map<String, List<String>> copy = new java.util.HashMap<>();
    sequences.forEach((id, sequence) -> {
      synchronized (sequence) {
        copy.put(id, List.copyOf(sequence));
      }
    });
    return copy;
  }

  /** Every phase each JobId was shown in. */
  Map<String, Set<String>> phases() {
    return Map.copyOf(seen);
  }

  @Override
  public void close() {
    informer.close();
  }
}
