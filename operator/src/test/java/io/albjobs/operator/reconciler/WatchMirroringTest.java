package io.albjobs.operator.reconciler;

import static io.albjobs.operator.testing.FakeAlb.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.demo.EmbeddedKubernetes;
import io.albjobs.operator.sync.Conditions;
import io.albjobs.operator.sync.Labels;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.FakeAlb;
import io.albjobs.operator.testing.Fixtures;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WatchMirroringTest {
  private static final String NS = "team-a";
  private final long now = System.currentTimeMillis();
  private EmbeddedKubernetes k8s;
  private KubernetesClient client;
  private FakeAlb alb;
  private OperatorApp app;

  @BeforeEach
  void start() throws Exception {
    k8s = new EmbeddedKubernetes();
    client = k8s.client();
    alb = new FakeAlb();
    OperatorConfig config =
        OperatorConfig.from(
            List.of("--http-port=0", "--poll-interval=1s", "--active-poll-interval=200ms"), Map.of());
    app = OperatorApp.start(config, client, scope -> alb, Clock.systemUTC());
    client.resource(Fixtures.credentials(NS, "alb-creds", "LTAItest", "test-secret")).create();
  }

  @AfterEach
  void stop() {
    app.close();
    k8s.close();
  }

  private AsyncJob get(String name) {
    return client.resources(AsyncJob.class).inNamespace(NS).withName(name).get();
  }

  private static boolean phaseIs(AsyncJob job, JobPhase phase) {
    return job != null && job.getStatus() != null && job.getStatus().getPhase() == phase;
  }

  @Test
  void mirrorsEachJobOfTheWatchedLoadBalancersAndFollowsItToTheEnd() {
    alb.put(job("AAAA-1", "CreateListener", "alb-1", AlbJob.PROCESSING, now - 5_000, now - 5_000));
    alb.put(job("AAAA-2", "CreateRule", "alb-1", AlbJob.SUCCEEDED, now - 60_000, now - 50_000));
    alb.put(job("AAAA-3", "CreateRule", "alb-other", AlbJob.SUCCEEDED, now - 60_000, now - 50_000));
    client.resource(Fixtures.watch(NS, "lbs", null, "alb-creds", List.of("alb-1"))).create();

    Await.until(Duration.ofSeconds(20), "both jobs mirrored", () -> phaseIs(get("aaaa-1"), JobPhase.Processing)
        && phaseIs(get("aaaa-2"), JobPhase.Succeeded));
    assertNull(get("aaaa-3"), "a job of an unwatched load balancer is not mirrored");
    AsyncJob inFlight = get("aaaa-1");
    assertEquals("AAAA-1", inFlight.getSpec().getJobId());
    assertEquals("lbs", inFlight.getMetadata().getLabels().get(Labels.WATCH));
    assertEquals("alb-1", inFlight.getMetadata().getLabels().get(Labels.RESOURCE_ID));
    assertEquals("CreateListener", inFlight.getMetadata().getLabels().get(Labels.API_NAME));
    assertEquals("lbs", inFlight.getMetadata().getOwnerReferences().get(0).getName());
    assertTrue(Conditions.isTrue(inFlight.getStatus().getConditions(), Conditions.RECONCILING));
    assertNull(inFlight.getStatus().getCompletionTime());

    // It fails after the watch was created, so the watch turns Stalled (older failures do not).
    alb.put(job("AAAA-1", "CreateListener", "alb-1", AlbJob.FAILED, now - 5_000, System.currentTimeMillis()));
    Await.until(Duration.ofSeconds(20), "the failure mirrored", () -> phaseIs(get("aaaa-1"), JobPhase.Failed)
        && "Failed".equals(get("aaaa-1").getMetadata().getLabels().get(Labels.PHASE)));
    AsyncJob failed = get("aaaa-1");
    assertEquals("QuotaExceeded.Listener", failed.getStatus().getErrorCode());
    assertEquals("Failed", failed.getMetadata().getLabels().get(Labels.PHASE));
    assertNotNull(failed.getStatus().getCompletionTime());
    assertTrue(Conditions.isTrue(failed.getStatus().getConditions(), Conditions.FAILED));
    assertTrue(Conditions.isTrue(failed.getStatus().getConditions(), Conditions.FINISHED));

    Await.until(Duration.ofSeconds(20), "the watch rolled up", () -> {
      AsyncJobWatch w = client.resources(AsyncJobWatch.class).inNamespace(NS).withName("lbs").get();
      return w.getStatus() != null && w.getStatus().getJobs() != null && w.getStatus().getJobs().getFailed() == 1;
    });
    AsyncJobWatch watch = client.resources(AsyncJobWatch.class).inNamespace(NS).withName("lbs").get();
    assertEquals(1, watch.getStatus().getJobs().getSucceeded());
    assertEquals("AAAA-1", watch.getStatus().getLastFailedJob().getJobId());
    assertTrue(Conditions.isTrue(watch.getStatus().getConditions(), Conditions.STALLED));
  }
}
