package io.albjobs.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class UnknownStatusMetricTest {
  @Test
  void wordsAreNormalisedAndTheirNumberIsBounded() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OperatorMetrics metrics = new OperatorMetrics(registry);
    metrics.unknownAlbStatus("Rollbacking");
    metrics.unknownAlbStatus("ROLLBACKING");
    assertEquals(
        2.0,
        registry
            .get("albjobs_unknown_status_total")
            .tag("status", "rollbacking")
            .counter()
            .count());
    metrics.unknownAlbStatus("Queued: waiting for a lock on the load balancer, please wait");
    assertEquals(
        1.0,
        registry
            .get("albjobs_unknown_status_total")
            .tag("status", "queued__waiting_for_a_lock_on_th")
            .counter()
            .count());
    for (int i = 0; i < 40; i++) {
      metrics.unknownAlbStatus("word" + i);
    }
    assertEquals(
        21, registry.get("albjobs_unknown_status_total").counters().size(), "20 words and other");
    assertEquals(
        22.0,
        registry.get("albjobs_unknown_status_total").tag("status", "other").counter().count());
  }
}
