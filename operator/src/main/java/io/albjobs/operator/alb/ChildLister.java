package io.albjobs.operator.alb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds the children of load balancers through ALB's read-only APIs: listeners
 * ({@code ListListeners} by {@code LoadBalancerIds.N}: {@code ListenerId}, {@code SecurityPolicyId},
 * server groups of {@code DefaultActions[].ForwardGroupConfig.ServerGroupTuples[]}), rules
 * ({@code ListRules} by {@code LoadBalancerIds.N}: {@code RuleId}, server groups of
 * {@code RuleActions[]}) and ACLs ({@code GetListenerAttribute} per listener:
 * {@code AclConfig.AclRelations[].AclId}; {@code ListListeners} does not carry them). Pages are
 * followed through {@code NextToken}; a repeated token or too many pages is an error.
 */
public final class ChildLister {
  public static final String LIST_LISTENERS = "ListListeners";
  public static final String LIST_RULES = "ListRules";
  public static final String GET_LISTENER_ATTRIBUTE = "GetListenerAttribute";
  /** The RAM actions a load-balancer watch with children needs besides {@code alb:ListAsynJobs}. */
  public static final Set<String> ACTIONS = Set.of(LIST_LISTENERS, LIST_RULES, GET_LISTENER_ATTRIBUTE);
  /** Load balancer IDs per call (ALB takes more; ten keeps every call small). */
  public static final int MAX_IDS = 10;

  /** ALB's {@code ResourceType} words of the children. */
  public static final String LISTENER = "listener";
  public static final String RULE = "rule";
  public static final String SERVER_GROUP = "servergroup";
  public static final String ACL = "acl";
  public static final String SECURITY_POLICY = "securitypolicy";
  public static final List<String> CHILD_TYPES = List.of(LISTENER, RULE, SERVER_GROUP, ACL, SECURITY_POLICY);

  /** The children of one load balancer, by ALB resource type (sorted sets, possibly empty). */
  public record Children(String loadBalancerId, Map<String, Set<String>> byType) {
    public Children {
      Map<String, Set<String>> copy = new LinkedHashMap<>();
      for (String type : CHILD_TYPES) {
        copy.put(type, Set.copyOf(byType.getOrDefault(type, Set.of())));
      }
      byType = java.util.Collections.unmodifiableMap(copy);
    }

    public static Children none(String loadBalancerId) {
      return new Children(loadBalancerId, Map.of());
    }

    public Set<String> of(String type) {
      return byType.getOrDefault(type, Set.of());
    }

    public int size() {
      return byType.values().stream().mapToInt(Set::size).sum();
    }
  }

  private final int maxPages;

  public ChildLister(int maxPages) {
    this.maxPages = maxPages;
  }

  /**
   * The children of each load balancer (every ID asked for is in the result). An error names the
   * action that failed in its message and keeps ALB's code and kind.
   */
  public Map<String, Children> list(AlbJobClient client, Collection<String> loadBalancerIds) throws AlbException {
    Map<String, Map<String, Set<String>>> found = new TreeMap<>();
    List<String> ids = new ArrayList<>(new LinkedHashSet<>(loadBalancerIds));
    ids.forEach(id -> found.put(id, new LinkedHashMap<>()));
    Map<String, String> listenerLb = new LinkedHashMap<>();
    List<List<String>> chunks = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += MAX_IDS) {
      chunks.add(ids.subList(i, Math.min(ids.size(), i + MAX_IDS)));
    }
    for (JsonNode listener : items(client, LIST_LISTENERS, "Listeners", chunks)) {
      String id = text(listener, "ListenerId");
      String lb = text(listener, "LoadBalancerId");
      if (id == null || lb == null || !found.containsKey(lb)) {
        continue;
      }
      listenerLb.put(id, lb);
      add(found, lb, LISTENER, id);
      add(found, lb, SECURITY_POLICY, text(listener, "SecurityPolicyId"));
      serverGroups(listener.path("DefaultActions"), found, lb);
    }
    for (JsonNode rule : items(client, LIST_RULES, "Rules", chunks)) {
      String id = text(rule, "RuleId");
      String lb = text(rule, "LoadBalancerId");
      if (lb == null) {
        lb = listenerLb.get(text(rule, "ListenerId"));
      }
      if (id == null || lb == null || !found.containsKey(lb)) {
        continue;
      }
      add(found, lb, RULE, id);
      serverGroups(rule.path("RuleActions"), found, lb);
    }
    for (Map.Entry<String, String> listener : listenerLb.entrySet()) {
      JsonNode attributes = call(client, GET_LISTENER_ATTRIBUTE, Map.of("ListenerId", listener.getKey()));
      for (JsonNode relation : attributes.path("AclConfig").path("AclRelations")) {
        add(found, listener.getValue(), ACL, text(relation, "AclId"));
      }
    }
    Map<String, Children> result = new LinkedHashMap<>();
    found.forEach((lb, byType) -> result.put(lb, new Children(lb, byType)));
    return result;
  }

  /**
   * Every item of one action for these chunks of load balancer IDs. With more than one chunk, a
   * listing without {@code LoadBalancerIds} (every item of the region, filtered here) is tried
   * first: it is kept when its {@code TotalCount} says it takes no more pages than one call per
   * chunk would, so that many watched load balancers with few children cost a page, not a call
   * per ten load balancers.
   */
  private List<JsonNode> items(AlbJobClient client, String action, String field, List<List<String>> chunks)
      throws AlbException {
    if (chunks.size() > 1) {
      Map<String, String> params = new LinkedHashMap<>();
      params.put("MaxResults", Integer.toString(AlbJobClient.MAX_RESULTS));
      JsonNode first = call(client, action, params);
      long total = first.path("TotalCount").asLong(Long.MAX_VALUE);
      long pagesNeeded = (total + AlbJobClient.MAX_RESULTS - 1) / AlbJobClient.MAX_RESULTS;
      if (pagesNeeded <= chunks.size()) {
        return pages(client, action, field, List.of(), Map.of(), first);
      }
    }
    List<JsonNode> all = new ArrayList<>();
    for (List<String> chunk : chunks) {
      all.addAll(pages(client, action, field, chunk, Map.of(), null));
    }
    return all;
  }

  /** Every item of {@code field} over all pages of one action for a chunk of load balancers. */
  private List<JsonNode> pages(
      AlbJobClient client, String action, String field, List<String> lbIds, Map<String, String> extra, JsonNode first)
      throws AlbException {
    List<JsonNode> items = new ArrayList<>();
    Set<String> tokens = new HashSet<>();
    String token = null;
    int pages = 0;
    do {
      Map<String, String> params = new LinkedHashMap<>(extra);
      for (int i = 0; i < lbIds.size(); i++) {
        params.put("LoadBalancerIds." + (i + 1), lbIds.get(i));
      }
      params.put("MaxResults", Integer.toString(AlbJobClient.MAX_RESULTS));
      if (token != null) {
        params.put("NextToken", token);
      }
      JsonNode page = pages == 0 && first != null ? first : call(client, action, params);
      JsonNode list = page.path(field);
      if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
        throw new AlbException(ErrorKind.RETRYABLE, "MalformedResponse", 200,
            "malformed " + action + " answer: " + field + " is not a list", null);
      }
      list.forEach(items::add);
      token = text(page, "NextToken");
      pages++;
      if (token != null && !tokens.add(token)) {
        throw new AlbException(ErrorKind.RETRYABLE, "RepeatedNextToken", 200,
            "ALB returned the same NextToken twice for " + action, null);
      }
      if (token != null && pages >= maxPages) {
        throw new AlbException(ErrorKind.RETRYABLE, "TooManyPages", 200,
            "stopped after " + maxPages + " pages of " + action, null);
      }
    } while (token != null);
    return items;
  }

  private static JsonNode call(AlbJobClient client, String action, Map<String, String> params) throws AlbException {
    try {
      return client.read(action, params);
    } catch (AlbException e) {
      String message = e.getMessage() == null ? e.code() : e.getMessage();
      throw new AlbException(e.kind(), e.code(), e.httpStatus(),
          message.startsWith(action) ? message : action + ": " + message, e.requestId());
    }
  }

  /** Server groups anywhere in a list of actions (forward groups, traffic mirrors). */
  private static void serverGroups(JsonNode actions, Map<String, Map<String, Set<String>>> found, String lb) {
    for (JsonNode action : actions) {
      for (JsonNode id : action.findValues("ServerGroupId")) {
        add(found, lb, SERVER_GROUP, id.isTextual() ? id.asText() : null);
      }
    }
  }

  private static void add(Map<String, Map<String, Set<String>>> found, String lb, String type, String id) {
    if (id != null && !id.isBlank()) {
      found.get(lb).computeIfAbsent(type, t -> new java.util.TreeSet<>()).add(id);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() || value.asText().isEmpty() ? null : value.asText();
  }
}
