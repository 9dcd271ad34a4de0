package io.albjobs.it.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.it.kube.Kubectl;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.SimJob;
import io.albjobs.simulator.SimJobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a user sees with the real kubectl against the real API server: printer columns with real
 * values, label selection, and {@code kubectl wait} returning when ALB finishes a job.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KubectlIT {
  private static IntegrationEnv e2e;
  private static final Instant T0 = Instant.now();

  @BeforeAll
  static void start() throws Exception {
    e2e = new IntegrationEnv("kubectl-it", IntegrationEnv.QUICK_POLLS);
    e2e.sim.addJob(
        SimJob.builder("OK-JOB-1", IntegrationEnv.ACCOUNT)
            .region("cn-hangzhou")
            .api("CreateListener", "Create")
            .resource("loadbalancer", "alb-one")
            .createdAt(T0.minusSeconds(120))
            .succeedsAt(T0.minusSeconds(100))
            .build());
    e2e.sim.addJob(
        SimJob.builder("BAD-JOB-1", IntegrationEnv.ACCOUNT)
            .region("cn-hangzhou")
            .api("CreateRule", "Create")
            .resource("loadbalancer", "alb-one")
            .createdAt(T0.minusSeconds(90))
            .failsAt(T0.minusSeconds(80), "QuotaExceeded.Rule", "too many rules")
            .build());
    e2e.operator();
    e2e.admin
        .resource(
            Fixtures.watch(e2e.ns, "lbs", e2e.sim.endpoint(), "alb-creds", List.of("alb-one")))
        .create();
    Await.until(
        Duration.ofSeconds(60),
        "two jobs mirrored",
        () ->
            e2e.jobs().size() == 2
                && e2e.jobs().stream()
                    .allMatch(j -> j.getStatus() != null && j.getStatus().isFinished()));
  }

  @AfterAll
  static void stop() {
    e2e.close();
  }

  private Kubectl.Result kubectl(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.add("-n");
    all.add(e2e.ns);
    return e2e.kubectl.run(all.toArray(String[]::new));
  }

  @Test
  void getAsyncJobsPrintsTheColumnsWithRealValues() {
    Kubectl.Result r = kubectl("get", "asyncjobs");
    assertTrue(r.ok(), r.toString());
    String header = r.stdout().lines().findFirst().orElse("");
    for (String column :
        List.of("NAME", "JOB ID", "API", "RESOURCE TYPE", "RESOURCE", "PHASE", "ERROR", "AGE")) {
      assertTrue(header.contains(column), "missing column " + column + " in\n" + r.stdout());
    }
    String bad =
        r.stdout().lines().filter(l -> l.startsWith("bad-job-1")).findFirst().orElseThrow();
    assertTrue(
        bad.contains("BAD-JOB-1")
            && bad.contains("CreateRule")
            && bad.contains("alb-one")
            && bad.contains("Failed")
            && bad.contains("QuotaExceeded.Rule"),
        bad);
    Kubectl.Result wide = kubectl("get", "ajob", "-o", "wide");
    String wideHeader = wide.stdout().lines().findFirst().orElse("");
    assertTrue(
        wideHeader.contains("OPERATE")
            && wideHeader.contains("CREATED")
            && wideHeader.contains("FINISHED"),
        wide.stdout());
  }

  @Test
  void getWatchesPrintsTheRollUp() {
    Kubectl.Result r = kubectl("get", "asyncjobwatches");
    String header = r.stdout().lines().findFirst().orElse("");
    for (String column :
        List.of(
            "REGION", "TYPE", "RESOURCES", "PROCESSING", "FAILED", "LAST SYNC", "READY", "AGE")) {
      assertTrue(header.contains(column), "missing column " + column + " in\n" + r.stdout());
    }
    String row = r.stdout().lines().filter(l -> l.startsWith("lbs")).findFirst().orElseThrow();
    assertTrue(row.contains("cn-hangzhou") && row.contains("loadbalancer"), row);
    assertTrue(
        row.matches(".*loadbalancer\\s+1\\s+0\\s+1\\s+.*"),
        "RESOURCES 1, PROCESSING 0, FAILED 1: " + row);
    assertTrue(
        e2e.kubectl.run("get", "alb", "-n", e2e.ns).stdout().contains("lbs"),
        "category alb lists both kinds");
  }

  @Test
  void failedJobsAreSelectableByPhase() {
    Kubectl.Result r =
        kubectl("get", "ajob", "--field-selector", "status.phase=Failed", "-o", "name");
    List<String> selected =
        r.stdout().lines().map(l -> l.replace("asyncjob.albjobs.io/", "")).sorted().toList();
    List<String> failed =
        e2e.jobs().stream()
            .filter(j -> j.getStatus() != null && j.getStatus().getPhase() == JobPhase.Failed)
            .map(j -> j.getMetadata().getName())
            .sorted()
            .toList();
    assertTrue(selected.contains("bad-job-1"), r.toString());
    assertFalse(selected.contains("ok-job-1"), r.toString());
    assertEquals(failed, selected, "exactly the Failed jobs");
  }

  @Test
  void kubectlWaitReturnsWhenAlbFinishesTheJobAndTimesOutBefore() {
    // ALB finishes WAIT-OK only when the test says so (the job is replaced by its finished self),
    // so the first wait meets a job that is surely still processing, however slow this machine is.
    Instant now = Instant.now();
    e2e.sim.addJob(waitOk(now).succeedsAt(now.plus(Duration.ofDays(1))).build());
    e2e.sim.addJob(
        SimJob.builder("WAIT-BAD", IntegrationEnv.ACCOUNT)
            .region("cn-hangzhou")
            .api("DeleteListener", "Delete")
            .resource("listener", "lsn-w")
            .createdAt(now)
            .failsAt(now.plusSeconds(12), "Conflict.Lock", "locked")
            .build());
    e2e.admin
        .resource(Fixtures.userJob(e2e.ns, "wait-ok", "WAIT-OK", e2e.sim.endpoint(), "alb-creds"))
        .create();
    e2e.admin
        .resource(Fixtures.userJob(e2e.ns, "wait-bad", "WAIT-BAD", e2e.sim.endpoint(), "alb-creds"))
        .create();
    Await.until(
        Duration.ofSeconds(30),
        "Processing",
        () ->
            e2e.job("wait-ok").getStatus() != null
                && e2e.job("wait-ok").getStatus().getPhase() == JobPhase.Processing);

    assertTimedOut(
        kubectl("wait", "ajob/wait-ok", "--for=condition=Complete", "--timeout=2s"),
        "asyncjobs/wait-ok",
        "wait must time out while ALB is still processing");

    e2e.sim.addJob(waitOk(now).succeedsAt(Instant.now()).build());
    Kubectl.Result complete =
        kubectl("wait", "ajob/wait-ok", "--for=condition=Complete", "--timeout=60s");
    assertTrue(complete.ok(), complete.toString());
    assertTrue(
        complete.stdout().contains("asyncjob.albjobs.io/wait-ok condition met"),
        complete.toString());
    assertTrue(kubectl("wait", "ajob/wait-bad", "--for=condition=Failed", "--timeout=60s").ok());
    assertTrue(
        kubectl(
                "wait",
                "ajob/wait-ok",
                "ajob/wait-bad",
                "--for=condition=Finished",
                "--timeout=10s")
            .ok());
    assertTrue(
        kubectl("wait", "ajob/wait-bad", "--for=jsonpath={.status.completionTime}", "--timeout=10s")
            .ok());
    assertTimedOut(
        kubectl("wait", "ajob/wait-bad", "--for=condition=Complete", "--timeout=2s"),
        "asyncjobs/wait-bad",
        "a failed job never becomes Complete");
  }

  private static SimJobBuilder waitOk(Instant createdAt) {
    return SimJob.builder("WAIT-OK", IntegrationEnv.ACCOUNT)
        .region("cn-hangzhou")
        .api("CreateListener", "Create")
        .resource("listener", "lsn-w")
        .createdAt(createdAt);
  }

  /**
   * kubectl wait ran into its --timeout on this object (exit 1 with kubectl's timeout message), not
   * some other failure (a typo in the condition, a missing object, no access) that also exits
   * non-zero.
   */
  private static void assertTimedOut(Kubectl.Result r, String object, String why) {
    assertEquals(1, r.exitCode(), why + ":\n" + r);
    assertTrue(
        r.stderr().contains("timed out waiting for the condition on " + object), why + ":\n" + r);
  }
}
