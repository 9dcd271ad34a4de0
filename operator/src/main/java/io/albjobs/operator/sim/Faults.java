package io.albjobs.operator.sim;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault injection for the simulator, all off by default and safe to change while requests are in
 * flight. "Next n" faults hit the next n calls; rates draw from a seedable {@link Random} (seed
 * {@value #DEFAULT_SEED} unless {@link #seed} is called) so a test run is repeatable.
 *
 * <p>Order within one call: latency, connection reset, authentication, denied account,
 * throttling, server error, then the real answer (possibly truncated by {@code malformedNext}).
 */
public final class Faults {
  public static final long DEFAULT_SEED = 1L;

  private final AtomicInteger throttleNext = new AtomicInteger();
  private final AtomicInteger serviceUnavailableNext = new AtomicInteger();
  private final AtomicInteger internalErrorNext = new AtomicInteger();
  private final AtomicInteger malformedNext = new AtomicInteger();
  private final AtomicInteger resetNext = new AtomicInteger();
  private final Set<String> deniedAccounts = ConcurrentHashMap.newKeySet();
  private final Set<String> throttledAccounts = ConcurrentHashMap.newKeySet();
  private volatile double throttleRate;
  private volatile double serverErrorRate;
  private volatile Duration latency = Duration.ZERO;
  private volatile boolean repeatNextToken;
  private volatile boolean oversizePage;
  private volatile Random random = new Random(DEFAULT_SEED);

  /** The next {@code n} calls get 400 {@code Throttling.User}. */
  public Faults throttleNext(int n) {
    throttleNext.set(n);
    return this;
  }

  /** Each call is throttled with probability {@code p}. */
  public Faults throttleRate(double p) {
    throttleRate = probability(p);
    return this;
  }

  /** The next {@code n} calls get 503 {@code ServiceUnavailable}. */
  public Faults serverErrorNext(int n) {
    serviceUnavailableNext.set(n);
    return this;
  }

  /** The next {@code n} calls get 500 {@code InternalError}. */
  public Faults internalErrorNext(int n) {
    internalErrorNext.set(n);
    return this;
  }

  /** Each call fails with probability {@code p}: 503 or 500, evenly. */
  public Faults serverErrorRate(double p) {
    serverErrorRate = probability(p);
    return this;
  }

  /** Every call waits this long before it is handled (client read timeouts apply). */
  public Faults latency(Duration d) {
    latency = Objects.requireNonNull(d);
    return this;
  }

  /** The next {@code n} successful answers are 200 with a truncated JSON body. */
  public Faults malformedNext(int n) {
    malformedNext.set(n);
    return this;
  }

  /** The next {@code n} calls see the connection closed without any response. */
  public Faults resetNext(int n) {
    resetNext.set(n);
    return this;
  }

  /** Calls with this account's keys get 403 {@code Forbidden.RAM}, as without a RAM policy. */
  public Faults denyAccount(String accountId) {
    deniedAccounts.add(accountId);
    return this;
  }

  /** Every call of this account is throttled (its quota is used up by someone else). */
  public Faults throttleAccount(String accountId) {
    throttledAccounts.add(accountId);
    return this;
  }

  public Faults allowAccount(String accountId) {
    throttledAccounts.remove(accountId);
    deniedAccounts.remove(accountId);
    return this;
  }

  /** Every page carries a {@code NextToken}, always the same one: paging never ends. */
  public Faults repeatNextToken(boolean on) {
    repeatNextToken = on;
    return this;
  }

  /** Pages hold one more job than {@code MaxResults} asked for (when there are that many). */
  public Faults oversizePage(boolean on) {
    oversizePage = on;
    return this;
  }

  public Faults seed(long seed) {
    random = new Random(seed);
    return this;
  }

  /** Turns every fault off and restores the default seed. */
  public Faults clear() {
    for (AtomicInteger counter :
        new AtomicInteger[] {
          throttleNext, serviceUnavailableNext, internalErrorNext, malformedNext, resetNext
        }) {
      counter.set(0);
    }
    deniedAccounts.clear();
    throttledAccounts.clear();
    throttleRate = 0;
    serverErrorRate = 0;
    latency = Duration.ZERO;
    repeatNextToken = false;
    oversizePage = false;
    random = new Random(DEFAULT_SEED);
    return this;
  }

  Duration latency() {
    return latency;
  }

  boolean takeReset() {
    return take(resetNext);
  }

  boolean isDenied(String accountId) {
    return deniedAccounts.contains(accountId);
  }

  boolean takeThrottle(String accountId) {
    return throttledAccounts.contains(accountId) || take(throttleNext) || draw(throttleRate);
  }

  /** The server error this call should get, or {@code null}. */
  AlbError takeServerError() {
    if (take(serviceUnavailableNext)) {
      return AlbError.serviceUnavailable();
    }
    if (take(internalErrorNext)) {
      return AlbError.internalError();
    }
    if (draw(serverErrorRate)) {
      return random.nextBoolean() ? AlbError.serviceUnavailable() : AlbError.internalError();
    }
    return null;
  }

  boolean takeMalformed() {
    return take(malformedNext);
  }

  boolean repeatNextToken() {
    return repeatNextToken;
  }

  boolean oversizePage() {
    return oversizePage;
  }

  private static boolean take(AtomicInteger counter) {
    return counter.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }

  // Draw only when the fault is on, so that enabling one rate does not shift another's sequence.
  private boolean draw(double p) {
    return p > 0 && random.nextDouble() < p;
  }

  private static double probability(double p) {
    if (p < 0 || p > 1) {
      throw new IllegalArgumentException("probability must be within 0..1, got " + p);
    }
    return p;
  }
}
