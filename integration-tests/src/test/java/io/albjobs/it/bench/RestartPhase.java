package io.albjobs.it.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restart: SIGTERM the operator, start a new process with the same flags, and measure the time to
 * {@code /readyz}, the time until every watch has polled again (the new process's per-watch poll
 * gauge), and the API-server writes from the new start until every watch polled plus two active
 * intervals. Nothing changed in ALB meanwhile, so the target is no write at all to AsyncJobs or
 * watch statuses. Also the new process's heap and CPU while it lists every AsyncJob at start.
 */
final class RestartPhase {
  /** Starts an operator process: its log file name, flags beyond the common ones, environment. */
  @FunctionalInterface
  interface Starter {
    OperatorProcess start(String logName, List<String> extraFlags, Map<String, String> env)
        throws java.io.IOException;
  }

  private RestartPhase() {}

  static Map<String, Object> run(
      BenchLog log,
      BenchConfig c,
      Starter starter,
      OperatorProcess old,
      ApiServerWrites writes,
      CallRecorder calls,
      Path out)
      throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    long stop = System.currentTimeMillis();
    int exit = old.terminate(Duration.ofSeconds(60));
    m.put("oldProcessExitCode", exit);
    m.put("oldProcessStopSeconds", (System.currentTimeMillis() - stop) / 1000.0);
    ApiServerWrites.Snapshot w0 = writes.snapshot();
    // The starter keeps the process for the caller to stop (the next phase does).
    OperatorProcess op = starter.start("operator-restart.log", List.of(), Map.of());
    try (ProcStats.HeapSampler heap =
        new ProcStats.HeapSampler(op.pid(), out.resolve("jstat-restart.log"))) {
      long ready = op.awaitReady(Duration.ofMinutes(5));
      double cpuReady = ProcStats.cpuSeconds(op.pid());
      m.put("startToReadySeconds", (ready - op.startedMillis) / 1000.0);
      m.put("cpuSecondsToReady", cpuReady);
      log.log(
          "restart: old process stopped in %.1f s (exit %d); new pid %d ready in %.1f s",
          (double) m.get("oldProcessStopSeconds"),
          exit,
          op.pid(),
          (ready - op.startedMillis) / 1000.0);
      long polled =
          awaitAllPolled(
              log,
              op,
              c.watches(),
              op.startedMillis,
              c.pollInterval().multipliedBy(2).plusMinutes(5),
              "restart");
      m.put("startToAllWatchesPolledSeconds", (polled - op.startedMillis) / 1000.0);
      m.put("cpuSecondsToAllWatchesPolled", ProcStats.cpuSeconds(op.pid()));
      ProcStats.HeapSampler.Heap h = heap.read();
      m.put("peakHeapUsedMiBToAllWatchesPolled", h.peakUsedMiB());
      Thread.sleep(c.activePollInterval().multipliedBy(2).toMillis());
      long end = System.currentTimeMillis();
      ApiServerWrites.Snapshot w = writes.snapshot().minus(w0);
      m.put("writesUntilPolledPlusTwoActiveIntervals", w.counts());
      m.put("asyncJobWrites", w.of("asyncjobs"));
      m.put("asyncJobStatusWrites", w.of("asyncjobs/status"));
      m.put("watchStatusWrites", w.of("asyncjobwatches/status"));
      m.put("eventWrites", w.of("events"));
      m.put("albCalls", calls.between(op.startedMillis, end).size());
      m.put("liveHeapAfterFullGcMiB", ProcStats.liveHeapMiB(op.pid()));
      h = heap.read();
      m.put("peakHeapUsedMiB", h.peakUsedMiB());
      m.put("peakRssMiB", ProcStats.statusMiB(op.pid(), "VmHWM"));
      m.put("cpuSecondsTotal", ProcStats.cpuSeconds(op.pid()));
      log.log(
          "restart: every watch polled %.1f s after start; writes since start %s; heap peak %.0f MiB, live %.0f MiB; CPU %.1f s to ready, %.1f s to all polled",
          (polled - op.startedMillis) / 1000.0,
          w.counts(),
          h.peakUsedMiB(),
          (double) m.get("liveHeapAfterFullGcMiB"),
          cpuReady,
          (double) m.get("cpuSecondsToAllWatchesPolled"));
    }
    return m;
  }

  /**
   * Waits until {@code watches} watches show a successful poll at or after {@code sinceMillis} on
   * {@code op}'s {@code /metrics}; returns when that was first seen.
   */
  static long awaitAllPolled(
      BenchLog log,
      OperatorProcess op,
      int watches,
      long sinceMillis,
      Duration timeout,
      String what)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    long nextLog = System.currentTimeMillis() + 15_000;
    while (true) {
      op.checkAlive();
      int n = OperatorScrape.watchesPolledSince(OperatorScrape.metrics(op.httpPort), sinceMillis);
      long now = System.currentTimeMillis();
      if (n >= watches) {
        return now;
      }
      if (now > deadline) {
        throw new IllegalStateException(
            what + ": only " + n + "/" + watches + " watches polled after " + timeout);
      }
      if (now >= nextLog) {
        log.log("%s: %d/%d watches polled again", what, n, watches);
        nextLog = now + 15_000;
      }
      Thread.sleep(200);
    }
  }
}
