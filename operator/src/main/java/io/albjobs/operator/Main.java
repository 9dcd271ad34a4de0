package io.albjobs.operator;

import io.albjobs.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point. {@code java -jar alb-asyncjob-operator.jar [--flag=value ...]} runs the operator
 * against the current kubeconfig (or in-cluster config). The demo (the operator against the ALB
 * simulator) lives in the {@code demo} module: {@code ./scripts/demo}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] argv) throws Exception {
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    if (args.contains("--help") || args.contains("-h")) {
      System.out.print(OperatorConfig.help());
      return;
    }
    OperatorConfig config;
    try {
      config = OperatorConfig.from(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("alb-asyncjob-operator: " + e.getMessage());
      System.exit(2);
      return;
    }
    // logback reads these when the first logger is created, which happens below.
    System.setProperty("LOG_FORMAT", config.logFormat());
    System.setProperty("LOG_LEVEL", config.get(OperatorConfig.Setting.LOG_LEVEL));
    KubernetesClient client = new KubernetesClientBuilder().build();
    OperatorApp app =
        OperatorApp.start(config, client, OperatorApp.sdkClients(config), Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  client.close();
                  stopped.countDown();
                },
                "shutdown"));
    stopped.await();
  }
}
