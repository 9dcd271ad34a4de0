package io.albjobs.simulator;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A second, independent signature-1.0 signer (written from the API doc, not from the simulator),
 * for requests the SDK cannot be made to send: GET, form bodies, stale timestamps, replays.
 */
final class RawSigner {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private RawSigner() {}

  /** The SDK's common parameters for ListAsynJobs, freshly stamped. */
  static Map<String, String> common(String accessKeyId) {
    Map<String, String> p = new TreeMap<>();
    p.put("Action", "ListAsynJobs");
    p.put("Version", "2020-06-16");
    p.put("Format", "JSON");
    p.put("RegionId", SdkCalls.REGION);
    p.put("AccessKeyId", accessKeyId);
    p.put("SignatureMethod", "HMAC-SHA1");
    p.put("SignatureVersion", "1.0");
    p.put("SignatureNonce", UUID.randomUUID().toString());
    p.put("Timestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    return p;
  }

  static String signature(String method, Map<String, String> params, String secret)
      throws Exception {
    StringJoiner canonical = new StringJoiner("&");
    new TreeMap<>(params).forEach((k, v) -> canonical.add(encode(k) + "=" + encode(v)));
    String toSign = method + "&%2F&" + encode(canonical.toString());
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec((secret + "&").getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    return Base64.getEncoder().encodeToString(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
  }

  static String query(Map<String, String> params) {
    StringJoiner query = new StringJoiner("&");
    params.forEach((k, v) -> query.add(encode(k) + "=" + encode(v)));
    return query.toString();
  }

  static HttpResponse<String> get(AlbSimulator sim, String query) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(sim.endpoint() + "/?" + query)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> postForm(AlbSimulator sim, String query, String form)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(sim.endpoint() + "/?" + query))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8)
        .replace("+", "%20")
        .replace("*", "%2A")
        .replace("%7E", "~");
  }
}
