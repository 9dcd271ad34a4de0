package io.albjobs.operator.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.alb.AlbCredentials;
import io.albjobs.operator.alb.AlbEndpoint;
import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.JobLister;
import io.albjobs.operator.alb.JobQuery;
import io.albjobs.operator.alb.SdkAlbJobClient;
import io.albjobs.operator.metrics.OperatorMetrics;
import io.albjobs.operator.poll.SharedListings;
import io.albjobs.operator.testing.Await;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.RecordedCall;
import io.albjobs.simulator.SimJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Secret's keys and STS token rotate 500 times while four pollers call ALB through the real SDK
 * client against the simulator (which verifies every signature): one scope, one open client, one
 * budget across all rotations, flat heap. Idle scopes are dropped.
 */
class ScopeRotationTest {
  private static final String SOURCE = "secret team-a/alb-creds";
  private static final double QPS = 25;

  @Test
  @Timeout(600)
  void fiveHundredRotationsKeepOneScopeOneClientOneBudget() throws Exception {
    try (AlbSimulator sim = AlbSimulator.start()) {
      Instant t0 = Instant.now();
      for (int i = 0; i < 20; i++) {
        sim.addJob(
            SimJob.builder("J" + i, "acct")
                .region("cn-hangzhou")
                .api("CreateRule", "Create")
                .resource("loadbalancer", "alb-" + (i % 4))
                .createdAt(t0.minusSeconds(60 - i))
                .build());
      }
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      ScopedClients clients =
          new ScopedClients(
              scope ->
                  new SdkAlbJobClient(
                      scope.endpoint(),
                      scope.regionId(),
                      scope.credentials(),
                      Duration.ofSeconds(5),
                      Duration.ofSeconds(10)),
              QPS,
              (int) QPS,
              Duration.ofSeconds(60),
              Duration.ofSeconds(30),
              new OperatorMetrics(registry));
      JobLister lister = new JobLister(50);
      SharedListings listings =
          new SharedListings(
              true,
              lister,
              Duration.ofMinutes(5),
              Duration.ofSeconds(30),
              Duration.ofSeconds(5),
              50);
      clients.onScopeClosed(listings::forget);
      listings.onlyFor(clients::isLive);
      AtomicReference<AlbCredentials.StaticKeys> current = new AtomicReference<>(rotate(sim, 0));
      clients.followCredentials(source -> SOURCE.equals(source) ? current.get() : null);
      AlbEndpoint endpoint = AlbEndpoint.parse(sim.endpoint());

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong ok = new AtomicLong();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> pollers = new ArrayList<>();
      for (int p = 0; p < 4; p++) {
        int n = p;
        Thread t =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    AccountScope scope = new AccountScope("cn-hangzhou", endpoint, current.get());
                    try {
                      Instant now = Instant.now();
                      var client = clients.forScope(scope);
                      // Two watches share the scope's listing (a pool per scope), two poll on their
                      // own.
                      if (n < 2) {
                        listings.listing(
                            scope,
                            client,
                            "loadbalancer",
                            "team-a/w" + n,
                            1,
                            now.minusSeconds(600),
                            now,
                            now);
                        Thread.sleep(20);
                      } else {
                        client.listJobs(
                            JobQuery.byResources("loadbalancer", List.of("alb-" + n), null, null),
                            null,
                            100);
                      }
                      ok.incrementAndGet();
                    } catch (AlbException e) {
                      failure.compareAndSet(null, e);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                },
                "poller-" + p);
        t.setDaemon(true);
        t.start();
        pollers.add(t);
      }

      int maxScopes = 0;
      long maxOpen = 0;
      int maxPools = 0;
      long heapAt50 = 0;
      Instant from = null;
      long callsFrom = 0;
      for (int i = 1; i <= 500; i++) {
        AlbCredentials.StaticKeys keys = rotate(sim, i);
        current.set(keys);
        String keyId = keys.accessKeyId();
        Await.until(
            Duration.ofSeconds(30), "a call with rotation " + i, () -> sim.callCount(keyId) > 0);
        maxScopes = Math.max(maxScopes, clients.liveScopes());
        maxOpen = Math.max(maxOpen, clients.openClients());
        maxPools = Math.max(maxPools, listings.pools());
        if (i == 50) {
          heapAt50 = liveHeap();
          from = Instant.now();
          callsFrom = sim.callCount();
        }
      }
      Instant to = Instant.now();
      long calls = sim.callCount() - callsFrom;
      stop.set(true);
      for (Thread t : pollers) {
        t.join(30_000);
      }
      long heapAt500 = liveHeap();
      double seconds = Duration.between(from, to).toMillis() / 1000.0;
      double perSecond = calls / seconds;
      int worstWindow = worstOneSecondWindow(sim.calls(), from, to);
      System.out.printf(
          "Rotation: 500 rotations of keys and STS token, %d successful polls; live scopes max %d (now %d),"
              + " open SDK clients max %d (now %d), %d created, callers now %d, listing pools max %d;"
              + " %.1f calls/s over %.1f s at --alb-qps=%.0f (busiest 1 s window %d calls);"
              + " live heap %.1f MiB at rotation 50, %.1f MiB at 500%n",
          ok.get(),
          maxScopes,
          clients.liveScopes(),
          maxOpen,
          clients.openClients(),
          clients.createdClients(),
          clients.callers(),
          maxPools,
          perSecond,
          seconds,
          QPS,
          worstWindow,
          heapAt50 / 1048576.0,
          heapAt500 / 1048576.0);
      assertEquals(null, failure.get(), "no poll failed across the rotations");
      assertEquals(1, maxScopes, "one live scope at a time");
      assertTrue(
          maxOpen <= 2,
          "at most the current client and one rotated away with a call in flight: " + maxOpen);
      assertEquals(1, clients.openClients(), "one open SDK client after the rotations");
      assertEquals(1, clients.callers(), "one budget");
      assertTrue(maxPools <= 1, "one listing pool: " + maxPools);
      assertTrue(
          perSecond <= QPS * 1.05,
          "one budget governs the calls across rotations: " + perSecond + "/s");
      // The budget holds every one-second window of grants to QPS; arrival times at the simulator
      // jitter.
      assertTrue(worstWindow <= QPS + 5, "no one-second window above the budget: " + worstWindow);
      assertTrue(
          heapAt500 - heapAt50 < 16 * 1048576L,
          "heap flat: " + heapAt50 / 1048576 + " -> " + heapAt500 / 1048576 + " MiB");
      String scrape =
          registry.getMeters().stream()
              .filter(m -> m.getId().getName().startsWith("albjobs_alb_"))
              .map(m -> m.getId().getName() + "=" + m.measure().iterator().next().getValue())
              .sorted()
              .toList()
              .toString();
      assertTrue(
          scrape.contains("albjobs_alb_scopes=1.0") && scrape.contains("albjobs_alb_clients=1.0"),
          scrape);
      clients.close();
      assertEquals(0, clients.openClients(), "closing the operator closes every client");
    }
  }

  @Test
  void aScopeUnusedForTheIdleTimeIsDroppedAndItsClientClosed() throws Exception {
    AtomicLong nanos = new AtomicLong(0);
    List<Object> closed = new ArrayList<>();
    ScopedClients clients =
        new ScopedClients(
            scope -> new ClosingClient(closed),
            5,
            5,
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            new OperatorMetrics(new SimpleMeterRegistry()),
            Duration.ofMinutes(10),
            nanos::get);
    List<AccountScope> dropped = new ArrayList<>();
    clients.onScopeClosed(dropped::add);
    AccountScope a =
        new AccountScope(
            "cn-hangzhou",
            AlbEndpoint.parse("http://127.0.0.1:1"),
            new AlbCredentials.StaticKeys("secret ns/a", "LTAIa", "a-secret", null));
    AccountScope b =
        new AccountScope(
            "cn-hangzhou",
            AlbEndpoint.parse("http://127.0.0.1:1"),
            new AlbCredentials.StaticKeys("secret ns/b", "LTAIb", "b-secret", null));
    clients.forScope(a).listJobs(JobQuery.byJobIds(List.of("x")), null, 100);
    nanos.addAndGet(Duration.ofMinutes(6).toNanos());
    clients.forScope(b).listJobs(JobQuery.byJobIds(List.of("x")), null, 100);
    assertEquals(2, clients.liveScopes());
    nanos.addAndGet(Duration.ofMinutes(5).toNanos());
    clients.sweep();
    assertEquals(
        1, clients.liveScopes(), "a, unused for 11 minutes, is dropped; b (5 minutes) is kept");
    assertEquals(List.of(a), dropped);
    assertEquals(1, closed.size(), "a's client was closed");
    assertEquals(1, clients.openClients());
  }

  private static final class ClosingClient
      implements io.albjobs.operator.alb.AlbJobClient, AutoCloseable {
    private final List<Object> closed;

    ClosingClient(List<Object> closed) {
      this.closed = closed;
    }

    @Override
    public io.albjobs.operator.alb.JobPage listJobs(
        JobQuery query, String nextToken, int maxResults) {
      return new io.albjobs.operator.alb.JobPage(List.of(), null, 0, "r");
    }

    @Override
    public void close() {
      closed.add(this);
    }
  }

  /**
   * A new STS key id, secret and token, as rotating tooling hands out; the simulator accepts them.
   */
  private static AlbCredentials.StaticKeys rotate(AlbSimulator sim, int i) {
    String id = "STS.rot" + i;
    String secret = "rot-secret-" + i;
    String token = "rot-token-" + i;
    sim.addStsAccount("acct", id, secret, token);
    return new AlbCredentials.StaticKeys(SOURCE, id, secret, token);
  }

  private static long liveHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static int worstOneSecondWindow(List<RecordedCall> calls, Instant from, Instant to) {
    List<Instant> at =
        calls.stream()
            .map(RecordedCall::at)
            .filter(t -> !t.isBefore(from) && !t.isAfter(to))
            .sorted()
            .toList();
    int worst = 0;
    int start = 0;
    for (int end = 0; end < at.size(); end++) {
      while (Duration.between(at.get(start), at.get(end)).toMillis() >= 1000) {
        start++;
      }
      worst = Math.max(worst, end - start + 1);
    }
    return worst;
  }
}
