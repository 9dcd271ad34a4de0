package io.albjobs.operator.alb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.RecordedCall;
import io.albjobs.simulator.SimJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's real SDK client against the simulator over loopback HTTP: wire form and errors.
 */
class SdkAlbJobClientTest {
  private static final String REGION = "cn-hangzhou";
  private final Instant t0 = Instant.now();
  private AlbSimulator sim;

  @BeforeEach
  void start() {
    sim = AlbSimulator.start();
    sim.addAccount("acct", "LTAIgood", "good-secret");
    sim.addStsAccount("sts", "STS.key", "sts-secret", "sts-token");
    for (int i = 0; i < 250; i++) {
      sim.addJob(
          SimJob.builder(String.format("JOB-%04d", i), "acct")
              .region(REGION)
              .api(i % 2 == 0 ? "CreateRule" : "DeleteRule", "Create")
              .resource("loadbalancer", "alb-" + (i % 25))
              .createdAt(t0.minusSeconds(1000 - i))
              .succeedsAt(t0.minusSeconds(900 - i))
              .build());
    }
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private AlbJobClient client(String keyId, String secret, String token) throws AlbException {
    return client(sim.endpoint(), keyId, secret, token, Duration.ofSeconds(5));
  }

  private static AlbJobClient client(
      String endpoint, String keyId, String secret, String token, Duration read)
      throws AlbException {
    return new SdkAlbJobClient(
        AlbEndpoint.parse(endpoint),
        REGION,
        new AlbCredentials.StaticKeys("test", keyId, secret, token),
        Duration.ofSeconds(2),
        read);
  }

  private AlbException failure(AlbJobClient client) {
    return assertThrows(
        AlbException.class,
        () -> client.listJobs(JobQuery.byJobIds(List.of("JOB-0001")), null, 10));
  }

  @Test
  void signedCallsPassTheSimulatorsSignatureCheckAndCarryEveryFilter() throws AlbException {
    AlbJobClient client = client("LTAIgood", "good-secret", null);
    JobPage page =
        client.listJobs(
            new JobQuery(
                "loadbalancer",
                List.of("alb-1", "alb-2"),
                List.of(),
                "CreateRule",
                t0.minusSeconds(1000).toEpochMilli(),
                t0.toEpochMilli()),
            null,
            100);
    assertFalse(page.jobs().isEmpty());
    assertTrue(
        page.jobs().stream()
            .allMatch(
                j ->
                    j.apiName().equals("CreateRule")
                        && List.of("alb-1", "alb-2").contains(j.resourceId())));
    Map<String, String> params = sim.calls().get(0).params();
    assertEquals("ListAsynJobs", params.get("Action"));
    assertEquals("2020-06-16", params.get("Version"));
    assertEquals("alb-1", params.get("ResourceIds.1"));
    assertEquals("alb-2", params.get("ResourceIds.2"));
    assertEquals("CreateRule", params.get("ApiName"));
    assertEquals("100", params.get("MaxResults"));
    assertEquals(Long.toString(t0.toEpochMilli()), params.get("EndTime"));
  }

  @Test
  void theSecretNeverTravelsOnlyItsSignatureDoes() throws Exception {
    try (WireTap tap = WireTap.in(sim.endpoint())) {
      new SdkAlbJobClient(
              AlbEndpoint.parse(tap.endpoint()),
              REGION,
              new AlbCredentials.StaticKeys("test", "LTAIgood", "good-secret", null),
              Duration.ofSeconds(2),
              Duration.ofSeconds(5))
          .listJobs(JobQuery.byJobIds(List.of("JOB-0001")), null, 10);
      String request = tap.requests().get(0);
      assertTrue(request.contains("AccessKeyId=LTAIgood"), request);
      assertTrue(WireTap.param(request, "Signature") != null, "the call is signed:\n" + request);
      assertFalse(request.contains("good-secret"), "the secret went over the wire:\n" + request);
    }
  }

  /**
   * ALB's SignatureDoesNotMatch answer echoes its string to sign, which holds the STS token; the
   * operator's error (what ends in conditions, Events and logs) must carry neither the token nor
   * the signature nor the secret. Both are taken from the wire, so the test sees what could leak.
   */
  @Test
  void aSignatureErrorKeepsTheTokenAndSignatureTheWireCarriedOutOfTheOperatorsError()
      throws Exception {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    root.addAppender(logs);
    try (WireTap tap = WireTap.in(sim.endpoint())) {
      AlbException e =
          failure(
              client(
                  tap.endpoint(),
                  "STS.key",
                  "not-the-sts-secret",
                  "sts-token",
                  Duration.ofSeconds(5)));
      assertEquals("SignatureDoesNotMatch", e.code());
      String request = tap.requests().get(0);
      String signature = WireTap.param(request, "Signature");
      assertEquals("sts-token", WireTap.param(request, "SecurityToken"), request);
      assertTrue(signature != null && signature.length() >= 16, request);
      assertFalse(
          request.contains("not-the-sts-secret"), "the secret went over the wire:\n" + request);
      assertTrue(
          tap.responses().get(0).contains("SecurityToken%3Dsts-token"),
          "premise: ALB's answer echoes the token in its string to sign:\n"
              + tap.responses().get(0));

      StringBuilder seen = new StringBuilder();
      for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
        seen.append(t).append('\n');
      }
      logs.list.forEach(
          event ->
              seen.append(event.getFormattedMessage())
                  .append('\n')
                  .append(
                      event.getThrowableProxy() == null
                          ? ""
                          : event.getThrowableProxy().getMessage())
                  .append('\n'));
      String operatorSide = seen.toString();
      for (String secret :
          List.of(
              "sts-token",
              signature,
              java.net.URLEncoder.encode(signature, java.nio.charset.StandardCharsets.UTF_8),
              "not-the-sts-secret")) {
        assertFalse(
            operatorSide.contains(secret),
            "the operator's error or log carries " + secret + ":\n" + operatorSide);
      }
      assertTrue(
          e.getMessage().startsWith("SignatureDoesNotMatch: Specified signature is not matched"),
          e.getMessage());
    } finally {
      root.detachAppender(logs);
    }
  }

  @Test
  void pagingThroughTheSdkReturnsEveryJobOnceNewestFirst() throws AlbException {
    AlbJobClient client = client("LTAIgood", "good-secret", null);
    List<AlbJob> jobs =
        new JobLister(50)
            .byResources(
                client,
                "loadbalancer",
                new ArrayList<>(
                    java.util.stream.IntStream.range(0, 25).mapToObj(i -> "alb-" + i).toList()),
                List.of(),
                null);
    assertEquals(250, jobs.size());
    assertEquals(250, jobs.stream().map(AlbJob::id).distinct().count());
    // 3 chunks of ≤10 load balancers holding 100, 100 and 50 jobs: 1 + 1 + 1 pages of 100 (+ none).
    assertTrue(sim.callCount() <= 6, "calls: " + sim.callCount());
    assertTrue(
        sim.calls().stream()
            .allMatch(
                c ->
                    c.params().keySet().stream().filter(k -> k.startsWith("ResourceIds.")).count()
                        <= 10));
  }

  @Test
  void temporaryCredentialsSendTheirToken() throws AlbException {
    sim.addJob(
        SimJob.builder("STS-JOB", "sts")
            .region(REGION)
            .api("CreateRule", "Create")
            .resource("loadbalancer", "alb-x")
            .createdAt(t0)
            .build());
    JobPage page =
        client("STS.key", "sts-secret", "sts-token")
            .listJobs(JobQuery.byJobIds(List.of("STS-JOB")), null, 10);
    assertEquals("Processing", page.jobs().get(0).status());
    AlbException e = failure(client("STS.key", "sts-secret", "wrong-token"));
    assertEquals(ErrorKind.TERMINAL, e.kind());
  }

  @Test
  void withoutASecretTheOperatorsOwnCredentialChainIsUsed() throws AlbException {
    // The chain's first link (JVM system properties) stands in for env vars, RRSA and the ECS role.
    System.setProperty("alibabacloud.accessKeyId", "LTAIgood");
    System.setProperty("alibabacloud.accessKeySecret", "good-secret");
    try {
      AlbJobClient client =
          new SdkAlbJobClient(
              AlbEndpoint.parse(sim.endpoint()),
              REGION,
              new AlbCredentials.DefaultChain(),
              Duration.ofSeconds(2),
              Duration.ofSeconds(5));
      assertEquals(
          1, client.listJobs(JobQuery.byJobIds(List.of("JOB-0001")), null, 10).jobs().size());
      assertEquals("LTAIgood", sim.calls().get(0).accessKeyId());
    } finally {
      System.clearProperty("alibabacloud.accessKeyId");
      System.clearProperty("alibabacloud.accessKeySecret");
    }
  }

  @Test
  void credentialErrorsAreTerminalAndNeverEchoTheSecret() throws AlbException {
    AlbException wrongSecret = failure(client("LTAIgood", "not-the-secret", null));
    assertEquals("SignatureDoesNotMatch", wrongSecret.code());
    assertEquals(ErrorKind.TERMINAL, wrongSecret.kind());
    assertFalse(wrongSecret.getMessage().contains("not-the-secret"));
    assertFalse(
        wrongSecret.getMessage().toLowerCase().contains("string to sign"),
        wrongSecret.getMessage());
    AlbException unknown = failure(client("LTAIunknown", "x", null));
    assertEquals("InvalidAccessKeyId.NotFound", unknown.code());
    assertEquals(ErrorKind.TERMINAL, unknown.kind());
    sim.faults().denyAccount("acct");
    AlbException denied = failure(client("LTAIgood", "good-secret", null));
    assertEquals("Forbidden.RAM", denied.code());
    assertEquals(ErrorKind.TERMINAL, denied.kind());
  }

  @Test
  void throttlingAndServerErrorsAreRetryable() throws AlbException {
    AlbJobClient client = client("LTAIgood", "good-secret", null);
    sim.faults().throttleNext(1);
    AlbException throttled = failure(client);
    assertEquals(ErrorKind.THROTTLED, throttled.kind());
    assertTrue(throttled.code().startsWith("Throttling"));
    sim.faults().serverErrorNext(1);
    assertEquals(ErrorKind.RETRYABLE, failure(client).kind());
    sim.faults().internalErrorNext(1);
    assertEquals("InternalError", failure(client).code());
    sim.faults().resetNext(1);
    assertEquals(ErrorKind.RETRYABLE, failure(client).kind());
    sim.faults().malformedNext(1);
    AlbException malformed = failure(client);
    assertEquals("MalformedResponse", malformed.code());
    assertEquals(ErrorKind.RETRYABLE, malformed.kind());
    sim.faults().oversizePage(true);
    AlbException oversize =
        assertThrows(
            AlbException.class,
            () ->
                client.listJobs(
                    JobQuery.byResources("loadbalancer", List.of("alb-1"), null, null), null, 5));
    assertEquals("MalformedResponse", oversize.code(), "a page larger than MaxResults is refused");
    sim.faults().clear();
    assertEquals(
        1, client.listJobs(JobQuery.byJobIds(List.of("JOB-0001")), null, 10).jobs().size());
  }

  @Test
  void aSlowAnswerTimesOutAsRetryable() throws AlbException {
    sim.faults().latency(Duration.ofMillis(1500));
    AlbException e =
        assertThrows(
            AlbException.class,
            () ->
                client(sim.endpoint(), "LTAIgood", "good-secret", null, Duration.ofMillis(300))
                    .listJobs(JobQuery.byJobIds(List.of("JOB-0001")), null, 10));
    assertEquals(ErrorKind.RETRYABLE, e.kind());
  }

  @Test
  void tlsCertificatesAreVerified(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    // An HTTPS server with a self-signed certificate: the operator must refuse to talk to it.
    java.nio.file.Path store = dir.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "sim",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    assertEquals(0, keytool.waitFor());
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    try (var in = java.nio.file.Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("SunX509");
    kmf.init(ks, "changeit".toCharArray());
    javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    com.sun.net.httpserver.HttpsServer https =
        com.sun.net.httpserver.HttpsServer.create(
            new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ssl));
    java.util.concurrent.atomic.AtomicInteger answered =
        new java.util.concurrent.atomic.AtomicInteger();
    https.createContext(
        "/",
        ex -> {
          answered.incrementAndGet();
          byte[] body = "{\"Jobs\":[],\"RequestId\":\"x\",\"TotalCount\":0}".getBytes();
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    https.start();
    try {
      AlbException e =
          assertThrows(
              AlbException.class,
              () ->
                  client(
                          "127.0.0.1:" + https.getAddress().getPort(),
                          "LTAIgood",
                          "good-secret",
                          null,
                          Duration.ofSeconds(2))
                      .listJobs(JobQuery.byJobIds(List.of("JOB-0001")), null, 10));
      assertEquals(ErrorKind.RETRYABLE, e.kind());
      assertEquals(0, answered.get(), "no request reached a server with an untrusted certificate");
    } finally {
      https.stop(0);
    }
  }

  @Test
  void anEndpointWithoutSchemeIsCalledOverHttps() throws AlbException {
    // The simulator speaks plain HTTP: an HTTPS call to it fails before any request is recorded.
    AlbException e =
        assertThrows(
            AlbException.class,
            () ->
                client(sim.hostAndPort(), "LTAIgood", "good-secret", null, Duration.ofSeconds(2))
                    .listJobs(JobQuery.byJobIds(List.of("JOB-0001")), null, 10));
    assertEquals(ErrorKind.RETRYABLE, e.kind());
    assertTrue(sim.calls().stream().map(RecordedCall::httpStatus).noneMatch(s -> s == 200));
  }

  /**
   * A loopback HTTP hop in front of the simulator that keeps each request as it was sent (request
   * line, headers, body) and each raw answer body: what an observer of the wire would see.
   */
  private static final class WireTap implements AutoCloseable {
    private final com.sun.net.httpserver.HttpServer server;
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    private final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> responses = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final java.util.Set<String> RESTRICTED =
        java.util.Set.of("host", "connection", "content-length", "expect", "upgrade");

    private WireTap(String target) throws java.io.IOException {
      server =
          com.sun.net.httpserver.HttpServer.create(
              new java.net.InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext(
          "/",
          ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            StringBuilder raw =
                new StringBuilder(ex.getRequestMethod())
                    .append(' ')
                    .append(ex.getRequestURI())
                    .append('\n');
            ex.getRequestHeaders()
                .forEach(
                    (k, v) -> raw.append(k).append(": ").append(String.join(",", v)).append('\n'));
            requests.add(
                raw.append('\n')
                    .append(new String(body, java.nio.charset.StandardCharsets.UTF_8))
                    .toString());
            var forward =
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(target + ex.getRequestURI()))
                    .method(
                        ex.getRequestMethod(),
                        java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
            ex.getRequestHeaders()
                .forEach(
                    (k, v) -> {
                      if (!RESTRICTED.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                        v.forEach(value -> forward.header(k, value));
                      }
                    });
            try {
              var answer =
                  http.send(forward.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
              responses.add(new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8));
              answer
                  .headers()
                  .firstValue("Content-Type")
                  .ifPresent(ct -> ex.getResponseHeaders().set("Content-Type", ct));
              ex.sendResponseHeaders(answer.statusCode(), answer.body().length);
              ex.getResponseBody().write(answer.body());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } finally {
              ex.close();
            }
          });
      server.start();
    }

    static WireTap in(String target) throws java.io.IOException {
      return new WireTap(target);
    }

    String endpoint() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> requests() {
      return requests;
    }

    List<String> responses() {
      return responses;
    }

    /** A parameter of a raw request's query string, URL-decoded, or null. */
    static String param(String rawRequest, String name) {
      String firstLine = rawRequest.substring(0, rawRequest.indexOf('\n'));
      String uri = firstLine.substring(firstLine.indexOf(' ') + 1);
      String query = uri.contains("?") ? uri.substring(uri.indexOf('?') + 1) : "";
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).equals(name)) {
          return java.net.URLDecoder.decode(
              pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
        }
      }
      return null;
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
