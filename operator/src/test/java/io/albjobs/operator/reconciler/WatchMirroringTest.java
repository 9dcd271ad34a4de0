package io.albjobs.operator.reconciler;

import static io.albjobs.operator.testing.FakeAlb.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.ErrorKind;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.FakeAlb;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.operator.testing.OperatorHarness;
import io.albjobs.operator.write.Labels;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Mirroring rules of a watch, through the real operator against the embedded Kubernetes API. */
class WatchMirroringTest {
  private static final String NS = "team-a";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final long now = System.currentTimeMillis();
  private final FakeAlb alb = new FakeAlb();
  private OperatorHarness h;

  @BeforeEach
  void start() throws Exception {
    // The albjobs.io/phase label written (--phase-label=true), so that these tests follow it too.
    h = new OperatorHarness(scope -> alb, "--phase-label=true");
    h.client.resource(Fixtures.credentials(NS, "alb-creds", "LTAItest", "test-secret")).create();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private static boolean phaseIs(AsyncJob job, JobPhase phase) {
    return job != null && job.getStatus() != null && job.getStatus().getPhase() == phase;
  }

  private AsyncJobWatch createWatch(AsyncJobWatch watch) {
    return h.client.resource(watch).create();
  }

  private String ready(String watch) {
    AsyncJobWatch w = h.watch(NS, watch);
    if (w == null || w.getStatus() == null) {
      return null;
    }
    return Conditions.find(w.getStatus().getConditions(), Conditions.READY)
        .map(c -> c.getStatus() + "/" + c.getReason())
        .orElse(null);
  }

  @Test
  void mirrorsEachJobOfTheWatchedLoadBalancersAndFollowsItToTheEnd() {
    alb.put(job("AAAA-1", "CreateListener", "alb-1", AlbJob.PROCESSING, now - 5_000, now - 5_000));
    alb.put(job("AAAA-2", "CreateRule", "alb-1", AlbJob.SUCCEEDED, now - 60_000, now - 50_000));
    alb.put(job("AAAA-3", "CreateRule", "alb-other", AlbJob.SUCCEEDED, now - 60_000, now - 50_000));
    createWatch(Fixtures.watch(NS, "lbs", null, "alb-creds", List.of("alb-1")));

    Await.until(
        WAIT,
        "both jobs mirrored",
        () ->
            phaseIs(h.job(NS, "aaaa-1"), JobPhase.Processing)
                && phaseIs(h.job(NS, "aaaa-2"), JobPhase.Succeeded));
    assertNull(h.job(NS, "aaaa-3"), "a job of an unwatched load balancer is not mirrored");
    AsyncJob inFlight = h.job(NS, "aaaa-1");
    assertEquals("AAAA-1", inFlight.getSpec().getJobId());
    assertEquals("lbs", inFlight.getMetadata().getLabels().get(Labels.WATCH));
    assertEquals("alb-1", inFlight.getMetadata().getLabels().get(Labels.RESOURCE_ID));
    assertEquals("CreateListener", inFlight.getMetadata().getLabels().get(Labels.API_NAME));
    assertEquals("lbs", inFlight.getMetadata().getOwnerReferences().get(0).getName());
    assertTrue(Conditions.isTrue(inFlight.getStatus().getConditions(), Conditions.RECONCILING));
    assertNull(inFlight.getStatus().getCompletionTime());
    Await.until(
        WAIT, "watch shows jobs in flight", () -> "False/JobsInFlight".equals(ready("lbs")));

    // It fails after the watch was created, so the watch turns Stalled (older failures do not).
    alb.put(
        job(
            "AAAA-1",
            "CreateListener",
            "alb-1",
            AlbJob.FAILED,
            now - 5_000,
            System.currentTimeMillis()));
    Await.until(
        WAIT,
        "the failure mirrored",
        () ->
            phaseIs(h.job(NS, "aaaa-1"), JobPhase.Failed)
                && "Failed"
                    .equals(h.job(NS, "aaaa-1").getMetadata().getLabels().get(Labels.PHASE)));
    AsyncJob failed = h.job(NS, "aaaa-1");
    assertEquals("QuotaExceeded.Listener", failed.getStatus().getErrorCode());
    assertNotNull(failed.getStatus().getCompletionTime());
    assertTrue(Conditions.isTrue(failed.getStatus().getConditions(), Conditions.FAILED));
    assertTrue(Conditions.isTrue(failed.getStatus().getConditions(), Conditions.FINISHED));
    Await.until(
        WAIT, "a Warning Event on the failed job", () -> !h.events(NS, "JobFailed").isEmpty());

    Await.until(
        WAIT,
        "the watch rolled up",
        () -> {
          AsyncJobWatch w = h.watch(NS, "lbs");
          return w.getStatus().getJobs() != null && w.getStatus().getJobs().getFailed() == 1;
        });
    AsyncJobWatch watch = h.watch(NS, "lbs");
    assertEquals(1, watch.getStatus().getJobs().getSucceeded());
    assertEquals(0, watch.getStatus().getJobs().getProcessing());
    assertEquals(1, watch.getStatus().getResourceCount());
    assertEquals("AAAA-1", watch.getStatus().getLastFailedJob().getJobId());
    Condition stalled =
        Conditions.find(watch.getStatus().getConditions(), Conditions.STALLED).orElseThrow();
    assertEquals("True", stalled.getStatus());
    assertEquals("JobFailed", stalled.getReason());
    assertTrue(stalled.getMessage().contains("QuotaExceeded.Listener"), stalled.getMessage());
  }

  @Test
  void finishedJobsNeverChangeAndJobsThatVanishStayInFlight() throws Exception {
    alb.put(job("DONE-1", "CreateRule", "alb-1", AlbJob.SUCCEEDED, now - 60_000, now - 50_000));
    alb.put(job("RUN-1", "CreateRule", "alb-1", AlbJob.PROCESSING, now - 10_000, now - 10_000));
    createWatch(Fixtures.watch(NS, "lbs", null, "alb-creds", List.of("alb-1")));
    Await.until(
        WAIT,
        "mirrored",
        () ->
            phaseIs(h.job(NS, "done-1"), JobPhase.Succeeded)
                && phaseIs(h.job(NS, "run-1"), JobPhase.Processing));
    String doneVersion = h.job(NS, "done-1").getMetadata().getResourceVersion();

    // ALB forgets both; later shows the finished one with a different outcome.
    alb.remove("RUN-1");
    alb.put(job("DONE-1", "CreateRule", "alb-1", AlbJob.FAILED, now - 60_000, now));
    int calls = alb.calls();
    Await.until(WAIT, "a few more polls", () -> alb.calls() >= calls + 6);

    assertEquals(
        doneVersion,
        h.job(NS, "done-1").getMetadata().getResourceVersion(),
        "a finished job is never written");
    assertEquals(JobPhase.Succeeded, h.job(NS, "done-1").getStatus().getPhase());
    assertEquals(
        JobPhase.Processing,
        h.job(NS, "run-1").getStatus().getPhase(),
        "a vanished job is not taken as done");
    assertTrue(
        alb.queries().stream().anyMatch(q -> q.jobIds().contains("RUN-1")),
        "an in-flight job missing from the resource query is asked for by ID");
    assertFalse(
        alb.queries().stream().anyMatch(q -> q.jobIds().contains("DONE-1")),
        "finished jobs cost nothing");
  }

  @Test
  void nothingIsWrittenWhileNothingChanges() throws Exception {
    alb.put(job("DONE-1", "CreateRule", "alb-1", AlbJob.SUCCEEDED, now - 60_000, now - 50_000));
    createWatch(Fixtures.watch(NS, "lbs", null, "alb-creds", List.of("alb-1")));
    Await.until(WAIT, "watch ready", () -> "True/Synced".equals(ready("lbs")));
    long writes = h.app.statusWrites();
    String version = h.watch(NS, "lbs").getMetadata().getResourceVersion();
    int calls = alb.calls();
    Await.until(WAIT, "three more polls", () -> alb.calls() >= calls + 3);
    assertEquals(writes, h.app.statusWrites(), "no status write while nothing changed");
    assertEquals(version, h.watch(NS, "lbs").getMetadata().getResourceVersion());
  }

  @Test
  void badCredentialsStallTheWatchWithAnEventAndRecoverWhenFixed() {
    alb.failNext(
        new AlbException(
            ErrorKind.TERMINAL,
            "InvalidAccessKeyId.NotFound",
            404,
            "InvalidAccessKeyId.NotFound: Specified access key is not found.",
            "req-1"));
    createWatch(Fixtures.watch(NS, "lbs", null, "alb-creds", List.of("alb-1")));
    Await.until(WAIT, "stalled", () -> "False/InvalidCredentials".equals(ready("lbs")));
    AsyncJobWatch watch = h.watch(NS, "lbs");
    Condition stalled =
        Conditions.find(watch.getStatus().getConditions(), Conditions.STALLED).orElseThrow();
    assertEquals("True", stalled.getStatus());
    assertTrue(stalled.getMessage().contains("accessKeySecret"), stalled.getMessage());
    Await.until(WAIT, "an Event", () -> !h.events(NS, "InvalidCredentials").isEmpty());
    // The next poll (after the idle interval) succeeds: the watch recovers by itself.
    Await.until(WAIT, "recovered", () -> "True/Synced".equals(ready("lbs")));
  }

  @Test
  void aMissingSecretOrKeyIsNamedInTheCondition() {
    createWatch(Fixtures.watch(NS, "nosecret", null, "does-not-exist", List.of("alb-1")));
    h.client
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("half")
                .withNamespace(NS)
                .endMetadata()
                .withStringData(Map.of("accessKeyId", "LTAIx"))
                .build())
        .create();
    createWatch(Fixtures.watch(NS, "halfsecret", null, "half", List.of("alb-1")));
    Await.until(
        WAIT,
        "both stalled",
        () ->
            "False/SecretNotFound".equals(ready("nosecret"))
                && "False/SecretKeyMissing".equals(ready("halfsecret")));
    String message =
        Conditions.find(h.watch(NS, "halfsecret").getStatus().getConditions(), Conditions.STALLED)
            .orElseThrow()
            .getMessage();
    assertEquals("Secret half in namespace team-a has no key accessKeySecret", message);
    assertEquals(0, alb.calls(), "no ALB call without credentials");
  }

  @Test
  void retentionDeletesOldFinishedJobsAndDoesNotBringThemBack() {
    for (int i = 0; i < 4; i++) {
      alb.put(
          job(
              "OK-" + i,
              "CreateRule",
              "alb-1",
              AlbJob.SUCCEEDED,
              now - 60_000 + i,
              now - 50_000 + i * 1000L));
    }
    alb.put(job("BAD-1", "CreateRule", "alb-1", AlbJob.FAILED, now - 60_000, now - 40_000));
    AsyncJobWatch watch = Fixtures.watch(NS, "lbs", null, "alb-creds", List.of("alb-1"));
    watch.getSpec().setSuccessfulJobsHistoryLimit(2);
    watch.getSpec().setFailedJobsHistoryLimit(0);
    createWatch(watch);
    Await.until(
        WAIT,
        "two newest successes kept",
        () -> h.jobs(NS).size() == 2 && h.job(NS, "ok-3") != null && h.job(NS, "ok-2") != null);
    int calls = alb.calls();
    Await.until(WAIT, "more polls", () -> alb.calls() >= calls + 4);
    assertEquals(
        2, h.jobs(NS).size(), "deleted jobs are not re-created while ALB still lists them");
  }

  @Test
  void aTtlOfZeroKeepsOnlyJobsInFlight() {
    alb.put(job("OK-1", "CreateRule", "alb-1", AlbJob.SUCCEEDED, now - 60_000, now - 50_000));
    alb.put(job("RUN-1", "CreateRule", "alb-1", AlbJob.PROCESSING, now - 10_000, now - 10_000));
    AsyncJobWatch watch = Fixtures.watch(NS, "lbs", null, "alb-creds", List.of("alb-1"));
    watch.getSpec().setTtlSecondsAfterFinished(0L);
    createWatch(watch);
    Await.until(
        WAIT, "in-flight job mirrored", () -> phaseIs(h.job(NS, "run-1"), JobPhase.Processing));
    assertNull(h.job(NS, "ok-1"));
    alb.put(
        job(
            "RUN-1",
            "CreateRule",
            "alb-1",
            AlbJob.SUCCEEDED,
            now - 10_000,
            System.currentTimeMillis()));
    Await.until(WAIT, "finished job removed", () -> h.job(NS, "run-1") == null);
  }

  @Test
  void pollNowAnnotationTriggersAnImmediatePollAndIsRecorded() {
    AsyncJobWatch watch = Fixtures.watch(NS, "lbs", null, "alb-creds", List.of("alb-1"));
    watch.getSpec().setPollInterval("1h");
    createWatch(watch);
    Await.until(WAIT, "first poll", () -> "True/Synced".equals(ready("lbs")));
    alb.put(job("NEW-1", "CreateRule", "alb-1", AlbJob.PROCESSING, System.currentTimeMillis(), 0));
    h.client
        .resources(AsyncJobWatch.class)
        .inNamespace(NS)
        .withName("lbs")
        .edit(
            w -> {
              w.getMetadata().setAnnotations(Map.of(Labels.POLL_NOW, "deploy-42"));
              return w;
            });
    Await.until(
        WAIT, "the new job seen at once", () -> phaseIs(h.job(NS, "new-1"), JobPhase.Processing));
    Await.until(
        WAIT,
        "handled value recorded",
        () -> "deploy-42".equals(h.watch(NS, "lbs").getStatus().getPollNowHandled()));
  }

  @Test
  void loadBalancerIdsComeFromAlbConfigObjects() {
    alb.put(
        job(
            "LB-JOB",
            "CreateLoadBalancer",
            "alb-from-config",
            AlbJob.SUCCEEDED,
            now - 60_000,
            now - 50_000));
    ResourceDefinitionContext albConfigs =
        new ResourceDefinitionContext.Builder()
            .withGroup("alibabacloud.com")
            .withVersion("v1")
            .withKind("AlbConfig")
            .withPlural("albconfigs")
            .withNamespaced(false)
            .build();
    GenericKubernetesResource provisioned = new GenericKubernetesResource();
    provisioned.setApiVersion("alibabacloud.com/v1");
    provisioned.setKind("AlbConfig");
    provisioned.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("web")
            .withLabels(Map.of("team", "a"))
            .build());
    provisioned.setAdditionalProperty(
        "status", Map.of("loadBalancer", Map.of("id", "alb-from-config")));
    GenericKubernetesResource pending = new GenericKubernetesResource();
    pending.setApiVersion("alibabacloud.com/v1");
    pending.setKind("AlbConfig");
    pending.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("new")
            .withLabels(Map.of("team", "a"))
            .build());
    h.client.genericKubernetesResources(albConfigs).resource(provisioned).create();
    h.client.genericKubernetesResources(albConfigs).resource(pending).create();
    AsyncJobWatch watch = Fixtures.watch(NS, "from-config", null, "alb-creds", List.of());
    watch
        .getSpec()
        .setAlbConfigSelector(
            new LabelSelectorBuilder().withMatchLabels(Map.of("team", "a")).build());
    createWatch(watch);
    Await.until(
        WAIT,
        "job of the AlbConfig's load balancer",
        () -> phaseIs(h.job(NS, "lb-job"), JobPhase.Succeeded));
    // The watch writes its status after it has mirrored the job.
    Await.until(WAIT, "watch status written", () -> h.watch(NS, "from-config").getStatus() != null);
    assertEquals(
        1,
        h.watch(NS, "from-config").getStatus().getResourceCount(),
        "the unprovisioned AlbConfig adds no ID");
  }
}
