package io.albjobs.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers each {@code SignatureNonce} per AccessKeyId for the replay window, so that a captured
 * request cannot be sent again. Entries are kept in arrival order, which lets expiry drop them from
 * the head; the size cap only matters if a benchmark outruns the window.
 */
final class NonceCache {
  private final Clock clock;
  private final Duration window;
  private final int maxEntries;
  private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

  NonceCache(Clock clock, Duration window, int maxEntries) {
    this.clock = clock;
    this.window = window;
    this.maxEntries = maxEntries;
  }

  /** Records the nonce; {@code false} if this key already used it within the window. */
  synchronized boolean firstUse(String accessKeyId, String nonce) {
    Instant now = clock.instant();
    expire(now);
    String key = accessKeyId + '\n' + nonce;
    if (seen.containsKey(key)) {
      return false;
    }
    seen.put(key, now);
    if (seen.size() > maxEntries) {
      Iterator<String> eldest = seen.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
    return true;
  }

  synchronized int size() {
    return seen.size();
  }

  private void expire(Instant now) {
    Instant cutoff = now.minus(window);
    Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
    while (it.hasNext() && it.next().getValue().isBefore(cutoff)) {
      it.remove();
    }
  }
}
