package io.albjobs.operator.scope;

import io.albjobs.operator.alb.AlbCredentials;
import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJobClient;
import io.albjobs.operator.alb.ErrorKind;
import io.albjobs.operator.alb.JobPage;
import io.albjobs.operator.alb.JobQuery;
import io.albjobs.operator.config.Durations;
import io.albjobs.operator.metrics.OperatorMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ALB clients of the operator and their lifetime. One client per account scope (region,
 * endpoint, credentials), shared by every watch and AsyncJob of that scope.
 *
 * <p>Calls are governed by the {@link RateBudget} of their <em>caller</em>, which outlives the
 * scope: a caller is a credential source (a Secret, by namespace/name, or the operator's own chain)
 * at a region and endpoint, and the same credentials held by several Secrets are one caller (one
 * budget per account key, whatever Secret holds it). So when a Secret's keys or STS token rotate,
 * the new scope keeps the budget and the throttling backoff of the old one, while the old scope's
 * client is closed ({@code DefaultAcsClient.shutdown()}) as soon as no call is in flight on it and
 * its state (and its shared listings, through {@link #onScopeClosed}) is dropped. A scope unused
 * for {@code idleTtl} is dropped the same way. {@link #liveScopes()} and {@link #openClients()}
 * count what is held (gauges {@code albjobs_alb_scopes} and {@code albjobs_alb_clients}).
 *
 * <p>A throttled answer pauses the caller's budget with backoff; other callers go on.
 */
public final class ScopedClients implements AlbClients, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScopedClients.class);

  /** How long a scope may go without a call before it is dropped and its client closed. */
  public static final Duration IDLE_TTL = Duration.ofMinutes(10);

  private static final String DEFAULT_CHAIN = "default chain";

  private final Factory factory;
  private final double qps;
  private final int burst;
  private final Duration maxWait;
  private final OperatorMetrics metrics;
  private final Backoff throttleBackoff;
  private final long idleNanos;
  private final LongSupplier nanoTime;

  /** Guarded by {@code this}. */
  private final Map<AccountScope, Entry> entries = new HashMap<>();

  /** Caller key (region|endpoint|source) to its caller; guarded by {@code this}. */
  private final Map<String, Caller> callers = new HashMap<>();

  private final List<Consumer<AccountScope>> closeListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong open = new AtomicLong();
  private final AtomicLong created = new AtomicLong();
  private volatile Function<String, AlbCredentials> currentCredentials = source -> null;
  private ScheduledExecutorService sweeper;
  private long lastSweep;

  /**
   * @param maxPause the longest a throttled scope pauses (the idle poll interval, so that an
   *     account recovers within two intervals once ALB stops throttling)
   */
  public ScopedClients(
      Factory factory,
      double qps,
      int burst,
      Duration maxWait,
      Duration maxPause,
      OperatorMetrics metrics) {
    this(factory, qps, burst, maxWait, maxPause, metrics, IDLE_TTL, System::nanoTime);
  }

  public ScopedClients(
      Factory factory,
      double qps,
      int burst,
      Duration maxWait,
      Duration maxPause,
      OperatorMetrics metrics,
      Duration idleTtl,
      LongSupplier nanoTime) {
    this.factory = factory;
    this.throttleBackoff = new Backoff(Duration.ofSeconds(1), maxPause);
    this.qps = qps;
    this.burst = burst;
    this.maxWait = maxWait;
    this.metrics = metrics;
    this.idleNanos = idleTtl.toNanos();
    this.nanoTime = nanoTime;
    this.lastSweep = nanoTime.getAsLong();
    if (metrics != null) {
      metrics.gauge(
          "albjobs_alb_scopes", "ALB account scopes held (one client each)", this::liveScopes);
      metrics.gauge("albjobs_alb_clients", "ALB SDK clients open", this::openClients);
    }
  }

  /**
   * Where the current credentials of a source ({@code "secret ns/name"}) are known (the {@link
   * ScopeResolver}'s cache): a scope whose source now holds other credentials was rotated away, and
   * its client is closed.
   */
  public void followCredentials(Function<String, AlbCredentials> current) {
    this.currentCredentials = current;
  }

  /** Sweeps idle scopes every {@code every} on a daemon thread (also done on every call). */
  public synchronized void startSweeper(Duration every) {
    if (sweeper == null) {
      sweeper =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "alb-scope-sweeper");
                t.setDaemon(true);
                return t;
              });
      sweeper.scheduleWithFixedDelay(
          this::sweep, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void onScopeClosed(Consumer<AccountScope> listener) {
    closeListeners.add(listener);
  }

  @Override
  public synchronized boolean isLive(AccountScope scope) {
    return entries.containsKey(scope);
  }

  public synchronized int liveScopes() {
    return entries.size();
  }

  /**
   * SDK clients created and not yet closed (live scopes plus any rotated away with a call in
   * flight).
   */
  public long openClients() {
    return open.get();
  }

  /** SDK clients created since start. */
  public long createdClients() {
    return created.get();
  }

  /** Callers (rate budgets) held. */
  public synchronized int callers() {
    return new HashSet<>(callers.values()).size();
  }

  @Override
  public AlbJobClient forScope(AccountScope scope) throws AlbException {
    String source = sourceOf(scope);
    AlbCredentials current = DEFAULT_CHAIN.equals(source) ? null : currentCredentials.apply(source);
    if (current != null && !current.equals(scope.credentials())) {
      // Resolved before the Secret rotated (or held by a poller since): the Secret's credentials
      // now are the ones to call with.
      scope = new AccountScope(scope.regionId(), scope.endpoint(), current);
    }
    List<Entry> toClose = new ArrayList<>();
    List<Entry> dropped = new ArrayList<>();
    Entry entry;
    boolean opened = false;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      entry = entries.get(scope);
      if (entry == null) {
        Caller caller = callers.get(callerKey(scope, source));
        if (caller == null) {
          caller = new Caller(new RateBudget(qps, burst));
        }
        entry = new Entry(scope, caller);
        entries.put(scope, entry);
        opened = true;
      }
      entry.sources.add(source);
      callers.put(callerKey(scope, source), entry.caller);
      entry.lastUsed = now;
      if (current != null) {
        for (Entry other : entries.values()) {
          if (other != entry
              && !other.scope.credentials().equals(current)
              && other.sources.remove(source)
              && other.sources.isEmpty()) {
            other.retired = true;
            other.why = "its credentials rotated";
          }
        }
      }
      collect(now, toClose, dropped);
    }
    close(toClose, dropped);
    if (opened) {
      LOG.info("ALB scope {} opened ({} held)", scope, liveScopes());
    }
    return entry.client;
  }

  /** Drops and closes scopes unused for the idle time, and retired ones with no call in flight. */
  public void sweep() {
    List<Entry> toClose = new ArrayList<>();
    List<Entry> dropped = new ArrayList<>();
    synchronized (this) {
      lastSweep = Long.MIN_VALUE;
      collect(nanoTime.getAsLong(), toClose, dropped);
    }
    close(toClose, dropped);
  }

  private void collect(long now, List<Entry> toClose, List<Entry> dropped) {
    boolean sweepIdle =
        now - lastSweep >= Math.min(idleNanos, 1_000_000_000L) || lastSweep == Long.MIN_VALUE;
    if (sweepIdle) {
      lastSweep = now;
    }
    var it = entries.values().iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (!e.retired && sweepIdle && e.inFlight == 0 && now - e.lastUsed >= idleNanos) {
        e.retired = true;
        e.why = "unused for " + Durations.format(Duration.ofNanos(idleNanos));
      }
      if (e.retired) {
        it.remove();
        dropped.add(e);
        if (e.inFlight == 0 && !e.closed) {
          e.closed = true;
          toClose.add(e);
        }
      }
    }
    if (!dropped.isEmpty()) {
      Map<Caller, Boolean> held = new IdentityHashMap<>();
      entries.values().forEach(e -> held.put(e.caller, true));
      callers.values().removeIf(c -> !held.containsKey(c));
    }
  }

  private void close(List<Entry> toClose, List<Entry> dropped) {
    for (Entry e : toClose) {
      e.closeClient();
    }
    for (Entry e : dropped) {
      LOG.info(
          "ALB scope {} dropped ({}), its client closed {} ({} held)",
          e.scope,
          e.why,
          toClose.contains(e) ? "now" : "after its last call",
          liveScopes());
      for (Consumer<AccountScope> l : closeListeners) {
        l.accept(e.scope);
      }
    }
  }

  /** Closes every client (the operator stops). */
  @Override
  public void close() {
    List<Entry> all;
    synchronized (this) {
      if (sweeper != null) {
        sweeper.shutdownNow();
      }
      all = new ArrayList<>();
      for (Entry e : entries.values()) {
        if (!e.closed) {
          e.closed = true;
          all.add(e);
        }
      }
      entries.clear();
      callers.clear();
    }
    all.forEach(Entry::closeClient);
  }

  private static String sourceOf(AccountScope scope) {
    return scope.credentials() instanceof AlbCredentials.StaticKeys keys
        ? keys.source()
        : DEFAULT_CHAIN;
  }

  private static String callerKey(AccountScope scope, String source) {
    return scope.regionId() + '|' + scope.endpoint() + '|' + source;
  }

  /** The budget and throttling state of one caller; outlives the scopes that use it. */
  private static final class Caller {
    final RateBudget budget;
    int throttledInARow;

    Caller(RateBudget budget) {
      this.budget = budget;
    }
  }

  /** One scope: its client (created at the first call), its caller, who uses it. */
  private final class Entry {
    final AccountScope scope;
    final Caller caller;
    final Set<String> sources = new HashSet<>();
    final Budgeted client = new Budgeted(this);
    AlbJobClient raw;
    long lastUsed;
    int inFlight;
    boolean retired;
    boolean closed;
    String why;

    Entry(AccountScope scope, Caller caller) {
      this.scope = scope;
      this.caller = caller;
    }

    /** The raw client for one call, or null if this scope was closed meanwhile. */
    AlbJobClient enter() throws AlbException {
      synchronized (ScopedClients.this) {
        if (closed) {
          return null;
        }
        inFlight++;
        lastUsed = nanoTime.getAsLong();
        if (raw == null) {
          try {
            raw = factory.create(scope);
          } catch (AlbException | RuntimeException e) {
            inFlight--;
            throw e;
          }
          open.incrementAndGet();
          created.incrementAndGet();
        }
        return raw;
      }
    }

    void exit() {
      boolean closeNow;
      synchronized (ScopedClients.this) {
        inFlight--;
        closeNow = retired && inFlight == 0 && !closed;
        if (closeNow) {
          closed = true;
        }
      }
      if (closeNow) {
        closeClient();
      }
    }

    void closeClient() {
      AlbJobClient c;
      synchronized (ScopedClients.this) {
        c = raw;
        raw = null;
      }
      if (c == null) {
        return;
      }
      open.decrementAndGet();
      if (c instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          LOG.debug("closing the ALB client of {}: {}", scope, e.toString());
        }
      }
    }
  }

  private final class Budgeted implements AlbJobClient {
    private final Entry entry;

    Budgeted(Entry entry) {
      this.entry = entry;
    }

    @Override
    public JobPage listJobs(JobQuery query, String nextToken, int maxResults) throws AlbException {
      return call("ListAsynJobs", raw -> raw.listJobs(query, nextToken, maxResults));
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode read(String action, Map<String, String> params)
        throws AlbException {
      return call(action, raw -> raw.read(action, params));
    }

    /** One call through the caller's budget, counted by action and result. */
    private <T> T call(String action, Call<T> call) throws AlbException {
      Caller caller = entry.caller;
      try {
        if (!caller.budget.acquire(maxWait)) {
          throw new AlbException(
              ErrorKind.THROTTLED,
              "LocalRateBudget",
              0,
              "the account's ALB call budget (" + qps + "/s) is used up; the poll is postponed",
              null);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AlbException(ErrorKind.RETRYABLE, "Interrupted", 0, "interrupted", null);
      }
      Entry on = entry;
      AlbJobClient raw = on.enter();
      if (raw == null) {
        // The scope was rotated away and closed since this poll got it: the current scope of its
        // Secret, or (not known) a client for this one call.
        on = ((Budgeted) forScope(entry.scope)).entry;
        raw = on.enter();
        if (raw == null) {
          on = new Entry(entry.scope, caller);
          on.retired = true;
          raw = on.enter();
        }
      }
      long start = System.nanoTime();
      try {
        T result = call.on(raw);
        metrics.albCall(action, "Success", System.nanoTime() - start);
        synchronized (caller) {
          caller.throttledInARow = 0;
        }
        return result;
      } catch (AlbException e) {
        metrics.albCall(action, e.code(), System.nanoTime() - start);
        if (e.kind() == ErrorKind.THROTTLED) {
          metrics.albThrottled(action);
          int n;
          synchronized (caller) {
            n = ++caller.throttledInARow;
          }
          caller.budget.pause(throttleBackoff.delay(n));
        }
        throw e;
      } finally {
        on.exit();
      }
    }
  }

  @FunctionalInterface
  private interface Call<T> {
    T on(AlbJobClient raw) throws AlbException;
  }
}
