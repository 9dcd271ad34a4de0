package io.albjobs.operator.alb;

import com.aliyuncs.auth.AlibabaCloudCredentials;
import com.aliyuncs.auth.AlibabaCloudCredentialsProvider;
import com.aliyuncs.auth.BasicSessionCredentials;
import com.aliyuncs.exceptions.ClientException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RRSA (RAM Roles for Service Accounts, ACK's OIDC federation): exchanges the pod's projected
 * ServiceAccount token for temporary keys at STS ({@code AssumeRoleWithOIDC}) and hands those keys
 * to the SDK's signer.
 *
 * <p>Why not the SDK's own {@code OIDCCredentialsProvider} (aliyun-java-sdk-core 4.7.x): it only
 * reaches {@code sts[-vpc].<region>.aliyuncs.com} on port 443 (no endpoint setting, so no private
 * or relayed STS), and it refreshes at 95% of the duration it asked for, ignoring the {@code
 * Expiration} STS answers (a role whose maximum session is shorter than the request would expire
 * before the refresh). This provider takes any STS endpoint, refreshes at {@code Expiration} minus
 * a margin, reads the token file again for every exchange (the kubelet rotates it), and keeps using
 * still-valid keys while STS cannot be reached.
 *
 * <p>Neither the token nor the keys are ever logged or put into an exception message.
 */
public final class RrsaCredentialsProvider implements AlibabaCloudCredentialsProvider {
  private static final Logger LOG = LoggerFactory.getLogger(RrsaCredentialsProvider.class);

  public static final String ENV_ROLE_ARN = "ALIBABA_CLOUD_ROLE_ARN";
  public static final String ENV_OIDC_PROVIDER_ARN = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
  public static final String ENV_OIDC_TOKEN_FILE = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
  public static final String ENV_ROLE_SESSION_NAME = "ALIBABA_CLOUD_ROLE_SESSION_NAME";
  public static final String DEFAULT_STS_ENDPOINT = "https://sts.aliyuncs.com";
  static final String ACTION = "AssumeRoleWithOIDC";
  static final String VERSION = "2015-04-01";

  /** What the operator asks for; STS may answer with a shorter life (the role's maximum). */
  static final int DURATION_SECONDS = 3600;

  private static final Duration MAX_MARGIN = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String roleArn;
  private final String oidcProviderArn;
  private final Path tokenFile;
  private final String sessionName;
  private final URI stsEndpoint;
  private final Duration readTimeout;
  private final HttpClient http;
  private final Clock clock;
  private BasicSessionCredentials current;
  private Instant expiration;
  private Instant refreshAt;

  RrsaCredentialsProvider(
      String roleArn,
      String oidcProviderArn,
      Path tokenFile,
      String sessionName,
      URI stsEndpoint,
      Duration connectTimeout,
      Duration readTimeout,
      Clock clock,
      javax.net.ssl.SSLContext tls) {
    this.roleArn = roleArn;
    this.oidcProviderArn = oidcProviderArn;
    this.tokenFile = tokenFile;
    this.sessionName = sessionName;
    this.stsEndpoint = stsEndpoint;
    this.readTimeout = readTimeout;
    this.clock = clock;
    // The JVM's default trust (javax.net.ssl.trustStore) unless a test passes its own context;
    // certificates are always verified.
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout);
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.http = builder.build();
  }

  /**
   * The provider RRSA's environment asks for, when {@code ALIBABA_CLOUD_ROLE_ARN}, {@code
   * ALIBABA_CLOUD_OIDC_PROVIDER_ARN} and {@code ALIBABA_CLOUD_OIDC_TOKEN_FILE} are all set (ACK's
   * webhook injects them); empty otherwise. {@code stsEndpoint} empty means {@value
   * #DEFAULT_STS_ENDPOINT}; a bare host means HTTPS.
   */
  public static Optional<RrsaCredentialsProvider> fromEnvironment(
      Map<String, String> env, String stsEndpoint, Duration connectTimeout, Duration readTimeout) {
    String role = env.get(ENV_ROLE_ARN);
    String provider = env.get(ENV_OIDC_PROVIDER_ARN);
    String file = env.get(ENV_OIDC_TOKEN_FILE);
    if (blank(role) || blank(provider) || blank(file)) {
      return Optional.empty();
    }
    String session = env.get(ENV_ROLE_SESSION_NAME);
    if (blank(session)) {
      session = "alb-asyncjob-operator-" + System.currentTimeMillis();
    }
    return Optional.of(
        new RrsaCredentialsProvider(
            role.trim(),
            provider.trim(),
            Path.of(file.trim()),
            session,
            stsUri(stsEndpoint),
            connectTimeout,
            readTimeout,
            Clock.systemUTC(),
            null));
  }

  static URI stsUri(String endpoint) {
    String e = blank(endpoint) ? DEFAULT_STS_ENDPOINT : endpoint.trim();
    if (!e.contains("://")) {
      e = "https://" + e;
    }
    URI uri = URI.create(e.endsWith("/") ? e : e + "/");
    if (!"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException(
          "the STS endpoint must use https (it returns secret keys): " + endpoint);
    }
    return uri;
  }

  public URI stsEndpoint() {
    return stsEndpoint;
  }

  @Override
  public synchronized AlibabaCloudCredentials getCredentials() throws ClientException {
    Instant now = clock.instant();
    if (current != null && now.isBefore(refreshAt)) {
      return current;
    }
    try {
      exchange(now);
    } catch (ClientException e) {
      if (current != null && now.isBefore(expiration)) {
        // STS is down or refused the refresh: the keys we hold still work until they expire.
        LOG.warn(
            "RRSA: refreshing the temporary keys failed ({}); the current ones expire at {}",
            e.getErrCode(),
            expiration);
        return current;
      }
      throw e;
    }
    return current;
  }

  private void exchange(Instant now) throws ClientException {
    String token;
    try {
      token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new ClientException(
          "RRSA.TokenFileUnreadable",
          "cannot read the OIDC token file " + tokenFile + " (" + ENV_OIDC_TOKEN_FILE + "): " + e);
    }
    if (token.isEmpty()) {
      throw new ClientException(
          "RRSA.TokenFileEmpty", "the OIDC token file " + tokenFile + " is empty");
    }
    Map<String, String> form = new LinkedHashMap<>();
    form.put("Action", ACTION);
    form.put("Format", "JSON");
    form.put("Version", VERSION);
    form.put("Timestamp", now.truncatedTo(ChronoUnit.SECONDS).toString());
    form.put("RoleArn", roleArn);
    form.put("OIDCProviderArn", oidcProviderArn);
    form.put("OIDCToken", token);
    form.put("RoleSessionName", sessionName);
    form.put("DurationSeconds", Integer.toString(DURATION_SECONDS));
    String body =
        form.entrySet().stream()
            .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
            .collect(Collectors.joining("&"));
    HttpRequest request =
        HttpRequest.newBuilder(stsEndpoint)
            .timeout(readTimeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("x-acs-request-id", UUID.randomUUID().toString())
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ClientException(
          "SDK.ServerUnreachable", "RRSA: STS at " + stsEndpoint + " is unreachable: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientException("SDK.ServerUnreachable", "RRSA: interrupted while calling STS");
    }
    JsonNode answer;
    try {
      answer = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new ClientException(
          "RRSA.StsAnswerUnreadable",
          "RRSA: STS at "
              + stsEndpoint
              + " answered HTTP "
              + response.statusCode()
              + " with a body that is not JSON");
    }
    if (response.statusCode() != 200 || !answer.has("Credentials")) {
      String code = answer.path("Code").asText("HTTP" + response.statusCode());
      throw new ClientException(
          code,
          "RRSA: AssumeRoleWithOIDC of "
              + roleArn
              + " refused: "
              + answer.path("Message").asText(""),
          answer.path("RequestId").asText(null));
    }
    JsonNode c = answer.get("Credentials");
    String keyId = c.path("AccessKeyId").asText("");
    String secret = c.path("AccessKeySecret").asText("");
    String securityToken = c.path("SecurityToken").asText("");
    Instant expires;
    try {
      expires = Instant.parse(c.path("Expiration").asText(""));
    } catch (DateTimeParseException e) {
      expires = now.plusSeconds(DURATION_SECONDS);
    }
    if (keyId.isEmpty() || secret.isEmpty() || securityToken.isEmpty()) {
      throw new ClientException(
          "RRSA.StsAnswerIncomplete", "RRSA: STS answered without temporary keys");
    }
    Duration life = Duration.between(now, expires);
    // Refresh a fifth of the life before expiry, at most 3 minutes before (never after it).
    Duration margin =
        life.isNegative()
            ? Duration.ZERO
            : life.dividedBy(5).compareTo(MAX_MARGIN) < 0 ? life.dividedBy(5) : MAX_MARGIN;
    current =
        new BasicSessionCredentials(keyId, secret, securityToken, Math.max(1, life.toSeconds()));
    expiration = expires;
    refreshAt = expires.minus(margin);
    LOG.info(
        "RRSA: assumed {} through STS at {}; the temporary keys expire at {}, refresh at {}",
        roleArn,
        stsEndpoint,
        expires,
        refreshAt);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  @Override
  public String toString() {
    return "RrsaCredentialsProvider[" + roleArn + " via " + stsEndpoint + "]";
  }
}
