package io.albjobs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.operator.write.JobNames;
import io.albjobs.simulator.SimJob;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A watch with nothing in flight sees a new job within about {@code --discover-interval}, not at
 * its idle interval: the scope's listing wakes it. With discovery off it waits for its interval.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DiscoveryIT {
  private static final int WATCHES = 4;
  private static final Duration INTERVAL = Duration.ofSeconds(60);
  private IntegrationEnv env;
  private OperatorApp app;
  private final Instant t0 = Instant.now();

  @AfterEach
  void close() {
    if (env != null) {
      env.close();
    }
  }

  /** Four idle watches of one load balancer each, every old job mirrored and final. */
  private void idleWatches(String ns, String... flags) throws Exception {
    env =
        new IntegrationEnv(
            ns,
            List.of("--poll-interval=" + INTERVAL.toSeconds() + "s", "--active-poll-interval=1s"));
    for (int w = 0; w < WATCHES; w++) {
      env.sim.addJob(
          SimJob.builder("D-OLD-" + w, IntegrationEnv.ACCOUNT)
              .region("cn-hangzhou")
              .api("UpdateLoadBalancerAttribute", "Update")
              .resource("loadbalancer", "alb-d" + w)
              .createdAt(t0.minusSeconds(120))
              .succeedsAt(t0.minusSeconds(100))
              .build());
      env.admin
          .resource(
              Fixtures.watch(
                  env.ns, "w" + w, env.sim.endpoint(), "alb-creds", List.of("alb-d" + w)))
          .create();
    }
    app = env.operator(new AtomicLong(), flags);
    Await.until(
        Duration.ofSeconds(60),
        "every old job mirrored and every watch Ready",
        () ->
            env.jobs().size() == WATCHES
                && env.jobs().stream().allMatch(j -> j.getStatus() != null)
                && env.jobs().stream().allMatch(j -> j.getStatus().isFinished())
                && List.of("w0", "w1", "w2", "w3").stream().allMatch(this::ready));
  }

  private boolean ready(String watch) {
    AsyncJobWatch w = env.watch(watch);
    return w.getStatus() != null
        && w.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** A new job on alb-d2, created now and finished a second later. */
  private Instant newJob(String id) {
    Instant created = Instant.now();
    env.sim.addJob(
        SimJob.builder(id, IntegrationEnv.ACCOUNT)
            .region("cn-hangzhou")
            .api("CreateListener", "Create")
            .resource("loadbalancer", "alb-d2")
            .createdAt(created)
            .succeedsAt(created.plusSeconds(1))
            .build());
    return created;
  }

  /** The time of w2's last poll (seconds) from the operator's metrics; 0 before its first. */
  private long lastPoll() {
    var gauge =
        app.registry()
            .find("albjobs_watch_last_successful_poll_timestamp_seconds")
            .tag("watch", "w2")
            .gauge();
    return gauge == null ? 0 : (long) gauge.value();
  }

  /**
   * Waits for w2's next idle poll. The first idle poll after the settle period may come early, onto
   * the scope's grid of the poll interval (a listing made then serves every watch of the scope);
   * from then on the watch polls once per interval, so its next poll is a whole interval away.
   */
  private Instant afterAnIdlePoll() {
    long before = lastPoll();
    Await.until(INTERVAL.plusSeconds(20), "w2 polled once more", () -> lastPoll() > before);
    return Instant.now();
  }

  @Test
  void anIdleWatchSeesANewJobWithinTheDiscoveryIntervalNotItsPollInterval() throws Exception {
    idleWatches("discovery-on", "--discover-interval=1s");
    afterAnIdlePoll();
    Instant created = newJob("D-NEW-1");
    String name = JobNames.forJobId("D-NEW-1");
    Await.until(Duration.ofSeconds(15), "the new job mirrored", () -> env.job(name) != null);
    Duration took = Duration.between(created, Instant.now());
    assertTrue(
        took.compareTo(Duration.ofSeconds(10)) < 0,
        String.format(
            Locale.ROOT,
            "seen after %d ms: the watch polls every %d s, discovery every 1 s",
            took.toMillis(),
            INTERVAL.toSeconds()));
    AsyncJob job = env.job(name);
    assertEquals("w2", job.getMetadata().getLabels().get("albjobs.io/watch"));
  }

  @Test
  void withDiscoveryOffAnIdleWatchWaitsForItsPollInterval() throws Exception {
    idleWatches("discovery-off", "--discover-interval=0s");
    Instant polled = afterAnIdlePoll();
    newJob("D-NEW-2");
    String name = JobNames.forJobId("D-NEW-2");
    // Polled moments ago, next a whole interval later: ten seconds pass without the job.
    Instant until = Instant.now().plusSeconds(10);
    Await.until(
        Duration.ofSeconds(15),
        "ten seconds without the job",
        () -> env.job(name) != null || Instant.now().isAfter(until));
    assertNull(env.job(name), "no discovery: the job waits for the watch's next poll");
    // And it comes with that poll.
    Await.until(INTERVAL.plusSeconds(20), "the new job mirrored", () -> env.job(name) != null);
    Duration took = Duration.between(polled, Instant.now());
    assertTrue(
        took.compareTo(INTERVAL.minusSeconds(10)) > 0,
        String.format(
            Locale.ROOT,
            "seen %d ms after the poll before it: the next poll comes after about %d s",
            took.toMillis(),
            INTERVAL.toSeconds()));
  }
}
