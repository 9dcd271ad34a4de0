package io.albjobs.operator.poll;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.ChildLister;
import io.albjobs.operator.alb.JobLister;
import io.albjobs.operator.scope.AccountScope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One poll of a load-balancer watch with children: the jobs of its load balancers and of their
 * children, whichever resource ALB records them under.
 *
 * <p>With a shared listing of the scope (all resource types in one {@code ListAsynJobs} listing, no
 * {@code ResourceType}), the family's jobs are picked from it. A listener or rule the scope does
 * not know is looked up by ID (its load balancer's family covers it from then on); another child
 * job whose resource the family does not know is a reason to list the children again at once.
 * Without one, one query per resource type and 10 IDs; a job newer than the children listing is
 * then the reason. Either way, resources the watch has not polled before are looked up back to its
 * previous children listing (see {@link LoadBalancerChildren#polled}).
 *
 * <p>A settling watch's poll after a change ({@code freshAsOf}) must not miss a child the change
 * created. With a shared listing it sees every child job of the scope, so the children are listed
 * again only when one of them is unknown and may be newer than the last listing; without one, the
 * children listed before {@code freshAsOf} are listed again first.
 */
final class FamilyPoll {
  /** The family's jobs (no duplicates), what the poll used, and ALB's clock. */
  record Result(
      List<AlbJob> jobs,
      LoadBalancerChildren.Family family,
      boolean shared,
      Instant albTime,
      long newest,
      boolean childrenFresh,
      Instant listingStartedAt) {}

  private final LoadBalancerChildren children;
  private final SharedListings listings;
  private final JobLister lister;
  private final Duration overlap;

  FamilyPoll(
      LoadBalancerChildren children, SharedListings listings, JobLister lister, Duration overlap) {
    this.children = children;
    this.listings = listings;
    this.lister = lister;
    this.overlap = overlap;
  }

  Result poll(
      AccountScope scope,
      AlbClock.Probe client,
      LoadBalancerChildren.Family family,
      List<String> loadBalancerIds,
      String member,
      List<String> apiNames,
      Instant begin,
      Instant due,
      Instant now,
      Instant albNow,
      Instant freshAsOf,
      java.util.function.Predicate<AlbJob> owns)
      throws AlbException {
    Map<String, AlbJob> found = new LinkedHashMap<>();
    boolean fresh;
    Set<String> wanted = new HashSet<>(apiNames);
    long newest = Long.MIN_VALUE;
    SharedListings.Listing shared =
        listings.listing(
            scope, client, null, member, family.ownCost(), begin, due, now, albNow, owns);
    if (shared != null) {
      for (AlbJob job : shared.all()) {
        newest = Math.max(newest, job.createTimeMillis());
      }
      long listedAlb = onAlbClock(family.listedAt(), now, albNow);
      Set<String> unknown = children.unknownChildren(scope, family, shared.all());
      if (!unknown.isEmpty()) {
        // A listener or rule the scope's listings do not know: ALB says whose it is (one call
        // for every family of the scope), most often another load balancer's.
        Map<String, Set<String>> byType = new HashMap<>();
        for (AlbJob job : shared.all()) {
          if (unknown.contains(job.resourceId())
              && LoadBalancerChildren.exclusive(job.resourceType())) {
            byType.computeIfAbsent(job.resourceType(), t -> new HashSet<>()).add(job.resourceId());
          }
        }
        if (!byType.isEmpty()) {
          try {
            children.lookUp(scope, client, byType);
            // The family's own new listeners and rules are covered now, without a listing.
            family = children.held(scope, loadBalancerIds);
            unknown = children.unknownChildren(scope, family, shared.all());
          } catch (AlbException e) {
            // Listing the family's children again below answers it too.
          }
        }
      }
      unknown = reasonsToList(family, shared.all(), unknown, listedAlb);
      if (!unknown.isEmpty()) {
        // A settling watch lists the children again at once (at most once a second) when a child
        // may be new since the last listing, rather than MIN_SPACING after the last one.
        boolean maybeNew = freshAsOf != null && createdSince(shared.all(), unknown, listedAlb);
        // An ACL or security policy the family may have taken up shows in the listeners' ACLs
        // and attributes; a new listener or rule does not need every listener read again.
        Set<String> reasons = unknown;
        boolean acls =
            shared.all().stream()
                .anyMatch(
                    j ->
                        reasons.contains(j.resourceId())
                            && (ChildLister.ACL.equals(j.resourceType())
                                || ChildLister.SECURITY_POLICY.equals(j.resourceType())));
        family = children.family(scope, client, loadBalancerIds, true, maybeNew ? now : null, acls);
        // Not ours only if a listing that worked started after the job was created (on ALB's
        // clock): a child created after the last good listing may well be ours.
        listedAlb = onAlbClock(family.listedAt(), now, albNow);
        Set<String> others = new HashSet<>(unknown);
        for (AlbJob job : shared.all()) {
          if (family.owns(job) || mayBeAfter(job, listedAlb)) {
            others.remove(job.resourceId());
          }
        }
        children.notMine(scope, family, others);
      }
      for (AlbJob job : shared.all()) {
        if (family.owns(job) && (wanted.isEmpty() || wanted.contains(job.apiName()))) {
          found.putIfAbsent(job.id(), job);
        }
      }
      // A child a change created has its jobs in this listing (it started after the change's
      // fence): fresh when none of them can still be the family's (see reasonsToList).
      long listedAlbFinal = onAlbClock(family.listedAt(), now, albNow);
      fresh =
          !createdSince(
              shared.all(),
              reasonsToList(
                  family,
                  shared.all(),
                  children.unknownChildren(scope, family, shared.all()),
                  listedAlbFinal),
              listedAlbFinal);
    } else {
      if (freshAsOf != null) {
        // One query per resource ID known: a child created by the change must be known first.
        family = children.family(scope, client, loadBalancerIds, false, freshAsOf);
      }
      for (Map.Entry<String, List<String>> type : family.idsByType().entrySet()) {
        for (AlbJob job :
            lister.byResources(
                client, type.getKey(), type.getValue(), apiNames, begin.toEpochMilli())) {
          found.putIfAbsent(job.id(), job);
          newest = Math.max(newest, job.createTimeMillis());
        }
      }
      long listed = onAlbClock(family.listedAt(), now, albNow);
      if (found.values().stream().anyMatch(j -> mayBeAfter(j, listed))) {
        // Something changed since the children were listed: a new rule's jobs may be under it.
        family = children.family(scope, client, loadBalancerIds, true);
      }
      fresh = freshAsOf == null || !family.listedAt().isBefore(freshAsOf);
    }
    LoadBalancerChildren.Backfill added = children.backfill(member, family);
    if (added.since() != null) {
      Instant from = added.since().minus(overlap);
      long since = (from.isBefore(begin) ? from : begin).toEpochMilli();
      for (Map.Entry<String, List<String>> type : added.idsByType().entrySet()) {
        for (AlbJob job :
            lister.byResources(client, type.getKey(), type.getValue(), apiNames, since)) {
          found.putIfAbsent(job.id(), job);
        }
      }
    }
    return new Result(
        new ArrayList<>(found.values()),
        family,
        shared != null,
        shared == null ? null : shared.albTime(),
        newest,
        fresh,
        shared == null ? null : shared.startedAt());
  }

  /**
   * The unknown resources that are a reason to list the children again: a listener or rule (it may
   * be a new child), an ACL or security policy (ALB may record attaching one to a listener under
   * it; they change rarely), or a server group when a listener or rule of the family was created or
   * changed since the children listing (it may have taken the server group up: server groups change
   * with every backend, and most of them are other load balancers').
   */
  private static Set<String> reasonsToList(
      LoadBalancerChildren.Family family,
      List<AlbJob> listed,
      Set<String> unknown,
      long listedAlb) {
    if (unknown.isEmpty()) {
      return unknown;
    }
    boolean familyChanged = false;
    Set<String> reasons = new HashSet<>();
    for (AlbJob job : listed) {
      if (unknown.contains(job.resourceId())
          && !ChildLister.SERVER_GROUP.equals(job.resourceType())) {
        reasons.add(job.resourceId());
      }
      // A change the listing did not see: newer than it, or of a child it did not show (one a
      // look-up named; ALB may list a new rule late, after jobs that are older than the listing).
      familyChanged |=
          mayTakeUpServerGroups(family, job)
              && (mayBeAfter(job, listedAlb) || family.notListed(job));
    }
    return familyChanged ? unknown : reasons;
  }

  /**
   * Whether a job of the family may have changed which server groups it forwards to: a load
   * balancer, listener or rule created or changed (ALB does not say which resource a rule call's
   * job is recorded under). A job of one of its server groups (a backend added) or a deletion does
   * not.
   */
  private static boolean mayTakeUpServerGroups(LoadBalancerChildren.Family family, AlbJob job) {
    return family.owns(job)
        && (LoadBalancerChildren.exclusive(job.resourceType())
            || LoadBalancerChildren.LOADBALANCER.equals(job.resourceType()))
        && !"Delete".equalsIgnoreCase(job.operateType());
  }

  /**
   * How long before a children listing started a job that creates a child may have been created
   * without the listing showing the child: ALB creates listeners and rules asynchronously (the
   * job's {@code CreateTime} comes first, the child shows in {@code ListRules} later). A creating
   * job of an unknown child that recent may still be the family's: it is a reason to list the
   * children again, never a sign that the child is another load balancer's.
   */
  static final Duration CREATE_LAG = Duration.ofSeconds(5);

  /**
   * The same for any other job: ALB's clock is known from whole-second {@code Date} headers, so a
   * listing's start on ALB's clock is known to about half a second.
   */
  static final Duration CLOCK_LAG = Duration.ofSeconds(1);

  /** A node-clock instant on ALB's clock, in epoch milliseconds. */
  private static long onAlbClock(Instant at, Instant now, Instant albNow) {
    return at.plus(Duration.between(now, albNow)).toEpochMilli();
  }

  /**
   * Whether a children listing that started at {@code listedAlb} (ALB's clock) may not show the
   * resource of this job: the job was created after it, or so shortly before that the child may not
   * have been listed yet ({@link #CREATE_LAG} for a creating job, {@link #CLOCK_LAG} otherwise).
   */
  static boolean mayBeAfter(AlbJob job, long listedAlb) {
    Duration lag = "Create".equalsIgnoreCase(job.operateType()) ? CREATE_LAG : CLOCK_LAG;
    return job.createTimeMillis() >= listedAlb - lag.toMillis();
  }

  /** Whether a job of one of these resources may be newer than a listing at {@code albMillis}. */
  private static boolean createdSince(List<AlbJob> jobs, Set<String> resources, long albMillis) {
    return jobs.stream()
        .anyMatch(j -> resources.contains(j.resourceId()) && mayBeAfter(j, albMillis));
  }
}
