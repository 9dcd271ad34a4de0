package io.albjobs.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Serves the read-only resource APIs a load-balancer watch uses, in ALB's wire form (version {@code
 * 2020-06-16}): {@code ListListeners} and {@code ListRules} filtered by {@code LoadBalancerIds.N} /
 * {@code ListenerIds.N} / {@code RuleIds.N} (at most {@value #MAX_IDS} each), paged by {@code
 * MaxResults} (1..100, default 20) and an opaque {@code NextToken}; {@code GetListenerAttribute} by
 * {@code ListenerId} with its {@code AclConfig}. Authentication, denial and faults happen before,
 * in {@link SimHttpHandler}.
 */
final class ResourceHandler {
  static final String LIST_LISTENERS = "ListListeners";
  static final String LIST_RULES = "ListRules";
  static final String GET_LISTENER_ATTRIBUTE = "GetListenerAttribute";
  static final Set<String> ACTIONS = Set.of(LIST_LISTENERS, LIST_RULES, GET_LISTENER_ATTRIBUTE);
  static final int MAX_IDS = 20;

  private final SimResources resources;

  ResourceHandler(SimResources resources) {
    this.resources = resources;
  }

  Map<String, Object> handle(String accountId, String action, Map<String, String> p) {
    String regionId = p.get("RegionId");
    if (regionId == null || regionId.isEmpty()) {
      throw AlbError.missingParam("RegionId");
    }
    return switch (action) {
      case LIST_LISTENERS -> listListeners(accountId, regionId, p);
      case LIST_RULES -> listRules(accountId, regionId, p);
      case GET_LISTENER_ATTRIBUTE -> listenerAttribute(accountId, regionId, p);
      default ->
          throw new AlbError(
              400, "InvalidAction.NotFound", "Specified api is not found, please check your url.");
    };
  }

  private Map<String, Object> listListeners(
      String accountId, String regionId, Map<String, String> p) {
    Set<String> lbs = ListRequest.indexed(p, "LoadBalancerIds", MAX_IDS);
    Set<String> ids = ListRequest.indexed(p, "ListenerIds", MAX_IDS);
    return page(
        p,
        "Listeners",
        resources.listeners(accountId, regionId),
        l ->
            (lbs.isEmpty() || lbs.contains(l.loadBalancerId()))
                && (ids.isEmpty() || ids.contains(l.id())),
        SimResources.Listener::id,
        ResourceHandler::render);
  }

  private Map<String, Object> listRules(String accountId, String regionId, Map<String, String> p) {
    Set<String> lbs = ListRequest.indexed(p, "LoadBalancerIds", MAX_IDS);
    Set<String> listeners = ListRequest.indexed(p, "ListenerIds", MAX_IDS);
    Set<String> ids = ListRequest.indexed(p, "RuleIds", MAX_IDS);
    return page(
        p,
        "Rules",
        resources.rules(accountId, regionId),
        r ->
            (lbs.isEmpty() || lbs.contains(r.loadBalancerId()))
                && (listeners.isEmpty() || listeners.contains(r.listenerId()))
                && (ids.isEmpty() || ids.contains(r.id())),
        SimResources.Rule::id,
        ResourceHandler::render);
  }

  private Map<String, Object> listenerAttribute(
      String accountId, String regionId, Map<String, String> p) {
    String id = p.get("ListenerId");
    if (id == null || id.isEmpty()) {
      throw AlbError.missingParam("ListenerId");
    }
    SimResources.Listener listener = resources.listener(accountId, regionId, id);
    if (listener == null) {
      throw new AlbError(
          404, "ResourceNotFound.Listener", "The specified resource " + id + " is not found.");
    }
    Map<String, Object> body = render(listener);
    List<Map<String, Object>> relations = new ArrayList<>();
    for (String acl : listener.aclIds()) {
      relations.add(Map.of("AclId", acl, "Status", "Associated"));
    }
    if (!relations.isEmpty()) {
      body.put("AclConfig", Map.of("AclType", "White", "AclRelations", relations));
    }
    return body;
  }

  /** Items sorted by ID, those after the token's ID, at most MaxResults of them. */
  private static <T> Map<String, Object> page(
      Map<String, String> p,
      String field,
      Collection<T> all,
      Predicate<T> matches,
      Function<T, String> id,
      Function<T, Map<String, Object>> render) {
    int max = ListRequest.maxResults(p.get("MaxResults"));
    String token = p.get("NextToken");
    String after = token == null || token.isEmpty() ? null : PageToken.decode(token).id();
    List<T> items = new ArrayList<>();
    int total = 0;
    boolean more = false;
    for (T item : all) { // sorted by ID
      if (!matches.test(item)) {
        continue;
      }
      total++;
      if (after == null || id.apply(item).compareTo(after) > 0) {
        if (items.size() < max) {
          items.add(item);
        } else {
          more = true;
        }
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(field, items.stream().map(render).toList());
    body.put("MaxResults", max);
    if (more) {
      body.put(
          "NextToken",
          PageToken.encode(new JobKey(Instant.EPOCH, id.apply(items.get(items.size() - 1)))));
    }
    body.put("TotalCount", total);
    return body;
  }

  private static Map<String, Object> render(SimResources.Listener l) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ListenerId", l.id());
    out.put("LoadBalancerId", l.loadBalancerId());
    out.put("ListenerProtocol", l.securityPolicyId() == null ? "HTTP" : "HTTPS");
    out.put("ListenerStatus", "Running");
    if (l.securityPolicyId() != null) {
      out.put("SecurityPolicyId", l.securityPolicyId());
    }
    out.put("DefaultActions", List.of(forward("ForwardGroup", l.defaultServerGroups())));
    return out;
  }

  private static Map<String, Object> render(SimResources.Rule r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("RuleId", r.id());
    out.put("ListenerId", r.listenerId());
    out.put("LoadBalancerId", r.loadBalancerId());
    out.put("RuleStatus", "Available");
    Map<String, Object> action = forward("ForwardGroup", r.serverGroups());
    action.put("Order", 1);
    out.put("RuleActions", List.of(action));
    return out;
  }

  private static Map<String, Object> forward(String type, List<String> serverGroups) {
    Map<String, Object> action = new LinkedHashMap<>();
    action.put("Type", type);
    action.put(
        "ForwardGroupConfig",
        Map.of(
            "ServerGroupTuples",
            serverGroups.stream().map(id -> Map.of("ServerGroupId", id)).toList()));
    return action;
  }
}
