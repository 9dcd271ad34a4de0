package io.albjobs.it.settle;

import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every Ready condition a watch showed, as an informer saw it (what a gate reads), with when it was
 * seen: a gate passes at the first Ready=True of the current generation.
 */
final class GateLog implements AutoCloseable {
  record Seen(Instant at, String ready, String reason, Long generation, Long observed) {
    boolean passes() {
      return "True".equals(ready) && Objects.equals(generation, observed);
    }
  }

  private final List<Seen> seen = new ArrayList<>();
  private final SharedIndexInformer<AsyncJobWatch> informer;

  GateLog(KubernetesClient client, String ns, String name) {
    informer =
        client
            .resources(AsyncJobWatch.class)
            .inNamespace(ns)
            .withName(name)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(AsyncJobWatch w) {
                    record(w);
                  }

                  @Override
                  public void onUpdate(AsyncJobWatch a, AsyncJobWatch b) {
                    record(b);
                  }

                  @Override
                  public void onDelete(AsyncJobWatch w, boolean unknown) {}
                },
                0);
  }

  private synchronized void record(AsyncJobWatch w) {
    Instant now = Instant.now();
    Condition ready =
        w.getStatus() == null
            ? null
            : Conditions.find(w.getStatus().getConditions(), Conditions.READY).orElse(null);
    seen.add(
        new Seen(
            now,
            ready == null ? null : ready.getStatus(),
            ready == null ? null : ready.getReason(),
            w.getMetadata().getGeneration(),
            ready == null ? null : ready.getObservedGeneration()));
  }

  /** The first time after {@code from} a gate would have passed, or null. */
  synchronized Instant firstPassAfter(Instant from) {
    return seen.stream()
        .filter(s -> !s.at().isBefore(from) && s.passes())
        .map(Seen::at)
        .findFirst()
        .orElse(null);
  }

  /** The first reason after {@code from} that is not {@code skip}, or null. */
  synchronized Instant firstReasonAfter(Instant from, String reason) {
    return seen.stream()
        .filter(s -> !s.at().isBefore(from) && reason.equals(s.reason()))
        .map(Seen::at)
        .findFirst()
        .orElse(null);
  }

  synchronized List<Seen> all() {
    return List.copyOf(seen);
  }

  @Override
  public void close() {
    informer.close();
  }
}
