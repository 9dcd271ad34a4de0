package io.albjobs.it.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.albjobs.it.PhaseRecorder;
import io.albjobs.it.kube.ControlPlane;
import io.albjobs.operator.config.Durations;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The benchmark harness (not a test): the real operator jar as a process against a real
 * kube-apiserver + etcd and the ALB simulator, at a chosen scale, next to two references measured
 * in the same run, a per-job polling baseline and the API server's raw write throughput. Run it
 * with {@code scripts/bench}; docs/benchmarks.md explains the phases and the numbers.
 *
 * <p>Phases: (1) raw writes; (2) backlog: {@code history} finished jobs on {@code watches ×
 * lbs-per-watch} load balancers, operator started, until every AsyncJob shows its final phase; (3)
 * wave: {@code inflight} jobs start within {@code wave-ramp} and finish after {@code
 * job-min..job-max}, until every one shows its final phase; (4) idle window; (5) the same wave
 * against a second simulator, waited on job by job by the baseline.
 */
public final class Benchmark {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private final BenchConfig c;
  private final Path out;
  private final Map<String, Object> results = new LinkedHashMap<>();
  private final List<String[]> targets = new ArrayList<>();
  private final long t0 = System.currentTimeMillis();

  private Benchmark(BenchConfig c, Path out) {
    this.c = c;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    BenchConfig c;
    try {
      c = BenchConfig.parse(Arrays.asList(args));
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.setProperty("albjobs.crdDir", c.crdDir().toAbsolutePath().toString());
    Path out = c.out().resolve(c.scale() + "-" + STAMP.format(Instant.now())).toAbsolutePath();
    Files.createDirectories(out);
    System.exit(new Benchmark(c, out).run() ? 0 : 1);
  }

  void log(String format, Object... args) {
    System.out.printf(
        Locale.ROOT,
        "[bench %6.1fs] " + format + "%n",
        concat((System.currentTimeMillis() - t0) / 1000.0, args));
  }

  private static Object[] concat(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  /**
   * Runs every phase; whatever fails, writes results.json and targets.md with what was measured
   * (the error under {@code error}). Returns false when a phase failed.
   */
  private boolean run() throws IOException {
    results.put("config", c.describe());
    results.put("machine", machine());
    boolean ok = true;
    try {
      phases();
    } catch (Exception | Error e) {
      ok = false;
      results.put("error", e.toString());
      log("FAILED: %s", e);
      e.printStackTrace(System.out);
    } finally {
      for (OperatorProcess p : running) {
        p.close();
      }
      results.put("machineAfter", Map.of("loadAverage", loadAverage()));
      try {
        evaluate();
      } catch (RuntimeException e) {
        results.put("evaluateError", e.toString());
      }
      write();
    }
    return ok;
  }

  /** The operator processes the later phases started; stopped at the end whatever happens. */
  private final List<OperatorProcess> running = new ArrayList<>();

  /**
   * A phase that may fail without taking the others with it: its error goes to results.json under
   * its name.
   */
  private interface Phase {
    Map<String, Object> run() throws Exception;
  }

  private boolean phase(String name, Phase p) {
    long start = System.currentTimeMillis();
    try {
      Map<String, Object> m = p.run();
      m.put("phaseSeconds", (System.currentTimeMillis() - start) / 1000.0);
      results.put(name, m);
      return true;
    } catch (Exception e) {
      log("%s FAILED: %s", name, e);
      e.printStackTrace(System.out);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("error", e.toString());
      m.put("phaseSeconds", (System.currentTimeMillis() - start) / 1000.0);
      results.put(name, m);
      return false;
    }
  }

  @SuppressWarnings("unchecked")
  private void phases() throws Exception {
    log(
        "scale %s: %d watches x %d LBs in %d namespace(s), %d historical jobs, %d in flight; results in %s",
        c.scale(), c.watches(), c.lbsPerWatch(), c.namespaces(), c.history(), c.inflight(), out);
    try (ControlPlane cp = startControlPlane();
        AlbSimulator simOp = AlbSimulator.start();
        AlbSimulator simBase = AlbSimulator.start()) {
      log("control plane %s up in %d ms", cp.server(), cp.startupTime().toMillis());
      long apiPid = ProcStats.descendant("kube-apiserver");
      long etcdPid = ProcStats.descendant("etcd");
      long selfPid = ProcessHandle.current().pid();
      Cpu cpu = new Cpu(Map.of("kube-apiserver", apiPid, "etcd", etcdPid, "harness", selfPid));
      BenchScenario sc = new BenchScenario(c, Instant.ofEpochMilli(t0));
      for (AlbSimulator sim : List.of(simOp, simBase)) {
        sim.addAccount(BenchScenario.ACCOUNT, BenchScenario.KEY_ID, BenchScenario.KEY_SECRET);
        sc.loadHistory(sim);
      }
      Path kubeconfig =
          cp.writeKubeconfig("admin", ControlPlane.ADMIN_TOKEN, out.resolve("kubeconfig"));
      ApiServerWrites writes = new ApiServerWrites(cp.server(), ControlPlane.ADMIN_TOKEN);
      KubernetesClient admin = cp.admin();

      // (1) The ceiling: raw creates + status writes from a client built like the operator's.
      try (KubernetesClient raw =
          new KubernetesClientBuilder()
              .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
              .build()) {
        admin
            .resource(
                new NamespaceBuilder()
                    .withNewMetadata()
                    .withName("bench-raw")
                    .endMetadata()
                    .build())
            .serverSideApply();
        cpu.mark("raw");
        RawWrites.Result r =
            RawWrites.run(
                raw,
                "bench-raw",
                sc.history.subList(0, Math.min(c.rawObjects(), sc.history.size())),
                c.rawThreads());
        results.put(
            "raw",
            Map.of(
                "objects",
                r.objects(),
                "threads",
                r.threads(),
                "seconds",
                r.seconds(),
                "objectsPerSecond",
                r.objectsPerSecond(),
                "writesPerSecond",
                r.writesPerSecond(),
                "failures",
                r.failures(),
                "cpuSeconds",
                cpu.sinceAll("raw")));
        log(
            "raw API-server writes: %d objects (create + status apply) with %d threads in %.1f s = %.0f objects/s (%.0f writes/s), %d failures",
            r.objects(),
            r.threads(),
            r.seconds(),
            r.objectsPerSecond(),
            r.writesPerSecond(),
            r.failures());
        long del = System.nanoTime();
        raw.resources(AsyncJob.class).inNamespace("bench-raw").delete();
        log("raw objects deleted in %.1f s", (System.nanoTime() - del) / 1e9);
      }

      // (2) Backlog.
      Set<String> namespaces = new LinkedHashSet<>();
      for (int n = 0; n < c.namespaces(); n++) {
        String ns = "bench-" + n;
        namespaces.add(ns);
        admin
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .serverSideApply();
        admin
            .resource(
                Fixtures.credentials(
                    ns, "alb-creds", BenchScenario.KEY_ID, BenchScenario.KEY_SECRET))
            .serverSideApply();
      }
      List<String> nsList = new ArrayList<>(namespaces);
      for (int w = 0; w < c.watches(); w++) {
        AsyncJobWatch watch =
            Fixtures.watch(
                nsList.get(w % nsList.size()),
                String.format("w-%04d", w),
                simOp.endpoint(),
                "alb-creds",
                sc.lbsOfWatch(w, c.lbsPerWatch()));
        // The history reaches 55 minutes back. With 200 watches the last watch's first poll comes
        // minutes after the operator starts (16 reconciler threads, each mirroring a whole watch),
        // so the default 1h window would drop its oldest jobs: look back 2h.
        watch.getSpec().setSince("2h");
        admin.resource(watch).create();
      }
      PhaseRecorder timeline = new PhaseRecorder(admin, namespaces);
      CallRecorder opCalls = new CallRecorder(simOp);
      ApiServerWrites.Snapshot w0 = writes.snapshot();
      List<String> flags =
          List.of(
              "--namespaces=" + String.join(",", namespaces),
              "--alb-qps=" + c.albQps(),
              "--alb-burst=" + c.albBurst(),
              "--poll-interval=" + Durations.format(c.pollInterval()),
              "--active-poll-interval=" + Durations.format(c.activePollInterval()),
              "--share-listings=" + c.shareListings(),
              AlbSimulator.OPERATOR_FLAGS.get(0),
              AlbSimulator.OPERATOR_FLAGS.get(1));
      results.put("operatorFlags", flags);
      cpu.mark("backlog");
      try (OperatorProcess op =
              new OperatorProcess(
                  c.jar(), kubeconfig, out.resolve("operator.log"), c.operatorXmx(), flags);
          ProcStats.HeapSampler heap =
              new ProcStats.HeapSampler(op.pid(), out.resolve("jstat.log"))) {
        cpu.add("operator", op.pid());
        long ready = op.awaitReady(Duration.ofMinutes(2));
        cpu.mark("mirror");
        double startupCpu = cpu.since("backlog");
        log("operator pid %d ready in %d ms", op.pid(), ready - op.startedMillis);
        List<String> historyIds = sc.history.stream().map(SimJob::id).toList();
        await(
            op,
            Duration.ofMinutes(40),
            "backlog mirrored",
            () -> allFinal(timeline, historyIds),
            () ->
                String.format(
                    "%d/%d AsyncJobs final, %d ALB calls",
                    finals(timeline, historyIds), historyIds.size(), simOp.callCount()));
        long mirrored =
            historyIds.stream()
                .mapToLong(id -> timeline.get(id).finalSeenMillis())
                .max()
                .orElse(ready);
        long firstSeen =
            historyIds.stream()
                .mapToLong(id -> timeline.get(id).firstSeenMillis())
                .min()
                .orElse(ready);
        ApiServerWrites.Snapshot w1 = writes.snapshot();
        backlog(
            sc,
            timeline,
            op,
            ready,
            firstSeen,
            mirrored,
            opCalls.between(op.startedMillis, mirrored + 1),
            w1.minus(w0),
            cpu);
        ((Map<String, Object>) results.get("backlog")).put("operatorStartupCpuSeconds", startupCpu);

        // (3) Wave, operator.
        Thread.sleep(2000);
        cpu.mark("wave");
        Profiles.start(op.pid(), "wave", c.profile());
        Map<String, Double> waveThreads = ProcStats.threadCpu(op.pid());
        Instant waveStart = Instant.now().plusSeconds(2);
        sc.loadWave(simOp, waveStart);
        List<String> waveIds = sc.wave.stream().map(BenchScenario.WaveJob::id).toList();
        log("wave of %d jobs starts at %s, lasts %s", waveIds.size(), waveStart, sc.waveLength());
        await(
            op,
            sc.waveLength().plus(c.pollInterval()).plusMinutes(5),
            "wave mirrored",
            () -> allFinal(timeline, waveIds),
            () ->
                String.format(
                    "%d/%d wave jobs final, %d in flight in ALB",
                    finals(timeline, waveIds),
                    waveIds.size(),
                    sc.inFlightAt(Duration.between(waveStart, Instant.now()))));
        long waveEnd = System.currentTimeMillis();
        Profiles.stop(op.pid(), "wave", out.resolve("wave.jfr"), c.profile());
        double waveCpu = cpu.since("wave");
        Map<String, Double> waveCpuAll = cpu.sinceAll("wave");
        results.put(
            "operatorThreadCpuSecondsWave",
            ProcStats.threadCpuDelta(waveThreads, ProcStats.threadCpu(op.pid()), 12));
        Thread.sleep(c.activePollInterval().multipliedBy(2).plusSeconds(5).toMillis());
        ApiServerWrites.Snapshot w2 = writes.snapshot();
        List<CallRecorder.Call> waveCalls = opCalls.between(waveStart.toEpochMilli(), waveEnd);

        // (4) Idle.
        cpu.mark("idle");
        Profiles.start(op.pid(), "idle", c.profile());
        Map<String, Double> idleThreads = ProcStats.threadCpu(op.pid());
        long idleStart = System.currentTimeMillis();
        log("idle window of %d s", c.idle().toSeconds());
        boolean soak = c.idle().toSeconds() >= 1800;
        Map<String, Object> soakResult =
            SoakSampler.run(
                this::log,
                c.soakSample(),
                op,
                heap,
                simOp,
                writes,
                idleStart,
                idleStart + c.idle().toMillis(),
                soak,
                out.resolve("soak.csv"));
        soakResult.put("isSoak", soak);
        results.put("soak", soakResult);
        log("idle samples: %s", SoakSampler.summary(soakResult));
        long idleEnd = System.currentTimeMillis();
        ApiServerWrites.Snapshot w3 = writes.snapshot();
        double idleCpu = cpu.since("idle");
        results.put(
            "operatorThreadCpuSecondsIdle",
            ProcStats.threadCpuDelta(idleThreads, ProcStats.threadCpu(op.pid()), 12));
        Profiles.stop(op.pid(), "idle", out.resolve("idle.jfr"), c.profile());
        if (c.profile()) {
          results.put(
              "profileIdle",
              Profiles.summarize(out.resolve("idle.jfr"), out.resolve("idle-profile.txt")));
          results.put(
              "profileWave",
              Profiles.summarize(out.resolve("wave.jfr"), out.resolve("wave-profile.txt")));
        }
        Map<String, Object> idle = new LinkedHashMap<>();
        ApiServerWrites.Snapshot idleWrites = w3.minus(w2);
        idle.put("seconds", (idleEnd - idleStart) / 1000.0);
        List<CallRecorder.Call> idleCalls = opCalls.between(idleStart, idleEnd);
        idle.put("operatorWrites", operatorWrites(idleWrites));
        idle.put("allWritesByResource", idleWrites.counts());
        idle.put("albCalls", opCalls.between(idleStart, idleEnd).size());
        idle.put(
            "albCallsPerMinute",
            opCalls.between(idleStart, idleEnd).size() * 60000.0 / (idleEnd - idleStart));
        idle.put("albCallsPerSecond", idleCalls.size() * 1000.0 / (idleEnd - idleStart));
        // Just after the wave the shared listings still hold the wave's jobs (the operator lists
        // again a 5-minute watermark overlap), so the first 5 minutes after it cost more pages.
        long overlapEnd = waveEnd + 300_000;
        if (idleEnd > overlapEnd && overlapEnd > idleStart) {
          long first = idleCalls.stream().filter(x -> x.atMillis() < overlapEnd).count();
          long after = idleCalls.size() - first;
          idle.put(
              "albCallsPerSecondFirst5MinAfterWave", first * 1000.0 / (overlapEnd - idleStart));
          idle.put("albCallsPerSecondAfterThat", after * 1000.0 / (idleEnd - overlapEnd));
          idle.put("secondsFirst5MinAfterWave", (overlapEnd - idleStart) / 1000.0);
        }
        idle.put("cpuSeconds", cpu.sinceAll("idle"));
        idle.put("operatorCpuPercentOfOneCore", 100 * idleCpu(cpu, "idle", idleEnd - idleStart));
        results.put("idle", idle);
        log(
            "idle: %s operator writes, %.2f%% of a core, %d ALB calls = %.3f/s%s",
            operatorWrites(idleWrites),
            100 * idleCpu(cpu, "idle", idleEnd - idleStart),
            idleCalls.size(),
            idleCalls.size() * 1000.0 / (idleEnd - idleStart),
            idle.containsKey("albCallsPerSecondAfterThat")
                ? String.format(
                    Locale.ROOT,
                    " (%.3f/s in the first 5 min after the wave, %.3f/s after)",
                    idle.get("albCallsPerSecondFirst5MinAfterWave"),
                    idle.get("albCallsPerSecondAfterThat"))
                : "");

        wave(sc, timeline, waveStart, waveEnd, waveCalls, w2.minus(w1), waveCpu, waveCpuAll);

        // Heap and memory with every AsyncJob in the cache.
        ProcStats.HeapSampler.Heap h = heap.read();
        double live = ProcStats.liveHeapMiB(op.pid());
        results.put(
            "heapHistogramTop",
            Profiles.histogram(op.pid(), out.resolve("heap-histogram.txt"), 12));
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("xmx", c.operatorXmx());
        mem.put("asyncJobs", c.history() + c.inflight());
        mem.put("peakHeapUsedMiB", h.peakUsedMiB());
        mem.put("peakHeapCommittedMiB", h.peakCommittedMiB());
        mem.put("liveHeapAfterFullGcMiB", live);
        mem.put("gcSeconds", h.gcSeconds());
        mem.put("youngGcs", h.youngGcs());
        mem.put("fullGcs", h.fullGcs());
        mem.put("peakRssMiB", ProcStats.statusMiB(op.pid(), "VmHWM"));
        mem.put("operatorCpuSecondsTotal", ProcStats.cpuSeconds(op.pid()));
        mem.put("operatorWallSeconds", (System.currentTimeMillis() - op.startedMillis) / 1000.0);
        mem.put("operatorMetrics", operatorMetrics(op.httpPort));
        results.put("memory", mem);
        log(
            "heap: peak used %.0f MiB (committed %.0f, -Xmx%s), live after full GC %.0f MiB, GC %.1f s; peak RSS %.0f MiB",
            h.peakUsedMiB(),
            h.peakCommittedMiB(),
            c.operatorXmx(),
            live,
            h.gcSeconds(),
            ProcStats.statusMiB(op.pid(), "VmHWM"));

        // (4b) New-job detection with nothing in flight.
        if (c.probes() > 0) {
          log(
              "probes: %d new jobs, one at a time, at least %s apart",
              c.probes(), Durations.format(c.probeGap()));
          phase("probes", () -> ProbePhase.run(this::log, c, sc, simOp, timeline, opCalls, op));
          Map<String, Object> pr = (Map<String, Object>) results.get("probes");
          log(
              "probes: detection (created -> AsyncJob seen) %s ms, %s ALB calls/s",
              pr.get("detectionMillis"), pr.get("albCallsPerSecond"));
        }

        // (5) Baseline: the same wave, waited on job by job, against its own simulator.
        try (CallRecorder baseCalls = new CallRecorder(simBase);
            PerJobBaseline base =
                new PerJobBaseline(simBase.endpoint(), c.baselineThreads(), c.baselineInterval())) {
          cpu.mark("baseline");
          Instant baseStart = Instant.now().plusSeconds(2);
          sc.loadWave(simBase, baseStart);
          base.start(sc, baseStart);
          log(
              "baseline: %d pollers, one call per job every %s",
              sc.wave.size(), c.baselineInterval());
          boolean finished = base.await(sc.waveLength().plusMinutes(5));
          long baseEnd = System.currentTimeMillis();
          baseline(
              sc,
              base,
              baseStart,
              baseEnd,
              finished,
              baseCalls.between(baseStart.toEpochMilli(), baseEnd),
              baseCalls.missed(),
              cpu);
          series(
              sc,
              waveStart,
              waveEnd,
              waveCalls,
              baseStart,
              baseEnd,
              baseCalls.between(baseStart.toEpochMilli(), baseEnd));
        }

        // (6) Restart, (7) leader failover: new operator processes with the same flags.
        RestartPhase.Starter starter =
            (logName, extra, env) -> {
              List<String> all = new ArrayList<>(flags);
              all.addAll(extra);
              OperatorProcess p =
                  new OperatorProcess(
                      c.jar(), kubeconfig, out.resolve(logName), c.operatorXmx(), all, env);
              running.add(p);
              return p;
            };
        OperatorProcess first = op;
        if (c.restart()) {
          phase(
              "restart",
              () -> RestartPhase.run(this::log, c, starter, first, writes, opCalls, out));
        }
        if (c.failover()) {
          for (OperatorProcess p : running) {
            p.terminate(Duration.ofSeconds(60));
          }
          first.terminate(Duration.ofSeconds(60));
          phase(
              "failover",
              () ->
                  FailoverPhase.run(
                      this::log,
                      c,
                      sc,
                      starter,
                      admin,
                      nsList.get(0),
                      simOp,
                      timeline,
                      opCalls,
                      writes,
                      out));
        }
      }
      opCalls.close();
      timeline.close();
      results.put("cpuSecondsByProcessAndPhase", cpu.table());
    }
  }

  // ---- phases ------------------------------------------------------------------------------

  private void backlog(
      BenchScenario sc,
      PhaseRecorder timeline,
      OperatorProcess op,
      long ready,
      long firstSeen,
      long mirrored,
      List<CallRecorder.Call> calls,
      ApiServerWrites.Snapshot w,
      Cpu cpu) {
    int wrong = 0;
    for (SimJob j : sc.history) {
      JobPhase expected =
          SimJob.FAILED.equals(j.finalStatus()) ? JobPhase.Failed : JobPhase.Succeeded;
      if (timeline.get(j.id()).finalPhase() != expected) {
        wrong++;
      }
    }
    int h = sc.history.size();
    // When each watch's first AsyncJob appeared: watches wait for a reconciler thread in turn.
    Map<String, Long> firstOfWatch = new java.util.HashMap<>();
    for (SimJob j : sc.history) {
      String watch = j.resourceId().substring(0, j.resourceId().indexOf('x'));
      firstOfWatch.merge(watch, timeline.get(j.id()).firstSeenMillis(), Math::min);
    }
    long lastWatchStart =
        firstOfWatch.values().stream().mapToLong(Long::longValue).max().orElse(ready);
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("lastWatchFirstAsyncJobSecondsFromReady", (lastWatchStart - ready) / 1000.0);
    b.put("jobs", h);
    b.put("failedJobs", sc.historyFailed);
    b.put("wrongPhase", wrong);
    b.put("operatorStartToReadySeconds", (ready - op.startedMillis) / 1000.0);
    b.put("secondsFromProcessStart", (mirrored - op.startedMillis) / 1000.0);
    b.put("secondsFromReady", (mirrored - ready) / 1000.0);
    b.put("secondsFromFirstAsyncJob", (mirrored - firstSeen) / 1000.0);
    b.put("objectsPerSecondFromReady", h * 1000.0 / (mirrored - ready));
    b.put("objectsPerSecondFromFirstAsyncJob", h * 1000.0 / (mirrored - firstSeen));
    b.put("albCalls", calls.size());
    b.put("albCallsByKind", byKind(calls));
    b.put("asyncJobWrites", w.of("asyncjobs"));
    b.put("asyncJobWritesLowerBound", 2L * h);
    b.put("writes", w.counts());
    b.put("cpuSeconds", cpu.sinceAll("backlog"));
    b.put("cpuSecondsFromReady", cpu.sinceAll("mirror"));
    results.put("backlog", b);
    log(
        "backlog: %d jobs mirrored %.1f s after ready (%.1f s after process start) = %.0f objects/s; %d wrong phase; %d ALB calls; %d AsyncJob writes (lower bound %d)",
        h,
        (mirrored - ready) / 1000.0,
        (mirrored - op.startedMillis) / 1000.0,
        h * 1000.0 / (mirrored - ready),
        wrong,
        calls.size(),
        w.of("asyncjobs"),
        2L * h);
  }

  private void wave(
      BenchScenario sc,
      PhaseRecorder timeline,
      Instant start,
      long end,
      List<CallRecorder.Call> calls,
      ApiServerWrites.Snapshot w,
      double operatorCpu,
      Map<String, Double> cpuAll) {
    List<Long> finish = new ArrayList<>();
    List<Long> appear = new ArrayList<>();
    int wrong = 0;
    for (BenchScenario.WaveJob j : sc.wave) {
      PhaseRecorder.Seen s = timeline.get(j.id());
      finish.add(s.finalSeenMillis() - j.finishesAt(start).toEpochMilli());
      appear.add(s.firstSeenMillis() - j.createdAt(start).toEpochMilli());
      if (s.finalPhase() != (j.fails() ? JobPhase.Failed : JobPhase.Succeeded)) {
        wrong++;
      }
    }
    long resourcePolls =
        calls.stream().filter(x -> x.kind() == CallRecorder.Kind.RESOURCES).count();
    long scopeListings = calls.stream().filter(x -> x.kind() == CallRecorder.Kind.SCOPE).count();
    // A cycle: every watch's own queries once, or one shared listing of the scope.
    double cycles =
        resourcePolls / (double) (c.watches() * ((c.lbsPerWatch() + 9) / 10)) + scopeListings;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jobs", sc.wave.size());
    m.put("wrongPhase", wrong);
    m.put("seconds", (end - start.toEpochMilli()) / 1000.0);
    m.put("albCalls", calls.size());
    m.put("albCallsByKind", byKind(calls));
    m.put("pollCycles", cycles);
    m.put("sharedListings", scopeListings);
    m.put("albCallsPerPollCycle", calls.size() / cycles);
    m.put("finishDetectionMillis", percentiles(finish));
    m.put("appearDetectionMillis", percentiles(appear));
    m.put("pollGapMillisWhileActive", pollGaps(calls, c.pollInterval().toMillis()));
    m.put("asyncJobWrites", w.of("asyncjobs"));
    m.put("asyncJobWritesLowerBound", 3L * sc.wave.size());
    m.put("asyncJobWritesOverLowerBound", w.of("asyncjobs") / (3.0 * sc.wave.size()));
    m.put("phaseLabelPatches", w.get("asyncjobs PATCH"));
    m.put("writes", w.counts());
    m.put("operatorCpuSeconds", operatorCpu);
    m.put("cpuSeconds", cpuAll);
    results.put("wave", m);
    log(
        "wave: %d ALB calls in %.0f s (%.1f per poll cycle), finish detection %s ms, appear detection %s ms, %d AsyncJob writes (lower bound %d, x%.3f), %d wrong",
        calls.size(),
        (end - start.toEpochMilli()) / 1000.0,
        calls.size() / cycles,
        percentiles(finish),
        percentiles(appear),
        w.of("asyncjobs"),
        3L * sc.wave.size(),
        w.of("asyncjobs") / (3.0 * sc.wave.size()),
        wrong);
  }

  private void baseline(
      BenchScenario sc,
      PerJobBaseline base,
      Instant start,
      long end,
      boolean finished,
      List<CallRecorder.Call> calls,
      long missed,
      Cpu cpu) {
    List<Long> finish = new ArrayList<>();
    for (BenchScenario.WaveJob j : sc.wave) {
      Long d = base.detected(j.id());
      if (d != null) {
        finish.add(d - j.finishesAt(start).toEpochMilli());
      }
    }
    double jobSeconds = sc.wave.stream().mapToDouble(j -> j.runs().toMillis() / 1000.0).sum();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jobs", sc.wave.size());
    m.put("allDetected", finished);
    m.put("detected", finish.size());
    m.put("seconds", (end - start.toEpochMilli()) / 1000.0);
    m.put("albCalls", base.calls());
    m.put("albCallsSeenBySimulator", calls.size() + missed);
    m.put("errors", base.errors());
    m.put("effectivePollSeconds", jobSeconds / base.calls());
    m.put("finishDetectionMillis", percentiles(finish));
    m.put("cpuSeconds", cpu.sinceAll("baseline"));
    results.put("baseline", m);
    log(
        "baseline: %d ALB calls in %.0f s, finish detection %s ms, %d errors, all detected: %s",
        base.calls(),
        (end - start.toEpochMilli()) / 1000.0,
        percentiles(finish),
        base.errors(),
        finished);
  }

  /** 10-second buckets from the start of each wave: jobs in flight, calls per minute of both. */
  private void series(
      BenchScenario sc,
      Instant opStart,
      long opEnd,
      List<CallRecorder.Call> op,
      Instant baseStart,
      long baseEnd,
      List<CallRecorder.Call> base)
      throws IOException {
    long bucket = 10_000;
    long span = Math.max(opEnd - opStart.toEpochMilli(), baseEnd - baseStart.toEpochMilli());
    StringBuilder csv =
        new StringBuilder("second,jobs_in_flight,operator_calls_per_min,baseline_calls_per_min\n");
    for (long t = 0; t < span; t += bucket) {
      long from = t;
      long opCount =
          op.stream()
              .filter(
                  x ->
                      x.atMillis() - opStart.toEpochMilli() >= from
                          && x.atMillis() - opStart.toEpochMilli() < from + bucket)
              .count();
      long baseCount =
          base.stream()
              .filter(
                  x ->
                      x.atMillis() - baseStart.toEpochMilli() >= from
                          && x.atMillis() - baseStart.toEpochMilli() < from + bucket)
              .count();
      csv.append(
          String.format(
              Locale.ROOT,
              "%d,%d,%d,%d%n",
              t / 1000,
              sc.inFlightAt(Duration.ofMillis(t + bucket / 2)),
              opCount * 60_000 / bucket,
              baseCount * 60_000 / bucket));
    }
    Files.writeString(out.resolve("calls-vs-inflight.csv"), csv);
  }

  // ---- targets and output ------------------------------------------------------------------

  /** A target's check; one that cannot be read (its phase failed) is reported as not measured. */
  private interface Check {
    void run();
  }

  private void check(String what, Check k) {
    try {
      k.run();
    } catch (RuntimeException e) {
      targets.add(new String[] {what, "not measured (" + e + ")", "MISSED"});
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> section(String name) {
    Object m = results.get(name);
    if (!(m instanceof Map) || ((Map<String, Object>) m).containsKey("error")) {
      throw new IllegalStateException(
          name
              + (m == null
                  ? " did not run"
                  : " failed: " + ((Map<String, Object>) m).get("error")));
    }
    return (Map<String, Object>) m;
  }

  private static double num(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Number)) {
      throw new IllegalStateException(key + " not measured");
    }
    return ((Number) v).doubleValue();
  }

  @SuppressWarnings("unchecked")
  private void evaluate() {
    check(
        "ALB calls vs per-job baseline (same wave), at equal or better p99",
        () -> {
          Map<String, Object> wave = section("wave");
          Map<String, Object> base = section("baseline");
          long opCalls = ((Number) wave.get("albCalls")).longValue();
          long baseCalls = ((Number) base.get("albCalls")).longValue();
          double ratio = baseCalls / (double) Math.max(1, opCalls);
          long opP99 = ((Map<String, Long>) wave.get("finishDetectionMillis")).get("p99");
          long baseP99 = ((Map<String, Long>) base.get("finishDetectionMillis")).get("p99");
          target(
              "ALB calls vs per-job baseline (same wave), at equal or better p99",
              String.format(
                  Locale.ROOT,
                  "%d vs %d = %.1fx fewer; p99 %.1f s vs %.1f s",
                  opCalls,
                  baseCalls,
                  ratio,
                  opP99 / 1000.0,
                  baseP99 / 1000.0),
              ratio >= 10 && opP99 <= baseP99);
        });
    long limit = c.activePollInterval().toMillis() + 2000;
    check(
        "p99 detection latency <= active poll interval + 2 s",
        () -> {
          Map<String, Object> wave = section("wave");
          long opP99 = ((Map<String, Long>) wave.get("finishDetectionMillis")).get("p99");
          target(
              "p99 detection latency <= active poll interval + 2 s (" + (limit / 1000.0) + " s)",
              String.format(
                  Locale.ROOT,
                  "p50 %.1f s, p99 %.1f s",
                  ((Map<String, Long>) wave.get("finishDetectionMillis")).get("p50") / 1000.0,
                  opP99 / 1000.0),
              opP99 <= limit);
        });
    check(
        "Kubernetes (AsyncJob) writes within 5% of the lower bound",
        () -> {
          Map<String, Object> wave = section("wave");
          Map<String, Object> backlog = section("backlog");
          long writes =
              ((Number) backlog.get("asyncJobWrites")).longValue()
                  + ((Number) wave.get("asyncJobWrites")).longValue();
          long bound =
              ((Number) backlog.get("asyncJobWritesLowerBound")).longValue()
                  + ((Number) wave.get("asyncJobWritesLowerBound")).longValue();
          long labels = ((Number) wave.get("phaseLabelPatches")).longValue();
          target(
              "Kubernetes (AsyncJob) writes within 5% of the lower bound",
              String.format(
                  Locale.ROOT,
                  "%d vs %d = +%.1f%% (%d of them phase-label patches; without them +%.1f%%)",
                  writes,
                  bound,
                  100.0 * (writes - bound) / bound,
                  labels,
                  100.0 * (writes - labels - bound) / bound),
              writes <= bound * 1.05);
          Map<String, Long> bw = (Map<String, Long>) backlog.get("writes");
          Map<String, Long> ww = (Map<String, Long>) wave.get("writes");
          long watchWrites =
              bw.getOrDefault("asyncjobwatches/status APPLY", 0L)
                  + ww.getOrDefault("asyncjobwatches/status APPLY", 0L);
          long events =
              bw.getOrDefault("events POST", 0L)
                  + ww.getOrDefault("events POST", 0L)
                  + bw.getOrDefault("events PATCH", 0L)
                  + ww.getOrDefault("events PATCH", 0L);
          long all = writes + watchWrites + events;
          target(
              "(information) all operator writes: AsyncJobs + watch status + Events, vs the AsyncJob lower bound",
              String.format(
                  Locale.ROOT,
                  "%d + %d + %d = %d vs %d = +%.1f%%",
                  writes,
                  watchWrites,
                  events,
                  all,
                  bound,
                  100.0 * (all - bound) / bound),
              all <= bound * 1.05);
          long ws = ((Number) wave.get("asyncJobWrites")).longValue();
          long wb = ((Number) wave.get("asyncJobWritesLowerBound")).longValue();
          target(
              "(information) wave AsyncJob writes vs its lower bound (3 per wave job)",
              String.format(
                  Locale.ROOT,
                  "%d vs %d = %.3fx (%d phase-label patches)",
                  ws,
                  wb,
                  ws / (double) wb,
                  labels),
              ws <= wb * 1.05);
        });
    check(
        "zero writes over the idle window",
        () -> {
          Object idleWrites = section("idle").get("operatorWrites");
          target(
              "zero writes over the idle window (" + c.idle().toSeconds() + " s)",
              String.valueOf(idleWrites),
              ((Map<String, Long>) idleWrites).values().stream().mapToLong(Long::longValue).sum()
                  == 0);
        });
    check(
        "initial backlog mirrored at >= 50% of raw API-server write throughput",
        () -> {
          Map<String, Object> backlog = section("backlog");
          double mirror = num(backlog, "objectsPerSecondFromReady");
          double ceiling = num(section("raw"), "objectsPerSecond");
          target(
              "initial backlog mirrored at >= 50% of raw API-server write throughput",
              String.format(
                  Locale.ROOT,
                  "%.0f vs %.0f objects/s = %.0f%% (%.1f s from ready)",
                  mirror,
                  ceiling,
                  100 * mirror / ceiling,
                  num(backlog, "secondsFromReady")),
              mirror >= 0.5 * ceiling);
        });
    check(
        "peak heap <= 384 MiB",
        () -> {
          Map<String, Object> mem = section("memory");
          double peak = num(mem, "peakHeapUsedMiB");
          target(
              "peak heap <= 384 MiB at " + mem.get("asyncJobs") + " AsyncJobs",
              String.format(
                  Locale.ROOT,
                  "peak used %.0f MiB (-Xmx%s), live %.0f MiB after full GC, peak RSS %.0f MiB",
                  peak,
                  c.operatorXmx(),
                  num(mem, "liveHeapAfterFullGcMiB"),
                  num(mem, "peakRssMiB")),
              peak <= 384);
        });
    check(
        "idle CPU < 2% of a core",
        () -> {
          double idlePct = num(section("idle"), "operatorCpuPercentOfOneCore");
          target(
              "idle CPU < 2% of a core",
              String.format(Locale.ROOT, "%.2f%%", idlePct), idlePct < 2);
        });
    check(
        "idle ALB calls/s <= 0.5 per account scope",
        () -> {
          Map<String, Object> idle = section("idle");
          double perSecond = num(idle, "albCallsPerSecond");
          String split =
              idle.containsKey("albCallsPerSecondAfterThat")
                  ? String.format(
                      Locale.ROOT,
                      " (%.3f/s in the first 5 min after the wave, %.3f/s after)",
                      num(idle, "albCallsPerSecondFirst5MinAfterWave"),
                      num(idle, "albCallsPerSecondAfterThat"))
                  : "";
          target(
              "idle ALB calls/s <= 0.5 per account scope (1 scope)",
              String.format(
                  Locale.ROOT, "%.3f/s over %.0f s%s", perSecond, num(idle, "seconds"), split),
              perSecond <= 0.5);
        });
    if (c.probes() > 0) {
      check(
          "new-job detection with nothing in flight: p99 <= 6 s",
          () -> {
            Map<String, Object> p = section("probes");
            Map<String, Long> d = (Map<String, Long>) p.get("detectionMillis");
            target(
                "new-job detection with nothing in flight (created -> AsyncJob seen): p99 <= 6 s",
                String.format(
                    Locale.ROOT,
                    "%d probes (%s missed): p50 %.1f / p90 %.1f / p99 %.1f / max %.1f s; %.3f ALB calls/s",
                    d.get("n"),
                    p.get("missed"),
                    d.get("p50") / 1000.0,
                    d.get("p90") / 1000.0,
                    d.get("p99") / 1000.0,
                    d.get("max") / 1000.0,
                    num(p, "albCallsPerSecond")),
                d.get("p99") <= 6000 && ((Number) p.get("missed")).intValue() == 0);
          });
    }
    check(
        "soak: slopes flat",
        () -> {
          Map<String, Object> soak = section("soak");
          if (!Boolean.TRUE.equals(soak.get("isSoak"))) {
            return; // a short idle window: samples in soak.csv, no verdict
          }
          target(
              "soak (idle window "
                  + c.idle().toSeconds()
                  + " s): every level and rate flat, i.e. grows by <= "
                  + (int) (100 * SoakSampler.FLAT_SHARE_PER_HOUR)
                  + "% of its mean per hour",
              SoakSampler.summary(soak)
                  + String.format(
                      Locale.ROOT,
                      "live heap %.0f -> %.0f MiB",
                      num(soak, "liveHeapFirstMiB"),
                      num(soak, "liveHeapLastMiB")),
              Boolean.TRUE.equals(soak.get("allFlat")));
        });
    if (c.restart()) {
      check(
          "restart: 0 writes to unchanged AsyncJobs and watch statuses",
          () -> {
            Map<String, Object> r = section("restart");
            long aj = ((Number) r.get("asyncJobWrites")).longValue();
            long ws = ((Number) r.get("watchStatusWrites")).longValue();
            target(
                "restart: 0 writes to unchanged AsyncJobs and watch statuses (start -> every watch polled + 2 active intervals)",
                String.format(
                    Locale.ROOT,
                    "%d AsyncJob writes, %d watch status writes, %s events; all writes %s; ready %.1f s, every watch polled %.1f s after start; heap peak %.0f / live %.0f MiB; CPU %.1f s to ready, %.1f s to all polled",
                    aj,
                    ws,
                    r.get("eventWrites"),
                    r.get("writesUntilPolledPlusTwoActiveIntervals"),
                    num(r, "startToReadySeconds"),
                    num(r, "startToAllWatchesPolledSeconds"),
                    num(r, "peakHeapUsedMiB"),
                    num(r, "liveHeapAfterFullGcMiB"),
                    num(r, "cpuSecondsToReady"),
                    num(r, "cpuSecondsToAllWatchesPolled")),
                aj == 0 && ws == 0);
          });
    }
    if (c.failover()) {
      double leaseLimit = c.leaseDuration().toMillis() / 1000.0 + 10;
      check(
          "failover: every watch polled within lease + 10 s",
          () -> {
            Map<String, Object> f = section("failover");
            Object all = f.get("killToAllWatchesPolledSeconds");
            target(
                "failover (SIGKILL to the leader mid-wave): every watch polled within lease + 10 s ("
                    + leaseLimit
                    + " s)",
                String.format(
                    Locale.ROOT,
                    "kill -> first ALB call %s s, Lease taken %s s, every watch polled %s s",
                    f.get("killToFirstAlbCallSeconds"),
                    f.get("killToLeaseTakenSeconds"),
                    all == null
                        ? "never (" + f.get("watchesPolledAtDeadline") + " by the deadline)"
                        : all),
                all instanceof Number n && n.doubleValue() <= leaseLimit);
          });
      check(
          "failover: every job right, no lost or repeated transition",
          () -> {
            Map<String, Object> f = section("failover");
            int lost = ((Number) f.get("lostJobs")).intValue();
            int wrong = ((Number) f.get("wrongFinalPhase")).intValue();
            int bad = ((Number) f.get("badSequences")).intValue();
            target(
                "failover: every job of the second wave reaches its final phase, phases a progression",
                String.format(
                    Locale.ROOT,
                    "%s jobs: %d lost, %d wrong final phase, %d bad sequences; finish detection %s ms; AsyncJob writes %s vs %s",
                    f.get("jobs"),
                    lost,
                    wrong,
                    bad,
                    f.get("finishDetectionMillis"),
                    f.get("asyncJobWrites"),
                    f.get("asyncJobWritesLowerBound")),
                lost == 0 && wrong == 0 && bad == 0);
          });
      check(
          "failover: new leader's heap < 384 MiB",
          () -> {
            Map<String, Object> f = section("failover");
            double peak = num(f, "newLeaderPeakHeapUsedMiB");
            target(
                "failover: new leader's peak heap < 384 MiB (-Xmx" + c.operatorXmx() + ")",
                String.format(
                    Locale.ROOT,
                    "peak %.0f MiB (%.0f after the kill), live %.0f MiB; listed the AsyncJobs %s; CPU %.1f s kill -> all polled",
                    peak,
                    num(f, "newLeaderPeakHeapUsedMiBAfterKill"),
                    num(f, "newLeaderLiveHeapAfterFullGcMiB"),
                    f.get("newLeaderListedAsyncJobs"),
                    num(f, "newLeaderCpuSecondsKillToAllPolled")),
                peak < 384);
          });
    }
    List<Map<String, Object>> t = new ArrayList<>();
    for (String[] row : targets) {
      t.add(Map.of("target", row[0], "measured", row[1], "met", row[2]));
    }
    results.put("targets", t);
  }

  private void target(String what, String measured, boolean met) {
    targets.add(new String[] {what, measured, met ? "met" : "MISSED"});
  }

  private void write() throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Files.writeString(out.resolve("results.json"), json.writeValueAsString(results));
    StringBuilder md = new StringBuilder("| target | measured | |\n|---|---|---|\n");
    for (String[] row : targets) {
      md.append("| ")
          .append(row[0])
          .append(" | ")
          .append(row[1])
          .append(" | ")
          .append(row[2])
          .append(" |\n");
    }
    Files.writeString(out.resolve("targets.md"), md);
    System.out.println();
    System.out.println(md);
    System.out.println("results: " + out);
  }

  // ---- helpers -----------------------------------------------------------------------------

  /**
   * {@link ControlPlane#start()}, tried up to three times: its CRD wait can throw a
   * NullPointerException when it sees a CRD whose status has no conditions yet (a race on a busy
   * machine). A failed attempt leaves its etcd and kube-apiserver running; they are this JVM's only
   * child processes at this point and are stopped before the next try.
   */
  private ControlPlane startControlPlane() {
    for (int attempt = 1; ; attempt++) {
      try {
        return ControlPlane.start();
      } catch (RuntimeException e) {
        ProcessHandle.current()
            .children()
            .forEach(
                p -> {
                  p.destroy();
                  p.onExit()
                      .orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                      .exceptionally(x -> null)
                      .join();
                });
        if (attempt == 3) {
          throw e;
        }
        log("control plane start failed (%s); trying again", e);
      }
    }
  }

  private void await(
      OperatorProcess op,
      Duration timeout,
      String what,
      BooleanSupplier done,
      java.util.function.Supplier<String> progress)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextLog = System.nanoTime();
    while (!done.getAsBoolean()) {
      op.checkAlive();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "timed out after " + timeout + " waiting for " + what + ": " + progress.get());
      }
      if (System.nanoTime() >= nextLog) {
        log("waiting for %s: %s", what, progress.get());
        nextLog = System.nanoTime() + 15_000_000_000L;
      }
      Thread.sleep(100);
    }
  }

  private static boolean allFinal(PhaseRecorder t, List<String> ids) {
    return finals(t, ids) == ids.size();
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
   * Time between two first-page resource calls of the same watch (or two shared listings of the
   * scope), leaving out the gaps of idle polling (those longer than 80% of the idle interval): how
   * often an active watch really polls.
   */
  private static Map<String, Long> pollGaps(List<CallRecorder.Call> calls, long idleMillis) {
    Map<String, Long> last = new java.util.HashMap<>();
    List<Long> gaps = new ArrayList<>();
    for (CallRecorder.Call x :
        calls.stream()
            .sorted(java.util.Comparator.comparingLong(CallRecorder.Call::atMillis))
            .toList()) {
      if (x.kind() != CallRecorder.Kind.RESOURCES && x.kind() != CallRecorder.Kind.SCOPE) {
        continue;
      }
      Long prev = last.put(x.key(), x.atMillis());
      if (prev != null && x.atMillis() - prev < idleMillis * 0.8) {
        gaps.add(x.atMillis() - prev);
      }
    }
    return percentiles(gaps);
  }

  private static Map<String, Long> byKind(List<CallRecorder.Call> calls) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (CallRecorder.Call x : calls) {
      m.merge(x.kind().name() + (x.ok() ? "" : "_FAILED"), 1L, Long::sum);
    }
    return m;
  }

  private static Map<String, Long> operatorWrites(ApiServerWrites.Snapshot w) {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("asyncjobs", w.of("asyncjobs ") + w.of("asyncjobs/"));
    m.put("asyncjobwatches", w.of("asyncjobwatches"));
    m.put("events", w.of("events"));
    return m;
  }

  static Map<String, Long> percentiles(List<Long> values) {
    List<Long> v = new ArrayList<>(values);
    v.sort(Long::compare);
    Map<String, Long> m = new LinkedHashMap<>();
    if (v.isEmpty()) {
      return Map.of("n", 0L, "p50", -1L, "p99", -1L);
    }
    m.put("n", (long) v.size());
    m.put("min", v.get(0));
    m.put("p50", rank(v, 0.50));
    m.put("p90", rank(v, 0.90));
    m.put("p99", rank(v, 0.99));
    m.put("max", v.get(v.size() - 1));
    return m;
  }

  private static long rank(List<Long> sorted, double p) {
    return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private double idleCpu(Cpu cpu, String phase, long millis) {
    return cpu.since(phase, "operator") / (millis / 1000.0);
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    try {
      m.put(
          "memTotal", Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " "));
      m.put(
          "cpuModel",
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .findFirst()
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .orElse("?"));
    } catch (IOException e) {
      m.put("memTotal", "?");
    }
    m.put(
        "java",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("loadAverage", loadAverage());
    m.put("startedUtc", Instant.now().toString());
    return m;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static Map<String, Double> operatorMetrics(int port) {
    Map<String, Double> m = new LinkedHashMap<>();
    try {
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : body.split("\n")) {
        for (String name : List.of("albjobs_alb_calls_total", "albjobs_alb_throttled_total")) {
          if (line.startsWith(name + "{")) {
            String key = name + line.substring(name.length(), line.lastIndexOf('}') + 1);
            m.merge(
                key, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      m.put("unreadable", 0.0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return m;
  }

  /** CPU seconds of the processes involved, with named marks to take differences from. */
  private static final class Cpu {
    private final Map<String, Long> pids = new LinkedHashMap<>();
    private final Map<String, Map<String, Double>> marks = new LinkedHashMap<>();
    private final Map<String, Map<String, Double>> table = new LinkedHashMap<>();

    Cpu(Map<String, Long> pids) {
      this.pids.putAll(pids);
    }

    void add(String name, long pid) {
      pids.put(name, pid);
    }

    void mark(String phase) {
      Map<String, Double> now = new LinkedHashMap<>();
      pids.forEach((n, p) -> now.put(n, ProcStats.cpuSeconds(p)));
      marks.put(phase, now);
    }

    double since(String phase) {
      return since(phase, "operator");
    }

    double since(String phase, String process) {
      Long pid = pids.get(process);
      Double then = marks.get(phase).get(process);
      return pid == null ? Double.NaN : ProcStats.cpuSeconds(pid) - (then == null ? 0 : then);
    }

    Map<String, Double> sinceAll(String phase) {
      Map<String, Double> m = new LinkedHashMap<>();
      pids.keySet().forEach(n -> m.put(n, Math.round(since(phase, n) * 100) / 100.0));
      table.put(phase, m);
      return m;
    }

    Map<String, Map<String, Double>> table() {
      return table;
    }
  }
}
