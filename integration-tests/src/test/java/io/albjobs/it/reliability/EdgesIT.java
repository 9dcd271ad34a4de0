package io.albjobs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.albjobs.it.IntegrationEnv;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.operator.write.JobNames;
import io.albjobs.operator.write.Labels;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The edges users hit on a real API server: names and IDs that do not fit a label value, the
 * documented {@code -l} selectors on them, suspend/resume cycles, an ALB status word the operator
 * does not know, a write the API server refuses, and a deleted watch's metric series.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EdgesIT {
  private IntegrationEnv env;

  @AfterEach
  void stop() {
    if (env != null) {
      env.close();
    }
  }

  private static Instant ago(int seconds) {
    return Instant.now().minusSeconds(seconds);
  }

  private List<AsyncJob> selectByField(String selector) {
    String[] kv = selector.split("=", 2);
    return env.admin
        .resources(AsyncJob.class)
        .inNamespace(env.ns)
        .withField(kv[0], kv[1])
        .list()
        .getItems();
  }

  private List<AsyncJob> select(String selector) {
    return env.admin
        .resources(AsyncJob.class)
        .inNamespace(env.ns)
        .withLabelSelector(selector)
        .list()
        .getItems();
  }

  private static Condition condition(AsyncJob job, String type) {
    return job.getStatus() == null
        ? null
        : Conditions.find(job.getStatus().getConditions(), type).orElse(null);
  }

  @Test
  void longNamesAndOddIdsAreMirroredAndSelectable() throws Exception {
    env = new IntegrationEnv("edges-names-it");
    String longApi = "Create" + "VeryLongApiName".repeat(6) + "Done";
    assertEquals(100, longApi.length());
    String longId = "J" + "0123456789abcdefABCDEF-".repeat(5).substring(0, 99);
    String longResource = "alb-" + "r".repeat(96);
    String scenario =
        """
        {"jobs": [
          {"id": "lower-case-job-1", "accountId": "acct", "regionId": "cn-hangzhou", "apiName": "CreateRule",
           "operateType": "Create", "resourceType": "loadbalancer", "resourceId": "alb-edge", "createdAt": "-30s",
           "duration": "5s"},
          {"id": "Mixed-Case-Job-2", "accountId": "acct", "regionId": "cn-hangzhou", "apiName": "%s",
           "operateType": "Create", "resourceType": "loadbalancer", "resourceId": "alb-edge", "createdAt": "-29s",
           "duration": "5s", "outcome": "Failed", "errorCode": "Odd.Error", "errorMessage": "failed on purpose"},
          {"id": "%s", "accountId": "acct", "regionId": "cn-hangzhou", "apiName": "UpdateListenerAttribute",
           "operateType": "Update", "resourceType": "loadbalancer", "resourceId": "%s", "createdAt": "-28s",
           "duration": "5s", "outcome": "succeeded"},
          {"id": "ODD-STATUS-4", "accountId": "acct", "regionId": "cn-hangzhou", "apiName": "CreateListener",
           "operateType": "Create", "resourceType": "loadbalancer", "resourceId": "alb-edge", "createdAt": "-27s",
           "runningStatus": "Rollbacking"}
        ]}
        """
            .formatted(longApi, longId, longResource);
    env.sim.loadScenario(
        new ByteArrayInputStream(scenario.getBytes(StandardCharsets.UTF_8)), Instant.now());
    OperatorApp app = env.operator();
    String name = "w" + "x".repeat(249) + "-z1";
    assertEquals(253, name.length());
    env.admin
        .resource(
            Fixtures.watch(
                env.ns, name, env.sim.endpoint(), "alb-creds", List.of("alb-edge", longResource)))
        .create();

    Await.until(
        Duration.ofSeconds(60),
        "all 4 jobs mirrored, 3 finished",
        () -> {
          List<AsyncJob> jobs = env.jobs();
          return jobs.size() == 4
              && jobs.stream()
                      .filter(j -> j.getStatus() != null && j.getStatus().isFinished())
                      .count()
                  == 3;
        });
    Await.until(
        Duration.ofSeconds(30),
        "the watch shows its roll-up",
        () -> {
          AsyncJobWatch w = env.watch(name);
          return w.getStatus() != null
              && w.getStatus().getJobs() != null
              && w.getStatus().getJobs().getFailed() == 1
              && w.getStatus().getJobs().getSucceeded() == 2
              && w.getStatus().getJobs().getProcessing() == 1;
        });
    AsyncJobWatch watch = env.watch(name);
    String selector = watch.getStatus().getJobSelector();
    assertEquals(Labels.WATCH + "=" + Labels.value(name), selector);
    assertTrue(selector.length() < 100, selector);
    assertEquals(4, select(selector).size(), "-l " + selector);
    assertEquals(
        name,
        env.jobs().get(0).getMetadata().getOwnerReferences().get(0).getName(),
        "full name in the owner");

    Map<String, String> ids =
        Map.of(
            "lower-case-job-1",
            "lower-case-job-1",
            "Mixed-Case-Job-2",
            "Mixed-Case-Job-2",
            longId,
            Labels.value(longId),
            "ODD-STATUS-4",
            "ODD-STATUS-4");
    for (var e : ids.entrySet()) {
      List<AsyncJob> found = select(Labels.JOB_ID + "=" + e.getValue());
      assertEquals(1, found.size(), "-l job-id=" + e.getValue());
      assertEquals(e.getKey(), found.get(0).getSpec().getJobId());
      assertEquals(JobNames.forJobId(e.getKey()), found.get(0).getMetadata().getName());
    }
    assertEquals(
        1,
        select(Labels.API_NAME + "=" + Labels.value(longApi)).size(),
        "-l api-name, 100 characters");
    assertEquals(
        longApi,
        select(Labels.API_NAME + "=" + Labels.value(longApi)).get(0).getStatus().getApiName());
    assertEquals(
        1, select(Labels.RESOURCE_ID + "=" + Labels.value(longResource)).size(), "-l resource-id");
    assertEquals(3, select(Labels.RESOURCE_ID + "=alb-edge").size());
    assertEquals(4, select(Labels.RESOURCE_TYPE + "=loadbalancer").size());
    // status.phase by field selector (CRD selectableFields); no phase label on 1.31+ (auto).
    assertEquals(1, selectByField("status.phase=Failed").size());
    assertEquals(
        2,
        selectByField("status.phase=Succeeded").size(),
        "'succeeded' in lower case is Succeeded");
    assertEquals(
        1,
        env.admin
            .resources(AsyncJob.class)
            .inNamespace(env.ns)
            .withLabelSelector(selector)
            .withField("status.phase", "Processing")
            .list()
            .getItems()
            .size(),
        "a label and a field selector together");
    assertEquals(0, select(Labels.PHASE).size(), "no albjobs.io/phase label is written");

    AsyncJob odd = env.job(JobNames.forJobId("ODD-STATUS-4"));
    Condition reconciling = condition(odd, Conditions.RECONCILING);
    assertEquals("UnknownAlbStatus", reconciling.getReason());
    assertTrue(reconciling.getMessage().contains("\"Rollbacking\""), reconciling.getMessage());
    assertEquals(JobPhase.Processing, odd.getStatus().getPhase());
    Await.until(
        Duration.ofSeconds(20),
        "an UnknownAlbStatus Event on the job",
        () ->
            events().stream()
                .anyMatch(
                    ev ->
                        "UnknownAlbStatus".equals(ev.getReason())
                            && odd.getMetadata()
                                .getName()
                                .equals(ev.getInvolvedObject().getName())));
    assertEquals(
        1.0,
        app.registry()
            .get("albjobs_unknown_status_total")
            .tag("status", "rollbacking")
            .counter()
            .count());
    long callsBefore = env.sim.callCount();
    Await.until(
        Duration.ofSeconds(30),
        "the odd job is still polled",
        () -> env.sim.callCount() > callsBefore);
    Instant synced = Instant.parse(env.watch(name).getStatus().getLastSuccessfulSyncTime());
    assertTrue(synced.isAfter(Instant.now().minusSeconds(30)), "recent poll " + synced);
    assertEquals(
        1L,
        events().stream().filter(ev -> "UnknownAlbStatus".equals(ev.getReason())).count(),
        "one Event per job and word");
    assertEquals(
        1.0,
        app.registry()
            .get("albjobs_unknown_status_total")
            .tag("status", "rollbacking")
            .counter()
            .count(),
        "counted once per job and word, not per poll");
  }

  private List<Event> events() {
    return env.admin.v1().events().inNamespace(env.ns).list().getItems();
  }

  @Test
  void suspendAndResumeInAnyOrderNeverThrowsNorPollsWhileSuspended() throws Exception {
    env = new IntegrationEnv("edges-suspend-it");
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    root.addAppender(log);
    try {
      env.sim.addJob(
          SimJob.builder("BEFORE-1", "acct")
              .resource("loadbalancer", "alb-s")
              .createdAt(ago(20))
              .succeedsAt(ago(10))
              .build());
      OperatorApp app = env.operator();
      AsyncJobWatch w =
          Fixtures.watch(env.ns, "cycled", env.sim.endpoint(), "alb-creds", List.of("alb-s"));
      w.getSpec().setPollInterval("5s");
      w.getSpec().setActivePollInterval("1s");
      w.getSpec().setSuspend(true); // created suspended: never polled until resumed
      env.admin.resource(w).create();
      Await.until(Duration.ofSeconds(30), "shown Suspended", () -> suspended(env.watch("cycled")));
      assertEquals(0, env.sim.callCount(), "no ALB call for a watch created suspended");
      for (int cycle = 1; cycle <= 3; cycle++) {
        String id = "DURING-" + cycle;
        env.sim.addJob(
            SimJob.builder(id, "acct")
                .resource("loadbalancer", "alb-s")
                .createdAt(ago(1))
                .succeedsAt(Instant.now().plusSeconds(1))
                .build());
        setSuspend(false);
        Await.until(
            Duration.ofSeconds(40),
            id + " mirrored after resume",
            () -> {
              AsyncJob j = env.job(JobNames.forJobId(id));
              return j != null
                  && j.getStatus() != null
                  && j.getStatus().getPhase() == JobPhase.Succeeded;
            });
        final int c = cycle;
        Await.until(
            Duration.ofSeconds(20),
            "series while polling (cycle " + c + ")",
            () -> app.registry().find("albjobs_watch_jobs").tag("watch", "cycled").gauge() != null);
        setSuspend(true);
        Await.until(
            Duration.ofSeconds(30), "shown Suspended", () -> suspended(env.watch("cycled")));
        long calls = env.sim.callCount();
        // Longer than the poll interval: a poll scheduled before the suspension would have run.
        Instant until = Instant.now().plusSeconds(6);
        Await.until(Duration.ofSeconds(10), "6 s pass", () -> Instant.now().isAfter(until));
        assertEquals(
            calls, env.sim.callCount(), "no ALB call while suspended (cycle " + cycle + ")");
        assertEquals(
            null,
            app.registry().find("albjobs_watch_jobs").tag("watch", "cycled").gauge(),
            "no series while suspended");
        setSuspend(true); // suspending a suspended watch is no change
        setSuspend(false);
        setSuspend(true);
      }
      setSuspend(false);
      Await.until(
          Duration.ofSeconds(30),
          "polling again",
          () -> app.registry().find("albjobs_watch_jobs").tag("watch", "cycled").gauge() != null);
      env.admin.resources(AsyncJobWatch.class).inNamespace(env.ns).withName("cycled").delete();
      Await.until(
          Duration.ofSeconds(30),
          "a deleted watch's series are dropped",
          () ->
              app.registry().find("albjobs_watch_jobs").tag("watch", "cycled").gauge() == null
                  && app.registry()
                          .find("albjobs_watch_last_successful_poll_timestamp_seconds")
                          .tag("watch", "cycled")
                          .gauge()
                      == null);
      List<String> loud =
          log.list.stream()
              .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
              .filter(
                  e ->
                      e.getThrowableProxy() != null
                          || e.getFormattedMessage().contains("Exception"))
              .map(
                  e ->
                      e.getLevel()
                          + " "
                          + e.getLoggerName()
                          + ": "
                          + e.getFormattedMessage()
                          + (e.getThrowableProxy() == null
                              ? ""
                              : " "
                                  + e.getThrowableProxy().getClassName()
                                  + ": "
                                  + e.getThrowableProxy().getMessage()))
              .collect(Collectors.toList());
      assertTrue(loud.isEmpty(), "exceptions logged at WARN or above:\n" + String.join("\n", loud));
      System.out.println(
          "suspend/resume: 3 cycles + 6 extra toggles, "
              + log.list.size()
              + " log lines, "
              + env.sim.callCount()
              + " ALB calls, no exception logged");
    } finally {
      root.detachAppender(log);
    }
  }

  private void setSuspend(boolean suspend) {
    // A merge patch, as kubectl patch does: no resourceVersion, so no conflict with status writes.
    env.admin
        .resources(AsyncJobWatch.class)
        .inNamespace(env.ns)
        .withName("cycled")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":{\"suspend\":" + suspend + "}}");
  }

  private static boolean suspended(AsyncJobWatch w) {
    return w.getStatus() != null
        && Conditions.find(w.getStatus().getConditions(), Conditions.READY)
            .map(
                c ->
                    "Suspended".equals(c.getReason())
                        && w.getMetadata().getGeneration().equals(c.getObservedGeneration()))
            .orElse(false);
  }

  @Test
  void aWriteTheApiServerRefusesEndsOnTheWatchAndOthersGoOn() throws Exception {
    env = new IntegrationEnv("edges-refused-it");
    String policy =
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: edges-it-refuse}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
            - apiGroups: ["albjobs.io"]
              apiVersions: ["*"]
              operations: ["CREATE", "UPDATE"]
              resources: ["asyncjobs"]
          validations:
          - expression: "!object.metadata.name.startsWith('refused-') || !has(object.metadata.labels) || !('albjobs.io/phase' in object.metadata.labels)"
            message: "AsyncJobs named refused-* are refused by policy edges-it-refuse"
            reason: Invalid
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: edges-it-refuse}
        spec:
          policyName: edges-it-refuse
          validationActions: [Deny]
          matchResources:
            namespaceSelector:
              matchLabels: {kubernetes.io/metadata.name: edges-refused-it}
        """;
    try {
      env.admin
          .load(new ByteArrayInputStream(policy.getBytes(StandardCharsets.UTF_8)))
          .serverSideApply();
      AsyncJob probe = Fixtures.userJob(env.ns, "refused-probe", "PROBE", null, null);
      probe.getMetadata().setLabels(Map.of(Labels.PHASE, "Pending"));
      Await.until(
          Duration.ofSeconds(30),
          "the policy is in force",
          () -> {
            try {
              env.admin.resource(probe).create();
              env.admin.resource(probe).delete();
              return false;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
              return e.getCode() == 422;
            }
          });
      env.sim.addJob(
          SimJob.builder("REFUSED-1", "acct")
              .resource("loadbalancer", "alb-refused")
              .createdAt(ago(20))
              .succeedsAt(ago(10))
              .build());
      env.sim.addJob(
          SimJob.builder("FINE-1", "acct")
              .resource("loadbalancer", "alb-fine")
              .createdAt(ago(20))
              .succeedsAt(ago(10))
              .build());
      env.sim.addJob(
          SimJob.builder("USER-1", "acct")
              .resource("loadbalancer", "alb-none")
              .createdAt(ago(20))
              .build());
      // The policy refuses AsyncJobs refused-* with the phase label: the label written (true).
      OperatorApp app = env.operator("--phase-label=true");
      env.admin
          .resource(
              Fixtures.userJob(env.ns, "refused-user", "USER-1", env.sim.endpoint(), "alb-creds"))
          .create();
      env.admin
          .resource(
              Fixtures.watch(
                  env.ns, "refused", env.sim.endpoint(), "alb-creds", List.of("alb-refused")))
          .create();
      env.admin
          .resource(
              Fixtures.watch(env.ns, "fine", env.sim.endpoint(), "alb-creds", List.of("alb-fine")))
          .create();
      Await.until(
          Duration.ofSeconds(60),
          "the refused write shown on the watch",
          () -> {
            AsyncJobWatch w = env.watch("refused");
            return w.getStatus() != null
                && Conditions.find(w.getStatus().getConditions(), Conditions.STALLED)
                    .map(
                        c ->
                            "True".equals(c.getStatus())
                                && "KubernetesWriteRefused".equals(c.getReason()))
                    .orElse(false);
          });
      Condition stalled =
          Conditions.find(env.watch("refused").getStatus().getConditions(), Conditions.STALLED)
              .orElseThrow();
      System.out.println("Stalled/" + stalled.getReason() + ": " + stalled.getMessage());
      assertTrue(
          stalled.getMessage().contains("HTTP 422")
              && stalled.getMessage().contains("edges-it-refuse"),
          stalled.getMessage());
      assertFalse(
          Conditions.isTrue(env.watch("refused").getStatus().getConditions(), Conditions.READY));
      Await.until(
          Duration.ofSeconds(20),
          "a KubernetesWriteRefused Event on the watch",
          () ->
              events().stream()
                  .anyMatch(
                      ev ->
                          "KubernetesWriteRefused".equals(ev.getReason())
                              && "refused".equals(ev.getInvolvedObject().getName())));
      Await.until(
          Duration.ofSeconds(30),
          "the watch beside it mirrors its job",
          () -> {
            AsyncJob j = env.job("fine-1");
            return j != null
                && j.getStatus() != null
                && j.getStatus().getPhase() == JobPhase.Succeeded;
          });
      Await.until(
          Duration.ofSeconds(30),
          "a KubernetesWriteRefused Event on the user's AsyncJob",
          () ->
              events().stream()
                  .anyMatch(
                      ev ->
                          "KubernetesWriteRefused".equals(ev.getReason())
                              && "refused-user".equals(ev.getInvolvedObject().getName())));
      long writes = app.statusWrites();
      Instant settle = Instant.now().plusSeconds(5);
      Await.until(Duration.ofSeconds(10), "retries settle", () -> Instant.now().isAfter(settle));
      long refusedEvents =
          events().stream()
              .filter(
                  ev ->
                      "KubernetesWriteRefused".equals(ev.getReason())
                          && "refused".equals(ev.getInvolvedObject().getName()))
              .count();
      assertEquals(1, refusedEvents, "one Event per problem, not one per retry");
      System.out.println(
          "status writes in 5 s after the refusals: " + (app.statusWrites() - writes));
      assertTrue(
          app.statusWrites() - writes < 20, "no write loop: " + (app.statusWrites() - writes));
    } finally {
      env.admin.load(new ByteArrayInputStream(policy.getBytes(StandardCharsets.UTF_8))).delete();
    }
  }
}
