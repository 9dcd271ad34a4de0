package io.albjobs.it.chart;

import static io.albjobs.it.chart.Rendered.NAMESPACE;
import static io.albjobs.it.chart.Rendered.RELEASE;
import static io.albjobs.it.chart.Rendered.texts;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's RBAC for every value combination of {@link Combination}: the operator's
 * ServiceAccount gets exactly the least-privilege set, in the right scopes (docs/security.md), and
 * the aggregated user roles exist only on request. Needs only helm, see {@link ChartRenderIT}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ChartRbacIT {
  // What the operator's ServiceAccount may do, exactly: group/resource:verb by scope ("*" =
  // cluster-wide).
  private static final Set<String> WATCHED = new TreeSet<>();
  private static final Set<String> SECRETS = Set.of("/secrets:get");
  private static final Set<String> ALBCONFIG =
      Set.of(
          "alibabacloud.com/albconfigs:get",
          "alibabacloud.com/albconfigs:list",
          "alibabacloud.com/albconfigs:watch");
  // Change tracking (changeTracking.enabled): read-only, cluster-wide; events list/watch only.
  private static final Set<String> CHANGE_READER =
      Set.of(
          "networking.k8s.io/ingresses:get",
          "networking.k8s.io/ingresses:list",
          "networking.k8s.io/ingresses:watch",
          "networking.k8s.io/ingressclasses:get",
          "networking.k8s.io/ingressclasses:list",
          "networking.k8s.io/ingressclasses:watch",
          "alibabacloud.com/albconfigs:get",
          "alibabacloud.com/albconfigs:list",
          "alibabacloud.com/albconfigs:watch",
          "/events:list",
          "/events:watch");
  private static final Set<String> LEASES =
      Set.of(
          "coordination.k8s.io/leases:get",
          "coordination.k8s.io/leases:create",
          "coordination.k8s.io/leases:update",
          "coordination.k8s.io/leases:patch");

  static {
    for (String res : List.of("asyncjobs", "asyncjobwatches")) {
      for (String v : List.of("get", "list", "watch")) {
        WATCHED.add("albjobs.io/" + res + ":" + v);
      }
      for (String v : List.of("get", "patch", "update")) {
        WATCHED.add("albjobs.io/" + res + "/status:" + v);
      }
    }
    for (String v : List.of("create", "patch", "update", "delete")) {
      WATCHED.add("albjobs.io/asyncjobs:" + v);
    }
    for (String g : List.of("", "events.k8s.io")) {
      WATCHED.add(g + "/events:create");
      WATCHED.add(g + "/events:patch");
    }
  }

  static List<Combination> combinations() {
    return Combination.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void theServiceAccountHasExactlyTheLeastPrivilegeRbac(Combination c) {
    Rendered r = Rendered.of(c);
    Set<String> perNamespace = new TreeSet<>(WATCHED);
    if (c.readSecrets) {
      perNamespace.addAll(SECRETS);
    }
    Map<String, Set<String>> want = new HashMap<>();
    if (c.watch.isEmpty()) {
      want.computeIfAbsent("*", k -> new TreeSet<>()).addAll(perNamespace);
    } else {
      c.watch.forEach(ns -> want.put(ns, new TreeSet<>(perNamespace)));
    }
    want.computeIfAbsent("*", k -> new TreeSet<>()).addAll(ALBCONFIG);
    if (c.changeTracking) {
      want.computeIfAbsent("*", k -> new TreeSet<>()).addAll(CHANGE_READER);
    }
    if (c.leader) {
      want.computeIfAbsent(NAMESPACE, k -> new TreeSet<>()).addAll(LEASES);
    }
    Map<String, Set<String>> got = grants(r, RELEASE);
    List<JsonNode> rules = new ArrayList<>();
    for (JsonNode d : r.docs) {
      if (Set.of("Role", "ClusterRole").contains(d.path("kind").asText())) {
        d.path("rules").forEach(rules::add);
      }
    }
    List<String> rolesIn =
        r.ofKind("Role").stream()
            .filter(d -> RELEASE.equals(d.path("metadata").path("name").asText()))
            .map(d -> d.path("metadata").path("namespace").asText())
            .sorted()
            .toList();
    assertAll(
        () ->
            assertEquals(
                want,
                got,
                "ServiceAccount RBAC by scope (\"*\" = cluster-wide): " + diff(got, want)),
        () ->
            assertFalse(
                rules.stream()
                    .anyMatch(
                        rule ->
                            List.of("apiGroups", "resources", "verbs").stream()
                                .anyMatch(k -> texts(rule.path(k)).contains("*"))),
                "no wildcard in any RBAC rule"),
        () ->
            assertFalse(
                rules.stream()
                    .anyMatch(
                        rule -> texts(rule.path("apiGroups")).contains("apiextensions.k8s.io")),
                "no CRD access granted"),
        () ->
            assertEquals(
                c.watch.stream().sorted().toList(),
                rolesIn,
                "Role " + RELEASE + " in each watched namespace"),
        () ->
            assertEquals(
                c.watch.isEmpty() ? null : String.join(",", c.watch),
                r.envValue("WATCH_NAMESPACES"),
                "WATCH_NAMESPACES"),
        () ->
            assertEquals(
                c.watch.isEmpty(),
                r.find("ClusterRole", RELEASE).isPresent(),
                "the operator's cluster-wide ClusterRole exactly when all namespaces are watched"),
        () ->
            assertEquals(
                c.changeTracking,
                r.find("ClusterRole", RELEASE + "-change-reader").isPresent(),
                "ClusterRole " + RELEASE + "-change-reader exactly when changeTracking.enabled"),
        () ->
            assertEquals(
                String.valueOf(c.changeTracking),
                r.envValue("TRACK_INGRESS_CHANGES"),
                "TRACK_INGRESS_CHANGES follows changeTracking.enabled"));
  }

  /**
   * The view/edit ClusterRoles aggregated into the default user roles: only on request (never bound
   * to the operator, above).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("combinations")
  void aggregatedUserRolesOnlyOnRequest(Combination c) {
    List<String> aggregated =
        Rendered.of(c).ofKind("ClusterRole").stream()
            .filter(
                d ->
                    texts(fieldNames(d.path("metadata").path("labels"))).stream()
                        .anyMatch(k -> k.startsWith("rbac.authorization.k8s.io/aggregate-to-")))
            .map(d -> d.path("metadata").path("name").asText())
            .sorted()
            .toList();
    assertEquals(
        c.aggregateRoles ? List.of(RELEASE + "-edit", RELEASE + "-view") : List.of(),
        aggregated,
        "ClusterRoles aggregated to the default roles");
  }

  private static JsonNode fieldNames(JsonNode object) {
    var names = Rendered.YAML.createArrayNode();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /**
   * {scope: grants} of the bindings to the ServiceAccount; scope "*" = cluster-wide, else a
   * namespace.
   */
  private static Map<String, Set<String>> grants(Rendered r, String sa) {
    Map<String, Set<String>> grants = new HashMap<>();
    for (JsonNode b : r.docs) {
      String kind = b.path("kind").asText();
      if (!kind.equals("RoleBinding") && !kind.equals("ClusterRoleBinding")) {
        continue;
      }
      boolean bound =
          StreamSupport.stream(b.path("subjects").spliterator(), false)
              .anyMatch(
                  s ->
                      "ServiceAccount".equals(s.path("kind").asText())
                          && sa.equals(s.path("name").asText())
                          && NAMESPACE.equals(s.path("namespace").asText()));
      if (!bound) {
        continue;
      }
      JsonNode ref = b.path("roleRef");
      String bns = b.path("metadata").path("namespace").asText(null);
      String refKind = ref.path("kind").asText();
      JsonNode role =
          r.docs.stream()
              .filter(
                  d ->
                      refKind.equals(d.path("kind").asText())
                          && ref.path("name")
                              .asText()
                              .equals(d.path("metadata").path("name").asText())
                          && (!refKind.equals("Role")
                              || bns.equals(d.path("metadata").path("namespace").asText())))
              .findFirst()
              .orElse(null);
      if (role == null) {
        grants.computeIfAbsent("missing-role", k -> new TreeSet<>()).add(ref.path("name").asText());
        continue;
      }
      Set<String> scope =
          grants.computeIfAbsent(
              kind.equals("ClusterRoleBinding") ? "*" : bns, k -> new TreeSet<>());
      for (JsonNode rule : role.path("rules")) {
        for (String g : texts(rule.path("apiGroups"))) {
          for (String res : texts(rule.path("resources"))) {
            for (String v : texts(rule.path("verbs"))) {
              scope.add(g + "/" + res + ":" + v);
            }
          }
        }
      }
    }
    return grants;
  }

  private static String diff(Map<String, Set<String>> got, Map<String, Set<String>> want) {
    List<String> parts = new ArrayList<>();
    Set<String> scopes = new TreeSet<>(got.keySet());
    scopes.addAll(want.keySet());
    for (String s : scopes) {
      Set<String> extra = new TreeSet<>(got.getOrDefault(s, Set.of()));
      extra.removeAll(want.getOrDefault(s, Set.of()));
      Set<String> missing = new TreeSet<>(want.getOrDefault(s, Set.of()));
      missing.removeAll(got.getOrDefault(s, Set.of()));
      if (!extra.isEmpty()) {
        parts.add("extra in " + s + ": " + extra);
      }
      if (!missing.isEmpty()) {
        parts.add("missing in " + s + ": " + missing);
      }
    }
    return String.join("; ", parts);
  }
}
