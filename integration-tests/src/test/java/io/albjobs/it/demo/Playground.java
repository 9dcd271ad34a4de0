package io.albjobs.it.demo;

import io.albjobs.demo.Demo;
import io.albjobs.demo.DemoObjects;
import io.albjobs.it.kube.ControlPlane;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.Scenario;
import io.albjobs.simulator.SimJob;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./scripts/demo --cluster}: the demo's scenario on a real kube-apiserver and etcd (the test
 * control plane, from the cache scripts/provision-k8s.sh fills), the real operator and the ALB
 * simulator, left running for a person to try {@code kubectl} against. The simulator also serves
 * the resource IDs and the JobId of examples/, so {@code kubectl apply -f examples/} works. It
 * prints the {@code KUBECONFIG} line and runs until interrupted; Ctrl-C (SIGINT or SIGTERM) stops
 * the operator, the simulator, kube-apiserver and etcd.
 */
public final class Playground {
  /**
   * The keys of examples/credentials-secret.yaml (placeholders, accepted only by the simulator).
   */
  static final String EXAMPLE_KEY_ID = "LTAI-EXAMPLE-KEY-ID";

  static final String EXAMPLE_KEY_SECRET = "example-secret-replace-me";
  static final String EXAMPLE_JOB_ID = "365F4154-92F6-4AE4-92F8-7FF34B5C1D2E";

  private Playground() {}

  public static void main(String[] args) throws Exception {
    // Before the first logger: the console is for the instructions, warnings only.
    for (String level : List.of("LOG_LEVEL", "JOSDK_LOG_LEVEL")) {
      if (System.getProperty(level) == null) {
        System.setProperty(level, "WARN");
      }
    }
    PrintStream out = System.out;
    Instant t0 = Instant.now();
    out.println("Starting kube-apiserver and etcd (cached binaries)...");
    ControlPlane cp = ControlPlane.start();
    AlbSimulator alb = AlbSimulator.start();
    List<AutoCloseable> started = new ArrayList<>(List.of(cp, alb));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println(
                      "\nStopping the operator, the ALB simulator, kube-apiserver and etcd...");
                  for (int i = started.size() - 1; i >= 0; i--) {
                    try {
                      started.get(i).close();
                    } catch (Exception e) {
                      out.println(
                          "  could not stop "
                              + started.get(i).getClass().getSimpleName()
                              + ": "
                              + e.getMessage());
                    }
                  }
                  out.println("Stopped.");
                  stopped.countDown();
                },
                "playground-stop"));

    alb.loadScenario(Scenario.demo(), t0);
    alb.addJob(Demo.pipelineJob(t0));
    serveExamples(alb, t0);

    List<String> flags =
        new ArrayList<>(
            List.of(
                "--http-port=0", "--log-level=WARN", "--alb-default-endpoint=" + alb.endpoint()));
    // The simulator speaks plain HTTP on loopback: a test convenience the operator refuses by
    // default.
    flags.addAll(AlbSimulator.OPERATOR_FLAGS);
    flags.addAll(List.of(args));
    OperatorConfig config = OperatorConfig.from(flags, Map.of());
    OperatorApp app =
        OperatorApp.start(
            config,
            cp.client(ControlPlane.ADMIN_TOKEN),
            OperatorApp.sdkClients(config),
            Clock.systemUTC());
    started.add(app);
    DemoObjects.create(cp.admin(), alb.endpoint(), Demo.PIPELINE_JOB);

    Path kubectlDir = cp.binaries().kubectl().getParent();
    out.println();
    out.println(
        "Playground ready: Kubernetes "
            + cp.binaries().version()
            + " at "
            + cp.server()
            + ", ALB simulator at "
            + alb.endpoint()
            + ", operator metrics at http://127.0.0.1:"
            + app.httpPort()
            + "/metrics");
    out.println(
        "The demo's scenario runs in namespace demo (three load balancers, one job fails; a pipeline's");
    out.println(
        "AsyncJob; a watch with a wrong key). The simulator also serves the IDs and JobId of examples/.");
    out.println();
    out.println("In another terminal:");
    out.println("  export PATH=" + kubectlDir + ":$PATH");
    out.println("  export KUBECONFIG=" + cp.kubeconfig());
    out.println(
        "  kubectl get ajw,ajob -n demo                     # watch the jobs finish (add -w)");
    out.println("  kubectl explain asyncjobwatch.spec               # the API, field by field");
    out.println("  kubectl apply -f examples/                       # namespace team-a");
    out.println("  kubectl wait ajob/deploy-42 -n team-a --for=condition=Complete --timeout=5m");
    out.println(
        "  kubectl annotate ajw/demo-lbs -n demo albjobs.io/poll-now=\"$(date +%s)\" --overwrite");
    out.println(
        "  kubectl describe ajw/wrong-key -n demo           # a Stalled watch and its Event");
    out.println();
    out.println("Ctrl-C stops everything this started.");
    out.flush();
    stopped.await();
  }

  /**
   * Jobs for the IDs in examples/: one finished, one in flight for a few minutes, the pipeline's.
   */
  private static void serveExamples(AlbSimulator alb, Instant t0) {
    alb.addAccount("examples", EXAMPLE_KEY_ID, EXAMPLE_KEY_SECRET);
    alb.addJob(
        SimJob.builder("0E7C2D1A-EXAMPLE-DONE", "examples")
            .api("CreateListener", "Create")
            .resource("loadbalancer", "alb-o8mszt95oamfjy1234")
            .createdAt(t0.minusSeconds(600))
            .succeedsAt(t0.minusSeconds(560))
            .build());
    alb.addJob(
        SimJob.builder("0E7C2D1A-EXAMPLE-LONG", "examples")
            .api("CreateRules", "Create")
            .resource("loadbalancer", "alb-3kd9s0f7k2l1mz5678")
            .createdAt(t0)
            .succeedsAt(t0.plusSeconds(300))
            .build());
    alb.addJob(
        SimJob.builder("0E7C2D1A-EXAMPLE-FAIL", "examples")
            .api("DeleteRules", "Delete")
            .resource("listener", "lsn-4f8s2k9d1m3n5b7v0c")
            .createdAt(t0.minusSeconds(30))
            .failsAt(
                t0.plusSeconds(20),
                "IncorrectStatus.Rule",
                "The rule is being changed by another request.")
            .build());
    alb.addJob(
        SimJob.builder(EXAMPLE_JOB_ID, "examples")
            .api("UpdateListenerAttribute", "Update")
            .resource("listener", "lsn-4f8s2k9d1m3n5b7v0c")
            .createdAt(t0.plusSeconds(5))
            .succeedsAt(t0.plusSeconds(90))
            .build());
  }
}
