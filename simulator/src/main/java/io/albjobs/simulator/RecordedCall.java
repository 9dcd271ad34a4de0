package io.albjobs.simulator;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request the simulator received, for assertions on what a client sent: when (job clock), with
 * which AccessKeyId and Action, which parameters (never {@code Signature}; {@code SecurityToken}
 * redacted), and the answer ({@code httpStatus} {@value #NO_RESPONSE} with code {@value
 * #CONNECTION_RESET} when the connection was reset; {@code errorCode} {@code null} on success).
 */
public record RecordedCall(
    Instant at,
    String accessKeyId,
    String action,
    Map<String, String> params,
    int httpStatus,
    String errorCode) {

  public static final int NO_RESPONSE = 0;
  public static final String CONNECTION_RESET = "ConnectionReset";

  public RecordedCall {
    // Sorted, as in the string to sign, so that a printed call is easy to read.
    params = Collections.unmodifiableMap(new TreeMap<>(params));
  }

  public boolean succeeded() {
    return httpStatus == 200 && errorCode == null;
  }
}
