package io.albjobs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.albjobs.it.IntegrationEnv;
import io.albjobs.it.kube.ControlPlane;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the operator jar with DEBUG logging, in each log format, and known credentials — from a
 * Secret (with an STS token), from the environment (the operator's own chain), a wrong one, and an
 * STS key with its token but a wrong secret, which ALB answers with {@code SignatureDoesNotMatch}
 * and an echo of the string it signed, {@code SecurityToken} included — and searches everything the
 * operator produced for them: its whole output (and, in JSON, every decoded value), Events, every
 * status, the metrics. None may appear, nor the echoed string to sign.
 */
@Timeout(300)
class SecretLeakIT {
  private static final String SECRET = "Sup3rSecretValue-9f8e7d";

  /** Shaped like a real STS token: '+', '/' and '=' change under percent-encoding. */
  private static final String TOKEN = "CAIS+StsTokenLeak1234567890/abcdef==";

  private static final String TOKEN_CORE = "StsTokenLeak1234567890";
  private static final String ENV_SECRET = "EnvSecretValue-1a2b3c";
  private static final String WRONG = "WrongSecretValue-77aa";
  private static final Pattern SIGNATURE_VALUE =
      Pattern.compile("(?i)\\bSignature(=|%3D|%253D)(?!\\*\\*\\*)[A-Za-z0-9%+/]");
  private IntegrationEnv env;
  private Process operator;

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.destroyForcibly();
    }
    if (env != null) {
      env.close();
    }
  }

  @ParameterizedTest(name = "log format {0}")
  @ValueSource(strings = {"text", "json"})
  void credentialsAppearNowhere(String format) throws Exception {
    env = new IntegrationEnv("secret-leak-" + format);
    Instant t0 = Instant.now();
    env.sim.addStsAccount("sts", "STS.leaktest", SECRET, TOKEN);
    env.sim.addAccount("envacct", "LTAIfromenv", ENV_SECRET);
    for (String acct : List.of("sts", "envacct")) {
      env.sim.addJob(
          SimJob.builder(acct + "-JOB", acct)
              .region("cn-hangzhou")
              .api("CreateRule", "Create")
              .resource("loadbalancer", "alb-" + acct)
              .createdAt(t0.minusSeconds(20))
              .failsAt(t0.minusSeconds(10), "Err", "boom")
              .build());
    }
    env.admin.resource(sts("sts-creds", SECRET)).create();
    env.admin.resource(sts("sts-wrong-secret", WRONG)).create();
    env.admin.resource(Fixtures.credentials(env.ns, "wrong-creds", "STS.leaktest", WRONG)).create();
    env.admin
        .resource(
            Fixtures.watch(env.ns, "sts", env.sim.endpoint(), "sts-creds", List.of("alb-sts")))
        .create();
    env.admin
        .resource(
            Fixtures.watch(env.ns, "from-env", env.sim.endpoint(), null, List.of("alb-envacct")))
        .create();
    env.admin
        .resource(
            Fixtures.watch(env.ns, "wrong", env.sim.endpoint(), "wrong-creds", List.of("alb-sts")))
        .create();
    env.admin
        .resource(
            Fixtures.watch(
                env.ns, "echo", env.sim.endpoint(), "sts-wrong-secret", List.of("alb-sts")))
        .create();
    env.admin
        .resource(Fixtures.userJob(env.ns, "pipeline", "sts-JOB", env.sim.endpoint(), "sts-creds"))
        .create();
    env.admin
        .resource(
            Fixtures.userJob(
                env.ns, "pipeline-echo", "sts-JOB", env.sim.endpoint(), "sts-wrong-secret"))
        .create();

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path kubeconfig =
        env.cp.writeKubeconfig(
            "admin", ControlPlane.ADMIN_TOKEN, env.cp.dir().resolve("leak.kubeconfig"));
    Path log = env.cp.dir().resolve("secret-leak-operator-" + format + ".log");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "java",
                "-jar",
                System.getProperty("albjobs.jar", "../operator/target/alb-asyncjob-operator.jar"),
                "--namespaces=" + env.ns,
                "--http-port=" + port,
                "--poll-interval=2s",
                "--active-poll-interval=500ms",
                "--log-format=" + format,
                "--ambient-credentials-namespaces=" + env.ns));
    cmd.addAll(AlbSimulator.OPERATOR_FLAGS);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("LOG_LEVEL", "DEBUG");
    pb.environment().put("JOSDK_LOG_LEVEL", "DEBUG");
    pb.environment().put("ROOT_LOG_LEVEL", "DEBUG");
    pb.environment().put("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIfromenv");
    pb.environment().put("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ENV_SECRET);
    operator = pb.start();

    Await.until(
        Duration.ofSeconds(90),
        "both good watches mirrored, the wrong ones and the echoed AsyncJob stalled",
        () -> {
          AsyncJob viaSecret = env.job("pipeline");
          AsyncJob echoed = env.job("pipeline-echo");
          return env.jobs().stream()
                      .filter(j -> j.getStatus() != null && j.getStatus().isFinished())
                      .count()
                  >= 3
              && viaSecret != null
              && viaSecret.getStatus() != null
              && viaSecret.getStatus().isFinished()
              && stalled(env.watch("wrong"))
              && stalled(env.watch("echo"))
              && echoed != null
              && echoed.getStatus() != null
              && Conditions.isTrue(echoed.getStatus().getConditions(), Conditions.STALLED);
        });
    assertTrue(
        env.sim.calls().stream()
            .anyMatch(
                c ->
                    "SignatureDoesNotMatch".equals(c.errorCode())
                        && c.params().containsKey("SecurityToken")),
        "ALB's echo of a string to sign with a SecurityToken was exercised");
    Await.until(
        Duration.ofSeconds(30),
        "the Events were written",
        () -> {
          String events = Serialization.asYaml(env.admin.v1().events().inNamespace(env.ns).list());
          return events.contains("InvalidCredentials") && events.contains("SignatureDoesNotMatch");
        });
    String metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    operator.destroy();
    operator.waitFor();
    String output = Files.readString(log);
    String objects =
        Serialization.asYaml(env.admin.resources(AsyncJob.class).inNamespace(env.ns).list())
            + Serialization.asYaml(
                env.admin.resources(AsyncJobWatch.class).inNamespace(env.ns).list());
    String events = Serialization.asYaml(env.admin.v1().events().inNamespace(env.ns).list());
    assertTrue(output.contains("DEBUG"), "the operator really logged at DEBUG");
    if (format.equals("json")) {
      String decoded = decodedJson(output);
      assertTrue(
          decoded.contains("alb-asyncjob-operator started"), "the operator really logged JSON");
      output = output + "\n" + decoded;
    }
    assertTrue(metrics.contains("albjobs_alb_calls_total"), "the metrics were scraped");
    Map<String, String> produced =
        Map.of(
            "the operator's " + format + " output",
            output,
            "a status",
            objects,
            "an Event",
            events,
            "the metrics",
            metrics);
    List<String> leaks = new ArrayList<>();
    for (var where : new java.util.TreeMap<>(produced).entrySet()) {
      String text = where.getValue();
      for (String secret : List.of(SECRET, TOKEN, TOKEN_CORE, ENV_SECRET, WRONG)) {
        if (text.contains(secret)) {
          leaks.add("a credential is in " + where.getKey());
        }
      }
      if (text.toLowerCase(Locale.ROOT).contains("string to sign")) {
        leaks.add("ALB's echoed string to sign is in " + where.getKey());
      }
      if (SIGNATURE_VALUE.matcher(text).find()) {
        leaks.add("a request signature is in " + where.getKey());
      }
    }
    assertEquals(List.of(), leaks);
    System.out.printf(
        "Secret scan (%s): %d bytes of DEBUG output, %d of statuses, %d of Events, %d of metrics: no credential%n",
        format, output.length(), objects.length(), events.length(), metrics.length());
  }

  private Secret sts(String name, String secret) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(env.ns)
        .endMetadata()
        .withStringData(
            Map.of(
                "accessKeyId", "STS.leaktest", "accessKeySecret", secret, "securityToken", TOKEN))
        .build();
  }

  private static boolean stalled(AsyncJobWatch watch) {
    return watch != null
        && watch.getStatus() != null
        && Conditions.isTrue(watch.getStatus().getConditions(), Conditions.STALLED);
  }

  /**
   * Every string value of every JSON log line, unescaped: a secret written as {@code \\u002B} is
   * found too.
   */
  private static String decodedJson(String output) {
    ObjectMapper json = new ObjectMapper();
    StringBuilder values = new StringBuilder();
    for (String line : output.split("\n")) {
      try {
        collect(json.readTree(line), values);
      } catch (IOException notJson) {
        // lines the JVM writes itself; the raw text is scanned anyway
      }
    }
    return values.toString();
  }

  private static void collect(JsonNode node, StringBuilder values) {
    if (node.isValueNode()) {
      values.append(node.asText()).append('\n');
    }
    node.forEach(child -> collect(child, values));
  }
}
