package io.albjobs.it.chart;

import static io.albjobs.it.chart.Rendered.NAMESPACE;
import static io.albjobs.it.chart.Rendered.RELEASE;
import static io.albjobs.it.chart.Rendered.selects;
import static io.albjobs.it.chart.Rendered.texts;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.albjobs.operator.config.OperatorConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What {@code helm template} renders for every value combination of {@link Combination}: names,
 * labels, the restricted security context, probes and env, credentials only by secretKeyRef, and
 * optional objects only when enabled (RBAC: {@link ChartRbacIT}). Needs only helm, no API server.
 * An IT, not a unit test: helm comes from {@code scripts/provision-k8s.sh} (as the control plane of
 * {@link ChartIT} does), which a plain {@code mvn test} does not run; without helm every test fails
 * saying how to get it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ChartRenderIT {
  private static final Set<String> CLUSTER_SCOPED =
      Set.of("ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Namespace");

  static List<Combination> combinations() {
    return Combination.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void objectsAreNamedAfterTheReleaseAndNoSecretIsRendered(Combination c) {
    Rendered r = Rendered.of(c);
    assertAll(
        () -> r.one("Deployment", RELEASE),
        () -> r.one("Service", RELEASE),
        () -> r.one("ServiceAccount", RELEASE),
        () -> assertEquals(List.of(), r.ofKind("Secret"), "no Secret object rendered"),
        () ->
            assertFalse(
                r.text.contains("accessKeySecret:"), "no credential literal in the render"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void everyObjectHasItsNamespaceAndTheStandardLabels(Combination c) {
    for (JsonNode d : Rendered.of(c).docs) {
      String what = d.path("kind").asText() + "/" + d.path("metadata").path("name").asText();
      if (!CLUSTER_SCOPED.contains(d.path("kind").asText())) {
        assertFalse(
            d.path("metadata").path("namespace").asText().isEmpty(),
            what + " has metadata.namespace");
      }
      JsonNode labels = d.path("metadata").path("labels");
      assertTrue(
          labels.has("app.kubernetes.io/name") && labels.has("app.kubernetes.io/instance"),
          what + " carries app.kubernetes.io/name and app.kubernetes.io/instance");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void selectorsSelectThePodsAndTheServiceExposesMetrics(Combination c) {
    Rendered r = Rendered.of(c);
    JsonNode svc = r.one("Service", RELEASE).path("spec");
    assertAll(
        () ->
            assertTrue(
                selects(
                    r.deployment().path("spec").path("selector").path("matchLabels"),
                    r.podLabels()),
                "Deployment selector matches the pod labels"),
        () -> assertEquals("ClusterIP", svc.path("type").asText(), "metrics Service type"),
        () ->
            assertTrue(
                selects(svc.path("selector"), r.podLabels()), "metrics Service selects the pods"),
        () -> assertEquals(List.of("metrics"), names(svc.path("ports")), "metrics Service ports"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void thePodRunsAsTheServiceAccountUnderTheRestrictedSecurityContext(Combination c) {
    Rendered r = Rendered.of(c);
    JsonNode pod = r.pod();
    JsonNode psc = pod.path("securityContext");
    List<Executable> checks =
        new ArrayList<>(
            List.of(
                () ->
                    assertEquals(
                        RELEASE, pod.path("serviceAccountName").asText(), "serviceAccountName"),
                () ->
                    assertTrue(
                        pod.path("automountServiceAccountToken").asBoolean(false),
                        "automountServiceAccountToken: true"),
                () ->
                    assertEquals(
                        30,
                        pod.path("terminationGracePeriodSeconds").asInt(),
                        "terminationGracePeriodSeconds"),
                () -> assertTrue(psc.path("runAsNonRoot").asBoolean(false), "pod runAsNonRoot"),
                () -> assertEquals(65532, psc.path("runAsUser").asInt(), "pod runAsUser"),
                () ->
                    assertEquals(
                        "RuntimeDefault",
                        psc.path("seccompProfile").path("type").asText(),
                        "pod seccompProfile"),
                () ->
                    assertFalse(
                        pod.path("hostNetwork").asBoolean(false)
                            || pod.path("hostPID").asBoolean(false)
                            || pod.path("hostIPC").asBoolean(false),
                        "no host namespaces"),
                () ->
                    assertFalse(
                        StreamSupport.stream(pod.path("volumes").spliterator(), false)
                            .anyMatch(v -> v.has("hostPath")),
                        "no hostPath volume")));
    List<JsonNode> containers = new ArrayList<>();
    pod.path("containers").forEach(containers::add);
    pod.path("initContainers").forEach(containers::add);
    for (JsonNode ct : containers) {
      JsonNode sc = ct.path("securityContext");
      String who = "container " + ct.path("name").asText() + ": ";
      checks.add(() -> assertTrue(sc.path("runAsNonRoot").asBoolean(false), who + "runAsNonRoot"));
      checks.add(() -> assertEquals(65532, sc.path("runAsUser").asInt(), who + "runAsUser"));
      checks.add(
          () ->
              assertTrue(
                  sc.path("readOnlyRootFilesystem").asBoolean(false),
                  who + "readOnlyRootFilesystem"));
      checks.add(
          () ->
              assertFalse(
                  sc.path("allowPrivilegeEscalation").asBoolean(true),
                  who + "allowPrivilegeEscalation: false"));
      checks.add(() -> assertFalse(sc.path("privileged").asBoolean(false), who + "not privileged"));
      checks.add(
          () ->
              assertEquals(
                  List.of("ALL"),
                  texts(sc.path("capabilities").path("drop")),
                  who + "capabilities.drop"));
      checks.add(
          () ->
              assertTrue(
                  sc.path("capabilities").path("add").isEmpty(), who + "no capabilities added"));
      checks.add(
          () ->
              assertEquals(
                  "RuntimeDefault",
                  (sc.has("seccompProfile") ? sc : psc)
                      .path("seccompProfile")
                      .path("type")
                      .asText(),
                  who + "seccompProfile"));
    }
    assertAll(checks);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void theContainerHasATmpDirProbesOnTheMetricsPortAndItsEnv(Combination c) {
    Rendered r = Rendered.of(c);
    JsonNode ct = r.container();
    Map<String, JsonNode> env = r.env();
    Set<String> tmpMounts = new HashSet<>();
    ct.path("volumeMounts")
        .forEach(
            m -> {
              if ("/tmp".equals(m.path("mountPath").asText())) {
                tmpMounts.add(m.path("name").asText());
              }
            });
    List<JsonNode> tmp =
        StreamSupport.stream(r.pod().path("volumes").spliterator(), false)
            .filter(v -> tmpMounts.contains(v.path("name").asText()))
            .toList();
    JsonNode port = ct.path("ports").path(0);
    int svcPort = r.one("Service", RELEASE).path("spec").path("ports").path(0).path("port").asInt();
    assertAll(
        () ->
            assertTrue(
                tmp.size() == 1 && tmp.get(0).has("emptyDir"),
                "an emptyDir mounted at /tmp: " + tmp),
        () ->
            assertEquals(
                "metadata.name",
                env.getOrDefault("POD_NAME", missing())
                    .path("valueFrom")
                    .path("fieldRef")
                    .path("fieldPath")
                    .asText(),
                "POD_NAME from fieldRef metadata.name"),
        () ->
            assertTrue(
                String.valueOf(r.envValue("JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=75"),
                "JAVA_TOOL_OPTIONS has -XX:MaxRAMPercentage=75"),
        () -> assertEquals("json", r.envValue("LOG_FORMAT"), "LOG_FORMAT"),
        () -> assertEquals("metrics", port.path("name").asText(), "container port name"),
        () ->
            assertEquals(
                port.path("containerPort").asText(),
                r.envValue("HTTP_PORT"),
                "HTTP_PORT = container port"),
        () ->
            assertEquals(
                port.path("containerPort").asInt(), svcPort, "Service port = container port"),
        () ->
            assertEquals(
                "/healthz",
                ct.path("livenessProbe").path("httpGet").path("path").asText(),
                "liveness path"),
        () ->
            assertEquals(
                "metrics",
                ct.path("livenessProbe").path("httpGet").path("port").asText(),
                "liveness port"),
        () ->
            assertEquals(
                "/readyz",
                ct.path("readinessProbe").path("httpGet").path("path").asText(),
                "readiness path"),
        () ->
            assertEquals(
                "metrics",
                ct.path("readinessProbe").path("httpGet").path("port").asText(),
                "readiness port"),
        () ->
            assertFalse(
                ct.path("resources").path("requests").path("cpu").asText().isEmpty(),
                "cpu request"),
        () ->
            assertFalse(
                ct.path("resources").path("requests").path("memory").asText().isEmpty(),
                "memory request"),
        () ->
            assertFalse(
                ct.path("resources").path("limits").path("memory").asText().isEmpty(),
                "memory limit"));
  }

  /**
   * The operator's own credentials only where allowed, no plain HTTP, no extra endpoint host unless
   * asked.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void tenancySettingsReachTheContainer(Combination c) {
    Rendered r = Rendered.of(c);
    assertAll(
        () ->
            assertEquals(
                c.ambient == null ? NAMESPACE : c.ambient,
                r.envValue("AMBIENT_CREDENTIALS_NAMESPACES"),
                "AMBIENT_CREDENTIALS_NAMESPACES"),
        () ->
            assertEquals(
                c.insecure, r.envValue("ALLOW_INSECURE_ENDPOINTS"), "ALLOW_INSECURE_ENDPOINTS"),
        () ->
            assertEquals(c.hosts, r.envValue("ALLOWED_ENDPOINT_HOSTS"), "ALLOWED_ENDPOINT_HOSTS"));
  }

  /**
   * Settling: changeTracking.enabled and the settle durations reach the operator as the environment
   * variables of its settings (TRACK_INGRESS_CHANGES, SETTLE_PERIOD, SETTLE_TIMEOUT,
   * SETTLE_MARGIN).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void changeTrackingAndSettleSettingsReachTheContainer(Combination c) {
    Rendered r = Rendered.of(c);
    assertAll(
        () ->
            assertEquals(
                String.valueOf(c.changeTracking),
                r.envValue("TRACK_INGRESS_CHANGES"),
                "TRACK_INGRESS_CHANGES"),
        () -> assertEquals(c.settlePeriod, r.envValue("SETTLE_PERIOD"), "SETTLE_PERIOD"),
        () -> assertEquals(c.settleTimeout, r.envValue("SETTLE_TIMEOUT"), "SETTLE_TIMEOUT"),
        () -> assertEquals(c.settleMargin, r.envValue("SETTLE_MARGIN"), "SETTLE_MARGIN"));
  }

  /** Discovery and the phase label reach the operator (DISCOVER_INTERVAL, PHASE_LABEL). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void discoveryAndPhaseLabelSettingsReachTheContainer(Combination c) {
    Rendered r = Rendered.of(c);
    assertAll(
        () ->
            assertEquals(c.discoverInterval, r.envValue("DISCOVER_INTERVAL"), "DISCOVER_INTERVAL"),
        () -> assertEquals(c.phaseLabel, r.envValue("PHASE_LABEL"), "PHASE_LABEL"));
  }

  /**
   * Every environment variable the chart sets is one the operator reads: a setting of {@link
   * OperatorConfig.Setting} (a misspelt name would be ignored silently), the pod's identity, or the
   * JVM's and the Alibaba Cloud SDK's own variables.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void everyEnvVarTheChartSetsIsReadByTheOperator(Combination c) {
    Set<String> known = new HashSet<>(Set.of("POD_NAME", "POD_NAMESPACE", "JAVA_TOOL_OPTIONS"));
    for (OperatorConfig.Setting s : OperatorConfig.Setting.values()) {
      known.add(s.env());
    }
    List<String> unknown =
        Rendered.of(c).env().keySet().stream()
            .filter(n -> !known.contains(n))
            .filter(n -> !n.startsWith("ALIBABA_CLOUD_"))
            .toList();
    assertEquals(List.of(), unknown, "env vars the operator has no setting for");
  }

  /** Credentials only through secretKeyRef, and only when credentials.secretName is set. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void credentialsComeOnlyFromTheNamedSecret(Combination c) {
    Rendered r = Rendered.of(c);
    Map<String, JsonNode> env = r.env();
    List<String> literal =
        env.entrySet().stream()
            .filter(e -> e.getValue().has("value"))
            .map(Map.Entry::getKey)
            .filter(
                n ->
                    List.of("KEY", "SECRET", "TOKEN", "PASSWORD").stream()
                        .anyMatch(n.toUpperCase()::contains))
            .toList();
    assertEquals(List.of(), literal, "no credential-like env var with a literal value");
    List<String> keys =
        List.of(
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            "ALIBABA_CLOUD_SECURITY_TOKEN");
    if (c.credentialsSecret == null) {
      assertEquals(
          List.of(),
          env.keySet().stream()
              .filter(
                  n -> n.startsWith("ALIBABA_CLOUD_") && !n.equals("ALIBABA_CLOUD_STS_ENDPOINT"))
              .toList(),
          "no ALIBABA_CLOUD_* credentials without credentials.secretName");
      return;
    }
    List<String> secretKeys = List.of("accessKeyId", "accessKeySecret", "securityToken");
    for (int i = 0; i < keys.size(); i++) {
      JsonNode ref =
          env.getOrDefault(keys.get(i), missing()).path("valueFrom").path("secretKeyRef");
      boolean optional = i == 2;
      String key = keys.get(i);
      assertEquals(
          c.credentialsSecret,
          ref.path("name").asText(),
          key + " from the Secret credentials.secretName");
      assertEquals(secretKeys.get(i), ref.path("key").asText(), key + " key in the Secret");
      assertEquals(
          optional,
          ref.path("optional").asBoolean(false),
          key + (optional ? " optional" : " required"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void theStsEndpointReachesTheContainerOnlyWhenSet(Combination c) {
    assertEquals(
        c.stsEndpoint,
        Rendered.of(c).envValue("ALIBABA_CLOUD_STS_ENDPOINT"),
        "ALIBABA_CLOUD_STS_ENDPOINT");
  }

  /**
   * Replicas > 1 only with a Lease; the rollout strategy follows; a PodDisruptionBudget exactly
   * when replicas > 1.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void leaderElectionRolloutAndDisruptionBudget(Combination c) {
    Rendered r = Rendered.of(c);
    int replicas = r.deployment().path("spec").path("replicas").asInt();
    List<JsonNode> pdbs = r.ofKind("PodDisruptionBudget");
    List<Executable> checks =
        new ArrayList<>(
            List.of(
                () ->
                    assertEquals(
                        String.valueOf(c.leader), r.envValue("LEADER_ELECTION"), "LEADER_ELECTION"),
                () -> {
                  if (c.leader) {
                    assertEquals(NAMESPACE, r.envValue("LEASE_NAMESPACE"), "LEASE_NAMESPACE");
                  }
                },
                () ->
                    assertEquals(
                        c.leader ? "RollingUpdate" : "Recreate",
                        r.deployment().path("spec").path("strategy").path("type").asText(),
                        "rollout strategy"),
                () ->
                    assertEquals(
                        replicas > 1 ? 1 : 0,
                        pdbs.size(),
                        "a PodDisruptionBudget exactly when replicas > 1 (" + replicas + ")")));
    for (JsonNode p : pdbs) {
      checks.add(
          () -> assertEquals(1, p.path("spec").path("minAvailable").asInt(), "PDB minAvailable"));
      checks.add(
          () ->
              assertTrue(
                  selects(p.path("spec").path("selector").path("matchLabels"), r.podLabels()),
                  "PDB selects the pods"));
    }
    assertAll(checks);
  }

  /** Monitoring objects and the NetworkPolicy only when enabled. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void optionalObjectsOnlyWhenEnabled(Combination c) {
    Rendered r = Rendered.of(c);
    boolean dashboard =
        r.ofKind("ConfigMap").stream()
            .anyMatch(
                d ->
                    "1"
                        .equals(
                            d.path("metadata").path("labels").path("grafana_dashboard").asText()));
    assertAll(
        () ->
            assertEquals(
                c.monitoring.contains("sm"),
                !r.ofKind("ServiceMonitor").isEmpty(),
                "ServiceMonitor rendered"),
        () ->
            assertEquals(
                c.monitoring.contains("pr"),
                !r.ofKind("PrometheusRule").isEmpty(),
                "PrometheusRule rendered"),
        () ->
            assertEquals(
                c.monitoring.contains("gd"), dashboard, "Grafana dashboard ConfigMap rendered"),
        () ->
            assertEquals(
                c.networkPolicy, !r.ofKind("NetworkPolicy").isEmpty(), "NetworkPolicy rendered"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void theServiceAccountCarriesTheRrsaRoleAnnotationOnlyWhenSet(Combination c) {
    JsonNode role =
        Rendered.of(c)
            .one("ServiceAccount", RELEASE)
            .path("metadata")
            .path("annotations")
            .path("pod-identity.alibabacloud.com/role-name");
    assertEquals(
        c.rrsaRole,
        role.isMissingNode() ? null : role.asText(),
        "RRSA role annotation on the ServiceAccount");
  }

  private static List<String> names(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.path("name").asText()));
    return out;
  }

  private static JsonNode missing() {
    return MissingNode.getInstance();
  }
}
