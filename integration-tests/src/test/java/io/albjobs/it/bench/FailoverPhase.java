package io.albjobs.it.bench;

import io.albjobs.it.PhaseRecorder;
import io.albjobs.operator.config.Durations;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.simulator.AlbSimulator;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Leader failover at scale: two operator processes with {@code --leader-election=true} (Lease
 * identities {@code bench-operator-a} and {@code -b}); once one leads and has polled every watch, a
 * second wave (same size as the wave, JobIds of its own) starts; when half of it is still in flight
 * in ALB (on the way down, so every job has its AsyncJob) the leader gets SIGKILL. Measured: kill →
 * the first ALB call after it (only the standby is left to call), kill → the Lease changes hands,
 * kill → every watch polled again (the new leader's per-watch gauge); the wave's jobs all reach
 * their right final phase with every phase sequence a progression (no repeat, no going back);
 * writes against the lower bound; heap and CPU of the new leader.
 */
final class FailoverPhase {
  static final String LEASE = "alb-asyncjob-operator"; // the operator's --lease-name default
  private static final Map<JobPhase, Integer> RANK =
      Map.of(
          JobPhase.Pending, 0, JobPhase.Processing, 1, JobPhase.Succeeded, 2, JobPhase.Failed, 2);

  private FailoverPhase() {}

  static Map<String, Object> run(
      BenchLog log,
      BenchConfig c,
      BenchScenario sc,
      RestartPhase.Starter starter,
      KubernetesClient admin,
      String leaseNamespace,
      AlbSimulator sim,
      PhaseRecorder timeline,
      CallRecorder calls,
      ApiServerWrites writes,
      Path out)
      throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    long lease = c.leaseDuration().toMillis();
    List<String> flags = new ArrayList<>();
    flags.add("--leader-election=true");
    flags.add("--lease-namespace=" + leaseNamespace);
    flags.add("--lease-duration=" + Durations.format(c.leaseDuration()));
    if (lease != 15_000) {
      // keep the operator's proportions (15 s / 10 s / 2 s)
      flags.add(
          "--lease-renew-deadline="
              + Durations.format(c.leaseDuration().multipliedBy(2).dividedBy(3)));
      flags.add(
          "--lease-retry-period=" + Durations.format(c.leaseDuration().dividedBy(7).plusMillis(1)));
    }
    m.put("operatorFlags", flags);
    m.put("leaseSeconds", lease / 1000.0);
    OperatorProcess a =
        starter.start("operator-a.log", flags, Map.of("POD_NAME", "bench-operator-a"));
    ProcStats.HeapSampler heapA = new ProcStats.HeapSampler(a.pid(), out.resolve("jstat-a.log"));
    ProcStats.HeapSampler heapB = null;
    ProcStats.HeapSampler heapNew = null;
    try {
      long readyA = a.awaitReady(Duration.ofMinutes(5));
      m.put("firstProcessStartToReadySeconds", (readyA - a.startedMillis) / 1000.0);
      String holder = awaitHolder(admin, leaseNamespace, null, Duration.ofMinutes(2), a);
      m.put("firstLeaderSecondsFromStart", (System.currentTimeMillis() - a.startedMillis) / 1000.0);
      OperatorProcess b =
          starter.start("operator-b.log", flags, Map.of("POD_NAME", "bench-operator-b"));
      heapB = new ProcStats.HeapSampler(b.pid(), out.resolve("jstat-b.log"));
      OperatorProcess leader = holder.endsWith("-a") ? a : b;
      OperatorProcess standby = leader == a ? b : a;
      ProcStats.HeapSampler standbyHeap = leader == a ? heapB : heapA;
      String standbyId = leader == a ? "bench-operator-b" : "bench-operator-a";
      Path standbyLog = out.resolve(leader == a ? "operator-b.log" : "operator-a.log");
      m.put("firstLeader", holder);
      log.log("failover: %s leads (pid %d), standby pid %d", holder, leader.pid(), standby.pid());
      try {
        long readyB = standby.awaitReady(Duration.ofMinutes(3));
        m.put("standbyStartToReadySeconds", (readyB - standby.startedMillis) / 1000.0);
      } catch (IllegalStateException e) {
        m.put("standbyReady", "not ready after 3 min: " + e.getMessage());
        standby.checkAlive();
      }
      RestartPhase.awaitAllPolled(
          log,
          leader,
          c.watches(),
          leader.startedMillis,
          c.pollInterval().multipliedBy(2).plusMinutes(5),
          "failover, leader's first polls");
      // The standby, settled: does it hold every AsyncJob already (informers started while
      // standing by) or will it list them when it takes over?
      Thread.sleep(5000);
      m.put("standbyLiveHeapMiBBeforeWave", ProcStats.liveHeapMiB(standby.pid()));
      m.put("standbyCpuSecondsBeforeWave", ProcStats.cpuSeconds(standby.pid()));
      m.put("standbyThreadsBeforeWave", ProcStats.threads(standby.pid()));

      List<BenchScenario.WaveJob> wave = sc.anotherWave(c, c.seed() + 1);
      ApiServerWrites.Snapshot w0 = writes.snapshot();
      Instant start = Instant.now().plusSeconds(2);
      BenchScenario.loadWave(sim, start, wave);
      log.log("failover: second wave of %d jobs starts at %s", wave.size(), start);
      long killAt;
      long waitUntil = start.plus(BenchScenario.waveLength(wave)).toEpochMilli();
      while (true) {
        leader.checkAlive();
        standby.checkAlive();
        Duration offset = Duration.between(start, Instant.now());
        if (offset.compareTo(c.waveRamp()) > 0
            && BenchScenario.inFlightAt(wave, offset) <= wave.size() / 2) {
          break;
        }
        if (System.currentTimeMillis() > waitUntil) {
          throw new IllegalStateException("failover: the wave never fell to half in flight");
        }
        Thread.sleep(100);
      }
      ProcStats.HeapSampler.Heap beforeKill = standbyHeap.read();
      double standbyCpuAtKill = ProcStats.cpuSeconds(standby.pid());
      int inFlightAtKill = BenchScenario.inFlightAt(wave, Duration.between(start, Instant.now()));
      killAt = System.currentTimeMillis();
      leader.kill();
      log.log(
          "failover: SIGKILL to the leader %.0f s into the wave, %d of %d jobs in flight",
          (killAt - start.toEpochMilli()) / 1000.0, inFlightAtKill, wave.size());
      heapNew = new ProcStats.HeapSampler(standby.pid(), out.resolve("jstat-new-leader.log"));
      m.put("killSecondsIntoWave", (killAt - start.toEpochMilli()) / 1000.0);
      m.put("inFlightAtKill", inFlightAtKill);
      m.put("standbyPeakHeapUsedMiBBeforeKill", beforeKill.peakUsedMiB());
      m.put("standbyHeapUsedMiBAtKill", beforeKill.lastUsedMiB());
      m.put("standbyCpuSecondsAtKill", standbyCpuAtKill);

      // Kill → first call, Lease taken over, every watch polled: all within one deadline.
      long deadline = killAt + lease + 10_000 + c.pollInterval().toMillis() + 180_000;
      Long firstCall = null;
      Long leaseTaken = null;
      Long allPolled = null;
      long nextLog = System.currentTimeMillis() + 15_000;
      int polled = 0;
      while (System.currentTimeMillis() < deadline && allPolled == null) {
        standby.checkAlive();
        long now = System.currentTimeMillis();
        if (firstCall == null) {
          java.util.OptionalLong first =
              calls.between(killAt, Long.MAX_VALUE).stream()
                  .mapToLong(CallRecorder.Call::atMillis)
                  .min();
          firstCall = first.isPresent() ? first.getAsLong() : null;
        }
        if (leaseTaken == null) {
          String h = holder(admin, leaseNamespace);
          if (h != null && !h.equals(holder)) {
            leaseTaken = now;
          }
        }
        polled =
            OperatorScrape.watchesPolledSince(OperatorScrape.metrics(standby.httpPort), killAt);
        if (polled >= c.watches()) {
          allPolled = now;
        }
        if (now >= nextLog) {
          log.log("failover: %d/%d watches polled since the kill", polled, c.watches());
          nextLog = now + 15_000;
        }
        Thread.sleep(200);
      }
      double cpuAllPolled = ProcStats.cpuSeconds(standby.pid()) - standbyCpuAtKill;
      m.put("killToFirstAlbCallSeconds", firstCall == null ? null : (firstCall - killAt) / 1000.0);
      m.put("killToLeaseTakenSeconds", leaseTaken == null ? null : (leaseTaken - killAt) / 1000.0);
      m.put(
          "killToAllWatchesPolledSeconds",
          allPolled == null ? null : (allPolled - killAt) / 1000.0);
      m.put("watchesPolledAtDeadline", polled);
      m.put("newLeaderCpuSecondsKillToAllPolled", cpuAllPolled);
      log.log(
          "failover: first ALB call %s s, Lease taken %s s, every watch polled %s s after the kill (lease %.0f s)",
          m.get("killToFirstAlbCallSeconds"),
          m.get("killToLeaseTakenSeconds"),
          m.get("killToAllWatchesPolledSeconds"),
          lease / 1000.0);

      // Every job of the wave final.
      List<String> ids = wave.stream().map(BenchScenario.WaveJob::id).toList();
      long waveDeadline =
          start
              .plus(BenchScenario.waveLength(wave))
              .plus(c.pollInterval())
              .plusSeconds(300)
              .toEpochMilli();
      long nextWaveLog = System.currentTimeMillis();
      while (finals(timeline, ids) < ids.size() && System.currentTimeMillis() < waveDeadline) {
        standby.checkAlive();
        if (System.currentTimeMillis() >= nextWaveLog) {
          log.log(
              "failover: %d/%d jobs of the second wave final", finals(timeline, ids), ids.size());
          nextWaveLog = System.currentTimeMillis() + 15_000;
        }
        Thread.sleep(200);
      }
      long waveEnd = System.currentTimeMillis();
      Thread.sleep(c.activePollInterval().multipliedBy(2).plusSeconds(5).toMillis());
      ApiServerWrites.Snapshot w = writes.snapshot().minus(w0);
      m.put(
          "newLeaderCpuSecondsKillToWaveEnd",
          ProcStats.cpuSeconds(standby.pid()) - standbyCpuAtKill);

      // Phase sequences: each a progression, ending in the right final phase.
      Map<String, List<String>> seqs = timeline.sequences();
      int lost = 0;
      int wrongFinal = 0;
      int badSequence = 0;
      int failed = 0;
      List<String> examples = new ArrayList<>();
      List<Long> detection = new ArrayList<>();
      for (BenchScenario.WaveJob j : wave) {
        if (j.fails()) {
          failed++;
        }
        PhaseRecorder.Seen s = timeline.get(j.id());
        if (s == null || s.finalPhase() == null) {
          lost++;
          continue;
        }
        detection.add(s.finalSeenMillis() - j.finishesAt(start).toEpochMilli());
        if (s.finalPhase() != (j.fails() ? JobPhase.Failed : JobPhase.Succeeded)) {
          wrongFinal++;
        }
        List<String> seq = seqs.getOrDefault(j.id(), List.of());
        if (!progression(seq)) {
          badSequence++;
          if (examples.size() < 5) {
            examples.add(j.id() + " " + seq);
          }
        }
      }
      m.put("jobs", wave.size());
      m.put("lostJobs", lost);
      m.put("wrongFinalPhase", wrongFinal);
      m.put("badSequences", badSequence);
      m.put("badSequenceExamples", examples);
      m.put("finishDetectionMillis", Benchmark.percentiles(detection));
      m.put("writes", w.counts());
      m.put("asyncJobWrites", w.of("asyncjobs"));
      m.put("asyncJobWritesLowerBound", 3L * wave.size());
      m.put("asyncJobWritesOverLowerBound", w.of("asyncjobs") / (3.0 * wave.size()));
      m.put("phaseLabelPatches", w.get("asyncjobs PATCH"));
      m.put("failedJobs", failed);
      m.put("eventWrites", w.of("events"));

      // The new leader's memory: after the kill, and over its whole life.
      ProcStats.HeapSampler.Heap after = heapNew.read();
      ProcStats.HeapSampler.Heap life = standbyHeap.read();
      double live = ProcStats.liveHeapMiB(standby.pid());
      m.put("newLeaderPeakHeapUsedMiBAfterKill", after.peakUsedMiB());
      m.put("newLeaderPeakHeapUsedMiB", life.peakUsedMiB());
      m.put("newLeaderLiveHeapAfterFullGcMiB", live);
      m.put("newLeaderPeakRssMiB", ProcStats.statusMiB(standby.pid(), "VmHWM"));
      m.put("xmx", c.operatorXmx());
      double before = ((Number) m.get("standbyLiveHeapMiBBeforeWave")).doubleValue();
      m.put("newLeaderListedAsyncJobs", listedWhen(standbyLog, standbyId, before, live));
      log.log(
          "failover: %d jobs, %d lost, %d wrong final, %d bad sequences; AsyncJob writes %d vs %d; new leader heap peak %.0f MiB after the kill, live %.0f MiB (standby live %.0f MiB before the wave)",
          wave.size(),
          lost,
          wrongFinal,
          badSequence,
          w.of("asyncjobs"),
          3L * wave.size(),
          after.peakUsedMiB(),
          live,
          before);

      series(wave, timeline, start, killAt, waveEnd, out.resolve("failover.csv"));
      int exit = standby.terminate(Duration.ofSeconds(60));
      m.put("newLeaderExitCodeOnSigterm", exit);
    } finally {
      heapA.close();
      if (heapB != null) {
        heapB.close();
      }
      if (heapNew != null) {
        heapNew.close();
      }
    }
    return m;
  }

  /**
   * When the new leader listed the AsyncJobs: JOSDK logs "'asyncjob' controller started" once its
   * informers have listed; before or after "New leader with identity: <itself>"? The live heap
   * before the wave and at the end is given along.
   */
  static String listedWhen(Path log, String self, double liveBefore, double liveAfter) {
    int started = -1;
    int leads = -1;
    try {
      List<String> lines = Files.readAllLines(log);
      for (int i = 0; i < lines.size(); i++) {
        String l = lines.get(i);
        if (started < 0 && l.contains("'asyncjob' controller started")) {
          started = i;
        }
        if (leads < 0 && l.contains("New leader with identity: " + self)) {
          leads = i;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // no log: heap only
    }
    String heap =
        String.format(
            Locale.ROOT,
            "live heap %.0f MiB as a standby before the wave, %.0f MiB at the end",
            liveBefore,
            liveAfter);
    if (started >= 0 && (leads < 0 || started < leads)) {
      return "as a standby (its AsyncJob informer started before it led; " + heap + ")";
    }
    if (started >= 0) {
      return "when it took over (its AsyncJob informer started after it led; " + heap + ")";
    }
    return "unknown from its log; " + heap;
  }

  /** Phases in rank order, each at most once (Pending < Processing < Succeeded | Failed). */
  static boolean progression(List<String> seq) {
    int last = -1;
    for (String p : seq) {
      int r = RANK.get(JobPhase.valueOf(p));
      if (r <= last) {
        return false;
      }
      last = r;
    }
    return !seq.isEmpty() && JobPhase.valueOf(seq.get(seq.size() - 1)).isFinished();
  }

  private static String awaitHolder(
      KubernetesClient admin, String ns, String not, Duration timeout, OperatorProcess p)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (System.currentTimeMillis() < deadline) {
      p.checkAlive();
      String h = holder(admin, ns);
      if (h != null && !h.isBlank() && !h.equals(not)) {
        return h;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("failover: nobody holds the Lease after " + timeout);
  }

  private static String holder(KubernetesClient admin, String ns) {
    try {
      Lease l = admin.leases().inNamespace(ns).withName(LEASE).get();
      return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static int finals(PhaseRecorder t, List<String> ids) {
    int n = 0;
    for (String id : ids) {
      PhaseRecorder.Seen s = t.get(id);
      if (s != null && s.finalPhase() != null) {
        n++;
      }
    }
    return n;
  }

  /**
   * Per second of the wave: jobs in flight in ALB, AsyncJobs finished in ALB but not yet final in
   * the cluster, and the finish detection latency (mean, max) of the jobs that finished in ALB in
   * that second; the kill's second in results.json and in the column {@code kill}.
   */
  private static void series(
      List<BenchScenario.WaveJob> wave,
      PhaseRecorder t,
      Instant start,
      long killAt,
      long end,
      Path csv)
      throws java.io.IOException {
    StringBuilder b =
        new StringBuilder(
            "second,jobs_in_flight,finished_not_final,detection_mean_ms,detection_max_ms,kill\n");
    long s0 = start.toEpochMilli();
    for (long sec = 0; s0 + sec * 1000 <= end; sec++) {
      long from = s0 + sec * 1000;
      long to = from + 1000;
      int notFinal = 0;
      long sum = 0;
      long max = -1;
      int n = 0;
      for (BenchScenario.WaveJob j : wave) {
        long fin = j.finishesAt(start).toEpochMilli();
        PhaseRecorder.Seen s = t.get(j.id());
        long seen = s == null || s.finalPhase() == null ? Long.MAX_VALUE : s.finalSeenMillis();
        if (fin < to && seen >= to) {
          notFinal++;
        }
        if (fin >= from && fin < to && seen != Long.MAX_VALUE) {
          sum += seen - fin;
          max = Math.max(max, seen - fin);
          n++;
        }
      }
      b.append(
          String.format(
              Locale.ROOT,
              "%d,%d,%d,%s,%s,%d%n",
              sec,
              BenchScenario.inFlightAt(wave, Duration.ofMillis(sec * 1000 + 500)),
              notFinal,
              n == 0 ? "" : Long.toString(sum / n),
              n == 0 ? "" : Long.toString(max),
              killAt >= from && killAt < to ? 1 : 0));
    }
    Files.writeString(csv, b);
  }
}
