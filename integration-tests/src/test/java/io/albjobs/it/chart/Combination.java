package io.albjobs.it.chart;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * One set of chart values and what its render must show. The single list of value combinations the
 * chart is rendered with ({@link ChartRenderIT}) and, for some, applied to the API server ({@link
 * ChartIT}); {@code scripts/chart-check.sh} lints the same values.
 */
final class Combination {
  final String name;
  final List<String> args = new ArrayList<>();
  List<String> watch = List.of();
  boolean leader = true;
  boolean readSecrets = true;
  Set<String> monitoring = Set.of();
  boolean networkPolicy;
  String ambient;
  String insecure = "false";
  String hosts;
  String credentialsSecret;
  String stsEndpoint;
  String rrsaRole;
  boolean aggregateRoles;
  boolean changeTracking = true;
  String settlePeriod = "15s";
  String settleTimeout = "10m";
  String settleMargin = "5s";
  String discoverInterval = "3s";
  String phaseLabel = "auto";

  private Combination(String name) {
    this.name = name;
  }

  private Combination set(String... sets) {
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return this;
  }

  /** All combinations; names are stable (test names, scripts/chart-check.sh). */
  static List<Combination> all() {
    List<Combination> all = new ArrayList<>();
    all.add(new Combination("defaults"));
    Combination c =
        new Combination("namespaced").set("watchNamespaces={chart-team-a,chart-team-b}");
    c.watch = List.of("chart-team-a", "chart-team-b");
    all.add(c);
    all.add(
        new Combination("leader-election-ha").set("leaderElection.enabled=true", "replicaCount=2"));
    c = new Combination("no-leader-election").set("leaderElection.enabled=false");
    c.leader = false;
    all.add(c);
    c =
        new Combination("monitoring-on")
            .set(
                "serviceMonitor.enabled=true",
                "prometheusRule.enabled=true",
                "grafanaDashboard.enabled=true");
    c.monitoring = Set.of("sm", "pr", "gd");
    all.add(c);
    all.add(
        new Combination("monitoring-off")
            .set(
                "serviceMonitor.enabled=false",
                "prometheusRule.enabled=false",
                "grafanaDashboard.enabled=false"));
    c =
        new Combination("monitoring-thresholds")
            .set(
                "prometheusRule.enabled=true",
                "prometheusRule.stuckJobMinutes=45",
                "prometheusRule.stalePollMinutes=20",
                "prometheusRule.throttlingRatio=0.35",
                "prometheusRule.operatorJob=my-scrape-job",
                "prometheusRule.alertLabels.team=platform");
    c.monitoring = Set.of("pr");
    all.add(c);
    c = new Combination("network-policy").set("networkPolicy.enabled=true");
    c.networkPolicy = true;
    all.add(c);
    c = new Combination("credentials-secret").set("credentials.secretName=alb-credentials");
    c.credentialsSecret = "alb-credentials";
    all.add(c);
    c =
        new Combination("rrsa")
            .set(
                "serviceAccount.annotations.pod-identity\\.alibabacloud\\.com/role-name=alb-asyncjob-operator",
                "rbac.readSecrets=false");
    c.readSecrets = false;
    c.rrsaRole = "alb-asyncjob-operator";
    all.add(c);
    c = new Combination("aggregate-roles").set("rbac.aggregateToDefaultRoles=true");
    c.aggregateRoles = true;
    all.add(c);
    c =
        new Combination("tenancy")
            .set(
                "ambientCredentials.releaseNamespace=false",
                "ambientCredentials.namespaces={ops,platform}",
                "alb.allowInsecureEndpoints=true",
                "alb.allowedEndpointHosts={alb-proxy.corp,*.alb.internal}");
    c.ambient = "ops,platform";
    c.insecure = "true";
    c.hosts = "alb-proxy.corp,*.alb.internal";
    all.add(c);
    c = new Combination("no-change-tracking").set("changeTracking.enabled=false");
    c.changeTracking = false;
    all.add(c);
    c =
        new Combination("settle-tuned")
            .set("settlePeriod=0s", "settleTimeout=30m", "settleMargin=20s")
            .set("discoverInterval=0s", "phaseLabel=true")
            .set("watchNamespaces={chart-team-a}");
    c.discoverInterval = "0s";
    c.phaseLabel = "true";
    c.settlePeriod = "0s";
    c.settleTimeout = "30m";
    c.settleMargin = "20s";
    c.watch = List.of("chart-team-a");
    all.add(c);
    c =
        new Combination("everything-on")
            .set(
                "serviceMonitor.enabled=true",
                "prometheusRule.enabled=true",
                "grafanaDashboard.enabled=true",
                "networkPolicy.enabled=true",
                "credentials.secretName=alb-operator-creds",
                "credentials.stsEndpoint=https://sts-vpc.cn-hangzhou.aliyuncs.com");
    c.monitoring = Set.of("sm", "pr", "gd");
    c.networkPolicy = true;
    c.credentialsSecret = "alb-operator-creds";
    c.stsEndpoint = "https://sts-vpc.cn-hangzhou.aliyuncs.com";
    all.add(c);
    return all;
  }

  static Combination named(String name) {
    return all().stream()
        .filter(c -> c.name.equals(name))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no chart value combination " + name));
  }

  static List<Combination> named(String... names) {
    return Arrays.stream(names).map(Combination::named).toList();
  }

  @Override
  public String toString() {
    return name;
  }
}
