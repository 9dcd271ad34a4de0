package io.albjobs.it.settle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.it.kube.AlbConfigCrd;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.SettleChange;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.SimJob;
import io.albjobs.simulator.SimResources;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The watch gate on the real API server with ACK's objects (the cluster-scoped AlbConfig CRD, the
 * built-in Ingress and IngressClass) and the test playing the ALB Ingress Controller step by step:
 * a change makes the watch leave Ready at once (Settling), the controller's Event is the fence, a
 * failure Event is Stalled, a controller that never answers ends in SettleTimeout, the watch's own
 * spec and poll-now settle for spec.settlePeriod. Edges users hit: names of 253 characters (the
 * longest an Ingress, an AlbConfig or a watch can have) with a controller message of 10,000, and
 * the namespaced AlbConfig CRD of old ACK versions.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SettleIT {
  private static final String REGION = "cn-hangzhou";
  private static final String CLASS = "alb-settle-it";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final List<String> POLLS =
      List.of(
          "--poll-interval=30s",
          "--active-poll-interval=1s",
          "--settle-margin=2s",
          "--settle-period=2s");

  private IntegrationEnv env;

  @BeforeAll
  static void crds() {
    var admin = io.albjobs.it.kube.SharedControlPlane.get().admin();
    AlbConfigCrd.install(admin);
    admin.resource(AckObjects.ingressClass(CLASS, "settle-it-default", Map.of())).serverSideApply();
  }

  @AfterAll
  static void removeCrds() {
    var admin = io.albjobs.it.kube.SharedControlPlane.get().admin();
    admin.network().v1().ingressClasses().withName(CLASS).delete();
    AlbConfigCrd.remove(admin);
  }

  @AfterEach
  void stop() {
    if (env != null) {
      env.close();
    }
  }

  /**
   * An AlbConfig the controller reconciled before the operator started: its SuccessfullyReconciled
   * Event (as client-go records it: in namespace default for a cluster-scoped AlbConfig, in its own
   * namespace for a namespaced one), and the operator starts in a later second than its creation
   * (whole seconds), or its creation counts as a change seen after the start.
   */
  private void existing(io.fabric8.kubernetes.api.model.HasMetadata o) {
    Instant created = Instant.parse(o.getMetadata().getCreationTimestamp());
    event(
        o,
        "Normal",
        "SuccessfullyReconciled",
        "Successfully reconciled",
        eventName(o.getMetadata().getName(), ".reconciled"));
    Await.until(
        Duration.ofSeconds(3),
        "a second after the creation",
        () -> Instant.now().isAfter(created.plusSeconds(1)));
  }

  /** {@code <name><suffix>}, the name cut so that it stays a DNS subdomain (253 characters). */
  private static String eventName(String name, String suffix) {
    String prefix = name.substring(0, Math.min(name.length(), 253 - suffix.length()));
    return prefix.replaceAll("[.-]+$", "") + suffix;
  }

  private AsyncJobWatch watch(String name, String lb, String settlePeriod, String settleTimeout) {
    AsyncJobWatch w = Fixtures.watch(env.ns, name, env.sim.endpoint(), "alb-creds", List.of(lb));
    w.getSpec().setPollInterval("30s");
    w.getSpec().setActivePollInterval("1s");
    w.getSpec().setSettlePeriod(settlePeriod);
    w.getSpec().setSettleTimeout(settleTimeout);
    return env.admin.resource(w).create();
  }

  private Condition ready(String watch) {
    AsyncJobWatch w = env.watch(watch);
    return w == null || w.getStatus() == null
        ? null
        : Conditions.find(w.getStatus().getConditions(), Conditions.READY).orElse(null);
  }

  private boolean readyIs(String watch, String status, String reason) {
    Condition c = ready(watch);
    AsyncJobWatch w = env.watch(watch);
    return c != null
        && status.equals(c.getStatus())
        && (reason == null || reason.equals(c.getReason()))
        && w.getMetadata().getGeneration().equals(c.getObservedGeneration());
  }

  /** An Ingress of the class, routed to {@code albConfig} by annotation (no finalizer). */
  private Ingress ingress(String name, String albConfig) {
    Ingress i =
        AckObjects.ingress(
            env.ns, name, CLASS, Map.of(AckObjects.ALBCONFIG_ANNOTATION, albConfig), "/");
    i.getMetadata().setFinalizers(null); // no controller here to remove it
    return env.admin.resource(i).create();
  }

  /**
   * An Event as client-go's recorder writes it: whole seconds, in the object's namespace (default
   * for a cluster-scoped object).
   */
  private void event(
      io.fabric8.kubernetes.api.model.HasMetadata about,
      String type,
      String reason,
      String message,
      String name) {
    event(about, type, reason, message, name, Instant.now());
  }

  /** The same, dated {@code at} (whole seconds). */
  private void event(
      io.fabric8.kubernetes.api.model.HasMetadata about,
      String type,
      String reason,
      String message,
      String name,
      Instant at) {
    String now = at.truncatedTo(ChronoUnit.SECONDS).toString();
    env.admin
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withNamespace(
                    about.getMetadata().getNamespace() == null
                        ? "default"
                        : about.getMetadata().getNamespace())
                .withName(name)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(about.getApiVersion())
                .withKind(about.getKind())
                .withNamespace(about.getMetadata().getNamespace())
                .withName(about.getMetadata().getName())
                .withUid(about.getMetadata().getUid())
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource()
                .withComponent("alb-ingress-controller")
                .endSource()
                .build())
        .create();
  }

  @Test
  void anIngressChangeHoldsTheGateUntilTheControllerReconciledAndItsJobsFinished()
      throws Exception {
    env = new IntegrationEnv("settle-ingress", POLLS);
    String lb = "alb-settle-ing";
    existing(AlbConfigCrd.albConfig(env.admin, "settle-ing", Map.of("team", "a"), lb));
    env.sim
        .resources()
        .putListener(
            IntegrationEnv.ACCOUNT,
            REGION,
            new SimResources.Listener("lsn-settle", lb, null, List.of(), List.of()));
    env.operator();
    watch("gate", lb, "2s", null);
    Await.until(
        WAIT,
        "the new watch Ready after its settle period",
        () -> readyIs("gate", "True", "Synced"));
    try (GateLog gate = new GateLog(env.admin, env.ns, "gate")) {
      Instant change = Instant.now();
      Ingress web = ingress("web", "settle-ing");
      Await.until(Duration.ofSeconds(10), "Settling", () -> readyIs("gate", "False", "Settling"));
      Instant flipped = gate.firstReasonAfter(change, "Settling");
      assertNotNull(flipped);
      long flipMillis = Duration.between(change, flipped).toMillis();
      AsyncJobWatch w = env.watch("gate");
      SettleChange c = w.getStatus().getSettling().getChanges().get(0);
      assertEquals("Ingress", c.getKind());
      assertEquals(env.ns, c.getNamespace());
      assertEquals("web", c.getName());
      assertEquals("created", c.getCause());
      assertNull(c.getFencedAt(), "no fence before the controller's Event");

      // The controller: a rule created under the listener, listed only 2 s later, runs 4 s.
      Instant made = env.sim.albNow();
      env.sim
          .resources()
          .putRule(
              IntegrationEnv.ACCOUNT,
              REGION,
              new SimResources.Rule("rule-settle", "lsn-settle", lb, List.of()));
      Instant finished = made.plusSeconds(6);
      env.sim.addJob(
          SimJob.builder("SETTLE-RULE-1", IntegrationEnv.ACCOUNT)
              .region(REGION)
              .api("CreateRules", "Create")
              .resource("rule", "rule-settle")
              .createdAt(made)
              .visibleAfter(Duration.ofSeconds(2))
              .succeedsAt(finished)
              .build());
      event(web, "Normal", "SuccessfullyReconciled", "Successfully reconciled", "web.settle1");
      Await.until(WAIT, "Ready again", () -> readyIs("gate", "True", "Synced"));
      Instant passed = gate.firstPassAfter(flipped);
      assertNotNull(passed);
      assertTrue(
          !passed.isBefore(finished.minusMillis(500)),
          "the gate passed at " + passed + ", before the change's job finished at " + finished);
      assertNull(env.watch("gate").getStatus().getSettling(), "status.settling gone when settled");
      assertNotNull(env.job("settle-rule-1"), "the change's job is mirrored");
      System.out.printf(
          "Ingress change: Settling %d ms after the write; gate passed %d ms after the job finished%n",
          flipMillis, Duration.between(finished, passed).toMillis());
      assertTrue(
          flipMillis < 2000,
          "flipped to Settling in " + flipMillis + " ms (Argo CD waits 2 s between waves)");
    }
  }

  /**
   * ALB throttles the children listings while a change creates a rule: the look-up of the new rule
   * and the listings of the load balancer's children fail for a while. The gate keeps waiting (a
   * throttled listing is retried, and until one works the rule's job may be unseen) and turns Ready
   * only once the rule is listed and its job mirrored.
   */
  @Test
  void aThrottledChildListingHoldsTheGateUntilTheChangesRuleIsListed() throws Exception {
    env = new IntegrationEnv("settle-throttled", POLLS);
    String lb = "alb-settle-thr";
    existing(AlbConfigCrd.albConfig(env.admin, "settle-thr", Map.of("team", "a"), lb));
    env.sim
        .resources()
        .putListener(
            IntegrationEnv.ACCOUNT,
            REGION,
            new SimResources.Listener("lsn-thr", lb, null, List.of(), List.of()));
    env.operator();
    watch("gate", lb, "2s", null);
    Await.until(
        WAIT,
        "the new watch Ready after its settle period",
        () -> readyIs("gate", "True", "Synced"));
    env.sim.faults().throttleAction("ListRules").throttleAction("ListListeners");
    Ingress web = ingress("web", "settle-thr");
    Await.until(Duration.ofSeconds(10), "Settling", () -> readyIs("gate", "False", "Settling"));
    Instant made = env.sim.albNow();
    env.sim
        .resources()
        .putRule(
            IntegrationEnv.ACCOUNT,
            REGION,
            new SimResources.Rule("rule-thr", "lsn-thr", lb, List.of()));
    env.sim.addJob(
        SimJob.builder("SETTLE-THR-1", IntegrationEnv.ACCOUNT)
            .region(REGION)
            .api("CreateRules", "Create")
            .resource("rule", "rule-thr")
            .createdAt(made)
            .visibleAfter(Duration.ofSeconds(1))
            .succeedsAt(made.plusSeconds(2))
            .build());
    event(web, "Normal", "SuccessfullyReconciled", "Successfully reconciled", "web.thr1");
    // Past the fence's margin (2 s), two polls with the rule's job finished in ALB and its rule not
    // listable (without the fix the first turned the gate Ready). The throttled calls pause the
    // scope's budget and back the watch off, so the polls are counted, not timed.
    pollsOrReady(
        Instant.now().plusSeconds(3),
        2,
        Duration.ofSeconds(120),
        "two polls after the fence's margin");
    Condition waiting = ready("gate");
    assertTrue(
        waiting != null && !"True".equals(waiting.getStatus()),
        "Ready while the change's rule could not be listed: " + waiting);
    assertNull(env.job("settle-thr-1"), "the rule's job is not mirrored while ListRules fails");
    assertTrue(
        env.sim.faults().injected(io.albjobs.simulator.Faults.Kind.THROTTLE) > 0,
        "ALB throttled the children listings");
    env.sim.faults().allowAction("ListRules").allowAction("ListListeners");
    // A throttled listing is retried after a quarter of the child refresh interval, the watch
    // after its backoff.
    Await.until(
        Duration.ofSeconds(120),
        "Ready once the rule is listed",
        () -> readyIs("gate", "True", "Synced"));
    assertNotNull(env.job("settle-thr-1"), "the change's job is mirrored");
    assertNull(env.watch("gate").getStatus().getSettling(), "status.settling gone when settled");
  }

  /**
   * A new watch whose load balancer's children ALB throttles from the start: they were never
   * listed, so the rule's job cannot be seen. The watch does not turn Ready after its settle period
   * without them; it does once they are listed, with the rule's job mirrored.
   */
  @Test
  void aNewWatchWhoseChildrenWereNeverListedIsNotReady() throws Exception {
    env = new IntegrationEnv("settle-unlisted", POLLS);
    String lb = "alb-settle-unl";
    env.sim
        .resources()
        .putListener(
            IntegrationEnv.ACCOUNT,
            REGION,
            new SimResources.Listener("lsn-unl", lb, null, List.of(), List.of()));
    env.sim
        .resources()
        .putRule(
            IntegrationEnv.ACCOUNT,
            REGION,
            new SimResources.Rule("rule-unl", "lsn-unl", lb, List.of()));
    Instant made = env.sim.albNow();
    env.sim.addJob(
        SimJob.builder("UNLISTED-RULE-1", IntegrationEnv.ACCOUNT)
            .region(REGION)
            .api("CreateRules", "Create")
            .resource("rule", "rule-unl")
            .createdAt(made.minusSeconds(30))
            .succeedsAt(made.minusSeconds(25))
            .build());
    env.sim.faults().throttleAction("ListRules").throttleAction("ListListeners");
    env.operator();
    watch("gate", lb, "2s", null);
    // Past the settle period (2 s), two polls with the children never listed.
    pollsOrReady(Instant.now().plusSeconds(3), 2, Duration.ofSeconds(120), "two polls");
    Condition waiting = ready("gate");
    assertTrue(
        waiting != null && !"True".equals(waiting.getStatus()),
        "Ready with its children never listed: " + waiting);
    assertNull(env.job("unlisted-rule-1"), "the rule's job is not mirrored");
    env.sim.faults().allowAction("ListRules").allowAction("ListListeners");
    Await.until(
        Duration.ofSeconds(120),
        "Ready once the children are listed",
        () -> readyIs("gate", "True", "Synced"));
    assertNotNull(env.job("unlisted-rule-1"), "the rule's job is mirrored");
  }

  /**
   * Waits until the watch "gate" was polled four times after {@code from} (a wait that should go
   * on), or turned Ready (which the caller then finds wrong).
   */
  private void fourPollsOrReady(Instant from, String what) {
    pollsOrReady(from, 4, WAIT, what);
  }

  /** Waits until the watch "gate" was polled {@code polls} times after {@code from}, or Ready. */
  private void pollsOrReady(Instant from, int polls, Duration within, String what) {
    Await.until(
        within,
        what + " (or Ready)",
        () ->
            readyIs("gate", "True", null)
                || env.sim.calls().stream()
                        .filter(c -> "ListAsynJobs".equals(c.action()) && c.at().isAfter(from))
                        .count()
                    >= polls);
  }

  private void annotate(String ingress, String value) {
    env.admin
        .network()
        .v1()
        .ingresses()
        .inNamespace(env.ns)
        .withName(ingress)
        .edit(
            i -> {
              i.getMetadata().getAnnotations().put("example.com/revision", value);
              return i;
            });
  }

  @Test
  void afterARestartAnEarlierReconcilesEventOfTheChangesSecondIsNotItsFence() throws Exception {
    env = new IntegrationEnv("settle-restart", POLLS);
    String lb = "alb-settle-restart";
    existing(AlbConfigCrd.albConfig(env.admin, "settle-restart", Map.of(), lb));
    var first = env.operator();
    watch("gate", lb, "2s", null);
    Await.until(WAIT, "Ready", () -> readyIs("gate", "True", "Synced"));
    Ingress web = ingress("web", "settle-restart");
    Await.until(Duration.ofSeconds(10), "Settling", () -> readyIs("gate", "False", "Settling"));
    // The controller's success for the creation, and the next change in the same second (Events
    // carry whole seconds: as dated, it could as well be that change's success).
    Await.until(
        Duration.ofSeconds(3),
        "the start of a second",
        () -> Instant.now().getNano() < 300_000_000);
    Instant second = Instant.now();
    event(
        web, "Normal", "SuccessfullyReconciled", "Successfully reconciled", "web.restart1", second);
    annotate("web", "2");
    assertTrue(
        Instant.now().getEpochSecond() == second.getEpochSecond(),
        "the change in the Event's second (else the Event is simply older)");
    Await.until(
        Duration.ofSeconds(10),
        "the change recorded with the Ingress's resourceVersion",
        () -> {
          var settling = env.watch("gate").getStatus().getSettling();
          return settling != null
              && settling.getChanges().stream()
                  .anyMatch(
                      c -> "annotations".equals(c.getCause()) && c.getResourceVersion() != null);
        });
    // The operator restarts while the watch waits: the Event was there before the new tracker
    // started, dated no earlier than the change, and written before it.
    env.stop(first);
    Instant restarted = Instant.now();
    env.operator();
    fourPollsOrReady(restarted.plusSeconds(3), "four polls after the restart and the margin");
    assertTrue(
        readyIs("gate", "False", "Settling"),
        "an Event written before the change is not its fence: " + ready("gate"));
    event(web, "Normal", "SuccessfullyReconciled", "Successfully reconciled", "web.restart2");
    Await.until(
        WAIT, "Ready after the change's own success", () -> readyIs("gate", "True", "Synced"));
  }

  @Test
  void aSuccessOfAReconcileInFlightDoesNotEndTheWaitForALaterChange() throws Exception {
    env = new IntegrationEnv("settle-inflight", POLLS);
    String lb = "alb-settle-inflight";
    existing(AlbConfigCrd.albConfig(env.admin, "settle-inflight", Map.of(), lb));
    env.operator();
    watch("gate", lb, "2s", null);
    Await.until(WAIT, "Ready", () -> readyIs("gate", "True", "Synced"));
    try (GateLog gate = new GateLog(env.admin, env.ns, "gate")) {
      Ingress web = ingress("web", "settle-inflight");
      Await.until(Duration.ofSeconds(10), "Settling", () -> readyIs("gate", "False", "Settling"));
      // The controller reconciles the creation; the Ingress changes again meanwhile.
      annotate("web", "2");
      Await.until(
          Duration.ofSeconds(10),
          "the second change recorded",
          () ->
              "annotations"
                  .equals(
                      env.watch("gate").getStatus().getSettling().getChanges().get(0).getCause()));
      Instant first = Instant.now();
      event(web, "Normal", "SuccessfullyReconciled", "Successfully reconciled", "web.inflight1");
      // That success ends the reconcile that was in flight: the later change still waits.
      // Four polls after the margin, or the gate passing, whichever comes first.
      fourPollsOrReady(first.plusSeconds(2), "four polls after the margin");
      assertTrue(
          readyIs("gate", "False", "Settling"),
          "still Settling after the in-flight reconcile's success: " + ready("gate"));
      // The next reconcile: its job, then its success.
      Instant made = env.sim.albNow();
      env.sim.addJob(
          SimJob.builder("INFLIGHT-2", IntegrationEnv.ACCOUNT)
              .region(REGION)
              .api("UpdateRulesAttribute", "Update")
              .resource("loadbalancer", lb)
              .createdAt(made)
              .visibleAfter(Duration.ofSeconds(1))
              .succeedsAt(made.plusSeconds(3))
              .build());
      env.admin
          .v1()
          .events()
          .inNamespace(env.ns)
          .withName("web.inflight1")
          .edit(
              e -> {
                e.setCount(2);
                e.setLastTimestamp(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
                return e;
              });
      Await.until(WAIT, "Ready", () -> readyIs("gate", "True", "Synced"));
      Instant passed = gate.firstPassAfter(first);
      assertTrue(
          !passed.isBefore(made.plusSeconds(3).minusMillis(500)),
          "passed at " + passed + " before the second reconcile's job finished");
    }
  }

  @Test
  void aLoneSuccessAfterAnAmbiguousChangeEndsTheWaitAfterTheRequeueWindow() throws Exception {
    env = new IntegrationEnv("settle-merged", POLLS);
    String lb = "alb-settle-merged";
    existing(AlbConfigCrd.albConfig(env.admin, "settle-merged", Map.of(), lb));
    env.operator();
    watch("gate", lb, "2s", null);
    Await.until(WAIT, "Ready", () -> readyIs("gate", "True", "Synced"));
    Ingress web = ingress("web", "settle-merged");
    Await.until(Duration.ofSeconds(10), "Settling", () -> readyIs("gate", "False", "Settling"));
    annotate("web", "2");
    Await.until(
        Duration.ofSeconds(10),
        "the second change recorded",
        () ->
            "annotations"
                .equals(
                    env.watch("gate").getStatus().getSettling().getChanges().get(0).getCause()));
    // One reconcile covered both changes: one success only.
    Instant success = Instant.now();
    event(web, "Normal", "SuccessfullyReconciled", "Successfully reconciled", "web.merged1");
    Await.until(WAIT, "Ready", () -> readyIs("gate", "True", "Synced"));
    assertTrue(
        Duration.between(success, Instant.now()).toSeconds() >= 19,
        "not before the requeue window (20 s) after the lone success");
  }

  @Test
  void aFailedApplyIsStalledUntilTheControllerSucceeds() throws Exception {
    env = new IntegrationEnv("settle-failed", POLLS);
    String lb = "alb-settle-fail";
    existing(AlbConfigCrd.albConfig(env.admin, "settle-fail", Map.of(), lb));
    env.operator();
    watch("gate", lb, "2s", null);
    Await.until(WAIT, "Ready", () -> readyIs("gate", "True", "Synced"));
    Ingress web = ingress("web", "settle-fail");
    Await.until(Duration.ofSeconds(10), "Settling", () -> readyIs("gate", "False", "Settling"));
    event(
        web,
        "Warning",
        "FailedApplyModel",
        "ApplyModel: QuotaExceeded.RulesPerListener: the listener has too many rules",
        "web.failed1");
    Await.until(WAIT, "Stalled ChangeFailed", () -> readyIs("gate", "False", "ChangeFailed"));
    AsyncJobWatch w = env.watch("gate");
    Condition stalled = Conditions.find(w.getStatus().getConditions(), Conditions.STALLED).get();
    assertEquals("True", stalled.getStatus());
    assertTrue(
        stalled.getMessage().contains("QuotaExceeded.RulesPerListener"), stalled.getMessage());
    assertTrue(stalled.getMessage().contains("Ingress " + env.ns + "/web"), stalled.getMessage());
    Await.until(
        WAIT,
        "a Warning Event ChangeFailed on the watch",
        () ->
            env.admin.v1().events().inNamespace(env.ns).list().getItems().stream()
                .anyMatch(
                    e ->
                        "ChangeFailed".equals(e.getReason())
                            && "gate".equals(e.getInvolvedObject().getName())));
    event(web, "Normal", "SuccessfullyReconciled", "Successfully reconciled", "web.ok1");
    Await.until(WAIT, "Ready after the retry succeeded", () -> readyIs("gate", "True", "Synced"));
  }

  @Test
  void aControllerThatNeverReconcilesEndsInSettleTimeout() throws Exception {
    env = new IntegrationEnv("settle-timeout", POLLS);
    String lb = "alb-settle-timeout";
    existing(AlbConfigCrd.albConfig(env.admin, "settle-timeout", Map.of(), lb));
    env.operator();
    watch("gate", lb, "2s", "1m");
    Await.until(WAIT, "Ready", () -> readyIs("gate", "True", "Synced"));
    Instant change = Instant.now();
    ingress("web", "settle-timeout");
    Await.until(Duration.ofSeconds(10), "Settling", () -> readyIs("gate", "False", "Settling"));
    Await.until(
        Duration.ofSeconds(90),
        "Stalled SettleTimeout",
        () -> readyIs("gate", "False", "SettleTimeout"));
    assertTrue(
        Duration.between(change, Instant.now()).toSeconds() >= 59, "not before spec.settleTimeout");
    Condition stalled =
        Conditions.find(env.watch("gate").getStatus().getConditions(), Conditions.STALLED).get();
    assertEquals("True", stalled.getStatus());
    assertTrue(stalled.getMessage().contains("SuccessfullyReconciled"), stalled.getMessage());
    assertTrue(stalled.getMessage().contains("Ingress " + env.ns + "/web"), stalled.getMessage());
  }

  @Test
  void theWatchsOwnSpecAndPollNowSettleForTheSettlePeriod() throws Exception {
    env = new IntegrationEnv("settle-spec", POLLS);
    String lb = "alb-settle-spec";
    env.operator();
    watch("gate", lb, "6s", null);
    watch("nowait", "alb-settle-nowait", "0s", null);
    try (GateLog gate = new GateLog(env.admin, env.ns, "gate");
        GateLog nowait = new GateLog(env.admin, env.ns, "nowait")) {
      Await.until(WAIT, "Ready", () -> readyIs("gate", "True", "Synced"));
      Await.until(WAIT, "Ready", () -> readyIs("nowait", "True", "Synced"));
      assertNull(
          nowait.firstReasonAfter(Instant.EPOCH, "Settling"), "settlePeriod 0s: never Settling");
      // A pipeline made an ALB call, then bumps the watch: the job is listed 3 s late.
      Instant bump = Instant.now();
      Instant made = env.sim.albNow();
      env.sim.addJob(
          SimJob.builder("SPEC-JOB-1", IntegrationEnv.ACCOUNT)
              .region(REGION)
              .api("UpdateLoadBalancerAttribute", "Update")
              .resource("loadbalancer", lb)
              .createdAt(made)
              .visibleAfter(Duration.ofSeconds(3))
              .succeedsAt(made.plusSeconds(8))
              .build());
      env.admin
          .resources(AsyncJobWatch.class)
          .inNamespace(env.ns)
          .withName("gate")
          .edit(
              w -> {
                w.getSpec().setApiNames(List.of("UpdateLoadBalancerAttribute"));
                return w;
              });
      Await.until(Duration.ofSeconds(10), "Settling", () -> readyIs("gate", "False", "Settling"));
      Await.until(WAIT, "Ready after the job", () -> readyIs("gate", "True", "Synced"));
      Instant passed = gate.firstPassAfter(bump.plusMillis(1));
      assertTrue(
          !passed.isBefore(made.plusSeconds(8).minusMillis(500)),
          "passed at " + passed + " before the job finished at " + made.plusSeconds(8));
      // poll-now: settles too.
      env.admin
          .resources(AsyncJobWatch.class)
          .inNamespace(env.ns)
          .withName("gate")
          .edit(
              w -> {
                w.getMetadata().setAnnotations(Map.of("albjobs.io/poll-now", "rev-2"));
                return w;
              });
      Await.until(
          Duration.ofSeconds(10),
          "Settling on poll-now",
          () -> {
            AsyncJobWatch w = env.watch("gate");
            return readyIs("gate", "False", "Settling")
                && w.getStatus().getSettling().getChanges().stream()
                    .anyMatch(c -> "poll-now".equals(c.getCause()));
          });
      Await.until(WAIT, "Ready after the settle period", () -> readyIs("gate", "True", "Synced"));
    }
  }

  @Test
  void withoutTheAlbConfigCrdTheWatchSaysWhyItCannotFence() throws Exception {
    var admin = io.albjobs.it.kube.SharedControlPlane.get().admin();
    AlbConfigCrd.remove(admin);
    try {
      env = new IntegrationEnv("settle-untracked", POLLS);
      env.operator();
      watch("gate", "alb-untracked", "2s", null);
      Await.until(
          WAIT,
          "ChangesTracked False (ChangeTrackingUnavailable)",
          () -> {
            AsyncJobWatch w = env.watch("gate");
            return w != null
                && w.getStatus() != null
                && Conditions.find(w.getStatus().getConditions(), Conditions.CHANGES_TRACKED)
                    .filter(
                        c ->
                            "False".equals(c.getStatus())
                                && "ChangeTrackingUnavailable".equals(c.getReason())
                                && c.getMessage().contains("albconfigs"))
                    .isPresent();
          });
      Await.until(WAIT, "Ready all the same", () -> readyIs("gate", "True", "Synced"));
      Await.until(
          WAIT,
          "a Warning Event ChangeTrackingUnavailable",
          () ->
              env.admin.v1().events().inNamespace(env.ns).list().getItems().stream()
                  .anyMatch(e -> "ChangeTrackingUnavailable".equals(e.getReason())));
    } finally {
      AlbConfigCrd.install(admin);
    }
  }

  /**
   * A DNS subdomain of 253 characters, the longest name of an Ingress, an AlbConfig or a watch:
   * {@code prefix} then {@code a}s, in labels of 63 characters.
   */
  private static String longestName(String prefix) {
    StringBuilder b = new StringBuilder(prefix);
    while (b.length() < 253) {
      b.append(b.length() % 64 == 63 ? '.' : 'a');
    }
    return b.toString();
  }

  @Test
  void theLongestNamesAreTrackedFencedAndReported() throws Exception {
    env = new IntegrationEnv("settle-longest", POLLS);
    String lb = "alb-settle-longest";
    String albConfig = longestName("albconfig");
    String ingress = longestName("ingress");
    String watch = longestName("watch");
    assertEquals(253, albConfig.length());
    existing(AlbConfigCrd.albConfig(env.admin, albConfig, Map.of(), lb));
    env.operator();
    watch(watch, lb, "2s", null);
    Await.until(WAIT, "Ready", () -> readyIs(watch, "True", "Synced"));
    Ingress web = ingress(ingress, albConfig);
    Await.until(Duration.ofSeconds(10), "Settling", () -> readyIs(watch, "False", "Settling"));
    SettleChange c = env.watch(watch).getStatus().getSettling().getChanges().get(0);
    assertEquals("Ingress", c.getKind());
    assertEquals(env.ns, c.getNamespace());
    assertEquals(ingress, c.getName());

    // The controller's SDK error can be long; `kubectl describe` shows all of it, the watch not.
    String message =
        "ApplyModel: QuotaExceeded.RulesPerListener: the listener has too many rules "
            + "x".repeat(10_000);
    event(web, "Warning", "FailedApplyModel", message, "longest.failed1");
    Await.until(WAIT, "Stalled ChangeFailed", () -> readyIs(watch, "False", "ChangeFailed"));
    AsyncJobWatch w = env.watch(watch);
    String failure = w.getStatus().getSettling().getChanges().get(0).getFailure();
    assertNotNull(failure);
    assertTrue(failure.length() <= 256, "the change's failure cut: " + failure.length());
    assertTrue(
        failure.startsWith("FailedApplyModel: ApplyModel: QuotaExceeded.RulesPerListener"),
        failure);
    Condition stalled = Conditions.find(w.getStatus().getConditions(), Conditions.STALLED).get();
    assertEquals("True", stalled.getStatus());
    assertTrue(
        stalled.getMessage().contains("Ingress " + env.ns + "/" + ingress), stalled.getMessage());
    assertTrue(
        stalled.getMessage().length() < 2000,
        "Stalled message of " + stalled.getMessage().length());
    Await.until(
        WAIT,
        "a Warning Event ChangeFailed on the watch",
        () ->
            env.admin.v1().events().inNamespace(env.ns).list().getItems().stream()
                .anyMatch(
                    e ->
                        "ChangeFailed".equals(e.getReason())
                            && watch.equals(e.getInvolvedObject().getName())
                            && "AsyncJobWatch".equals(e.getInvolvedObject().getKind())));

    event(web, "Normal", "SuccessfullyReconciled", "Successfully reconciled", "longest.ok1");
    Await.until(WAIT, "Ready after the retry succeeded", () -> readyIs(watch, "True", "Synced"));
    assertNull(env.watch(watch).getStatus().getSettling(), "status.settling gone when settled");
  }

  private boolean changesTracked(String watch) {
    AsyncJobWatch w = env.watch(watch);
    return w != null
        && w.getStatus() != null
        && Conditions.find(w.getStatus().getConditions(), Conditions.CHANGES_TRACKED)
            .filter(c -> "True".equals(c.getStatus()))
            .isPresent();
  }

  @Test
  void anOldAckNamespacedAlbConfigIsTrackedToo() throws Exception {
    var admin = io.albjobs.it.kube.SharedControlPlane.get().admin();
    AlbConfigCrd.remove(admin);
    try {
      AlbConfigCrd.installNamespaced(admin);
      env = new IntegrationEnv("settle-namespaced", POLLS);
      String lb = "alb-settle-namespaced";
      String ns = "kube-system";
      existing(AlbConfigCrd.albConfigIn(env.admin, ns, "settle-namespaced", Map.of(), lb));
      env.operator();
      watch("gate", lb, "2s", null);
      Await.until(WAIT, "Ready", () -> readyIs("gate", "True", "Synced"));
      Await.until(WAIT, "ChangesTracked True", () -> changesTracked("gate"));

      // An Ingress in the watch's namespace leads to the AlbConfig in kube-system.
      Ingress web = ingress("web", "settle-namespaced");
      Await.until(Duration.ofSeconds(10), "Settling", () -> readyIs("gate", "False", "Settling"));
      SettleChange c = env.watch("gate").getStatus().getSettling().getChanges().get(0);
      assertEquals("Ingress", c.getKind());
      assertEquals("web", c.getName());
      event(web, "Normal", "SuccessfullyReconciled", "Successfully reconciled", "web.ns1");
      Await.until(WAIT, "Ready after the Ingress", () -> readyIs("gate", "True", "Synced"));

      // A listener added to the AlbConfig itself.
      GenericKubernetesResource edited =
          env.admin
              .genericKubernetesResources(AlbConfigCrd.NAMESPACED_CONTEXT)
              .inNamespace(ns)
              .withName("settle-namespaced")
              .edit(
                  a -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> spec =
                        (Map<String, Object>) a.getAdditionalProperties().get("spec");
                    List<Object> listeners = new ArrayList<>((List<?>) spec.get("listeners"));
                    listeners.add(Map.of("port", 443, "protocol", "HTTPS"));
                    spec.put("listeners", listeners);
                    return a;
                  });
      Await.until(Duration.ofSeconds(10), "Settling", () -> readyIs("gate", "False", "Settling"));
      c = env.watch("gate").getStatus().getSettling().getChanges().get(0);
      assertEquals("AlbConfig", c.getKind());
      assertEquals(ns, c.getNamespace());
      assertEquals("settle-namespaced", c.getName());
      assertEquals("spec", c.getCause());
      event(
          edited,
          "Normal",
          "SuccessfullyReconciled",
          "Successfully reconciled",
          "settle-namespaced.ns2");
      Await.until(WAIT, "Ready after the AlbConfig", () -> readyIs("gate", "True", "Synced"));
      assertTrue(changesTracked("gate"), "ChangesTracked True");
    } finally {
      // kube-system outlives the test: its Events of the AlbConfig go with it.
      admin
          .v1()
          .events()
          .inNamespace("kube-system")
          .withField("involvedObject.name", "settle-namespaced")
          .delete();
      AlbConfigCrd.remove(admin);
      AlbConfigCrd.install(admin);
    }
  }
}
