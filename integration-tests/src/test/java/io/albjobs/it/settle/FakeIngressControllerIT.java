package io.albjobs.it.settle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.kube.SharedControlPlane;
import io.albjobs.it.settle.FakeIngressController.Effect;
import io.albjobs.it.settle.FakeIngressController.JobPlan;
import io.albjobs.it.settle.FakeIngressController.Script;
import io.albjobs.operator.testing.Await;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The test actor alone, on the real API server: what {@link FakeIngressController} leaves visible
 * is what shared/docs/ack-alb-ingress.md says ACK's controller leaves (Events as client-go's
 * recorder writes them, the hash label, the jobs in ALB), and its workqueue behaves as the real
 * one: a change that arrives mid-reconcile is reconciled right after, and the running reconcile's
 * success Event comes after that change.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FakeIngressControllerIT {
  private static final String NS = "fake-alb-controller";
  private static final String ENV = "fic";
  private static final String LB = "alb-fic";
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static KubernetesClient admin;
  private AlbSimulator sim;
  private FakeIngressController controller;
  private String albConfig;
  private int run;

  @BeforeAll
  static void crd() {
    admin = SharedControlPlane.get().admin();
    AckObjects.installCrd(admin);
    admin
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .serverSideApply();
  }

  @AfterAll
  static void removeCrd() {
    for (var i : admin.network().v1().ingresses().inNamespace(NS).list().getItems()) {
      admin
          .network()
          .v1()
          .ingresses()
          .inNamespace(NS)
          .withName(i.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
    }
    admin.namespaces().withName(NS).delete();
    admin
        .genericKubernetesResources(AckObjects.ALBCONFIGS)
        .withLabel(FakeIngressController.ENV_LABEL, ENV)
        .delete();
    admin.network().v1().ingressClasses().withLabel(FakeIngressController.ENV_LABEL, ENV).delete();
    AckObjects.removeCrd(admin);
  }

  @BeforeEach
  void start() {
    sim = AlbSimulator.start();
    controller = new FakeIngressController(admin, sim, "acct", "cn-hangzhou", NS, ENV, 7);
  }

  @AfterEach
  void stop() {
    controller.close();
    sim.close();
  }

  /** An AlbConfig of load balancer {@link #LB}, its IngressClass and an Ingress "web-N". */
  private String objects(String name) {
    albConfig = ENV + "-" + name;
    Map<String, String> labels = Map.of(FakeIngressController.ENV_LABEL, ENV);
    admin.resource(AckObjects.albConfig(albConfig, labels)).create();
    admin
        .genericKubernetesResources(AckObjects.ALBCONFIGS)
        .withName(albConfig)
        .editStatus(
            a -> {
              a.setAdditionalProperty("status", Map.of("loadBalancer", Map.of("id", LB)));
              return a;
            });
    admin.resource(AckObjects.ingressClass(albConfig, albConfig, labels)).create();
    String ingress = "web-" + name;
    admin.resource(AckObjects.ingress(NS, ingress, albConfig, Map.of(), "/step-0")).create();
    Await.until(WAIT, "the creation reconciled", () -> successCount(ingress) == 1);
    return ingress;
  }

  private Effect change(Script script, String ingress, int step, List<JobPlan> jobs, String fail) {
    Effect e = new Effect("step " + step, s -> s.step() >= step, jobs, fail);
    script.add(e);
    e.changedAt(Instant.now());
    admin
        .network()
        .v1()
        .ingresses()
        .inNamespace(NS)
        .withName(ingress)
        .edit(
            i -> {
              i.getSpec().getRules().get(0).getHttp().getPaths().get(0).setPath("/step-" + step);
              return i;
            });
    return e;
  }

  private static JobPlan job(String api, String type, String id, boolean newChild, long lagMs) {
    return new JobPlan(
        api, type, id, newChild, Duration.ofMillis(lagMs), Duration.ofSeconds(2), false);
  }

  private List<Event> events(String namespace, String name, String reason) {
    return admin.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
        .toList();
  }

  private int successCount(String ingress) {
    return events(NS, ingress, "SuccessfullyReconciled").stream().mapToInt(Event::getCount).sum();
  }

  @Test
  void aChangeMakesJobsThenSuccessEventsAggregatedAsClientGoRecordsThemAndTheHashLabel() {
    String ingress = objects("one");
    Script script = controller.script(albConfig);
    String hashBefore = ingressLabel(ingress);
    int albConfigSuccesses = albConfigSuccessCount();
    assertNotNull(hashBefore, "the hash label after the creation");
    Effect e =
        change(
            script,
            ingress,
            1,
            List.of(
                job("UpdateRulesAttribute", "rule", null, false, 0),
                job("CreateRules", "rule", "rule-new", true, 2500),
                job("UpdateLoadBalancerAttribute", "loadbalancer", null, false, 0)),
            null);
    Await.until(WAIT, "the change reconciled", () -> successCount(ingress) == 2);
    assertNotNull(e.appliedAt());
    assertNotNull(e.fencedAt());
    assertTrue(!e.fencedAt().isBefore(e.appliedAt()), "the Event after the ALB calls");
    assertEquals(3, e.created().size());
    SimJob newRule = e.created().get(1);
    assertEquals("rule-new." + LB, newRule.resourceId());
    assertEquals(
        Duration.ofMillis(2500), Duration.between(newRule.createTime(), newRule.visibleAt()));
    assertEquals(LB, e.created().get(2).resourceId());

    Event onIngress = events(NS, ingress, "SuccessfullyReconciled").get(0);
    assertEquals(1, events(NS, ingress, "SuccessfullyReconciled").size(), "one Event, aggregated");
    assertEquals(2, onIngress.getCount());
    assertEquals("Normal", onIngress.getType());
    assertEquals("Successfully reconciled", onIngress.getMessage());
    assertEquals("Ingress", onIngress.getInvolvedObject().getKind());
    assertEquals("networking.k8s.io/v1", onIngress.getInvolvedObject().getApiVersion());
    assertTrue(
        onIngress.getFirstTimestamp().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"),
        onIngress.getFirstTimestamp());
    assertTrue(onIngress.getLastTimestamp().compareTo(onIngress.getFirstTimestamp()) >= 0);
    assertNull(onIngress.getEventTime(), "the legacy recorder sets no eventTime");
    assertFalse(events(NS, ingress, "Sync").isEmpty(), "Sync 'Scheduled for sync' on the Ingress");

    List<Event> onAlbConfig = events("default", albConfig, "SuccessfullyReconciled");
    assertEquals(1, onAlbConfig.size());
    assertEquals("AlbConfig", onAlbConfig.get(0).getInvolvedObject().getKind());
    assertEquals(AckObjects.API_VERSION, onAlbConfig.get(0).getInvolvedObject().getApiVersion());
    assertNull(onAlbConfig.get(0).getInvolvedObject().getNamespace(), "cluster-scoped");
    assertEquals(albConfigSuccesses + 1, onAlbConfig.get(0).getCount());

    String hashAfter = ingressLabel(ingress);
    assertNotNull(hashAfter);
    assertFalse(hashAfter.equals(hashBefore), "the hash label follows the spec");
    assertEquals(hashAfter, albConfigLabel());

    // A label edit (such as the hash label itself) is not a change: no reconcile.
    int reconciles = script.reconciles();
    admin
        .network()
        .v1()
        .ingresses()
        .inNamespace(NS)
        .withName(ingress)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}");
    admin
        .network()
        .v1()
        .ingresses()
        .inNamespace(NS)
        .withName(ingress)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\""
                + FakeIngressController.STEP_ANNOTATION
                + "\":\"1\"}}}");
    Await.until(WAIT, "the annotation change reconciled", () -> successCount(ingress) == 3);
    assertEquals(reconciles + 1, script.reconciles(), "the annotation reconciled, the label not");
  }

  @Test
  void aChangeDuringAReconcileIsReconciledRightAfterAndTheRunningOnesEventComesAfterIt() {
    String ingress = objects("queue");
    Script script = controller.script(albConfig);
    controller.delays(Duration.ofMillis(2500), Duration.ofMillis(2500));
    int reconciles = script.reconciles();
    Effect first =
        change(
            script, ingress, 1, List.of(job("UpdateRulesAttribute", "rule", null, false, 0)), null);
    Await.until(WAIT, "the first reconcile started", () -> script.reconciles() == reconciles + 1);
    Effect second =
        change(script, ingress, 2, List.of(job("CreateRules", "rule", "rule-2", true, 0)), null);
    Await.until(WAIT, "both fenced", () -> second.fencedAt() != null);
    assertTrue(
        first.fencedAt().isAfter(second.changedAt()),
        "the running reconcile's success comes after the newer change: " + first + " " + second);
    assertTrue(
        second.appliedAt().isAfter(first.fencedAt()),
        "the newer change is applied by the next reconcile: " + first + " " + second);
    assertEquals(reconciles + 2, script.reconciles());
  }

  @Test
  void aFailedApplyRecordsFailedApplyModelAndRetriesWithBackoffAndASilentScriptNeverAnswers()
      throws Exception {
    String ingress = objects("fails");
    Script script = controller.script(albConfig);
    Effect e =
        change(
            script,
            ingress,
            1,
            List.of(job("CreateRules", "rule", "rule-x", true, 0)),
            "Specified listener port conflicts");
    Await.until(
        WAIT,
        "FailedApplyModel twice (one retry after 5 s)",
        () ->
            events(NS, ingress, "FailedApplyModel").stream().mapToInt(Event::getCount).sum() == 2);
    Event failed = events(NS, ingress, "FailedApplyModel").get(0);
    assertEquals("Warning", failed.getType());
    assertEquals("Specified listener port conflicts", failed.getMessage());
    assertEquals(1, events("default", albConfig, "FailedApplyModel").size());
    assertEquals(1, e.created().size(), "the calls made before the failure are not repeated");
    assertNull(e.fencedAt());
    assertEquals(1, successCount(ingress), "no success after the failure");

    String silentIngress = objects("silent");
    Script silent = controller.script(albConfig);
    silent.silent(true);
    int before = successCount(silentIngress);
    Effect unanswered = change(silent, silentIngress, 1, List.of(), null);
    Thread.sleep(4000); // nothing may happen: a bounded look for an absence
    assertEquals(before, successCount(silentIngress));
    assertNull(unanswered.appliedAt());
  }

  @Test
  void aDeletedIngressIsReconciledThenLetGo() {
    String ingress = objects("deleted");
    Script script = controller.script(albConfig);
    int albConfigSuccesses = albConfigSuccessCount();
    Effect e =
        new Effect(
            "deleted",
            s -> !s.has(ingress),
            List.of(job("DeleteRules", "rule", null, false, 0)),
            null);
    script.add(e);
    e.changedAt(Instant.now());
    admin.network().v1().ingresses().inNamespace(NS).withName(ingress).delete();
    Await.until(
        WAIT,
        "the Ingress gone once its rules are deleted",
        () -> admin.network().v1().ingresses().inNamespace(NS).withName(ingress).get() == null);
    assertNotNull(e.fencedAt());
    assertEquals("rule-" + LB + "-a", e.created().get(0).resourceId());
    assertEquals(albConfigSuccesses + 1, albConfigSuccessCount());
  }

  private int albConfigSuccessCount() {
    return events("default", albConfig, "SuccessfullyReconciled").stream()
        .mapToInt(Event::getCount)
        .sum();
  }

  private String ingressLabel(String ingress) {
    var labels =
        admin
            .network()
            .v1()
            .ingresses()
            .inNamespace(NS)
            .withName(ingress)
            .get()
            .getMetadata()
            .getLabels();
    return labels == null ? null : labels.get(AckObjects.HASH_LABEL);
  }

  private String albConfigLabel() {
    var labels =
        admin
            .genericKubernetesResources(AckObjects.ALBCONFIGS)
            .withName(albConfig)
            .get()
            .getMetadata()
            .getLabels();
    return labels == null ? null : labels.get(AckObjects.HASH_LABEL);
  }
}
