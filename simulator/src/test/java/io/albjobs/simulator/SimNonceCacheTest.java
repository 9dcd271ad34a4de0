package io.albjobs.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SimNonceCacheTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final NonceCache cache = new NonceCache(clock, Duration.ofMinutes(15), 3);

  @Test
  void aNonceIsRefusedWithinTheWindowAndPerKey() {
    assertTrue(cache.firstUse("key-a", "n1"));
    assertTrue(cache.firstUse("key-b", "n1"), "another key may use the same nonce");
    clock.advance(Duration.ofMinutes(14));
    assertFalse(cache.firstUse("key-a", "n1"));
  }

  @Test
  void aNonceExpiresAfterTheWindowAndTheCacheStaysBounded() {
    cache.firstUse("key-a", "n1");
    clock.advance(Duration.ofMinutes(16));
    assertTrue(cache.firstUse("key-a", "n1"));

    cache.firstUse("key-a", "n2");
    cache.firstUse("key-a", "n3");
    cache.firstUse("key-a", "n4");
    assertEquals(3, cache.size());
  }
}
