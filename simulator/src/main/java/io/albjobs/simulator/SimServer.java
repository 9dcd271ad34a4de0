package io.albjobs.simulator;

import java.io.FileInputStream;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * The ALB simulator as a process of its own, for the scripts that run the operator's image
 * (scripts/container-e2e, scripts/cluster-e2e): it serves a scenario on a loopback port until
 * SIGTERM.
 *
 * <pre>
 * java -cp operator/target/alb-asyncjob-operator.jar:simulator/target/classes \
 *   io.albjobs.simulator.SimServer [--port=N] [--scenario=FILE]
 * </pre>
 *
 * Without {@code --scenario} it serves the demo scenario ({@link Scenario#DEMO_RESOURCE}); relative
 * times count from the start. It prints {@code endpoint=http://127.0.0.1:<port>} once listening.
 *
 * <p>RRSA: {@code --tls-dir=DIR [--tls-ip=IP]} serves HTTPS with a certificate of a test CA made in
 * DIR ({@code DIR/trust.p12}, password {@value io.albjobs.simulator.TestCa#PASSWORD}, is what
 * clients trust); {@code --sts-subject=SUB} also serves STS's {@code AssumeRoleWithOIDC} for the
 * role {@code --sts-role} of the scenario account {@code --sts-account} through {@code
 * --sts-oidc-provider}, to tokens whose {@code sub} is SUB, granting keys for {@code
 * --sts-key-life} seconds. Each grant is printed as {@code sts-grant key=<id> expires=<time>} (no
 * secret).
 */
public final class SimServer {
  private SimServer() {}

  public static void main(String[] args) throws Exception {
    int port = 0;
    String scenarioFile = null;
    java.util.Map<String, String> opts = new java.util.HashMap<>();
    for (String arg : args) {
      if (arg.startsWith("--tls-") || arg.startsWith("--sts-")) {
        int eq = arg.indexOf('=');
        opts.put(arg.substring(2, eq < 0 ? arg.length() : eq), eq < 0 ? "" : arg.substring(eq + 1));
      } else if (arg.startsWith("--port=")) {
        port = Integer.parseInt(arg.substring("--port=".length()));
      } else if (arg.startsWith("--scenario=")) {
        scenarioFile = arg.substring("--scenario=".length());
      } else {
        System.err.println(
            "usage: SimServer [--port=N] [--scenario=FILE] [--tls-dir=DIR [--tls-ip=IP]]"
                + " [--sts-subject=SUB --sts-role=ARN --sts-oidc-provider=ARN --sts-account=ID --sts-key-life=S]");
        System.exit(2);
      }
    }
    Instant t0 = Instant.now();
    AlbSimulator sim;
    if (opts.containsKey("tls-dir")) {
      io.albjobs.simulator.TestCa ca =
          io.albjobs.simulator.TestCa.create(
              java.nio.file.Path.of(opts.get("tls-dir")),
              opts.containsKey("tls-ip")
                  ? java.util.List.of(opts.get("tls-ip"))
                  : java.util.List.of());
      sim = AlbSimulator.startHttps(ca.serverContext(), port);
    } else {
      sim = AlbSimulator.start(Clock.systemUTC(), port);
    }
    if (opts.containsKey("sts-subject")) {
      sim.serveStsForSubject(
          opts.getOrDefault("sts-account", "demo"),
          opts.get("sts-role"),
          opts.get("sts-oidc-provider"),
          opts.get("sts-subject"),
          java.time.Duration.ofSeconds(Long.parseLong(opts.getOrDefault("sts-key-life", "900"))));
      Thread printer =
          new Thread(
              () -> {
                int printed = 0;
                while (true) {
                  java.util.List<StsGrant> grants = sim.stsGrants();
                  for (; printed < grants.size(); printed++) {
                    System.out.println(
                        "sts-grant key="
                            + grants.get(printed).accessKeyId()
                            + " expires="
                            + grants.get(printed).expiration());
                    System.out.flush();
                  }
                  try {
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "sts-grants");
      printer.setDaemon(true);
      printer.start();
    }
    if (scenarioFile == null) {
      sim.loadScenario(Scenario.demo(), t0);
    } else {
      try (InputStream in = new FileInputStream(scenarioFile)) {
        sim.loadScenario(in, t0);
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  sim.close();
                  stopped.countDown();
                },
                "sim-shutdown"));
    System.out.println("endpoint=" + sim.endpoint());
    System.out.flush();
    stopped.await();
  }
}
