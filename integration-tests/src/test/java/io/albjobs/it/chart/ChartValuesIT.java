package io.albjobs.it.chart;

import static io.albjobs.it.chart.Rendered.RELEASE;
import static io.albjobs.it.chart.Rendered.YAML;
import static io.albjobs.it.chart.Rendered.selects;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What particular chart values render to: the monitoring objects (ServiceMonitor, the
 * PrometheusRule built from files/alerts.yaml, the dashboard), the NetworkPolicy, and the values
 * the schema or the templates refuse. Needs only helm, see {@link ChartRenderIT}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ChartValuesIT {
  private static final List<String> ALERTS =
      List.of(
          "AlbAsyncJobFailed",
          "AlbAsyncJobStuck",
          "AlbAsyncJobPollingStale",
          "AlbAsyncJobThrottling",
          "AlbAsyncJobOperatorDown");

  static List<Combination> withServiceMonitor() {
    return Combination.all().stream().filter(c -> c.monitoring.contains("sm")).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("withServiceMonitor")
  void theServiceMonitorScrapesTheMetricsService(Combination c) {
    Rendered r = Rendered.of(c);
    JsonNode sm = r.one("ServiceMonitor", null);
    JsonNode endpoint = sm.path("spec").path("endpoints").path(0);
    assertAll(
        () ->
            assertEquals("monitoring.coreos.com/v1", sm.path("apiVersion").asText(), "apiVersion"),
        () ->
            assertTrue(
                selects(
                    sm.path("spec").path("selector").path("matchLabels"),
                    r.one("Service", RELEASE).path("metadata").path("labels")),
                "selects the metrics Service"),
        () -> assertEquals("metrics", endpoint.path("port").asText(), "endpoint port"),
        () -> assertEquals("/metrics", endpoint.path("path").asText(), "endpoint path"));
  }

  /** Combinations with the PrometheusRule at its default thresholds. */
  static List<Combination> withDefaultRules() {
    return Combination.all().stream()
        .filter(c -> c.monitoring.contains("pr") && !c.name.equals("monitoring-thresholds"))
        .toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("withDefaultRules")
  void thePrometheusRuleWithDefaultValuesIsFilesAlertsYaml(Combination c) throws IOException {
    JsonNode spec = Rendered.of(c).one("PrometheusRule", null).path("spec");
    assertEquals(
        YAML.readTree(Helm.CHART.resolve("files/alerts.yaml").toFile()),
        spec,
        "the PrometheusRule with default values equals files/alerts.yaml (what promtool tests)");
    assertEquals(
        ALERTS,
        rules(spec).stream().map(r -> r.path("alert").asText()).toList(),
        "the alerts, in order");
  }

  @Test
  void alertThresholdsJobAndLabelsComeFromTheValues() {
    JsonNode spec = Rendered.of("monitoring-thresholds").one("PrometheusRule", null).path("spec");
    Map<String, String> expr = new LinkedHashMap<>();
    rules(spec).forEach(r -> expr.put(r.path("alert").asText(), r.path("expr").asText()));
    assertAll(
        () ->
            assertTrue(
                expr.get("AlbAsyncJobStuck").contains("> 45 * 60")
                    && !expr.get("AlbAsyncJobStuck").contains("30 * 60"),
                "stuckJobMinutes=45 -> AlbAsyncJobStuck '> 45 * 60': "
                    + expr.get("AlbAsyncJobStuck")),
        () ->
            assertTrue(
                expr.get("AlbAsyncJobPollingStale").contains("> 20 * 60")
                    && !expr.get("AlbAsyncJobPollingStale").contains("10 * 60"),
                "stalePollMinutes=20 -> AlbAsyncJobPollingStale '> 20 * 60': "
                    + expr.get("AlbAsyncJobPollingStale")),
        () ->
            assertTrue(
                expr.get("AlbAsyncJobThrottling").contains("> 0.35")
                    && !expr.get("AlbAsyncJobThrottling").contains("> 0.2"),
                "throttlingRatio=0.35 -> AlbAsyncJobThrottling '> 0.35': "
                    + expr.get("AlbAsyncJobThrottling")),
        () ->
            assertTrue(
                expr.get("AlbAsyncJobOperatorDown").contains("job=\"my-scrape-job\""),
                "operatorJob -> AlbAsyncJobOperatorDown job=\"my-scrape-job\": "
                    + expr.get("AlbAsyncJobOperatorDown")),
        () ->
            assertTrue(
                rules(spec).stream()
                    .allMatch(
                        r ->
                            "platform".equals(r.path("labels").path("team").asText())
                                && !r.path("labels").path("severity").asText().isEmpty()),
                "alertLabels added to every alert, severity kept"));
  }

  static List<Combination> withDashboard() {
    return Combination.all().stream().filter(c -> c.monitoring.contains("gd")).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("withDashboard")
  void theDashboardConfigMapHoldsTheDashboardFile(Combination c) throws IOException {
    JsonNode cm =
        Rendered.of(c).ofKind("ConfigMap").stream()
            .filter(
                d ->
                    "1"
                        .equals(
                            d.path("metadata").path("labels").path("grafana_dashboard").asText()))
            .findFirst()
            .orElseThrow();
    ObjectMapper json = new ObjectMapper();
    assertEquals(
        json.readTree(dashboardFile()),
        json.readTree(cm.path("data").path("alb-asyncjob-operator.json").asText()),
        "the ConfigMap holds dashboards/alb-asyncjob-operator.json");
  }

  /**
   * The dashboard file itself: its variables and Grafana schema version, every query on the chosen
   * data source.
   */
  @Test
  void theDashboardHasItsVariablesAndEveryQueryUsesTheChosenDataSource() throws IOException {
    JsonNode dash = new ObjectMapper().readTree(dashboardFile());
    Map<String, JsonNode> vars = new LinkedHashMap<>();
    dash.path("templating").path("list").forEach(v -> vars.put(v.path("name").asText(), v));
    List<JsonNode> targets = new ArrayList<>();
    collectTargets(dash.path("panels"), targets);
    int schema = dash.path("schemaVersion").asInt();
    assertAll(
        () ->
            assertEquals(
                "datasource",
                vars.getOrDefault("datasource", MissingNode.getInstance()).path("type").asText(),
                "a datasource variable"),
        () ->
            assertEquals(
                "prometheus",
                vars.getOrDefault("datasource", MissingNode.getInstance()).path("query").asText(),
                "of Prometheus data sources"),
        () ->
            assertTrue(
                vars.containsKey("namespace") && vars.containsKey("watch"),
                "namespace and watch variables: " + vars.keySet()),
        () -> assertTrue(schema >= 36 && schema <= 41, "schemaVersion " + schema + " in 36..41"),
        () -> assertFalse(targets.isEmpty(), "the dashboard has queries"),
        () ->
            assertEquals(
                List.of(),
                targets.stream()
                    .filter(t -> !"${datasource}".equals(t.path("datasource").path("uid").asText()))
                    .map(t -> t.path("expr").asText())
                    .toList(),
                "queries not on ${datasource}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("withNetworkPolicy")
  void theNetworkPolicyAdmitsOnlyTheMetricsPortAndLetsOutDnsApiServerAndHttps(Combination c) {
    Rendered r = Rendered.of(c);
    JsonNode np = r.one("NetworkPolicy", null).path("spec");
    int port = r.container().path("ports").path(0).path("containerPort").asInt();
    List<String> ingress = new ArrayList<>();
    np.path("ingress")
        .forEach(
            rule ->
                rule.path("ports")
                    .forEach(
                        p ->
                            ingress.add(
                                p.path("port").asText() + "/" + p.path("protocol").asText())));
    Set<String> egress = new HashSet<>();
    np.path("egress")
        .forEach(
            rule ->
                rule.path("ports")
                    .forEach(
                        p ->
                            egress.add(
                                p.path("port").asText() + "/" + p.path("protocol").asText("TCP"))));
    assertAll(
        () ->
            assertEquals(
                Set.of("Ingress", "Egress"),
                new HashSet<>(Rendered.texts(np.path("policyTypes"))),
                "policyTypes"),
        () -> assertEquals(1, np.path("ingress").size(), "one ingress rule"),
        () -> assertEquals(List.of(port + "/TCP"), ingress, "ingress only to the metrics port"),
        () ->
            assertTrue(
                egress.containsAll(Set.of("53/UDP", "53/TCP", "443/TCP", "6443/TCP")),
                "egress DNS, API server (443/6443), HTTPS: " + egress));
  }

  static List<Combination> withNetworkPolicy() {
    return Combination.all().stream().filter(c -> c.networkPolicy).toList();
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "replicas without Lease",
            List.of("--set", "replicaCount=2", "--set", "leaderElection.enabled=false"),
            "replicaCount > 1 needs leaderElection.enabled=true"),
        Arguments.of("logFormat not text or json", List.of("--set", "logFormat=xml"), "logFormat"),
        Arguments.of(
            "allowInsecureEndpoints not a boolean",
            List.of("--set-string", "alb.allowInsecureEndpoints=yes"),
            "alb.allowInsecureEndpoints"),
        Arguments.of(
            "ambient namespace not a namespace name",
            List.of("--set", "ambientCredentials.namespaces={Team_A}"),
            "ambientCredentials.namespaces"),
        Arguments.of(
            "duration without unit", List.of("--set-string", "pollInterval=30"), "pollInterval"),
        Arguments.of(
            "settlePeriod without unit",
            List.of("--set-string", "settlePeriod=15"),
            "settlePeriod"),
        Arguments.of(
            "settleTimeout not a duration",
            List.of("--set-string", "settleTimeout=ten minutes"),
            "settleTimeout"),
        Arguments.of(
            "changeTracking.enabled not a boolean",
            List.of("--set-string", "changeTracking.enabled=yes"),
            "changeTracking.enabled"),
        Arguments.of("negative replicaCount", List.of("--set", "replicaCount=-1"), "replicaCount"),
        Arguments.of(
            "unknown top-level value", List.of("--set", "pollIntervall=30s"), "pollIntervall"),
        Arguments.of("unknown nested value", List.of("--set", "image.repo=x"), "repo"),
        Arguments.of(
            "throttlingRatio above 1",
            List.of("--set", "prometheusRule.throttlingRatio=1.5"),
            "prometheusRule.throttlingRatio"));
  }

  /** Values the schema or the templates refuse: helm fails and names the value. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void valuesThatMustBeRefusedAre(String what, List<String> args, String named) {
    Helm.Result r = Helm.tryTemplate(RELEASE, Rendered.NAMESPACE, args);
    assertFalse(r.ok(), what + ": " + args + " was accepted");
    assertTrue(
        r.stderr().contains(named), what + ": the error names " + named + ":\n" + r.stderr());
  }

  private static List<JsonNode> rules(JsonNode spec) {
    List<JsonNode> rules = new ArrayList<>();
    spec.path("groups").forEach(g -> g.path("rules").forEach(rules::add));
    return rules;
  }

  private static String dashboardFile() throws IOException {
    return Files.readString(Helm.CHART.resolve("dashboards/alb-asyncjob-operator.json"));
  }

  private static void collectTargets(JsonNode panels, List<JsonNode> into) {
    for (JsonNode p : panels) {
      p.path("targets").forEach(into::add);
      collectTargets(p.path("panels"), into);
    }
  }
}
