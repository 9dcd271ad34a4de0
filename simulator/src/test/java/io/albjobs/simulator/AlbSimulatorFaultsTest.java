package io.albjobs.simulator;

import static io.albjobs.simulator.SdkCalls.failure;
import static io.albjobs.simulator.SdkCalls.ids;
import static io.albjobs.simulator.SdkCalls.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyuncs.CommonRequest;
import com.aliyuncs.CommonResponse;
import com.aliyuncs.IAcsClient;
import com.aliyuncs.exceptions.ClientException;
import com.aliyuncs.exceptions.ServerException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlbSimulatorFaultsTest {
  private AlbSimulator sim;
  private IAcsClient client;

  @BeforeEach
  void start() {
    sim = AlbSimulator.start();
    sim.addAccount("acct-1", "LTAIone", "secret-1");
    client = SdkCalls.client("LTAIone", "secret-1");
    Instant now = Instant.now();
    for (int i = 0; i < 10; i++) {
      sim.addJob(SimJob.builder("J" + i, "acct-1").createdAt(now.minusSeconds(i)).build());
    }
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void throttleNextRefusesExactlyThatManyCalls() throws Exception {
    sim.faults().throttleNext(2);

    ClientException first = failure(client, sim);
    ClientException second = failure(client, sim);
    JsonNode third = list(client, sim);

    assertEquals("Throttling.User", first.getErrCode());
    assertFalse(first instanceof ServerException, "throttling is a 400");
    assertEquals("Throttling.User", second.getErrCode());
    assertEquals(10, ids(third).size());
    assertEquals(3, sim.callCount());
  }

  @Test
  void ratesAreRepeatableForASeed() {
    List<Boolean> a = throttledPattern(7);
    List<Boolean> b = throttledPattern(7);

    assertEquals(a, b);
    assertTrue(a.contains(true) && a.contains(false), a.toString());
  }

  @Test
  void serverErrorsAreServerExceptions() {
    sim.faults().serverErrorNext(1).internalErrorNext(1);

    ClientException unavailable = failure(client, sim);
    ClientException internal = failure(client, sim);
    sim.faults().serverErrorRate(1.0);
    ClientException drawn = failure(client, sim);

    assertInstanceOf(ServerException.class, unavailable);
    assertEquals("ServiceUnavailable", unavailable.getErrCode());
    assertEquals(503, sim.calls().get(0).httpStatus());
    assertInstanceOf(ServerException.class, internal);
    assertEquals("InternalError", internal.getErrCode());
    assertEquals(500, sim.calls().get(1).httpStatus());
    assertInstanceOf(ServerException.class, drawn);
  }

  @Test
  void latencyDelaysEveryCallAndTripsTheClientReadTimeout() throws Exception {
    sim.faults().latency(Duration.ofMillis(300));
    CommonRequest impatient = SdkCalls.request(sim);
    impatient.setSysReadTimeout(100);

    long start = System.nanoTime();
    list(client, sim);
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    ClientException timeout =
        assertThrows(ClientException.class, () -> client.getCommonResponse(impatient));

    assertTrue(elapsedMillis >= 300, "took " + elapsedMillis + " ms");
    assertEquals("SDK.ReadTimeout", timeout.getErrCode());
  }

  @Test
  void malformedNextTruncatesASuccessfulBody() throws Exception {
    sim.faults().malformedNext(1);

    CommonResponse broken = client.getCommonResponse(SdkCalls.request(sim));
    JsonNode fine = list(client, sim);

    assertEquals(200, broken.getHttpStatus());
    assertThrows(JsonProcessingException.class, () -> SdkCalls.JSON.readTree(broken.getData()));
    assertEquals(10, ids(fine).size());
  }

  @Test
  void resetNextDropsTheConnectionWithoutAnAnswer() throws Exception {
    sim.faults().resetNext(1);

    ClientException reset = failure(client, sim);
    JsonNode fine = list(client, sim);

    assertEquals("SDK.ServerUnreachable", reset.getErrCode());
    assertEquals(RecordedCall.NO_RESPONSE, sim.calls().get(0).httpStatus());
    assertEquals(RecordedCall.CONNECTION_RESET, sim.calls().get(0).errorCode());
    assertEquals(10, ids(fine).size());
    assertEquals(2, sim.callCount());
  }

  @Test
  void aDeniedAccountIsForbiddenUntilAllowed() throws Exception {
    sim.faults().denyAccount("acct-1");
    ClientException denied = failure(client, sim);
    sim.faults().allowAccount("acct-1");

    assertEquals("Forbidden.RAM", denied.getErrCode());
    assertEquals(403, sim.calls().get(0).httpStatus());
    assertEquals(10, ids(list(client, sim)).size());
  }

  @Test
  void repeatNextTokenNeverEndsPaging() throws Exception {
    sim.faults().repeatNextToken(true);

    JsonNode first = list(client, sim, "MaxResults", "4");
    String token = first.path("NextToken").asText();
    JsonNode second = list(client, sim, "MaxResults", "4", "NextToken", token);
    JsonNode third = list(client, sim, "MaxResults", "100", "NextToken", token);

    assertFalse(token.isEmpty());
    assertEquals(token, second.path("NextToken").asText());
    assertEquals(token, third.path("NextToken").asText(), "even past the last job");
  }

  @Test
  void oversizePageReturnsMoreThanAskedAndPagingStillCoversAll() throws Exception {
    sim.faults().oversizePage(true);

    JsonNode first = list(client, sim, "MaxResults", "4");
    JsonNode second =
        list(client, sim, "MaxResults", "4", "NextToken", first.path("NextToken").asText());

    assertEquals(List.of("J0", "J1", "J2", "J3", "J4"), ids(first));
    assertEquals(List.of("J5", "J6", "J7", "J8", "J9"), ids(second));
    assertEquals(4, first.path("MaxResults").asInt());
  }

  @Test
  void clearTurnsEveryFaultOff() throws Exception {
    sim.faults()
        .throttleNext(5)
        .throttleRate(1)
        .serverErrorNext(5)
        .serverErrorRate(1)
        .malformedNext(5)
        .resetNext(5)
        .latency(Duration.ofSeconds(5))
        .denyAccount("acct-1")
        .repeatNextToken(true)
        .oversizePage(true)
        .clear();

    JsonNode page = list(client, sim, "MaxResults", "20");

    assertEquals(10, ids(page).size());
    assertFalse(page.has("NextToken"));
  }

  @Test
  void resetCountersForgetsCalls() throws Exception {
    list(client, sim);
    sim.resetCounters();

    assertEquals(0, sim.callCount());
    assertEquals(0, sim.callCount("LTAIone"));
    assertTrue(sim.calls().isEmpty());
    assertNotEquals(0, ids(list(client, sim)).size());
    assertEquals(1, sim.callCount());
  }

  private List<Boolean> throttledPattern(long seed) {
    sim.faults().clear().seed(seed).throttleRate(0.5);
    List<Boolean> throttled = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      try {
        list(client, sim);
        throttled.add(false);
      } catch (ClientException e) {
        assertEquals("Throttling.User", e.getErrCode());
        throttled.add(true);
      }
    }
    return throttled;
  }

  /**
   * Each fault counts the calls it hit, so a test can tell a fault that happened from one that did
   * not.
   */
  @Test
  void everyFaultCountsTheCallsItHit() throws Exception {
    for (Faults.Kind kind : Faults.Kind.values()) {
      assertEquals(0, sim.faults().injected(kind), kind + " before any fault");
    }
    list(client, sim);
    sim.faults().throttleNext(2);
    failure(client, sim);
    failure(client, sim);
    sim.faults().internalErrorNext(1);
    failure(client, sim);
    sim.faults().malformedNext(1);
    assertThrows(Throwable.class, () -> list(client, sim));
    sim.faults().resetNext(1);
    assertThrows(Throwable.class, () -> list(client, sim));
    sim.faults().latency(Duration.ofMillis(1));
    list(client, sim);
    sim.faults().latency(Duration.ZERO);
    sim.faults().oversizePage(true);
    list(client, sim, "MaxResults", "4");
    list(client, sim, "MaxResults", "20");
    sim.faults().oversizePage(false);
    sim.faults().repeatNextToken(true);
    String token = list(client, sim, "MaxResults", "4").path("NextToken").asText();
    list(client, sim, "MaxResults", "4", "NextToken", token);
    sim.faults().clear();
    list(client, sim);

    assertEquals(2, sim.faults().injected(Faults.Kind.THROTTLE));
    assertEquals(1, sim.faults().injected(Faults.Kind.SERVER_ERROR));
    assertEquals(1, sim.faults().injected(Faults.Kind.MALFORMED));
    assertEquals(1, sim.faults().injected(Faults.Kind.RESET));
    assertEquals(1, sim.faults().injected(Faults.Kind.LATENCY));
    assertEquals(
        1,
        sim.faults().injected(Faults.Kind.OVERSIZE_PAGE),
        "only the page that really was larger");
    assertEquals(
        1,
        sim.faults().injected(Faults.Kind.REPEATED_TOKEN),
        "only the answer that repeated a token");
  }
}
