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
 * balancer: with shared listings one listing per tick serves all ten; without, each watch asks for
 * its own ten load balancers. Both see every job finish.
 */
class SharedListingTest {
  private static final String NS = "team-a";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration ACTIVE = Duration.ofMillis(500);

  /** Shared listings counted in shared mode; polls per watch counted without sharing. */
  private static final int LISTINGS = 8;

  private static final int POLLS_PER_WATCH = 4;

  /** The calls ALB saw while the watches polled {@code ticks} times, and how long that took. */
  private record Run(
      int calls, int sharedCalls, int perWatchCalls, int ticks, Duration took, List<String> own) {
    double callsPerTick() {
      return (double) calls / ticks;
    }
  }

  /** One job in flight on each of alb-0 .. alb-(n-1). */
  private static FakeAlb jobsInFlight(int n, long now) {
    // With ALB's Date, watermarks move with every poll: without it they would stay at the newest
    // job, and a minute on every watch's window would reach too far back to share.
    FakeAlb alb = new FakeAlb().dated();
    for (int i = 0; i < n; i++) {
      alb.put(
          job(
              "RUN-" + i,
              "CreateListener",
              "alb-" + i,
              AlbJob.PROCESSING,
              now - 1_000 - i,
              now - 1_000));
    }
    return alb;
  }

  /**
   * The Secret and {@code count} watches of ten load balancers each: watch-w has alb-10w ..
   * alb-10w+9.
   */
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
    try (OperatorHarness h =
        new OperatorHarness(
            scope -> alb,
            "--share-listings=" + share,
            "--active-poll-interval=" + ACTIVE.toMillis() + "ms",
            "--alb-qps=500",
            "--alb-burst=100")) {
      createWatches(h, 10);
      Await.until(WAIT, "100 jobs in flight mirrored", () -> count(h, JobPhase.Processing) == 100);

      // The window is a number of polls, not a time: with sharing, LISTINGS shared listings;
      // without, POLLS_PER_WATCH polls of every watch. A slow machine only stretches it.
      int before = alb.queries().size();
      if (share) {
        // Every first poll reaches 10 minutes back (spec.since), too far to share, so each watch
        // polls on its own once. The first watch to poll again is then the only one that shares,
        // and a listing for one watch is not made: it polls on its own once more. And a watch
        // that joins later with an earlier window than the listing's starts a listing of its own
        // in the same tick. Whether these come before or after the last first poll depends on the
        // machine's speed. The window starts once every watch has polled after the first shared
        // listing: then all ten share, each listing reaches back to the earliest window of them
        // all, and every poll takes the tick's listing.
        int mirrored = before;
        Await.until(
            WAIT,
            "a first shared listing",
            () -> {
              List<JobQuery> all = List.copyOf(alb.queries());
              return all.subList(mirrored, all.size()).stream()
                  .anyMatch(SharedListingTest::isShared);
            });
        long after = System.currentTimeMillis() / 1000 + 1;
        Await.until(
            WAIT,
            "every watch polled after the first shared listing",
            () ->
                java.util.stream.IntStream.range(0, 10)
                    .allMatch(w -> lastPollSeconds(h, "watch-" + w) >= after));
        before = alb.queries().size();
      }
      long start = System.nanoTime();
      int[] end = {0};
      int from = before;
      Await.until(
          WAIT,
          share ? LISTINGS + " shared listings" : POLLS_PER_WATCH + " polls of every watch",
          () -> {
            List<JobQuery> seen = List.copyOf(alb.queries().subList(from, alb.queries().size()));
            boolean enough =
                share
                    ? seen.stream().filter(SharedListingTest::isShared).count() >= LISTINGS
                    : java.util.stream.IntStream.range(0, 10)
                        .allMatch(
                            w ->
                                seen.stream()
                                        .filter(q -> q.resourceIds().contains("alb-" + (w * 10)))
                                        .count()
                                    >= POLLS_PER_WATCH);
            end[0] = from + seen.size();
            return enough;
          });
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      List<JobQuery> window = List.copyOf(alb.queries().subList(before, end[0]));
      int sharedCalls = (int) window.stream().filter(SharedListingTest::isShared).count();
      int perWatch = (int) window.stream().filter(q -> !q.resourceIds().isEmpty()).count();
      long listedAt = System.currentTimeMillis();
      List<String> own =
          window.stream()
              .filter(q -> !q.resourceIds().isEmpty())
              .map(
                  q ->
                      q.resourceIds().get(0)
                          + " from "
                          + (q.beginTimeMillis() == null
                              ? "-"
                              : (listedAt - q.beginTimeMillis()) / 1000 + " s back"))
              .toList();

      long done = System.currentTimeMillis();
      for (int i = 0; i < 100; i++) {
        alb.put(
            job(
                "RUN-" + i,
                "CreateListener",
                "alb-" + i,
                i % 10 == 0 ? AlbJob.FAILED : AlbJob.SUCCEEDED,
                now - 1_000 - i,
                done));
      }
      Await.until(
          WAIT,
          "every job finished",
          () -> count(h, JobPhase.Succeeded) == 90 && count(h, JobPhase.Failed) == 10);
      for (int w = 0; w < 10; w++) {
        int watch = w;
        Await.until(
            WAIT,
            "watch-" + w + " rolled up",
            () -> {
              AsyncJobWatch s = h.watch(NS, "watch-" + watch);
              return s.getStatus() != null
                  && s.getStatus().getJobs() != null
                  && s.getStatus().getJobs().getSucceeded() == 9
                  && s.getStatus().getJobs().getFailed() == 1
                  && s.getStatus().getJobs().getProcessing() == 0;
            });
      }
      return new Run(
          window.size(), sharedCalls, perWatch, share ? LISTINGS : POLLS_PER_WATCH, took, own);
    }
  }

  /** When the watch last polled ALB (whole seconds), from the operator's metrics; 0 before. */
  private static long lastPollSeconds(OperatorHarness h, String watch) {
    var gauge =
        h.app
            .registry()
            .find("albjobs_watch_last_successful_poll_timestamp_seconds")
            .tag("watch", watch)
            .gauge();
    return gauge == null ? 0 : (long) gauge.value();
  }

  private static boolean isShared(JobQuery q) {
    return q.resourceIds().isEmpty() && q.jobIds().isEmpty();
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
    assertTrue(alone.calls() >= 10 * POLLS_PER_WATCH, "each watch polls on its own: " + alone);
    // One listing (one page here) per 500 ms tick, not one per watch and not one per reconcile:
    // LISTINGS listings span at least LISTINGS - 3 ticks (two extra, less 10% jitter). Load only
    // makes them slower, never faster, so this bound cannot flake on a busy machine.
    Duration atLeast = ACTIVE.multipliedBy(LISTINGS - 3).multipliedBy(9).dividedBy(10);
    assertTrue(
        shared.took().compareTo(atLeast) >= 0,
        LISTINGS
            + " listings came within "
            + shared.took().toMillis()
            + " ms, faster than one per tick: "
            + shared);
    assertTrue(
        shared.callsPerTick() * 4 <= alone.callsPerTick(),
        "shared "
            + shared.callsPerTick()
            + " calls per tick vs "
            + alone.callsPerTick()
            + " per watch: "
            + shared
            + " / "
            + alone);
  }

  /**
   * Fifty watches created one after another (so their first polls fall at different times), 500
   * jobs in flight = 5 pages per listing, 20 ms per ALB call: after a few intervals the watches
   * poll on one tick per active interval, so a 1 s interval costs one listing a second.
   */
  @Test
  void watchesThatStartedAtDifferentTimesConvergeOnOneListingPerInterval() throws Exception {
    FakeAlb alb = jobsInFlight(500, System.currentTimeMillis());
    io.albjobs.operator.alb.AlbJobClient slow =
        (q, token, max) -> {
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return alb.listJobs(q, token, max);
        };
    try (OperatorHarness h =
        new OperatorHarness(
            scope -> slow, "--active-poll-interval=1s", "--alb-qps=500", "--alb-burst=100")) {
      createWatches(h, 50);
      Await.until(WAIT, "500 jobs in flight mirrored", () -> count(h, JobPhase.Processing) == 500);
      // Converged = the last five listings (25 pages) spread over at least four intervals (less
      // jitter): one listing per tick. Three groups that keep apart make three listings a tick,
      // 25 pages in under two seconds. Waited for with a deadline, not slept for.
      long[] pageAt = new long[25];
      int[] seen = {alb.queries().size()};
      int[] recorded = {0};
      int[] from = {0};
      Await.until(
          Duration.ofSeconds(60),
          "the watches converge on one listing per interval",
          () -> {
            List<JobQuery> all = List.copyOf(alb.queries());
            long now = System.nanoTime();
            for (int i = seen[0]; i < all.size(); i++) {
              if (isShared(all.get(i))) {
                pageAt[recorded[0]++ % pageAt.length] = now;
              }
            }
            seen[0] = all.size();
            if (recorded[0] < pageAt.length) {
              return false;
            }
            long oldest = pageAt[recorded[0] % pageAt.length];
            from[0] = all.size();
            return Duration.ofNanos(now - oldest).compareTo(Duration.ofMillis(3600)) >= 0;
          });
      int before = from[0];
      Await.until(WAIT, "five more listings", () -> alb.queries().size() >= before + 25);
      List<JobQuery> window = List.copyOf(alb.queries().subList(before, alb.queries().size()));
      long pages = window.stream().filter(SharedListingTest::isShared).count();
      System.out.println(
          "shared listing pages after convergence: " + pages + " of " + window.size() + " calls");
      assertEquals(pages, window.size(), "no watch polls on its own");
    }
  }
}
