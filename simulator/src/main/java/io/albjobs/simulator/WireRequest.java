package io.albjobs.simulator;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An RPC request as it arrived: HTTP method, the parameters from the query string and from an
 * {@code application/x-www-form-urlencoded} body (both are signed), and the Host header. The Java
 * SDK sends POST with every parameter in the query string and an empty form body.
 */
record WireRequest(String method, Map<String, String> params, String host) {

  static WireRequest read(HttpExchange exchange) throws IOException {
    Map<String, String> params = new HashMap<>();
    parseInto(exchange.getRequestURI().getRawQuery(), params);
    byte[] body = exchange.getRequestBody().readAllBytes();
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (body.length > 0
        && contentType != null
        && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      parseInto(new String(body, StandardCharsets.UTF_8), params);
    }
    String host = exchange.getRequestHeaders().getFirst("Host");
    return new WireRequest(
        exchange.getRequestMethod().toUpperCase(Locale.ROOT), params, host == null ? "" : host);
  }

  private static void parseInto(String encoded, Map<String, String> params) {
    if (encoded == null || encoded.isEmpty()) {
      return;
    }
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.put(decode(name), decode(value));
    }
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new AlbError(400, "InvalidParameter", "The request is not correctly URL-encoded.");
    }
  }
}
