package io.albjobs.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * STS's {@code AssumeRoleWithOIDC} (version {@code 2015-04-01}) as RRSA uses it: an anonymous RPC
 * call (no AccessKey signature) carrying the pod's projected ServiceAccount token. The token must
 * be a JWT for the audience {@value #AUDIENCE}; when the simulator can read the token file, the
 * file's current content (as STS checks a token's signature and expiry, a stale token after a
 * rotation is refused here); when it cannot (a pod's projected volume), a JWT whose {@code sub} is
 * the expected ServiceAccount, as a role's trust policy requires. The answer carries temporary keys
 * ({@code STS.} key id, secret, security token) that the simulator then accepts for ALB calls until
 * their {@code Expiration}.
 */
final class StsHandler {
  static final String ACTION = "AssumeRoleWithOIDC";
  static final String VERSION = "2015-04-01";
  static final String AUDIENCE = "sts.aliyuncs.com";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String accountId;
  private final String roleArn;
  private final String oidcProviderArn;
  private final Path tokenFile;
  private final String subject;
  private final Duration lifetime;
  private final Clock realClock;
  private final Consumer<SimAccount> register;
  private final Map<String, Instant> expiries;
  private final List<StsGrant> issued = new ArrayList<>();

  StsHandler(
      String accountId,
      String roleArn,
      String oidcProviderArn,
      Path tokenFile,
      String subject,
      Duration lifetime,
      Clock realClock,
      Consumer<SimAccount> register,
      Map<String, Instant> expiries) {
    this.accountId = accountId;
    this.roleArn = roleArn;
    this.oidcProviderArn = oidcProviderArn;
    this.tokenFile = tokenFile;
    this.subject = subject;
    this.lifetime = lifetime;
    this.realClock = realClock;
    this.register = register;
    this.expiries = expiries;
  }

  Map<String, Object> handle(Map<String, String> p) {
    if (!VERSION.equals(p.get("Version"))) {
      throw new AlbError(400, "InvalidVersion", "Specified parameter Version is not valid.");
    }
    for (String name : new String[] {"RoleArn", "OIDCProviderArn", "RoleSessionName"}) {
      if (p.get(name) == null || p.get(name).isEmpty()) {
        throw AlbError.missingParam(name);
      }
    }
    String token = p.get("OIDCToken");
    if (token == null || token.isEmpty()) {
      throw new AlbError(
          401, "AuthenticationFail.OIDCToken.Invalid", "The OIDCToken can not empty.");
    }
    if (!oidcProviderArn.equals(p.get("OIDCProviderArn"))) {
      throw new AlbError(
          401, "AuthenticationFail.NoPermission", "No such OIDC Provider registered.");
    }
    if (!roleArn.equals(p.get("RoleArn"))) {
      throw new AlbError(404, "EntityNotExist.Role", "The role not exists: " + p.get("RoleArn"));
    }
    String[] parts = token.split("\\.");
    if (parts.length != 3) {
      throw new AlbError(
          401,
          "AuthenticationFail.OIDCToken.Invalid",
          "The number of Jwt field should be divided into 3 parts with '.' .");
    }
    if (!audienceMatches(parts[1])) {
      throw new AlbError(401, "AuthenticationFail.OIDCToken.AudienceNotMatch", "Invalid audience.");
    }
    if (subject != null && !subject.equals(claim(parts[1], "sub"))) {
      // What a RAM role's trust policy checks with its oidc:sub condition.
      throw new AlbError(403, "AuthenticationFail.NoPermission", "There is no permission");
    }
    if (tokenFile != null && !token.equals(currentToken())) {
      // Stands for STS's signature and expiry checks: only the file's current token is valid.
      throw new AlbError(
          401,
          "AuthenticationFail.OIDCToken.InvalidSignature",
          "OIDC token validate failed: invalid signature.");
    }
    long requested;
    try {
      requested = Long.parseLong(p.getOrDefault("DurationSeconds", "3600"));
    } catch (NumberFormatException e) {
      throw AlbError.invalidParameter("DurationSeconds", "not a number");
    }
    if (requested < 900 || requested > 43200) {
      throw new AlbError(
          400,
          "InvalidParameter.DurationSeconds",
          "The parameter DurationSeconds is out of range [900, MaxSessionDuration].");
    }
    Instant now = realClock.instant().truncatedTo(ChronoUnit.SECONDS);
    Duration life = lifetime != null ? lifetime : Duration.ofSeconds(requested);
    Instant expiration = now.plus(life);
    String keyId = "STS.NT" + random(12);
    String secret = random(24);
    String securityToken = "CAIS" + random(48);
    register.accept(new SimAccount(accountId, keyId, secret, securityToken));
    expiries.put(keyId, expiration);
    synchronized (issued) {
      issued.add(new StsGrant(now, keyId, expiration, digest(token)));
    }
    String session = p.get("RoleSessionName");
    Map<String, Object> credentials = new LinkedHashMap<>();
    credentials.put("AccessKeyId", keyId);
    credentials.put("AccessKeySecret", secret);
    credentials.put("SecurityToken", securityToken);
    credentials.put("Expiration", expiration.toString());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(
        "AssumedRoleUser",
        Map.of(
            "AssumedRoleId", "3" + random(8) + ":" + session,
            "Arn", roleArn + "/" + session));
    body.put(
        "OIDCTokenInfo",
        Map.of(
            "Subject", claim(parts[1], "sub"),
            "Issuer", claim(parts[1], "iss"),
            "ClientIds", AUDIENCE));
    body.put("Credentials", credentials);
    return body;
  }

  List<StsGrant> issued() {
    synchronized (issued) {
      return List.copyOf(issued);
    }
  }

  private String currentToken() {
    try {
      return Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean audienceMatches(String payload) {
    JsonNode aud = payload(payload).path("aud");
    if (aud.isTextual()) {
      return AUDIENCE.equals(aud.asText());
    }
    for (JsonNode a : aud) {
      if (AUDIENCE.equals(a.asText())) {
        return true;
      }
    }
    return false;
  }

  private static String claim(String payload, String name) {
    return payload(payload).path(name).asText("");
  }

  private static JsonNode payload(String part) {
    try {
      return JSON.readTree(Base64.getUrlDecoder().decode(part));
    } catch (IOException | IllegalArgumentException e) {
      throw new AlbError(
          401,
          "AuthenticationFail.OIDCToken.Invalid",
          "The Jwt content is invalid that cannot be recognized.");
    }
  }

  /** A short one-way digest of a token, so tests can tell tokens apart without seeing them. */
  static String digest(String token) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String random(int chars) {
    byte[] b = new byte[chars];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(b)
        .substring(0, chars)
        .replace('-', 'x')
        .replace('_', 'y');
  }
}
