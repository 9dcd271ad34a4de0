package io.albjobs.operator.reliability;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.kube.ControlPlane;
import io.albjobs.operator.sim.SimJob;
import io.albjobs.operator.sync.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the operator jar with DEBUG logging and known credentials — from a Secret (with an STS
 * token), from the environment, and a wrong one — and searches everything it produced for them:
 * its whole output, Events, every status, the metrics. None may appear.
 */
class SecretLeakIT {
  private static final String SECRET = "Sup3rSecretValue-9f8e7d";
  private static final String TOKEN = "StsToken-CAIS1234567890abcdef";
  private static final String ENV_SECRET = "EnvSecretValue-1a2b3c";
  private static final String WRONG = "WrongSecretValue-77aa";
  private final ReliabilityEnv env = new ReliabilityEnv("secret-leak-it");
  private Process operator;

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.destroyForcibly();
    }
    env.close();
  }

  @Test
  void credentialsAppearNowhere() throws Exception {
    Instant t0 = Instant.now();
    env.sim.addStsAccount("sts", "STS.leaktest", SECRET, TOKEN);
    env.sim.addAccount("envacct", "LTAIfromenv", ENV_SECRET);
    for (String acct : List.of("sts", "envacct")) {
      env.sim.addJob(SimJob.builder(acct + "-JOB", acct).region("cn-hangzhou").api("CreateRule", "Create")
          .resource("loadbalancer", "alb-" + acct).createdAt(t0.minusSeconds(20)).failsAt(t0.minusSeconds(10), "Err", "boom").build());
    }
    env.admin.resource(new SecretBuilder().withNewMetadata().withName("sts-creds").withNamespace(env.ns).endMetadata()
        .withStringData(Map.of("accessKeyId", "STS.leaktest", "accessKeySecret", SECRET, "securityToken", TOKEN)).build()).create();
    env.admin.resource(Fixtures.credentials(env.ns, "wrong-creds", "STS.leaktest", WRONG)).create();
    env.admin.resource(Fixtures.watch(env.ns, "sts", env.sim.endpoint(), "sts-creds", List.of("alb-sts"))).create();
    env.admin.resource(Fixtures.watch(env.ns, "from-env", env.sim.endpoint(), null, List.of("alb-envacct"))).create();
    env.admin.resource(Fixtures.watch(env.ns, "wrong", env.sim.endpoint(), "wrong-creds", List.of("alb-sts"))).create();
    env.admin.resource(Fixtures.userJob(env.ns, "pipeline", "sts-JOB", env.sim.endpoint(), "sts-creds")).create();

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path kubeconfig = env.cp.writeKubeconfig("admin", ControlPlane.ADMIN_TOKEN, env.cp.dir().resolve("leak.kubeconfig"));
    Path log = env.cp.dir().resolve("secret-leak-operator.log");
    ProcessBuilder pb = new ProcessBuilder("java", "-jar", System.getProperty("albjobs.jar", "target/alb-asyncjob-operator.jar"),
        "--namespaces=" + env.ns, "--http-port=" + port, "--poll-interval=2s", "--active-poll-interval=500ms")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("LOG_LEVEL", "DEBUG");
    pb.environment().put("JOSDK_LOG_LEVEL", "DEBUG");
    pb.environment().put("ROOT_LOG_LEVEL", "DEBUG");
    pb.environment().put("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIfromenv");
    pb.environment().put("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ENV_SECRET);
    operator = pb.start();

    Await.until(Duration.ofSeconds(60), "both good watches mirrored, the wrong one stalled", () -> {
      AsyncJob viaSecret = env.admin.resources(AsyncJob.class).inNamespace(env.ns).withName("pipeline").get();
      AsyncJobWatch wrong = env.watch("wrong");
      return env.jobs().stream().filter(j -> j.getStatus() != null && j.getStatus().isFinished()).count() >= 3
          && viaSecret != null && viaSecret.getStatus() != null && viaSecret.getStatus().isFinished()
          && wrong.getStatus() != null && Conditions.isTrue(wrong.getStatus().getConditions(), Conditions.STALLED);
    });
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    operator.destroy();
    operator.waitFor();
    String output = Files.readString(log);
    String objects = Serialization.asYaml(env.admin.resources(AsyncJob.class).inNamespace(env.ns).list())
        + Serialization.asYaml(env.admin.resources(AsyncJobWatch.class).inNamespace(env.ns).list());
    String events = Serialization.asYaml(env.admin.v1().events().inNamespace(env.ns).list());
    assertTrue(output.contains("DEBUG"), "the operator really logged at DEBUG");
    assertTrue(metrics.contains("albjobs_alb_calls_total"), "the metrics were scraped");
    assertTrue(events.contains("InvalidCredentials"), "the Events were written");
    for (String secret : List.of(SECRET, TOKEN, ENV_SECRET, WRONG)) {
      assertFalse(output.contains(secret), "a credential is in the operator's output");
      assertFalse(objects.contains(secret), "a credential is in a status");
      assertFalse(events.contains(secret), "a credential is in an Event");
      assertFalse(metrics.contains(secret), "a credential is in the metrics");
    }
    System.out.printf("Secret scan: %d bytes of DEBUG output, %d of statuses, %d of Events, %d of metrics: no credential%n",
        output.length(), objects.length(), events.length(), metrics.length());
  }
}
