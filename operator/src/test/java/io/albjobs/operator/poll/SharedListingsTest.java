package io.albjobs.operator.poll;

import static io.albjobs.operator.testing.FakeAlb.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.alb.AlbCredentials;
import io.albjobs.operator.alb.AlbEndpoint;
import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.ErrorKind;
import io.albjobs.operator.alb.JobLister;
import io.albjobs.operator.scope.AccountScope;
import io.albjobs.operator.testing.FakeAlb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SharedListingsTest {
  private static final AccountScope SCOPE =
      new AccountScope(
          "cn-hangzhou",
          AlbEndpoint.resolve("http://127.0.0.1:1", "", "cn-hangzhou"),
          new AlbCredentials.DefaultChain());
  private static final Duration OVERLAP = Duration.ofMinutes(5);
  private final Instant t0 = Instant.now();
  private final FakeAlb alb = new FakeAlb();
  private final SharedListings listings =
      new SharedListings(true, new JobLister(50), OVERLAP, Duration.ofSeconds(30), 50);

  /** 250 jobs: LB i has jobs created i seconds before t0 (two per LB for the first 50 LBs). */
  private void fill() {
    for (int i = 0; i < 200; i++) {
      long created = t0.toEpochMilli() - 1000L * i;
      alb.put(job("J-" + i, "CreateListener", "alb-" + i, AlbJob.PROCESSING, created, created));
      if (i < 50) {
        alb.put(job("K-" + i, "CreateRule", "alb-" + i, AlbJob.SUCCEEDED, created, created));
      }
    }
  }

  private SharedListings.Listing ask(String watch, Instant due, Instant now) throws AlbException {
    return listings.listing(SCOPE, alb, "loadbalancer", watch, 1, now.minus(OVERLAP), due, now);
  }

  /** Watches w0..w{n-1} of one load balancer each poll at t0: the last gets a listing. */
  private SharedListings.Listing register(int n) throws AlbException {
    SharedListings.Listing last = null;
    for (int w = 0; w < n; w++) {
      last = ask("w" + w, t0, t0);
    }
    return last;
  }

  private static void assertOwnPoll(SharedListings.Listing listing, String why) {
    assertTrue(listing == null, why);
  }

  @Test
  void watchesDueAtTheSameTickShareOneListingOnceItCostsLessThanTheirOwnQueries() throws Exception {
    fill();
    assertOwnPoll(ask("w0", t0, t0), "a scope's only watch polls on its own");
    assertEquals(0, alb.calls());
    assertOwnPoll(
        ask("w1", t0, t0), "250 jobs take 3 pages; two watches on their own take 2 calls");
    assertEquals(1, alb.calls(), "the first page told the size");
    assertOwnPoll(ask("w2", t0, t0), "3 pages is not less than 3 calls");
    assertEquals(1, alb.calls(), "the known size is not asked again");
    SharedListings.Listing first = ask("w3", t0, t0);
    assertNotNull(first);
    assertEquals(4, alb.calls(), "four watches: one listing of three pages");
    assertTrue(
        alb.queries().stream().allMatch(q -> q.resourceIds().isEmpty() && q.jobIds().isEmpty()));
    for (int w = 4; w < 20; w++) {
      assertSame(first, ask("w" + w, t0, t0.plusMillis(30 * w)), "same tick, same listing");
    }
    assertEquals(4, alb.calls());
    assertEquals(
        List.of("J-70"), first.jobsOf(List.of("alb-70")).stream().map(AlbJob::id).toList());
    assertEquals(2, first.jobsOf(List.of("alb-3")).size());
    assertEquals(250, first.jobsOf(List.of()).size(), "no resource IDs: every job of the type");

    Instant next = t0.plusSeconds(5);
    SharedListings.Listing second = ask("w3", next, next);
    assertEquals(next, second.startedAt(), "the next tick lists again");
    assertEquals(7, alb.calls());
  }

  @Test
  void concurrentWatchesOfOneTickWaitForTheSameListing() throws Exception {
    fill();
    register(4);
    int before = alb.calls();
    Instant due = t0.plusSeconds(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<SharedListings.Listing>> answers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      String name = "w" + w;
      Callable<SharedListings.Listing> call =
          () -> {
            go.await();
            return ask(name, due, due.plusMillis(10));
          };
      answers.add(pool.submit(call));
    }
    go.countDown();
    SharedListings.Listing one = answers.get(0).get();
    assertNotNull(one);
    for (Future<SharedListings.Listing> f : answers) {
      assertSame(one, f.get());
    }
    pool.shutdown();
    assertEquals(3, alb.calls() - before, "eight watches, one listing of three pages");
  }

  @Test
  void aWatchWhoseWindowReachesFurtherBackPollsOnItsOwn() throws Exception {
    fill();
    assertNotNull(register(4));
    int before = alb.calls();
    // A new watch's first poll looks back an hour (spec.since): the shared window does not.
    assertOwnPoll(
        listings.listing(
            SCOPE, alb, "loadbalancer", "new", 1, t0.minus(Duration.ofHours(1)), t0, t0),
        "a window an hour long is not served from the shared one");
    assertEquals(before, alb.calls());
    // A listing that started before a watch was due is never handed out.
    Instant later = t0.plusSeconds(1);
    assertEquals(later, ask("w0", later, later).startedAt());
  }

  @Test
  void anAccountWithFarMoreJobsThanTheWatchesCoverFallsBackToQueriesPerWatch() throws Exception {
    for (int i = 0; i < 1_000; i++) {
      long created = t0.toEpochMilli() - 100L * i;
      alb.put(job("X-" + i, "CreateRule", "alb-busy-" + i, AlbJob.SUCCEEDED, created, created));
    }
    assertOwnPoll(register(3), "1,000 jobs = 10 pages; three watches on their own cost 3 calls");
    assertEquals(1, alb.calls(), "one page read its TotalCount");
    Instant later = t0.plusSeconds(60);
    assertOwnPoll(ask("w0", later, later), "still too large");
    assertEquals(1, alb.calls(), "not tried again before " + SharedListings.PROBE_AGAIN);
  }

  @Test
  void aFailedListingFailsEveryWatchWaitingForItAndTheNextTickTriesAgain() throws Exception {
    fill();
    register(3);
    alb.failNext(new AlbException(ErrorKind.THROTTLED, "Throttling.User", 400, "slow down", null));
    AlbException e = assertThrows(AlbException.class, () -> ask("w3", t0, t0));
    assertEquals("Throttling.User", e.code());
    assertNotNull(ask("w3", t0.plusSeconds(1), t0.plusSeconds(1)));
  }

  @Test
  void nextPollsLandOnTheScopesTicksAndTwoGroupsOfTicksMerge() throws Exception {
    fill();
    register(4);
    Duration early = Duration.ofMillis(2_000);
    Duration late = Duration.ofMillis(750);
    Instant tick = listings.align(SCOPE, "loadbalancer", t0.plusMillis(5_000), early, late, t0);
    assertEquals(t0.plusMillis(5_000), tick);
    assertEquals(
        tick,
        listings.align(SCOPE, "loadbalancer", t0.plusMillis(5_700), early, late, t0),
        "a little later");
    assertEquals(
        tick,
        listings.align(SCOPE, "loadbalancer", t0.plusMillis(6_900), early, late, t0),
        "earlier, up to 2 s");
    assertEquals(
        t0.plusMillis(8_000),
        listings.align(SCOPE, "loadbalancer", t0.plusMillis(8_000), early, late, t0),
        "too far from any tick: a tick of its own");
    // A group polling at 8 s, 13 s, ... joins the group at 5 s, 10 s, ...: its next target
    // (13 s) takes the earlier tick at 10 s + jitter = 10.2 s, never a later one.
    Instant other = listings.align(SCOPE, "loadbalancer", t0.plusMillis(10_200), early, late, t0);
    assertEquals(t0.plusMillis(10_200), other);
    assertEquals(
        other, listings.align(SCOPE, "loadbalancer", t0.plusMillis(12_000), early, late, t0));
    assertEquals(
        t0.plusMillis(10_200),
        listings.align(
            SCOPE, "loadbalancer", t0.plusMillis(10_900), early, late, t0.plusMillis(9_000)));
  }
}
