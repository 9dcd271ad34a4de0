package io.albjobs.it.bench;

import io.albjobs.it.PhaseRecorder;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * New-job detection with nothing in flight: one new job at a time on a load balancer of a random
 * watch whose jobs are all finished, finishing 1–2 s after it is created. The next probe comes
 * {@code --probe-gap} after the previous one was created, and a random 0..gap after the harness's
 * informer has seen the previous one's AsyncJob, so each probe meets an idle scope (the previous
 * probe's watch is never picked while its job is not final). Detection: the job's CreateTime → the
 * first time the informer sees its AsyncJob.
 */
final class ProbePhase {
  private ProbePhase() {}

  static Map<String, Object> run(
      BenchLog log,
      BenchConfig c,
      BenchScenario sc,
      AlbSimulator sim,
      PhaseRecorder timeline,
      CallRecorder calls,
      OperatorProcess op)
      throws InterruptedException {
    Random r = new Random(c.seed() + 7);
    // A probe waits at most three idle intervals plus a minute to be seen; then it counts as
    // missed (at that latency) and the next probe goes on.
    Duration deadline = c.pollInterval().multipliedBy(3).plusMinutes(1);
    List<Long> detection = new ArrayList<>();
    List<Map<String, Object>> probes = new ArrayList<>();
    Map<Integer, String> unfinished = new LinkedHashMap<>(); // watch -> probe job not yet final
    int missed = 0;
    long start = System.currentTimeMillis();
    long previousCreated = 0;
    for (int p = 0; p < c.probes(); p++) {
      op.checkAlive();
      unfinished.entrySet().removeIf(e -> isFinal(timeline, e.getValue()));
      // The gap after the previous creation, then a random part of another gap: probes land at
      // any point of the scope's listing grid (a fixed spacing would keep them at one phase of
      // it, and measure one point of the distribution).
      long wait =
          Math.max(previousCreated + c.probeGap().toMillis(), System.currentTimeMillis())
              + (long) (r.nextDouble() * c.probeGap().toMillis())
              - System.currentTimeMillis();
      if (wait > 0) {
        Thread.sleep(wait);
      }
      int watch;
      do {
        watch = r.nextInt(c.watches());
      } while (unfinished.containsKey(watch) && unfinished.size() < c.watches());
      List<String> lbs = sc.lbsOfWatch(watch, c.lbsPerWatch());
      String lb = lbs.get(r.nextInt(lbs.size()));
      String id = BenchScenario.uuid(r);
      Instant created = Instant.now();
      Instant finishes = created.plusMillis(1000 + r.nextInt(1000));
      sim.addJob(
          SimJob.builder(id, BenchScenario.ACCOUNT)
              .region("cn-hangzhou")
              .api("UpdateListenerAttribute", "Update")
              .resource("loadbalancer", lb)
              .createdAt(created)
              .succeedsAt(finishes)
              .build());
      previousCreated = created.toEpochMilli();
      unfinished.put(watch, id);
      long until = previousCreated + deadline.toMillis();
      while (timeline.get(id) == null && System.currentTimeMillis() < until) {
        op.checkAlive();
        Thread.sleep(20);
      }
      PhaseRecorder.Seen s = timeline.get(id);
      long latency = s == null ? deadline.toMillis() : s.firstSeenMillis() - previousCreated;
      if (s == null) {
        missed++;
      }
      detection.add(latency);
      Map<String, Object> probe = new LinkedHashMap<>();
      probe.put("watch", String.format("w-%04d", watch));
      probe.put("jobId", id);
      probe.put("createdMillis", previousCreated);
      probe.put("detectionMillis", latency);
      probe.put("seen", s != null);
      probes.add(probe);
      if ((p + 1) % 5 == 0 || p + 1 == c.probes()) {
        log.log(
            "probe %d/%d: detection so far %s ms",
            p + 1, c.probes(), Benchmark.percentiles(detection));
      }
    }
    long end = System.currentTimeMillis();
    List<CallRecorder.Call> during = calls.between(start, end);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("probes", c.probes());
    m.put("probeGapSeconds", c.probeGap().toMillis() / 1000.0);
    m.put("missed", missed);
    m.put("seconds", (end - start) / 1000.0);
    m.put("detectionMillis", Benchmark.percentiles(detection));
    m.put("albCalls", during.size());
    m.put("albCallsPerSecond", during.size() * 1000.0 / Math.max(1, end - start));
    m.put("probeList", probes);
    return m;
  }

  private static boolean isFinal(PhaseRecorder t, String id) {
    PhaseRecorder.Seen s = t.get(id);
    return s != null && s.finalPhase() != null;
  }
}
