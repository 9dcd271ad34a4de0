package io.albjobs.operator.poll;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.status.ChildrenListed;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The {@code ChildrenListed} state {@link ChildListing} words after a child listing of these load
 * balancers failed with {@code problem} (for the GitOps fixtures, outside this package).
 */
public final class ChildListingFixtures {
  private ChildListingFixtures() {}

  public static ChildrenListed.State afterFailure(
      AlbException problem, Instant listedAt, boolean complete, List<String> loadBalancerIds) {
    return ChildListing.of(
        new LoadBalancerChildren.Family(Map.of(), Map.of(), problem, listedAt, complete),
        loadBalancerIds);
  }

  public static ChildrenListed.State listed(List<String> loadBalancerIds) {
    return afterFailure(null, Instant.EPOCH, true, loadBalancerIds);
  }
}
