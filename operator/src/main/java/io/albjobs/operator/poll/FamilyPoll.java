package io.albjobs.operator.poll;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.JobLister;
import io.albjobs.operator.scope.AccountScope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * {@code ResourceType}), the family's jobs are picked from it, and a child job whose resource the
 * family does not know is a reason to list the children again at once. Without one, one query per
 * resource type and 10 IDs; a job newer than the children listing is then the reason. Either way,
 * resources the watch has not polled before are looked up back to its previous children listing
 * (see {@link LoadBalancerChildren#polled}).
 */
final class FamilyPoll {
  /** The family's jobs (no duplicates), what the poll used, and ALB's clock. */
  record Result(
      List<AlbJob> jobs,
      LoadBalancerChildren.Family family,
      boolean shared,
      Instant albTime,
      long newest) {}

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
      Instant albNow)
      throws AlbException {
    Map<String, AlbJob> found = new LinkedHashMap<>();
    Set<String> wanted = new HashSet<>(apiNames);
    long newest = Long.MIN_VALUE;
    SharedListings.Listing shared =
        listings.listing(scope, client, null, member, family.ownCost(), begin, due, now, albNow);
    if (shared != null) {
      for (AlbJob job : shared.all()) {
        newest = Math.max(newest, job.createTimeMillis());
      }
      Set<String> unknown = children.unknownChildren(scope, family, shared.all());
      if (!unknown.isEmpty()) {
        family = children.family(scope, client, loadBalancerIds, true);
        // Not ours only if a listing that worked started after the job was created (on ALB's
        // clock): a child created after the last good listing may well be ours.
        long listedAlb = family.listedAt().plus(Duration.between(now, albNow)).toEpochMilli();
        Set<String> others = new HashSet<>(unknown);
        for (AlbJob job : shared.all()) {
          if (family.owns(job) || job.createTimeMillis() >= listedAlb) {
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
    } else {
      for (Map.Entry<String, List<String>> type : family.idsByType().entrySet()) {
        for (AlbJob job :
            lister.byResources(
                client, type.getKey(), type.getValue(), apiNames, begin.toEpochMilli())) {
          found.putIfAbsent(job.id(), job);
          newest = Math.max(newest, job.createTimeMillis());
        }
      }
      long listed = family.listedAt().toEpochMilli();
      if (found.values().stream().anyMatch(j -> j.createTimeMillis() > listed)) {
        // Something changed since the children were listed: a new rule's jobs may be under it.
        family = children.family(scope, client, loadBalancerIds, true);
      }
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
        newest);
  }
}
