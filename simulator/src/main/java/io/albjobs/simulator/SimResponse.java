package io.albjobs.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the simulator sends back: status, JSON body and, for errors, ALB's error code. */
record SimResponse(int httpStatus, String body, String errorCode) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static SimResponse ok(Map<String, Object> body) {
    return new SimResponse(200, toJson(body), null);
  }

  /** ALB's error shape, {@code Recommend} pointing at the diagnosis page as the real one does. */
  static SimResponse error(AlbError error, String requestId, String hostId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("RequestId", requestId);
    body.put("HostId", hostId);
    body.put("Code", error.code());
    body.put("Message", error.getMessage());
    body.put(
        "Recommend",
        "https://api.aliyun.com/troubleshoot?q="
            + error.code()
            + "&product=Alb&requestId="
            + requestId);
    return new SimResponse(error.httpStatus(), toJson(body), error.code());
  }

  /** The same response cut off half-way, as a broken proxy would leave it. */
  SimResponse truncated() {
    String half = body.substring(0, Math.max(1, body.length() / 2));
    return new SimResponse(httpStatus, half, errorCode);
  }

  byte[] bytes() {
    return body.getBytes(StandardCharsets.UTF_8);
  }

  private static String toJson(Map<String, Object> body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render simulator response", e);
    }
  }
}
