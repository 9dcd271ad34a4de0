package io.albjobs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.it.PhaseRecorder;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.metrics.OperatorMetrics;
import io.albjobs.operator.reconciler.Transitions;
import io.albjobs.operator.status.JobStatuses;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.operator.write.EventRecorder;
import io.albjobs.operator.write.OwnWrites;
import io.albjobs.operator.write.StatusRecorder;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One writer per AsyncJob, on the real API server: 60 AsyncJobs created from JobIds go Pending →
 * Processing → Succeeded/Failed in the simulator after short random durations, while three threads
 * hammer them with poll-now annotations, label edits and spec edits (the credentials Secret flips
 * between two Secrets holding the same keys), aimed mostly at the jobs about to finish. An informer
 * records every phase each AsyncJob shows. No job may ever go back from a final phase, each failed
 * job gets exactly one {@code JobFailed} Event, and the failed-jobs counter equals the failed jobs
 * — also after a restart of the operator, which finds every job finished (and its spec edited) and
 * must neither count nor announce any of them again.
 */
class OneWriterIT {
  private static final int JOBS = 60;
  private static final int AGITATORS = 8;
  private static final Duration WAIT = Duration.ofSeconds(120);

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void pollNowAndEditsWhileJobsFinishNeverUndoAFinalPhaseNorRepeatItsSideEffects()
      throws Exception {
    try (IntegrationEnv env = new IntegrationEnv("one-writer");
        PhaseRecorder recorder = new PhaseRecorder(env.admin, env.ns)) {
      env.admin
          .resource(
              Fixtures.credentials(
                  env.ns, "alb-creds-b", IntegrationEnv.KEY_ID, IntegrationEnv.KEY_SECRET))
          .serverSideApply();
      OperatorApp app = env.operator("--active-poll-interval=1s");
      Random random = new Random(42);
      Instant t0 = Instant.now().plusSeconds(2);
      Map<String, Instant> finishAt = new HashMap<>();
      Set<String> failedIds = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < JOBS; i++) {
        String id = String.format("RACE-%03d", i);
        Instant done = t0.plusMillis(3000 + random.nextInt(20_000));
        var builder =
            SimJob.builder(id, "acct")
                .region("cn-hangzhou")
                .api("CreateRule", "Create")
                .resource("listener", "lsn-" + i)
                .createdAt(t0)
                .visibleAfter(Duration.ofMillis(random.nextInt(1500)));
        if (i % 3 == 0) {
          builder.failsAt(done, "QuotaExceeded", "rule quota of listener lsn-" + i + " exceeded");
          failedIds.add(id);
        } else {
          builder.succeedsAt(done);
        }
        env.sim.addJob(builder.build());
        finishAt.put(name(i), done);
        env.admin
            .resource(Fixtures.userJob(env.ns, name(i), id, env.sim.endpoint(), "alb-creds"))
            .create();
      }

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong annotations = new AtomicLong();
      AtomicLong labelEdits = new AtomicLong();
      AtomicLong specEdits = new AtomicLong();
      AtomicReference<Throwable> agitatorError = new AtomicReference<>();
      List<Thread> agitators = new ArrayList<>();
      for (int a = 0; a < AGITATORS; a++) {
        Random r = new Random(100 + a);
        Thread thread =
            new Thread(
                () -> {
                  try {
                    while (!stop.get()) {
                      String target = pick(r, finishAt);
                      int what = r.nextInt(20);
                      if (what < 17) {
                        patch(
                            env,
                            target,
                            "{\"metadata\":{\"annotations\":{\"albjobs.io/poll-now\":\""
                                + System.nanoTime()
                                + "\"}}}");
                        annotations.incrementAndGet();
                      } else if (what < 19) {
                        patch(
                            env,
                            target,
                            "{\"metadata\":{\"labels\":{\"race-touch\":\""
                                + r.nextInt(1000)
                                + "\"}}}");
                        labelEdits.incrementAndGet();
                      } else {
                        patch(
                            env,
                            target,
                            "{\"spec\":{\"credentialsSecretRef\":{\"name\":\""
                                + (r.nextBoolean() ? "alb-creds" : "alb-creds-b")
                                + "\"}}}");
                        specEdits.incrementAndGet();
                      }
                    }
                  } catch (Throwable e) {
                    agitatorError.compareAndSet(null, e);
                  }
                },
                "agitator-" + a);
        thread.setDaemon(true);
        thread.start();
        agitators.add(thread);
      }

      Await.until(WAIT, "every job in a final phase", () -> finishedCount(env) == JOBS);
      // Keep hammering the finished jobs for a moment: poll-now on a finished job must not move it.
      long annotationsAtEnd = annotations.get();
      Await.until(
          Duration.ofSeconds(60),
          "a hundred more edits on finished jobs",
          () -> annotations.get() >= annotationsAtEnd + 100);
      stop.set(true);
      for (Thread thread : agitators) {
        thread.join(10_000);
      }
      assertEquals(null, agitatorError.get(), "an edit failed: " + agitatorError.get());
      Await.until(
          WAIT,
          "a JobFailed Event for every failed job",
          () -> jobFailedEvents(env).keySet().containsAll(namesOf(failedIds)));
      awaitQuiet(app);

      Map<String, List<String>> sequences = recorder.sequences();
      Map<String, Integer> events = jobFailedEvents(env);
      double counted = failedCounter(app.registry());
      long phasesObserved = sequences.values().stream().mapToLong(List::size).sum();
      System.out.printf(
          "one-writer race: %d jobs (%d failed), %d poll-now annotations, %d label edits, %d spec edits,"
              + " %d phase changes observed, %d JobFailed Events, albjobs_jobs_failed_total %.0f, %d status writes%n",
          JOBS,
          failedIds.size(),
          annotations.get(),
          labelEdits.get(),
          specEdits.get(),
          phasesObserved,
          events.values().stream().mapToInt(Integer::intValue).sum(),
          counted,
          app.statusWrites());

      List<String> regressions = new ArrayList<>();
      sequences.forEach(
          (id, sequence) -> {
            if (!monotone(sequence)) {
              regressions.add(id + " " + sequence);
            }
          });
      assertTrue(regressions.isEmpty(), "phases went backwards: " + regressions);
      for (AsyncJob job : env.jobs()) {
        JobPhase expected =
            failedIds.contains(job.getSpec().getJobId()) ? JobPhase.Failed : JobPhase.Succeeded;
        assertEquals(expected, job.getStatus().getPhase(), job.getMetadata().getName());
        assertNull(
            job.getMetadata().getLabels().get("albjobs.io/phase"),
            "--phase-label=auto on Kubernetes 1.31+: status.phase is selected by field, no label"
                + " patch per transition: "
                + job.getMetadata().getName());
      }
      Map<String, Integer> expectedEvents =
          namesOf(failedIds).stream().collect(Collectors.toMap(n -> n, n -> 1));
      assertEquals(expectedEvents, events, "exactly one JobFailed Event per failed job");
      assertEquals(failedIds.size(), (long) counted, "albjobs_jobs_failed_total");

      // A restarted operator finds every job finished, its spec edited meanwhile: it acknowledges
      // the new generation and neither counts nor announces any job again.
      app.close();
      for (int i = 0; i < JOBS; i++) {
        patch(env, name(i), "{\"spec\":{\"credentialsSecretRef\":{\"name\":\"alb-creds-b\"}}}");
        patch(env, name(i), "{\"spec\":{\"credentialsSecretRef\":{\"name\":\"alb-creds\"}}}");
      }
      OperatorApp restarted = env.operator("--active-poll-interval=1s");
      Await.until(
          WAIT,
          "the restarted operator acknowledged every edited spec",
          () ->
              env.jobs().stream()
                  .allMatch(
                      j ->
                          j.getMetadata()
                              .getGeneration()
                              .equals(j.getStatus().getObservedGeneration())));
      awaitQuiet(restarted);
      assertEquals(
          0,
          (long) failedCounter(restarted.registry()),
          "failed jobs counted again after a restart");
      assertEquals(
          expectedEvents, jobFailedEvents(env), "JobFailed announced again after a restart");
      Map<String, List<String>> after = recorder.sequences();
      after.forEach(
          (id, sequence) -> assertTrue(monotone(sequence), id + " went backwards: " + sequence));
    }
  }

  /**
   * The write path itself: a status computed from an older copy is refused by the API server and
   * computed again from the stored object; a final phase is never replaced; the Failed transition
   * is counted and announced once, however often it is written.
   */
  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aStatusComputedFromAnOlderCopyIsRecomputedAndAFinalPhaseStays() {
    try (IntegrationEnv env = new IntegrationEnv("one-writer-rv")) {
      AsyncJob created =
          env.admin
              .resource(
                  Fixtures.userJob(env.ns, "stale", "STALE-1", env.sim.endpoint(), "alb-creds"))
              .create();
      MeterRegistry registry = new SimpleMeterRegistry();
      StatusRecorder writer =
          new StatusRecorder(
              env.admin,
              new Transitions(
                  new EventRecorder(env.admin, Clock.systemUTC(), "test"),
                  new OperatorMetrics(registry),
                  Clock.systemUTC()),
              Clock.systemUTC(),
              Duration.ofMinutes(5));
      long t = System.currentTimeMillis();
      AlbJob processing =
          new AlbJob(
              "STALE-1",
              "CreateRule",
              "Create",
              "listener",
              "lsn-1",
              "Processing",
              null,
              null,
              t,
              t);
      AlbJob stillProcessing =
          new AlbJob(
              "STALE-1",
              "CreateRule",
              "Create",
              "listener",
              "lsn-1",
              "Processing",
              null,
              null,
              t,
              t + 5000); // times are kept to the second

      AlbJob failed =
          new AlbJob(
              "STALE-1",
              "CreateRule",
              "Create",
              "listener",
              "lsn-1",
              "Failed",
              "QuotaExceeded",
              "quota exceeded",
              t,
              t + 10_000);
      Function<AlbJob, Function<AsyncJob, AsyncJobStatus>> from =
          alb ->
              j ->
                  JobStatuses.fromAlb(
                      alb, j.getStatus(), j.getMetadata().getGeneration(), Instant.now());

      AsyncJob inFlight = writer.job(created, from.apply(processing), OwnWrites.none());
      AsyncJob done = writer.job(inFlight, from.apply(failed), OwnWrites.none());
      assertEquals(JobPhase.Failed, done.getStatus().getPhase());
      // Both from the Processing copy, both differ from it: refused (409), read again, recomputed
      // from the Failed object; the late Processing is not written over Failed.
      writer.job(inFlight, from.apply(failed), OwnWrites.none());
      AsyncJob after = writer.job(inFlight, from.apply(stillProcessing), OwnWrites.none());

      assertEquals(JobPhase.Failed, after.getStatus().getPhase());
      assertEquals(JobPhase.Failed, env.job("stale").getStatus().getPhase());
      assertEquals("Failed", env.job("stale").getMetadata().getLabels().get("albjobs.io/phase"));
      assertEquals(1, (long) failedCounter(registry), "the Failed transition is counted once");
      Await.until(WAIT, "the JobFailed Event", () -> jobFailedEvents(env).containsKey("stale"));
      assertEquals(
          Map.of("stale", 1), jobFailedEvents(env), "the Failed transition is announced once");
      AsyncJobStatus regress = JobStatuses.fromAlb(processing, null, 1L, Instant.now());
      KubernetesClientException refused =
          assertThrows(
              KubernetesClientException.class, () -> writer.writeIfUnchanged(inFlight, regress));
      assertEquals(409, refused.getCode(), "a status write from an older resourceVersion");
    }
  }

  /**
   * The albjobs.io/phase label never lies: with --phase-label=false it is not added, and an
   * AsyncJob that carries it from before (an older operator wrote it) keeps it in step with its
   * phase; with true it is written.
   */
  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void thePhaseLabelIsWrittenOnlyWhenAskedAndStaysTrueWhereItIs() {
    try (IntegrationEnv env = new IntegrationEnv("one-writer-label")) {
      StatusRecorder writer =
          new StatusRecorder(
              env.admin,
              new Transitions(
                  new EventRecorder(env.admin, Clock.systemUTC(), "test"),
                  new OperatorMetrics(new SimpleMeterRegistry()),
                  Clock.systemUTC()),
              Clock.systemUTC(),
              Duration.ofMinutes(5));
      writer.phaseLabels(false);
      long t = System.currentTimeMillis();
      Function<String, AlbJob> alb =
          status ->
              new AlbJob(
                  "LABEL-1",
                  "CreateRule",
                  "Create",
                  "listener",
                  "lsn-1",
                  status,
                  "Failed".equals(status) ? "QuotaExceeded" : null,
                  "Failed".equals(status) ? "quota exceeded" : null,
                  t,
                  t + 1000);
      Function<String, Function<AsyncJob, AsyncJobStatus>> from =
          status ->
              j ->
                  JobStatuses.fromAlb(
                      alb.apply(status),
                      j.getStatus(),
                      j.getMetadata().getGeneration(),
                      Instant.now());
      AsyncJob plain =
          env.admin
              .resource(
                  Fixtures.userJob(env.ns, "plain", "LABEL-1", env.sim.endpoint(), "alb-creds"))
              .create();
      AsyncJob legacy =
          Fixtures.userJob(env.ns, "legacy", "LABEL-1", env.sim.endpoint(), "alb-creds");
      legacy.getMetadata().setLabels(Map.of("albjobs.io/phase", "Pending"));
      legacy = env.admin.resource(legacy).create();

      plain = writer.job(plain, from.apply("Processing"), OwnWrites.none());
      legacy = writer.job(legacy, from.apply("Processing"), OwnWrites.none());
      assertNull(label(env, "plain"), "off: no label added");
      assertEquals("Processing", label(env, "legacy"), "a label from before follows the phase");
      writer.job(plain, from.apply("Failed"), OwnWrites.none());
      writer.job(legacy, from.apply("Failed"), OwnWrites.none());
      assertNull(label(env, "plain"));
      assertEquals("Failed", label(env, "legacy"));

      writer.phaseLabels(true);
      AsyncJob labelled =
          env.admin
              .resource(
                  Fixtures.userJob(env.ns, "labelled", "LABEL-1", env.sim.endpoint(), "alb-creds"))
              .create();
      writer.job(labelled, from.apply("Processing"), OwnWrites.none());
      assertEquals("Processing", label(env, "labelled"), "on: the label is written");
    }
  }

  private static String label(IntegrationEnv env, String name) {
    Map<String, String> labels = env.job(name).getMetadata().getLabels();
    return labels == null ? null : labels.get("albjobs.io/phase");
  }

  private static String name(int i) {
    return String.format("race-%03d", i);
  }

  private static Set<String> namesOf(Set<String> jobIds) {
    return jobIds.stream().map(id -> id.toLowerCase()).collect(Collectors.toSet());
  }

  /**
   * Mostly a job finishing right now in ALB (up to 1.5 s ago: the operator sees it at its next
   * poll, within the 1 s active interval), else any job.
   */
  private static String pick(Random r, Map<String, Instant> finishAt) {
    Instant now = Instant.now();
    List<String> near = new ArrayList<>();
    finishAt.forEach(
        (name, at) -> {
          long sinceFinish = Duration.between(at, now).toMillis();
          if (sinceFinish > -200 && sinceFinish < 1500) {
            near.add(name);
          }
        });
    if (!near.isEmpty() && r.nextInt(10) > 0) {
      return near.get(r.nextInt(near.size()));
    }
    List<String> all = new ArrayList<>(finishAt.keySet());
    return all.get(r.nextInt(all.size()));
  }

  private static void patch(IntegrationEnv env, String name, String mergePatch) {
    env.admin
        .resources(AsyncJob.class)
        .inNamespace(env.ns)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }

  private static long finishedCount(IntegrationEnv env) {
    return env.jobs().stream()
        .filter(j -> j.getStatus() != null && j.getStatus().isFinished())
        .count();
  }

  /** JobFailed Events per AsyncJob name. */
  private static Map<String, Integer> jobFailedEvents(IntegrationEnv env) {
    Map<String, Integer> byName = new HashMap<>();
    for (Event e : env.admin.v1().events().inNamespace(env.ns).list().getItems()) {
      if ("JobFailed".equals(e.getReason()) && "AsyncJob".equals(e.getInvolvedObject().getKind())) {
        byName.merge(
            e.getInvolvedObject().getName(), e.getCount() == null ? 1 : e.getCount(), Integer::sum);
      }
    }
    return byName;
  }

  private static double failedCounter(MeterRegistry registry) {
    return registry.find("albjobs_jobs_failed_total").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  /** Waits until the operator has written no status for two seconds running. */
  private static void awaitQuiet(OperatorApp app) {
    long[] last = {app.statusWrites(), System.nanoTime()};
    Await.until(
        WAIT,
        "no more status writes",
        () -> {
          long writes = app.statusWrites();
          if (writes != last[0]) {
            last[0] = writes;
            last[1] = System.nanoTime();
            return false;
          }
          return System.nanoTime() - last[1] > TimeUnit.SECONDS.toNanos(2);
        });
  }

  /** Pending → Processing → Succeeded|Failed, steps may be skipped, never undone. */
  static boolean monotone(List<String> sequence) {
    int rank = -1;
    for (String phase : sequence) {
      int r =
          switch (phase) {
            case "Pending" -> 0;
            case "Processing" -> 1;
            default -> 2;
          };
      if (r < rank || (r == 2 && rank == 2)) {
        return false;
      }
      rank = r;
    }
    return true;
  }
}
