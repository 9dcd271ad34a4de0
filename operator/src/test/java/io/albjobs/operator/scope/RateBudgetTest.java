package io.albjobs.operator.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateBudgetTest {
  /**
   * Many callers against one budget: no one-second window ever holds more than qps calls. The
   * callers run until 60 calls were granted (three seconds at 20/s after the burst), not for a
   * fixed time, so a loaded machine that schedules them late only makes the run longer.
   */
  @Test
  void noOneSecondWindowHoldsMoreThanQps() throws InterruptedException {
    RateBudget budget = new RateBudget(20, 20);
    List<Long> stamps = java.util.Collections.synchronizedList(new ArrayList<>());
    int wanted = 60;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int t = 0; t < 8; t++) {
      pool.execute(
          () -> {
            try {
              while (stamps.size() < wanted && System.nanoTime() < deadline) {
                long grantedAt = budget.acquireAt(Duration.ofMillis(100));
                if (grantedAt >= 0) {
                  stamps.add(grantedAt);
                }
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(40, TimeUnit.SECONDS));
    List<Long> sorted = new ArrayList<>(stamps);
    sorted.sort(Long::compare);
    assertTrue(
        sorted.size() >= wanted,
        "the budget still lets calls through: " + sorted.size() + " in 30 s");
    for (int i = 0; i < sorted.size(); i++) {
      int inWindow = 0;
      for (int j = i; j < sorted.size() && sorted.get(j) - sorted.get(i) < 1_000_000_000L; j++) {
        inWindow++;
      }
      assertTrue(inWindow <= 20, "window starting at call " + i + " held " + inWindow);
    }
  }

  @Test
  void aPauseStopsEveryCallerUntilItEnds() throws InterruptedException {
    long[] now = {0};
    RateBudget budget = new RateBudget(10, 2, () -> now[0]);
    budget.pause(Duration.ofSeconds(5));
    assertFalse(budget.acquire(Duration.ZERO), "paused");
    now[0] = Duration.ofSeconds(5).toNanos();
    assertTrue(budget.acquire(Duration.ZERO));
  }

  @Test
  void burstIsTheMostAtOnce() throws InterruptedException {
    long[] now = {0};
    RateBudget budget = new RateBudget(10, 3, () -> now[0]);
    int granted = 0;
    for (int i = 0; i < 10; i++) {
      if (budget.acquire(Duration.ZERO)) {
        granted++;
      }
    }
    assertEquals(3, granted);
  }

  @Test
  void belowOnePerSecondTheWindowStretches() throws InterruptedException {
    long[] now = {0};
    RateBudget budget = new RateBudget(0.5, 5, () -> now[0]);
    assertTrue(budget.acquire(Duration.ZERO));
    now[0] = Duration.ofMillis(1900).toNanos();
    assertFalse(budget.acquire(Duration.ZERO), "one call per two seconds");
    now[0] = Duration.ofMillis(2001).toNanos();
    assertTrue(budget.acquire(Duration.ZERO));
  }
}
