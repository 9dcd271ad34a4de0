package io.albjobs.operator.alb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyuncs.auth.BasicSessionCredentials;
import com.aliyuncs.exceptions.ClientException;
import io.albjobs.operator.testing.OidcTokens;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.StsGrant;
import io.albjobs.simulator.TestCa;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** RRSA's token exchange against the simulated STS over HTTPS with a test CA. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RrsaCredentialsProviderTest {
  private static final String ROLE = "acs:ram::1234567890:role/alb-asyncjob-operator";
  private static final String OIDC_PROVIDER = "acs:ram::1234567890:oidc-provider/ack-rrsa-test";
  private static final String SUBJECT =
      "system:serviceaccount:albjobs-system:alb-asyncjob-operator";

  @TempDir static Path dir;
  private static TestCa ca;
  private static AlbSimulator sim;
  private static Path tokenFile;

  /** A clock the test moves; STS stamps real time, the provider decides refreshes by this one. */
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

  private final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };

  @BeforeAll
  static void start() throws Exception {
    ca = TestCa.create(dir.resolve("ca"));
    sim = AlbSimulator.startHttps(ca.serverContext());
    tokenFile = dir.resolve("token");
    OidcTokens.write(tokenFile, OidcTokens.jwt("sts.aliyuncs.com", SUBJECT));
    sim.serveSts("rrsa", ROLE, OIDC_PROVIDER, tokenFile, null);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  private RrsaCredentialsProvider provider(javax.net.ssl.SSLContext tls) {
    return new RrsaCredentialsProvider(
        ROLE,
        OIDC_PROVIDER,
        tokenFile,
        "test-session",
        RrsaCredentialsProvider.stsUri(sim.endpoint()),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        clock,
        tls);
  }

  @Test
  void exchangesTheTokenFileForTemporaryKeysAndRefreshesBeforeTheyExpire() throws Exception {
    RrsaCredentialsProvider provider = provider(ca.clientContext());
    int before = sim.stsGrants().size();
    BasicSessionCredentials first = (BasicSessionCredentials) provider.getCredentials();
    List<StsGrant> grants = sim.stsGrants();
    assertEquals(before + 1, grants.size());
    StsGrant grant = grants.get(grants.size() - 1);
    assertEquals(grant.accessKeyId(), first.getAccessKeyId());
    assertTrue(first.getAccessKeyId().startsWith("STS."));
    assertFalse(first.getSessionToken().isEmpty());
    // STS answered Expiration = now + 3600 s: the keys are reused until 3 minutes before it.
    assertSame(first, provider.getCredentials());
    now.set(grant.expiration().minus(Duration.ofMinutes(3)).minusSeconds(5));
    assertSame(first, provider.getCredentials(), "refreshed too early");
    assertEquals(before + 1, sim.stsGrants().size());
    now.set(grant.expiration().minus(Duration.ofMinutes(3)).plusSeconds(1));
    BasicSessionCredentials second = (BasicSessionCredentials) provider.getCredentials();
    assertEquals(before + 2, sim.stsGrants().size(), "no second AssumeRoleWithOIDC before expiry");
    assertNotEquals(first.getAccessKeyId(), second.getAccessKeyId());
  }

  @Test
  void aRotatedTokenFileIsReadForTheNextExchange() throws Exception {
    RrsaCredentialsProvider provider = provider(ca.clientContext());
    provider.getCredentials();
    String rotated = OidcTokens.jwt("sts.aliyuncs.com", SUBJECT);
    OidcTokens.write(tokenFile, rotated);
    now.set(now.get().plus(Duration.ofHours(1)));
    provider.getCredentials();
    List<StsGrant> grants = sim.stsGrants();
    assertEquals(StsGrant.digestOf(rotated), grants.get(grants.size() - 1).tokenDigest());
  }

  @Test
  void keepsValidKeysWhileStsRefusesAndReportsStsErrorsWithoutTheToken() throws Exception {
    RrsaCredentialsProvider provider = provider(ca.clientContext());
    BasicSessionCredentials held = (BasicSessionCredentials) provider.getCredentials();
    Instant expiration = sim.stsGrants().get(sim.stsGrants().size() - 1).expiration();
    String good = java.nio.file.Files.readString(tokenFile);
    String wrongAudience = OidcTokens.jwt("kubernetes.default.svc", SUBJECT);
    OidcTokens.write(tokenFile, wrongAudience);
    try {
      // Refresh due but refused: the held keys are still valid, so they are used.
      now.set(expiration.minusSeconds(30));
      assertSame(held, provider.getCredentials());
      // Expired and still refused: the caller gets STS's error, never the token.
      now.set(expiration.plusSeconds(1));
      ClientException e = assertThrows(ClientException.class, provider::getCredentials);
      assertEquals("AuthenticationFail.OIDCToken.AudienceNotMatch", e.getErrCode());
      assertFalse(e.getMessage().contains(wrongAudience), "the token leaked into the error");
    } finally {
      OidcTokens.write(tokenFile, good);
    }
  }

  @Test
  void anStsEndpointWithAnUntrustedCertificateIsRefused() {
    // The JVM's default trust does not include the test CA: no keys from an unverified STS.
    RrsaCredentialsProvider provider = provider(null);
    ClientException e = assertThrows(ClientException.class, provider::getCredentials);
    assertEquals("SDK.ServerUnreachable", e.getErrCode());
  }

  @Test
  void configurationComesFromAckWebhookVariables() {
    assertTrue(
        RrsaCredentialsProvider.fromEnvironment(
                Map.of(), "", Duration.ofSeconds(1), Duration.ofSeconds(1))
            .isEmpty());
    Map<String, String> env =
        Map.of(
            RrsaCredentialsProvider.ENV_ROLE_ARN, ROLE,
            RrsaCredentialsProvider.ENV_OIDC_PROVIDER_ARN, OIDC_PROVIDER,
            RrsaCredentialsProvider.ENV_OIDC_TOKEN_FILE, tokenFile.toString());
    assertEquals(
        URI.create("https://sts.aliyuncs.com/"),
        RrsaCredentialsProvider.fromEnvironment(
                env, "", Duration.ofSeconds(1), Duration.ofSeconds(1))
            .orElseThrow()
            .stsEndpoint());
    assertEquals(
        URI.create("https://sts-vpc.cn-hangzhou.aliyuncs.com/"),
        RrsaCredentialsProvider.fromEnvironment(
                env,
                "sts-vpc.cn-hangzhou.aliyuncs.com",
                Duration.ofSeconds(1),
                Duration.ofSeconds(1))
            .orElseThrow()
            .stsEndpoint());
    assertThrows(
        IllegalArgumentException.class, () -> RrsaCredentialsProvider.stsUri("http://127.0.0.1:1"));
  }
}
