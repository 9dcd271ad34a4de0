package io.albjobs.operator.poll;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.ChildLister;
import io.albjobs.operator.alb.ErrorClassifier;
import io.albjobs.operator.alb.ErrorKind;
import io.albjobs.operator.status.ChildrenListed;
import io.albjobs.operator.status.Times;
import java.util.List;

/**
 * What a load-balancer watch's {@code ChildrenListed} condition says after a poll: listed, or why
 * not and what to do. Denied or refused listings never touch Ready/Stalled (those follow the jobs).
 */
final class ChildListing {
  static final String DENIED = "ChildListingDenied";
  static final String FAILED = "ChildListingFailed";

  private ChildListing() {}

  static ChildrenListed.State of(LoadBalancerChildren.Family family, List<String> loadBalancerIds) {
    String what =
        "the load balancer" + (loadBalancerIds.size() == 1 ? " " + loadBalancerIds.get(0) : "s");
    String kinds = "listeners, rules, server groups, ACLs and security policies";
    AlbException e = family.problem();
    if (e == null) {
      return ChildrenListed.State.listed(
          "the " + kinds + " of " + what + " are listed and their jobs mirrored");
    }
    String message = e.getMessage() == null ? e.code() : e.getMessage();
    message = message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    // What is still covered: children from an earlier listing, if one worked (S8).
    String covered =
        family.complete()
            ? "the children listed at "
                + Times.format(family.listedAt())
                + " are still covered, but jobs of "
                + kinds
                + " added since are not mirrored"
            : "jobs of "
                + (loadBalancerIds.size() == 1 ? "its " : "their ")
                + kinds
                + " are not mirrored";
    String own =
        "; jobs of "
            + what
            + (loadBalancerIds.size() == 1 ? " itself" : " themselves")
            + " still are. ";
    if (e.kind() == ErrorKind.TERMINAL && ErrorClassifier.isPermissionProblem(e.code())) {
      String action = refusedAction(message);
      return new ChildrenListed.State(
          false,
          DENIED,
          "ALB refused "
              + (action == null ? "a child listing" : "alb:" + action)
              + " for "
              + what
              + " ("
              + message
              + "), so "
              + covered
              + own
              + "Grant the RAM identity alb:ListListeners, alb:ListRules and alb:GetListenerAttribute (read only,"
              + " see docs/security.md), or set spec.includeChildren: false to watch only the load balancer's own jobs");
    }
    if (e.kind() == ErrorKind.TERMINAL) {
      return new ChildrenListed.State(
          false,
          FAILED,
          "listing the children of "
              + what
              + " failed ("
              + message
              + "), so "
              + covered
              + own
              + "Retried every refresh; read ALB's message, or set"
              + " spec.includeChildren: false to watch only the load balancer's own jobs");
    }
    if (family.complete()) {
      return ChildrenListed.State.listed(
          "the last listing of the children of "
              + what
              + " failed ("
              + e.code()
              + "), retrying; the children listed at "
              + Times.format(family.listedAt())
              + " are used meanwhile");
    }
    return new ChildrenListed.State(
        false,
        e.kind() == ErrorKind.THROTTLED ? "AlbThrottled" : "AlbUnavailable",
        "listing the children of " + what + " failed, retrying: " + message);
  }

  /** The child List action ALB refused, from {@link ChildLister}'s message ("ListRules: ..."). */
  static String refusedAction(String message) {
    for (String action : ChildLister.ACTIONS) {
      if (message.startsWith(action + ":") || message.startsWith(action + " ")) {
        return action;
      }
    }
    return null;
  }
}
