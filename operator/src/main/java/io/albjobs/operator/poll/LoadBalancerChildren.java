package io.albjobs.operator.poll;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.AlbJobClient;
import io.albjobs.operator.alb.ChildLister;
import io.albjobs.operator.alb.ChildLister.Children;
import io.albjobs.operator.scope.AccountScope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The children (listeners, rules, server groups, ACLs, security policies) of the load balancers
 * that load-balancer watches cover, cached per account scope and load balancer and shared by the
 * watches of that scope.
 *
 * <p>Children change far less often than jobs: a load balancer's children are listed again ({@link
 * ChildLister}) every {@code refresh} (60 s by default), and sooner (at most every {@link
 * #MIN_SPACING}) when a poll asks because a listing showed a child it does not know or a job newer
 * than the children. A child that disappears stays covered for {@code keepDeparted}, so that the
 * job that deleted it is still mirrored; a listener or rule that a look-up by ID ({@link #lookUp})
 * names as a load balancer's is covered the same way until a listing shows it. A child a watch has
 * not polled before is looked up back to the children listing the watch used last (minus the
 * overlap), so that a rule's {@code CreateRules} job, recorded under a rule that did not exist at
 * the previous listing, is not lost behind the watermark.
 *
 * <p>Lifetime: a scope's entries go when its client is closed ({@link #forget}); an entry or a
 * watch's record unused for {@link #IDLE} goes at the next call.
 */
public final class LoadBalancerChildren {
  public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(60);

  /** The shortest time between two listings of one load balancer's children. */
  public static final Duration MIN_SPACING = Duration.ofSeconds(5);

  static final Duration IDLE = Duration.ofMinutes(10);

  /** Every listener's ACLs are read again this many refresh intervals apart (new ones at once). */
  static final int ACL_REFRESH_FACTOR = 10;

  static final String LOADBALANCER = "loadbalancer";

  private record Key(AccountScope scope, String loadBalancerId) {}

  /** A listener or rule of a scope whose load balancer ALB named when asked by its ID. */
  private record ChildKey(AccountScope scope, String childId) {}

  private record Owner(String loadBalancerId, Instant at) {}

  /**
   * A child not in the current listing that stays covered until {@code until}: one that went away
   * (its deleting job is still mirrored), or one a look-up by ID named before a listing shows it.
   */
  private record Covered(String type, Instant until) {}

  /** The children listing a watch polled with last: its IDs and when that listing was made. */
  private record Seen(Set<String> ids, Instant listedAt, Instant aclsListedAt, Instant used) {}

  private static final class Entry {
    Children current;

    /** When a listing was last started (spacing of listings, whether it worked or not). */
    Instant attemptedAt = Instant.MIN;

    /** When the last listing that worked was started: nothing created before it is unknown. */
    Instant listedAt = Instant.MIN;

    AlbException problem;

    /** ACLs by listener, read with GetListenerAttribute, and when all of them were read last. */
    Map<String, Set<String>> aclsByListener = Map.of();

    Instant aclsReadAt = Instant.MIN;

    /** Something changed (a poll asked for a listing soon): read every listener's ACLs again. */
    boolean aclsStale;

    final Map<String, Covered> covered = new HashMap<>();

    /** Child IDs seen in listings that a fresh listing showed are not this load balancer's. */
    final Map<String, Instant> notMine = new HashMap<>();

    volatile Instant used;
  }

  /**
   * What one watch polls: its load balancers and their children (departed and looked-up ones
   * included), by ALB resource type, and to which load balancer each belongs.
   */
  public static final class Family {
    private final Map<String, String> loadBalancerOf;
    private final Map<String, List<String>> idsByType;
    private final AlbException problem;
    private final Instant listedAt;
    private final boolean complete;

    /** The oldest read of every listener's ACLs among the load balancers (node clock). */
    Instant aclsListedAt;

    /** Children covered without being in the last listing (departed, or named by a look-up). */
    Set<String> coveredOnly = Set.of();

    /** Whether the last listing of one of the load balancers failed in a way retrying may mend. */
    boolean retrying;

    Family(
        Map<String, String> loadBalancerOf,
        Map<String, List<String>> idsByType,
        AlbException problem,
        Instant listedAt,
        boolean complete) {
      this.loadBalancerOf = loadBalancerOf;
      this.idsByType = idsByType;
      this.problem = problem;
      this.listedAt = listedAt;
      this.complete = complete;
    }

    /** Whether the job's resource is one of the load balancers or one of their children. */
    public boolean owns(AlbJob job) {
      return loadBalancerOf.containsKey(job.resourceId());
    }

    /**
     * Whether the job's resource is a child the family covers without its last listing showing it
     * (gone since, or named by a look-up by ID): a change of it is one the listing did not see.
     */
    public boolean notListed(AlbJob job) {
      return coveredOnly.contains(job.resourceId());
    }

    /** The load balancer a job belongs to, or null. */
    public String loadBalancerOf(AlbJob job) {
      return loadBalancerOf.get(job.resourceId());
    }

    /** Resource IDs by ALB resource type ({@code loadbalancer} first), each list non-empty. */
    public Map<String, List<String>> idsByType() {
      return idsByType;
    }

    public boolean hasChildren() {
      return idsByType.keySet().stream().anyMatch(t -> !LOADBALANCER.equals(t));
    }

    /** {@code ListAsynJobs} calls one poll of the family takes, one query per type and 10 IDs. */
    public int ownCost() {
      return idsByType.values().stream().mapToInt(ids -> (ids.size() + 9) / 10).sum();
    }

    /** The last failure to list the children of one of the load balancers, or null. */
    public AlbException problem() {
      return problem;
    }

    /** Whether the children of every load balancer were listed at least once. */
    public boolean complete() {
      return complete;
    }

    /**
     * Whether a listing of one of the load balancers' children failed in a way retrying may mend
     * (throttled, a server or network error): it is retried, and until it works a new child may be
     * unseen. A failure that retrying cannot mend (denied) is not.
     */
    public boolean retrying() {
      return retrying;
    }

    /** The start of the oldest listing that worked the family is made of (node clock). */
    public Instant listedAt() {
      return listedAt;
    }

    Set<String> ids() {
      return loadBalancerOf.keySet();
    }
  }

  private final ChildLister lister;
  private final Clock clock;
  private volatile Duration refresh = DEFAULT_REFRESH;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  /** Listeners and rules asked of ALB by ID ({@link #lookUp}): their load balancer. */
  private final Map<ChildKey, Owner> owners = new ConcurrentHashMap<>();

  /** When a listener or rule was last asked for (ALB may not list it yet: once a second). */
  private final Map<ChildKey, Instant> asked = new ConcurrentHashMap<>();

  /** One look-up at a time per scope (see {@link #lookUp}). */
  private final Map<AccountScope, Object> lookUpLocks = new ConcurrentHashMap<>();

  /** Scopes where ALB refused a look-up by listener or rule ID. */
  private final Set<AccountScope> lookUpRefused = ConcurrentHashMap.newKeySet();

  /** Scopes where ALB refused the region-wide listing (RAM policy scoped to load balancers). */
  private final Set<AccountScope> perLoadBalancerOnly = ConcurrentHashMap.newKeySet();

  /** The cold-start listing of a scope under way (see {@link #coldStart}). */
  private final Map<AccountScope, Batch> batches = new ConcurrentHashMap<>();

  /** Scopes whose cold-start listing was too long or failed, and until when none is tried. */
  private final Map<AccountScope, Instant> noColdStartUntil = new ConcurrentHashMap<>();

  /** The load balancers of one cold-start listing; the watches that need them wait for it. */
  private static final class Batch {
    final Set<String> loadBalancerIds;
    final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

    Batch(Set<String> loadBalancerIds) {
      this.loadBalancerIds = loadBalancerIds;
    }
  }

  public LoadBalancerChildren(ChildLister lister, Clock clock) {
    this.lister = lister;
    this.clock = clock;
  }

  /** How often the children are listed again without a reason to do it sooner. */
  public void refreshEvery(Duration interval) {
    this.refresh = interval;
  }

  public Duration refreshInterval() {
    return refresh;
  }

  /**
   * The family of these load balancers, listing again the children that are due: never listed,
   * older than the refresh interval, or (with {@code soon}) older than {@link #MIN_SPACING}.
   */
  public Family family(
      AccountScope scope, AlbJobClient client, Collection<String> loadBalancerIds, boolean soon) {
    return family(scope, client, loadBalancerIds, soon, null);
  }

  /**
   * The same, listing again the children last listed before {@code freshAsOf} (when not null): a
   * settling watch's poll after a change must see the children the change created.
   */
  public Family family(
      AccountScope scope,
      AlbJobClient client,
      Collection<String> loadBalancerIds,
      boolean soon,
      Instant freshAsOf) {
    return family(scope, client, loadBalancerIds, soon, freshAsOf, soon);
  }

  /**
   * The same; {@code acls}: a listing made now reads every listener's ACLs again (an ACL attached
   * to a listener known before shows only then), where a new listener or rule alone does not need
   * it.
   */
  public Family family(
      AccountScope scope,
      AlbJobClient client,
      Collection<String> loadBalancerIds,
      boolean soon,
      Instant freshAsOf,
      boolean acls) {
    return family(scope, client, loadBalancerIds, soon, freshAsOf, acls, null);
  }

  /**
   * The same; {@code peers} (or null): the load balancers of the scope's other watches, listed
   * along with these in one region-wide listing when many of them were never listed ({@link
   * #coldStart}).
   */
  public Family family(
      AccountScope scope,
      AlbJobClient client,
      Collection<String> loadBalancerIds,
      boolean soon,
      Instant freshAsOf,
      boolean acls,
      java.util.function.Supplier<? extends Collection<String>> peers) {
    Instant now = clock.instant();
    sweep(now);
    if (peers != null) {
      coldStart(scope, client, loadBalancerIds, peers, now);
    }
    List<String> due = new ArrayList<>();
    for (String lb : new java.util.LinkedHashSet<>(loadBalancerIds)) {
      Entry e = entries.computeIfAbsent(new Key(scope, lb), k -> new Entry());
      e.used = now;
      synchronized (e) {
        // A throttled listing waits a quarter of the refresh interval, asked or not: retrying it
        // every few seconds would spend the scope's call budget that ListAsynJobs polling needs.
        boolean throttled =
            e.problem != null && e.problem.kind() == io.albjobs.operator.alb.ErrorKind.THROTTLED;
        Duration every =
            throttled
                ? max(MIN_SPACING, refresh.dividedBy(4))
                : e.problem != null
                            && e.problem.kind() == io.albjobs.operator.alb.ErrorKind.RETRYABLE
                        || soon
                    ? MIN_SPACING
                    : refresh;
        // Fresh means a listing that worked and started at or after freshAsOf (one in flight does
        // not count); at most one listing a second for it. A failing listing keeps its own
        // schedule: ChildrenListed says the children are not listed.
        boolean stale =
            freshAsOf != null
                && e.problem == null
                && e.listedAt.isBefore(freshAsOf)
                && !now.isBefore(e.attemptedAt.plusSeconds(1));
        if (e.current == null && e.problem == null
            || stale
            || !now.isBefore(e.attemptedAt.plus(every))) {
          due.add(lb);
          e.attemptedAt = now; // one listing at a time: other watches use what is there meanwhile
          e.aclsStale |= soon && acls;
        }
      }
    }
    if (!due.isEmpty()) {
      // The other load balancers of the scope that are half-way to their refresh go along: the
      // watches of a scope end up refreshing together, and ChildLister lists many load balancers
      // in a few pages when their children are few.
      for (Map.Entry<Key, Entry> other : entries.entrySet()) {
        if (!other.getKey().scope().equals(scope)
            || due.contains(other.getKey().loadBalancerId())) {
          continue;
        }
        Entry e = other.getValue();
        synchronized (e) {
          if (e.current != null
              && e.problem == null
              && !now.isBefore(e.attemptedAt.plus(refresh.dividedBy(2)))) {
            due.add(other.getKey().loadBalancerId());
            e.attemptedAt = now;
          }
        }
      }
      list(scope, client, due, now);
    }
    return build(scope, loadBalancerIds);
  }

  /**
   * When the operator starts, a new leader takes over or many watches are created, every watch's
   * first poll would list its own load balancers' children: a call per type and ten load balancers,
   * hundreds for a scope of many watches, before any of them polls its jobs. When more than ten
   * load balancers of the scope (these and {@code peers}) were never listed, one region-wide
   * listing serves them all instead, if ALB's {@code TotalCount} says it takes fewer pages; the
   * watches whose load balancers it lists wait for it (at most {@link #BATCH_WAIT}), then find them
   * listed. When the region is too large for it or it fails, every watch lists its own, and none is
   * tried again in the scope for {@link #IDLE}.
   */
  private void coldStart(
      AccountScope scope,
      AlbJobClient client,
      Collection<String> loadBalancerIds,
      java.util.function.Supplier<? extends Collection<String>> peers,
      Instant now) {
    Batch running = batches.get(scope);
    if (running != null) {
      awaitIfOurs(running, loadBalancerIds);
      return;
    }
    if (perLoadBalancerOnly.contains(scope)
        || now.isBefore(noColdStartUntil.getOrDefault(scope, Instant.MIN))
        || loadBalancerIds.stream().noneMatch(lb -> cold(scope, lb))) {
      return;
    }
    Set<String> cold = new java.util.LinkedHashSet<>();
    for (String lb : loadBalancerIds) {
      if (cold(scope, lb)) {
        cold.add(lb);
      }
    }
    for (String lb : peers.get()) {
      if (cold(scope, lb)) {
        cold.add(lb);
      }
    }
    if (cold.size() <= ChildLister.MAX_IDS) {
      return;
    }
    Batch mine = new Batch(Set.copyOf(cold));
    Batch other = batches.putIfAbsent(scope, mine);
    if (other != null) {
      awaitIfOurs(other, loadBalancerIds);
      return;
    }
    try {
      List<String> claimed = new ArrayList<>();
      for (String lb : cold) {
        Entry e = entries.computeIfAbsent(new Key(scope, lb), k -> new Entry());
        synchronized (e) {
          if (e.current == null && e.problem == null && e.attemptedAt.equals(Instant.MIN)) {
            e.attemptedAt = now;
            e.used = now; // a peer that never polls goes after IDLE like any entry
            claimed.add(lb);
          }
        }
      }
      if (claimed.size() > ChildLister.MAX_IDS && !list(scope, client, claimed, now, true)) {
        noColdStartUntil.put(scope, now.plus(IDLE));
      }
    } finally {
      batches.remove(scope, mine);
      mine.done.countDown();
    }
  }

  /** The longest a watch waits for a cold-start listing of its load balancers' children. */
  static final Duration BATCH_WAIT = Duration.ofSeconds(30);

  /**
   * The most listeners whose ACLs ({@code GetListenerAttribute}, a call each) a cold-start listing
   * reads: 20 s at the default 5 calls/s, so that the watches waiting for it wait within {@link
   * #BATCH_WAIT}. With more, every watch lists its own load balancers' children.
   */
  static final int BATCH_ATTRIBUTE_READS = 100;

  /** Never listed, and no listing of it under way. */
  private boolean cold(AccountScope scope, String loadBalancerId) {
    Entry e = entries.get(new Key(scope, loadBalancerId));
    if (e == null) {
      return true;
    }
    synchronized (e) {
      return e.current == null && e.problem == null && e.attemptedAt.equals(Instant.MIN);
    }
  }

  private static void awaitIfOurs(Batch batch, Collection<String> loadBalancerIds) {
    if (loadBalancerIds.stream().noneMatch(batch.loadBalancerIds::contains)) {
      return;
    }
    try {
      batch.done.await(BATCH_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void list(AccountScope scope, AlbJobClient client, List<String> due, Instant now) {
    list(scope, client, due, now, false);
  }

  /**
   * Lists the children of {@code due}; {@code regionWideOnly}: only in one region-wide listing, and
   * false when that was not made (too long, refused, failed), leaving the entries as they were.
   */
  private boolean list(
      AccountScope scope,
      AlbJobClient client,
      List<String> due,
      Instant now,
      boolean regionWideOnly) {
    // ACLs change least: GetListenerAttribute (one call per listener) runs for new listeners, for
    // every listener when a poll saw a change or every ACL_REFRESH_FACTOR refresh intervals.
    Map<String, Set<String>> knownAcls = new HashMap<>();
    boolean readAll = false;
    for (String lb : due) {
      Entry entry = entries.get(new Key(scope, lb));
      if (entry != null) {
        synchronized (entry) {
          readAll |=
              entry.aclsStale
                  || !now.isBefore(entry.aclsReadAt.plus(refresh.multipliedBy(ACL_REFRESH_FACTOR)));
          knownAcls.putAll(entry.aclsByListener);
        }
      }
    }
    Map<String, Set<String>> known = readAll ? null : knownAcls;
    ChildLister.Listing listing =
        regionWideOnly
            ? lister.regionWideListing(client, due, known, BATCH_ATTRIBUTE_READS)
            : lister.listing(client, due, !perLoadBalancerOnly.contains(scope), known);
    if (listing != null && listing.regionWideRefused()) {
      perLoadBalancerOnly.add(scope);
    }
    if (regionWideOnly && (listing == null || listing.regionWideRefused())) {
      return false;
    }
    for (String lb : due) {
      Entry entry = entries.get(new Key(scope, lb));
      if (entry == null) {
        continue;
      }
      AlbException failed = listing.failed().get(lb);
      if (failed != null) {
        synchronized (entry) {
          if (!entry.listedAt.isAfter(now)) {
            entry.problem = failed;
          }
        }
        continue;
      }
      Children next = listing.children().getOrDefault(lb, Children.none(lb));
      synchronized (entry) {
        if (entry.listedAt.isAfter(now)) {
          // A listing that started after this one ended first (a watch that stopped waiting for a
          // cold-start listing): it is the newer.
          continue;
        }
        if (entry.current != null
            && next.of(ChildLister.LISTENER).stream()
                .anyMatch(listing.skippedListeners()::contains)) {
          // A listener went away before its ACLs were read: keep the ACLs known so far.
          Map<String, Set<String>> merged = new HashMap<>(next.byType());
          Set<String> acls = new HashSet<>(next.of(ChildLister.ACL));
          acls.addAll(entry.current.of(ChildLister.ACL));
          merged.put(ChildLister.ACL, acls);
          next = new Children(lb, merged);
        }
        if (entry.current != null) {
          for (String type : ChildLister.CHILD_TYPES) {
            for (String id : entry.current.of(type)) {
              if (!next.of(type).contains(id)) {
                entry.covered.put(id, new Covered(type, now.plus(keepDeparted())));
              }
            }
          }
        }
        for (String type : ChildLister.CHILD_TYPES) {
          next.of(type).forEach(entry.covered::remove);
        }
        entry.covered.values().removeIf(d -> d.until().isBefore(now));
        entry.current = next;
        entry.problem = null;
        Map<String, Set<String>> acls = new HashMap<>();
        for (String listener : next.of(ChildLister.LISTENER)) {
          Set<String> of =
              listing.aclsByListener().getOrDefault(listener, entry.aclsByListener.get(listener));
          if (of != null) {
            acls.put(listener, of);
          }
        }
        entry.aclsByListener = acls;
        if (readAll) {
          entry.aclsReadAt = now;
          entry.aclsStale = false;
        }
        entry.listedAt = now; // the listing's start: a child created after it may be missing
        entry.notMine.values().removeIf(at -> at.isBefore(now.minus(IDLE)));
      }
    }
    return true;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** A departed child stays covered this long: past a few polls and the watermark overlap. */
  private Duration keepDeparted() {
    Duration twice = refresh.multipliedBy(2);
    return twice.compareTo(IDLE) > 0 ? twice : IDLE;
  }

  private Family build(AccountScope scope, Collection<String> loadBalancerIds) {
    Map<String, String> lbOf = new LinkedHashMap<>();
    Map<String, Set<String>> byType = new LinkedHashMap<>();
    AlbException problem = null;
    boolean retrying = false;
    Instant aclsOldest = null;
    Instant oldest = null;
    boolean complete = true;
    Instant now = clock.instant();
    Set<String> coveredOnly = new HashSet<>();
    for (String lb : new java.util.TreeSet<>(loadBalancerIds)) {
      lbOf.putIfAbsent(lb, lb);
      byType.computeIfAbsent(LOADBALANCER, t -> new java.util.LinkedHashSet<>()).add(lb);
      Entry e = entries.get(new Key(scope, lb));
      if (e == null) {
        complete = false;
        continue;
      }
      synchronized (e) {
        if (e.problem != null) {
          problem = e.problem;
          retrying |= e.problem.kind() != io.albjobs.operator.alb.ErrorKind.TERMINAL;
        }
        if (e.current == null) {
          complete = false;
          continue;
        }
        oldest = oldest == null || e.listedAt.isBefore(oldest) ? e.listedAt : oldest;
        aclsOldest =
            aclsOldest == null || e.aclsReadAt.isBefore(aclsOldest) ? e.aclsReadAt : aclsOldest;
        for (String type : ChildLister.CHILD_TYPES) {
          for (String id : e.current.of(type)) {
            lbOf.putIfAbsent(id, lb);
            byType.computeIfAbsent(type, t -> new java.util.TreeSet<>()).add(id);
          }
        }
        e.covered.forEach(
            (id, d) -> {
              if (!d.until().isBefore(now)) {
                lbOf.putIfAbsent(id, lb);
                byType.computeIfAbsent(d.type(), t -> new java.util.TreeSet<>()).add(id);
                coveredOnly.add(id);
              }
            });
      }
    }
    Map<String, List<String>> ids = new LinkedHashMap<>();
    byType.forEach((type, set) -> ids.put(type, List.copyOf(set)));
    Family family =
        new Family(lbOf, ids, problem, oldest == null ? clock.instant() : oldest, complete);
    family.coveredOnly = Set.copyOf(coveredOnly);
    family.retrying = retrying;
    family.aclsListedAt = aclsOldest == null ? family.listedAt() : aclsOldest;
    return family;
  }

  /**
   * Child jobs in a listing of the whole scope whose resource is neither in the family nor known to
   * be another load balancer's (a listing made for such a job did not find it; remembered for
   * {@link #IDLE}): a reason to list the children again.
   */
  public Set<String> unknownChildren(AccountScope scope, Family family, Collection<AlbJob> listed) {
    Set<String> notMine = new HashSet<>();
    for (String lb : family.idsByType().getOrDefault(LOADBALANCER, List.of())) {
      Entry e = entries.get(new Key(scope, lb));
      if (e != null) {
        synchronized (e) {
          notMine.addAll(e.notMine.keySet());
        }
      }
    }
    Set<String> unknown = new HashSet<>();
    for (AlbJob job : listed) {
      if (ChildLister.CHILD_TYPES.contains(job.resourceType())
          && !family.owns(job)
          && job.resourceId() != null
          && !notMine.contains(job.resourceId())) {
        unknown.add(job.resourceId());
      }
    }
    if (!unknown.isEmpty()) {
      unknown.removeAll(listenersAndRulesOfOthers(scope, family));
      unknown.removeIf(
          id -> {
            Owner o = owners.get(new ChildKey(scope, id));
            return o != null && !family.loadBalancerOf.containsKey(o.loadBalancerId());
          });
    }
    return unknown;
  }

  /**
   * Asks ALB which load balancer these listeners and rules (IDs by type) belong to, for those not
   * known yet: one call per type and 10 IDs for the whole scope, where every family listing its own
   * children again would take one listing per family. An ID is asked at most once a second.
   */
  public void lookUp(AccountScope scope, AlbJobClient client, Map<String, Set<String>> idsByType)
      throws AlbException {
    Instant now = clock.instant();
    boolean unanswered = false;
    for (Map.Entry<String, Set<String>> type : idsByType.entrySet()) {
      for (String id : type.getValue()) {
        Owner owner = owners.get(new ChildKey(scope, id));
        if (owner != null) {
          // Answered before, maybe before its load balancer's children were first listed.
          adopt(scope, owner.loadBalancerId(), type.getKey(), id, now);
        } else {
          unanswered = true;
        }
      }
    }
    if (!unanswered || lookUpRefused.contains(scope)) {
      return;
    }
    // One look-up at a time per scope: the watches of a tick see the same new rule at once, and
    // those after the first wait for its answer rather than list their children again.
    synchronized (lookUpLocks.computeIfAbsent(scope, s -> new Object())) {
      lookUpLocked(scope, client, idsByType);
    }
  }

  private void lookUpLocked(
      AccountScope scope, AlbJobClient client, Map<String, Set<String>> idsByType)
      throws AlbException {
    Instant now = clock.instant();
    for (Map.Entry<String, Set<String>> type : idsByType.entrySet()) {
      List<String> ask = new ArrayList<>();
      for (String id : type.getValue()) {
        ChildKey key = new ChildKey(scope, id);
        Instant last = asked.get(key);
        if (!owners.containsKey(key) && (last == null || !now.isBefore(last.plusSeconds(1)))) {
          asked.put(key, now);
          ask.add(id);
        }
      }
      if (!ask.isEmpty() && !lookUpRefused.contains(scope)) {
        try {
          String childType = type.getKey();
          lister
              .owners(client, childType, ask)
              .forEach(
                  (id, lb) -> {
                    owners.put(new ChildKey(scope, id), new Owner(lb, now));
                    adopt(scope, lb, childType, id, now);
                  });
        } catch (AlbException e) {
          if (io.albjobs.operator.alb.ErrorClassifier.isPermissionProblem(e.code())) {
            lookUpRefused.add(scope); // a RAM policy scoped to load balancers: list them instead
          }
          throw e;
        }
      }
    }
  }

  /**
   * A listener or rule ALB named as a listed load balancer's: covered by it from now on, as a
   * departed child is, until a listing shows it (or for as long as a departed one stays), so that
   * its jobs count without listing every child of the load balancer again.
   */
  private void adopt(
      AccountScope scope, String loadBalancerId, String type, String id, Instant now) {
    Entry e = entries.get(new Key(scope, loadBalancerId));
    if (e == null) {
      return;
    }
    synchronized (e) {
      if (e.current != null && !e.current.of(type).contains(id)) {
        e.covered.put(id, new Covered(type, now.plus(keepDeparted())));
      }
    }
  }

  /** The family of these load balancers from what is held, without listing anything. */
  public Family held(AccountScope scope, Collection<String> loadBalancerIds) {
    return build(scope, loadBalancerIds);
  }

  /**
   * Whether a job's resource belongs to one load balancer only (a listener, a rule): ACLs, security
   * policies and server groups can be used by several, and become a family's only through a
   * listener or rule of it (a job of that listener or rule, or a new one, shows the change).
   */
  public static boolean exclusive(String resourceType) {
    return ChildLister.LISTENER.equals(resourceType) || ChildLister.RULE.equals(resourceType);
  }

  /**
   * The listeners and rules of the scope's other load balancers, listed or still covered (gone
   * since, or named by a look-up): not the family's. A deleted rule's job is another load
   * balancer's, not a reason for every family to list its children again.
   */
  private Set<String> listenersAndRulesOfOthers(AccountScope scope, Family family) {
    Set<String> others = new HashSet<>();
    for (Map.Entry<Key, Entry> other : entries.entrySet()) {
      if (!other.getKey().scope().equals(scope)
          || family.loadBalancerOf.containsKey(other.getKey().loadBalancerId())) {
        continue;
      }
      Entry e = other.getValue();
      synchronized (e) {
        if (e.current != null) {
          others.addAll(e.current.of(ChildLister.LISTENER));
          others.addAll(e.current.of(ChildLister.RULE));
        }
        e.covered.forEach(
            (id, c) -> {
              if (exclusive(c.type())) {
                others.add(id);
              }
            });
      }
    }
    return others;
  }

  /** After a fresh listing of the children: these IDs belong to other load balancers. */
  public void notMine(AccountScope scope, Family family, Set<String> ids) {
    for (String lb : family.idsByType().getOrDefault(LOADBALANCER, List.of())) {
      Entry e = entries.get(new Key(scope, lb));
      if (e != null) {
        synchronized (e) {
          Instant now = clock.instant();
          ids.forEach(id -> e.notMine.put(id, now));
        }
      }
    }
  }

  /**
   * Resources of the family the watch ({@code member}) has not polled before, by type, and since
   * when to look for their jobs (node clock): the last listing that worked before the watch's
   * previous poll. Empty on a watch's first poll (its window covers them anyway). Records nothing:
   * {@link #commit} does, once the jobs found were mirrored.
   */
  public Backfill backfill(String member, Family family) {
    Seen before = seen.get(member);
    if (before == null) {
      return Backfill.NONE;
    }
    Map<String, List<String>> fresh = new LinkedHashMap<>();
    family
        .idsByType()
        .forEach(
            (type, ids) -> {
              List<String> added = ids.stream().filter(id -> !before.ids().contains(id)).toList();
              if (!added.isEmpty()) {
                fresh.put(type, added);
              }
            });
    // An ACL attached to a known listener shows up only when every listener's ACLs are read again.
    Instant since =
        fresh.containsKey(ChildLister.ACL) && before.aclsListedAt().isBefore(before.listedAt())
            ? before.aclsListedAt()
            : before.listedAt();
    return fresh.isEmpty() ? Backfill.NONE : new Backfill(fresh, since);
  }

  /**
   * Records the family as polled by the watch, after its jobs were mirrored: a poll that failed
   * after {@link #backfill} looks the same resources up again next time.
   */
  public void commit(String member, Family family) {
    Instant now = clock.instant();
    seen.compute(
        member,
        (m, before) -> {
          Instant listedAt = family.listedAt();
          if (before != null && before.listedAt().isBefore(listedAt) && !family.complete()) {
            listedAt =
                before.listedAt(); // a load balancer not listed yet: do not move past the last good
            // listing
          }
          Instant aclsListedAt = family.aclsListedAt;
          if (before != null
              && before.aclsListedAt().isBefore(aclsListedAt)
              && !family.complete()) {
            aclsListedAt = before.aclsListedAt();
          }
          return new Seen(Set.copyOf(family.ids()), listedAt, aclsListedAt, now);
        });
  }

  /** {@link #backfill} then {@link #commit} (a poll that has nothing to mirror in between). */
  public Backfill polled(String member, Family family) {
    Backfill b = backfill(member, family);
    commit(member, family);
    return b;
  }

  /** New resources of a watch's family and the node time to look back to for their jobs. */
  public record Backfill(Map<String, List<String>> idsByType, Instant since) {
    static final Backfill NONE = new Backfill(Map.of(), null);
  }

  /** Drops the entries of a scope whose client was closed. */
  public void forget(AccountScope scope) {
    entries.keySet().removeIf(k -> k.scope().equals(scope));
    owners.keySet().removeIf(k -> k.scope().equals(scope));
    asked.keySet().removeIf(k -> k.scope().equals(scope));
    lookUpRefused.remove(scope);
    lookUpLocks.remove(scope);
    perLoadBalancerOnly.remove(scope);
    noColdStartUntil.remove(scope);
  }

  /** Load balancers whose children are held (all scopes). */
  public int size() {
    return entries.size();
  }

  /** Listeners and rules whose load balancer is held from a look-up (all scopes). */
  int ownersHeld() {
    return owners.size() + asked.size();
  }

  private void sweep(Instant now) {
    Instant cutoff = now.minus(IDLE);
    entries.values().removeIf(e -> e.used != null && e.used.isBefore(cutoff));
    seen.values().removeIf(s -> s.used().isBefore(cutoff));
    owners.values().removeIf(o -> o.at().isBefore(cutoff));
    asked.values().removeIf(at -> at.isBefore(cutoff));
  }
}
