package io.albjobs.it.settle;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/**
 * Records core/v1 Events as client-go's legacy recorder ({@code tools/record}) does for the ALB
 * Ingress Controller: {@code firstTimestamp}/{@code lastTimestamp} in whole seconds, no {@code
 * eventTime}, the source component, and an identical Event (same object, type, reason, message)
 * recorded again is aggregated: {@code count} bumped and {@code lastTimestamp} moved by a patch of
 * the existing Event, which keeps its name and {@code firstTimestamp}.
 */
final class EventLog {
  private record Recorded(String namespace, String name, int count) {}

  private final KubernetesClient client;
  private final String component;
  private final Map<String, Recorded> cache = new HashMap<>();

  EventLog(KubernetesClient client, String component) {
    this.client = client;
    this.component = component;
  }

  /** Records the Event in {@code namespace}; returns the time it carries. */
  synchronized Instant record(
      String namespace, ObjectReference ref, String type, String reason, String message) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String ts = now.toString();
    String key =
        String.join(
            "\n",
            ref.getKind(),
            String.valueOf(ref.getNamespace()),
            ref.getName(),
            String.valueOf(ref.getUid()),
            ref.getApiVersion(),
            type,
            reason,
            message);
    Recorded previous = cache.get(key);
    if (previous != null) {
      int count = previous.count() + 1;
      try {
        client
            .v1()
            .events()
            .inNamespace(previous.namespace())
            .withName(previous.name())
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"count\":" + count + ",\"lastTimestamp\":\"" + ts + "\"}");
        cache.put(key, new Recorded(previous.namespace(), previous.name(), count));
        return now;
      } catch (RuntimeException e) {
        // Gone (expired or deleted): record a new one, as client-go does after a failed patch.
        cache.remove(key);
      }
    }
    String name =
        ref.getName()
            + "."
            + Long.toHexString(
                System.currentTimeMillis() * 1_000_000L + (System.nanoTime() % 1_000_000L));
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .withInvolvedObject(ref)
            .withType(type)
            .withReason(reason)
            .withMessage(message)
            .withCount(1)
            .withFirstTimestamp(ts)
            .withLastTimestamp(ts)
            .withNewSource()
            .withComponent(component)
            .endSource()
            .withReportingComponent(component)
            .withReportingInstance("")
            .build();
    client.v1().events().inNamespace(namespace).resource(event).create();
    cache.put(key, new Recorded(namespace, name, 1));
    return now;
  }
}
