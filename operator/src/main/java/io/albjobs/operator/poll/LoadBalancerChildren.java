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
 * <p>Children change far less often than jobs: a load balancer's children are listed again
 * ({@link ChildLister}) every {@code refresh} (60 s by default), and sooner (at most every
 * {@link #MIN_SPACING}) when a poll asks because a listing showed a child it does not know or
 * a job newer than the children. A child that disappears stays covered for {@code keepDeparted},
 * so that the job that deleted it is still mirrored. A child a watch has not polled before is
 * looked up back to the children listing the watch used last (minus the overlap), so that a
 * rule's {@code CreateRules} job, recorded under a rule that did not exist at the previous listing,
 * is not lost behind the watermark.
 *
 * <p>Lifetime: a scope's entries go when its client is closed ({@link #forget}); an entry or a
 * watch's record unused for {@link #IDLE} goes at the next call.
 */
public final class LoadBalancerChildren {
  public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(60);
  /** The shortest time between two listings of one load balancer's children. */
  public static final Duration MIN_SPACING = Duration.ofSeconds(5);
  static final Duration IDLE = Duration.ofMinutes(10);
  static final String LOADBALANCER = "loadbalancer";

  private record Key(AccountScope scope, String loadBalancerId) {}

  private record Departed(String type, Instant until) {}

  /** The children listing a watch polled with last: its IDs and when that listing was made. */
  private record Seen(Set<String> ids, Instant listedAt, Instant used) {}

  private static final class Entry {
    Children current;
    Instant listedAt = Instant.MIN;
    AlbException problem;
    final Map<String, Departed> departed = new HashMap<>();
    /** Child IDs seen in listings that a fresh listing showed are not this load balancer's. */
    final Map<String, Instant> notMine = new HashMap<>();
    volatile Instant used;
  }

  /**
   * What one watch polls: its load balancers and their children (departed ones included), by ALB
   * resource type, and to which load balancer each belongs.
   */
  public static final class Family {
    private final Map<String, String> loadBalancerOf;
    private final Map<String, List<String>> idsByType;
    private final AlbException problem;
    private final Instant listedAt;
    private final boolean complete;

    Family(Map<String, String> loadBalancerOf, Map<String, List<String>> idsByType, AlbException problem,
        Instant listedAt, boolean complete) {
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

    /** The oldest children listing the family is made of (node clock). */
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
  public Family family(AccountScope scope, AlbJobClient client, Collection<String> loadBalancerIds, boolean soon) {
    Instant now = clock.instant();
    sweep(now);
    List<String> due = new ArrayList<>();
    for (String lb : new java.util.LinkedHashSet<>(loadBalancerIds)) {
      Entry e = entries.computeIfAbsent(new Key(scope, lb), k -> new Entry());
      e.used = now;
      synchronized (e) {
        Duration every = e.problem != null && e.problem.kind() != io.albjobs.operator.alb.ErrorKind.TERMINAL
            ? MIN_SPACING : soon ? MIN_SPACING : refresh;
        if (e.current == null && e.problem == null || !now.isBefore(e.listedAt.plus(every))) {
          due.add(lb);
          e.listedAt = now; // one listing at a time: other watches use what is there meanwhile
        }
      }
    }
    if (!due.isEmpty()) {
      // The other load balancers of the scope that are half-way to their refresh go along: the
      // watches of a scope end up refreshing together, and ChildLister lists many load balancers
      // in a few pages when their children are few.
      for (Map.Entry<Key, Entry> other : entries.entrySet()) {
        if (!other.getKey().scope().equals(scope) || due.contains(other.getKey().loadBalancerId())) {
          continue;
        }
        Entry e = other.getValue();
        synchronized (e) {
          if (e.current != null && e.problem == null && !now.isBefore(e.listedAt.plus(refresh.dividedBy(2)))) {
            due.add(other.getKey().loadBalancerId());
            e.listedAt = now;
          }
        }
      }
      list(scope, client, due, now);
    }
    return build(scope, loadBalancerIds);
  }

  private void list(AccountScope scope, AlbJobClient client, List<String> due, Instant now) {
    Map<String, Children> found;
    try {
      found = lister.list(client, due);
    } catch (AlbException e) {
      for (String lb : due) {
        Entry entry = entries.get(new Key(scope, lb));
        if (entry != null) {
          synchronized (entry) {
            entry.problem = e;
          }
        }
      }
      return;
    }
    for (String lb : due) {
      Entry entry = entries.get(new Key(scope, lb));
      if (entry == null) {
        continue;
      }
      Children next = found.getOrDefault(lb, Children.none(lb));
      synchronized (entry) {
        if (entry.current != null) {
          for (String type : ChildLister.CHILD_TYPES) {
            for (String id : entry.current.of(type)) {
              if (!next.of(type).contains(id)) {
                entry.departed.put(id, new Departed(type, now.plus(keepDeparted())));
              }
            }
          }
        }
        for (String type : ChildLister.CHILD_TYPES) {
          next.of(type).forEach(entry.departed::remove);
        }
        entry.departed.values().removeIf(d -> d.until().isBefore(now));
        entry.current = next;
        entry.problem = null;
        entry.notMine.values().removeIf(at -> at.isBefore(now.minus(IDLE)));
      }
    }
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
    Instant oldest = null;
    boolean complete = true;
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
        }
        if (e.current == null) {
          complete = false;
          continue;
        }
        oldest = oldest == null || e.listedAt.isBefore(oldest) ? e.listedAt : oldest;
        for (String type : ChildLister.CHILD_TYPES) {
          for (String id : e.current.of(type)) {
            lbOf.putIfAbsent(id, lb);
            byType.computeIfAbsent(type, t -> new java.util.TreeSet<>()).add(id);
          }
        }
        e.departed.forEach((id, d) -> {
          lbOf.putIfAbsent(id, lb);
          byType.computeIfAbsent(d.type(), t -> new java.util.TreeSet<>()).add(id);
        });
      }
    }
    Map<String, List<String>> ids = new LinkedHashMap<>();
    byType.forEach((type, set) -> ids.put(type, List.copyOf(set)));
    return new Family(lbOf, ids, problem, oldest == null ? clock.instant() : oldest, complete);
  }

  /**
   * Child jobs in a listing of the whole scope whose resource is neither in the family nor known
   * to be another load balancer's (a listing made for such a job did not find it; remembered for
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
      if (ChildLister.CHILD_TYPES.contains(job.resourceType()) && !family.owns(job)
          && job.resourceId() != null && !notMine.contains(job.resourceId())) {
        unknown.add(job.resourceId());
      }
    }
    return unknown;
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
   * when to look for their jobs (node clock): the children listing the watch polled with last.
   * Empty on a watch's first poll (its window covers them anyway). Records the family as polled.
   */
  public Backfill polled(String member, Family family) {
    Instant now = clock.instant();
    Seen before = seen.put(member, new Seen(Set.copyOf(family.ids()), family.listedAt(), now));
    if (before == null) {
      return Backfill.NONE;
    }
    Map<String, List<String>> fresh = new LinkedHashMap<>();
    family.idsByType().forEach((type, ids) -> {
      List<String> added = ids.stream().filter(id -> !before.ids().contains(id)).toList();
      if (!added.isEmpty()) {
        fresh.put(type, added);
      }
    });
    return fresh.isEmpty() ? Backfill.NONE : new Backfill(fresh, before.listedAt());
  }

  /** New resources of a watch's family and the node time to look back to for their jobs. */
  public record Backfill(Map<String, List<String>> idsByType, Instant since) {
    static final Backfill NONE = new Backfill(Map.of(), null);
  }

  /** Drops the entries of a scope whose client was closed. */
  public void forget(AccountScope scope) {
    entries.keySet().removeIf(k -> k.scope().equals(scope));
  }

  /** Load balancers whose children are held (all scopes). */
  public int size() {
    return entries.size();
  }

  private void sweep(Instant now) {
    Instant cutoff = now.minus(IDLE);
    entries.values().removeIf(e -> e.used != null && e.used.isBefore(cutoff));
    seen.values().removeIf(s -> s.used().isBefore(cutoff));
  }
}
