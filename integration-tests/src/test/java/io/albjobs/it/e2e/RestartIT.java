package io.albjobs.it.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.it.kube.ControlPlane;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The operator as a real process (the runnable jar, the kubeconfig of a user), killed with SIGKILL
 * in the middle of mirroring and started again: it ends with exactly one AsyncJob per ALB job, each
 * with ALB's final phase.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RestartIT {
  private final IntegrationEnv e2e = new IntegrationEnv("restart-it", IntegrationEnv.QUICK_POLLS);
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(Process::destroyForcibly);
    e2e.close();
  }

  @Test
  void killedMidSyncAndRestartedItEndsWithOneCorrectJobPerAlbJob() throws Exception {
    Instant t0 = Instant.now();
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < 60; i++) {
      String id = String.format("R-%03d", i);
      boolean fails = i % 7 == 0;
      var b =
          SimJob.builder(id, IntegrationEnv.ACCOUNT)
              .region("cn-hangzhou")
              .api("CreateRule", "Create")
              .resource("loadbalancer", "alb-r" + (i % 12))
              .createdAt(t0.minusSeconds(300 - i));
      Instant done = t0.plusMillis(200L * i);
      e2e.sim.addJob(
          fails ? b.failsAt(done, "Conflict.Lock", "locked").build() : b.succeedsAt(done).build());
      expected.put(id, fails ? "Failed" : "Succeeded");
    }
    List<String> lbs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      lbs.add("alb-r" + i);
    }
    e2e.admin
        .resource(Fixtures.watch(e2e.ns, "lbs", e2e.sim.endpoint(), "alb-creds", lbs))
        .create();
    // The process runs as the admin kubeconfig user (RBAC for the operator is the chart's concern).
    Path kubeconfig =
        e2e.cp.writeKubeconfig(
            "admin", ControlPlane.ADMIN_TOKEN, e2e.cp.dir().resolve("restart.kubeconfig"));

    for (int run = 1; run <= 3; run++) {
      Process p = startWith(kubeconfig, run);
      int seen = e2e.jobs().size();
      Await.until(
          Duration.ofSeconds(60),
          "some progress in run " + run,
          () -> e2e.jobs().size() > seen || e2e.jobs().size() == 60);
      if (run < 3) {
        p.destroyForcibly().waitFor();
      }
    }
    Await.until(
        Duration.ofSeconds(90),
        "all 60 jobs final",
        () -> {
          List<AsyncJob> jobs = e2e.jobs();
          return jobs.size() == 60
              && jobs.stream().allMatch(j -> j.getStatus() != null && j.getStatus().isFinished());
        });
    Map<String, String> actual = new HashMap<>();
    for (AsyncJob job : e2e.jobs()) {
      actual.put(job.getSpec().getJobId(), String.valueOf(job.getStatus().getPhase()));
    }
    assertEquals(expected, actual);
  }

  private Process startWith(Path kubeconfig, int run) throws IOException {
    Path log = e2e.cp.dir().resolve("restart-operator-" + run + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                "java",
                "-jar",
                System.getProperty("albjobs.jar", "../operator/target/alb-asyncjob-operator.jar"),
                "--namespaces=" + e2e.ns,
                "--http-port=0",
                "--poll-interval=2s",
                "--active-poll-interval=500ms",
                AlbSimulator.OPERATOR_FLAGS.get(0),
                AlbSimulator.OPERATOR_FLAGS.get(1))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    Process p = pb.start();
    processes.add(p);
    return p;
  }
}
