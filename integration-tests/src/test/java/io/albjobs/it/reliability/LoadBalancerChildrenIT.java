package io.albjobs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.operator.write.JobNames;
import io.albjobs.operator.write.Labels;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.AlbSimulator.Attribution;
import io.albjobs.simulator.RecordedCall;
import io.albjobs.simulator.SimJob;
import io.albjobs.simulator.SimResources;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an ingress controller does to one ALB on Ingress edits (rules created, updated and deleted
 * on two listeners, servers added to a server group behind a rule, a listener's ACL attached),
 * mirrored completely by ONE load-balancer watch, whether ALB records a child's job under the child
 * or under the load balancer; ALB calls counted by action and printed next to a watch without
 * children (what a load-balancer watch did before).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LoadBalancerChildrenIT {
  private static final String ACCOUNT = IntegrationEnv.ACCOUNT;
  private static final String REGION = "cn-hangzhou";
  private static final String LB = "alb-ingress";
  private static final Duration WAIT = Duration.ofSeconds(90);

  private IntegrationEnv env;

  @AfterEach
  void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void oneWatchMirrorsAnIngressChangeRecordedUnderTheChildren() throws Exception {
    Scenario s = run("lb-children-child", Attribution.CHILD, null);
    s.assertComplete();
    AsyncJob rule = env.job(JobNames.forJobId("CREATE-RULE-C"));
    assertEquals("rule", rule.getStatus().getResourceType(), "the child stays the job's resource");
    assertEquals("rule-c", rule.getStatus().getResourceId());
    assertEquals("rule-c", rule.getMetadata().getLabels().get(Labels.RESOURCE_ID));
    s.assertOtherLoadBalancerIgnored();

    // A user-created AsyncJob by JobId is exact either way and knows nothing of load balancers.
    env.admin
        .resource(
            Fixtures.userJob(env.ns, "user-other", "OTHER-LB", env.sim.endpoint(), "alb-creds"))
        .create();
    Await.until(
        WAIT,
        "the user's AsyncJob Succeeded",
        () -> {
          AsyncJob j = env.job("user-other");
          return j != null
              && j.getStatus() != null
              && j.getStatus().getPhase() == JobPhase.Succeeded;
        });
    AsyncJob user = env.job("user-other");
    assertNull(user.getStatus().getLoadBalancerId());
    assertEquals("rule-x", user.getStatus().getResourceId());
    assertFalse(
        user.getMetadata().getLabels() != null
            && user.getMetadata().getLabels().containsKey(Labels.LOAD_BALANCER));
  }

  @Test
  void oneWatchMirrorsAnIngressChangeRecordedUnderTheLoadBalancer() throws Exception {
    Scenario s = run("lb-children-parent", Attribution.LOAD_BALANCER, null);
    s.assertComplete();
    AsyncJob rule = env.job(JobNames.forJobId("CREATE-RULE-C"));
    assertEquals("loadbalancer", rule.getStatus().getResourceType());
    assertEquals(LB, rule.getStatus().getResourceId());
    s.assertOtherLoadBalancerIgnored();
  }

  @Test
  void withoutSharedListingsOneQueryPerTypeFindsEveryJobToo() throws Exception {
    Scenario s = run("lb-children-own", Attribution.CHILD, null, "--share-listings=false");
    s.assertComplete();
    s.assertOtherLoadBalancerIgnored();
    assertTrue(
        env.sim.calls().stream()
            .filter(c -> "ListAsynJobs".equals(c.action()))
            .allMatch(
                c -> c.params().containsKey("ResourceType") || c.params().containsKey("JobIds.1")),
        "one query per resource type, never a listing of every type");
  }

  @Test
  void includeChildrenFalseMirrorsOnlyTheLoadBalancersOwnJobs() throws Exception {
    Scenario s = run("lb-children-off", Attribution.CHILD, false);
    Await.until(
        WAIT,
        "the load balancer's own job Succeeded",
        () -> phase("UPDATE-LB") == JobPhase.Succeeded);
    // Give the watch time for the child jobs to have shown up if it covered them: the slowest
    // of them finished well before UPDATE-LB did.
    Await.until(
        WAIT,
        "two more polls",
        () -> s.callsSince("ListAsynJobs") >= s.callsAtEnd("ListAsynJobs") + 2);
    Set<String> mirrored =
        env.jobs().stream().map(j -> j.getSpec().getJobId()).collect(Collectors.toSet());
    System.out.printf(
        "LoadBalancerChildrenIT without children (before this change): %d of %d jobs mirrored; ALB calls %s%n",
        mirrored.size(), s.expected.size(), s.countByAction(s.start));
    assertEquals(
        Set.of("UPDATE-LB"), mirrored, "only jobs ALB records under the load balancer itself");
    assertEquals(
        0,
        s.callsSince("ListListeners") + s.callsSince("ListRules"),
        "no child listing when opted out");
    assertEquals(
        LB,
        env.job(JobNames.forJobId("UPDATE-LB"))
            .getMetadata()
            .getLabels()
            .get(Labels.LOAD_BALANCER));
  }

  @Test
  void deniedChildListingsAreAConditionOfTheirOwnWhileTheWatchStaysReadyOnItsOwnJobs()
      throws Exception {
    env = new IntegrationEnv("lb-children-denied");
    env.sim.faults().denyAction("ListRules");
    ingress(env.sim);
    env.operator("--active-poll-interval=1s", "--child-refresh-interval=5s");
    Instant now = env.sim.albNow();
    env.sim.addChildJob(LB, job("OWN-JOB", "UpdateLoadBalancerAttribute", "loadbalancer", LB, now));
    env.admin.resource(watch("ing", null)).create();
    Await.until(
        WAIT, "the load balancer's own job mirrored", () -> phase("OWN-JOB") == JobPhase.Succeeded);
    Await.until(
        WAIT,
        "ChildrenListed=False ChildListingDenied",
        () ->
            Conditions.find(
                    env.watch("ing").getStatus().getConditions(), Conditions.CHILDREN_LISTED)
                .map(
                    c ->
                        "False".equals(c.getStatus()) && "ChildListingDenied".equals(c.getReason()))
                .orElse(false));
    Await.until(
        WAIT,
        "Ready on its own jobs",
        () -> Conditions.isTrue(env.watch("ing").getStatus().getConditions(), Conditions.READY));
    List<Condition> conditions = env.watch("ing").getStatus().getConditions();
    assertFalse(
        Conditions.isTrue(conditions, Conditions.STALLED),
        "not Stalled (Argo CD would say Degraded): " + conditions);
    // docs/gitops.md: a gate that needs the children's jobs waits on this condition with kubectl.
    var deniedWait =
        env.kubectl.run(
            "wait",
            "ajw/ing",
            "--for=condition=ChildrenListed=false",
            "--timeout=10s",
            "-n",
            env.ns);
    assertTrue(deniedWait.ok(), "kubectl wait ChildrenListed=false: " + deniedWait);
    Condition denied = Conditions.find(conditions, Conditions.CHILDREN_LISTED).orElseThrow();
    System.out.println("ChildListingDenied: " + denied.getMessage());
    assertTrue(denied.getMessage().contains("refused alb:ListRules"), denied.getMessage());
    assertTrue(denied.getMessage().contains("spec.includeChildren: false"), denied.getMessage());
    Await.until(
        Duration.ofSeconds(30),
        "a ChildListingDenied Event on the watch",
        () ->
            env.admin.v1().events().inNamespace(env.ns).list().getItems().stream()
                .anyMatch(
                    e ->
                        "ChildListingDenied".equals(e.getReason())
                            && "ing".equals(e.getInvolvedObject().getName())));

    // Granted: within the refresh interval the children are listed and their jobs mirrored.
    env.sim.faults().allowAction("ListRules");
    env.sim.addChildJob(
        LB, job("RULE-AFTER", "UpdateRulesAttribute", "rule", "rule-a", env.sim.albNow()));
    Await.until(
        WAIT,
        "the rule's job mirrored once allowed",
        () -> phase("RULE-AFTER") == JobPhase.Succeeded);
    Await.until(
        WAIT,
        "ChildrenListed=True",
        () ->
            Conditions.isTrue(
                env.watch("ing").getStatus().getConditions(), Conditions.CHILDREN_LISTED));
    var listedWait =
        env.kubectl.run(
            "wait", "ajw/ing", "--for=condition=ChildrenListed", "--timeout=10s", "-n", env.ns);
    assertTrue(listedWait.ok(), "kubectl wait --for=condition=ChildrenListed: " + listedWait);
    assertEquals(
        1,
        env.admin.v1().events().inNamespace(env.ns).list().getItems().stream()
            .filter(
                e ->
                    "ChildListingDenied".equals(e.getReason())
                        && "ing".equals(e.getInvolvedObject().getName()))
            .mapToInt(e -> e.getCount() == null ? 1 : e.getCount())
            .sum(),
        "one Warning Event for the problem");
  }

  /** The ingress scenario against a fresh operator and ONE watch; returns what was expected. */
  private Scenario run(String ns, Attribution attribution, Boolean includeChildren, String... flags)
      throws Exception {
    env = new IntegrationEnv(ns);
    AlbSimulator sim = env.sim;
    sim.setAttribution(attribution);
    ingress(sim);
    List<String> args =
        new ArrayList<>(List.of("--active-poll-interval=1s", "--child-refresh-interval=5s"));
    args.addAll(List.of(flags));
    env.operator(args.toArray(String[]::new));
    Instant start = Instant.now();
    env.admin.resource(watch("ing", includeChildren)).create();
    Await.until(
        WAIT,
        "the watch's first poll",
        () ->
            env.watch("ing").getStatus() != null
                && env.watch("ing").getStatus().getLastSuccessfulSyncTime() != null);

    Scenario s = new Scenario(start);
    // An Ingress edit: two new rules (one behind a new server group), an updated rule, servers
    // added behind a rule, an ACL attached to the HTTPS listener, the load balancer itself updated.
    sim.resources()
        .putRule(
            ACCOUNT, REGION, new SimResources.Rule("rule-c", "lsn-80", LB, List.of("sgp-web")));
    sim.resources()
        .putRule(
            ACCOUNT, REGION, new SimResources.Rule("rule-d", "lsn-443", LB, List.of("sgp-new")));
    Instant now = sim.albNow();
    s.add(job("CREATE-RULE-C", "CreateRules", "rule", "rule-c", now));
    s.add(job("CREATE-RULE-D", "CreateRules", "rule", "rule-d", now));
    s.add(job("UPDATE-RULE-A", "UpdateRulesAttribute", "rule", "rule-a", now));
    s.add(job("ADD-SERVERS-WEB", "AddServersToServerGroup", "servergroup", "sgp-web", now));
    s.add(job("ATTACH-ACL", "AssociateAclsWithListener", "listener", "lsn-443", now));
    s.add(job("UPDATE-LB", "UpdateLoadBalancerAttribute", "loadbalancer", LB, now));
    // Another Ingress on another ALB: not this watch's business.
    sim.resources()
        .putRule(
            ACCOUNT,
            REGION,
            new SimResources.Rule("rule-x", "lsn-x", "alb-other", List.of("sgp-x")));
    sim.addChildJob("alb-other", job("OTHER-LB", "CreateRules", "rule", "rule-x", now));
    if (!Boolean.FALSE.equals(includeChildren)) {
      Await.until(WAIT, "the first edit's jobs mirrored", () -> s.mirrored() >= 6);
    }

    // A second edit: rule-b deleted (its job recorded while it still existed, then it is gone),
    // servers added to the new server group behind rule-d.
    Instant later = sim.albNow();
    s.add(job("DELETE-RULE-B", "DeleteRules", "rule", "rule-b", later));
    sim.resources().removeRule(ACCOUNT, REGION, "rule-b");
    s.add(job("ADD-SERVERS-NEW", "AddServersToServerGroup", "servergroup", "sgp-new", later));
    s.end = Instant.now();
    s.endCalls = s.countByAction(s.start);
    return s;
  }

  /**
   * One ALB with two listeners (HTTP with a rule, HTTPS with a rule, a security policy and an ACL).
   */
  private static void ingress(AlbSimulator sim) {
    SimResources r = sim.resources();
    r.putListener(
        ACCOUNT,
        REGION,
        new SimResources.Listener("lsn-80", LB, null, List.of("sgp-default"), List.of()));
    r.putListener(
        ACCOUNT,
        REGION,
        new SimResources.Listener(
            "lsn-443", LB, "spy-tls", List.of("sgp-default"), List.of("acl-office")));
    r.putRule(ACCOUNT, REGION, new SimResources.Rule("rule-a", "lsn-80", LB, List.of("sgp-web")));
    r.putRule(ACCOUNT, REGION, new SimResources.Rule("rule-b", "lsn-443", LB, List.of("sgp-api")));
  }

  private AsyncJobWatch watch(String name, Boolean includeChildren) {
    AsyncJobWatch w = Fixtures.watch(env.ns, name, env.sim.endpoint(), "alb-creds", List.of(LB));
    w.getSpec().setSince("10m");
    w.getSpec().setIncludeChildren(includeChildren);
    return w;
  }

  private static SimJob job(String id, String api, String type, String resource, Instant at) {
    return SimJob.builder(id, ACCOUNT)
        .region(REGION)
        .api(api, api.startsWith("Create") ? "Create" : "Update")
        .resource(type, resource)
        .createdAt(at)
        .succeedsAt(at.plusSeconds(3))
        .build();
  }

  private JobPhase phase(String jobId) {
    AsyncJob j = env.job(JobNames.forJobId(jobId));
    return j == null || j.getStatus() == null ? null : j.getStatus().getPhase();
  }

  /** The jobs of one run and the calls it took. */
  private final class Scenario {
    final Instant start;
    final List<String> expected = new ArrayList<>();
    Instant end;
    Map<String, Long> endCalls;

    Scenario(Instant start) {
      this.start = start;
    }

    void add(SimJob job) {
      env.sim.addChildJob(LB, job);
      expected.add(job.id());
    }

    long mirrored() {
      Set<String> ids =
          env.jobs().stream().map(j -> j.getSpec().getJobId()).collect(Collectors.toSet());
      return expected.stream().filter(ids::contains).count();
    }

    void assertComplete() {
      Await.until(
          WAIT,
          "every job of both edits mirrored and Succeeded",
          () -> expected.stream().allMatch(id -> phase(id) == JobPhase.Succeeded));
      Map<String, Long> calls = countByAction(start);
      long listings =
          env.sim.calls().stream()
              .filter(
                  c ->
                      !c.at().isBefore(start)
                          && "ListAsynJobs".equals(c.action())
                          && !c.params().containsKey("ResourceType")
                          && !c.params().containsKey("JobIds.1"))
              .count();
      System.out.printf(
          "LoadBalancerChildrenIT %s (%s): %d jobs mirrored by one watch in %d s; ALB calls %s,"
              + " of which %d ListAsynJobs listings of every resource type%n",
          env.sim.attribution(),
          env.ns,
          expected.size(),
          Duration.between(start, Instant.now()).toSeconds(),
          calls,
          listings);
      List<AsyncJob> selected =
          env.admin
              .resources(AsyncJob.class)
              .inNamespace(env.ns)
              .withLabel(Labels.LOAD_BALANCER, LB)
              .list()
              .getItems();
      assertEquals(
          Set.copyOf(expected),
          selected.stream().map(j -> j.getSpec().getJobId()).collect(Collectors.toSet()),
          "kubectl get ajob -l albjobs.io/load-balancer="
              + LB
              + " lists every job of the load balancer");
      for (AsyncJob j : selected) {
        assertEquals(LB, j.getStatus().getLoadBalancerId(), j.getSpec().getJobId());
      }
    }

    void assertOtherLoadBalancerIgnored() {
      assertNull(env.job(JobNames.forJobId("OTHER-LB")), "a job of another load balancer's rule");
    }

    long callsSince(String action) {
      return countByAction(start).getOrDefault(action, 0L);
    }

    long callsAtEnd(String action) {
      return endCalls.getOrDefault(action, 0L);
    }

    Map<String, Long> countByAction(Instant from) {
      Map<String, Long> byAction = new TreeMap<>();
      for (RecordedCall c : env.sim.calls()) {
        if (!c.at().isBefore(from)) {
          byAction.merge(c.action(), 1L, Long::sum);
        }
      }
      return new LinkedHashMap<>(byAction);
    }
  }
}
