package io.albjobs.simulator;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fault injection for the simulator, all off by default and safe to change while requests are in
 * flight. "Next n" faults hit the next n calls; rates draw from a seedable {@link Random} (seed
 * {@value #DEFAULT_SEED} unless {@link #seed} is called) so a test run is repeatable.
 *
 * <p>Order within one call: latency, connection reset, authentication, denied account, throttling,
 * server error, then the real answer (possibly truncated by {@code malformedNext}).
 */
public final class Faults {
  public static final long DEFAULT_SEED = 1L;

  /** What a fault did to one call, counted by {@link #injected} so a test can prove it happened. */
  public enum Kind {
    LATENCY,
    RESET,
    THROTTLE,
    SERVER_ERROR,
    MALFORMED,
    REPEATED_TOKEN,
    OVERSIZE_PAGE
  }

  private final Map<Kind, AtomicLong> injected = new EnumMap<>(Kind.class);

  {
    for (Kind kind : Kind.values()) {
      injected.put(kind, new AtomicLong());
    }
  }

  private final AtomicInteger throttleNext = new AtomicInteger();
  private final AtomicInteger serviceUnavailableNext = new AtomicInteger();
  private final AtomicInteger internalErrorNext = new AtomicInteger();
  private final AtomicInteger malformedNext = new AtomicInteger();
  private final AtomicInteger resetNext = new AtomicInteger();
  private final Set<String> deniedAccounts = ConcurrentHashMap.newKeySet();
  private final Set<String> throttledAccounts = ConcurrentHashMap.newKeySet();
  private final Set<String> deniedActions = ConcurrentHashMap.newKeySet();
  private final Set<String> throttledActions = ConcurrentHashMap.newKeySet();
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

  /**
   * Calls of this action (e.g. {@code ListRules}) get 403 {@code Forbidden.RAM} for every account,
   * as when the RAM policy grants {@code alb:ListAsynJobs} but not that action.
   */
  public Faults denyAction(String action) {
    deniedActions.add(action);
    return this;
  }

  /**
   * Calls of this action get 400 {@code Throttling.User} for every account, as when another client
   * uses up that API's own quota.
   */
  public Faults throttleAction(String action) {
    throttledActions.add(action);
    return this;
  }

  /** Ends {@link #denyAction} and {@link #throttleAction} of this action. */
  public Faults allowAction(String action) {
    deniedActions.remove(action);
    throttledActions.remove(action);
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
    deniedActions.clear();
    throttledActions.clear();
    throttledAccounts.clear();
    throttleRate = 0;
    serverErrorRate = 0;
    latency = Duration.ZERO;
    repeatNextToken = false;
    oversizePage = false;
    random = new Random(DEFAULT_SEED);
    return this;
  }

  /**
   * How many calls this fault has hit since the simulator started ({@link #clear} keeps the
   * counts): a test that injects a fault asserts it really reached the client.
   */
  public long injected(Kind kind) {
    return injected.get(kind).get();
  }

  Duration takeLatency() {
    Duration d = latency;
    return count(Kind.LATENCY, !d.isZero() && !d.isNegative()) ? d : Duration.ZERO;
  }

  boolean takeReset() {
    return count(Kind.RESET, take(resetNext));
  }

  boolean isDenied(String accountId) {
    return deniedAccounts.contains(accountId);
  }

  boolean isDenied(String accountId, String action) {
    return deniedAccounts.contains(accountId) || deniedActions.contains(action);
  }

  boolean takeThrottle(String accountId, String action) {
    return count(
        Kind.THROTTLE,
        throttledAccounts.contains(accountId)
            || action != null && throttledActions.contains(action)
            || take(throttleNext)
            || draw(throttleRate));
  }

  /** The server error this call should get, or {@code null}. */
  AlbError takeServerError() {
    AlbError error = null;
    if (take(serviceUnavailableNext)) {
      error = AlbError.serviceUnavailable();
    } else if (take(internalErrorNext)) {
      error = AlbError.internalError();
    } else if (draw(serverErrorRate)) {
      error = random.nextBoolean() ? AlbError.serviceUnavailable() : AlbError.internalError();
    }
    count(Kind.SERVER_ERROR, error != null);
    return error;
  }

  boolean takeMalformed() {
    return count(Kind.MALFORMED, take(malformedNext));
  }

  boolean repeatNextToken() {
    return repeatNextToken;
  }

  boolean oversizePage() {
    return oversizePage;
  }

  /** Counts a fault that hit a call; returns {@code hit}. */
  boolean count(Kind kind, boolean hit) {
    if (hit) {
      injected.get(kind).incrementAndGet();
    }
    return hit;
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
