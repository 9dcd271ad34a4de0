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
import io.albjobs.operator.alb.JobQuery;
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
      new SharedListings(
          true, new JobLister(50), OVERLAP, Duration.ofSeconds(30), Duration.ofSeconds(5), 50);

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
  void nextPollsLandOnTheScopesTicksWhenEverTheirWatchesStarted() throws Exception {
    fill();
    register(4);
    Duration every = Duration.ofSeconds(5); // the active interval: one tick every 5 s
    Duration early = SharedListings.early(every);
    Duration late = SharedListings.late(every);
    Instant tick = listings.tickAtOrAfter(SCOPE, t0, every);
    // Watches that started at different times poll on the same ticks, 5 s apart.
    for (int offset : new int[] {0, 700, 2_100, 4_400, 5_600}) {
      Instant target = tick.plusMillis(offset).plus(every);
      Instant at = listings.align(SCOPE, "loadbalancer", target, every, early, late, t0);
      long fromTick = Duration.between(tick, at).toMillis();
      assertTrue(
          fromTick % every.toMillis() == 0 && !at.isAfter(target.plus(late)),
          "a poll due " + offset + " ms after a tick came at " + fromTick + " ms");
    }
    // No tick within 3 s before to 750 ms after: the watch keeps its own time (it was due then).
    Instant between = tick.plusMillis(3_900).plus(every);
    assertEquals(
        between,
        listings.align(SCOPE, "loadbalancer", between, every, Duration.ofMillis(3_000), late, t0));
    // A wait that ends by itself (a fence's margin) takes the next tick within the interval.
    Instant margin = tick.plusMillis(1_234);
    assertEquals(
        tick.plus(every),
        listings.align(SCOPE, "loadbalancer", margin, every, Duration.ZERO, every, t0));
    // Never before now, never for a scope that shares nothing yet.
    assertEquals(
        tick.plus(every),
        listings.align(
            SCOPE, "loadbalancer", tick.plusMillis(4_500), every, every, late, tick.plusMillis(1)));
    assertEquals(
        margin,
        listings.align(SCOPE, "listener", margin, every, Duration.ZERO, every, t0),
        "no pool");
  }

  @Test
  void anIntervalThatIsNoMultipleOfTheTickStillPollsOnTicksAndAWaitTakesTheNextTick()
      throws Exception {
    fill();
    register(4);
    Duration tick = Duration.ofSeconds(5);
    Duration odd = Duration.ofSeconds(42); // a spec.pollInterval: on the 40 s ticks
    Instant first = listings.tickAtOrAfter(SCOPE, t0, tick);
    for (int offset = 0; offset < 42_000; offset += 3_100) {
      Instant at =
          listings.align(
              SCOPE,
              "loadbalancer",
              first.plusMillis(offset).plus(odd),
              odd,
              SharedListings.early(odd),
              SharedListings.late(odd),
              t0);
      assertEquals(at, listings.tickAtOrAfter(SCOPE, at, tick), "a 5 s tick");
    }
    // A fence's margin ending: the next 5 s tick, whatever the watch's own active interval.
    Instant margin = first.plusMillis(1_500);
    assertEquals(
        first.plus(tick),
        listings.align(
            SCOPE,
            "loadbalancer",
            margin,
            Duration.ZERO,
            Duration.ZERO,
            Duration.ofSeconds(20),
            t0));
  }

  @Test
  void watchesPollingAtTheIdleIntervalMeetOnTheSameTicksAsTheActiveOnes() throws Exception {
    fill();
    register(4);
    Duration idle = Duration.ofSeconds(30);
    Duration early = SharedListings.early(idle);
    Duration late = SharedListings.late(idle);
    Instant first = listings.tickAtOrAfter(SCOPE, t0, idle);
    // Idle watches whose last polls were anywhere within 30 s: by their second poll they all
    // poll on the same 30 s ticks, which are ticks of the active interval (5 s) too.
    for (int offset = 0; offset < 30_000; offset += 700) {
      Instant at = first.plusMillis(offset);
      for (int poll = 1; poll <= 2; poll++) {
        at = listings.align(SCOPE, "loadbalancer", at.plus(idle), idle, early, late, t0);
        assertEquals(at, listings.tickAtOrAfter(SCOPE, at, Duration.ofSeconds(5)));
      }
      assertEquals(
          0,
          Duration.between(first, at).toMillis() % idle.toMillis(),
          "a watch that polled " + offset + " ms after a 30 s tick polls on the 30 s ticks");
    }
  }

  // ---- discovery: one listing per interval and scope wakes only the watches with a new job ----

  private static final Duration DISCOVER = Duration.ofSeconds(3);

  /** Watch {@code name} of load balancer {@code lb}, which polls next at {@code next}. */
  private void member(String name, String lb, Instant now, Instant next) throws AlbException {
    listings.listing(
        SCOPE,
        alb,
        "loadbalancer",
        name,
        1,
        now.minus(OVERLAP),
        now,
        now,
        now,
        job -> job.resourceId().equals(lb));
    listings.scheduled(SCOPE, "loadbalancer", name, next);
  }

  /** Three idle watches of one load balancer each, polled at t0 and next at t0 + 30 s. */
  private java.util.Map<String, Instant> idleScope() throws AlbException {
    java.util.Map<String, Instant> woken = new java.util.concurrent.ConcurrentHashMap<>();
    listings.wakeWith(woken::put);
    listings.discoverWithoutTimer(DISCOVER);
    alb.put(job("OLD", "CreateListener", "alb-0", AlbJob.SUCCEEDED, t0.toEpochMilli() - 60_000, 0));
    for (int w = 0; w < 3; w++) {
      member("w" + w, "alb-" + w, t0, t0.plusSeconds(30));
    }
    assertEquals(1, alb.calls(), "the three watches shared one listing");
    return woken;
  }

  @Test
  void discoveryListsOncePerIntervalAndWakesOnlyTheWatchWithANewJob() throws Exception {
    java.util.Map<String, Instant> woken = idleScope();
    Instant t1 = t0.plusSeconds(4);
    listings.discover(t1);
    assertEquals(2, alb.calls(), "one discovery listing for the scope");
    assertTrue(woken.isEmpty(), "nothing new: nobody woken");
    long created = t1.plusSeconds(1).toEpochMilli();
    alb.put(job("NEW", "CreateListener", "alb-1", AlbJob.PROCESSING, created, created));
    Instant t2 = t1.plusSeconds(4);
    listings.discover(t2);
    assertEquals(3, alb.calls(), "one call per interval, not one per watch");
    assertEquals(
        java.util.Map.of("w1", t2), woken, "only the watch of alb-1, due from the listing");
    JobQuery last = alb.queries().get(alb.queries().size() - 1);
    assertEquals(
        t2.minus(SharedListings.DISCOVER_LOOKBACK).toEpochMilli(),
        last.beginTimeMillis(),
        "a discovery listing looks back a fixed while, not the watches' whole overlap");
    woken.clear();
    listings.discover(t2.plusSeconds(4));
    assertTrue(woken.isEmpty(), "a job seen before wakes nobody again");
  }

  @Test
  void discoveryMakesNoListingWhenAWatchPollsWithinTheIntervalOrOneJustRan() throws Exception {
    idleScope();
    listings.scheduled(SCOPE, "loadbalancer", "w2", t0.plusSeconds(6));
    listings.discover(t0.plusSeconds(4));
    assertEquals(1, alb.calls(), "w2 polls within the interval: its listing will do");
    listings.scheduled(SCOPE, "loadbalancer", "w2", t0.plusSeconds(60));
    Instant t5 = t0.plusSeconds(20);
    member("w0", "alb-0", t5, t5.plusSeconds(30));
    assertEquals(2, alb.calls(), "w0's own poll");
    listings.discover(t5.plusSeconds(2));
    assertEquals(2, alb.calls(), "the watches' listing started less than an interval ago");
    // A tick of the scope's 3 s grid comes by t5 + 5 s at the latest.
    listings.discover(t5.plusSeconds(6));
    assertEquals(3, alb.calls(), "an interval later discovery lists");
  }

  @Test
  void aWatchesListingWakesTheIdleWatchesWithANewJobNotTheActiveOnes() throws Exception {
    java.util.Map<String, Instant> woken = idleScope();
    long created = t0.plusSeconds(5).toEpochMilli();
    alb.put(job("N0", "CreateListener", "alb-0", AlbJob.PROCESSING, created, created));
    alb.put(job("N2", "CreateListener", "alb-2", AlbJob.PROCESSING, created, created));
    listings.scheduled(SCOPE, "loadbalancer", "w2", t0.plusSeconds(12));
    Instant t1 = t0.plusSeconds(10);
    // w1 polls (a spec change): its listing shows the new jobs of w0 and w2.
    listings.listing(
        SCOPE,
        alb,
        "loadbalancer",
        "w1",
        1,
        t1.minus(OVERLAP),
        t1,
        t1,
        t1,
        job -> job.resourceId().equals("alb-1"));
    assertEquals(2, alb.calls());
    assertEquals(
        java.util.Map.of("w0", t1),
        woken,
        "w0 (next poll in 20 s) is woken; w2 polls within the interval anyway");
  }

  @Test
  void discoveryListsForNoWatchThatLeftOrStoppedAsking() throws Exception {
    idleScope();
    for (int w = 0; w < 3; w++) {
      listings.leave("w" + w);
    }
    listings.discover(t0.plusSeconds(4));
    assertEquals(1, alb.calls(), "every watch left (suspended or deleted): no listing");
    // Alone in its scope, w0 polls on its own (no call here); discovery lists for it.
    member("w0", "alb-0", t0.plusSeconds(5), t0.plusSeconds(35));
    listings.discover(t0.plusSeconds(10));
    assertEquals(2, alb.calls(), "w0 is back");
    // Due at t0 + 35 s: 90 s (three idle intervals) after that without a poll, it is gone.
    listings.discover(t0.plusSeconds(35).plus(Duration.ofSeconds(95)));
    assertEquals(2, alb.calls(), "w0 has neither asked nor been due for 90 s: forgotten");
  }

  /** Watch {@code name} of {@code lb} polls now with its watermark at {@code watermark}. */
  private void poll(
      String type, String name, String lb, Instant now, Instant watermark, Instant next)
      throws AlbException {
    listings.listing(
        SCOPE,
        alb,
        type,
        name,
        1,
        watermark.minus(OVERLAP),
        now,
        now,
        now,
        j -> lb.equals(j.resourceId()));
    listings.scheduled(SCOPE, type, name, next);
  }

  @Test
  void aWatchPollingEveryFewMinutesIsWokenLikeTheOthers() throws Exception {
    java.util.Map<String, Instant> woken = new java.util.concurrent.ConcurrentHashMap<>();
    listings.wakeWith(woken::put);
    listings.discoverWithoutTimer(DISCOVER);
    poll("loadbalancer", "a", "alb-a", t0, t0, t0.plusSeconds(30));
    poll("loadbalancer", "slow", "alb-s", t0, t0, t0.plusSeconds(300));
    Instant t2 = t0.plusSeconds(300);
    poll("loadbalancer", "a", "alb-a", t2, t2.minusSeconds(30), t2.plusSeconds(30));
    // Its window reaches 5 minutes further back than the shared one: it polls on its own.
    poll("loadbalancer", "slow", "alb-s", t2, t0, t2.plusSeconds(300));
    long c = t2.plusSeconds(1).toEpochMilli();
    alb.put(job("NEW", "CreateListener", "alb-s", AlbJob.PROCESSING, c, c));
    listings.discover(t2.plusSeconds(4));
    listings.discover(t2.plusSeconds(8));
    assertEquals(java.util.Set.of("slow"), woken.keySet(), "a 5 m watch sees its job as soon");
  }

  @Test
  void discoveryMakesOneListingPerScopeForEveryResourceType() throws Exception {
    listings.discoverWithoutTimer(DISCOVER);
    for (String type : List.of("loadbalancer", "listener", "servergroup", "acl")) {
      // Two watches per type: each pool shares.
      poll(type, "w-" + type, "x-" + type, t0, t0, t0.plusSeconds(30));
      poll(type, "v-" + type, "y-" + type, t0, t0, t0.plusSeconds(30));
    }
    int before = alb.calls();
    listings.discover(t0.plusSeconds(10));
    assertEquals(before + 1, alb.calls(), "one listing of every type for the scope");
    assertEquals(null, alb.queries().get(alb.queries().size() - 1).resourceType());
  }

  @Test
  void aWatchWhosePollUsedAnOlderListingIsWokenForAJobANewerOneShows() throws Exception {
    java.util.Map<String, Instant> woken = new java.util.concurrent.ConcurrentHashMap<>();
    listings.wakeWith(woken::put);
    listings.discoverWithoutTimer(DISCOVER);
    poll("loadbalancer", "a", "alb-a", t0, t0, t0.plusSeconds(30));
    poll("loadbalancer", "b", "alb-b", t0, t0, t0.plusSeconds(30));
    Instant t1 = t0.plusSeconds(30);
    // a's poll due t1 takes its listing ...
    listings.listing(
        SCOPE,
        alb,
        "loadbalancer",
        "a",
        1,
        t0.minus(OVERLAP),
        t1,
        t1,
        t1,
        j -> "alb-a".equals(j.resourceId()));
    // ... a job of alb-a appears and b's listing a second later shows it, before a's poll ends.
    long c = t1.plusMillis(500).toEpochMilli();
    alb.put(job("NEW", "CreateListener", "alb-a", AlbJob.PROCESSING, c, c));
    Instant t2 = t1.plusSeconds(1);
    listings.listing(
        SCOPE,
        alb,
        "loadbalancer",
        "b",
        1,
        t0.minus(OVERLAP),
        t2,
        t2,
        t2,
        j -> "alb-b".equals(j.resourceId()));
    assertEquals(java.util.Map.of("a", t2), woken, "a polls again with b's listing");
  }

  @Test
  void discoveryPausesWhenItsListingWouldTakeTooManyPages() throws Exception {
    java.util.Map<String, Instant> woken = idleScope();
    java.util.concurrent.atomic.AtomicInteger paused =
        new java.util.concurrent.atomic.AtomicInteger();
    listings.onDiscoveryPaused(paused::incrementAndGet);
    Instant t1 = t0.plusSeconds(4);
    for (int i = 0; i < 100 * SharedListings.DISCOVER_PAGES + 1; i++) {
      long created = t1.toEpochMilli() - i;
      alb.put(job("B-" + i, "CreateListener", "alb-9", AlbJob.PROCESSING, created, created));
    }
    listings.discover(t1);
    assertEquals(2, alb.calls(), "the first page told the size");
    listings.discover(t1.plusSeconds(4));
    listings.discover(t1.plus(SharedListings.PROBE_AGAIN).minusSeconds(1));
    assertEquals(2, alb.calls(), "paused for " + SharedListings.PROBE_AGAIN);
    assertEquals(1, paused.get(), "the pause is told once (albjobs_discovery_paused_total)");
    assertTrue(woken.isEmpty());
  }
}
