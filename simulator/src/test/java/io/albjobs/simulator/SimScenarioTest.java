package io.albjobs.simulator;

import static io.albjobs.simulator.SdkCalls.ids;
import static io.albjobs.simulator.SdkCalls.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SimScenarioTest {
  private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

  @Test
  void relativeTimesResolveAgainstT0() {
    Scenario scenario =
        Scenario.read(
            stream(
                """
                accounts:
                  - {accountId: demo, accessKeyId: LTAIdemo, accessKeySecret: demo-secret}
                  - {accountId: demo, accessKeyId: STS.demo, accessKeySecret: s, securityToken: t}
                jobs:
                  - {id: A, accountId: demo, regionId: cn-hangzhou, apiName: CreateListener,
                     operateType: Create, resourceType: loadbalancer, resourceId: alb-1,
                     createdAt: -30s, visibleAfter: 5s, duration: 1m30s}
                  - {id: B, accountId: demo, regionId: cn-hangzhou, apiName: CreateListener,
                     operateType: Create, resourceType: loadbalancer, resourceId: alb-1,
                     outcome: Failed, errorCode: QuotaExceeded.Listener, errorMessage: full,
                     duration: 500ms}
                  - {id: C, accountId: demo, regionId: cn-hangzhou, apiName: DeleteRule,
                     operateType: Delete, resourceType: rule, resourceId: rule-1}
                """));

    Map<String, SimJob> jobs = byId(scenario.jobs(T0));

    assertEquals(2, scenario.accounts().size());
    assertTrue(scenario.accounts().get(1).isSts());
    assertFalse(scenario.accounts().get(0).toString().contains("demo-secret"));
    assertEquals(T0.minusSeconds(30), jobs.get("A").createTime());
    assertEquals(T0.minusSeconds(25), jobs.get("A").visibleAt());
    assertEquals(T0.plusSeconds(60), jobs.get("A").finishTime());
    assertEquals("Succeeded", jobs.get("A").finalStatus());
    assertEquals(T0.plusMillis(500), jobs.get("B").finishTime());
    assertEquals("QuotaExceeded.Listener", jobs.get("B").errorCode());
    assertNull(jobs.get("C").finishTime(), "no duration: never finishes");
  }

  @Test
  void jsonWorksTooAndTyposAreRejected() {
    Scenario json =
        Scenario.read(
            stream(
                "{\"accounts\":[{\"accountId\":\"a\",\"accessKeyId\":\"k\","
                    + "\"accessKeySecret\":\"s\"}],\"jobs\":[]}"));

    assertEquals("k", json.accounts().get(0).accessKeyId());
    assertThrows(
        UncheckedIOException.class,
        () -> Scenario.read(stream("jobs:\n  - {id: A, acountId: demo}\n")));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Scenario.read(
                    stream("jobs:\n  - {id: A, accountId: d, regionId: r, createdAt: soon}\n"))
                .jobs(T0));
  }

  @Test
  void theDemoScenarioTellsTheIntendedStory() {
    Scenario demo = Scenario.demo();
    List<SimJob> jobs = demo.jobs(T0);
    List<SimJob> inFlight =
        jobs.stream().filter(j -> !j.isFinished(T0)).collect(Collectors.toList());
    Set<String> loadBalancers = jobs.stream().map(SimJob::resourceId).collect(Collectors.toSet());

    assertEquals(3, loadBalancers.size());
    assertTrue(loadBalancers.stream().allMatch(id -> id.startsWith("alb-")));
    String upperCaseUuid = "[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}";
    assertTrue(jobs.stream().allMatch(j -> j.id().matches(upperCaseUuid)));
    assertEquals(1, jobs.stream().filter(j -> j.finalStatus().equals("Failed")).count());
    assertTrue(inFlight.size() >= 6, "most jobs are in flight at t0");
    assertTrue(
        inFlight.stream().allMatch(j -> j.finishTime().isBefore(T0.plusSeconds(41))),
        "everything in flight finishes within ~40 s");
    assertEquals(
        inFlight.size(),
        inFlight.stream().map(SimJob::finishTime).distinct().count(),
        "finish times are staggered");
    long old =
        jobs.stream()
            .filter(j -> j.createTime().isBefore(T0.minus(Duration.ofMinutes(10))))
            .filter(j -> j.isFinished(T0) && j.finalStatus().equals("Succeeded"))
            .count();
    assertEquals(2, old);
  }

  @Test
  void aLoadedScenarioIsServedThroughTheSdk() throws Exception {
    MutableClock clock = new MutableClock(T0);
    try (AlbSimulator sim = AlbSimulator.start(clock)) {
      sim.loadScenario(AlbSimulator.class.getResourceAsStream(Scenario.DEMO_RESOURCE), T0);

      JsonNode atStart = list(SdkCalls.client("LTAIdemo", "demo-secret"), sim, "MaxResults", "100");
      clock.advance(Duration.ofSeconds(60));
      JsonNode later = list(SdkCalls.client("LTAIdemo", "demo-secret"), sim, "MaxResults", "100");

      assertTrue(ids(atStart).size() < ids(later).size(), "jobs started after t0 appear later");
      assertEquals(10, ids(later).size());
      later.path("Jobs").forEach(j -> assertFalse(j.path("Status").asText().equals("Processing")));
    }
  }

  private static Map<String, SimJob> byId(List<SimJob> jobs) {
    return jobs.stream().collect(Collectors.toMap(SimJob::id, Function.identity()));
  }

  private static InputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
