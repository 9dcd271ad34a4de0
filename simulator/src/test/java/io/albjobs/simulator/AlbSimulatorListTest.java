package io.albjobs.simulator;

import static io.albjobs.simulator.SdkCalls.failure;
import static io.albjobs.simulator.SdkCalls.ids;
import static io.albjobs.simulator.SdkCalls.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyuncs.IAcsClient;
import com.aliyuncs.exceptions.ClientException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlbSimulatorListTest {
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
  private final MutableClock clock = new MutableClock(T0);
  private AlbSimulator sim;
  private IAcsClient client;

  @BeforeEach
  void start() {
    sim = AlbSimulator.start(clock);
    sim.addAccount("acct-1", "LTAIone", "secret-1");
    sim.addAccount("acct-2", "LTAItwo", "secret-2");
    client = SdkCalls.client("LTAIone", "secret-1");
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void pagingVisitsEveryJobOnceNewestFirst() throws Exception {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      // Pairs share a CreateTime, so the id tie-break decides their order.
      String id = String.format("JOB-%02d", i);
      sim.addJob(job(id).createdAt(T0.minusSeconds(100 - i / 2)).build());
      expected.add(0, id);
    }

    List<String> seen = new ArrayList<>();
    JsonNode page = list(client, sim, "MaxResults", "10");
    int pages = 1;
    seen.addAll(ids(page));
    while (page.hasNonNull("NextToken") && !page.path("NextToken").asText().isEmpty()) {
      assertEquals(25, page.path("TotalCount").asInt());
      assertEquals(10, page.path("MaxResults").asInt());
      page = list(client, sim, "MaxResults", "10", "NextToken", page.path("NextToken").asText());
      seen.addAll(ids(page));
      pages++;
    }

    assertEquals(3, pages);
    assertEquals(expected, seen);
  }

  @Test
  void pagingIsStableWhenJobsArriveBetweenPages() throws Exception {
    for (int i = 0; i < 6; i++) {
      sim.addJob(job("OLD-" + i).createdAt(T0.minusSeconds(60 - i)).build());
    }
    JsonNode first = list(client, sim, "MaxResults", "3");
    sim.addJob(job("NEW-1").createdAt(T0.minusSeconds(1)).build());

    JsonNode second =
        list(client, sim, "MaxResults", "3", "NextToken", first.path("NextToken").asText());

    assertEquals(List.of("OLD-5", "OLD-4", "OLD-3"), ids(first));
    assertEquals(List.of("OLD-2", "OLD-1", "OLD-0"), ids(second));
    assertFalse(second.has("NextToken"), "last page has no NextToken");
  }

  @Test
  void defaultPageIsTwentyJobs() throws Exception {
    for (int i = 0; i < 21; i++) {
      sim.addJob(job("J" + i).createdAt(T0.minusSeconds(i)).build());
    }

    JsonNode page = list(client, sim);

    assertEquals(20, ids(page).size());
    assertEquals(20, page.path("MaxResults").asInt());
    assertEquals(21, page.path("TotalCount").asInt());
  }

  @Test
  void filtersNarrowTheList() throws Exception {
    sim.addJob(
        job("A")
            .resource("loadbalancer", "alb-1")
            .api("CreateListener", "Create")
            .createdAt(T0.minusSeconds(30))
            .build());
    sim.addJob(
        job("B")
            .resource("loadbalancer", "alb-2")
            .api("DeleteListener", "Delete")
            .createdAt(T0.minusSeconds(20))
            .build());
    sim.addJob(
        job("C")
            .resource("servergroup", "sgp-1")
            .api("CreateListener", "Create")
            .createdAt(T0.minusSeconds(10))
            .build());
    long t20 = T0.minusSeconds(20).toEpochMilli();

    assertEquals(List.of("C", "A"), ids(list(client, sim, "JobIds.1", "A", "JobIds.2", "C")));
    assertEquals(List.of("B", "A"), ids(list(client, sim, "ResourceType", "loadbalancer")));
    assertEquals(List.of("B"), ids(list(client, sim, "ResourceIds.1", "alb-2")));
    assertEquals(List.of("C", "A"), ids(list(client, sim, "ApiName", "CreateListener")));
    assertEquals(List.of("C", "B"), ids(list(client, sim, "BeginTime", Long.toString(t20))));
    assertEquals(List.of("B", "A"), ids(list(client, sim, "EndTime", Long.toString(t20))));
    assertEquals(
        List.of("B"),
        ids(list(client, sim, "ResourceType", "loadbalancer", "BeginTime", Long.toString(t20))));
  }

  @Test
  void callersSeeOnlyTheirAccountAndRegion() throws Exception {
    sim.addJob(job("MINE").build());
    sim.addJob(job("OTHER-REGION").region("cn-shanghai").build());
    sim.addJob(SimJob.builder("OTHER-ACCOUNT", "acct-2").createdAt(T0.minusSeconds(5)).build());

    assertEquals(List.of("MINE"), ids(list(client, sim)));
    assertEquals(
        List.of("OTHER-REGION"),
        ids(list(SdkCalls.client("cn-shanghai", "LTAIone", "secret-1"), sim)));
    assertEquals(List.of("OTHER-ACCOUNT"), ids(list(SdkCalls.client("LTAItwo", "secret-2"), sim)));
  }

  @Test
  void anUnknownOrForgottenJobIdGivesAnEmptyList() throws Exception {
    sim.addJob(job("GONE").build());
    sim.removeJob("GONE");

    JsonNode page = list(client, sim, "JobIds.1", "GONE", "JobIds.2", "NEVER-EXISTED");

    assertTrue(ids(page).isEmpty());
    assertEquals(0, page.path("TotalCount").asInt());
  }

  @Test
  void limitsAreEnforced() {
    for (String bad : List.of("0", "101", "-1", "ten")) {
      ClientException e = failure(client, sim, "MaxResults", bad);
      assertEquals("InvalidParameter", e.getErrCode());
      assertTrue(e.getErrMsg().contains("MaxResults"), e.getErrMsg());
    }
    String[] elevenJobIds = new String[22];
    String[] elevenResources = new String[22];
    for (int i = 0; i < 11; i++) {
      elevenJobIds[2 * i] = "JobIds." + (i + 1);
      elevenJobIds[2 * i + 1] = "J" + i;
      elevenResources[2 * i] = "ResourceIds." + (i + 1);
      elevenResources[2 * i + 1] = "alb-" + i;
    }

    ClientException jobIds = failure(client, sim, elevenJobIds);
    ClientException resourceIds = failure(client, sim, elevenResources);
    ClientException token = failure(client, sim, "NextToken", "not-a-token");
    ClientException time = failure(client, sim, "BeginTime", "2025-03-01T10:00:00Z");

    assertEquals("InvalidParameter", jobIds.getErrCode());
    assertTrue(jobIds.getErrMsg().contains("JobIds"), jobIds.getErrMsg());
    assertTrue(resourceIds.getErrMsg().contains("ResourceIds"), resourceIds.getErrMsg());
    assertTrue(token.getErrMsg().contains("NextToken"), token.getErrMsg());
    assertTrue(time.getErrMsg().contains("BeginTime"), time.getErrMsg());
  }

  @Test
  void tenIdsAndAHundredResultsAreAllowed() throws Exception {
    String[] params = new String[22];
    for (int i = 0; i < 10; i++) {
      params[2 * i] = "JobIds." + (i + 1);
      params[2 * i + 1] = "J" + i;
      sim.addJob(job("J" + i).createdAt(T0.minusSeconds(i)).build());
    }
    params[20] = "MaxResults";
    params[21] = "100";

    assertEquals(10, new HashSet<>(ids(list(client, sim, params))).size());
  }

  @Test
  void jobFieldsMatchTheApiContract() throws Exception {
    Instant created = T0.minus(Duration.ofMinutes(2));
    sim.addJob(
        job("F")
            .api("CreateListener", "Create")
            .resource("loadbalancer", "alb-9")
            .createdAt(created)
            .failsAt(T0.minusSeconds(30), "QuotaExceeded.Listener", "too many")
            .build());

    JsonNode page = list(client, sim);
    JsonNode job = page.path("Jobs").get(0);

    assertEquals("CreateListener", job.path("ApiName").asText());
    assertTrue(job.path("CreateTime").isIntegralNumber(), "epoch ms as a number");
    assertEquals(created.toEpochMilli(), job.path("CreateTime").asLong());
    assertEquals(T0.minusSeconds(30).toEpochMilli(), job.path("ModifyTime").asLong());
    assertEquals("QuotaExceeded.Listener", job.path("ErrorCode").asText());
    assertEquals("too many", job.path("ErrorMessage").asText());
    assertEquals("F", job.path("Id").asText());
    assertEquals("Create", job.path("OperateType").asText());
    assertEquals("alb-9", job.path("ResourceId").asText());
    assertEquals("loadbalancer", job.path("ResourceType").asText());
    assertEquals("Failed", job.path("Status").asText());
    assertFalse(page.path("RequestId").asText().isEmpty());
  }

  @Test
  void concurrentCallersAreAllServed() throws Exception {
    sim.addJob(job("A").build());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        results.add(pool.submit(() -> ids(list(client, sim)).size()));
      }
      for (Future<Integer> result : results) {
        assertEquals(1, result.get(10, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(40, sim.callCount());
  }

  private static SimJobBuilder job(String id) {
    return SimJob.builder(id, "acct-1").createdAt(T0.minusSeconds(10));
  }
}
