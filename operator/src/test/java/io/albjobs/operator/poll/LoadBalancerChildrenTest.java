package io.albjobs.operator.poll;

import io.albjobs.operator.status.Problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.albjobs.operator.alb.AlbCredentials;
import io.albjobs.operator.alb.AlbEndpoint;
import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.AlbJobClient;
import io.albjobs.operator.alb.ChildLister;
import io.albjobs.operator.alb.ErrorKind;
import io.albjobs.operator.alb.JobLister;
import io.albjobs.operator.alb.JobPage;
import io.albjobs.operator.alb.JobQuery;
import io.albjobs.operator.scope.AccountScope;
import io.albjobs.operator.status.WatchRollup;
import io.albjobs.operator.testing.FakeAlb;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The children cache of load-balancer watches and one poll of a load balancer's family. */
class LoadBalancerChildrenTest {
  private static final AccountScope SCOPE = new AccountScope("cn-hangzhou", AlbEndpoint.parse("alb.cn-hangzhou.aliyuncs.com"),
      new AlbCredentials.StaticKeys("secret team-a/creds", "LTAI", "s", null));
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestClock clock = new TestClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final Children alb = new Children();
  private final LoadBalancerChildren cache = new LoadBalancerChildren(new ChildLister(10), clock);

  @Test
  void childrenAreListedOncePerRefreshIntervalAndSoonerWhenAsked() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    LoadBalancerChildren.Family first = cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(List.of("lsn-1"), first.idsByType().get("listener"));
    assertEquals(1, alb.calls("ListListeners"));

    clock.advance(Duration.ofSeconds(30));
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(1, alb.calls("ListListeners"), "within the refresh interval the cache answers");

    clock.advance(Duration.ofSeconds(1));
    cache.family(SCOPE, alb, List.of("alb-1"), true);
    assertEquals(2, alb.calls("ListListeners"), "asked to, it lists again once MIN_SPACING passed");
    cache.family(SCOPE, alb, List.of("alb-1"), true);
    assertEquals(2, alb.calls("ListListeners"), "but not twice within MIN_SPACING");

    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(3, alb.calls("ListListeners"));
  }

  @Test
  void theLoadBalancersOfAScopeAreListedTogether() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    alb.listener("lsn-2", "alb-2", "sgp-2");
    cache.family(SCOPE, alb, List.of("alb-1"), false); // watch A
    clock.advance(Duration.ofSeconds(31));
    cache.family(SCOPE, alb, List.of("alb-2"), false); // watch B, new: alb-1 is half-way and goes along
    assertEquals(2, alb.calls("ListListeners"));
    clock.advance(Duration.ofSeconds(30));
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(2, alb.calls("ListListeners"), "alb-1 was listed with alb-2, 30 s ago");
    clock.advance(Duration.ofSeconds(30));
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    cache.family(SCOPE, alb, List.of("alb-2"), false);
    assertEquals(3, alb.calls("ListListeners"), "one listing for both");
  }

  @Test
  void theFamilyHasEveryKindOfChildAndItsLoadBalancer() {
    alb.listener("lsn-1", "alb-1", "sgp-default");
    alb.rule("rule-1", "lsn-1", "alb-1", "sgp-web");
    alb.rule("rule-x", "lsn-x", "alb-2", "sgp-other");
    LoadBalancerChildren.Family f = cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(List.of("alb-1"), f.idsByType().get("loadbalancer"));
    assertEquals(List.of("rule-1"), f.idsByType().get("rule"));
    assertEquals(List.of("sgp-default", "sgp-web"), f.idsByType().get("servergroup"));
    assertEquals(List.of("acl-lsn-1"), f.idsByType().get("acl"));
    assertEquals("alb-1", f.loadBalancerOf(job("J", "servergroup", "sgp-web")));
    assertEquals("alb-1", f.loadBalancerOf(job("J", "loadbalancer", "alb-1")));
    assertNull(f.loadBalancerOf(job("J", "rule", "rule-x")));
    assertEquals(5, f.ownCost(), "one query per type: loadbalancer, listener, rule, servergroup, acl");
  }

  @Test
  void aDepartedChildStaysCoveredForAWhile() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    alb.rule("rule-1", "lsn-1", "alb-1", "sgp-1");
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    alb.rules.remove("rule-1");
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    LoadBalancerChildren.Family after = cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertTrue(after.owns(job("DEL", "rule", "rule-1")), "its DeleteRules job is still mirrored");

    clock.advance(LoadBalancerChildren.IDLE.plusMinutes(1));
    LoadBalancerChildren.Family later = cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertFalse(later.owns(job("DEL", "rule", "rule-1")));
  }

  @Test
  void aNewChildIsLookedUpBackToThePreviousListing() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    LoadBalancerChildren.Family first = cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertNull(cache.polled("ns/w", first).since(), "a first poll covers its whole window anyway");
    Instant listedFirst = first.listedAt();

    alb.rule("rule-new", "lsn-1", "alb-1", "sgp-new");
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    LoadBalancerChildren.Family second = cache.family(SCOPE, alb, List.of("alb-1"), false);
    LoadBalancerChildren.Backfill added = cache.polled("ns/w", second);
    assertEquals(Map.of("rule", List.of("rule-new"), "servergroup", List.of("sgp-new")), added.idsByType());
    assertEquals(listedFirst, added.since());
    assertNull(cache.polled("ns/w", second).since(), "only once");
  }

  @Test
  void aDeniedListingKeepsTheLoadBalancerAndSaysWhatToGrant() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    alb.deny("ListRules");
    LoadBalancerChildren.Family f = cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(List.of("alb-1"), f.idsByType().get("loadbalancer"));
    assertFalse(f.hasChildren());
    assertEquals("Forbidden.RAM", f.problem().code());
    Problem health = WatchSync.childHealth(f, List.of("alb-1"));
    assertTrue(health.stalled());
    assertEquals("ChildListingDenied", health.reason());
    assertTrue(health.message().contains("alb:ListRules"), health.message());
    assertTrue(health.message().contains("spec.includeChildren: false"), health.message());

    clock.advance(Duration.ofSeconds(10));
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(1, alb.calls("ListRules"), "a denial is not asked again before the refresh interval");
  }

  @Test
  void aTransientFailureKeepsTheChildrenListedBefore() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    alb.failWith = new AlbException(ErrorKind.THROTTLED, "Throttling.User", 400, "flow control", null);
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    LoadBalancerChildren.Family f = cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(List.of("lsn-1"), f.idsByType().get("listener"));
    assertEquals(null, WatchSync.childHealth(f, List.of("alb-1")));
  }

  @Test
  void aClosedScopeDropsItsChildren() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(1, cache.size());
    cache.forget(SCOPE);
    assertEquals(0, cache.size());
  }

  @Test
  void aFamilyPollFindsChildJobsUnderTheChildOrUnderTheLoadBalancer() throws Exception {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    alb.rule("rule-1", "lsn-1", "alb-1", "sgp-1");
    long t = clock.instant().toEpochMilli();
    alb.jobs.put(new AlbJob("UNDER-CHILD", "CreateRules", "Create", "rule", "rule-1", "Succeeded", null, null, t - 5000, t));
    alb.jobs.put(new AlbJob("UNDER-LB", "UpdateRulesAttribute", "Update", "loadbalancer", "alb-1", "Succeeded", null, null,
        t - 4000, t));
    alb.jobs.put(new AlbJob("SERVERS", "AddServersToServerGroup", "Update", "servergroup", "sgp-1", "Processing", null, null,
        t - 3000, t));
    alb.jobs.put(new AlbJob("OTHER-LB", "CreateRules", "Create", "rule", "rule-x", "Succeeded", null, null, t - 2000, t));
    for (boolean share : List.of(false, true)) {
      FamilyPoll.Result r = poll(share, "ns/w-" + share);
      assertEquals(Set.of("UNDER-CHILD", "UNDER-LB", "SERVERS"), ids(r.jobs()), "shared listing: " + share);
      assertEquals(share, r.shared());
      for (AlbJob j : r.jobs()) {
        assertEquals("alb-1", r.family().loadBalancerOf(j));
      }
    }
  }

  @Test
  void anUnknownChildInASharedListingListsTheChildrenAgainAtOnce() throws Exception {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    clock.advance(Duration.ofSeconds(10));
    // An ingress controller adds a rule; ALB records CreateRules under the new rule.
    alb.rule("rule-new", "lsn-1", "alb-1", "sgp-1");
    long t = clock.instant().toEpochMilli();
    alb.jobs.put(new AlbJob("NEW-RULE", "CreateRules", "Create", "rule", "rule-new", "Processing", null, null, t - 1000, t));
    alb.jobs.put(new AlbJob("ELSEWHERE", "CreateRules", "Create", "rule", "rule-x", "Processing", null, null, t - 1000, t));
    FamilyPoll.Result r = poll(true, "ns/w");
    assertEquals(Set.of("NEW-RULE"), ids(r.jobs()));
    assertEquals(2, alb.calls("ListRules"));
    clock.advance(Duration.ofSeconds(10));
    poll(true, "ns/w");
    assertEquals(2, alb.calls("ListRules"), "a child of another load balancer is not a reason twice");
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    cache.family(SCOPE, alb, List.of("alb-1"), false); // another watch's poll makes the regular refresh
    assertEquals(3, alb.calls("ListRules"));
    clock.advance(Duration.ofSeconds(10));
    poll(true, "ns/w");
    assertEquals(3, alb.calls("ListRules"), "nor after a regular refresh");
  }

  private FamilyPoll.Result poll(boolean share, String member) throws AlbException {
    JobLister lister = new JobLister(10);
    SharedListings listings = new SharedListings(share, lister, Duration.ofMinutes(5), Duration.ofSeconds(30), 10);
    AlbClock.Probe probe = new AlbClock(clock, Duration.ofSeconds(150)).probe(alb, SCOPE.endpoint());
    LoadBalancerChildren.Family f = cache.family(SCOPE, probe, List.of("alb-1"), false);
    Instant now = clock.instant();
    return new FamilyPoll(cache, listings, lister, Duration.ofMinutes(5))
        .poll(SCOPE, probe, f, List.of("alb-1"), member, List.of(), now.minus(Duration.ofMinutes(5)), now, now, now);
  }

  private static Set<String> ids(List<AlbJob> jobs) {
    return Set.copyOf(jobs.stream().map(AlbJob::id).toList());
  }

  private static AlbJob job(String id, String type, String resource) {
    return new AlbJob(id, "Api", "Update", type, resource, "Succeeded", null, null, 0, 0);
  }

  /** ALB with listeners and rules in memory; every listener has one ACL, acl-&lt;listener&gt;. */
  private static final class Children implements AlbJobClient {
    final Map<String, ObjectNode> listeners = new ConcurrentHashMap<>();
    final Map<String, ObjectNode> rules = new ConcurrentHashMap<>();
    final FakeAlb jobs = new FakeAlb();
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final Set<String> denied = ConcurrentHashMap.newKeySet();
    volatile AlbException failWith;

    void listener(String id, String lb, String serverGroup) {
      ObjectNode l = JSON.createObjectNode().put("ListenerId", id).put("LoadBalancerId", lb);
      l.putArray("DefaultActions").addObject().put("Type", "ForwardGroup").putObject("ForwardGroupConfig")
          .putArray("ServerGroupTuples").addObject().put("ServerGroupId", serverGroup);
      listeners.put(id, l);
    }

    void rule(String id, String listener, String lb, String serverGroup) {
      ObjectNode r = JSON.createObjectNode().put("RuleId", id).put("ListenerId", listener).put("LoadBalancerId", lb);
      r.putArray("RuleActions").addObject().put("Type", "ForwardGroup").putObject("ForwardGroupConfig")
          .putArray("ServerGroupTuples").addObject().put("ServerGroupId", serverGroup);
      rules.put(id, r);
    }

    void deny(String action) {
      denied.add(action);
    }

    int calls(String action) {
      AtomicInteger n = calls.get(action);
      return n == null ? 0 : n.get();
    }

    @Override
    public JobPage listJobs(JobQuery query, String nextToken, int maxResults) throws AlbException {
      return jobs.listJobs(query, nextToken, maxResults);
    }

    @Override
    public JsonNode read(String action, Map<String, String> params) throws AlbException {
      calls.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
      if (denied.contains(action)) {
        throw new AlbException(ErrorKind.TERMINAL, "Forbidden.RAM", 403, "Forbidden.RAM: User not authorized", null);
      }
      if (failWith != null) {
        throw failWith;
      }
      Set<String> lbs = Set.copyOf(params.entrySet().stream()
          .filter(e -> e.getKey().startsWith("LoadBalancerIds.")).map(Map.Entry::getValue).toList());
      ObjectNode out = JSON.createObjectNode();
      switch (action) {
        case "ListListeners" -> select(out.putArray("Listeners"), listeners, lbs);
        case "ListRules" -> select(out.putArray("Rules"), rules, lbs);
        case "GetListenerAttribute" -> out.putObject("AclConfig").putArray("AclRelations").addObject()
            .put("AclId", "acl-" + params.get("ListenerId"));
        default -> throw new IllegalArgumentException(action);
      }
      return out;
    }

    private static void select(ArrayNode into, Map<String, ObjectNode> items, Set<String> lbs) {
      List<ObjectNode> sorted = new ArrayList<>(items.values());
      sorted.sort((a, b) -> a.toString().compareTo(b.toString()));
      for (ObjectNode item : sorted) {
        if (lbs.contains(item.path("LoadBalancerId").asText())) {
          into.add(item);
        }
      }
    }
  }

  private static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
