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

  private record Member(Instant begin, int cost, Instant seen) {}

  /** The state of one scope and resource type; guarded by its own monitor. */
  private static final class Pool {
    final Map<String, Member> members = new HashMap<>();
    Listing last;
    CompletableFuture<Listing> running;
    Instant runningStartedAt;
    Instant runningBegin;
    int pagesEstimate = 1;
    Instant probeAfter = Instant.MIN;
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
        pool.members.values().removeIf(m -> m.seen().isBefore(now.minus(memberTtl)));
        if (begin.isBefore(oldest)) {
          pool.members.remove(member);
          return null;
        }
        pool.members.put(member, new Member(begin, Math.max(1, ownCost), now));
        int sharedCost = pool.members.values().stream().mapToInt(Member::cost).sum();
        // Worth it only if the listing takes fewer pages than one poll of every watch on its own.
        pageLimit = Math.min(maxPages, sharedCost - 1);
        // A listing of every resource type (a load-balancer watch with children) replaces one
        // query per type: worth it even for one watch when that takes more than one call.
        if ((pool.members.size() < 2 && resourceType != null)
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
            if (m.begin().isBefore(listBegin) && !m.begin().isBefore(oldest)) {
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
      synchronized (pool) {
        pool.pagesEstimate = found.pages();
        if (listing == null) {
          pool.probeAfter = startedAt.plus(PROBE_AGAIN);
        } else {
          pool.last = listing;
        }
        pool.running = null;
      }
      result.complete(listing);
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
