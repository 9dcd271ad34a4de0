package io.albjobs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.operator.write.JobNames;
import io.albjobs.simulator.RecordedCall;
import io.albjobs.simulator.SimJob;
import io.albjobs.simulator.SimResources;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When the operator starts with many load-balancer watches of one account scope, the first poll
 * lists the children of all their load balancers in one region-wide listing, and every watch finds
 * its own children (and their jobs) in it; a restart does the same. Without it, each watch lists
 * its own: a call per type and watch before any of them polls its jobs.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ColdStartIT {
  private static final String REGION = "cn-hangzhou";
  private static final int WATCHES = 12;
  private static final Duration WAIT = Duration.ofSeconds(90);

  private IntegrationEnv env;

  @AfterEach
  void close() {
    if (env != null) {
      env.close();
    }
  }

  private static final String REFRESH = "--child-refresh-interval=10m";

  @Test
  void aStartListsTheChildrenOfEveryWatchInOneRegionWideListing() throws Exception {
    env = new IntegrationEnv("cold-start");
    Instant t0 = Instant.now();
    for (int i = 0; i < WATCHES; i++) {
      String lb = "alb-cold-" + i;
      env.sim
          .resources()
          .putListener(
              IntegrationEnv.ACCOUNT,
              REGION,
              new SimResources.Listener("lsn-cold-" + i, lb, null, List.of(), List.of()));
      env.sim
          .resources()
          .putRule(
              IntegrationEnv.ACCOUNT,
              REGION,
              new SimResources.Rule("rule-cold-" + i, "lsn-cold-" + i, lb, List.of()));
      // A rule's job, recorded under the rule: only a watch that knows the rule mirrors it.
      env.sim.addJob(
          SimJob.builder("COLD-RULE-" + i, IntegrationEnv.ACCOUNT)
              .region(REGION)
              .api("CreateRules", "Create")
              .resource("rule", "rule-cold-" + i)
              .createdAt(t0.minusSeconds(60))
              .succeedsAt(t0.minusSeconds(55))
              .build());
      AsyncJobWatch w =
          Fixtures.watch(env.ns, "w" + i, env.sim.endpoint(), "alb-creds", List.of(lb));
      w.getSpec().setSince("10m");
      env.admin.resource(w).create();
    }

    // The children are listed again after the refresh interval (a minute by default): a slow
    // machine that takes longer to turn every watch Ready would count that listing too.
    OperatorApp first = env.operator(REFRESH);
    everyWatchListedItsChildrenAndMirroredItsRuleJob();
    assertEquals(1, regionWide("ListListeners"), "one region-wide ListListeners for 12 watches");
    assertEquals(1, regionWide("ListRules"), "one region-wide ListRules");
    assertEquals(0, perLoadBalancer("ListListeners"), "no watch listed its own listeners");
    assertEquals(0, perLoadBalancer("ListRules"), "no watch listed its own rules");

    // A restart (or a new leader) is a cold start too.
    env.stop(first);
    int before = env.sim.calls().size();
    OperatorApp second = env.operator(REFRESH);
    Await.until(
        WAIT,
        "every watch polled by the restarted operator",
        () ->
            IntStream.range(0, WATCHES)
                .allMatch(
                    i ->
                        second
                                .registry()
                                .find("albjobs_watch_last_successful_poll_timestamp_seconds")
                                .tag("watch", "w" + i)
                                .gauge()
                            != null));
    List<RecordedCall> after = since(before);
    assertEquals(
        1,
        after.stream()
            .filter(c -> "ListListeners".equals(c.action()))
            .filter(c -> !c.params().containsKey("LoadBalancerIds.1"))
            .count(),
        "after the restart, one region-wide ListListeners again");
    assertEquals(
        0,
        after.stream()
            .filter(c -> c.action().equals("ListListeners") || c.action().equals("ListRules"))
            .filter(c -> c.params().containsKey("LoadBalancerIds.1"))
            .count(),
        "and no watch listed its own children");
    everyWatchListedItsChildrenAndMirroredItsRuleJob();
  }

  private void everyWatchListedItsChildrenAndMirroredItsRuleJob() {
    Await.until(
        WAIT,
        "every watch Ready with its children listed, and each rule's job mirrored by its watch",
        () ->
            IntStream.range(0, WATCHES)
                .allMatch(
                    i -> {
                      AsyncJobWatch w = env.watch("w" + i);
                      AsyncJob job = env.job(JobNames.forJobId("COLD-RULE-" + i));
                      return w.getStatus() != null
                          && condition(w, Conditions.READY)
                          && condition(w, Conditions.CHILDREN_LISTED)
                          && job != null
                          && ("w" + i)
                              .equals(job.getMetadata().getLabels().get("albjobs.io/watch"));
                    }));
  }

  private static boolean condition(AsyncJobWatch w, String type) {
    return w.getStatus().getConditions().stream()
        .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private List<RecordedCall> since(int index) {
    List<RecordedCall> all = env.sim.calls();
    return all.subList(Math.min(index, all.size()), all.size());
  }

  private long regionWide(String action) {
    return env.sim.calls().stream()
        .filter(c -> action.equals(c.action()))
        .filter(c -> !c.params().containsKey("LoadBalancerIds.1"))
        .filter(
            c -> !c.params().containsKey("ListenerIds.1") && !c.params().containsKey("RuleIds.1"))
        .count();
  }

  private long perLoadBalancer(String action) {
    return env.sim.calls().stream()
        .filter(c -> action.equals(c.action()))
        .filter(c -> c.params().containsKey("LoadBalancerIds.1"))
        .count();
  }
}
