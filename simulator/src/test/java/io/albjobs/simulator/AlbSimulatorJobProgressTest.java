package io.albjobs.simulator;

import static io.albjobs.simulator.SdkCalls.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyuncs.IAcsClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The job clock, not the wall clock, moves jobs; request timestamps still use the real time. */
class AlbSimulatorJobProgressTest {
  private static final Instant T0 = Instant.parse("2020-01-01T00:00:00Z");
  private final MutableClock clock = new MutableClock(T0);
  private AlbSimulator sim;
  private IAcsClient client;

  @BeforeEach
  void start() {
    sim = AlbSimulator.start(clock);
    sim.addAccount("acct-1", "LTAIone", "secret-1");
    client = SdkCalls.client("LTAIone", "secret-1");
    sim.addJob(
        SimJob.builder("OK", "acct-1")
            .createdAt(T0)
            .visibleAfter(Duration.ofSeconds(2))
            .succeedsAt(T0.plusSeconds(10))
            .build());
    sim.addJob(
        SimJob.builder("BAD", "acct-1")
            .createdAt(T0)
            .failsAt(T0.plusSeconds(20), "QuotaExceeded.Listener", "quota")
            .build());
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void jobsAppearRunAndFinishAsTheJobClockAdvances() throws Exception {
    JsonNode atStart = job("OK");
    clock.advance(Duration.ofSeconds(2));
    JsonNode visible = job("OK");
    JsonNode badRunning = job("BAD");
    clock.advance(Duration.ofSeconds(8));
    JsonNode done = job("OK");
    JsonNode badStillRunning = job("BAD");
    clock.advance(Duration.ofSeconds(10));
    JsonNode failed = job("BAD");

    assertTrue(atStart.isMissingNode(), "not visible before visibleAt");
    assertEquals("Processing", visible.path("Status").asText());
    assertEquals(T0.toEpochMilli(), visible.path("ModifyTime").asLong());
    assertFalse(badRunning.has("ErrorCode"), "no error while Processing");
    assertEquals("Succeeded", done.path("Status").asText());
    assertEquals(T0.plusSeconds(10).toEpochMilli(), done.path("ModifyTime").asLong());
    assertFalse(done.has("ErrorCode"));
    assertEquals("Processing", badStillRunning.path("Status").asText());
    assertEquals("Failed", failed.path("Status").asText());
    assertEquals("QuotaExceeded.Listener", failed.path("ErrorCode").asText());
    assertEquals("quota", failed.path("ErrorMessage").asText());
    assertEquals(T0.plusSeconds(20).toEpochMilli(), failed.path("ModifyTime").asLong());
  }

  @Test
  void recordedCallsCarryTheJobClockTime() throws Exception {
    clock.advance(Duration.ofSeconds(42));
    list(client, sim);

    assertEquals(T0.plusSeconds(42), sim.calls().get(0).at());
  }

  private JsonNode job(String id) throws Exception {
    return list(client, sim, "JobIds.1", id).path("Jobs").path(0);
  }
}
