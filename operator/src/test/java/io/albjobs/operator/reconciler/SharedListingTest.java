package io.albjobs.operator.reconciler;

import static io.albjobs.operator.testing.FakeAlb.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.JobQuery;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.FakeAlb;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.operator.testing.OperatorHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ten watches of one account scope, ten load balancers each, a job in flight on every load
 * balancer: with shared listings one listing per tick serves all ten; without, each watch asks
 * for its own ten load balancers. Both see every job finish.
 */
class SharedListingTest {
  private static final String NS = "team-a";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration WINDOW = Duration.ofSeconds(3);

  private record Run(int calls, int sharedCalls, int perWatchCalls) {}

  /** One job in flight on each of alb-0 .. alb-(n-1). */
  private static FakeAlb jobsInFlight(int n, long now) {
    FakeAlb alb = new FakeAlb();
    for (int i = 0; i < n; i++) {
      alb.put(job("RUN-" + i, "CreateListener", "alb-" + i, AlbJob.PROCESSING, now - 1_000 - i, now - 1_000));
    }
    return alb;
  }

  /** The Secret and {@code count} watches of ten load balancers each: watch-w has alb-10w .. alb-10w+9. */
  private static void createWatches(OperatorHarness h, int count) {
    h.client.resource(Fixtures.credentials(NS, "alb-creds", "LTAItest", "test-secret")).create();
    for (int w = 0; w < count; w++) {
      List<String> lbs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        lbs.add("alb-" + (w * 10 + i));
      }
      AsyncJobWatch watch = Fixtures.watch(NS, "watch-" + w, null, "alb-creds", lbs);
      watch.getSpec().setSince("10m");
      h.client.resource(watch).create();
    }
  }

  private Run run(boolean share) throws Exception {
    long now = System.currentTimeMillis();
    FakeAlb alb = jobsInFlight(100, now);
    try (OperatorHarness h = new OperatorHarness(scope -> alb, "--share-listings=" + share,
        "--active-poll-interval=500ms", "--alb-qps=500", "--alb-burst=100")) {
      createWatches(h, 10);
      Await.until(WAIT, "100 jobs in flight mirrored", () -> count(h, JobPhase.Processing) == 100);

      int before = alb.queries().size();
      Thread.sleep(WINDOW.toMillis());
      List<JobQuery> window = alb.queries().subList(before, alb.queries().size());
      int sharedCalls = (int) window.stream().filter(q -> q.resourceIds().isEmpty() && q.jobIds().isEmpty()).count();
      int perWatch = (int) window.stream().filter(q -> !q.resourceIds().isEmpty()).count();

      long done = System.currentTimeMillis();
      for (int i = 0; i < 100; i++) {
        alb.put(job("RUN-" + i, "CreateListener", "alb-" + i, i % 10 == 0 ? AlbJob.FAILED : AlbJob.SUCCEEDED,
            now - 1_000 - i, done));
      }
      Await.until(WAIT, "every job finished", () ->
          count(h, JobPhase.Succeeded) == 90 && count(h, JobPhase.Failed) == 10);
      for (int w = 0; w < 10; w++) {
        int watch = w;
        Await.until(WAIT, "watch-" + w + " rolled up", () -> {
          AsyncJobWatch s = h.watch(NS, "watch-" + watch);
          return s.getStatus() != null && s.getStatus().getJobs() != null
              && s.getStatus().getJobs().getSucceeded() == 9 && s.getStatus().getJobs().getFailed() == 1
              && s.getStatus().getJobs().getProcessing() == 0;
        });
      }
      return new Run(window.size(), sharedCalls, perWatch);
    }
  }

  private static long count(OperatorHarness h, JobPhase phase) {
    return h.jobs(NS).stream()
        .map(AsyncJob::getStatus)
        .filter(s -> s != null && s.getPhase() == phase)
        .count();
  }

  @Test
  void tenWatchesOfOneScopeShareOneListingPerTick() throws Exception {
    Run shared = run(true);
    Run alone = run(false);
    assertEquals(0, alone.sharedCalls(), "without sharing, every call names resources");
    assertEquals(0, shared.perWatchCalls(), "with sharing, no watch asks on its own: " + shared);
    assertTrue(alone.calls() >= 10, "each watch polls several times a window: " + alone);
    // One listing (one page here) per 500 ms tick, not one per watch and not one per reconcile.
    assertTrue(shared.sharedCalls() <= WINDOW.toMillis() / 500 + 2, "listings in " + WINDOW + ": " + shared);
    assertTrue(shared.calls() * 4 <= alone.calls(),
        "shared " + shared.calls() + " calls vs " + alone.calls() + " per watch in " + WINDOW);
  }

  /**
   * Fifty watches created one after another (so their first polls fall at different times), 500
   * jobs in flight = 5 pages per listing, 20 ms per ALB call: after a few intervals the watches
   * poll on one tick per active interval, so a 1 s interval costs one listing a second.
   */
  @Test
  void watchesThatStartedAtDifferentTimesConvergeOnOneListingPerInterval() throws Exception {
    FakeAlb alb = jobsInFlight(500, System.currentTimeMillis());
    io.albjobs.operator.alb.AlbJobClient slow = (q, token, max) -> {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return alb.listJobs(q, token, max);
    };
    try (OperatorHarness h = new OperatorHarness(scope -> slow, "--active-poll-interval=1s", "--alb-qps=500",
        "--alb-burst=100")) {
      createWatches(h, 50);
      Await.until(WAIT, "500 jobs in flight mirrored", () -> count(h, JobPhase.Processing) == 500);
      Thread.sleep(8_000);
      int before = alb.queries().size();
      Thread.sleep(5_000);
      List<JobQuery> window = alb.queries().subList(before, alb.queries().size());
      long pages = window.stream().filter(q -> q.resourceIds().isEmpty() && q.jobIds().isEmpty()).count();
      // 5 s at 1 s (jitter ±10%): 5 or 6 listings of 5 pages; 15 when three groups keep apart.
      System.out.println("shared listing pages in 5 s: " + pages);
      assertTrue(pages <= 7 * 5, "pages of shared listings in 5 s: " + pages + " of " + window.size() + " calls");
      assertEquals(pages, window.size(), "no watch polls on its own");
    }
  }
}
