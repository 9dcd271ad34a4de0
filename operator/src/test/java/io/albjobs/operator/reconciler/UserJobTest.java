package io.albjobs.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.operator.testing.OperatorHarness;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.RecordedCall;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AsyncJobs a user or pipeline creates from a JobId, end to end: the real operator, the real SDK
 * client, the ALB simulator over loopback HTTP and the embedded Kubernetes API.
 */
class UserJobTest {
  private static final String NS = "pipeline";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final Instant t0 = Instant.now();
  private AlbSimulator sim;
  private OperatorHarness h;

  @BeforeEach
  void start() throws Exception {
    sim = AlbSimulator.start();
    sim.addAccount("acct", "LTAIuser", "user-secret");
    OperatorConfig config = OperatorConfig.from(List.of(), Map.of());
    h = new OperatorHarness(OperatorApp.sdkClients(config), "--not-found-timeout=3s");
    h.client.resource(Fixtures.credentials(NS, "alb-creds", "LTAIuser", "user-secret")).create();
  }

  @AfterEach
  void stop() {
    h.close();
    sim.close();
  }

  private JobPhase phase(String name) {
    AsyncJob job = h.job(NS, name);
    return job == null || job.getStatus() == null ? null : job.getStatus().getPhase();
  }

  @Test
  void aJobIdIsPendingUntilAlbShowsItThenFollowedToTheEnd() {
    sim.addJob(
        SimJob.builder("PIPE-1", "acct")
            .region("cn-hangzhou")
            .api("CreateListener", "Create")
            .resource("listener", "lsn-1")
            .createdAt(t0)
            .visibleAfter(Duration.ofSeconds(2))
            .succeedsAt(t0.plusSeconds(5))
            .build());
    // A witness that stays in flight: its polls are the ticks at which PIPE-1 would be asked for
    // again (same account, same batch) if it were still tracked.
    sim.addJob(
        SimJob.builder("WITNESS-1", "acct")
            .region("cn-hangzhou")
            .api("CreateRule", "Create")
            .resource("rule", "rule-w")
            .createdAt(t0)
            .succeedsAt(t0.plus(Duration.ofDays(1)))
            .build());
    h.client
        .resource(Fixtures.userJob(NS, "deploy", "PIPE-1", sim.endpoint(), "alb-creds"))
        .create();
    h.client
        .resource(Fixtures.userJob(NS, "witness", "WITNESS-1", sim.endpoint(), "alb-creds"))
        .create();
    Await.until(WAIT, "Pending", () -> phase("deploy") == JobPhase.Pending);
    Await.until(WAIT, "Processing", () -> phase("deploy") == JobPhase.Processing);
    Await.until(WAIT, "Succeeded", () -> phase("deploy") == JobPhase.Succeeded);
    AsyncJob done = h.job(NS, "deploy");
    assertEquals("CreateListener", done.getStatus().getApiName());
    assertEquals("lsn-1", done.getStatus().getResourceId());
    assertTrue(Conditions.isTrue(done.getStatus().getConditions(), Conditions.COMPLETE));
    int before = sim.calls().size();
    Await.until(
        WAIT,
        "three more polls of the witness",
        () ->
            sim.calls().subList(before, sim.calls().size()).stream()
                    .filter(c -> c.params().containsValue("WITNESS-1"))
                    .count()
                >= 3);
    List<RecordedCall> later = sim.calls().subList(before, sim.calls().size());
    assertTrue(
        later.stream().noneMatch(c -> c.params().containsValue("PIPE-1")),
        "a finished job is never polled again: " + later);
  }

  @Test
  void jobsOfOneAccountAreBatchedTenIdsPerCall() {
    for (int i = 0; i < 25; i++) {
      String id = String.format("BATCH-%02d", i);
      sim.addJob(
          SimJob.builder(id, "acct")
              .region("cn-hangzhou")
              .api("CreateRule", "Create")
              .resource("rule", "rule-" + i)
              .createdAt(t0)
              .succeedsAt(t0.plusSeconds(3))
              .build());
      h.client.resource(Fixtures.userJob(NS, "b" + i, id, sim.endpoint(), "alb-creds")).create();
    }
    Await.until(
        WAIT,
        "all 25 succeeded",
        () ->
            h.jobs(NS).stream()
                .allMatch(
                    j -> j.getStatus() != null && j.getStatus().getPhase() == JobPhase.Succeeded));
    List<RecordedCall> calls = sim.calls();
    long maxIds =
        calls.stream()
            .mapToLong(
                c -> c.params().keySet().stream().filter(k -> k.startsWith("JobIds.")).count())
            .max()
            .orElse(0);
    assertEquals(10, maxIds, "full batches of ten JobIds");
    // Per-job polling would cost at least 25 calls per poll cycle, and cycles at 5s fit about once
    // here.
    assertTrue(calls.size() < 25, "calls: " + calls.size());
  }

  @Test
  void aJobIdThatNeverAppearsStallsWithAClearReason() {
    h.client
        .resource(Fixtures.userJob(NS, "typo", "NO-SUCH-JOB", sim.endpoint(), "alb-creds"))
        .create();
    Await.until(
        WAIT,
        "stalled",
        () -> {
          AsyncJob j = h.job(NS, "typo");
          return j != null
              && j.getStatus() != null
              && Conditions.isTrue(j.getStatus().getConditions(), Conditions.STALLED);
        });
    AsyncJob job = h.job(NS, "typo");
    assertEquals(JobPhase.Pending, job.getStatus().getPhase());
    Condition stalled =
        Conditions.find(job.getStatus().getConditions(), Conditions.STALLED).orElseThrow();
    assertEquals("JobNotFound", stalled.getReason());
    assertTrue(
        stalled.getMessage().contains("NO-SUCH-JOB") && stalled.getMessage().contains("spec.jobId"),
        stalled.getMessage());
  }

  @Test
  void aMissingSecretStallsTheJobWithAnEvent() {
    h.client.resource(Fixtures.userJob(NS, "nocreds", "ANY", sim.endpoint(), "missing")).create();
    Await.until(
        WAIT,
        "stalled",
        () -> {
          AsyncJob j = h.job(NS, "nocreds");
          return j != null
              && j.getStatus() != null
              && Conditions.isTrue(j.getStatus().getConditions(), Conditions.STALLED);
        });
    Condition stalled =
        Conditions.find(h.job(NS, "nocreds").getStatus().getConditions(), Conditions.STALLED)
            .orElseThrow();
    assertEquals("SecretNotFound", stalled.getReason());
    assertEquals(
        "Secret missing in namespace pipeline not found; create it with keys accessKeyId and accessKeySecret",
        stalled.getMessage());
    Await.until(WAIT, "Event", () -> !h.events(NS, "SecretNotFound").isEmpty());
    assertEquals(0, sim.callCount());
  }
}
