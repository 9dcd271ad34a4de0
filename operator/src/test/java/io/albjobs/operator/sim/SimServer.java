package io.albjobs.operator.sim;

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
 * java -cp operator/target/alb-asyncjob-operator.jar:operator/target/test-classes \
 *   io.albjobs.operator.sim.SimServer [--port=N] [--scenario=FILE]
 * </pre>
 *
 * Without {@code --scenario} it serves the demo scenario ({@link Scenario#DEMO_RESOURCE}); relative
 * times count from the start. It prints {@code endpoint=http://127.0.0.1:<port>} once listening.
 */
public final class SimServer {
  private SimServer() {}

  public static void main(String[] args) throws Exception {
    int port = 0;
    String scenarioFile = null;
    for (String arg : args) {
      if (arg.startsWith("--port=")) {
        port = Integer.parseInt(arg.substring("--port=".length()));
      } else if (arg.startsWith("--scenario=")) {
        scenarioFile = arg.substring("--scenario=".length());
      } else {
        System.err.println("usage: SimServer [--port=N] [--scenario=FILE]");
        System.exit(2);
      }
    }
    Instant t0 = Instant.now();
    AlbSimulator sim = AlbSimulator.start(Clock.systemUTC(), port);
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
