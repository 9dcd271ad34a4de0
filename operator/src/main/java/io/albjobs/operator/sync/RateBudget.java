package io.albjobs.operator.sync;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket shared by every call of one account scope: {@code qps} calls per second on
 * average and at most {@code burst} at once, so no one-second window holds more than
 * {@code qps + burst} calls. A throttled answer pauses the whole bucket.
 */
public final class RateBudget {
  private final double qps;
  private final double burst;
  private final LongSupplier nanoClock;
  private double tokens;
  private long lastRefill;
  private long pausedUntil;

  public RateBudget(double qps, int burst) {
    this(qps, burst, System::nanoTime);
  }

  RateBudget(double qps, int burst, LongSupplier nanoClock) {
    if (qps <= 0 || burst < 1) {
      throw new IllegalArgumentException("qps must be > 0 and burst >= 1");
    }
    this.qps = qps;
    this.burst = burst;
    this.nanoClock = nanoClock;
    this.tokens = burst;
    this.lastRefill = nanoClock.getAsLong();
    this.pausedUntil = lastRefill;
  }

  /**
   * Takes one token, waiting for it up to {@code maxWait}.
   *
   * @return false if no token could be had in time (the caller skips this poll)
   */
  public boolean acquire(Duration maxWait) throws InterruptedException {
    long deadline = nanoClock.getAsLong() + maxWait.toNanos();
    while (true) {
      long waitNanos;
      synchronized (this) {
        long now = nanoClock.getAsLong();
        refill(now);
        if (now >= pausedUntil && tokens >= 1) {
          tokens -= 1;
          return true;
        }
        long untilToken = tokens >= 1 ? 0 : (long) ((1 - tokens) / qps * 1e9);
        waitNanos = Math.max(pausedUntil - now, untilToken);
        if (now + waitNanos > deadline) {
          return false;
        }
      }
      Thread.sleep(Math.max(1, waitNanos / 1_000_000));
    }
  }

  /** Stops all calls of the scope for {@code pause} (after a throttled answer). */
  public synchronized void pause(Duration pause) {
    long until = nanoClock.getAsLong() + pause.toNanos();
    pausedUntil = Math.max(pausedUntil, until);
    tokens = Math.min(tokens, 0);
  }

  private void refill(long now) {
    double add = (now - lastRefill) / 1e9 * qps;
    tokens = Math.min(burst, tokens + add);
    lastRefill = now;
  }
}
