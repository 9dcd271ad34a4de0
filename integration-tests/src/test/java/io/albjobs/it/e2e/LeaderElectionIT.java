package io.albjobs.it.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.SimJob;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two operator instances with a Lease on the real API server: one works, the other takes over. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LeaderElectionIT {
  private static final String[] LEASE = {
    "--leader-election=true",
    "--lease-namespace=leader-it",
    "--lease-duration=4s",
    "--lease-renew-deadline=3s",
    "--lease-retry-period=500ms"
  };
  private final IntegrationEnv e2e = new IntegrationEnv("leader-it", IntegrationEnv.QUICK_POLLS);

  @AfterEach
  void stop() {
    e2e.close();
  }

  private void job(String id, String lb, Instant created, Instant done, boolean fails) {
    var b =
        SimJob.builder(id, IntegrationEnv.ACCOUNT)
            .region("cn-hangzhou")
            .api("CreateRule", "Create")
            .resource("loadbalancer", lb)
            .createdAt(created);
    e2e.sim.addJob(
        fails ? b.failsAt(done, "Conflict.Lock", "locked").build() : b.succeedsAt(done).build());
  }

  private Map<String, JobPhase> phases() {
    return e2e.jobs().stream()
        .collect(
            Collectors.toMap(
                j -> j.getSpec().getJobId(),
                j ->
                    j.getStatus() == null || j.getStatus().getPhase() == null
                        ? JobPhase.Pending
                        : j.getStatus().getPhase()));
  }

  @Test
  void onlyTheLeaderCallsAlbAndAStandbyTakesOverWithinTheLease() throws Exception {
    Instant t0 = Instant.now();
    job("L-1", "alb-a", t0.minusSeconds(60), t0.minusSeconds(50), false);
    job(
        "L-2",
        "alb-a",
        t0.minusSeconds(5),
        t0.plusSeconds(3600),
        false); // in flight across the hand-over
    AtomicLong callsA = new AtomicLong();
    AtomicLong callsB = new AtomicLong();
    OperatorApp a = e2e.operator(callsA, LEASE);
    Await.until(
        Duration.ofSeconds(20),
        "a leader elected",
        () ->
            e2e.admin.leases().inNamespace(e2e.ns).withName("alb-asyncjob-operator").get() != null);
    OperatorApp b = e2e.operator(callsB, LEASE);
    e2e.admin
        .resource(Fixtures.watch(e2e.ns, "lbs", e2e.sim.endpoint(), "alb-creds", List.of("alb-a")))
        .create();
    Await.until(
        Duration.ofSeconds(30),
        "mirrored",
        () -> phases().equals(Map.of("L-1", JobPhase.Succeeded, "L-2", JobPhase.Processing)));
    long before = e2e.sim.callCount();
    Await.until(Duration.ofSeconds(10), "more polls", () -> e2e.sim.callCount() > before + 3);

    boolean aLeads = callsA.get() > 0;
    OperatorApp leader = aLeads ? a : b;
    AtomicLong leaderCalls = aLeads ? callsA : callsB;
    AtomicLong standbyCalls = aLeads ? callsB : callsA;
    assertEquals(0, standbyCalls.get(), "the standby never calls ALB");
    // A call can be in flight between the leader's counter (before the call) and the simulator's
    // (after its answer): compare at a moment when the two agree, within a deadline.
    Await.until(
        Duration.ofSeconds(10),
        "every ALB call the simulator saw came from the leader",
        () -> {
          long counted = leaderCalls.get();
          return e2e.sim.callCount() == counted && leaderCalls.get() == counted;
        });
    assertEquals(0, standbyCalls.get(), "the standby never calls ALB");

    e2e.stop(leader);
    Instant stopped = Instant.now();
    // While no one leads, L-2 finishes and L-3 starts and fails: the new leader must see both.
    job("L-2", "alb-a", t0.minusSeconds(5), Instant.now(), false);
    job("L-3", "alb-a", Instant.now(), Instant.now().plusSeconds(1), true);
    Await.until(
        Duration.ofSeconds(30),
        "the standby took over and caught up",
        () ->
            phases()
                .equals(
                    Map.of(
                        "L-1",
                        JobPhase.Succeeded,
                        "L-2",
                        JobPhase.Succeeded,
                        "L-3",
                        JobPhase.Failed)));
    Duration handover = Duration.between(stopped, Instant.now());
    System.out.println("Leader hand-over and catch-up took " + handover.toMillis() + " ms");
    assertTrue(standbyCalls.get() > 0, "the new leader polls ALB");
    List<AsyncJob> jobs = e2e.jobs();
    assertEquals(3, jobs.size(), "no duplicate AsyncJobs");
    assertTrue(
        handover.compareTo(Duration.ofSeconds(4 + 10)) < 0,
        "hand-over within the lease time plus a poll: " + handover);
  }
}
