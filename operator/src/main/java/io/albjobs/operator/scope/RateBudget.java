package io.albjobs.operator.scope;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The call budget shared by every call of one account scope. Two limits hold together: a sliding
 * one-second window never holds more than {@code qps} calls (so no one-second window of ALB's quota
 * is ever exceeded, whatever the timing), and a token bucket lets at most {@code burst} calls go at
 * once. A throttled answer pauses the whole budget.
 */
public final class RateBudget {
  private final long windowNanos;
  private final int perWindow;
  private final double refillPerNano;
  private final double burst;
  private final LongSupplier nanoClock;
  private final ArrayDeque<Long> granted = new ArrayDeque<>();
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
    // Below one call per second the window stretches: 0.5/s is one call per two seconds.
    this.windowNanos = qps >= 1 ? 1_000_000_000L : (long) (1e9 / qps);
    this.perWindow = qps >= 1 ? (int) Math.floor(qps) : 1;
    this.refillPerNano = qps / 1e9;
    this.burst = Math.min(burst, perWindow);
    this.nanoClock = nanoClock;
    this.tokens = this.burst;
    this.lastRefill = nanoClock.getAsLong();
    this.pausedUntil = lastRefill;
  }

  /**
   * Takes one call from the budget, waiting for it up to {@code maxWait}.
   *
   * @return false if no call could be had in time (the caller postpones its poll)
   */
  public boolean acquire(Duration maxWait) throws InterruptedException {
    return acquireAt(maxWait) >= 0;
  }

  /** As {@link #acquire}, returning the clock reading at which the call was granted, or -1. */
  long acquireAt(Duration maxWait) throws InterruptedException {
    long deadline = nanoClock.getAsLong() + maxWait.toNanos();
    while (true) {
      long waitNanos;
      synchronized (this) {
        long now = nanoClock.getAsLong();
        waitNanos = waitFor(now);
        if (waitNanos == 0) {
          tokens -= 1;
          granted.addLast(now);
          return now;
        }
        if (now + waitNanos > deadline) {
          return -1;
        }
      }
      Thread.sleep(Math.max(1, (waitNanos + 999_999) / 1_000_000));
    }
  }

  /** Nanoseconds until a call may go (0 = now). */
  private long waitFor(long now) {
    tokens = Math.min(burst, tokens + (now - lastRefill) * refillPerNano);
    lastRefill = now;
    while (!granted.isEmpty() && granted.peekFirst() <= now - windowNanos) {
      granted.pollFirst();
    }
    long wait = Math.max(0, pausedUntil - now);
    if (granted.size() >= perWindow) {
      wait = Math.max(wait, granted.peekFirst() + windowNanos - now + 1);
    }
    if (tokens < 1) {
      wait = Math.max(wait, (long) Math.ceil((1 - tokens) / refillPerNano));
    }
    return wait;
  }

  /** Stops all calls of the scope for {@code pause} (after a throttled answer). */
  public synchronized void pause(Duration pause) {
    long until = nanoClock.getAsLong() + pause.toNanos();
    pausedUntil = Math.max(pausedUntil, until);
    tokens = Math.min(tokens, 0);
  }
}
