package io.albjobs.operator.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateBudgetTest {
  @Test
  void noOneSecondWindowHoldsMoreThanQpsPlusBurst() throws InterruptedException {
    RateBudget budget = new RateBudget(20, 5);
    List<Long> stamps = new ArrayList<>();
    long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
    while (System.nanoTime() < end) {
      if (budget.acquire(Duration.ofMillis(200))) {
        stamps.add(System.nanoTime());
      }
    }
    for (int i = 0; i < stamps.size(); i++) {
      int inWindow = 0;
      for (int j = i; j < stamps.size() && stamps.get(j) - stamps.get(i) < 1_000_000_000L; j++) {
        inWindow++;
      }
      assertTrue(inWindow <= 25, "window starting at call " + i + " held " + inWindow);
    }
    assertTrue(stamps.size() >= 25, "the budget still lets calls through: " + stamps.size());
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
    RateBudget budget = new RateBudget(1, 3, () -> now[0]);
    int granted = 0;
    for (int i = 0; i < 10; i++) {
      if (budget.acquire(Duration.ZERO)) {
        granted++;
      }
    }
    assertEquals(3, granted);
  }
}
