package io.albjobs.it.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.kube.ControlPlane;
import io.albjobs.it.kube.SharedControlPlane;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.operator.testing.OidcTokens;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.RecordedCall;
import io.albjobs.simulator.SimJob;
import io.albjobs.simulator.StsGrant;
import io.albjobs.simulator.TestCa;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RRSA, the production credential path on ACK, end to end with the operator as its own process: the
 * variables ACK's webhook injects point at a projected-token file; the operator exchanges it at STS
 * ({@code AssumeRoleWithOIDC}, the simulator over HTTPS with a test CA the operator's JVM trusts
 * through its truststore — verification stays on); the temporary keys and security token sign the
 * ALB calls of a watch that names no Secret; the keys are refreshed before they expire, and a
 * rotated token file is what the next exchange sends.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RrsaIT {
  private static final String ROLE = "acs:ram::1234567890:role/alb-asyncjob-operator";
  private static final String OIDC_PROVIDER = "acs:ram::1234567890:oidc-provider/ack-rrsa-test";
  private static final String SUBJECT =
      "system:serviceaccount:albjobs-system:alb-asyncjob-operator";

  /** What the simulated STS grants (real STS grants at least 900 s): short, to see a refresh. */
  private static final Duration KEY_LIFE = Duration.ofSeconds(20);

  private static final int JOBS = 12;

  private final ControlPlane cp = SharedControlPlane.get();
  private final KubernetesClient admin = cp.admin();
  private final String ns = "rrsa-it";
  private AlbSimulator sim;
  private Process operator;

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.destroyForcibly();
    }
    if (sim != null) {
      sim.close();
    }
    admin.namespaces().withName(ns).delete();
  }

  @Test
  void aWatchWithoutSecretIsMirroredWithStsKeysThatAreRefreshedBeforeExpiry() throws Exception {
    Path dir = Files.createTempDirectory(cp.dir(), "rrsa-it");
    TestCa ca = TestCa.create(dir.resolve("ca"));
    sim = AlbSimulator.startHttps(ca.serverContext());
    Path tokenFile = dir.resolve("token");
    String firstToken = OidcTokens.jwt("sts.aliyuncs.com", SUBJECT);
    OidcTokens.write(tokenFile, firstToken);
    sim.serveSts("rrsa", ROLE, OIDC_PROVIDER, tokenFile, KEY_LIFE);
    Instant t0 = Instant.now();
    for (int i = 0; i < JOBS; i++) {
      sim.addJob(
          SimJob.builder(String.format("RRSA-%03d", i), "rrsa")
              .region("cn-hangzhou")
              .api("CreateRule", "Create")
              .resource("loadbalancer", "alb-rrsa" + (i % 3))
              .createdAt(t0.minusSeconds(120 - i))
              .succeedsAt(t0.plusSeconds(i))
              .build());
    }
    admin
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .serverSideApply();
    // No credentialsSecretRef: the operator's own chain, i.e. RRSA.
    admin
        .resource(
            Fixtures.watch(
                ns, "lbs", sim.endpoint(), null, List.of("alb-rrsa0", "alb-rrsa1", "alb-rrsa2")))
        .create();

    Path log = dir.resolve("operator.log");
    long started = System.nanoTime();
    operator =
        start(
            cp.writeKubeconfig("admin", ControlPlane.ADMIN_TOKEN, dir.resolve("kubeconfig")),
            ca,
            tokenFile,
            log);

    await(
        Duration.ofSeconds(90),
        "a first AsyncJob mirrored",
        () -> !jobs().isEmpty(),
        () -> tail(log));
    long firstMirrored = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    await(
        Duration.ofSeconds(60),
        "all " + JOBS + " jobs mirrored and Succeeded",
        () ->
            jobs().size() == JOBS
                && jobs().stream()
                    .allMatch(j -> j.getStatus() != null && j.getStatus().isFinished()),
        () -> tail(log));
    long allMirrored = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    // Every ALB call was signed with temporary keys from STS and carried their security token.
    List<RecordedCall> alb = albCalls();
    assertFalse(alb.isEmpty());
    for (RecordedCall call : alb) {
      assertTrue(
          call.accessKeyId().startsWith("STS."),
          "an ALB call not signed with STS keys: " + call.accessKeyId());
      assertTrue(call.params().containsKey("SecurityToken"), "an ALB call without SecurityToken");
    }
    StsGrant first = sim.stsGrants().get(0);

    // Refresh before expiry: a second exchange, and ALB calls switch to the new key.
    await(
        Duration.ofSeconds(60),
        "a second AssumeRoleWithOIDC",
        () -> sim.stsGrants().size() >= 2,
        () -> tail(log));
    StsGrant second = sim.stsGrants().get(1);
    assertTrue(
        second.at().isBefore(first.expiration()),
        "refreshed at " + second.at() + ", after the first keys expired at " + first.expiration());
    await(
        Duration.ofSeconds(30),
        "ALB calls signed with the refreshed key",
        () ->
            albCalls().stream()
                .anyMatch(c -> c.accessKeyId().equals(second.accessKeyId()) && c.succeeded()),
        () -> tail(log));

    // The kubelet rotates the projected token: the next exchange sends the file's new content
    // (STS here accepts only the current content, as the real one refuses an expired token).
    String rotated = OidcTokens.jwt("sts.aliyuncs.com", SUBJECT);
    OidcTokens.write(tokenFile, rotated);
    await(
        Duration.ofSeconds(60),
        "an exchange of the rotated token",
        () ->
            sim.stsGrants().stream()
                .anyMatch(g -> g.tokenDigest().equals(StsGrant.digestOf(rotated))),
        () -> tail(log));
    StsGrant afterRotation =
        sim.stsGrants().stream()
            .filter(g -> g.tokenDigest().equals(StsGrant.digestOf(rotated)))
            .findFirst()
            .orElseThrow();
    await(
        Duration.ofSeconds(30),
        "ALB calls signed with keys from the rotated token",
        () ->
            albCalls().stream()
                .anyMatch(
                    c -> c.accessKeyId().equals(afterRotation.accessKeyId()) && c.succeeded()),
        () -> tail(log));

    // Never a call with expired keys, never a refused exchange, never a secret in the log.
    Map<String, Long> refusals =
        sim.calls().stream()
            .filter(c -> !c.succeeded())
            .collect(
                Collectors.groupingBy(
                    c -> c.action() + " " + c.errorCode(), Collectors.counting()));
    assertEquals(Map.of(), refusals, "refused calls");
    String operatorLog = Files.readString(log);
    assertFalse(
        operatorLog.contains(firstToken) || operatorLog.contains(rotated),
        "the OIDC token is in the log");
    assertFalse(operatorLog.contains("CAIS"), "a security token is in the log");
    System.out.printf(
        "RRSA: first AsyncJob %d ms after start, all %d in %d ms; keys refreshed %d s after the"
            + " first exchange (life %d s); %d exchanges, %d ALB calls%n",
        firstMirrored,
        JOBS,
        allMirrored,
        Duration.between(first.at(), second.at()).toSeconds(),
        KEY_LIFE.toSeconds(),
        sim.stsGrants().size(),
        albCalls().size());
  }

  /**
   * The operator process with RRSA's environment, as ACK's webhook injects it. The watch names no
   * Secret, so the operator's own credentials are allowed in its namespace; the ALB endpoint is
   * HTTPS on the loopback, so only its host is allowed (no flag for plain HTTP).
   */
  private Process start(Path kubeconfig, TestCa ca, Path tokenFile, Path log) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Trust the test CA, which issued the simulator's certificate (STS and ALB).
                "-Djavax.net.ssl.trustStore=" + ca.trustStore(),
                "-Djavax.net.ssl.trustStorePassword=" + TestCa.PASSWORD,
                "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-jar",
                System.getProperty("albjobs.jar", "../operator/target/alb-asyncjob-operator.jar")));
    List<String> operatorArgs =
        List.of(
            "--namespaces=" + ns,
            "--http-port=0",
            "--poll-interval=2s",
            "--active-poll-interval=500ms",
            "--sts-endpoint=" + sim.endpoint(),
            "--ambient-credentials-namespaces=" + ns,
            "--allowed-endpoint-hosts=127.0.0.1");
    cmd.addAll(operatorArgs);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("ALIBABA_CLOUD_") || k.startsWith("ALICLOUD_"));
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("ALIBABA_CLOUD_ROLE_ARN", ROLE);
    env.put("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER);
    env.put("ALIBABA_CLOUD_OIDC_TOKEN_FILE", tokenFile.toString());
    return pb.start();
  }

  /** {@link Await#until}, with the operator's log in the failure message. */
  private static void await(
      Duration timeout,
      String what,
      java.util.function.Supplier<Boolean> condition,
      java.util.function.Supplier<String> log) {
    try {
      Await.until(timeout, what, condition);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; operator log:\n" + log.get(), e);
    }
  }

  private List<AsyncJob> jobs() {
    return admin.resources(AsyncJob.class).inNamespace(ns).list().getItems();
  }

  private List<RecordedCall> albCalls() {
    return sim.calls().stream().filter(c -> c.action().equals("ListAsynJobs")).toList();
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (Exception e) {
      return "(no log: " + e + ")";
    }
  }
}
