package io.albjobs.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RescheduleTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void aWaitUntilFarFutureIsCappedInsteadOfOverflowing() {
    Duration wait = AsyncJobWatchReconciler.until(NOW, Instant.MAX);
    assertEquals(Duration.ofHours(1), wait);
    wait.toMillis(); // what JOSDK does with it
  }

  @Test
  void aWaitIntoThePastIsZeroAndAnOrdinaryOneExact() {
    assertEquals(Duration.ZERO, AsyncJobWatchReconciler.until(NOW, NOW.minusSeconds(5)));
    assertEquals(Duration.ofSeconds(30), AsyncJobWatchReconciler.until(NOW, NOW.plusSeconds(30)));
  }
}
