package io.albjobs.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.operator.testing.OperatorHarness;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scrapes /metrics after a simulator scenario and checks the values, not just the names. */
class MetricsEndpointTest {
  private static final String NS = "metrics";
  private final Instant t0 = Instant.now();
  private AlbSimulator sim;
  private OperatorHarness h;

  @BeforeEach
  void start() throws Exception {
    sim = AlbSimulator.start();
    sim.addAccount("acct", "LTAImetrics", "metrics-secret");
    h = new OperatorHarness(OperatorApp.sdkClients(OperatorConfig.from(List.of(), Map.of())));
    h.client
        .resource(Fixtures.credentials(NS, "alb-creds", "LTAImetrics", "metrics-secret"))
        .create();
  }

  @AfterEach
  void stop() {
    h.close();
    sim.close();
  }

  private String scrape() {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + h.app.httpPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      return r.body();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The value of the first sample whose name and labels contain all of {@code parts}. */
  private static double value(String body, String name, String... labels) {
    for (String line : body.lines().toList()) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = true;
      for (String l : labels) {
        all &= line.contains(l);
      }
      if (all) {
        Matcher m = Pattern.compile("\\s([-+0-9.eE]+|NaN)$").matcher(line);
        if (m.find()) {
          return Double.parseDouble(m.group(1));
        }
      }
    }
    return Double.NaN;
  }

  /** The sum of every series of {@code name} with these labels (e.g. over all ALB actions). */
  private static double sum(String body, String name, String... labels) {
    double total = 0;
    for (String line : body.lines().toList()) {
      if (line.startsWith(name + "{") && java.util.Arrays.stream(labels).allMatch(line::contains)) {
        Matcher m = Pattern.compile("\\s([-+0-9.eE]+)$").matcher(line);
        if (m.find()) {
          total += Double.parseDouble(m.group(1));
        }
      }
    }
    return total;
  }

  @Test
  void metricsReflectTheScenario() throws Exception {
    for (int i = 0; i < 3; i++) {
      sim.addJob(
          SimJob.builder("OK-" + i, "acct")
              .region("cn-hangzhou")
              .api("CreateRule", "Create")
              .resource("loadbalancer", "alb-m")
              .createdAt(t0.minusSeconds(100 + i))
              .succeedsAt(t0.minusSeconds(40 + i))
              .build());
    }
    sim.addJob(
        SimJob.builder("BAD-1", "acct")
            .region("cn-hangzhou")
            .api("CreateListener", "Create")
            .resource("loadbalancer", "alb-m")
            .createdAt(t0.minusSeconds(90))
            .failsAt(t0.minusSeconds(30), "QuotaExceeded.Listener", "quota")
            .build());
    sim.addJob(
        SimJob.builder("RUN-1", "acct")
            .region("cn-hangzhou")
            .api("DeleteRule", "Delete")
            .resource("loadbalancer", "alb-m")
            .createdAt(t0.minusSeconds(120))
            .build());
    sim.faults().throttleNext(1);
    h.client
        .resource(Fixtures.watch(NS, "lbs", sim.endpoint(), "alb-creds", List.of("alb-m")))
        .create();
    Await.until(
        Duration.ofSeconds(30),
        "five jobs mirrored",
        () ->
            h.jobs(NS).size() == 5
                && h.jobs(NS).stream()
                    .allMatch(j -> j.getStatus() != null && j.getStatus().getPhase() != null));
    Await.until(
        Duration.ofSeconds(15),
        "roll-up gauges",
        () -> {
          String b = scrape();
          return value(b, "albjobs_watch_jobs", "phase=\"Succeeded\"", "watch=\"lbs\"") == 3.0;
        });

    String body = scrape();
    assertEquals(
        3.0,
        value(
            body,
            "albjobs_watch_jobs",
            "phase=\"Succeeded\"",
            "namespace=\"metrics\"",
            "watch=\"lbs\""));
    assertEquals(1.0, value(body, "albjobs_watch_jobs", "phase=\"Failed\"", "watch=\"lbs\""));
    assertEquals(1.0, value(body, "albjobs_watch_jobs", "phase=\"Processing\"", "watch=\"lbs\""));
    assertEquals(
        1.0,
        value(
            body,
            "albjobs_jobs_failed_total",
            "api_name=\"CreateListener\"",
            "error_code=\"QuotaExceeded.Listener\"",
            "resource_type=\"loadbalancer\""));
    assertEquals(
        3.0,
        value(body, "albjobs_job_duration_seconds_count", "phase=\"Succeeded\""),
        "one duration per finished job");
    assertEquals(1.0, value(body, "albjobs_job_duration_seconds_count", "phase=\"Failed\""));
    assertTrue(
        value(body, "albjobs_job_duration_seconds_sum", "phase=\"Succeeded\"") >= 3 * 55,
        "durations of ~60s each");
    assertTrue(value(body, "albjobs_oldest_inflight_job_age_seconds") >= 119, "RUN-1 is 120s old");
    // The watch's first call (listing its load balancer's children, or its jobs) is the throttled
    // one.
    assertEquals(1.0, sum(body, "albjobs_alb_throttled_total"));
    assertEquals(1.0, value(body, "albjobs_alb_calls_total", "code=\"Throttling.User\""));
    // Every successful call the simulator answered is counted once. A call can be in flight between
    // the simulator's record and the operator's counter: compare when no call came in meanwhile.
    double[] ok = {0};
    long[] answered = {0};
    Await.until(
        Duration.ofSeconds(15),
        "the successful-call counter equal to the simulator's answers",
        () -> {
          long before = sim.calls().stream().filter(c -> c.httpStatus() == 200).count();
          ok[0] = sum(scrape(), "albjobs_alb_calls_total", "code=\"Success\"");
          answered[0] = sim.calls().stream().filter(c -> c.httpStatus() == 200).count();
          return before == answered[0] && ok[0] == answered[0];
        });
    assertTrue(ok[0] >= 1, "successful calls " + ok[0] + ", simulator answered " + answered[0]);
    // The call durations are counted too (the throttled first call and the polls after it).
    Await.until(
        Duration.ofSeconds(30),
        "two ListAsynJobs call durations",
        () ->
            value(scrape(), "albjobs_alb_call_duration_seconds_count", "action=\"ListAsynJobs\"")
                >= 2);
    // A load-balancer watch lists its children too; those calls are counted under their own action.
    Await.until(
        Duration.ofSeconds(30),
        "a successful ListListeners counted",
        () ->
            value(
                    scrape(),
                    "albjobs_alb_calls_total",
                    "action=\"ListListeners\"",
                    "code=\"Success\"")
                >= 1);
    double lastPoll =
        value(body, "albjobs_watch_last_successful_poll_timestamp_seconds", "watch=\"lbs\"");
    assertTrue(Math.abs(lastPoll - Instant.now().getEpochSecond()) < 30, "last poll " + lastPoll);
    assertTrue(
        body.contains("operator_sdk_") || body.contains("operator.sdk"), "JOSDK metrics present");
    // One heap pool (a survivor space, the old generation) can be empty right after a collection;
    // the heap as a whole never is.
    assertTrue(sum(body, "jvm_memory_used_bytes", "area=\"heap\"") > 0, "heap in use");
    assertFalse(
        body.contains("OK-0") || body.contains("alb-m"), "no job or resource ID as a label");
    assertFalse(body.contains("metrics-secret"));
  }

  @Test
  void aDeletedWatchLeavesNoStaleSeries() throws Exception {
    h.client
        .resource(Fixtures.watch(NS, "gone", sim.endpoint(), "alb-creds", List.of("alb-x")))
        .create();
    h.client
        .resource(Fixtures.watch(NS, "stays", sim.endpoint(), "alb-creds", List.of("alb-y")))
        .create();
    Await.until(
        Duration.ofSeconds(20),
        "both polled",
        () ->
            !Double.isNaN(
                    value(
                        scrape(),
                        "albjobs_watch_last_successful_poll_timestamp_seconds",
                        "watch=\"gone\""))
                && !Double.isNaN(
                    value(
                        scrape(),
                        "albjobs_watch_last_successful_poll_timestamp_seconds",
                        "watch=\"stays\"")));
    h.client
        .resources(io.albjobs.operator.crd.AsyncJobWatch.class)
        .inNamespace(NS)
        .withName("gone")
        .delete();
    Await.until(
        Duration.ofSeconds(20),
        "the deleted watch's series removed",
        () -> !scrape().contains("watch=\"gone\""));
    assertTrue(scrape().contains("watch=\"stays\""));
  }

  @Test
  void healthAndReadinessAnswer() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String path : List.of("/healthz", "/readyz")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.app.httpPort() + path))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), path);
    }
  }
}
