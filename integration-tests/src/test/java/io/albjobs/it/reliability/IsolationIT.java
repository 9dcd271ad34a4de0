package io.albjobs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.RecordedCall;
import io.albjobs.simulator.SimJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One account throttled to the ground and one with bad credentials, next to a healthy one: the
 * healthy watch keeps its poll interval.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class IsolationIT {
  /** Polls of the healthy watch measured: 20 gaps. */
  private static final int POLLS = 21;

  private final IntegrationEnv env = new IntegrationEnv("isolation-it");

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void aThrottledOrMisconfiguredAccountDoesNotDelayAHealthyOne() throws Exception {
    env.sim.addAccount("throttled", "LTAIthrottled", "throttled-secret");
    env.sim.faults().throttleAccount("throttled");
    Instant t0 = Instant.now();
    for (String acct : List.of("acct", "throttled")) {
      for (int i = 0; i < 5; i++) {
        // In flight for the whole test: both watches stay on their active interval (1s).
        env.sim.addJob(
            SimJob.builder(acct + "-" + i, acct)
                .region("cn-hangzhou")
                .api("CreateRule", "Create")
                .resource("loadbalancer", "alb-" + acct)
                .createdAt(t0.minusSeconds(10))
                .build());
      }
    }
    env.admin
        .resource(
            Fixtures.credentials(env.ns, "throttled-creds", "LTAIthrottled", "throttled-secret"))
        .create();
    env.admin
        .resource(
            Fixtures.credentials(env.ns, "wrong-creds", IntegrationEnv.KEY_ID, "not-the-secret"))
        .create();
    env.operator("--active-poll-interval=1s", "--alb-qps=5");
    for (int w = 0; w < 6; w++) {
      var throttled =
          Fixtures.watch(
              env.ns,
              "throttled-" + w,
              env.sim.endpoint(),
              "throttled-creds",
              List.of("alb-throttled"));
      env.admin.resource(throttled).create();
    }
    env.admin
        .resource(
            Fixtures.watch(env.ns, "wrong", env.sim.endpoint(), "wrong-creds", List.of("alb-acct")))
        .create();
    env.admin
        .resource(
            Fixtures.watch(env.ns, "healthy", env.sim.endpoint(), "alb-creds", List.of("alb-acct")))
        .create();
    Await.until(
        Duration.ofSeconds(30),
        "healthy watch mirrored its jobs",
        () ->
            env.jobs().stream().filter(j -> j.getSpec().getJobId().startsWith("acct-")).count()
                == 5);
    Await.until(
        Duration.ofSeconds(30),
        "the wrong-key watch stalled",
        () ->
            env.watch("wrong").getStatus() != null
                && Conditions.isTrue(
                    env.watch("wrong").getStatus().getConditions(), Conditions.STALLED));

    // Wait for 21 polls of the healthy watch (about 20 seconds at its 1 s interval), with a
    // deadline, instead of sleeping a fixed window: a starved watch fails, a slow machine does not.
    // 20 gaps make a p90 that two stalls of the machine (a GC, the API server) do not decide.
    Instant from = Instant.now();
    Await.until(
        Duration.ofSeconds(45),
        POLLS + " polls of the healthy watch beside the throttled ones",
        () -> healthyCalls(from).size() >= POLLS);
    List<Instant> healthy = healthyCalls(from);
    long throttledCalls =
        env.sim.calls().stream()
            .filter(c -> c.at().isAfter(from) && "LTAIthrottled".equals(c.accessKeyId()))
            .count();
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < healthy.size(); i++) {
      gaps.add(Duration.between(healthy.get(i - 1), healthy.get(i)).toMillis());
    }
    gaps.sort(Long::compare);
    long p90 =
        gaps.isEmpty()
            ? Long.MAX_VALUE
            : gaps.get((int) Math.ceil(gaps.size() * 0.9) - 1); // nearest rank
    System.out.printf(
        "Isolation: healthy watch made %d calls in %d ms (gaps p90 %d ms, max %d ms) beside %d throttled calls%n",
        healthy.size(),
        Duration.between(from, Instant.now()).toMillis(),
        p90,
        gaps.isEmpty() ? -1 : gaps.get(gaps.size() - 1),
        throttledCalls);
    assertTrue(
        healthy.size() >= POLLS,
        "the healthy watch kept polling about every second: " + healthy.size() + " calls");
    assertTrue(p90 <= 1600, "healthy poll gaps p90 " + p90 + " ms with a 1 s active interval");
  }

  private List<Instant> healthyCalls(Instant from) {
    List<Instant> healthy = new ArrayList<>();
    for (RecordedCall c : env.sim.calls()) {
      if (c.at().isAfter(from)
          && IntegrationEnv.KEY_ID.equals(c.accessKeyId())
          && c.httpStatus() == 200) {
        healthy.add(c.at());
      }
    }
    return healthy;
  }
}
