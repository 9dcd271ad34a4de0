package io.albjobs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.PhaseRecorder;
import io.albjobs.it.kube.ControlPlane;
import io.albjobs.it.kube.SharedControlPlane;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.Faults.Kind;
import io.albjobs.simulator.RecordedCall;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults on either side while the real operator mirrors a burst of jobs (90 new ones beside 110
 * finished ones on three load balancers, one in five failing, plus three AsyncJobs created from a
 * JobId) against the real API server and the ALB simulator. Every case ends with the same check:
 * exactly one AsyncJob per ALB job, with ALB's final phase, error code and message, no job ever
 * shown Succeeded that was not — and convergence within two poll intervals after the fault stops,
 * counted in listings rather than seconds, so a slow machine does not fail it and an operator that
 * needs more polls does.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FaultIT {
  private static final Duration POLL = Duration.ofSeconds(5);
  private static final Duration ACTIVE = Duration.ofMillis(500);

  /**
   * Jobs already finished before the burst: more than one page (MaxResults 100), so the first
   * listing always meets a page-size fault, however late the operator's first poll comes.
   */
  private static final int OLD = 110;

  /**
   * How long a fault may take to hit the operator while ALB's jobs finish (a deadline, not a
   * window).
   */
  private static final Duration FAULT_DEADLINE = Duration.ofSeconds(90);

  private static final Map<String, String> RESULTS = new LinkedHashMap<>();

  /**
   * A fault: switched on at the start (or, for one that waits for a moment mid-sync, when that
   * moment comes), cleared at the end; {@code hits} counts how often it really hit the operator
   * (the simulator's fault counters, or the fault's own count), so a fault that never happened
   * fails the case instead of passing it.
   */
  record Fault(
      String name, BiConsumer<Ctx, Boolean> apply, ToLongFunction<Ctx> hits, String... flags) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** What a fault can touch. */
  record Ctx(
      AlbSimulator sim,
      ControlPlane cp,
      KubernetesClient admin,
      String ns,
      List<String> inFlightIds,
      List<String> finishedIds,
      AtomicBoolean stop,
      AtomicLong done) {
    long doneCount() {
      return done.get();
    }
  }

  static Stream<Arguments> faults() {
    return Stream.of(
        fault(
            "ALB throttles 30% of calls",
            (c, on) -> c.sim.faults().throttleRate(on ? 0.3 : 0), sim(Kind.THROTTLE)),
        fault(
            "ALB answers 5xx on 10% of calls",
            (c, on) -> c.sim.faults().serverErrorRate(on ? 0.1 : 0), sim(Kind.SERVER_ERROR)),
        fault(
            "connections reset", (c, on) -> c.sim.faults().resetNext(on ? 25 : 0), sim(Kind.RESET)),
        fault(
            "2 s latency spikes",
            (c, on) -> c.sim.faults().latency(on ? Duration.ofSeconds(2) : Duration.ZERO),
            sim(Kind.LATENCY)),
        fault(
            "timeouts (3 s answers, 1 s read timeout)",
            (c, on) -> c.sim.faults().latency(on ? Duration.ofSeconds(3) : Duration.ZERO),
            sim(Kind.LATENCY),
            "--alb-read-timeout=1s"),
        fault(
            "truncated / malformed bodies",
            (c, on) -> c.sim.faults().malformedNext(on ? 25 : 0),
            sim(Kind.MALFORMED)),
        fault(
            "a NextToken that repeats forever",
            (c, on) -> c.sim.faults().repeatNextToken(on),
            sim(Kind.REPEATED_TOKEN)),
        fault(
            "a page larger than MaxResults",
            (c, on) -> c.sim.faults().oversizePage(on),
            sim(Kind.OVERSIZE_PAGE)),
        fault(
            "finished jobs disappear from the API",
            (c, on) -> {
              if (on) {
                Await.until(
                    Duration.ofSeconds(30),
                    "some finished jobs mirrored",
                    () -> mirroredFinished(c) >= 5);
                c.finishedIds.subList(0, 5).forEach(c.sim::removeJob);
                c.done.addAndGet(5);
              }
            },
            Ctx::doneCount),
        fault(
            "an in-flight job disappears",
            (c, on) -> {
              if (on) {
                Await.until(
                    Duration.ofSeconds(30),
                    "the job mirrored",
                    () ->
                        c.admin
                                .resources(AsyncJob.class)
                                .inNamespace(c.ns)
                                .withName("vanish-1")
                                .get()
                            != null);
                c.sim.removeJob("VANISH-1");
                c.done.incrementAndGet();
              }
            },
            Ctx::doneCount),
        fault(
            "kube-apiserver restarted mid-sync",
            (c, on) -> {
              if (on) {
                Await.until(
                    Duration.ofSeconds(30),
                    "mid-sync",
                    () ->
                        c.admin.resources(AsyncJob.class).inNamespace(c.ns).list().getItems().size()
                            > 20);
                c.cp.restartApiServer();
                c.done.incrementAndGet();
              }
            },
            Ctx::doneCount),
        fault(
            "write conflicts: a user edits every AsyncJob",
            (c, on) -> {
              if (on) {
                Thread editor =
                    new Thread(
                        () -> {
                          int[] round = {0};
                          while (!c.stop.get()) {
                            round[0]++;
                            for (AsyncJob j :
                                c.admin
                                    .resources(AsyncJob.class)
                                    .inNamespace(c.ns)
                                    .list()
                                    .getItems()) {
                              try {
                                c.admin
                                    .resources(AsyncJob.class)
                                    .inNamespace(c.ns)
                                    .withName(j.getMetadata().getName())
                                    .edit(
                                        x -> {
                                          x.getMetadata()
                                              .getLabels()
                                              .put("touched", "r" + (round[0] % 1000));
                                          return x;
                                        });
                                c.done.incrementAndGet();
                              } catch (RuntimeException conflict) {
                                // Optimistic-lock conflicts on this side are expected and
                                // irrelevant.
                              }
                            }
                          }
                        },
                        "conflicting-editor");
                editor.setDaemon(true);
                editor.start();
              }
            },
            Ctx::doneCount));
  }

  private static Arguments fault(
      String name, BiConsumer<Ctx, Boolean> apply, ToLongFunction<Ctx> hits, String... flags) {
    return Arguments.of(new Fault(name, apply, hits, flags));
  }

  /** Calls of the operator the simulator hit with this fault. */
  private static ToLongFunction<Ctx> sim(Kind kind) {
    return c -> c.sim.faults().injected(kind);
  }

  /** The first page of a listing of the watch (not a page of one under way, not a JobIds batch). */
  private static boolean startsAListing(RecordedCall c) {
    return !c.params().containsKey("NextToken")
        && c.params().keySet().stream().noneMatch(k -> k.startsWith("JobIds."));
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static long mirroredFinished(Ctx c) {
    return c.admin.resources(AsyncJob.class).inNamespace(c.ns).list().getItems().stream()
        .filter(j -> j.getStatus() != null && j.getStatus().isFinished())
        .count();
  }

  @AfterAll
  static void report() {
    System.out.println(
        "Fault suite (poll interval "
            + POLL.toSeconds()
            + "s): convergence after the fault stopped");
    RESULTS.forEach((k, v) -> System.out.println("  " + k + ": " + v));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void stateConvergesToAlbsTruth(Fault fault) throws Exception {
    ControlPlane cp = SharedControlPlane.get();
    KubernetesClient admin = cp.admin();
    String ns = "fault-" + Integer.toHexString(fault.name().hashCode() & 0xfffffff);
    admin
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .serverSideApply();
    admin
        .resource(Fixtures.credentials(ns, "alb-creds", "LTAIfault", "fault-secret"))
        .serverSideApply();
    Instant t0 = Instant.now();
    Map<String, SimJob> truth = new HashMap<>();
    Instant allFinal = t0;
    List<String> inFlight = new ArrayList<>();
    List<String> finished = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    try (AlbSimulator sim = AlbSimulator.start();
        PhaseRecorder recorder = new PhaseRecorder(admin, ns)) {
      sim.addAccount("acct", "LTAIfault", "fault-secret");
      for (int i = 0; i < OLD + 90; i++) {
        String id = String.format("F-%03d", i);
        boolean old = i < OLD;
        Instant created = old ? t0.minusSeconds(600 - i) : t0.plusMillis(40L * (i - OLD));
        Instant done = old ? created.plusSeconds(30) : t0.plusMillis(2000 + 80L * (i - OLD));
        var b =
            SimJob.builder(id, "acct")
                .region("cn-hangzhou")
                .api(i % 2 == 0 ? "CreateRule" : "UpdateListenerAttribute", "Create")
                .resource("loadbalancer", "alb-f" + (i % 3))
                .createdAt(created);
        if (i % 17 == 5) {
          b.visibleAfter(Duration.ofSeconds(6)); // visible late, within the watermark overlap
        }
        SimJob job =
            i % 5 == 0
                ? b.failsAt(done, "Err" + (i % 3), "failure " + id).build()
                : b.succeedsAt(done).build();
        Instant visibleFinal = i % 17 == 5 ? later(done, created.plusSeconds(6)) : done;
        allFinal = later(allFinal, visibleFinal);
        sim.addJob(job);
        truth.put(id, job);
        (old ? finished : inFlight).add(id);
      }
      SimJob vanishing =
          SimJob.builder("VANISH-1", "acct")
              .region("cn-hangzhou")
              .api("CreateRule", "Create")
              .resource("loadbalancer", "alb-f0")
              .createdAt(t0.minusSeconds(5))
              .succeedsAt(t0.plusSeconds(3600))
              .build();
      sim.addJob(vanishing);
      for (int u = 0; u < 3; u++) {
        String id = "USER-" + u;
        SimJob job =
            SimJob.builder(id, "acct")
                .region("cn-hangzhou")
                .api("AddServersToServerGroup", "Update")
                .resource("servergroup", "sgp-" + u)
                .createdAt(t0)
                .succeedsAt(t0.plusSeconds(3 + u))
                .build();
        sim.addJob(job);
        truth.put(id, job);
        allFinal = later(allFinal, t0.plusSeconds(3 + u));
      }
      Instant albSettled = allFinal;
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--http-port=0",
                  "--namespaces=" + ns,
                  "--poll-interval=" + POLL.toSeconds() + "s",
                  "--active-poll-interval=" + ACTIVE.toMillis() + "ms",
                  "--alb-qps=20",
                  "--alb-burst=5"));
      args.addAll(AlbSimulator.OPERATOR_FLAGS);
      args.addAll(List.of(fault.flags()));
      OperatorConfig config = OperatorConfig.from(args, Map.of());
      Ctx ctx = new Ctx(sim, cp, admin, ns, inFlight, finished, stop, new AtomicLong());
      try (OperatorApp app =
          OperatorApp.start(
              config,
              cp.client(ControlPlane.ADMIN_TOKEN),
              OperatorApp.sdkClients(config),
              Clock.systemUTC(),
              false)) {
        // The fault is on before the first poll; one that waits for a moment mid-sync waits
        // beside the timeline. Whatever it throws fails the case.
        AtomicReference<Throwable> faultError = new AtomicReference<>();
        Thread faulty =
            new Thread(
                () -> {
                  try {
                    fault.apply().accept(ctx, true);
                  } catch (Throwable t) {
                    faultError.set(t);
                  }
                },
                "fault");
        faulty.start();
        admin
            .resource(
                Fixtures.watch(
                    ns, "lbs", sim.endpoint(), "alb-creds", List.of("alb-f0", "alb-f1", "alb-f2")))
            .create();
        for (int u = 0; u < 3; u++) {
          admin
              .resource(Fixtures.userJob(ns, "user-" + u, "USER-" + u, sim.endpoint(), "alb-creds"))
              .create();
        }
        // The fault stays on until it has hit the operator and every ALB job has reached its
        // final state (so each transition happened under the fault), however slow this machine is.
        Await.until(
            FAULT_DEADLINE,
            "'" + fault.name() + "' to hit the operator while every ALB job finishes",
            () ->
                faultError.get() != null
                    || (!faulty.isAlive()
                        && fault.hits().applyAsLong(ctx) > 0
                        && !Instant.now().isBefore(albSettled)));
        faulty.join(Duration.ofSeconds(60).toMillis());
        if (faultError.get() != null) {
          throw new AssertionError("injecting '" + fault.name() + "' failed", faultError.get());
        }
        assertFalse(faulty.isAlive(), "the fault thread did not finish");
        long hits = fault.hits().applyAsLong(ctx);
        assertTrue(hits > 0, "'" + fault.name() + "' never hit the operator");
        fault.apply().accept(ctx, false);
        stop.set(true);
        Instant cleared = Instant.now();
        long callsBefore = sim.callCount();
        Map<String, String> expected = new HashMap<>();
        truth.forEach(
            (id, job) ->
                expected.put(
                    id, job.finalStatus() + "/" + job.errorCode() + "/" + job.errorMessage()));
        expected.put("VANISH-1", "Processing/null/null");
        // The listings are counted up to the start of the look that found the AsyncJobs right:
        // the operator keeps listing (VANISH-1 stays in flight) while this test looks.
        Instant[] looked = {cleared};
        Await.until(
            Duration.ofSeconds(60),
            "AsyncJobs match ALB",
            () -> {
              looked[0] = Instant.now();
              return actual(admin, ns).equals(expected);
            });
        Duration convergence = Duration.between(cleared, looked[0]);
        List<RecordedCall> after =
            sim.calls()
                .subList(
                    (int) Math.max(0, sim.calls().size() - (sim.callCount() - callsBefore)),
                    sim.calls().size());
        // Counted by the client's signing Timestamp, not by when the simulator got to them: a call
        // sent during an injected latency is answered (and logged) after the fault was cleared.
        Instant sentFrom = cleared.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        long listings =
            after.stream()
                .filter(FaultIT::startsAListing)
                .filter(c -> !Instant.parse(c.params().get("Timestamp")).isBefore(sentFrom))
                // Up to the look by when the simulator answered (Timestamp has whole seconds).
                .filter(c -> !c.at().isAfter(looked[0]))
                .count();
        RESULTS.put(
            fault.name(),
            convergence.toMillis()
                + " ms and "
                + listings
                + " listing(s), "
                + sim.callCount()
                + " ALB calls, fault hit "
                + hits
                + "x");
        assertEquals(
            expected, actual(admin, ns), "one AsyncJob per ALB job, with ALB's final phase");
        for (Map.Entry<String, Set<String>> e : recorder.phases().entrySet()) {
          String truthPhase =
              e.getKey().equals("VANISH-1") ? "Processing" : truth.get(e.getKey()).finalStatus();
          if (e.getValue().contains("Succeeded")) {
            assertEquals(
                "Succeeded",
                truthPhase,
                e.getKey() + " was shown Succeeded but ALB says " + truthPhase);
          }
          if (e.getValue().contains("Failed")) {
            assertEquals(
                "Failed", truthPhase, e.getKey() + " was shown Failed but ALB says " + truthPhase);
          }
        }
        // Within two poll intervals, counted in polls: at most as many listings as two intervals
        // hold at the active interval (plus the one under way when the fault stopped). The watch
        // lists on its grid whatever the load, so these are two intervals of time too; the time
        // this test takes to look is not counted (above). An operator that needs more polls to
        // converge fails it.
        long allowed = POLL.multipliedBy(2).dividedBy(ACTIVE) + 1;
        assertTrue(
            listings <= allowed,
            "converged after "
                + listings
                + " listings ("
                + convergence.toMillis()
                + " ms) once the fault stopped; two poll intervals hold "
                + allowed
                + ": "
                + after);
      }
    } finally {
      stop.set(true);
      admin.namespaces().withName(ns).delete();
    }
  }

  /**
   * JobId → "phase/errorCode/errorMessage" of every AsyncJob in the namespace (a duplicate fails).
   */
  private static Map<String, String> actual(KubernetesClient admin, String ns) {
    Map<String, String> out = new HashMap<>();
    for (AsyncJob j : admin.resources(AsyncJob.class).inNamespace(ns).list().getItems()) {
      String value =
          j.getStatus() == null
              ? "none"
              : j.getStatus().getPhase()
                  + "/"
                  + j.getStatus().getErrorCode()
                  + "/"
                  + j.getStatus().getErrorMessage();
      if (out.put(j.getSpec().getJobId(), value) != null) {
        out.put(j.getSpec().getJobId(), "DUPLICATE");
      }
    }
    return out;
  }
}
