package io.albjobs.operator.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.alb.AlbCredentials;
import io.albjobs.operator.alb.AlbEndpoint;
import io.albjobs.operator.alb.JobPage;
import io.albjobs.operator.alb.JobQuery;
import io.albjobs.operator.alb.SdkAlbJobClient;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ALB's clock read through the real SDK client from the Date of the simulator's answers. */
class AlbClockTest {
  @Test
  @Timeout(60)
  void theSkewOfAnOffsetSimulatorIsMeasuredInBothDirections() throws Exception {
    for (Duration offset :
        List.of(Duration.ofMinutes(-10), Duration.ofMinutes(10), Duration.ZERO)) {
      try (AlbSimulator sim = AlbSimulator.startWithClockOffset(offset)) {
        sim.addAccount("acct", "LTAIclock", "clock-secret");
        Instant created = sim.albNow().minusSeconds(5);
        sim.addJob(
            SimJob.builder("J1", "acct")
                .region("cn-hangzhou")
                .api("CreateRule", "Create")
                .resource("loadbalancer", "alb-1")
                .createdAt(created)
                .build());
        AlbEndpoint endpoint = AlbEndpoint.parse(sim.endpoint());
        AlbClock clock = new AlbClock(Clock.systemUTC(), Duration.ofMinutes(5).dividedBy(2));
        try (SdkAlbJobClient sdk =
            new SdkAlbJobClient(
                endpoint,
                "cn-hangzhou",
                new AlbCredentials.StaticKeys("secret ns/c", "LTAIclock", "clock-secret", null),
                Duration.ofSeconds(5),
                Duration.ofSeconds(10))) {
          AlbClock.Probe probe = clock.probe(sdk, endpoint);
          // Two calls on one kept-alive connection through the simulator's Date relay.
          for (int i = 0; i < 2; i++) {
            JobPage page =
                probe.listJobs(
                    JobQuery.byResources(
                        "loadbalancer", List.of("alb-1"), null, created.toEpochMilli() - 1),
                    null,
                    100);
            assertEquals(
                1,
                page.jobs().size(),
                "the job created on ALB's clock is listed from a BeginTime on it");
            assertNotNull(page.serverTime(), "the SDK exposes the Date header");
          }
          Duration skew = clock.skew(endpoint);
          System.out.printf(
              "ALB clock offset %s: measured skew %s, reported %s, gauge %.1f s%n",
              offset, skew, clock.skewed(skew), clock.worstSkewSeconds());
          assertTrue(
              skew.minus(offset).abs().compareTo(Duration.ofSeconds(2)) < 0,
              "skew " + skew + " for " + offset);
          assertEquals(!offset.isZero(), clock.skewed(skew));
          assertTrue(
              Math.abs(probe.serverTime().toEpochMilli() - sim.albNow().toEpochMilli()) < 3000,
              "Date is on ALB's clock");
        }
      }
    }
  }
}
