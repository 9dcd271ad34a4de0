package io.albjobs.it.bench;

import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * The ALB jobs of one run, generated from a seed so that runs are repeatable:
 *
 * <ul>
 *   <li>history: finished jobs (a share Failed) on random load balancers, created 6 to 55 minutes
 *       before the start, i.e. inside the operator's default 1h {@code since} window and outside
 *       its 5m watermark overlap;
 *   <li>a wave: jobs created over {@code waveRamp} after the wave starts, each running a random
 *       time between {@code jobMin} and {@code jobMax}, so the number in flight climbs to {@code
 *       inflight}, stays, and drains to zero. The same wave (relative times) is replayed for the
 *       per-job baseline.
 * </ul>
 */
final class BenchScenario {
  static final String ACCOUNT = "bench";
  static final String KEY_ID = "LTAIbench";
  static final String KEY_SECRET = "bench-secret-value";
  private static final String[][] APIS = {
    {"CreateListener", "Create"},
    {"CreateRule", "Create"},
    {"UpdateRuleAttribute", "Update"},
    {"AddServersToServerGroup", "Update"},
    {"UpdateListenerAttribute", "Update"},
    {"DeleteRule", "Delete"}
  };

  /** A wave job: offsets from the wave start. */
  record WaveJob(
      String id,
      String lb,
      String api,
      String op,
      Duration createdAfter,
      Duration runs,
      boolean fails) {
    Instant createdAt(Instant waveStart) {
      return waveStart.plus(createdAfter);
    }

    Instant finishesAt(Instant waveStart) {
      return waveStart.plus(createdAfter).plus(runs);
    }
  }

  final List<String> loadBalancers = new ArrayList<>();
  final List<SimJob> history = new ArrayList<>();
  final List<WaveJob> wave = new ArrayList<>();
  final int historyFailed;

  BenchScenario(BenchConfig c, Instant t0) {
    Random r = new Random(c.seed());
    for (int w = 0; w < c.watches(); w++) {
      for (int l = 0; l < c.lbsPerWatch(); l++) {
        loadBalancers.add(lbName(w, l));
      }
    }
    int failed = 0;
    for (int i = 0; i < c.history(); i++) {
      String[] api = APIS[r.nextInt(APIS.length)];
      Instant created = t0.minusSeconds(360 + r.nextInt(49 * 60));
      Instant done = created.plusSeconds(5 + r.nextInt(115));
      var b =
          SimJob.builder(uuid(r), ACCOUNT)
              .region("cn-hangzhou")
              .api(api[0], api[1])
              .resource("loadbalancer", loadBalancers.get(r.nextInt(loadBalancers.size())))
              .createdAt(created);
      if (r.nextDouble() < c.failShare()) {
        failed++;
        history.add(
            b.failsAt(done, "Conflict.Lock", "The resource is locked by another operation.")
                .build());
      } else {
        history.add(b.succeedsAt(done).build());
      }
    }
    historyFailed = failed;
    wave.addAll(newWave(c, r));
  }

  /**
   * A wave like {@link #wave} (same size, ramp and durations) with JobIds of its own, drawn from
   * {@code seed}: the failover phase runs it on the simulator that still holds the first wave.
   */
  List<WaveJob> anotherWave(BenchConfig c, long seed) {
    List<WaveJob> jobs = newWave(c, new Random(seed));
    Set<String> taken = new HashSet<>();
    history.forEach(j -> taken.add(j.id()));
    wave.forEach(j -> taken.add(j.id()));
    for (WaveJob j : jobs) {
      if (!taken.add(j.id())) {
        throw new IllegalStateException("a second wave reused JobId " + j.id());
      }
    }
    return jobs;
  }

  private List<WaveJob> newWave(BenchConfig c, Random r) {
    List<WaveJob> jobs = new ArrayList<>();
    long rampMs = c.waveRamp().toMillis();
    long spanMs = c.jobMax().toMillis() - c.jobMin().toMillis();
    for (int i = 0; i < c.inflight(); i++) {
      String[] api = APIS[r.nextInt(APIS.length)];
      jobs.add(
          new WaveJob(
              uuid(r),
              loadBalancers.get(r.nextInt(loadBalancers.size())),
              api[0],
              api[1],
              Duration.ofMillis((long) (r.nextDouble() * rampMs)),
              c.jobMin().plusMillis((long) (r.nextDouble() * spanMs)),
              r.nextDouble() < c.failShare()));
    }
    return jobs;
  }

  static String lbName(int watch, int lb) {
    return String.format("alb-bench%04dx%02d", watch, lb);
  }

  List<String> lbsOfWatch(int watch, int perWatch) {
    return loadBalancers.subList(watch * perWatch, (watch + 1) * perWatch);
  }

  static String uuid(Random r) {
    return new UUID(r.nextLong(), r.nextLong()).toString().toUpperCase(java.util.Locale.ROOT);
  }

  void loadHistory(AlbSimulator sim) {
    history.forEach(sim::addJob);
  }

  /** Adds the wave to a simulator, starting at {@code start}. */
  void loadWave(AlbSimulator sim, Instant start) {
    loadWave(sim, start, wave);
  }

  /** Adds {@code jobs} to a simulator, starting at {@code start}. */
  static void loadWave(AlbSimulator sim, Instant start, List<WaveJob> jobs) {
    for (WaveJob j : jobs) {
      var b =
          SimJob.builder(j.id(), ACCOUNT)
              .region("cn-hangzhou")
              .api(j.api(), j.op())
              .resource("loadbalancer", j.lb())
              .createdAt(j.createdAt(start));
      sim.addJob(
          j.fails()
              ? b.failsAt(
                      j.finishesAt(start),
                      "QuotaExceeded.Listener",
                      "The listener quota is exceeded.")
                  .build()
              : b.succeedsAt(j.finishesAt(start)).build());
    }
  }

  /** Jobs of the wave in flight at {@code offset} after its start. */
  int inFlightAt(Duration offset) {
    return inFlightAt(wave, offset);
  }

  /** Jobs of {@code jobs} in flight at {@code offset} after their wave's start. */
  static int inFlightAt(List<WaveJob> jobs, Duration offset) {
    int n = 0;
    for (WaveJob j : jobs) {
      if (offset.compareTo(j.createdAfter()) >= 0
          && offset.compareTo(j.createdAfter().plus(j.runs())) < 0) {
        n++;
      }
    }
    return n;
  }

  Duration waveLength() {
    return waveLength(wave);
  }

  static Duration waveLength(List<WaveJob> jobs) {
    return jobs.stream()
        .map(j -> j.createdAfter().plus(j.runs()))
        .max(Duration::compareTo)
        .orElse(Duration.ZERO);
  }
}
