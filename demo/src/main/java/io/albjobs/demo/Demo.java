package io.albjobs.demo;

import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.EmbeddedKubernetes;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.Scenario;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one-command demo: the real operator, with the real aliyun SDK client, against the in-process
 * ALB simulator (signatures verified) and an embedded Kubernetes API. A scripted scenario runs
 * three load balancers' jobs to the end (one fails), a pipeline waits on a JobId it holds, and a
 * watch with a wrong secret shows what bad credentials look like. Exits 0 when every job reached
 * the phase the simulator gave it.
 */
public final class Demo {
  static final String NS = "demo";
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  public static final String PIPELINE_JOB = "0C3E1A57-7F4B-4C1D-9B8E-5D2A6F40B7E1";

  private final PrintStream out;

  Demo(PrintStream out) {
    this.out = out;
  }

  /** {@code ./scripts/demo [--flag=value ...]}: the flags go to the operator. */
  public static void main(String[] argv) throws Exception {
    // logback reads these when the first logger is created.
    System.setProperty("LOG_LEVEL", "WARN");
    System.setProperty("JOSDK_LOG_LEVEL", "WARN");
    System.exit(run(List.of(argv)));
  }

  public static int run(List<String> args) throws Exception {
    List<String> flags = new ArrayList<>(List.of("--http-port=0", "--log-level=WARN"));
    flags.addAll(AlbSimulator.OPERATOR_FLAGS);
    flags.addAll(args);
    OperatorConfig config = OperatorConfig.from(flags, Map.of());
    return new Demo(System.out).play(config);
  }

  /** The job the scenario's "pipeline" waits on; the cluster playground serves it too. */
  public static SimJob pipelineJob(Instant t0) {
    return SimJob.builder(PIPELINE_JOB, "demo")
        .region("cn-hangzhou")
        .api("AddServersToServerGroup", "Update")
        .resource("servergroup", "sgp-demo-pipeline")
        .createdAt(t0.plusSeconds(2))
        .visibleAfter(Duration.ofSeconds(2))
        .succeedsAt(t0.plusSeconds(16))
        .build();
  }

  int play(OperatorConfig config) throws Exception {
    Instant t0 = Instant.now();
    try (AlbSimulator alb = AlbSimulator.start();
        EmbeddedKubernetes k8s = new EmbeddedKubernetes()) {
      Scenario scenario = Scenario.demo();
      alb.loadScenario(scenario, t0);
      SimJob pipeline = pipelineJob(t0);
      alb.addJob(pipeline);
      List<SimJob> expected = new ArrayList<>(scenario.jobs(t0));
      expected.add(pipeline);
      KubernetesClient client = k8s.client();
      out.println("ALB simulator on " + alb.endpoint() + " (signature v1 checked on every call)");
      out.println("Embedded Kubernetes API on " + client.getMasterUrl());
      try (OperatorApp app =
          OperatorApp.start(config, client, OperatorApp.sdkClients(config), Clock.systemUTC())) {
        out.println("Operator started; metrics on http://127.0.0.1:" + app.httpPort() + "/metrics");
        DemoObjects.create(client, alb.endpoint(), PIPELINE_JOB);
        out.println(
            "Created: Secret demo/alb-credentials, AsyncJobWatch demo/demo-lbs (3 load balancers),");
        out.println("         AsyncJob demo/pipeline-deploy (JobId " + PIPELINE_JOB + "),");
        out.println(
            "         AsyncJobWatch demo/wrong-key (a Secret with a wrong accessKeySecret)\n");
        boolean done = follow(client, expected.size(), t0);
        List<String> mismatches = DemoReport.mismatches(client, expected);
        out.println(DemoReport.summary(client, alb, app, Duration.between(t0, Instant.now())));
        mismatches.forEach(m -> out.println("MISMATCH: " + m));
        return done && mismatches.isEmpty() ? 0 : 1;
      }
    }
  }

  /**
   * Prints the AsyncJob table whenever it changes, until every job is finished or time runs out.
   */
  private boolean follow(KubernetesClient client, int expected, Instant t0)
      throws InterruptedException {
    String last = "";
    Instant deadline = t0.plus(TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      List<AsyncJob> jobs = client.resources(AsyncJob.class).inNamespace(NS).list().getItems();
      String table = DemoReport.table(jobs);
      if (!table.equals(last)) {
        out.printf(
            "[+%2ds] kubectl get asyncjobs -n demo%n%s%n",
            Duration.between(t0, Instant.now()).toSeconds(), table);
        last = table;
      }
      boolean allFinished =
          jobs.size() >= expected
              && jobs.stream().allMatch(j -> j.getStatus() != null && j.getStatus().isFinished());
      AsyncJobWatch wrong =
          client.resources(AsyncJobWatch.class).inNamespace(NS).withName("wrong-key").get();
      boolean wrongStalled =
          wrong != null
              && wrong.getStatus() != null
              && Conditions.isTrue(wrong.getStatus().getConditions(), Conditions.STALLED);
      if (allFinished && wrongStalled) {
        return true;
      }
      Thread.sleep(250);
    }
    out.println("Timed out after " + TIMEOUT.toSeconds() + "s with jobs still in flight.");
    return false;
  }
}
