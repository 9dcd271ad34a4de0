package io.albjobs.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.kube.ControlPlane;
import io.albjobs.operator.kube.SharedControlPlane;
import io.albjobs.operator.sim.AlbSimulator;
import io.albjobs.operator.sim.SimJob;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults on either side while the real operator mirrors a burst of jobs (150 on three load
 * balancers, one in five failing, plus three AsyncJobs created from a JobId) against the real
 * API server and the ALB simulator. Every case ends with the same check: exactly one AsyncJob per
 * ALB job, with ALB's final phase, error code and message, no job ever shown Succeeded that was
 * not — and convergence within two poll intervals after the fault stops.
 */
class FaultIT {
  private static final Duration POLL = Duration.ofSeconds(5);
  private static final Duration FAULT_WINDOW = Duration.ofSeconds(14);
  private static final Map<String, String> RESULTS = new LinkedHashMap<>();

  /** A fault: switched on at the start, {@code during} runs mid-window, cleared at the end. */
  record Fault(String name, BiConsumer<Ctx, Boolean> apply, String... flags) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** What a fault can touch. */
  record Ctx(AlbSimulator sim, ControlPlane cp, KubernetesClient admin, String ns, List<String> inFlightIds,
      List<String> finishedIds, AtomicBoolean stop) {}

  static Stream<Arguments> faults() {
    return Stream.of(
        fault("ALB throttles 30% of calls", (c, on) -> c.sim.faults().throttleRate(on ? 0.3 : 0)),
        fault("ALB answers 5xx on 10% of calls", (c, on) -> c.sim.faults().serverErrorRate(on ? 0.1 : 0)),
        fault("connections reset", (c, on) -> c.sim.faults().resetNext(on ? 25 : 0)),
        fault("2 s latency spikes", (c, on) -> c.sim.faults().latency(on ? Duration.ofSeconds(2) : Duration.ZERO)),
        fault("timeouts (3 s answers, 1 s read timeout)", (c, on) -> c.sim.faults().latency(on ? Duration.ofSeconds(3) : Duration.ZERO),
            "--alb-read-timeout=1s"),
        fault("truncated / malformed bodies", (c, on) -> c.sim.faults().malformedNext(on ? 25 : 0)),
        fault("a NextToken that repeats forever", (c, on) -> c.sim.faults().repeatNextToken(on)),
        fault("a page larger than MaxResults", (c, on) -> c.sim.faults().oversizePage(on)),
        fault("finished jobs disappear from the API", (c, on) -> {
          if (on) {
            Await.until(Duration.ofSeconds(30), "some finished jobs mirrored", () -> mirroredFinished(c) >= 5);
            c.finishedIds.subList(0, 5).forEach(c.sim::removeJob);
          }
        }),
        fault("an in-flight job disappears", (c, on) -> {
          if (on) {
            Await.until(Duration.ofSeconds(30), "the job mirrored", () -> c.admin.resources(AsyncJob.class)
                .inNamespace(c.ns).withName("vanish-1").get() != null);
            c.sim.removeJob("VANISH-1");
          }
        }),
        fault("kube-apiserver restarted mid-sync", (c, on) -> {
          if (on) {
            Await.until(Duration.ofSeconds(30), "mid-sync", () -> c.admin.resources(AsyncJob.class).inNamespace(c.ns)
                .list().getItems().size() > 20);
            c.cp.restartApiServer();
          }
        }),
        fault("write conflicts: a user edits every AsyncJob", (c, on) -> {
          if (on) {
            Thread editor = new Thread(() -> {
              int[] round = {0};
              while (!c.stop.get()) {
                round[0]++;
                for (AsyncJob j : c.admin.resources(AsyncJob.class).inNamespace(c.ns).list().getItems()) {
                  try {
                    c.admin.resources(AsyncJob.class).inNamespace(c.ns).withName(j.getMetadata().getName())
                        .edit(x -> {
                          x.getMetadata().getLabels().put("touched", "r" + (round[0] % 1000));
                          return x;
                        });
                  } catch (RuntimeException conflict) {
                    // Optimistic-lock conflicts on this side are expected and irrelevant.
                  }
                }
              }
            }, "conflicting-editor");
            editor.setDaemon(true);
            editor.start();
          }
        }));
  }

  private static Arguments fault(String name, BiConsumer<Ctx, Boolean> apply, String... flags) {
    return Arguments.of(new Fault(name, apply, flags));
  }

  private static long mirroredFinished(Ctx c) {
    return c.admin.resources(AsyncJob.class).inNamespace(c.ns).list().getItems().stream()
        .filter(j -> j.getStatus() != null && j.getStatus().isFinished()).count();
  }

  @AfterAll
  static void report() {
    System.out.println("Fault suite (poll interval " + POLL.toSeconds() + "s): convergence after the fault stopped");
    RESULTS.forEach((k, v) -> System.out.println("  " + k + ": " + v));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void stateConvergesToAlbsTruth(Fault fault) throws Exception {
    ControlPlane cp = SharedControlPlane.get();
    KubernetesClient admin = cp.admin();
    String ns = "fault-" + Integer.toHexString(fault.name().hashCode() & 0xfffffff);
    admin.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).serverSideApply();
    admin.resource(Fixtures.credentials(ns, "alb-creds", "LTAIfault", "fault-secret")).serverSideApply();
    Instant t0 = Instant.now();
    Map<String, SimJob> truth = new HashMap<>();
    List<String> inFlight = new ArrayList<>();
    List<String> finished = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    try (AlbSimulator sim = AlbSimulator.start(); PhaseRecorder recorder = new PhaseRecorder(admin, ns)) {
      sim.addAccount("acct", "LTAIfault", "fault-secret");
      for (int i = 0; i < 150; i++) {
        String id = String.format("F-%03d", i);
        boolean old = i < 60;
        Instant created = old ? t0.minusSeconds(600 - i) : t0.plusMillis(40L * (i - 60));
        Instant done = old ? created.plusSeconds(30) : t0.plusMillis(2000 + 80L * (i - 60));
        var b = SimJob.builder(id, "acct").region("cn-hangzhou").api(i % 2 == 0 ? "CreateRule" : "UpdateListenerAttribute", "Create")
            .resource("loadbalancer", "alb-f" + (i % 3)).createdAt(created);
        if (i % 17 == 5) {
          b.visibleAfter(Duration.ofSeconds(6));   // visible late, within the watermark overlap
        }
        SimJob job = i % 5 == 0 ? b.failsAt(done, "Err" + (i % 3), "failure " + id).build() : b.succeedsAt(done).build();
        sim.addJob(job);
        truth.put(id, job);
        (old ? finished : inFlight).add(id);
      }
      SimJob vanishing = SimJob.builder("VANISH-1", "acct").region("cn-hangzhou").api("CreateRule", "Create")
          .resource("loadbalancer", "alb-f0").createdAt(t0.minusSeconds(5)).succeedsAt(t0.plusSeconds(3600)).build();
      sim.addJob(vanishing);
      for (int u = 0; u < 3; u++) {
        String id = "USER-" + u;
        SimJob job = SimJob.builder(id, "acct").region("cn-hangzhou").api("AddServersToServerGroup", "Update")
            .resource("servergroup", "sgp-" + u).createdAt(t0).succeedsAt(t0.plusSeconds(3 + u)).build();
        sim.addJob(job);
        truth.put(id, job);
      }
      List<String> args = new ArrayList<>(List.of("--http-port=0", "--namespaces=" + ns,
          "--poll-interval=" + POLL.toSeconds() + "s", "--active-poll-interval=500ms", "--alb-qps=20", "--alb-burst=5"));
      args.addAll(AlbSimulator.OPERATOR_FLAGS);
      args.addAll(List.of(fault.flags()));
      OperatorConfig config = OperatorConfig.from(args, Map.of());
      Ctx ctx = new Ctx(sim, cp, admin, ns, inFlight, finished, stop);
      try (OperatorApp app = OperatorApp.start(config, cp.client(ControlPlane.ADMIN_TOKEN), OperatorApp.sdkClients(config),
          Clock.systemUTC(), false)) {
        admin.resource(Fixtures.watch(ns, "lbs", sim.endpoint(), "alb-creds", List.of("alb-f0", "alb-f1", "alb-f2"))).create();
        for (int u = 0; u < 3; u++) {
          admin.resource(Fixtures.userJob(ns, "user-" + u, "USER-" + u, sim.endpoint(), "alb-creds")).create();
        }
        // Faults that wait for a moment mid-sync run beside the timeline, not before it.
        Thread faulty = new Thread(() -> fault.apply().accept(ctx, true), "fault");
        faulty.start();
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), t0.plus(FAULT_WINDOW)).toMillis()));
        faulty.join(Duration.ofSeconds(60).toMillis());
        fault.apply().accept(ctx, false);
        stop.set(true);
        Instant cleared = Instant.now();
        Map<String, String> expected = new HashMap<>();
        truth.forEach((id, job) -> expected.put(id, job.finalStatus() + "/" + job.errorCode() + "/" + job.errorMessage()));
        expected.put("VANISH-1", "Processing/null/null");
        Await.until(Duration.ofSeconds(60), "AsyncJobs match ALB", () -> actual(admin, ns).equals(expected));
        Duration convergence = Duration.between(cleared, Instant.now());
        RESULTS.put(fault.name(), convergence.toMillis() + " ms, " + sim.callCount() + " ALB calls");
        assertEquals(expected, actual(admin, ns), "one AsyncJob per ALB job, with ALB's final phase");
        for (Map.Entry<String, Set<String>> e : recorder.phases().entrySet()) {
          String truthPhase = e.getKey().equals("VANISH-1") ? "Processing" : truth.get(e.getKey()).finalStatus();
          if (e.getValue().contains("Succeeded")) {
            assertEquals("Succeeded", truthPhase, e.getKey() + " was shown Succeeded but ALB says " + truthPhase);
          }
          if (e.getValue().contains("Failed")) {
            assertEquals("Failed", truthPhase, e.getKey() + " was shown Failed but ALB says " + truthPhase);
          }
        }
        assertTrue(convergence.compareTo(POLL.multipliedBy(2).plusSeconds(3)) <= 0,
            "converged " + convergence.toMillis() + " ms after the fault stopped; want two poll intervals");
      }
    } finally {
      stop.set(true);
      admin.namespaces().withName(ns).delete();
    }
  }

  /** JobId → "phase/errorCode/errorMessage" of every AsyncJob in the namespace (a duplicate fails). */
  private static Map<String, String> actual(KubernetesClient admin, String ns) {
    Map<String, String> out = new HashMap<>();
    for (AsyncJob j : admin.resources(AsyncJob.class).inNamespace(ns).list().getItems()) {
      String value = j.getStatus() == null ? "none" : j.getStatus().getPhase() + "/" + j.getStatus().getErrorCode()
          + "/" + j.getStatus().getErrorMessage();
      if (out.put(j.getSpec().getJobId(), value) != null) {
        out.put(j.getSpec().getJobId(), "DUPLICATE");
      }
    }
    return out;
  }
}
