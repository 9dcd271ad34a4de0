package io.albjobs.simulator;

import static io.albjobs.simulator.SdkCalls.failure;
import static io.albjobs.simulator.SdkCalls.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyuncs.CommonRequest;
import com.aliyuncs.IAcsClient;
import com.aliyuncs.exceptions.ClientException;
import com.aliyuncs.exceptions.ServerException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlbSimulatorAuthTest {
  private static final String JOB_ID = "8F0D6A4E-1B7C-4E0A-9D3F-2C5B7A9E1D40";
  private AlbSimulator sim;

  @BeforeEach
  void start() {
    sim = AlbSimulator.start();
    sim.addAccount("acct-1", "LTAIgood", "good-secret");
    sim.addJob(SimJob.builder(JOB_ID, "acct-1").createdAt(Instant.now()).build());
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void aCallSignedByTheSdkSucceedsAndIsRecordedWithoutItsSignature() throws Exception {
    JsonNode page = list(SdkCalls.client("LTAIgood", "good-secret"), sim, "JobIds.1", JOB_ID);

    assertEquals(List.of(JOB_ID), SdkCalls.ids(page));
    assertEquals(1, sim.callCount());
    assertEquals(1, sim.callCount("LTAIgood"));
    RecordedCall call = sim.calls().get(0);
    assertEquals("ListAsynJobs", call.action());
    assertEquals(200, call.httpStatus());
    assertEquals(JOB_ID, call.params().get("JobIds.1"));
    assertFalse(call.params().containsKey("Signature"));
    assertFalse(call.toString().contains("good-secret"));
  }

  @Test
  void aWrongSecretIsSignatureDoesNotMatch() {
    ClientException e = failure(SdkCalls.client("LTAIgood", "bad-secret"), sim);

    assertEquals("SignatureDoesNotMatch", e.getErrCode());
    assertFalse(e instanceof ServerException, "a 4xx must not be a ServerException");
    assertEquals(1, sim.callCount());
  }

  @Test
  void aWrongSecretWithAnStsTokenEchoesTheStringToSignTokenIncludedAsAlbDoes() {
    sim.addStsAccount("acct-1", "STS.good", "sts-secret", "CAIS+token/1==");
    ClientException e =
        failure(SdkCalls.stsClient("STS.good", "bad-secret", "CAIS+token/1=="), sim);

    assertEquals("SignatureDoesNotMatch", e.getErrCode());
    // ALB's shape: the human sentence, then the server's string to sign, percent-encoded twice.
    assertTrue(
        e.getErrMsg()
            .startsWith(
                "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&"),
        e.getErrMsg());
    assertTrue(
        e.getErrMsg().contains("SecurityToken%3DCAIS%252Btoken%252F1%253D%253D"), e.getErrMsg());
  }

  @Test
  void anUnknownKeyIsInvalidAccessKeyIdNotFound() {
    ClientException e = failure(SdkCalls.client("LTAIunknown", "whatever"), sim);

    assertEquals("InvalidAccessKeyId.NotFound", e.getErrCode());
    assertEquals(404, sim.calls().get(0).httpStatus());
    assertEquals(1, sim.callCount("LTAIunknown"));
  }

  @Test
  void aReplayedSdkRequestIsRefused() throws Exception {
    String query = captureSdkQuery(SdkCalls.request(sim, "JobIds.1", JOB_ID));

    HttpResponse<String> first = RawSigner.postForm(sim, query, "");
    HttpResponse<String> replay = RawSigner.postForm(sim, query, "");

    assertEquals(200, first.statusCode(), first.body());
    assertEquals(400, replay.statusCode());
    assertEquals("SignatureNonceUsed", code(replay));
  }

  @Test
  void anStsKeyNeedsItsSecurityToken() throws Exception {
    sim.addStsAccount("acct-1", "STS.key", "sts-secret", "token-123");

    JsonNode page = list(SdkCalls.stsClient("STS.key", "sts-secret", "token-123"), sim);
    ClientException wrong = failure(SdkCalls.stsClient("STS.key", "sts-secret", "token-999"), sim);
    ClientException missing = failure(SdkCalls.client("STS.key", "sts-secret"), sim);

    assertEquals(List.of(JOB_ID), SdkCalls.ids(page));
    assertEquals("InvalidSecurityToken.MismatchWithAccessKey", wrong.getErrCode());
    assertEquals("InvalidSecurityToken.MismatchWithAccessKey", missing.getErrCode());
    assertEquals("<redacted>", sim.calls().get(0).params().get("SecurityToken"));
  }

  @Test
  void aTimestampMoreThanFifteenMinutesOffIsExpired() throws Exception {
    for (Duration skew : List.of(Duration.ofMinutes(-16), Duration.ofMinutes(16))) {
      Map<String, String> p = RawSigner.common("LTAIgood");
      p.put("Timestamp", Instant.now().plus(skew).truncatedTo(ChronoUnit.SECONDS).toString());
      p.put("Signature", RawSigner.signature("GET", p, "good-secret"));

      HttpResponse<String> response = RawSigner.get(sim, RawSigner.query(p));

      assertEquals(400, response.statusCode());
      assertEquals("InvalidTimeStamp.Expired", code(response));
    }
  }

  @Test
  void missingSignatureParametersAreRefused() throws Exception {
    Map<String, String> unsigned = RawSigner.common("LTAIgood");
    Map<String, String> noNonce = RawSigner.common("LTAIgood");
    noNonce.remove("SignatureNonce");
    noNonce.put("Signature", RawSigner.signature("GET", noNonce, "good-secret"));

    assertEquals("IncompleteSignature", code(RawSigner.get(sim, RawSigner.query(unsigned))));
    HttpResponse<String> response = RawSigner.get(sim, RawSigner.query(noNonce));
    assertEquals(400, response.statusCode());
    assertEquals("MissingParam", code(response));
    assertTrue(response.body().contains("SignatureNonce"), response.body());
  }

  @Test
  void anUnknownActionOrVersionIsRefused() {
    IAcsClient client = SdkCalls.client("LTAIgood", "good-secret");
    CommonRequest otherAction = SdkCalls.request(sim);
    otherAction.setSysAction("ListLoadBalancers2");
    CommonRequest otherVersion = SdkCalls.request(sim);
    otherVersion.setSysVersion("2019-01-01");

    ClientException action = assertInstanceOf(ClientException.class, call(client, otherAction));
    ClientException version = assertInstanceOf(ClientException.class, call(client, otherVersion));

    assertEquals("InvalidAction.NotFound", action.getErrCode());
    assertEquals("InvalidVersion", version.getErrCode());
  }

  @Test
  void getAndSignedFormBodiesAreAcceptedAndATamperedBodyIsNot() throws Exception {
    Map<String, String> get = RawSigner.common("LTAIgood");
    get.put("Signature", RawSigner.signature("GET", get, "good-secret"));
    Map<String, String> query = RawSigner.common("LTAIgood");
    Map<String, String> signed = new TreeMap<>(query);
    signed.put("JobIds.1", JOB_ID);
    query.put("Signature", RawSigner.signature("POST", signed, "good-secret"));

    HttpResponse<String> viaGet = RawSigner.get(sim, RawSigner.query(get));
    HttpResponse<String> viaForm =
        RawSigner.postForm(sim, RawSigner.query(query), "JobIds.1=" + JOB_ID);
    HttpResponse<String> tampered =
        RawSigner.postForm(sim, RawSigner.query(query), "JobIds.1=OTHER");

    assertEquals(200, viaGet.statusCode(), viaGet.body());
    assertEquals(200, viaForm.statusCode(), viaForm.body());
    assertEquals(JOB_ID, SdkCalls.JSON.readTree(viaForm.body()).at("/Jobs/0/Id").asText());
    assertEquals("SignatureDoesNotMatch", code(tampered));
  }

  @Test
  void errorsHaveAlbsBodyShape() throws Exception {
    Map<String, String> p = RawSigner.common("LTAIgood");
    p.put("Signature", RawSigner.signature("GET", p, "wrong-secret"));

    HttpResponse<String> response = RawSigner.get(sim, RawSigner.query(p));
    JsonNode body = SdkCalls.JSON.readTree(response.body());

    assertEquals(400, response.statusCode());
    for (String field : List.of("RequestId", "HostId", "Code", "Message", "Recommend")) {
      assertNotNull(body.get(field), field + " in " + response.body());
    }
    assertEquals(sim.hostAndPort(), body.path("HostId").asText());
    assertTrue(body.path("Message").asText().contains("GET&%2F&"), "echoes the string to sign");
  }

  private static Exception call(IAcsClient client, CommonRequest request) {
    try {
      client.getCommonResponse(request);
      throw new AssertionError("expected a failure");
    } catch (ClientException e) {
      return e;
    }
  }

  private static String code(HttpResponse<String> response) throws Exception {
    return SdkCalls.JSON.readTree(response.body()).path("Code").asText();
  }

  /** Sends the request with the SDK to a throwaway server and returns the raw query it sent. */
  private static String captureSdkQuery(CommonRequest request) throws Exception {
    AtomicReference<String> query = new AtomicReference<>();
    HttpServer capture =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    capture.createContext(
        "/",
        exchange -> {
          query.set(exchange.getRequestURI().getRawQuery());
          byte[] ok = "{\"Jobs\":[]}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, ok.length);
          exchange.getResponseBody().write(ok);
          exchange.close();
        });
    capture.start();
    try {
      request.setSysDomain("127.0.0.1:" + capture.getAddress().getPort());
      SdkCalls.client("LTAIgood", "good-secret").getCommonResponse(request);
      return query.get();
    } finally {
      capture.stop(0);
    }
  }
}
