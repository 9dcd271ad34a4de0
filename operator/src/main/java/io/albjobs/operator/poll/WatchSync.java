package io.albjobs.operator.poll;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.JobLister;
import io.albjobs.operator.alb.JobQuery;
import io.albjobs.operator.config.Durations;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.AsyncJobWatchSpec;
import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.albjobs.operator.metrics.OperatorMetrics;
import io.albjobs.operator.scope.AccountScope;
import io.albjobs.operator.scope.AlbClients;
import io.albjobs.operator.scope.AlbConfigSource;
import io.albjobs.operator.scope.Backoff;
import io.albjobs.operator.scope.ScopeResolver;
import io.albjobs.operator.status.ChildrenListed;
import io.albjobs.operator.status.Problem;
import io.albjobs.operator.status.Times;
import io.albjobs.operator.status.WatchRollup;
import io.albjobs.operator.write.EventRecorder;
import io.albjobs.operator.write.JobMirror;
import io.albjobs.operator.write.Retention;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One poll of one watch: resolve the account scope and resource IDs, ask ALB for the jobs created
 * since the watermark (and, by ID, for jobs in flight that fell out of that window), mirror them,
 * apply retention and roll everything up into the next status.
 */
public final class WatchSync {
  /** The status to write and when to poll next. */
  public record Outcome(AsyncJobWatchStatus status, Instant nextPollAt) {}

  /** The scope and listing pool (resource type, or null for every type) a watch polls in. */
  private record Seat(AccountScope scope, String resourceType, String member) {}

  private final AlbClients clients;
  private final ScopeResolver scopes;
  private final AlbConfigSource albConfigs;
  private final JobLister lister;
  private final SharedListings listings;
  private final JobMirror mirror;
  private final Retention retention;
  private final OperatorMetrics metrics;
  private final SyncDefaults defaults;
  private final Clock clock;
  private final AlbClock albClock;
  private final EventRecorder events;
  private final LoadBalancerChildren lbChildren;
  private final Backoff errorBackoff = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5));
  private volatile java.util.function.Supplier<? extends Collection<AsyncJobWatch>> watches =
      List::of;

  public WatchSync(
      AlbClients clients,
      ScopeResolver scopes,
      AlbConfigSource albConfigs,
      JobMirror mirror,
      Retention retention,
      OperatorMetrics metrics,
      SyncDefaults defaults,
      boolean shareListings,
      Clock clock,
      AlbClock albClock,
      EventRecorder events) {
    this.albClock = albClock;
    this.events = events;
    this.clients = clients;
    this.scopes = scopes;
    this.albConfigs = albConfigs;
    this.lister = new JobLister(defaults.maxPages());
    this.listings =
        new SharedListings(
            shareListings,
            lister,
            defaults.watermarkOverlap(),
            defaults.pollInterval(),
            defaults.activePollInterval(),
            defaults.maxPages());
    clients.onScopeClosed(listings::forget);
    this.lbChildren =
        new LoadBalancerChildren(
            new io.albjobs.operator.alb.ChildLister(defaults.maxPages()), clock);
    clients.onScopeClosed(lbChildren::forget);
    listings.onlyFor(clients::isLive);
    this.mirror = mirror;
    this.retention = retention;
    this.metrics = metrics;
    listings.onDiscoveryPaused(metrics::discoveryPaused);
    this.defaults = defaults;
    this.clock = clock;
  }

  /**
   * Lists each scope's new jobs every {@code every} when no watch of it polls, and wakes the
   * watches that have one ({@link SharedListings#discoverEvery}); {@link Duration#ZERO}: off.
   */
  public void discoverEvery(Duration every, SharedListings.Waker waker) {
    listings.wakeWith(waker);
    listings.discoverEvery(every);
  }

  /**
   * Where the watches the operator holds come from (the controller's cache): a first poll lists the
   * children of the load balancers of its scope's other watches along ({@link
   * LoadBalancerChildren}).
   */
  public void peersFrom(java.util.function.Supplier<? extends Collection<AsyncJobWatch>> watches) {
    this.watches = watches;
  }

  /**
   * The load balancers of the other watches with children that name the same namespace, credentials
   * Secret, region and endpoint as {@code watch} (so the same account scope).
   */
  private Set<String> peers(AsyncJobWatch watch) {
    AsyncJobWatchSpec spec = watch.getSpec();
    Set<String> ids = new LinkedHashSet<>();
    for (AsyncJobWatch other : watches.get()) {
      AsyncJobWatchSpec o = other.getSpec();
      if (o != null
          && o.coversChildren()
          && !o.isSuspended()
          && other.getMetadata().getDeletionTimestamp() == null
          && java.util.Objects.equals(
              watch.getMetadata().getNamespace(), other.getMetadata().getNamespace())
          && java.util.Objects.equals(secretName(spec), secretName(o))
          && java.util.Objects.equals(spec.getRegionId(), o.getRegionId())
          && java.util.Objects.equals(spec.getEndpoint(), o.getEndpoint())) {
        ids.addAll(o.getResourceIds());
      }
    }
    return ids;
  }

  private static String secretName(AsyncJobWatchSpec spec) {
    return spec.getCredentialsSecretRef() == null ? null : spec.getCredentialsSecretRef().getName();
  }

  /** A watch suspended or deleted: it leaves its scope's listings (discovery lists for no one). */
  public void leave(AsyncJobWatch watch) {
    listings.leave(watch.getMetadata().getNamespace() + "/" + watch.getMetadata().getName());
  }

  /** Stops what runs on its own (discovery). */
  public void close() {
    listings.close();
  }

  /** The children cache of load-balancer watches (its refresh interval is an operator setting). */
  public LoadBalancerChildren loadBalancerChildren() {
    return lbChildren;
  }

  /** Polls one watch; a shared listing must be as fresh as {@code poll.due()}. */
  public Outcome poll(WatchPoll poll) {
    AsyncJobWatch watch = poll.watch();
    AsyncJobWatchStatus next = poll.next();
    Map<String, AsyncJob> children = poll.children();
    WatchState state = poll.state();
    Instant now = clock.instant();
    AsyncJobWatchSpec spec = watch.getSpec();
    String ns = watch.getMetadata().getNamespace();
    Long generation = watch.getMetadata().getGeneration();
    next.setLastSyncTime(Times.format(now));
    Duration idle = defaults.pollInterval();
    Duration active = defaults.activePollInterval();
    Map<String, AsyncJob> view = children;
    Problem problem = null;
    List<String> polledIds = null;
    // The ChildrenListed condition: absent without children to list, unchanged when the poll
    // failed.
    ChildrenListed.State childState = spec.coversChildren() ? ChildrenListed.State.UNCHANGED : null;
    List<io.fabric8.kubernetes.api.model.Condition> conditionsBefore = next.getConditions();
    AccountScope sharedScope = null;
    String type = spec.getResourceType() == null ? null : spec.getResourceType().wire();
    LoadBalancerChildren.Family family = null;
    // Whether a family poll saw every child a change may have created (null: not a family poll).
    Boolean familyFresh = null;
    // When the listing the poll's jobs came from started: a shared one may have started before.
    Instant listedFrom = now;
    // The watch's place among the listings of its scope, once it asked for one.
    Seat seat = null;
    java.util.function.Function<AlbJob, String> loadBalancerOf =
        LoadBalancerChildren.LOADBALANCER.equals(type)
            ? job ->
                LoadBalancerChildren.LOADBALANCER.equals(job.resourceType())
                    ? job.resourceId()
                    : null
            : job -> null;
    try {
      idle =
          atLeast(
              interval(spec.getPollInterval(), idle, "spec.pollInterval"),
              defaults.minPollInterval(),
              spec.getPollInterval());
      active =
          atLeast(
              interval(spec.getActivePollInterval(), active, "spec.activePollInterval"),
              defaults.minActivePollInterval(),
              spec.getActivePollInterval());
      Duration since = interval(spec.getSince(), defaults.since(), "spec.since");
      AccountScope scope =
          scopes.resolve(
              ns, spec.getRegionId(), spec.getEndpoint(), spec.getCredentialsSecretRef());
      List<String> ids = resourceIds(spec);
      polledIds = ids;
      next.setResourceCount(ids.size());
      // Watermarks are on ALB's clock: ALB compares BeginTime with its own CreateTime.
      Duration skew = albClock.skew(scope.endpoint());
      Instant albNow = skew == null ? now : now.plus(skew);
      Instant watermark = Times.parse(next.getWatermark());
      Instant begin =
          watermark == null ? albNow.minus(since) : watermark.minus(defaults.watermarkOverlap());
      List<AlbJob> jobs = new ArrayList<>();
      Instant asOf = albNow;
      if (!ids.isEmpty() || spec.getAlbConfigSelector() == null) {
        AlbClock.Probe client = albClock.probe(clients.forScope(scope), scope.endpoint());
        Instant albTime;
        long newest = Long.MIN_VALUE;
        String member = ns + "/" + watch.getMetadata().getName();
        family =
            spec.coversChildren()
                ? lbChildren.family(scope, client, ids, false, null, false, () -> peers(watch))
                : null;
        if (family != null && !family.hasChildren() && poll.childrenFreshAsOf() != null) {
          // No child known: a settling watch's change may have created the first ones, whose jobs
          // a listing of load balancers alone does not show.
          family = lbChildren.family(scope, client, ids, false, poll.childrenFreshAsOf());
        }
        Set<String> wantedApis = Set.copyOf(spec.getApiNames());
        java.util.function.Predicate<AlbJob> api =
            job -> wantedApis.isEmpty() || wantedApis.contains(job.apiName());
        boolean familyPoll = family != null && family.hasChildren();
        Set<String> idSet = Set.copyOf(ids);
        LoadBalancerChildren.Family polledFamily = family;
        seat = new Seat(scope, familyPoll ? null : type, member);
        SharedListings.Listing shared =
            familyPoll
                ? null
                : listings.listing(
                    scope,
                    client,
                    type,
                    member,
                    (ids.size() + JobQuery.MAX_IDS - 1) / JobQuery.MAX_IDS,
                    begin,
                    listingDue(poll),
                    now,
                    albNow,
                    job -> api.test(job) && idSet.contains(job.resourceId()));
        if (familyPoll) {
          // Its jobs: those of the family, and a listener or rule no family of the scope knows
          // yet (the poll it wakes looks it up by ID). Another load balancer's server group,
          // ACL or security policy is no reason to wake it (FamilyPoll lists those again after a
          // change of its own family).
          java.util.function.Predicate<AlbJob> owns =
              job ->
                  api.test(job)
                      && (polledFamily.owns(job)
                          || LoadBalancerChildren.exclusive(job.resourceType())
                              && !lbChildren
                                  .unknownChildren(scope, polledFamily, List.of(job))
                                  .isEmpty());
          FamilyPoll.Result found =
              new FamilyPoll(lbChildren, listings, lister, defaults.watermarkOverlap())
                  .poll(
                      scope,
                      client,
                      family,
                      ids,
                      member,
                      spec.getApiNames(),
                      begin,
                      listingDue(poll),
                      now,
                      albNow,
                      poll.childrenFreshAsOf(),
                      owns);
          family = found.family();
          familyFresh = found.childrenFresh();
          listedFrom = found.listingStartedAt() != null ? found.listingStartedAt() : now;
          sharedScope = found.shared() ? scope : null;
          type = found.shared() ? null : type;
          jobs.addAll(found.jobs());
          albTime = found.albTime() != null ? found.albTime() : client.serverTime();
          newest = found.newest();
        } else if (shared != null) {
          sharedScope = scope;
          listedFrom = shared.startedAt();
          albTime = shared.albTime();
          Set<String> apiNames = new HashSet<>(spec.getApiNames());
          for (AlbJob job : shared.all()) {
            newest = Math.max(newest, job.createTimeMillis());
          }
          for (AlbJob job : shared.jobsOf(ids)) {
            if (apiNames.isEmpty() || apiNames.contains(job.apiName())) {
              jobs.add(job);
            }
          }
        } else {
          jobs.addAll(
              lister.byResources(client, type, ids, spec.getApiNames(), begin.toEpochMilli()));
          albTime = client.serverTime();
          for (AlbJob job : jobs) {
            newest = Math.max(newest, job.createTimeMillis());
          }
        }
        // ALB's Date on the listing's first answer; without one, the newest CreateTime listed;
        // without any, this node's clock corrected by the last skew measured at the endpoint.
        if (family != null) {
          LoadBalancerChildren.Family polled = family;
          loadBalancerOf = polled::loadBalancerOf;
        }
        asOf =
            albTime != null
                ? albTime
                : newest != Long.MIN_VALUE ? Instant.ofEpochMilli(newest) : albNow;
        jobs.addAll(lister.byJobIds(client, inFlightNotSeen(children, jobs)));
        reportSkew(watch, scope, state);
      }
      view = mirror.mirror(poll, jobs, loadBalancerOf);
      if (family != null) {
        // Only now: children that appear later are looked up back to this listing.
        lbChildren.commit(ns + "/" + watch.getMetadata().getName(), family);
      }
      view = retention.apply(poll, view, now);
      state.pruneDeleted(begin);
      next.setWatermark(Times.format(asOf));
      next.setLastSuccessfulSyncTime(Times.format(now));
      metrics.watchPolled(ns, watch.getMetadata().getName(), now);
      state.succeeded();
      childState = family == null ? null : ChildListing.of(family, ids);
    } catch (Problem p) {
      state.failed();
      problem = p;
    } catch (AlbException e) {
      state.failed();
      problem = Problem.of(e, state.failuresInARow());
    }
    state.lastProblem(problem);
    state.scopeTick(
        sharedScope != null && problem == null
            ? new WatchState.ScopeTick(sharedScope, type)
            : null);
    io.albjobs.operator.status.SettleVerdict settle =
        poll.settlement()
            .after(
                next,
                problem == null,
                // The poll saw the children a change may have created (FamilyPoll). When ALB
                // refuses to list them for good (denied, or an error retrying does not mend) the
                // watch cannot do better: ChildrenListed=False says so. A throttled or failed
                // listing is retried: until one works, a change's rule or listener may be unseen
                // (all of them, when the children were never listed), and the watch keeps waiting
                // (Settling, Stalled after spec.settleTimeout) rather than turn Ready.
                family == null
                    || poll.childrenFreshAsOf() == null
                    || family.problem() != null && !family.retrying()
                    || family.complete()
                        && (familyFresh != null
                            ? familyFresh
                            : !family.listedAt().isBefore(poll.childrenFreshAsOf())),
                polledIds,
                listedFrom);
    WatchRollup.apply(next, view.values(), problem, settle, generation, now);
    // Its Warning Event, once per new problem, comes with the status write
    // (reconciler/Transitions).
    ChildrenListed.apply(next, conditionsBefore, childState, generation, now);
    metrics.watchJobs(ns, watch.getMetadata().getName(), next.getJobs());
    Duration wait;
    if (problem != null && !problem.stalled()) {
      // Back off, but never longer than the idle interval: a watch recovers within two
      // intervals after ALB does.
      wait = min(errorBackoff.delay(state.failuresInARow()), idle);
    } else {
      wait =
          (next.getJobs().getProcessing() > 0 || settle.waiting() && !settle.stalled())
                  && problem == null
              ? active
              : idle;
    }
    Duration jittered = Backoff.jitter(wait, 0.1);
    Instant at = now.plus(jittered);
    if (settle.wakeAt() != null && settle.wakeAt().isAfter(now) && settle.wakeAt().isBefore(at)) {
      // The wait changes by itself then (a settle period ends, a fence's margin passes). On a
      // tick of the scope when one comes within the active interval: the listing made for the
      // watches polling then serves this poll too (a poll after a fence needs a listing that
      // started after it, which would otherwise be one more listing per change).
      Instant wake = settle.wakeAt();
      if (sharedScope != null && problem == null) {
        Instant tick =
            listings.align(sharedScope, type, wake, Duration.ZERO, Duration.ZERO, active, now);
        wake = tick.isBefore(at) ? tick : at;
      }
      return scheduled(seat, new Outcome(next, wake));
    }
    if (sharedScope != null && problem == null) {
      // On a tick of the scope, so that one listing serves every watch due then. The interval
      // counts from the tick this poll was due at, not from when its reconcile ran: the watches
      // of one tick are reconciled one after another, and counting from that would spread them
      // over new ticks.
      Instant due = poll.due();
      Instant fromTick = due.isAfter(now.minus(wait)) ? due.plus(jittered) : at;
      at =
          listings.align(
              sharedScope,
              type,
              fromTick.isBefore(now) ? now : fromTick,
              wait,
              SharedListings.early(wait),
              SharedListings.late(wait),
              now);
    }
    return scheduled(seat, new Outcome(next, at));
  }

  /** Tells the watch's listing pool when it polls next (a job of it seen sooner wakes it). */
  private Outcome scheduled(Seat seat, Outcome outcome) {
    if (seat != null) {
      listings.scheduled(seat.scope(), seat.resourceType(), seat.member(), outcome.nextPollAt());
    }
    return outcome;
  }

  /**
   * How fresh a shared listing must be for this poll: started at {@code due} less a little slack,
   * or for a settling watch's poll after a fence's margin at the margin's end, not before (a job
   * ALB lists just then would be missed).
   */
  private static Instant listingDue(WatchPoll poll) {
    return poll.childrenFreshAsOf() != null ? poll.due().plus(SharedListings.SLACK) : poll.due();
  }

  /**
   * {@code target} moved onto a tick of the scope whose shared listing the watch used last, when
   * one comes from {@code early} before it to {@code late} after it (else it becomes one): the
   * listing made then serves every watch polling at that tick.
   */
  public Instant onTick(
      WatchState state,
      Instant target,
      Duration every,
      Duration early,
      Duration late,
      Instant now) {
    WatchState.ScopeTick tick = state.scopeTick();
    return tick == null
        ? target
        : listings.align(tick.scope(), tick.resourceType(), target, every, early, late, now);
  }

  /** The watch's active poll interval (its spec's, raised to the floor, or the default). */
  public Duration activeInterval(AsyncJobWatchSpec spec) {
    try {
      return atLeast(
          interval(
              spec.getActivePollInterval(),
              defaults.activePollInterval(),
              "spec.activePollInterval"),
          defaults.minActivePollInterval(),
          spec.getActivePollInterval());
    } catch (Problem invalid) {
      return defaults.activePollInterval();
    }
  }

  /**
   * The next status between polls (a change to wait for, a fence seen): the roll-up of the jobs as
   * the informer holds them and of the last poll's problem, with {@code settle}; no ALB call. The
   * conditions beside Ready (ChildrenListed) stay as they were.
   */
  public AsyncJobWatchStatus between(
      AsyncJobWatch watch,
      AsyncJobWatchStatus next,
      Map<String, AsyncJob> children,
      WatchState state,
      io.albjobs.operator.status.SettleVerdict settle) {
    List<io.fabric8.kubernetes.api.model.Condition> before = next.getConditions();
    WatchRollup.apply(
        next,
        children.values(),
        state.lastProblem(),
        settle,
        watch.getMetadata().getGeneration(),
        clock.instant());
    ChildrenListed.apply(
        next,
        before,
        watch.getSpec().coversChildren() ? ChildrenListed.State.UNCHANGED : null,
        watch.getMetadata().getGeneration(),
        clock.instant());
    return next;
  }

  /**
   * An Event when the watch's endpoint's clock goes out of step with this node's (once per
   * episode).
   */
  private void reportSkew(AsyncJobWatch watch, AccountScope scope, WatchState state) {
    Duration skew = albClock.skew(scope.endpoint());
    boolean skewed = albClock.skewed(skew);
    if (skewed && !state.clockSkewed()) {
      events.warning(
          watch,
          "AlbClockSkew",
          "ALB's clock at "
              + scope.endpoint()
              + " is "
              + Durations.format(Duration.ofSeconds(skew.abs().toSeconds()))
              + (skew.isNegative() ? " behind" : " ahead of")
              + " this node's clock (from the Date of ALB's answers;"
              + " more than half the watermark overlap, "
              + Durations.format(albClock.threshold())
              + ")."
              + " Watermarks follow ALB's clock, so no job is missed; the times the operator computes itself"
              + " (lastSyncTime, retention ages) are off by as much: check the node's time source (NTP)");
    }
    state.clockSkewed(skewed);
  }

  /** A watch's own interval, raised to the operator-wide floor (operator defaults are not). */
  private static Duration atLeast(Duration value, Duration floor, String fromSpec) {
    return fromSpec == null || value.compareTo(floor) >= 0 ? value : floor;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private List<String> resourceIds(AsyncJobWatchSpec spec) throws Problem {
    if (spec.getResourceIds().isEmpty() && spec.getAlbConfigSelector() == null) {
      // The CRD refuses this at admission; an object stored before that rule must not mirror
      // every resource of the type in the account either.
      throw new Problem(
          "NoTargets",
          "the watch names no resources: list them in spec.resourceIds"
              + " or select AlbConfig objects with spec.albConfigSelector");
    }
    Set<String> ids = new LinkedHashSet<>(spec.getResourceIds());
    if (spec.getAlbConfigSelector() != null) {
      ids.addAll(albConfigs.loadBalancerIds(spec.getAlbConfigSelector()));
    }
    return new ArrayList<>(ids);
  }

  /** In-flight AsyncJobs the resource query did not return: ask for them by ID. */
  private static List<String> inFlightNotSeen(Map<String, AsyncJob> children, List<AlbJob> seen) {
    Set<String> seenIds = new HashSet<>();
    seen.forEach(j -> seenIds.add(j.id()));
    List<String> missing = new ArrayList<>();
    for (AsyncJob child : children.values()) {
      boolean inFlight = child.getStatus() == null || !child.getStatus().isFinished();
      if (inFlight && !seenIds.contains(child.getSpec().getJobId())) {
        missing.add(child.getSpec().getJobId());
      }
    }
    return missing;
  }

  private static Duration interval(String value, Duration fallback, String field) throws Problem {
    try {
      return Durations.parseOr(value, fallback);
    } catch (IllegalArgumentException e) {
      throw new Problem("InvalidSpec", field + ": " + e.getMessage());
    }
  }
}
