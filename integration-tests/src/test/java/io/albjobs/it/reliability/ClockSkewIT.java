package io.albjobs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.status.Times;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ALB's clock 10 minutes behind or ahead of the node's (the simulator's clock offset applies to
 * CreateTime, BeginTime filtering and the Date header): every job created after the first poll is
 * mirrored, the watermark is on ALB's clock, and the skew is reported by an Event and a gauge.
 */
class ClockSkewIT {
  private IntegrationEnv env;

  @AfterEach
  void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  @Timeout(180)
  void albTenMinutesBehind() throws Exception {
    run("skew-behind-it", Duration.ofMinutes(-10));
  }

  @Test
  @Timeout(180)
  void albTenMinutesAhead() throws Exception {
    run("skew-ahead-it", Duration.ofMinutes(10));
  }

  private void run(String ns, Duration offset) throws Exception {
    env = new IntegrationEnv(ns, AlbSimulator.startWithClockOffset(offset));
    // One old job so that the first poll has something to list, one later on another LB.
    env.sim.addJob(job("OLD-1", "alb-a", env.sim.albNow().minusSeconds(60)));
    OperatorApp app = env.operator("--poll-interval=2s", "--active-poll-interval=1s");
    env.admin
        .resource(
            Fixtures.watch(env.ns, "w", env.sim.endpoint(), "alb-creds", List.of("alb-a", "alb-b")))
        .create();
    Await.until(
        Duration.ofSeconds(60),
        "the first poll",
        () ->
            env.watch("w").getStatus() != null
                && env.watch("w").getStatus().getWatermark() != null
                && env.jobs().size() == 1);
    Instant watermark = Times.parse(env.watch("w").getStatus().getWatermark());
    long offWatermark = Math.abs(Duration.between(env.sim.albNow(), watermark).toSeconds());
    for (int i = 0; i < 6; i++) {
      // Jobs created after the first poll, on ALB's clock, on a resource with no job yet.
      env.sim.addJob(job("NEW-" + i, i % 2 == 0 ? "alb-b" : "alb-a", env.sim.albNow()));
      Thread.sleep(300);
    }
    Await.until(Duration.ofSeconds(60), "all 7 jobs mirrored", () -> env.jobs().size() == 7);
    Await.until(
        Duration.ofSeconds(30),
        "an AlbClockSkew Event on the watch",
        () -> skewEvents().size() == 1);
    String metrics = app.registry().scrape();
    double gauge =
        metrics
            .lines()
            .filter(l -> l.startsWith("albjobs_alb_clock_skew_seconds"))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
            .findFirst()
            .orElse(Double.NaN);
    Event event = skewEvents().get(0);
    System.out.printf(
        "Clock skew %s: 7 of 7 jobs mirrored, first watermark %d s from ALB's clock,"
            + " albjobs_alb_clock_skew_seconds %.1f, Event: %s%n",
        offset, offWatermark, gauge, event.getMessage());
    assertTrue(offWatermark < 60, "the watermark is on ALB's clock: " + offWatermark + " s off");
    assertEquals(offset.toSeconds(), gauge, 5, "the gauge shows ALB's clock minus the node's");
    assertTrue(
        event.getMessage().contains(offset.isNegative() ? "behind" : "ahead"), event.getMessage());
    // Still one Event after more polls: once per episode.
    long calls = env.sim.callCount();
    Await.until(Duration.ofSeconds(60), "more polls", () -> env.sim.callCount() >= calls + 3);
    assertEquals(1, skewEvents().size(), "one AlbClockSkew Event per episode");
  }

  private List<Event> skewEvents() {
    return env.admin.v1().events().inNamespace(env.ns).list().getItems().stream()
        .filter(e -> "AlbClockSkew".equals(e.getReason()))
        .toList();
  }

  private static SimJob job(String id, String lb, Instant created) {
    return SimJob.builder(id, "acct")
        .region("cn-hangzhou")
        .api("CreateRule", "Create")
        .resource("loadbalancer", lb)
        .createdAt(created)
        .succeedsAt(created.plusSeconds(1))
        .build();
  }
}
