package io.albjobs.operator.scope;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter, capped. */
public final class Backoff {
  private final Duration base;
  private final Duration max;

  public Backoff(Duration base, Duration max) {
    this.base = base;
    this.max = max;
  }

  /** The wait before retry number {@code attempt} (1-based): a random value in [d/2, d]. */
  public Duration delay(int attempt) {
    long cap = max.toMillis();
    long exp = base.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
    long d = Math.min(cap, exp <= 0 ? cap : exp);
    return Duration.ofMillis(d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1));
  }

  /** {@code interval} spread by ±{@code fraction} so that many pollers do not align. */
  public static Duration jitter(Duration interval, double fraction) {
    long ms = interval.toMillis();
    long spread = (long) (ms * fraction);
    if (spread <= 0) {
      return interval;
    }
    return Duration.ofMillis(ms - spread + ThreadLocalRandom.current().nextLong(2 * spread + 1));
  }
}
