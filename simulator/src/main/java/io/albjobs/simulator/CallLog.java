package io.albjobs.simulator;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts every request that reached the simulator (refused ones included) and keeps the last
 * {@value #CAPACITY} of them, stripped of anything secret, for tests and benchmarks to inspect.
 */
final class CallLog {
  static final int CAPACITY = 10_000;
  private static final String REDACTED = "<redacted>";

  private final AtomicLong total = new AtomicLong();
  private final Map<String, LongAdder> byAccessKey = new ConcurrentHashMap<>();
  private final Deque<RecordedCall> recent = new ArrayDeque<>();

  void record(Instant at, Map<String, String> params, int httpStatus, String errorCode) {
    String keyId = params.getOrDefault("AccessKeyId", "");
    Map<String, String> safe = new HashMap<>(params);
    safe.remove("Signature");
    safe.computeIfPresent("SecurityToken", (k, v) -> REDACTED);
    safe.computeIfPresent("OIDCToken", (k, v) -> REDACTED);
    RecordedCall call =
        new RecordedCall(at, keyId, params.getOrDefault("Action", ""), safe, httpStatus, errorCode);
    total.incrementAndGet();
    byAccessKey.computeIfAbsent(keyId, k -> new LongAdder()).increment();
    synchronized (recent) {
      recent.addLast(call);
      if (recent.size() > CAPACITY) {
        recent.removeFirst();
      }
    }
  }

  long count() {
    return total.get();
  }

  long count(String accessKeyId) {
    LongAdder adder = byAccessKey.get(accessKeyId);
    return adder == null ? 0 : adder.sum();
  }

  List<RecordedCall> calls() {
    synchronized (recent) {
      return List.copyOf(recent);
    }
  }

  void reset() {
    synchronized (recent) {
      recent.clear();
      total.set(0);
      byAccessKey.clear();
    }
  }
}
