package io.albjobs.operator.poll;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.AlbJobClient;
import io.albjobs.operator.alb.ErrorKind;
import io.albjobs.operator.alb.JobLister;
import io.albjobs.operator.scope.AccountScope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One {@code ListAsynJobs} listing per account scope and resource type, shared by the watches of
 * that scope, instead of one query per 10 resources of every watch.
 *
 * <p>A watch that is due asks for a listing that started no earlier than its due time and looks
 * back at least as far as its own watermark (minus the overlap). The first watch of a tick runs the
 * listing (every page, through the scope's rate budget); the others of the same tick wait for it
 * and take their resources' jobs from it. {@link #align} puts the next polls of the watches of a
 * scope on common ticks, so one listing serves all the watches due at that tick.
 *
 * <p>A {@code null} resource type is a listing of every type (for load-balancer watches with
 * children, {@link FamilyPoll}), indexed by resource ID like the others.
 *
 * <p>A watch polls on its own (returns {@code null}) when sharing cannot pay: it is the only watch
 * of its scope (for one resource type), its window reaches further back than the shared one (a new
 * watch's first poll with {@code spec.since}, a watch that could not poll for a while), or the
 * scope's listing would take as many pages as one poll of every watch on its own costs (an account
 * with far more jobs than the watched resources have). That last check reads the first page's
 * {@code TotalCount} and is tried again after {@link #PROBE_AGAIN}.
 */
public final class SharedListings {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(SharedListings.class);

  /** How long after a listing was found too large sharing is tried again. */
  public static final Duration PROBE_AGAIN = Duration.ofMinutes(5);

  /** How far before the last listing a discovery listing looks (jobs ALB lists late). */
  public static final Duration DISCOVER_LOOKBACK = Duration.ofSeconds(30);

  /** The most pages a discovery listing takes. */
  static final int DISCOVER_PAGES = 3;

  /** How often the discovery timer looks for scopes whose tick has come. */
  private static final Duration TICK = Duration.ofMillis(100);

  /** A listing that started this long before a watch's due time still counts as fresh. */
  static final Duration SLACK = Duration.ofMillis(250);

  /**
   * Jobs of one resource type in a scope, as ALB listed them from {@link #startedAt} (node clock);
   * {@code albTime} is ALB's own clock at that listing (its first answer's {@code Date}), or null.
   */
  public record Listing(
      Instant startedAt,
      Instant begin,
      List<AlbJob> all,
      Map<String, List<AlbJob>> byResource,
      Instant albTime) {
    /** The jobs of these resources; all of them when the list is empty. */
    public List<AlbJob> jobsOf(Collection<String> resourceIds) {
      if (resourceIds.isEmpty()) {
        return all;
      }
      List<AlbJob> out = new ArrayList<>();
      for (String id : resourceIds) {
        out.addAll(byResource.getOrDefault(id, List.of()));
      }
      return out;
    }
  }

  private record Key(AccountScope scope, String resourceType) {}

  /**
   * A watch of the scope: its window, what one poll of it on its own costs, when it last asked,
   * which jobs are its own, and when it polls next (null: not known yet). A watch whose window
   * reaches too far back to share (a long poll interval) stays for discovery only: no window, no
   * cost.
   */
  private record Member(
      Instant begin, int cost, Instant seen, Predicate<AlbJob> owns, Instant nextPoll) {
    boolean shares() {
      return begin != null;
    }

    /** Gone: neither asked nor due for the time to live (it was stopped, or moved scope). */
    boolean goneAt(Instant now, Duration ttl) {
      Instant last = nextPoll != null && nextPoll.isAfter(seen) ? nextPoll : seen;
      return last.isBefore(now.minus(ttl));
    }
  }

  /** A job as the listings of a scope last showed it: its status and when it was created. */
  private record Known(String status, long createTimeMillis) {}

  /**
   * Wakes a watch whose jobs a listing showed new or changed, so that it polls with the listing
   * that started {@code at} (it is due then).
   */
  @FunctionalInterface
  public interface Waker {
    void wake(String member, Instant at);
  }

  /** The state of one scope and resource type; guarded by its own monitor. */
  private static final class Pool {
    final Map<String, Member> members = new HashMap<>();
    Listing last;
    CompletableFuture<Listing> running;
    Instant runningStartedAt;
    Instant runningBegin;
    int pagesEstimate = 1;
    Instant probeAfter = Instant.MIN;

    // Discovery: what the scope's listings showed, compared listing by listing.
    /** The client the members poll with: discovery lists with it. */
    AlbJobClient client;

    final Map<String, Known> known = new HashMap<>();
    boolean compared;

    /** The start (node clock) and ALB's clock of the newest listing compared. */
    Instant comparedAt;

    Instant comparedAlbTime;
    Instant nextDiscovery;
    boolean discovering;

    /** Discovery is off until then (its listing took too many pages, or failed). */
    Instant discoverAfter = Instant.MIN;
  }

  private final boolean enabled;
  private final JobLister lister;
  private final Duration overlap;
  private final Duration lag;
  private final Duration memberTtl;
  private final int maxPages;
  private final Duration tickEvery;
  private final Map<Key, Pool> pools = new ConcurrentHashMap<>();
  private volatile java.util.function.Predicate<AccountScope> live = scope -> true;
  private volatile Duration discoverEvery = Duration.ZERO;
  private volatile Waker waker = (member, at) -> {};
  private volatile Runnable onPause = () -> {};
  private ScheduledExecutorService discoveryTimer;
  private ExecutorService discoveryCalls;

  /**
   * @param overlap the watermark overlap every poll looks back
   * @param idleInterval the operator's idle poll interval: a watch whose window starts more than
   *     two of these (at least a minute) before the overlap polls on its own; a watch not seen for
   *     three (at least 90 s) is forgotten
   * @param tickEvery the time between two ticks of a scope: the operator's active poll interval
   */
  public SharedListings(
      boolean enabled,
      JobLister lister,
      Duration overlap,
      Duration idleInterval,
      Duration tickEvery,
      int maxPages) {
    this.enabled = enabled;
    this.tickEvery = tickEvery.toMillis() < 1 ? Duration.ofMillis(1) : tickEvery;
    this.lister = lister;
    this.overlap = overlap;
    this.lag = max(idleInterval.multipliedBy(2), Duration.ofMinutes(1));
    this.memberTtl = max(idleInterval.multipliedBy(3), Duration.ofSeconds(90));
    this.maxPages = maxPages;
  }

  /**
   * The listing a watch can use for this poll, or {@code null} when it should poll on its own.
   *
   * @param member the watch (namespace/name)
   * @param ownCost the calls one poll of the watch on its own takes (⌈resources/10⌉)
   * @param begin the start of the watch's window (its watermark minus the overlap)
   * @param due when this poll was due: the listing must have started then or later
   */
  public Listing listing(
      AccountScope scope,
      AlbJobClient client,
      String resourceType,
      String member,
      int ownCost,
      Instant begin,
      Instant due,
      Instant now)
      throws AlbException {
    return listing(scope, client, resourceType, member, ownCost, begin, due, now, now);
  }

  /**
   * As above, with {@code albNow}: ALB's clock now, which {@code begin} is counted on (the other
   * times are this node's).
   */
  public Listing listing(
      AccountScope scope,
      AlbJobClient client,
      String resourceType,
      String member,
      int ownCost,
      Instant begin,
      Instant due,
      Instant now,
      Instant albNow)
      throws AlbException {
    return listing(
        scope, client, resourceType, member, ownCost, begin, due, now, albNow, job -> false);
  }

  /**
   * As above, with {@code owns}: which jobs are the watch's own. A listing of the scope that shows
   * one of them new or changed wakes the watch (see {@link #discoverEvery}).
   */
  public Listing listing(
      AccountScope scope,
      AlbJobClient client,
      String resourceType,
      String member,
      int ownCost,
      Instant begin,
      Instant due,
      Instant now,
      Instant albNow,
      Predicate<AlbJob> owns)
      throws AlbException {
    if (!enabled || !live.test(scope)) {
      return null;
    }
    Key key = new Key(scope, resourceType);
    Pool pool = pools.computeIfAbsent(key, k -> new Pool());
    if (!live.test(scope)) {
      // Rotated away meanwhile: its pool may have been forgotten before this one was made.
      pools.remove(key, pool);
      return null;
    }
    Instant oldest = albNow.minus(overlap).minus(lag);
    Instant freshFrom = due.minus(SLACK);
    while (true) {
      CompletableFuture<Listing> wait;
      Instant listBegin = begin;
      int pageLimit = 0;
      boolean lead = false;
      synchronized (pool) {
        pool.members.values().removeIf(m -> m.goneAt(now, memberTtl));
        Member before = pool.members.get(member);
        Instant nextPoll = before == null ? null : before.nextPoll();
        pool.client = client;
        if (pool.nextDiscovery == null && !discoverEvery.isZero()) {
          pool.nextDiscovery = tickAtOrAfter(scope, now, discoverEvery);
        }
        if (begin.isBefore(oldest)) {
          // Its window reaches too far back to share: it polls on its own, and stays for
          // discovery (a watch polling every few minutes sees new jobs as soon as the others).
          pool.members.put(member, new Member(null, 0, now, owns, nextPoll));
          return null;
        }
        pool.members.put(member, new Member(begin, Math.max(1, ownCost), now, owns, nextPoll));
        int sharedCost = pool.members.values().stream().mapToInt(Member::cost).sum();
        long sharing = pool.members.values().stream().filter(Member::shares).count();
        // Worth it only if the listing takes fewer pages than one poll of every watch on its own.
        pageLimit = Math.min(maxPages, sharedCost - 1);
        // A listing of every resource type (a load-balancer watch with children) replaces one
        // query per type: worth it even for one watch when that takes more than one call.
        if ((sharing < 2 && resourceType != null)
            || pageLimit < 1
            || (pool.pagesEstimate > pageLimit && now.isBefore(pool.probeAfter))) {
          return null;
        }
        Listing last = pool.last;
        if (last != null && !last.startedAt().isBefore(freshFrom) && !last.begin().isAfter(begin)) {
          return last;
        }
        if (pool.running != null) {
          wait = pool.running;
          if (pool.runningStartedAt.isBefore(freshFrom) || pool.runningBegin.isAfter(begin)) {
            // One listing at a time per scope: let this one finish, then decide again.
            wait = null;
          }
        } else {
          for (Member m : pool.members.values()) {
            if (m.shares() && m.begin().isBefore(listBegin) && !m.begin().isBefore(oldest)) {
              listBegin = m.begin();
            }
          }
          if (LOG.isDebugEnabled()) {
            LOG.debug(
                "listing for {} due {} (last started {}, begin {}; this begin {}, listing begin {})",
                member,
                due,
                last == null ? null : last.startedAt(),
                last == null ? null : last.begin(),
                begin,
                listBegin);
          }
          wait = new CompletableFuture<>();
          pool.running = wait;
          pool.runningStartedAt = now;
          pool.runningBegin = listBegin;
          lead = true;
        }
      }
      if (lead) {
        return run(pool, wait, client, resourceType, now, listBegin, pageLimit);
      }
      if (wait == null) {
        CompletableFuture<Listing> other;
        synchronized (pool) {
          other = pool.running;
        }
        if (other != null) {
          try {
            join(other);
          } catch (AlbException e) {
            // That listing's failure is its requester's; this watch tries its own.
          }
        }
        continue;
      }
      return join(wait);
    }
  }

  /**
   * Runs a listing outside the pool's monitor and hands the result to every watch waiting for it.
   */
  private Listing run(
      Pool pool,
      CompletableFuture<Listing> result,
      AlbJobClient client,
      String resourceType,
      Instant startedAt,
      Instant begin,
      int pageLimit)
      throws AlbException {
    try {
      JobLister.TypeListing found =
          lister.allOfType(client, resourceType, begin.toEpochMilli(), pageLimit);
      Listing listing =
          found.jobs() == null ? null : index(startedAt, begin, found.jobs(), found.serverTime());
      Candidates wakes = Candidates.NONE;
      synchronized (pool) {
        pool.pagesEstimate = found.pages();
        if (listing == null) {
          pool.probeAfter = startedAt.plus(PROBE_AGAIN);
        } else {
          pool.last = listing;
          wakes = compare(pool, startedAt, found.serverTime(), found.jobs());
        }
        pool.running = null;
      }
      result.complete(listing);
      wake(wakes);
      return listing;
    } catch (AlbException | RuntimeException e) {
      synchronized (pool) {
        pool.running = null;
      }
      result.completeExceptionally(e);
      throw e;
    }
  }

  /**
   * When a watch of the scope polls next (after its poll): a listing that shows one of its jobs new
   * or changed wakes it only when that is more than a discovery interval before then.
   */
  public void scheduled(AccountScope scope, String resourceType, String member, Instant at) {
    Pool pool = pools.get(new Key(scope, resourceType));
    if (pool == null) {
      return;
    }
    synchronized (pool) {
      Member m = pool.members.get(member);
      if (m != null) {
        pool.members.put(member, new Member(m.begin(), m.cost(), m.seen(), m.owns(), at));
      }
    }
  }

  /** A watch that polls no more (suspended, deleted): no listing is made for it. */
  public void leave(String member) {
    for (Pool pool : pools.values()) {
      synchronized (pool) {
        pool.members.remove(member);
      }
    }
  }

  /** What is told when discovery of a scope pauses (a metric). */
  public void onDiscoveryPaused(Runnable onPause) {
    this.onPause = onPause;
  }

  /** Who is told of a watch to wake (the reconciler: it makes the watch due and reconciles it). */
  public void wakeWith(Waker waker) {
    this.waker = waker;
  }

  /**
   * Lists the new jobs of every scope once per {@code every}, on a grid of the scope's own, when no
   * listing of the scope started within the interval and no watch of it polls within it; {@link
   * Duration#ZERO}: never. Such a listing (one per scope, of every resource type) looks back {@link
   * #DISCOVER_LOOKBACK} from now on ALB's clock and takes at most {@link #DISCOVER_PAGES} pages
   * (more: discovery of the scope pauses for {@link #PROBE_AGAIN}). Every listing of a scope, a
   * watch's or this one, is compared with the ones before, and a watch with a job new or changed in
   * it is woken when it would otherwise poll more than {@code every} later. So a watch with nothing
   * in flight sees a new job within about {@code every}, at one call per interval and scope when
   * nothing happens, whatever the number of watches; its own interval stays how often it polls when
   * nothing happens.
   */
  public synchronized void discoverEvery(Duration every) {
    discoverEvery = every == null || every.isNegative() ? Duration.ZERO : every;
    if (!enabled || discoverEvery.isZero() || discoveryTimer != null) {
      return;
    }
    discoveryTimer = Executors.newSingleThreadScheduledExecutor(daemon("alb-discovery-timer"));
    // The listings on threads of their own: a scope whose endpoint hangs does not hold the others.
    discoveryCalls = Executors.newFixedThreadPool(2, daemon("alb-discovery"));
    discoveryTimer.scheduleWithFixedDelay(
        () -> {
          try {
            discover(Instant.now());
          } catch (RuntimeException e) {
            LOG.warn("discovery tick failed", e);
          }
        },
        TICK.toMillis(),
        TICK.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** The discovery interval without its timer: a test calls {@link #discover} itself. */
  void discoverWithoutTimer(Duration every) {
    discoverEvery = every;
  }

  /** Stops discovery (the operator stops). */
  public synchronized void close() {
    if (discoveryTimer != null) {
      discoveryTimer.shutdownNow();
      discoveryCalls.shutdownNow();
      discoveryTimer = null;
      discoveryCalls = null;
    }
  }

  /**
   * The scopes whose discovery tick has come: one listing of every resource type for each that
   * needs it (see above), compared into every pool of the scope.
   */
  void discover(Instant now) {
    Duration every = discoverEvery;
    if (every.isZero()) {
      return;
    }
    Map<AccountScope, List<Map.Entry<Key, Pool>>> byScope = new HashMap<>();
    for (Map.Entry<Key, Pool> e : pools.entrySet()) {
      byScope.computeIfAbsent(e.getKey().scope(), k -> new ArrayList<>()).add(e);
    }
    byScope.forEach((scope, scopePools) -> discover(scope, scopePools, every, now));
  }

  private void discover(
      AccountScope scope, List<Map.Entry<Key, Pool>> scopePools, Duration every, Instant now) {
    boolean tick = false;
    boolean due = false;
    AlbJobClient client = null;
    Instant begin = null;
    for (Map.Entry<Key, Pool> e : scopePools) {
      Pool pool = e.getValue();
      synchronized (pool) {
        if (pool.nextDiscovery == null) {
          pool.nextDiscovery = tickAtOrAfter(scope, now, every);
        }
        if (now.isBefore(pool.nextDiscovery)) {
          continue;
        }
        tick = true;
        pool.nextDiscovery = tickAtOrAfter(scope, now.plusMillis(1), every);
        // Watches that stopped asking (moved scope, stopped) are not listed for.
        pool.members.values().removeIf(m -> m.goneAt(now, memberTtl));
        if (pool.discovering || now.isBefore(pool.discoverAfter)) {
          // One discovery at a time per scope; paused scopes stay paused.
          return;
        }
        if (discoveryDue(pool, every, now)) {
          due = true;
        }
        if (pool.client != null) {
          client = pool.client;
          // On ALB's clock: the last compared listing's Date, moved on by the time since.
          Instant albNow =
              pool.comparedAlbTime == null
                  ? now
                  : pool.comparedAlbTime.plus(Duration.between(pool.comparedAt, now));
          Instant from = albNow.minus(DISCOVER_LOOKBACK);
          begin = begin == null || from.isBefore(begin) ? from : begin;
        }
      }
    }
    if (!tick || !due || client == null || !live.test(scope)) {
      return;
    }
    for (Map.Entry<Key, Pool> e : scopePools) {
      synchronized (e.getValue()) {
        e.getValue().discovering = true;
      }
    }
    AlbJobClient c = client;
    Instant from = begin;
    ExecutorService calls = discoveryCalls;
    if (calls == null) {
      runDiscovery(scope, scopePools, c, from, now);
      return;
    }
    try {
      calls.execute(() -> runDiscovery(scope, scopePools, c, from, now));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      done(scopePools, null);
    }
  }

  /**
   * Whether a pool needs a listing for discovery: it has watches, no listing is running or started
   * within the interval, and no watch polls within it (its listing will do).
   */
  private static boolean discoveryDue(Pool pool, Duration every, Instant now) {
    if (pool.members.isEmpty() || pool.client == null || pool.running != null) {
      return false;
    }
    if (pool.comparedAt != null && pool.comparedAt.isAfter(now.minus(every))) {
      return false;
    }
    for (Member m : pool.members.values()) {
      Instant at = m.nextPoll();
      if (at != null && at.isAfter(now.minus(every)) && !at.isAfter(now.plus(every))) {
        return false;
      }
    }
    return true;
  }

  /** One listing of every resource type of the scope, compared into each of its pools. */
  private void runDiscovery(
      AccountScope scope,
      List<Map.Entry<Key, Pool>> scopePools,
      AlbJobClient client,
      Instant begin,
      Instant startedAt) {
    List<Candidates> found = new ArrayList<>();
    Instant pauseUntil = null;
    try {
      JobLister.TypeListing listing =
          lister.allOfType(client, null, begin.toEpochMilli(), DISCOVER_PAGES);
      if (listing.jobs() == null) {
        pauseUntil = startedAt.plus(PROBE_AGAIN);
        onPause.run();
        LOG.info(
            "discovery of new jobs in {} paused for {}: {} jobs in {}, more than {} pages",
            scope.regionId(),
            PROBE_AGAIN,
            listing.totalCount(),
            DISCOVER_LOOKBACK,
            DISCOVER_PAGES);
      } else {
        for (Map.Entry<Key, Pool> e : scopePools) {
          String type = e.getKey().resourceType();
          List<AlbJob> jobs =
              type == null
                  ? listing.jobs()
                  : listing.jobs().stream()
                      .filter(j -> type.equalsIgnoreCase(j.resourceType()))
                      .toList();
          Pool pool = e.getValue();
          synchronized (pool) {
            found.add(compare(pool, startedAt, listing.serverTime(), jobs));
          }
        }
      }
    } catch (AlbException | RuntimeException e) {
      // The watches' own polls report ALB's errors where a person looks; discovery only waits.
      LOG.debug("discovery listing in {} failed: {}", scope.regionId(), e.toString());
      pauseUntil = startedAt.plus(DISCOVER_LOOKBACK);
    } finally {
      done(scopePools, pauseUntil);
    }
    found.forEach(this::wake);
  }

  private static void done(List<Map.Entry<Key, Pool>> scopePools, Instant pauseUntil) {
    for (Map.Entry<Key, Pool> e : scopePools) {
      Pool pool = e.getValue();
      synchronized (pool) {
        pool.discovering = false;
        if (pauseUntil != null) {
          pool.discoverAfter = pauseUntil;
        }
      }
    }
  }

  /**
   * The jobs of a listing new or changed since the listings before, and the watches that may need
   * waking for them (whose jobs they are is asked outside the pool's monitor).
   */
  private record Candidates(
      List<AlbJob> changed, List<Map.Entry<String, Member>> members, Instant at) {
    static final Candidates NONE = new Candidates(List.of(), List.of(), null);
  }

  /**
   * Compares a listing with what the listings before showed (under the pool's monitor). A watch may
   * need waking when it did not ask for this listing or a newer one and its next poll is not within
   * a discovery interval after the listing started: it is later, or it was before (the watch's poll
   * used an older listing). The first listing of a scope is only remembered.
   */
  private Candidates compare(Pool pool, Instant startedAt, Instant albTime, List<AlbJob> jobs) {
    Duration every = discoverEvery;
    if (every.isZero()) {
      return Candidates.NONE;
    }
    Instant asOf = albTime != null ? albTime : startedAt;
    // Older jobs are in no watch's window (see listing's oldest).
    long horizon = asOf.minus(overlap).minus(lag).toEpochMilli();
    List<AlbJob> changed = new ArrayList<>();
    for (AlbJob job : jobs) {
      if (job.createTimeMillis() < horizon) {
        continue;
      }
      Known was = pool.known.put(job.id(), new Known(job.status(), job.createTimeMillis()));
      if (pool.compared && (was == null || !java.util.Objects.equals(was.status(), job.status()))) {
        changed.add(job);
      }
    }
    pool.known.values().removeIf(k -> k.createTimeMillis() < horizon);
    pool.compared = true;
    if (pool.comparedAt == null || startedAt.isAfter(pool.comparedAt)) {
      pool.comparedAt = startedAt;
      pool.comparedAlbTime = asOf;
    }
    if (changed.isEmpty()) {
      return Candidates.NONE;
    }
    Instant soon = startedAt.plus(every);
    List<Map.Entry<String, Member>> members = new ArrayList<>();
    for (Map.Entry<String, Member> e : pool.members.entrySet()) {
      Member m = e.getValue();
      boolean askedForThis = !m.seen().isBefore(startedAt.minus(SLACK));
      boolean pollsSoon =
          m.nextPoll() != null && !m.nextPoll().isBefore(startedAt) && !m.nextPoll().isAfter(soon);
      if (!askedForThis && !pollsSoon) {
        members.add(Map.entry(e.getKey(), m));
      }
    }
    return new Candidates(changed, members, startedAt);
  }

  /** Wakes the candidates that own a changed job (outside every pool's monitor). */
  private void wake(Candidates c) {
    if (c.changed().isEmpty() || c.members().isEmpty()) {
      return;
    }
    Waker w = waker;
    for (Map.Entry<String, Member> e : c.members()) {
      Predicate<AlbJob> owns = e.getValue().owns();
      if (c.changed().stream().anyMatch(owns)) {
        try {
          w.wake(e.getKey(), c.at());
        } catch (RuntimeException ex) {
          LOG.warn("could not wake {}", e.getKey(), ex);
        }
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Keeps listings only for scopes held by the clients: a poll that resolved a scope just before
   * its credentials rotated polls on its own, so no pool outlives its scope.
   */
  public void onlyFor(java.util.function.Predicate<AccountScope> isLive) {
    this.live = isLive;
  }

  /**
   * Drops the listings of a scope whose client was closed (its credentials rotated, or it went
   * idle).
   */
  public void forget(AccountScope scope) {
    pools.keySet().removeIf(k -> k.scope().equals(scope));
  }

  /** Listing pools held (one per scope and resource type). */
  public int pools() {
    return pools.size();
  }

  private static Listing index(
      Instant startedAt, Instant begin, List<AlbJob> jobs, Instant albTime) {
    Map<String, List<AlbJob>> byResource = new HashMap<>();
    for (AlbJob job : jobs) {
      byResource.computeIfAbsent(job.resourceId(), r -> new ArrayList<>()).add(job);
    }
    return new Listing(startedAt, begin, List.copyOf(jobs), byResource, albTime);
  }

  private static Listing join(CompletableFuture<Listing> wait) throws AlbException {
    try {
      return wait.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AlbException(ErrorKind.RETRYABLE, "Interrupted", 0, "interrupted", null);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AlbException alb) {
        throw alb;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * The time of a watch's next poll: the first tick of its scope from {@code early} before {@code
   * target} (not before {@code now}) to {@code late} after it, else {@code target}. A scope's ticks
   * are a fixed grid, one every {@code tickEvery} (the operator's active interval) at a phase of
   * the scope's own; a watch polling {@code every} (the idle interval) takes the ticks of the
   * largest multiple of the tick within {@code every} first ({@link Duration#ZERO}: the tick's own
   * grid, for a wait that ends by itself). So the watches of a scope that poll at the same interval
   * land on the same ticks whenever they started, those of a longer interval on a subset of them,
   * and a wait that ends by itself (a fence's margin) on the next tick: one listing serves all of
   * them. A watch of an interval shorter than the tick polls on its own time when no tick is near.
   */
  public Instant align(
      AccountScope scope,
      String resourceType,
      Instant target,
      Duration every,
      Duration early,
      Duration late,
      Instant now) {
    if (!enabled || !pools.containsKey(new Key(scope, resourceType))) {
      return target;
    }
    Instant from = target.minus(early);
    from = from.isBefore(now) ? now : from;
    Instant limit = target.plus(late);
    // A longer interval's own grid: the largest multiple of the tick within it, so that its ticks
    // are ticks of the active interval too.
    Duration coarse = tickEvery.multipliedBy(Math.max(1, every.toMillis() / tickEvery.toMillis()));
    if (coarse.compareTo(tickEvery) > 0) {
      Instant tick = tickAtOrAfter(scope, from, coarse);
      if (!tick.isAfter(limit)) {
        return tick;
      }
    }
    Instant tick = tickAtOrAfter(scope, from, tickEvery);
    return tick.isAfter(limit) ? target : tick;
  }

  /**
   * How early a watch's next poll may come to land on a tick: up to 85% of its interval, so that
   * with {@link #late} every interval holds a tick. Polling early costs no call (the tick's listing
   * is made anyway); polling late would see jobs later.
   */
  public static Duration early(Duration every) {
    return every.multipliedBy(85).dividedBy(100);
  }

  /** How late a watch's next poll may come to land on a tick: 15% of its interval. */
  public static Duration late(Duration every) {
    return every.multipliedBy(15).dividedBy(100);
  }

  /** The first tick of the scope at or after {@code at} on a grid of {@code period}. */
  Instant tickAtOrAfter(AccountScope scope, Instant at, Duration period) {
    long every = Math.max(1, period.toMillis());
    // The phase from where the scope's calls go (not its credentials): scopes of one operator
    // tick apart, and the same on every replica.
    long phase =
        Math.floorMod(
            java.util.Objects.hash(scope.regionId(), scope.endpoint()), tickEvery.toMillis());
    long k = Math.floorDiv(at.toEpochMilli() - phase + every - 1, every);
    return Instant.ofEpochMilli(k * every + phase);
  }
}
