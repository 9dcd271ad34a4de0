package io.albjobs.simulator;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates an RPC request signed with signature version 1.0 (HMAC-SHA1), in the order a
 * gateway can: parameters present, timestamp fresh, key known, STS token matching, signature right,
 * nonce unused. The nonce is spent only after the signature checks out, so nobody can burn another
 * caller's nonces. Timestamps are judged by the real clock, never the job clock.
 */
final class SignatureVerifier {
  static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(15);

  private final Map<String, SimAccount> accountsByKeyId;
  private final NonceCache nonces;
  private final Clock realClock;

  /** When temporary (STS) keys stop being accepted, by key id; permanent keys have none. */
  private final Map<String, java.time.Instant> expiries =
      new java.util.concurrent.ConcurrentHashMap<>();

  SignatureVerifier(Map<String, SimAccount> accountsByKeyId, NonceCache nonces, Clock realClock) {
    this.accountsByKeyId = accountsByKeyId;
    this.nonces = nonces;
    this.realClock = realClock;
  }

  Map<String, java.time.Instant> expiries() {
    return expiries;
  }

  SimAccount verify(WireRequest request) {
    Map<String, String> p = request.params();
    String signature = p.get("Signature");
    if (signature == null || signature.isEmpty()) {
      throw new AlbError(
          400,
          "IncompleteSignature",
          "The request signature does not conform to Aliyun standards.");
    }
    for (String name : new String[] {"AccessKeyId", "SignatureNonce", "Timestamp"}) {
      if (p.get(name) == null || p.get(name).isEmpty()) {
        throw AlbError.missingParam(name);
      }
    }
    if (!"HMAC-SHA1".equals(p.get("SignatureMethod")) || !"1.0".equals(p.get("SignatureVersion"))) {
      throw new AlbError(
          400,
          "IncompleteSignature",
          "Only SignatureMethod HMAC-SHA1 with SignatureVersion 1.0 is supported.");
    }
    checkTimestamp(p.get("Timestamp"));
    SimAccount account = accountsByKeyId.get(p.get("AccessKeyId"));
    if (account == null) {
      throw new AlbError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
    }
    if (account.isSts() && !account.securityToken().equals(p.get("SecurityToken"))) {
      throw new AlbError(
          400,
          "InvalidSecurityToken.MismatchWithAccessKey",
          "The security token you provided does not match the access key.");
    }
    java.time.Instant expiry = expiries.get(account.accessKeyId());
    if (expiry != null && !realClock.instant().isBefore(expiry)) {
      throw new AlbError(
          400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.");
    }
    String stringToSign = stringToSign(request.method(), p);
    String expected = sign(stringToSign, account.accessKeySecret());
    if (!MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8))) {
      // Like ALB, echo the server's string to sign (it holds no secret) to help debug clients.
      throw new AlbError(
          400,
          "SignatureDoesNotMatch",
          "Specified signature is not matched with our calculation. server string to sign is:"
              + stringToSign);
    }
    if (!nonces.firstUse(account.accessKeyId(), p.get("SignatureNonce"))) {
      throw new AlbError(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
    }
    return account;
  }

  /** {@code METHOD&%2F&percentEncode(sorted name=value pairs)}, every parameter but Signature. */
  static String stringToSign(String method, Map<String, String> params) {
    StringBuilder canonical = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(params).entrySet()) {
      if (e.getKey().equals("Signature")) {
        continue;
      }
      if (canonical.length() > 0) {
        canonical.append('&');
      }
      canonical.append(percentEncode(e.getKey())).append('=').append(percentEncode(e.getValue()));
    }
    return method + "&" + percentEncode("/") + "&" + percentEncode(canonical.toString());
  }

  static String sign(String stringToSign, String accessKeySecret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      byte[] key = (accessKeySecret + "&").getBytes(StandardCharsets.UTF_8);
      mac.init(new SecretKeySpec(key, "HmacSHA1"));
      byte[] raw = mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(raw);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is not available", e);
    }
  }

  /** RFC 3986 encoding as Alibaba Cloud's RPC signing defines it. */
  static String percentEncode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8)
        .replace("+", "%20")
        .replace("*", "%2A")
        .replace("%7E", "~");
  }

  private void checkTimestamp(String timestamp) {
    Instant at;
    try {
      at = Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      throw new AlbError(
          400,
          "InvalidTimeStamp.Format",
          "Specified time stamp or date value is not well formatted (yyyy-MM-ddTHH:mm:ssZ, UTC).");
    }
    Duration skew = Duration.between(realClock.instant(), at).abs();
    if (skew.compareTo(MAX_CLOCK_SKEW) > 0) {
      throw new AlbError(
          400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
    }
  }
}
