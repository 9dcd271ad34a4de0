package io.albjobs.it.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.it.kube.Kubectl;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.operator.write.StatusRecorder;
import io.albjobs.simulator.SimJob;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Status lives in the status subresource: users' edits never lose it, and it is ours alone. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StatusSubresourceIT {
  private static IntegrationEnv e2e;

  @BeforeAll
  static void start() throws Exception {
    e2e = new IntegrationEnv("status-it", IntegrationEnv.QUICK_POLLS);
    Instant t0 = Instant.now();
    e2e.sim.addJob(
        SimJob.builder("S-1", IntegrationEnv.ACCOUNT)
            .region("cn-hangzhou")
            .api("CreateRule", "Create")
            .resource("loadbalancer", "alb-s")
            .createdAt(t0.minusSeconds(60))
            .succeedsAt(t0.minusSeconds(50))
            .build());
    e2e.operator();
    e2e.admin
        .resource(Fixtures.watch(e2e.ns, "lbs", e2e.sim.endpoint(), "alb-creds", List.of("alb-s")))
        .create();
    Await.until(
        Duration.ofSeconds(30),
        "mirrored",
        () ->
            e2e.job("s-1") != null
                && e2e.job("s-1").getStatus() != null
                && e2e.job("s-1").getStatus().getPhase() == JobPhase.Succeeded
                && e2e.watch("lbs").getStatus() != null
                && e2e.watch("lbs").getStatus().getJobs() != null);
  }

  @AfterAll
  static void stop() {
    e2e.close();
  }

  @Test
  void editingMetadataOrSpecKeepsTheStatus() {
    Kubectl.Result label = e2e.kubectl.run("label", "ajob/s-1", "-n", e2e.ns, "team=payments");
    assertTrue(label.ok(), label.toString());
    Kubectl.Result annotate = e2e.kubectl.run("annotate", "ajob/s-1", "-n", e2e.ns, "note=checked");
    assertTrue(annotate.ok(), annotate.toString());
    AsyncJob job = e2e.job("s-1");
    assertEquals(JobPhase.Succeeded, job.getStatus().getPhase());
    assertEquals("payments", job.getMetadata().getLabels().get("team"));

    Kubectl.Result patch =
        e2e.kubectl.run(
            "patch",
            "ajw/lbs",
            "-n",
            e2e.ns,
            "--type=merge",
            "-p",
            "{\"spec\":{\"pollInterval\":\"45s\"}}");
    assertTrue(patch.ok(), patch.toString());
    AsyncJobWatch watch = e2e.watch("lbs");
    assertNotNull(watch.getStatus().getJobs(), "status kept across a spec edit");
    assertEquals(1, watch.getStatus().getJobs().getSucceeded());
    Await.until(
        Duration.ofSeconds(20),
        "the new generation observed",
        () ->
            e2e.watch("lbs").getStatus().getObservedGeneration()
                == e2e.watch("lbs").getMetadata().getGeneration());
  }

  @Test
  void aFinishedJobAcknowledgesASpecEditWithoutChangingItsOutcome() {
    Kubectl.Result r =
        e2e.kubectl.run(
            "patch",
            "ajob/s-1",
            "-n",
            e2e.ns,
            "--type=merge",
            "-p",
            "{\"spec\":{\"endpoint\":\"alb-vpc.cn-hangzhou.aliyuncs.com\"}}");
    assertTrue(r.ok(), r.toString());
    Await.until(
        Duration.ofSeconds(20),
        "observedGeneration caught up",
        () -> {
          AsyncJob j = e2e.job("s-1");
          return j.getMetadata().getGeneration().equals(j.getStatus().getObservedGeneration())
              && j.getStatus().getConditions().stream()
                  .allMatch(c -> j.getMetadata().getGeneration().equals(c.getObservedGeneration()));
        });
    assertEquals(
        JobPhase.Succeeded, e2e.job("s-1").getStatus().getPhase(), "the outcome never changes");
  }

  @Test
  void statusInTheMainResourceIsIgnoredAndOurWritesUseTheSubresource() {
    Kubectl.Result r =
        e2e.kubectl.run(
            "patch",
            "ajob/s-1",
            "-n",
            e2e.ns,
            "--type=merge",
            "-p",
            "{\"status\":{\"phase\":\"Failed\"}}");
    assertTrue(r.ok(), r.toString());
    assertEquals(
        JobPhase.Succeeded,
        e2e.job("s-1").getStatus().getPhase(),
        "a status change on the main resource is dropped");
    boolean ownedThroughStatus =
        e2e.job("s-1").getMetadata().getManagedFields().stream()
            .anyMatch(
                f ->
                    StatusRecorder.FIELD_MANAGER.equals(f.getManager())
                        && "status".equals(f.getSubresource())
                        && "Apply".equals(f.getOperation()));
    assertTrue(
        ownedThroughStatus,
        "status written by server-side apply on the status subresource: "
            + e2e.job("s-1").getMetadata().getManagedFields());
  }
}
