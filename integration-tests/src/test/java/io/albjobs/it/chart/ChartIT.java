package io.albjobs.it.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.kube.AlbConfigCrd;
import io.albjobs.it.kube.ControlPlane;
import io.albjobs.it.kube.Kubectl;
import io.albjobs.it.kube.SharedControlPlane;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart against the real API server: the manifests of the value combinations that matter
 * apply; the pod template passes the restricted Pod Security Standard; and the operator, run as the
 * chart's ServiceAccount (impersonation), completes a simulator scenario — and, with one permission
 * taken away, fails with a Forbidden Event that names it. What the chart renders, object by object,
 * is checked without an API server in {@link ChartRenderIT} and {@link ChartValuesIT}.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ChartIT {
  private static ControlPlane cp;
  private static KubernetesClient admin;
  private static Kubectl kubectl;

  @BeforeAll
  static void setUp() {
    cp = SharedControlPlane.get();
    admin = cp.admin();
    kubectl = cp.kubectl();
    // The Prometheus Operator's kinds, as a cluster with it installed has them (schema-less).
    for (String[] kind :
        new String[][] {
          {"ServiceMonitor", "servicemonitors"}, {"PrometheusRule", "prometheusrules"}
        }) {
      String crd =
          "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: "
              + kind[1]
              + ".monitoring.coreos.com\nspec:\n  group: monitoring.coreos.com\n  scope: Namespaced\n  names:\n    kind: "
              + kind[0]
              + "\n    plural: "
              + kind[1]
              + "\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n"
              + "      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n";
      Kubectl.Result r = kubectl.run(crd, Duration.ofSeconds(30), "apply", "-f", "-");
      assertTrue(r.ok(), r.toString());
    }
    kubectl.run(
        "wait",
        "--for=condition=Established",
        "crd/servicemonitors.monitoring.coreos.com",
        "crd/prometheusrules.monitoring.coreos.com",
        "--timeout=30s");
    // ACK's AlbConfig CRD, so that the operator's change tracking can start under the chart's
    // RBAC (removed at the end: other suites rely on it being absent).
    AlbConfigCrd.install(admin);
  }

  @AfterAll
  static void removeAlbConfigCrd() {
    AlbConfigCrd.remove(admin);
  }

  private static void namespace(String name, boolean restricted) {
    var ns = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
    if (restricted) {
      ns.getMetadata()
          .setLabels(
              Map.of(
                  "pod-security.kubernetes.io/enforce",
                  "restricted",
                  "pod-security.kubernetes.io/enforce-version",
                  "latest"));
    }
    admin.resource(ns).serverSideApply();
  }

  /**
   * Value combinations of {@link Combination} applied here; ChartRenderIT checks what each renders.
   */
  static List<Combination> combinations() {
    return Combination.named("defaults", "namespaced", "leader-election-ha", "everything-on");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void renderedManifestsApplyAndPassTheRestrictedStandard(Combination c) {
    String ns = "chart-" + c.name;
    namespace(ns, true);
    for (String watched : c.watch) {
      namespace(watched, false);
    }
    String rendered = Helm.template("rel-" + c.name, ns, c.args);
    // Every object carries its namespace (Roles live in the watched namespaces), as helm install
    // puts them.
    Kubectl.Result applied = kubectl.run(rendered, Duration.ofSeconds(60), "apply", "-f", "-");
    assertTrue(applied.ok(), c.name + ":\n" + applied);
    List<HasMetadata> objects =
        admin.load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8))).items();
    Deployment deployment =
        objects.stream()
            .filter(o -> o instanceof Deployment)
            .map(o -> (Deployment) o)
            .findFirst()
            .orElseThrow();
    // No controller-manager runs here, so ask the API server directly whether its pod would be
    // admitted.
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("pss-check-" + c.name)
            .withNamespace(ns)
            .endMetadata()
            .withSpec(deployment.getSpec().getTemplate().getSpec())
            .build();
    Kubectl.Result dryRun =
        kubectl.run(
            Serialization.asYaml(pod),
            Duration.ofSeconds(30),
            "apply",
            "--dry-run=server",
            "-f",
            "-");
    assertTrue(dryRun.ok(), "the pod is refused under enforce=restricted:\n" + dryRun);
    assertFalse(dryRun.stderr().contains("would violate"), dryRun.stderr());
  }

  /** The operator's client as the chart's ServiceAccount (impersonated by the admin). */
  private static Config asServiceAccount(String system, String release) {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(cp.server())
        .withOauthToken(ControlPlane.ADMIN_TOKEN)
        .withTrustCerts(true)
        .withDisableHostnameVerification(true)
        .withImpersonateUsername("system:serviceaccount:" + system + ":" + release)
        .withImpersonateGroups(
            "system:serviceaccounts", "system:serviceaccounts:" + system, "system:authenticated")
        .build();
  }

  private static OperatorConfig operatorConfig(String system) {
    return OperatorConfig.from(
        List.of(
            "--http-port=0",
            "--leader-election=true",
            "--lease-namespace=" + system,
            "--poll-interval=2s",
            "--active-poll-interval=500ms",
            AlbSimulator.OPERATOR_FLAGS.get(0),
            AlbSimulator.OPERATOR_FLAGS.get(1)),
        Map.of());
  }

  private static boolean changesTracked(
      String namespace, String watch, String status, String reason, String inMessage) {
    AsyncJobWatch w =
        admin.resources(AsyncJobWatch.class).inNamespace(namespace).withName(watch).get();
    return w != null
        && w.getStatus() != null
        && w.getStatus().getConditions() != null
        && w.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    "ChangesTracked".equals(c.getType())
                        && status.equals(c.getStatus())
                        && reason.equals(c.getReason())
                        && c.getMessage() != null
                        && c.getMessage().contains(inMessage));
  }

  @Test
  void withoutTheChangeReaderBindingTheWatchNamesWhatItMayNotReadAndRecoversWhenGranted()
      throws Exception {
    String release = "alb-asyncjob-operator-untracked";
    String system = "alb-system-untracked";
    String team = "chart-untracked";
    namespace(system, true);
    namespace(team, false);
    Kubectl.Result applied =
        kubectl.run(Helm.template(release, system), Duration.ofSeconds(60), "apply", "-f", "-");
    assertTrue(applied.ok(), applied.toString());
    String binding = release + "-change-reader";
    var granted = admin.rbac().clusterRoleBindings().withName(binding).get();
    assertTrue(granted != null, "the chart binds " + binding + " (changeTracking.enabled)");
    admin.rbac().clusterRoleBindings().withName(binding).delete();
    Await.until(
        Duration.ofSeconds(30),
        "the binding gone",
        () -> admin.rbac().clusterRoleBindings().withName(binding).get() == null);
    admin
        .resource(Fixtures.credentials(team, "alb-creds", "LTAIchart", "chart-secret"))
        .serverSideApply();
    try (AlbSimulator sim = AlbSimulator.start();
        KubernetesClient client =
            new KubernetesClientBuilder().withConfig(asServiceAccount(system, release)).build()) {
      sim.addAccount("acct", "LTAIchart", "chart-secret");
      OperatorConfig config = operatorConfig(system);
      try (OperatorApp app =
          OperatorApp.start(
              config, client, OperatorApp.sdkClients(config), Clock.systemUTC(), false)) {
        admin
            .resource(
                Fixtures.watch(team, "lbs", sim.endpoint(), "alb-creds", List.of("alb-untracked")))
            .create();
        Await.until(
            Duration.ofSeconds(60),
            "ChangesTracked False (ChangeTrackingForbidden) naming what it may not list",
            () -> changesTracked(team, "lbs", "False", "ChangeTrackingForbidden", "may not list"));
        // The watch works as before without change tracking (after its own settle period).
        Await.until(
            Duration.ofSeconds(60),
            "Ready True all the same",
            () ->
                admin
                    .resources(AsyncJobWatch.class)
                    .inNamespace(team)
                    .withName("lbs")
                    .get()
                    .getStatus()
                    .getConditions()
                    .stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
        Await.until(
            Duration.ofSeconds(30),
            "a Warning Event ChangeTrackingForbidden",
            () ->
                admin.v1().events().inNamespace(team).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "ChangeTrackingForbidden".equals(e.getReason())
                                && "Warning".equals(e.getType())));

        // Granted again: the next attempt (every minute) starts tracking.
        granted.getMetadata().setResourceVersion(null);
        granted.getMetadata().setUid(null);
        granted.getMetadata().setManagedFields(null);
        granted.getMetadata().setCreationTimestamp(null);
        admin.resource(granted).create();
        Await.until(
            Duration.ofSeconds(150),
            "ChangesTracked True once the binding is back",
            () -> changesTracked(team, "lbs", "True", "ChangesTracked", ""));

        // Revoked while tracking: the running watches go on until they end (an API server
        // restart ends them here), then the informers cannot list again. The watch says so.
        admin.rbac().clusterRoleBindings().withName(binding).delete();
        Await.until(
            Duration.ofSeconds(30),
            "the binding gone again",
            () -> admin.rbac().clusterRoleBindings().withName(binding).get() == null);
        cp.restartApiServer();
        Await.until(
            Duration.ofSeconds(120),
            "ChangesTracked False (ChangeTrackingLost) naming the informers",
            () -> changesTracked(team, "lbs", "False", "ChangeTrackingLost", "ingresses"));
        Await.until(
            Duration.ofSeconds(30),
            "a Warning Event ChangeTrackingLost",
            () ->
                admin.v1().events().inNamespace(team).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "ChangeTrackingLost".equals(e.getReason())
                                && "Warning".equals(e.getType())));
        assertTrue(
            changesTracked(team, "lbs", "False", "ChangeTrackingLost", "ClusterRole"),
            "the message says what to check");
        admin.resource(granted).create();
        Await.until(
            Duration.ofSeconds(150),
            "ChangesTracked True again once the informers watch",
            () -> changesTracked(team, "lbs", "True", "ChangesTracked", ""));
      }
    }
  }

  @Test
  void theOperatorRunsAsTheChartsServiceAccountAndAMissingPermissionIsNamed() throws Exception {
    String release = "alb-asyncjob-operator";
    String system = "alb-system";
    String team = "chart-workload";
    namespace(system, true);
    namespace(team, false);
    Kubectl.Result applied =
        kubectl.run(Helm.template(release, system), Duration.ofSeconds(60), "apply", "-f", "-");
    assertTrue(applied.ok(), applied.toString());
    admin
        .resource(Fixtures.credentials(team, "alb-creds", "LTAIchart", "chart-secret"))
        .serverSideApply();

    Config asServiceAccount = asServiceAccount(system, release);
    Instant t0 = Instant.now();
    try (AlbSimulator sim = AlbSimulator.start();
        KubernetesClient client =
            new KubernetesClientBuilder().withConfig(asServiceAccount).build()) {
      sim.addAccount("acct", "LTAIchart", "chart-secret");
      for (int i = 0; i < 4; i++) {
        var b =
            SimJob.builder("CHART-" + i, "acct")
                .region("cn-hangzhou")
                .api("CreateListener", "Create")
                .resource("loadbalancer", "alb-chart")
                .createdAt(t0.minusSeconds(30 - i));
        sim.addJob(
            i == 3
                ? b.failsAt(t0.plusSeconds(2), "QuotaExceeded.Listener", "quota").build()
                : b.succeedsAt(t0.plusSeconds(2)).build());
      }
      OperatorConfig config = operatorConfig(system);
      try (OperatorApp app =
          OperatorApp.start(
              config, client, OperatorApp.sdkClients(config), Clock.systemUTC(), false)) {
        admin
            .resource(
                Fixtures.watch(team, "lbs", sim.endpoint(), "alb-creds", List.of("alb-chart")))
            .create();
        Await.until(
            Duration.ofSeconds(60),
            "the scenario completes under the chart's RBAC",
            () -> {
              List<AsyncJob> jobs =
                  admin.resources(AsyncJob.class).inNamespace(team).list().getItems();
              return jobs.size() == 4
                  && jobs.stream()
                      .allMatch(j -> j.getStatus() != null && j.getStatus().isFinished());
            });
        assertEquals(
            JobPhase.Failed,
            admin
                .resources(AsyncJob.class)
                .inNamespace(team)
                .withName("chart-3")
                .get()
                .getStatus()
                .getPhase());
        assertTrue(
            admin.v1().events().inNamespace(team).list().getItems().stream()
                .anyMatch(e -> "JobFailed".equals(e.getReason())),
            "Events are allowed and written");
        assertTrue(
            admin.leases().inNamespace(system).list().getItems().stream()
                .anyMatch(l -> l.getSpec().getHolderIdentity() != null),
            "the Lease is held in the release namespace");
        // The change-reader ClusterRole (changeTracking.enabled, the default) is enough for the
        // operator to read Ingresses, IngressClasses, AlbConfigs and Events: the load-balancer
        // watch says ChangesTracked, not ChangeTrackingForbidden.
        Await.until(
            Duration.ofSeconds(60),
            "the watch reports ChangesTracked=True under the chart's RBAC",
            () -> {
              AsyncJobWatch w =
                  admin.resources(AsyncJobWatch.class).inNamespace(team).withName("lbs").get();
              return w.getStatus() != null
                  && w.getStatus().getConditions() != null
                  && w.getStatus().getConditions().stream()
                      .anyMatch(
                          c ->
                              "ChangesTracked".equals(c.getType())
                                  && "True".equals(c.getStatus())
                                  && "ChangesTracked".equals(c.getReason()));
            });

        // Take away one permission the operator needs: writing AsyncJob status.
        ClusterRole role = admin.rbac().clusterRoles().withName(release).get();
        List<PolicyRule> rules = new ArrayList<>();
        for (PolicyRule rule : role.getRules()) {
          if (rule.getResources().contains("asyncjobs/status")) {
            List<String> resources = new ArrayList<>(rule.getResources());
            resources.remove("asyncjobs/status");
            if (resources.isEmpty()) {
              continue;
            }
            rule.setResources(resources);
          }
          rules.add(rule);
        }
        role.setRules(rules);
        role.getMetadata().setManagedFields(null);
        admin.resource(role).update();
        sim.addJob(
            SimJob.builder("CHART-NEW", "acct")
                .region("cn-hangzhou")
                .api("CreateRule", "Create")
                .resource("loadbalancer", "alb-chart")
                .createdAt(Instant.now())
                .succeedsAt(Instant.now().plusSeconds(1))
                .build());
        Await.until(
            Duration.ofSeconds(60),
            "a Forbidden Event naming the permission",
            () ->
                admin.v1().events().inNamespace(team).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "Forbidden".equals(e.getReason())
                                && e.getMessage().contains("asyncjobs/status")));
        Event forbidden =
            admin.v1().events().inNamespace(team).list().getItems().stream()
                .filter(e -> "Forbidden".equals(e.getReason()))
                .findFirst()
                .orElseThrow();
        System.out.println("Forbidden Event: " + forbidden.getMessage());
        assertTrue(
            forbidden.getMessage().contains("cannot patch resource \"asyncjobs/status\""),
            forbidden.getMessage());
        assertTrue(
            forbidden.getMessage().contains("system:serviceaccount:" + system + ":" + release),
            forbidden.getMessage());
      }
    }
  }
}
