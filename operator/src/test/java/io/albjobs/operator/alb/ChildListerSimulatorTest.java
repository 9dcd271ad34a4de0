package io.albjobs.operator.alb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import io.albjobs.simulator.SimResources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ListListeners, ListRules and GetListenerAttribute of the simulator through the operator's own
 * client ({@link SdkAlbJobClient#read}) and {@link ChildLister}: wire form, paging, denial,
 * attribution.
 */
class ChildListerSimulatorTest {
  private static final String ACCOUNT = "acct-1";
  private static final String REGION = "cn-hangzhou";
  private AlbSimulator sim;
  private SdkAlbJobClient client;

  @BeforeEach
  void start() throws Exception {
    sim = AlbSimulator.start();
    sim.addAccount(ACCOUNT, "LTAIone", "secret-1");
    client =
        new SdkAlbJobClient(
            AlbEndpoint.parse(sim.endpoint()),
            REGION,
            new AlbCredentials.StaticKeys("test", "LTAIone", "secret-1", null),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5));
    SimResources r = sim.resources();
    r.putListener(
        ACCOUNT,
        REGION,
        new SimResources.Listener(
            "lsn-a", "alb-1", "spy-1", List.of("sgp-default"), List.of("acl-1")));
    r.putListener(
        ACCOUNT, REGION, new SimResources.Listener("lsn-b", "alb-1", null, List.of(), List.of()));
    r.putListener(
        ACCOUNT,
        REGION,
        new SimResources.Listener("lsn-other", "alb-2", null, List.of("sgp-other"), List.of()));
    for (int i = 0; i < 25; i++) {
      r.putRule(
          ACCOUNT,
          REGION,
          new SimResources.Rule(
              String.format("rule-%02d", i),
              i % 2 == 0 ? "lsn-a" : "lsn-b",
              "alb-1",
              List.of("sgp-" + (i % 3))));
    }
    r.putRule(
        ACCOUNT,
        REGION,
        new SimResources.Rule("rule-other", "lsn-other", "alb-2", List.of("sgp-other")));
  }

  @AfterEach
  void stop() {
    client.close();
    sim.close();
  }

  @Test
  void listRulesFiltersByLoadBalancerAndPagesWithNextToken() throws Exception {
    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      Map<String, String> p =
          new HashMap<>(Map.of("LoadBalancerIds.1", "alb-1", "MaxResults", "10"));
      if (token != null) {
        p.put("NextToken", token);
      }
      JsonNode page = client.read("ListRules", p);
      assertEquals(25, page.path("TotalCount").asInt());
      page.path("Rules")
          .forEach(
              rule -> {
                seen.add(rule.path("RuleId").asText());
                assertEquals("alb-1", rule.path("LoadBalancerId").asText());
                assertEquals("ForwardGroup", rule.path("RuleActions").get(0).path("Type").asText());
              });
      token = page.path("NextToken").asText(null);
      pages++;
    } while (token != null);
    assertEquals(3, pages);
    assertEquals(25, seen.size());
    assertEquals(25, Set.copyOf(seen).size());
  }

  @Test
  void listListenersCarriesDefaultActionsAndSecurityPolicy() throws Exception {
    JsonNode page = client.read("ListListeners", Map.of("LoadBalancerIds.1", "alb-1"));
    assertEquals(2, page.path("Listeners").size());
    JsonNode a = page.path("Listeners").get(0);
    assertEquals("lsn-a", a.path("ListenerId").asText());
    assertEquals("spy-1", a.path("SecurityPolicyId").asText());
    assertEquals(
        "sgp-default",
        a.path("DefaultActions")
            .get(0)
            .path("ForwardGroupConfig")
            .path("ServerGroupTuples")
            .get(0)
            .path("ServerGroupId")
            .asText());
  }

  @Test
  void getListenerAttributeHasTheAclsAndRefusesUnknownListeners() throws Exception {
    JsonNode a = client.read("GetListenerAttribute", Map.of("ListenerId", "lsn-a"));
    assertEquals("acl-1", a.path("AclConfig").path("AclRelations").get(0).path("AclId").asText());
    AlbException missing =
        assertThrows(
            AlbException.class,
            () -> client.read("GetListenerAttribute", Map.of("ListenerId", "lsn-x")));
    assertEquals("ResourceNotFound.Listener", missing.code());
    AlbException noId =
        assertThrows(AlbException.class, () -> client.read("GetListenerAttribute", Map.of()));
    assertEquals("MissingParam", noId.code());
  }

  @Test
  void moreThanTwentyLoadBalancerIdsIsInvalidParameter() {
    Map<String, String> p = new HashMap<>();
    for (int i = 1; i <= 21; i++) {
      p.put("LoadBalancerIds." + i, "alb-" + i);
    }
    AlbException e = assertThrows(AlbException.class, () -> client.read("ListListeners", p));
    assertEquals("InvalidParameter", e.code());
  }

  @Test
  void aDeniedActionIsForbiddenWhileListAsynJobsStillWorks() throws Exception {
    sim.faults().denyAction("ListRules");
    AlbException e =
        assertThrows(
            AlbException.class,
            () -> client.read("ListRules", Map.of("LoadBalancerIds.1", "alb-1")));
    assertEquals("Forbidden.RAM", e.code());
    client.read("ListListeners", Map.of("LoadBalancerIds.1", "alb-1"));
    client.listJobs(JobQuery.byResources("loadbalancer", List.of("alb-1"), null, null), null, 10);
    sim.faults().allowAction("ListRules");
    client.read("ListRules", Map.of("LoadBalancerIds.1", "alb-1"));
  }

  @Test
  void childJobsAreRecordedUnderTheChildOrUnderTheLoadBalancer() throws Exception {
    Instant now = Instant.now();
    sim.addChildJob(
        "alb-1",
        SimJob.builder("JOB-CHILD", ACCOUNT)
            .api("CreateRules", "Create")
            .resource("rule", "rule-01")
            .createdAt(now)
            .build());
    sim.setAttribution(AlbSimulator.Attribution.LOAD_BALANCER);
    sim.addChildJob(
        "alb-1",
        SimJob.builder("JOB-PARENT", ACCOUNT)
            .api("CreateRules", "Create")
            .resource("rule", "rule-02")
            .createdAt(now)
            .build());

    var underRule =
        client.listJobs(
            JobQuery.byResources("rule", List.of("rule-01", "rule-02"), null, null), null, 10);
    assertEquals(List.of("JOB-CHILD"), underRule.jobs().stream().map(j -> j.id()).toList());
    var underLb =
        client.listJobs(
            JobQuery.byResources("loadbalancer", List.of("alb-1"), null, null), null, 10);
    assertEquals(List.of("JOB-PARENT"), underLb.jobs().stream().map(j -> j.id()).toList());
  }

  @Test
  void manyLoadBalancersWithFewChildrenAreListedInAPageNotACallPerTen() throws Exception {
    List<String> lbs = new ArrayList<>();
    for (int i = 1; i <= 25; i++) {
      lbs.add("alb-" + i);
    }
    sim.resetCounters();
    Map<String, ChildLister.Children> found = new ChildLister(50).list(client, lbs);
    assertEquals(Set.of("lsn-a", "lsn-b"), found.get("alb-1").of("listener"));
    assertEquals(Set.of("lsn-other"), found.get("alb-2").of("listener"));
    assertEquals(25, found.get("alb-1").of("rule").size());
    assertEquals(Set.of("rule-other"), found.get("alb-2").of("rule"));
    assertTrue(found.get("alb-25").size() == 0);
    Map<String, Long> calls = new java.util.TreeMap<>();
    sim.calls().forEach(c -> calls.merge(c.action(), 1L, Long::sum));
    // 3 listeners and 26 rules: one page each instead of three calls (25 IDs, 10 per call).
    assertEquals(Map.of("ListListeners", 1L, "ListRules", 1L, "GetListenerAttribute", 3L), calls);
    assertTrue(sim.calls().stream().noneMatch(c -> c.params().containsKey("LoadBalancerIds.1")));
  }

  @Test
  void childListerFindsEveryChildOfOneLoadBalancerAndFollowsChanges() throws Exception {
    ChildLister lister = new ChildLister(50);
    ChildLister.Children c = lister.list(client, List.of("alb-1")).get("alb-1");
    assertEquals(Set.of("lsn-a", "lsn-b"), c.of("listener"));
    assertEquals(25, c.of("rule").size());
    assertFalse(c.of("rule").contains("rule-other"));
    assertEquals(Set.of("sgp-default", "sgp-0", "sgp-1", "sgp-2"), c.of("servergroup"));
    assertEquals(Set.of("acl-1"), c.of("acl"));
    assertEquals(Set.of("spy-1"), c.of("securitypolicy"));

    sim.resources().removeRule(ACCOUNT, REGION, "rule-00");
    sim.resources()
        .putRule(
            ACCOUNT,
            REGION,
            new SimResources.Rule("rule-new", "lsn-b", "alb-1", List.of("sgp-new")));
    ChildLister.Children after = lister.list(client, List.of("alb-1")).get("alb-1");
    assertFalse(after.of("rule").contains("rule-00"));
    assertTrue(after.of("rule").contains("rule-new"));
    assertTrue(after.of("servergroup").contains("sgp-new"));
  }
}
