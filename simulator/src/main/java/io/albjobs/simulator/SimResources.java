package io.albjobs.simulator;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The listeners and forwarding rules the simulated ALB holds, per account and region, for {@code
 * ListListeners}, {@code ListRules} and {@code GetListenerAttribute}. A test adds, changes and
 * removes them while the operator runs, as an ingress controller would.
 */
public final class SimResources {
  /**
   * A listener of a load balancer: the server groups of its default forward action, its custom
   * security policy (may be null) and the ACLs attached to it.
   */
  public record Listener(
      String id,
      String loadBalancerId,
      String securityPolicyId,
      List<String> defaultServerGroups,
      List<String> aclIds) {
    public Listener {
      defaultServerGroups =
          defaultServerGroups == null ? List.of() : List.copyOf(defaultServerGroups);
      aclIds = aclIds == null ? List.of() : List.copyOf(aclIds);
    }
  }

  /** A forwarding rule of a listener and the server groups its forward action sends to. */
  public record Rule(
      String id, String listenerId, String loadBalancerId, List<String> serverGroups) {
    public Rule {
      serverGroups = serverGroups == null ? List.of() : List.copyOf(serverGroups);
    }
  }

  private final Map<String, ConcurrentSkipListMap<String, Listener>> listeners =
      new ConcurrentHashMap<>();
  private final Map<String, ConcurrentSkipListMap<String, Rule>> rules = new ConcurrentHashMap<>();

  /** Adds or replaces (by ID) a listener. */
  public void putListener(String accountId, String regionId, Listener listener) {
    scope(listeners, accountId, regionId).put(listener.id(), listener);
  }

  /** Removes a listener and its rules. */
  public void removeListener(String accountId, String regionId, String listenerId) {
    scope(listeners, accountId, regionId).remove(listenerId);
    scope(rules, accountId, regionId).values().removeIf(r -> r.listenerId().equals(listenerId));
  }

  /** Adds or replaces (by ID) a rule. */
  public void putRule(String accountId, String regionId, Rule rule) {
    scope(rules, accountId, regionId).put(rule.id(), rule);
  }

  public void removeRule(String accountId, String regionId, String ruleId) {
    scope(rules, accountId, regionId).remove(ruleId);
  }

  Collection<Listener> listeners(String accountId, String regionId) {
    return scope(listeners, accountId, regionId).values();
  }

  Listener listener(String accountId, String regionId, String listenerId) {
    return scope(listeners, accountId, regionId).get(listenerId);
  }

  Collection<Rule> rules(String accountId, String regionId) {
    return scope(rules, accountId, regionId).values();
  }

  private static <T> ConcurrentSkipListMap<String, T> scope(
      Map<String, ConcurrentSkipListMap<String, T>> map, String accountId, String regionId) {
    return map.computeIfAbsent(accountId + '\n' + regionId, k -> new ConcurrentSkipListMap<>());
  }
}
