package io.albjobs.operator.poll;

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
import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.albjobs.operator.scope.AccountScope;
import io.albjobs.operator.status.ChildrenListed;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.status.Problem;
import io.albjobs.operator.status.WatchRollup;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.FakeAlb;
import io.fabric8.kubernetes.api.model.Condition;
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
  private static final AccountScope SCOPE =
      new AccountScope(
          "cn-hangzhou",
          AlbEndpoint.parse("alb.cn-hangzhou.aliyuncs.com"),
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
    cache.family(
        SCOPE, alb, List.of("alb-2"), false); // watch B, new: alb-1 is half-way and goes along
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
    assertEquals(
        5, f.ownCost(), "one query per type: loadbalancer, listener, rule, servergroup, acl");
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
    assertEquals(
        Map.of("rule", List.of("rule-new"), "servergroup", List.of("sgp-new")), added.idsByType());
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
    ChildrenListed.State state = ChildListing.of(f, List.of("alb-1"));
    assertFalse(state.listed());
    assertEquals("ChildListingDenied", state.reason());
    assertTrue(state.message().contains("refused alb:ListRules"), state.message());
    assertTrue(state.message().contains("alb:GetListenerAttribute"), state.message());
    assertTrue(state.message().contains("spec.includeChildren: false"), state.message());
    assertTrue(state.message().contains("are not mirrored"), state.message());

    clock.advance(Duration.ofSeconds(10));
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(
        1, alb.calls("ListRules"), "a denial is not asked again before the refresh interval");
  }

  @Test
  void aTransientFailureKeepsTheChildrenListedBefore() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    alb.failWith =
        new AlbException(ErrorKind.THROTTLED, "Throttling.User", 400, "flow control", null);
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    LoadBalancerChildren.Family f = cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(List.of("lsn-1"), f.idsByType().get("listener"));
    assertTrue(
        ChildListing.of(f, List.of("alb-1")).listed(),
        "the children listed before are used meanwhile");
  }

  @Test
  void aThrottledListingIsRetriedAfterAQuarterOfTheRefreshSoItCannotStarvePolling() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    alb.failWith =
        new AlbException(ErrorKind.THROTTLED, "LocalRateBudget", 0, "budget used up", null);
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(2, alb.calls("ListListeners"));
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(6));
      cache.family(SCOPE, alb, List.of("alb-1"), true);
    }
    assertEquals(
        3,
        alb.calls("ListListeners"),
        "throttled: one retry in 30 s (a quarter of the refresh interval), not 5");
    alb.failWith =
        new AlbException(
            ErrorKind.RETRYABLE, "ServiceUnavailable", 503, "ServiceUnavailable", null);
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    clock.advance(Duration.ofSeconds(6));
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(5, alb.calls("ListListeners"), "a server error is retried soon");
  }

  @Test
  void aclsAreReadForNewListenersAndEveryTenRefreshesNotEveryRefresh() {
    for (int i = 1; i <= 5; i++) {
      alb.listener("lsn-" + i, "alb-1", "sgp-" + i);
    }
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    for (int refresh = 1; refresh <= 10; refresh++) {
      clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
      if (refresh == 3) {
        alb.listener("lsn-new", "alb-1", "sgp-new");
      }
      LoadBalancerChildren.Family f = cache.family(SCOPE, alb, List.of("alb-1"), false);
      assertTrue(f.idsByType().get("acl").contains("acl-lsn-1"));
      if (refresh >= 3) {
        assertTrue(
            f.idsByType().get("acl").contains("acl-lsn-new"),
            "a new listener's ACLs are read at once");
      }
    }
    // 11 listings of 5 (then 6) listeners: 5 + 1 (new listener) + 6 (the tenth refresh reads all)
    // instead of 5 + 2 * 5 + 8 * 6 = 63 with a call per listener per listing.
    System.out.println(
        "GetListenerAttribute over 11 child listings of one load balancer with 5-6 listeners: "
            + alb.calls("GetListenerAttribute")
            + " (63 before)");
    assertEquals(12, alb.calls("GetListenerAttribute"));
    assertEquals(11, alb.calls("ListListeners"));
  }

  @Test
  void anAclAttachedBetweenFullReadsIsLookedUpBackToTheLastFullRead() throws Exception {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    Instant t0 = clock.instant();
    poll(false, "ns/w");
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    alb.extraAcl = "acl-new"; // attached to lsn-1; ALB records the job under the ACL
    long t = clock.instant().toEpochMilli();
    alb.jobs.put(
        new AlbJob(
            "ASSOCIATE",
            "AssociateAclsWithListener",
            "Update",
            "acl",
            "acl-new",
            "Succeeded",
            null,
            null,
            t,
            t));
    for (int i = 0; i < 9; i++) {
      poll(false, "ns/w");
      clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    }
    FamilyPoll.Result r = poll(false, "ns/w"); // the tenth refresh reads every listener's ACLs
    assertTrue(r.family().idsByType().get("acl").contains("acl-new"));
    assertTrue(ids(r.jobs()).contains("ASSOCIATE"), "looked up back to the full read at " + t0);
  }

  @Test
  void aSharedListingReadsTheListenersAclsAgainForAnUnknownAclNotForANewRule() throws Exception {
    oneListenerListed(true); // T0
    int reads = alb.calls("GetListenerAttribute");
    clock.advance(Duration.ofSeconds(10));
    alb.rule("rule-new", "lsn-1", "alb-1", "sgp-1");
    alb.jobs.put(processing("NEW-RULE", "rule", "rule-new", clock.instant()));
    assertTrue(ids(poll(true, "ns/w").jobs()).contains("NEW-RULE"));
    assertEquals(reads, alb.calls("GetListenerAttribute"), "a new rule: ACLs not read again");
    clock.advance(Duration.ofSeconds(10));
    alb.extraAcl = "acl-new"; // attached to lsn-1; ALB may record the job under the ACL
    alb.jobs.put(processing("ASSOCIATE", "acl", "acl-new", clock.instant()));
    FamilyPoll.Result r = poll(true, "ns/w");
    assertTrue(ids(r.jobs()).contains("ASSOCIATE"));
    assertEquals(reads + 1, alb.calls("GetListenerAttribute"), "an unknown ACL: read again");
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
    alb.jobs.put(
        new AlbJob(
            "UNDER-CHILD",
            "CreateRules",
            "Create",
            "rule",
            "rule-1",
            "Succeeded",
            null,
            null,
            t - 5000,
            t));
    alb.jobs.put(
        new AlbJob(
            "UNDER-LB",
            "UpdateRulesAttribute",
            "Update",
            "loadbalancer",
            "alb-1",
            "Succeeded",
            null,
            null,
            t - 4000,
            t));
    alb.jobs.put(
        new AlbJob(
            "SERVERS",
            "AddServersToServerGroup",
            "Update",
            "servergroup",
            "sgp-1",
            "Processing",
            null,
            null,
            t - 3000,
            t));
    alb.jobs.put(
        new AlbJob(
            "OTHER-LB",
            "CreateRules",
            "Create",
            "rule",
            "rule-x",
            "Succeeded",
            null,
            null,
            t - 2000,
            t));
    for (boolean share : List.of(false, true)) {
      FamilyPoll.Result r = poll(share, "ns/w-" + share);
      assertEquals(
          Set.of("UNDER-CHILD", "UNDER-LB", "SERVERS"), ids(r.jobs()), "shared listing: " + share);
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
    alb.jobs.put(
        new AlbJob(
            "NEW-RULE",
            "CreateRules",
            "Create",
            "rule",
            "rule-new",
            "Processing",
            null,
            null,
            t - 1000,
            t));
    alb.jobs.put(
        new AlbJob(
            "ELSEWHERE",
            "CreateRules",
            "Create",
            "rule",
            "rule-x",
            "Processing",
            null,
            null,
            t - 1000,
            t));
    FamilyPoll.Result r = poll(true, "ns/w");
    assertEquals(Set.of("NEW-RULE"), ids(r.jobs()));
    assertEquals(2, alb.calls("ListRules") - alb.byIdCalls.get());
    assertEquals(1, alb.byIdCalls.get(), "both rules looked up (rule-x is gone: not listed)");
    clock.advance(Duration.ofSeconds(10));
    poll(true, "ns/w");
    assertEquals(
        3,
        alb.calls("ListRules") - alb.byIdCalls.get(),
        "rule-x's job was created 1 s before that listing, within FamilyPoll.CREATE_LAG: ALB may"
            + " list a new rule late, so it is listed once more");
    clock.advance(Duration.ofSeconds(10));
    poll(true, "ns/w");
    assertEquals(
        3,
        alb.calls("ListRules") - alb.byIdCalls.get(),
        "then a child of another load balancer is no reason any more");
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    cache.family(
        SCOPE, alb, List.of("alb-1"), false); // another watch's poll makes the regular refresh
    assertEquals(4, alb.calls("ListRules") - alb.byIdCalls.get());
    clock.advance(Duration.ofSeconds(10));
    poll(true, "ns/w");
    assertEquals(4, alb.calls("ListRules") - alb.byIdCalls.get(), "nor after a regular refresh");
    assertEquals(
        2, alb.byIdCalls.get(), "nor a look-up (the second was with the listing within the lag)");
  }

  @Test
  void aDeniedListingIsAConditionOfItsOwnAndOneWarningReadyFollowsTheJobs() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    alb.deny("ListListeners");
    AsyncJobWatchStatus status = new AsyncJobWatchStatus();
    LoadBalancerChildren.Family f = cache.family(SCOPE, alb, List.of("alb-1"), false);
    WatchRollup.apply(status, List.of(), (Problem) null, 1L, clock.instant());
    Condition problem =
        ChildrenListed.apply(
            status, null, ChildListing.of(f, List.of("alb-1")), 1L, clock.instant());
    assertEquals("ChildListingDenied", problem.getReason(), "a new problem: one Warning Event");
    assertTrue(
        Conditions.isTrue(status.getConditions(), Conditions.READY), "Ready follows the jobs");
    assertFalse(
        Conditions.isTrue(status.getConditions(), Conditions.STALLED),
        "not Stalled: Argo CD stays Healthy");
    Condition listed =
        Conditions.find(status.getConditions(), Conditions.CHILDREN_LISTED).orElseThrow();
    assertEquals("False", listed.getStatus());
    assertTrue(listed.getMessage().contains("refused alb:ListListeners"), listed.getMessage());

    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    List<Condition> before = status.getConditions();
    f = cache.family(SCOPE, alb, List.of("alb-1"), false);
    WatchRollup.apply(status, List.of(), (Problem) null, 1L, clock.instant());
    assertNull(
        ChildrenListed.apply(
            status, before, ChildListing.of(f, List.of("alb-1")), 1L, clock.instant()),
        "the same problem again: no second Event");

    alb.denied.clear();
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    before = status.getConditions();
    f = cache.family(SCOPE, alb, List.of("alb-1"), false);
    WatchRollup.apply(status, List.of(), (Problem) null, 1L, clock.instant());
    assertNull(
        ChildrenListed.apply(
            status, before, ChildListing.of(f, List.of("alb-1")), 1L, clock.instant()));
    assertTrue(Conditions.isTrue(status.getConditions(), Conditions.CHILDREN_LISTED));

    before = status.getConditions();
    ChildrenListed.apply(status, before, null, 1L, clock.instant());
    assertTrue(
        Conditions.find(status.getConditions(), Conditions.CHILDREN_LISTED).isEmpty(),
        "absent with includeChildren: false");
  }

  @Test
  void aTerminalFailureOtherThanForbiddenIsChildListingFailedNotStalled() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    alb.broken.add("alb-1");
    ChildrenListed.State state =
        ChildListing.of(cache.family(SCOPE, alb, List.of("alb-1"), false), List.of("alb-1"));
    assertFalse(state.listed());
    assertEquals("ChildListingFailed", state.reason());
    assertTrue(io.albjobs.operator.status.Reasons.find("ChildListingFailed").isPresent());
    assertFalse(
        io.albjobs.operator.status.Reasons.find("ChildListingDenied").orElseThrow().stalled());
  }

  @Test
  void aForbiddenAfterAGoodListingSaysTheEarlierChildrenAreStillCovered() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    cache.family(SCOPE, alb, List.of("alb-1"), false);
    alb.deny("ListRules");
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    LoadBalancerChildren.Family f = cache.family(SCOPE, alb, List.of("alb-1"), false);
    String message = ChildListing.of(f, List.of("alb-1")).message();
    assertTrue(
        message.contains("the children listed at 2026-12-01T10:00:00Z are still covered"), message);
  }

  @Test
  void aListenerDeletedMidRefreshIsSkippedAndTheOtherLoadBalancerIsUnaffected() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    alb.listener("lsn-gone", "alb-1", "sgp-2");
    alb.listener("lsn-2", "alb-2", "sgp-3");
    cache.family(SCOPE, alb, List.of("alb-1"), false); // watch 1
    cache.family(SCOPE, alb, List.of("alb-2"), false); // watch 2
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    alb.vanishing.add("lsn-gone"); // deleted between ListListeners and its GetListenerAttribute
    // Asked soon (a poll saw a change): every listener's ACLs are read; alb-2 goes along.
    LoadBalancerChildren.Family one = cache.family(SCOPE, alb, List.of("alb-1"), true);
    LoadBalancerChildren.Family two = cache.family(SCOPE, alb, List.of("alb-2"), false);
    assertNull(one.problem());
    assertNull(two.problem());
    assertTrue(ChildListing.of(one, List.of("alb-1")).listed());
    assertTrue(ChildListing.of(two, List.of("alb-2")).listed());
    assertTrue(
        one.idsByType().get("acl").contains("acl-lsn-gone"), "its ACLs as known before are kept");
    assertEquals(List.of("acl-lsn-2"), two.idsByType().get("acl"));
    assertEquals(List.of("lsn-2"), two.idsByType().get("listener"));
  }

  @Test
  void aFailedChunkFailsOnlyItsLoadBalancers() {
    List<String> lbs = new ArrayList<>();
    for (int i = 0; i <= 10; i++) {
      String lb = String.format("alb-%02d", i);
      lbs.add(lb);
      alb.listener("lsn-" + i, lb, "sgp-" + i);
    }
    alb.totalCount = false;
    alb.broken.add("alb-10"); // the second chunk
    cache.family(SCOPE, alb, lbs, false);
    assertNull(cache.family(SCOPE, alb, List.of("alb-00"), false).problem());
    assertEquals(
        List.of("lsn-0"),
        cache.family(SCOPE, alb, List.of("alb-00"), false).idsByType().get("listener"));
    assertEquals(
        "UnknownError", cache.family(SCOPE, alb, List.of("alb-10"), false).problem().code());
  }

  @Test
  void withoutTotalCountTheChildrenAreListedPerChunk() {
    for (int i = 0; i <= 10; i++) {
      alb.listener("lsn-" + i, String.format("alb-%02d", i), "sgp-" + i);
    }
    alb.listener("lsn-foreign", "alb-foreign", "sgp-x");
    alb.totalCount = false;
    List<String> lbs = new ArrayList<>();
    for (int i = 0; i <= 10; i++) {
      lbs.add(String.format("alb-%02d", i));
    }
    LoadBalancerChildren.Family f = cache.family(SCOPE, alb, lbs, false);
    assertEquals(1, alb.regionWide.get(), "one region-wide probe, not the region-wide listing");
    assertEquals(3, alb.calls("ListListeners"), "the probe and one call per chunk");
    assertEquals(11, f.idsByType().get("listener").size());
  }

  @Test
  void aRefusedRegionWideListingFallsBackToPerChunkCallsAndIsRemembered() {
    List<String> lbs = new ArrayList<>();
    for (int i = 0; i <= 10; i++) {
      lbs.add(String.format("alb-%02d", i));
      alb.listener("lsn-" + i, lbs.get(i), "sgp-" + i);
    }
    alb.regionWideDenied = true; // a RAM policy scoped to load balancer ARNs
    LoadBalancerChildren.Family f = cache.family(SCOPE, alb, lbs, false);
    assertNull(f.problem());
    assertEquals(11, f.idsByType().get("listener").size());
    assertEquals(1, alb.regionWide.get());
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    cache.family(SCOPE, alb, lbs, false);
    assertEquals(1, alb.regionWide.get(), "not asked again for this scope");
  }

  /** {@code watches} watches of {@code each} load balancers with a listener each. */
  private List<List<String>> watches(int watches, int each) {
    List<List<String>> all = new ArrayList<>();
    for (int w = 0; w < watches; w++) {
      List<String> lbs = new ArrayList<>();
      for (int i = 0; i < each; i++) {
        String lb = String.format("alb-w%02d-%d", w, i);
        lbs.add(lb);
        alb.listener("lsn-" + lb, lb, "sgp-" + lb);
      }
      all.add(lbs);
    }
    return all;
  }

  private static List<String> flat(List<List<String>> watches) {
    return watches.stream().flatMap(List::stream).toList();
  }

  @Test
  void aColdStartListsTheChildrenOfEveryWatchOfTheScopeInOneRegionWideListing() {
    List<List<String>> watches = watches(20, 5);
    List<String> all = flat(watches);
    for (List<String> lbs : watches) {
      LoadBalancerChildren.Family f = cache.family(SCOPE, alb, lbs, false, null, false, () -> all);
      assertNull(f.problem());
      assertTrue(f.complete());
      assertEquals(
          lbs.stream().map(lb -> "lsn-" + lb).sorted().toList(),
          f.idsByType().get("listener"),
          "each watch finds its own listeners");
    }
    assertEquals(1, alb.calls("ListListeners"), "one region-wide listing, not one per watch");
    assertEquals(1, alb.calls("ListRules"));
    assertEquals(2, alb.regionWide.get());
    assertEquals(100, alb.calls("GetListenerAttribute"), "each listener's ACLs read once");
  }

  @Test
  void withoutPeersEveryWatchListsItsOwnChildren() {
    List<List<String>> watches = watches(20, 5);
    for (List<String> lbs : watches) {
      cache.family(SCOPE, alb, lbs, false, null, false, null);
    }
    assertEquals(20, alb.calls("ListListeners"), "the contrast: one listing per watch");
  }

  @Test
  void aColdStartInARegionWithTooManyChildrenListsPerWatchAndDoesNotProbeAgain() {
    List<List<String>> watches = watches(3, 5); // 15 load balancers: 2 listings of ten
    List<String> all = flat(watches);
    for (int i = 0; i < 201; i++) {
      alb.listener("lsn-foreign-" + i, "alb-foreign-" + i, "sgp-x"); // 3 pages region-wide
    }
    for (List<String> lbs : watches) {
      LoadBalancerChildren.Family f = cache.family(SCOPE, alb, lbs, false, null, false, () -> all);
      assertNull(f.problem());
      assertEquals(5, f.idsByType().get("listener").size());
    }
    assertEquals(1, alb.regionWide.get(), "probed once, then remembered");
    assertEquals(1 + 3, alb.calls("ListListeners"), "the probe and one listing per watch");
  }

  @Test
  void aRegionTooLargeForAColdStartIsNotProbedAgainForNewWatches() {
    List<List<String>> watches = watches(3, 5);
    List<String> all = flat(watches);
    for (int i = 0; i < 201; i++) {
      alb.listener("lsn-foreign-" + i, "alb-foreign-" + i, "sgp-x");
    }
    cache.family(SCOPE, alb, watches.get(0), false, null, false, () -> all);
    assertEquals(1, alb.regionWide.get());
    // Twelve new watches a minute later: many cold load balancers again, and the same region.
    clock.advance(Duration.ofMinutes(1));
    List<String> more = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String lb = "alb-new-" + i;
      more.add(lb);
      alb.listener("lsn-" + lb, lb, "sgp-" + lb);
    }
    List<String> everyone = new ArrayList<>(all);
    everyone.addAll(more);
    cache.family(SCOPE, alb, List.of("alb-new-0"), false, null, false, () -> everyone);
    assertEquals(1, alb.regionWide.get(), "not probed again within " + LoadBalancerChildren.IDLE);
  }

  @Test
  void aColdStartWithTooManyListenersToReadIsLeftToEachWatch() {
    int each = 6;
    int count = LoadBalancerChildren.BATCH_ATTRIBUTE_READS / each + 1; // one listener too many
    List<List<String>> watches = watches(count, each);
    List<String> all = flat(watches);
    for (List<String> lbs : watches) {
      LoadBalancerChildren.Family f = cache.family(SCOPE, alb, lbs, false, null, false, () -> all);
      assertNull(f.problem());
      assertEquals(each, f.idsByType().get("listener").size());
    }
    assertEquals(
        count * each,
        alb.calls("GetListenerAttribute"),
        "every listener's ACLs read once: the cold-start listing read none");
    assertEquals(2, alb.regionWide.get(), "the two region-wide pages, then no more");
    assertEquals(
        1 + count,
        alb.calls("ListListeners"),
        "the cold-start listing, too long with its ACL reads, gave way to one listing per watch");
  }

  @Test
  void aFailedColdStartListingLeavesEveryWatchToListItsOwn() {
    List<List<String>> watches = watches(3, 5);
    List<String> all = flat(watches);
    alb.failWith =
        new AlbException(ErrorKind.THROTTLED, "Throttling.User", 400, "Throttling.User", null);
    // The first watch: the cold-start listing fails, then its own listing fails the same way.
    LoadBalancerChildren.Family first =
        cache.family(SCOPE, alb, watches.get(0), false, null, false, () -> all);
    assertEquals("Throttling.User", first.problem().code());
    alb.failWith = null;
    for (List<String> lbs : watches.subList(1, 3)) {
      LoadBalancerChildren.Family f = cache.family(SCOPE, alb, lbs, false, null, false, () -> all);
      assertNull(f.problem(), "the other watches' load balancers carry no failure of it");
      assertEquals(5, f.idsByType().get("listener").size());
    }
  }

  @Test
  void aWatchWhoseLoadBalancersAreInTheColdStartListingWaitsForIt() throws Exception {
    List<List<String>> watches = watches(4, 5);
    List<String> all = flat(watches);
    alb.regionWideGate = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CompletableFuture<LoadBalancerChildren.Family> first =
        new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.CompletableFuture<LoadBalancerChildren.Family> second =
        new java.util.concurrent.CompletableFuture<>();
    Thread a =
        new Thread(
            () ->
                first.complete(
                    cache.family(SCOPE, alb, watches.get(0), false, null, false, () -> all)));
    Thread b =
        new Thread(
            () ->
                second.complete(
                    cache.family(SCOPE, alb, watches.get(1), false, null, false, () -> all)));
    a.setDaemon(true);
    b.setDaemon(true);
    a.start();
    Await.until(
        Duration.ofSeconds(10), "the cold-start listing started", () -> alb.regionWide.get() == 1);
    b.start();
    Await.until(
        Duration.ofSeconds(10),
        "the second watch waiting",
        () -> b.getState() == Thread.State.TIMED_WAITING);
    assertEquals(1, alb.regionWide.get(), "it waits for the listing, it does not make its own");
    assertFalse(second.isDone());
    alb.regionWideGate.countDown();
    LoadBalancerChildren.Family f = second.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(5, f.idsByType().get("listener").size());
    assertNull(first.get(10, java.util.concurrent.TimeUnit.SECONDS).problem());
    assertEquals(1, alb.calls("ListListeners"), "the second watch listed nothing of its own");
  }

  @Test
  void onlyRealSecurityPoliciesAreChildren() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    alb.listener("lsn-2", "alb-1", "sgp-1");
    alb.listeners.get("lsn-1").put("SecurityPolicyId", "spy-custom");
    alb.listeners.get("lsn-2").put("SecurityPolicyId", "tls_cipher_policy_1_2");
    LoadBalancerChildren.Family f = cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(List.of("spy-custom"), f.idsByType().get("securitypolicy"));
  }

  @Test
  void aRuleCreatedBeforeAFailedListingIsMirroredOnceListingWorksAgain() throws Exception {
    oneListenerListed(false); // T0
    clock.advance(Duration.ofMinutes(5));
    alb.rule("rule-new", "lsn-1", "alb-1", "sgp-1");
    long t = clock.instant().toEpochMilli();
    alb.jobs.put(
        new AlbJob(
            "CREATE-RULE",
            "CreateRules",
            "Create",
            "rule",
            "rule-new",
            "Succeeded",
            null,
            null,
            t,
            t));
    for (int i = 0; i < 3; i++) {
      poll(false, "ns/w"); // T0+5m..T0+15m: the cache answers, the rule is not known yet
      clock.advance(Duration.ofMinutes(5));
    }
    alb.failWith =
        new AlbException(
            ErrorKind.RETRYABLE, "ServiceUnavailable", 503, "ServiceUnavailable", null);
    FamilyPoll.Result failed = poll(false, "ns/w"); // T0+20m: the refresh fails
    assertEquals("ServiceUnavailable", failed.family().problem().code());
    assertFalse(ids(failed.jobs()).contains("CREATE-RULE"));
    alb.failWith = null;
    clock.advance(Duration.ofMinutes(1));
    FamilyPoll.Result r = poll(false, "ns/w");
    assertTrue(r.family().idsByType().get("rule").contains("rule-new"));
    assertTrue(
        ids(r.jobs()).contains("CREATE-RULE"),
        "looked up back to the last listing that worked (T0)");
  }

  @Test
  void aBackfillIsRecordedOnlyWhenCommitted() {
    alb.listener("lsn-1", "alb-1", "sgp-1");
    cache.polled("ns/w", cache.family(SCOPE, alb, List.of("alb-1"), false));
    alb.rule("rule-new", "lsn-1", "alb-1", "sgp-1");
    clock.advance(LoadBalancerChildren.DEFAULT_REFRESH);
    LoadBalancerChildren.Family f = cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertEquals(List.of("rule-new"), cache.backfill("ns/w", f).idsByType().get("rule"));
    // the mirror failed: nothing committed, the next poll looks the rule up again
    assertEquals(List.of("rule-new"), cache.backfill("ns/w", f).idsByType().get("rule"));
    cache.commit("ns/w", f);
    assertNull(cache.backfill("ns/w", f).since());
  }

  @Test
  void anUnknownChildCreatedAfterTheLastGoodListingIsNotMarkedAnotherLoadBalancers()
      throws Exception {
    alb.lookUpsDenied = true; // only a listing of the children says whose the rule is
    oneListenerListed(true); // T0
    clock.advance(Duration.ofSeconds(2));
    alb.rule("rule-new", "lsn-1", "alb-1", "sgp-1");
    long t = clock.instant().toEpochMilli();
    alb.jobs.put(
        new AlbJob(
            "NEW-RULE",
            "CreateRules",
            "Create",
            "rule",
            "rule-new",
            "Processing",
            null,
            null,
            t,
            t));
    clock.advance(Duration.ofSeconds(1));
    // Within MIN_SPACING of the last listing: no new listing, and the last one is older than the
    // job.
    assertFalse(ids(poll(true, "ns/w").jobs()).contains("NEW-RULE"));
    clock.advance(Duration.ofSeconds(10));
    FamilyPoll.Result r = poll(true, "ns/w");
    assertTrue(ids(r.jobs()).contains("NEW-RULE"), "still a reason to list again, and then found");
  }

  @Test
  void aRuleAlbListsOnlyAfterItsJobIsNotTakenForAnotherLoadBalancers() throws Exception {
    alb.lookUpsDenied = true; // only a listing of the children says whose the rule is
    // ALB took the CreateRules call 3 s before the children listing and lists the rule only after
    // that listing (it creates rules asynchronously).
    long took = clock.instant().minusSeconds(3).toEpochMilli();
    oneListenerListed(true); // T0: lsn-1, no rule yet
    alb.rule("rule-late", "lsn-1", "alb-1", "sgp-1");
    alb.jobs.put(
        new AlbJob(
            "LATE-RULE",
            "CreateRules",
            "Create",
            "rule",
            "rule-late",
            "Processing",
            null,
            null,
            took,
            took));
    clock.advance(Duration.ofSeconds(2));
    // A settling watch's poll after the change's fence: it must not turn Ready without the job.
    FamilyPoll.Result settling = poll(true, "ns/w", clock.instant().minusSeconds(1));
    assertTrue(
        ids(settling.jobs()).contains("LATE-RULE") || !settling.childrenFresh(),
        "a job of a child created about when the children were listed is not another load"
            + " balancer's: the poll lists the children again or is not fresh");
    clock.advance(LoadBalancerChildren.MIN_SPACING);
    FamilyPoll.Result later = poll(true, "ns/w");
    assertTrue(ids(later.jobs()).contains("LATE-RULE"), "and the job is the family's");
  }

  @Test
  void anotherLoadBalancersBusyAclIsNotAReasonToListTheChildrenAgainAndAgain() throws Exception {
    oneListenerListed(true); // T0
    int before = alb.calls("ListListeners");
    // Another load balancer's ACL takes an entry update every 3 s; each job is 2 s old when polled
    // (older than CLOCK_LAG, within CREATE_LAG: only a creating job may precede its child).
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofSeconds(3));
      long t = clock.instant().minusSeconds(2).toEpochMilli();
      alb.jobs.put(
          new AlbJob(
              "ACL-" + i,
              "AddEntriesToAcl",
              "Update",
              "acl",
              "acl-other",
              "Succeeded",
              null,
              null,
              t,
              t));
      poll(true, "ns/w");
    }
    assertEquals(
        before + 1,
        alb.calls("ListListeners"),
        "one listing says the ACL is not the family's; its later updates are no reason");
  }

  @Test
  void aSettlingPollWithASharedListingListsTheChildrenAgainOnlyForAChildItDoesNotKnow()
      throws Exception {
    alb.lookUpsDenied = true; // only a listing of the children says whose the rule is
    oneListenerListed(true); // T0
    clock.advance(Duration.ofSeconds(10));
    alb.jobs.put(processing("ON-LISTENER", "listener", "lsn-1", clock.instant()));
    FamilyPoll.Result quiet = poll(true, "ns/w", clock.instant().minusSeconds(1));
    assertEquals(Set.of("ON-LISTENER"), ids(quiet.jobs()));
    assertTrue(quiet.childrenFresh(), "every child job of the listing is the family's");
    assertEquals(1, alb.calls("ListListeners"), "no child it does not know: not listed again");

    // A rule the change created 2 s after a listing (within MIN_SPACING of it): listed again at
    // once, and its job is the family's.
    clock.advance(Duration.ofSeconds(1));
    cache.family(SCOPE, alb, List.of("alb-1"), true); // a listing just before the rule
    clock.advance(Duration.ofSeconds(2));
    alb.rule("rule-new", "lsn-1", "alb-1", "sgp-1");
    alb.jobs.put(processing("NEW-RULE", "rule", "rule-new", clock.instant()));
    clock.advance(Duration.ofSeconds(1));
    FamilyPoll.Result settling = poll(true, "ns/w", clock.instant().minusSeconds(1));
    assertTrue(ids(settling.jobs()).contains("NEW-RULE"));
    assertTrue(settling.childrenFresh());
    assertEquals(3, alb.calls("ListListeners"));
  }

  @Test
  void aSettlingPollIsNotFreshWhileAChildJobMayStillBeTheFamilys() throws Exception {
    alb.lookUpsDenied = true; // only a listing of the children says whose the rule is
    oneListenerListed(true); // T0
    alb.rule("rule-new", "lsn-1", "alb-1", "sgp-1");
    alb.jobs.put(processing("NEW-RULE", "rule", "rule-new", clock.instant()));
    clock.advance(Duration.ofMillis(500));
    // Within a second of the last listing: not listed again, so the rule may be the family's.
    FamilyPoll.Result r = poll(true, "ns/w", clock.instant());
    assertFalse(ids(r.jobs()).contains("NEW-RULE"));
    assertFalse(r.childrenFresh(), "a child job newer than the listing is not known yet");
    clock.advance(Duration.ofSeconds(1));
    r = poll(true, "ns/w", clock.instant());
    assertTrue(ids(r.jobs()).contains("NEW-RULE"));
    assertTrue(r.childrenFresh());
  }

  @Test
  void aListenerOrRuleOfAnotherLoadBalancerIsNotAReasonToListAgain() throws Exception {
    cache.refreshEvery(Duration.ofMinutes(20));
    alb.listener("lsn-1", "alb-1", "sgp-1");
    alb.listener("lsn-2", "alb-2", "sgp-2");
    alb.rule("rule-2", "lsn-2", "alb-2", "sgp-2");
    cache.family(SCOPE, alb, List.of("alb-2"), false); // another watch's load balancer
    poll(true, "ns/w");
    int listed = alb.calls("ListRules");
    clock.advance(Duration.ofSeconds(10));
    alb.jobs.put(processing("THEIRS", "rule", "rule-2", clock.instant()));
    alb.jobs.put(processing("THEIR-LISTENER", "listener", "lsn-2", clock.instant()));
    FamilyPoll.Result r = poll(true, "ns/w", clock.instant().minusSeconds(1));
    assertEquals(Set.of(), ids(r.jobs()));
    assertTrue(r.childrenFresh());
    assertEquals(listed, alb.calls("ListRules"), "known to be alb-2's: no listing");
  }

  @Test
  void aServerGroupJobIsAReasonToListAgainOnlyWhenTheFamilyChangedSinceTheListing()
      throws Exception {
    oneListenerListed(true); // T0
    clock.advance(Duration.ofSeconds(10));
    // Another load balancer's server group (server groups can be shared): not the family's as
    // long as nothing of the family changed since its children were listed.
    alb.jobs.put(processing("THEIR-SERVERS", "servergroup", "sgp-x", clock.instant()));
    FamilyPoll.Result r = poll(true, "ns/w", clock.instant().minusSeconds(1));
    assertEquals(Set.of(), ids(r.jobs()));
    assertTrue(r.childrenFresh());
    assertEquals(1, alb.calls("ListListeners"));

    // Backends added to the family's own server group change nothing it forwards to.
    clock.advance(Duration.ofSeconds(10));
    alb.jobs.put(processing("OUR-SERVERS", "servergroup", "sgp-1", clock.instant()));
    alb.jobs.put(processing("THEIR-SERVERS-2", "servergroup", "sgp-x", clock.instant()));
    r = poll(true, "ns/w", clock.instant().minusSeconds(1));
    assertEquals(Set.of("OUR-SERVERS"), ids(r.jobs()));
    assertTrue(r.childrenFresh());
    assertEquals(1, alb.calls("ListListeners"), "not listed again for a backend change");

    // The listener now forwards to sgp-x as well: its job says so, and sgp-x becomes the family's.
    clock.advance(Duration.ofSeconds(10));
    alb.listener("lsn-1", "alb-1", "sgp-x");
    alb.jobs.put(processing("FORWARD", "listener", "lsn-1", clock.instant()));
    alb.jobs.put(processing("ADD-SERVERS", "servergroup", "sgp-x", clock.instant()));
    r = poll(true, "ns/w", clock.instant().minusSeconds(1));
    assertEquals(
        Set.of("FORWARD", "ADD-SERVERS", "THEIR-SERVERS", "THEIR-SERVERS-2", "OUR-SERVERS"),
        ids(r.jobs()));
    assertTrue(r.childrenFresh());
    assertEquals(2, alb.calls("ListListeners"));
  }

  @Test
  void aNewRuleOfAnotherLoadBalancerIsLookedUpOnceForTheScopeNotListedByEveryFamily()
      throws Exception {
    cache.refreshEvery(Duration.ofMinutes(20));
    alb.listener("lsn-1", "alb-1", "sgp-1");
    alb.listener("lsn-2", "alb-2", "sgp-2");
    cache.family(SCOPE, alb, List.of("alb-2"), false); // another watch's load balancer
    poll(true, "ns/w");
    int listings = alb.calls("ListRules");
    clock.advance(Duration.ofSeconds(10));
    // alb-2's controller adds a rule; alb-2's children were not listed since.
    alb.rule("rule-2new", "lsn-2", "alb-2", "sgp-2");
    alb.jobs.put(processing("THEIR-RULE", "rule", "rule-2new", clock.instant()));
    FamilyPoll.Result r = poll(true, "ns/w", clock.instant().minusSeconds(1));
    assertEquals(Set.of(), ids(r.jobs()));
    assertTrue(r.childrenFresh(), "ALB said the rule is alb-2's");
    assertEquals(1, alb.byIdCalls.get(), "one look-up by RuleIds");
    assertEquals(listings + 1, alb.calls("ListRules"), "and no listing of alb-1's children");
    clock.advance(Duration.ofSeconds(2));
    poll(true, "ns/w-other", clock.instant().minusSeconds(1));
    assertEquals(1, alb.byIdCalls.get(), "another watch of the scope knows it from then on");

    // A rule of the family's own: covered from the look-up on, without listing the children.
    clock.advance(Duration.ofSeconds(10));
    int listeners = alb.calls("ListListeners");
    alb.rule("rule-1new", "lsn-1", "alb-1", "sgp-1");
    alb.jobs.put(processing("OUR-RULE", "rule", "rule-1new", clock.instant()));
    r = poll(true, "ns/w", clock.instant().minusSeconds(1));
    assertTrue(ids(r.jobs()).contains("OUR-RULE"));
    assertTrue(r.childrenFresh());
    assertEquals(2, alb.byIdCalls.get());
    assertEquals(listeners, alb.calls("ListListeners"), "the family's children not listed again");
    assertTrue(r.family().idsByType().get("rule").contains("rule-1new"));
    // Still the family's when the next listing shows it.
    clock.advance(Duration.ofMinutes(21));
    assertTrue(
        cache
            .family(SCOPE, alb, List.of("alb-1"), false)
            .idsByType()
            .get("rule")
            .contains("rule-1new"));
  }

  @Test
  void aRuleALateListingMissedStillTakesUpTheServerGroupItForwardsTo() throws Exception {
    oneListenerListed(true); // T0
    clock.advance(Duration.ofSeconds(10));
    // The change creates a server group and a rule forwarding to it, both jobs at T1.
    Instant t1 = clock.instant();
    alb.jobs.put(processing("CREATE-SG", "servergroup", "sgp-new", t1));
    alb.jobs.put(processing("CREATE-RULE", "rule", "rule-new", t1));
    // A listing 300 ms later does not show the rule yet (ALB lists it late).
    clock.advance(Duration.ofMillis(300));
    cache.family(SCOPE, alb, List.of("alb-1"), true);
    alb.rule("rule-new", "lsn-1", "alb-1", "sgp-new");
    clock.advance(Duration.ofSeconds(7));
    FamilyPoll.Result r = poll(true, "ns/w", t1.minusSeconds(1));
    assertEquals(
        Set.of("CREATE-SG", "CREATE-RULE"),
        ids(r.jobs()),
        "the rule the look-up named is the family's, and so is the server group it forwards to");
    assertTrue(r.childrenFresh());
  }

  @Test
  void aRuleLookedUpBeforeItsLoadBalancerWasListedIsCoveredOnceItIs() throws Exception {
    cache.refreshEvery(Duration.ofMinutes(20));
    alb.listener("lsn-1", "alb-1", "sgp-1");
    alb.rule("rule-1new", "lsn-1", "alb-1", "sgp-1");
    // Another watch's poll asked for the rule before any watch of alb-1 listed its children.
    cache.lookUp(SCOPE, alb, Map.of("rule", Set.of("rule-1new")));
    assertEquals(1, alb.byIdCalls.get());
    alb.rules.remove("rule-1new"); // ALB's ListRules shows it late
    alb.jobs.put(processing("NEW-RULE", "rule", "rule-1new", clock.instant()));
    clock.advance(Duration.ofSeconds(2));
    FamilyPoll.Result r = poll(true, "ns/w", clock.instant().minusSeconds(1));
    assertTrue(ids(r.jobs()).contains("NEW-RULE"), "ALB's answer covers it, asked once");
    assertEquals(1, alb.byIdCalls.get());
  }

  @Test
  void aLookedUpRuleThatNoListingShowsIsCoveredOnlyForAWhile() throws Exception {
    cache.refreshEvery(Duration.ofMinutes(1));
    alb.listener("lsn-1", "alb-1", "sgp-1");
    poll(true, "ns/w");
    clock.advance(Duration.ofSeconds(10));
    alb.rule("rule-brief", "lsn-1", "alb-1", "sgp-1");
    alb.jobs.put(processing("BRIEF", "rule", "rule-brief", clock.instant()));
    FamilyPoll.Result r = poll(true, "ns/w", clock.instant().minusSeconds(1));
    assertTrue(ids(r.jobs()).contains("BRIEF"), "covered from the look-up");
    alb.rules.remove("rule-brief"); // deleted before any listing showed it
    for (int minute = 1; minute <= 11; minute++) {
      clock.advance(Duration.ofMinutes(1)); // listed again every minute
      boolean covered =
          cache
              .family(SCOPE, alb, List.of("alb-1"), false)
              .idsByType()
              .getOrDefault("rule", List.of())
              .contains("rule-brief");
      assertEquals(minute <= 10, covered, "minute " + minute + ": its jobs count for 10 minutes");
    }
    LoadBalancerChildren.Family f = cache.family(SCOPE, alb, List.of("alb-1"), false);
    assertFalse(
        f.idsByType().getOrDefault("rule", List.of()).contains("rule-brief"), "then it is dropped");
  }

  @Test
  void watchesOfOneTickWaitForTheLookUpInFlightRatherThanListTheirChildren() throws Exception {
    cache.refreshEvery(Duration.ofMinutes(20));
    alb.listener("lsn-1", "alb-1", "sgp-1");
    alb.listener("lsn-2", "alb-2", "sgp-2");
    cache.family(SCOPE, alb, List.of("alb-2"), false); // another watch's load balancer
    poll(true, "ns/w1");
    poll(true, "ns/w2");
    clock.advance(Duration.ofSeconds(10));
    int listed = alb.calls("ListListeners");
    alb.rule("rule-2new", "lsn-2", "alb-2", "sgp-2");
    alb.jobs.put(processing("THEIR-RULE", "rule", "rule-2new", clock.instant()));
    java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
    alb.lookUpGate = answer;
    Instant fresh = clock.instant().minusSeconds(1);
    java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var first = threads.submit(() -> poll(true, "ns/w1", fresh));
      awaitTrue(() -> alb.byIdCalls.get() == 1, "the first watch's look-up is in flight");
      Thread[] second = new Thread[1];
      var other =
          threads.submit(
              () -> {
                second[0] = Thread.currentThread();
                return poll(true, "ns/w2", fresh);
              });
      awaitTrue(
          () -> other.isDone() || second[0] != null && second[0].getState() == Thread.State.BLOCKED,
          "the second watch waits for the answer");
      assertFalse(other.isDone(), "the second watch went on without the look-up's answer");
      answer.countDown();
      assertEquals(Set.of(), ids(first.get(30, java.util.concurrent.TimeUnit.SECONDS).jobs()));
      assertEquals(Set.of(), ids(other.get(30, java.util.concurrent.TimeUnit.SECONDS).jobs()));
    } finally {
      threads.shutdownNow();
    }
    assertEquals(1, alb.byIdCalls.get(), "one look-up for both");
    assertEquals(listed, alb.calls("ListListeners"), "neither listed its children again");
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!condition.getAsBoolean()) {
      assertTrue(Instant.now().isBefore(deadline), "timed out: " + what);
      Thread.sleep(5);
    }
  }

  @Test
  void aSettlingPollWithoutASharedListingListsTheChildrenAgainFirst() throws Exception {
    oneListenerListed(false); // T0
    clock.advance(Duration.ofSeconds(10));
    alb.rule("rule-new", "lsn-1", "alb-1", "sgp-1");
    alb.jobs.put(processing("NEW-RULE", "rule", "rule-new", clock.instant().minusSeconds(5)));
    FamilyPoll.Result r = poll(false, "ns/w", clock.instant().minusSeconds(1));
    assertTrue(ids(r.jobs()).contains("NEW-RULE"), "the rule is known before its jobs are asked");
    assertTrue(r.childrenFresh());
    assertEquals(2, alb.calls("ListListeners"));
  }

  /**
   * alb-1 with listener lsn-1 (forwarding to sgp-1), children listed again only every 20 minutes,
   * and listed once (at T0) by a poll of watch ns/w.
   */
  private void oneListenerListed(boolean share) throws AlbException {
    cache.refreshEvery(Duration.ofMinutes(20));
    alb.listener("lsn-1", "alb-1", "sgp-1");
    poll(share, "ns/w");
  }

  private static AlbJob processing(String id, String type, String resource, Instant created) {
    long t = created.toEpochMilli();
    return new AlbJob(id, "Api", "Update", type, resource, "Processing", null, null, t, t);
  }

  private FamilyPoll.Result poll(boolean share, String member) throws AlbException {
    return poll(share, member, null);
  }

  /** A poll; with {@code freshAsOf}, that of a settling watch after a change's fence. */
  private FamilyPoll.Result poll(boolean share, String member, Instant freshAsOf)
      throws AlbException {
    JobLister lister = new JobLister(10);
    SharedListings listings =
        new SharedListings(
            share,
            lister,
            Duration.ofMinutes(5),
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            10);
    AlbClock.Probe probe =
        new AlbClock(clock, Duration.ofSeconds(150)).probe(alb, SCOPE.endpoint());
    LoadBalancerChildren.Family f = cache.family(SCOPE, probe, List.of("alb-1"), false);
    Instant now = clock.instant();
    FamilyPoll.Result r =
        new FamilyPoll(cache, listings, lister, Duration.ofMinutes(5))
            .poll(
                SCOPE,
                probe,
                f,
                List.of("alb-1"),
                member,
                List.of(),
                now.minus(Duration.ofMinutes(5)),
                now,
                now,
                now,
                freshAsOf,
                job -> false);
    cache.commit(member, r.family()); // as WatchSync does once the jobs are mirrored
    return r;
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

    /** Load balancers whose chunk's ListRules fails (a server error). */
    final Set<String> broken = ConcurrentHashMap.newKeySet();

    /** Listeners ALB deletes between ListListeners and GetListenerAttribute. */
    final Set<String> vanishing = ConcurrentHashMap.newKeySet();

    /**
     * Region-wide calls (no LoadBalancerIds) and whether ALB refuses them or leaves out TotalCount.
     */
    final AtomicInteger regionWide = new AtomicInteger();

    /** Listings by ListenerIds or RuleIds (a look-up of whose a listener or rule is). */
    final AtomicInteger byIdCalls = new AtomicInteger();

    volatile boolean regionWideDenied;

    /** A RAM policy scoped to load balancers: a look-up by ListenerIds or RuleIds is refused. */
    volatile boolean lookUpsDenied;

    /** When set, a look-up by ID answers only once it is opened (a slow answer). */
    volatile java.util.concurrent.CountDownLatch lookUpGate;

    /** When set, a region-wide call answers only once it is opened (a slow answer). */
    volatile java.util.concurrent.CountDownLatch regionWideGate;

    volatile boolean totalCount = true;
    volatile AlbException failWith;

    /** A second ACL on every listener. */
    volatile String extraAcl;

    void listener(String id, String lb, String serverGroup) {
      ObjectNode l = JSON.createObjectNode().put("ListenerId", id).put("LoadBalancerId", lb);
      l.putArray("DefaultActions")
          .addObject()
          .put("Type", "ForwardGroup")
          .putObject("ForwardGroupConfig")
          .putArray("ServerGroupTuples")
          .addObject()
          .put("ServerGroupId", serverGroup);
      listeners.put(id, l);
    }

    void rule(String id, String listener, String lb, String serverGroup) {
      ObjectNode r =
          JSON.createObjectNode()
              .put("RuleId", id)
              .put("ListenerId", listener)
              .put("LoadBalancerId", lb);
      r.putArray("RuleActions")
          .addObject()
          .put("Type", "ForwardGroup")
          .putObject("ForwardGroupConfig")
          .putArray("ServerGroupTuples")
          .addObject()
          .put("ServerGroupId", serverGroup);
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
        throw new AlbException(
            ErrorKind.TERMINAL, "Forbidden.RAM", 403, "Forbidden.RAM: User not authorized", null);
      }
      if (failWith != null) {
        throw failWith;
      }
      Set<String> lbs =
          Set.copyOf(
              params.entrySet().stream()
                  .filter(e -> e.getKey().startsWith("LoadBalancerIds."))
                  .map(Map.Entry::getValue)
                  .toList());
      Set<String> byId =
          Set.copyOf(
              params.entrySet().stream()
                  .filter(
                      e ->
                          e.getKey().startsWith("ListenerIds.")
                              || e.getKey().startsWith("RuleIds."))
                  .map(Map.Entry::getValue)
                  .toList());
      if (!byId.isEmpty()) {
        byIdCalls.incrementAndGet();
        java.util.concurrent.CountDownLatch gate = lookUpGate;
        if (gate != null) {
          try {
            gate.await(30, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        if (lookUpsDenied) {
          throw new AlbException(
              ErrorKind.TERMINAL, "Forbidden.RAM", 403, "Forbidden.RAM: User not authorized", null);
        }
        ObjectNode found = JSON.createObjectNode();
        ArrayNode items = found.putArray("ListListeners".equals(action) ? "Listeners" : "Rules");
        ("ListListeners".equals(action) ? listeners : rules)
            .forEach(
                (id, node) -> {
                  if (byId.contains(id)) {
                    items.add(node);
                  }
                });
        return found;
      }
      if (lbs.isEmpty() && !"GetListenerAttribute".equals(action)) {
        regionWide.incrementAndGet();
        java.util.concurrent.CountDownLatch gate = regionWideGate;
        if (gate != null) {
          try {
            gate.await(30, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        if (regionWideDenied) {
          throw new AlbException(
              ErrorKind.TERMINAL, "Forbidden.RAM", 403, "Forbidden.RAM: resource alb:*", null);
        }
      }
      if ("ListRules".equals(action) && lbs.stream().anyMatch(broken::contains)) {
        throw new AlbException(
            ErrorKind.TERMINAL, "UnknownError", 400, "UnknownError: something odd", null);
      }
      ObjectNode out = JSON.createObjectNode();
      switch (action) {
        case "ListListeners" -> select(out, out.putArray("Listeners"), listeners, lbs);
        case "ListRules" -> select(out, out.putArray("Rules"), rules, lbs);
        case "GetListenerAttribute" -> {
          if (vanishing.contains(params.get("ListenerId"))) {
            listeners.remove(params.get("ListenerId"));
            throw new AlbException(
                ErrorKind.TERMINAL,
                "ResourceNotFound.Listener",
                404,
                "ResourceNotFound.Listener: The specified resource is not found",
                null);
          }
          ArrayNode relations = out.putObject("AclConfig").putArray("AclRelations");
          relations.addObject().put("AclId", "acl-" + params.get("ListenerId"));
          if (extraAcl != null) {
            relations.addObject().put("AclId", extraAcl);
          }
        }
        default -> throw new IllegalArgumentException(action);
      }
      return out;
    }

    /** Like ALB: every item of the region when no LoadBalancerIds are given. */
    private void select(
        ObjectNode out, ArrayNode into, Map<String, ObjectNode> items, Set<String> lbs) {
      List<ObjectNode> sorted = new ArrayList<>(items.values());
      sorted.sort((a, b) -> a.toString().compareTo(b.toString()));
      for (ObjectNode item : sorted) {
        if (lbs.isEmpty() || lbs.contains(item.path("LoadBalancerId").asText())) {
          into.add(item);
        }
      }
      if (totalCount) {
        out.put("TotalCount", into.size());
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
