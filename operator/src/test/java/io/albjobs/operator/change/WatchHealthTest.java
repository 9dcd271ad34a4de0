package io.albjobs.operator.change;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WatchHealthTest {
  private final Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
  private final WatchHealth health = new WatchHealth();

  private static Map<String, Boolean> watching(boolean ingresses, boolean events) {
    Map<String, Boolean> m = new LinkedHashMap<>();
    m.put("ingresses.networking.k8s.io", ingresses);
    m.put("albconfigs.alibabacloud.com", true);
    m.put("events of Ingresses", events);
    return m;
  }

  @Test
  void aReconnectShorterThanTheGraceIsNotBlindALongerGapIs() {
    assertEquals(List.of(), health.check(watching(true, true), t0));
    assertEquals(List.of(), health.check(watching(false, true), t0.plusSeconds(1)));
    assertEquals(
        List.of(), health.check(watching(false, true), t0.plus(WatchHealth.GRACE)), "29 s");
    assertEquals(
        List.of("ingresses.networking.k8s.io"),
        health.check(watching(false, false), t0.plus(WatchHealth.GRACE).plusSeconds(1)),
        "30 s for the ingresses; the events' gap has just begun");
    assertEquals(t0.plusSeconds(1), health.since());
    // Watching again: the gap is over, and a new one counts from its own start.
    assertEquals(List.of(), health.check(watching(true, true), t0.plusSeconds(40)));
    assertEquals(null, health.since());
    assertEquals(List.of(), health.check(watching(true, false), t0.plusSeconds(50)));
    assertEquals(List.of(), health.check(watching(true, false), t0.plusSeconds(79)));
    assertEquals(
        List.of("events of Ingresses"), health.check(watching(true, false), t0.plusSeconds(80)));
  }

  @Test
  void shortGapsOfDifferentInformersInARowAreNotOneLongGap() {
    // Each informer reconnects within 20 s, one after the other, for a minute.
    for (int s = 0; s <= 60; s += 10) {
      boolean ingressesDown = (s / 20) % 2 == 0;
      assertEquals(
          List.of(),
          health.check(watching(!ingressesDown, ingressesDown), t0.plusSeconds(s)),
          "at " + s + " s");
    }
  }

  @Test
  void trackingTurnsLostAfterTheGraceAndBackWhenEveryInformerWatches() {
    ChangeTracker.Tracking tracked =
        ChangeTracker.afterCheck(
            new ChangeTracker.Tracking(false, ChangeTracker.LOST, "old"), List.of(), null);
    assertTrue(tracked.tracked());
    assertEquals("ChangesTracked", tracked.reason());
    assertSame(tracked, ChangeTracker.afterCheck(tracked, List.of(), null), "no change");

    Instant since = t0.minus(Duration.ofSeconds(31));
    ChangeTracker.Tracking lost =
        ChangeTracker.afterCheck(tracked, List.of("events of AlbConfigs"), since);
    assertFalse(lost.tracked());
    assertEquals(ChangeTracker.LOST, lost.reason());
    assertTrue(
        lost.message().contains("events of AlbConfigs")
            && lost.message().contains("2026-12-02T09:59:29Z")
            && lost.message().contains("ClusterRole"),
        lost.message());
    assertSame(lost, ChangeTracker.afterCheck(lost, List.of("events of AlbConfigs"), since));

    // Refused at start (or turned off) is not lost: the retry every minute says so.
    ChangeTracker.Tracking forbidden =
        new ChangeTracker.Tracking(false, "ChangeTrackingForbidden", "may not list");
    assertSame(forbidden, ChangeTracker.afterCheck(forbidden, List.of("x"), since));
    assertSame(forbidden, ChangeTracker.afterCheck(forbidden, List.of(), null));
  }
}
