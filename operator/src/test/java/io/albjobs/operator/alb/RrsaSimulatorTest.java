package io.albjobs.operator.alb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.OidcTokens;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.RecordedCall;
import io.albjobs.simulator.SimJob;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated STS's {@code AssumeRoleWithOIDC} on the wire, and what ALB does with the temporary
 * keys it hands out: signed calls with them (and their security token) pass until they expire, then
 * fail with {@code InvalidSecurityToken.Expired}, which the operator treats as a credential error.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class RrsaSimulatorTest {
  private static final String ROLE = "acs:ram::1234567890:role/alb-asyncjob-operator";
  private static final String OIDC_PROVIDER = "acs:ram::1234567890:oidc-provider/ack-rrsa-test";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private AlbSimulator sim;
  private Path tokenFile;
  private String token;

  @BeforeEach
  void start() throws Exception {
    sim = AlbSimulator.start();
    tokenFile = dir.resolve("token");
    token = OidcTokens.jwt("sts.aliyuncs.com", "system:serviceaccount:ns:sa");
    OidcTokens.write(tokenFile, token);
    sim.serveSts("rrsa", ROLE, OIDC_PROVIDER, tokenFile, Duration.ofSeconds(2));
    sim.addJob(
        SimJob.builder("JOB-0001", "rrsa")
            .region("cn-hangzhou")
            .api("CreateRule", "Create")
            .resource("loadbalancer", "alb-1")
            .createdAt(Instant.now().minusSeconds(60))
            .succeedsAt(Instant.now())
            .build());
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private HttpResponse<String> assume(Map<String, String> overrides) throws Exception {
    Map<String, String> form =
        new LinkedHashMap<>(
            Map.of(
                "Action",
                "AssumeRoleWithOIDC",
                "Format",
                "JSON",
                "Version",
                "2015-04-01",
                "RoleArn",
                ROLE,
                "OIDCProviderArn",
                OIDC_PROVIDER,
                "OIDCToken",
                token,
                "RoleSessionName",
                "test",
                "DurationSeconds",
                "900"));
    form.putAll(overrides);
    String body =
        form.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(sim.endpoint() + "/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void temporaryKeysSignAlbCallsUntilTheyExpire() throws Exception {
    HttpResponse<String> r = assume(Map.of());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode answer = JSON.readTree(r.body());
    assertTrue(
        answer.has("RequestId") && answer.has("AssumedRoleUser") && answer.has("OIDCTokenInfo"));
    JsonNode c = answer.get("Credentials");
    assertTrue(c.get("AccessKeyId").asText().startsWith("STS."));
    Instant expiration = Instant.parse(c.get("Expiration").asText());

    AlbJobClient client =
        new SdkAlbJobClient(
            AlbEndpoint.parse(sim.endpoint()),
            "cn-hangzhou",
            new AlbCredentials.StaticKeys(
                "test",
                c.get("AccessKeyId").asText(),
                c.get("AccessKeySecret").asText(),
                c.get("SecurityToken").asText()),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5));
    assertEquals(
        1, client.listJobs(JobQuery.byJobIds(List.of("JOB-0001")), null, 10).jobs().size());
    Await.until(
        Duration.ofSeconds(10), "the keys' expiration", () -> Instant.now().isAfter(expiration));
    AlbException e =
        assertThrows(
            AlbException.class,
            () -> client.listJobs(JobQuery.byJobIds(List.of("JOB-0001")), null, 10));
    assertEquals("InvalidSecurityToken.Expired", e.code());
    assertTrue(ErrorClassifier.isCredentialProblem(e.code()));

    // The call log keeps neither the OIDC token nor the security token.
    for (RecordedCall call : sim.calls()) {
      assertFalse(call.params().containsValue(token), "the OIDC token is in the call log");
      assertFalse(
          call.params().containsValue(c.get("SecurityToken").asText()),
          "the security token is in the call log");
    }
  }

  @Test
  void refusesWhatStsRefuses() throws Exception {
    assertEquals(
        "AuthenticationFail.OIDCToken.AudienceNotMatch",
        code(
            assume(
                Map.of(
                    "OIDCToken",
                    OidcTokens.jwt("kubernetes.default.svc", "system:serviceaccount:ns:sa")))));
    assertEquals(
        "AuthenticationFail.OIDCToken.InvalidSignature",
        code(
            assume(
                Map.of(
                    "OIDCToken",
                    OidcTokens.jwt("sts.aliyuncs.com", "system:serviceaccount:ns:sa")))));
    assertEquals(
        "AuthenticationFail.NoPermission",
        code(assume(Map.of("OIDCProviderArn", "acs:ram::1:oidc-provider/other"))));
    assertEquals("EntityNotExist.Role", code(assume(Map.of("RoleArn", "acs:ram::1:role/other"))));
    assertEquals("InvalidParameter.DurationSeconds", code(assume(Map.of("DurationSeconds", "60"))));
    assertTrue(sim.stsGrants().isEmpty());
  }

  private static String code(HttpResponse<String> r) throws Exception {
    assertTrue(r.statusCode() >= 400, r.body());
    return JSON.readTree(r.body()).path("Code").asText();
  }
}
