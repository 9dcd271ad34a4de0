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
 * Finds the children of load balancers through ALB's read-only APIs: listeners ({@code
 * ListListeners} by {@code LoadBalancerIds.N}: {@code ListenerId}, {@code SecurityPolicyId}, server
 * groups of {@code DefaultActions[].ForwardGroupConfig.ServerGroupTuples[]}), rules ({@code
 * ListRules} by {@code LoadBalancerIds.N}: {@code RuleId}, server groups of {@code RuleActions[]})
 * and ACLs ({@code GetListenerAttribute} per listener: {@code AclConfig.AclRelations[].AclId};
 * {@code ListListeners} does not carry them). Pages are followed through {@code NextToken}; a
 * repeated token or too many pages is an error.
 */
public final class ChildLister {
  public static final String LIST_LISTENERS = "ListListeners";
  public static final String LIST_RULES = "ListRules";
  public static final String GET_LISTENER_ATTRIBUTE = "GetListenerAttribute";

  /** The RAM actions a load-balancer watch with children needs besides {@code alb:ListAsynJobs}. */
  public static final Set<String> ACTIONS =
      Set.of(LIST_LISTENERS, LIST_RULES, GET_LISTENER_ATTRIBUTE);

  /** Load balancer IDs per call (ALB takes more; ten keeps every call small). */
  public static final int MAX_IDS = 10;

  /** ALB's {@code ResourceType} words of the children. */
  public static final String LISTENER = "listener";

  public static final String RULE = "rule";
  public static final String SERVER_GROUP = "servergroup";
  public static final String ACL = "acl";
  public static final String SECURITY_POLICY = "securitypolicy";
  public static final List<String> CHILD_TYPES =
      List.of(LISTENER, RULE, SERVER_GROUP, ACL, SECURITY_POLICY);

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

  /**
   * What one listing found: the children of each load balancer listed, the failure of each load
   * balancer that could not be listed (only those of the failed chunk), the listeners whose
   * attributes could not be read because they went away meanwhile (their ACLs are not known), and
   * whether ALB refused the region-wide listing (then only per-load-balancer listings are tried).
   */
  public record Listing(
      Map<String, Children> children,
      Map<String, AlbException> failed,
      Set<String> skippedListeners,
      boolean regionWideRefused,
      Map<String, Set<String>> aclsByListener) {}

  private final int maxPages;

  public ChildLister(int maxPages) {
    this.maxPages = maxPages;
  }

  /** The children of each load balancer; throws the first failure (tests and simple callers). */
  public Map<String, Children> list(AlbJobClient client, Collection<String> loadBalancerIds)
      throws AlbException {
    Listing listing = listing(client, loadBalancerIds, true, null);
    if (!listing.failed().isEmpty()) {
      throw listing.failed().values().iterator().next();
    }
    return listing.children();
  }

  /**
   * Lists the children of these load balancers in chunks of {@link #MAX_IDS}; a chunk that fails
   * fails only its own load balancers. An error names the action that failed in its message and
   * keeps ALB's code and kind. With {@code regionWide}, a listing without {@code LoadBalancerIds}
   * may be tried first (see {@link #regionWide}). {@code knownAcls} (listener ID to ACL IDs, or
   * null to read every listener's) saves the {@code GetListenerAttribute} call, one per listener,
   * of the listeners in it.
   */
  public Listing listing(
      AlbJobClient client,
      Collection<String> loadBalancerIds,
      boolean regionWide,
      Map<String, Set<String>> knownAcls) {
    List<String> ids = new ArrayList<>(new LinkedHashSet<>(loadBalancerIds));
    List<List<String>> chunks = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += MAX_IDS) {
      chunks.add(ids.subList(i, Math.min(ids.size(), i + MAX_IDS)));
    }
    Map<String, Children> result = new LinkedHashMap<>();
    Map<String, AlbException> failed = new LinkedHashMap<>();
    Set<String> skipped = new java.util.TreeSet<>();
    Map<String, Set<String>> acls = new LinkedHashMap<>();
    boolean refused = false;
    if (regionWide && chunks.size() > 1) {
      RegionWide all = null;
      try {
        all = regionWide(client, chunks.size());
      } catch (AlbException e) {
        if (!ErrorClassifier.isPermissionProblem(e.code())) {
          ids.forEach(id -> failed.put(id, e));
          return new Listing(result, failed, skipped, false, acls);
        }
        // A RAM policy scoped to load balancer ARNs allows only the per-load-balancer listing.
        refused = true;
      }
      if (all != null) {
        try {
          result.putAll(
              children(client, ids, all.listeners(), all.rules(), skipped, knownAcls, acls));
        } catch (AlbException e) {
          // A listener's attributes (a denied GetListenerAttribute is not a refused listing).
          ids.forEach(id -> failed.put(id, e));
        }
        return new Listing(result, failed, skipped, false, acls);
      }
    }
    for (List<String> chunk : chunks) {
      try {
        result.putAll(
            children(
                client,
                chunk,
                pages(client, LIST_LISTENERS, "Listeners", chunk, Map.of(), null),
                pages(client, LIST_RULES, "Rules", chunk, Map.of(), null),
                skipped,
                knownAcls,
                acls));
      } catch (AlbException e) {
        chunk.forEach(id -> failed.put(id, e));
      }
    }
    return new Listing(result, failed, skipped, refused, acls);
  }

  /**
   * Only the region-wide listing of these load balancers' children (see {@link #regionWide}), for
   * many load balancers that were never listed: null when it would take more pages than a listing
   * of ten load balancers at a time, ALB gave no {@code TotalCount}, their listeners need more than
   * {@code maxAttributeReads} {@code GetListenerAttribute} calls, or a call failed (the caller
   * lists per load balancer then); a listing with {@code regionWideRefused} when ALB refused the
   * region-wide listing itself.
   */
  public Listing regionWideListing(
      AlbJobClient client,
      Collection<String> loadBalancerIds,
      Map<String, Set<String>> knownAcls,
      int maxAttributeReads) {
    List<String> ids = new ArrayList<>(new LinkedHashSet<>(loadBalancerIds));
    Set<String> skipped = new java.util.TreeSet<>();
    Map<String, Set<String>> acls = new LinkedHashMap<>();
    RegionWide all;
    try {
      all = regionWide(client, (ids.size() + MAX_IDS - 1) / MAX_IDS);
    } catch (AlbException e) {
      return ErrorClassifier.isPermissionProblem(e.code())
          ? new Listing(Map.of(), Map.of(), skipped, true, acls)
          : null;
    }
    if (all == null) {
      return null;
    }
    Set<String> wanted = Set.copyOf(ids);
    long reads =
        all.listeners().stream()
            .filter(l -> wanted.contains(text(l, "LoadBalancerId")))
            .filter(l -> knownAcls == null || !knownAcls.containsKey(text(l, "ListenerId")))
            .count();
    if (reads > maxAttributeReads) {
      return null;
    }
    try {
      return new Listing(
          children(client, ids, all.listeners(), all.rules(), skipped, knownAcls, acls),
          Map.of(),
          skipped,
          false,
          acls);
    } catch (AlbException e) {
      // A listener's attributes (ACLs), not the region-wide listing: each watch lists its own.
      return null;
    }
  }

  private Map<String, Children> children(
      AlbJobClient client,
      List<String> ids,
      List<JsonNode> listeners,
      List<JsonNode> rules,
      Set<String> skipped,
      Map<String, Set<String>> knownAcls,
      Map<String, Set<String>> acls)
      throws AlbException {
    Map<String, Map<String, Set<String>>> found = new TreeMap<>();
    ids.forEach(id -> found.put(id, new LinkedHashMap<>()));
    Map<String, String> listenerLb = new LinkedHashMap<>();
    for (JsonNode listener : listeners) {
      String id = text(listener, "ListenerId");
      String lb = text(listener, "LoadBalancerId");
      if (id == null || lb == null || !found.containsKey(lb)) {
        continue;
      }
      listenerLb.put(id, lb);
      add(found, lb, LISTENER, id);
      String policy = text(listener, "SecurityPolicyId");
      if (policy != null && policy.startsWith("spy-")) {
        // System policies (tls_cipher_policy_1_0, ...) are names, not resources with jobs.
        add(found, lb, SECURITY_POLICY, policy);
      }
      serverGroups(listener.path("DefaultActions"), found, lb);
    }
    for (JsonNode rule : rules) {
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
      Set<String> known = knownAcls == null ? null : knownAcls.get(listener.getKey());
      if (known != null) {
        known.forEach(acl -> add(found, listener.getValue(), ACL, acl));
        acls.put(listener.getKey(), known);
        continue;
      }
      JsonNode attributes;
      try {
        attributes = call(client, GET_LISTENER_ATTRIBUTE, Map.of("ListenerId", listener.getKey()));
      } catch (AlbException e) {
        if (gone(e)) {
          // Deleted (or being deleted) since ListListeners: the next listing will not show it.
          skipped.add(listener.getKey());
          continue;
        }
        throw e;
      }
      Set<String> ofListener = new java.util.TreeSet<>();
      for (JsonNode relation : attributes.path("AclConfig").path("AclRelations")) {
        String acl = text(relation, "AclId");
        add(found, listener.getValue(), ACL, acl);
        if (acl != null && !acl.isBlank()) {
          ofListener.add(acl);
        }
      }
      acls.put(listener.getKey(), Set.copyOf(ofListener));
    }
    Map<String, Children> result = new LinkedHashMap<>();
    found.forEach((lb, byType) -> result.put(lb, new Children(lb, byType)));
    return result;
  }

  /** ALB's answer for a listener that went away between ListListeners and GetListenerAttribute. */
  static boolean gone(AlbException e) {
    String code = e.code() == null ? "" : e.code();
    return code.startsWith("ResourceNotFound.Listener") || code.startsWith("IncorrectStatus");
  }

  private record RegionWide(List<JsonNode> listeners, List<JsonNode> rules) {}

  /**
   * Every listener and rule of the region, when ALB's {@code TotalCount} says that takes no more
   * pages than one call per chunk would (many watched load balancers with few children cost a page,
   * not a call per ten load balancers); null when it would not, or ALB gave no TotalCount.
   */
  private RegionWide regionWide(AlbJobClient client, int chunks) throws AlbException {
    List<JsonNode> listeners = firstIfSmall(client, LIST_LISTENERS, "Listeners", chunks);
    if (listeners == null) {
      return null;
    }
    List<JsonNode> rules = firstIfSmall(client, LIST_RULES, "Rules", chunks);
    return rules == null ? null : new RegionWide(listeners, rules);
  }

  private List<JsonNode> firstIfSmall(AlbJobClient client, String action, String field, int chunks)
      throws AlbException {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("MaxResults", Integer.toString(AlbJobClient.MAX_RESULTS));
    JsonNode first = call(client, action, params);
    if (!first.hasNonNull("TotalCount") || !first.get("TotalCount").canConvertToLong()) {
      return null;
    }
    long total = first.get("TotalCount").asLong();
    long pagesNeeded = (total + AlbJobClient.MAX_RESULTS - 1) / AlbJobClient.MAX_RESULTS;
    // Within the page limit of one query too, with a page to spare for items added meanwhile:
    // more would fail as TooManyPages half-way.
    return total >= 0 && pagesNeeded <= Math.min(chunks, Math.max(1, maxPages - 1))
        ? pages(client, action, field, List.of(), Map.of(), first)
        : null;
  }

  /**
   * The load balancer of each listener or rule asked for by ID ({@code ListListeners} by {@code
   * ListenerIds.N}, {@code ListRules} by {@code RuleIds.N}, {@link #MAX_IDS} IDs a call). An ID ALB
   * does not list (deleted, or not visible yet) is absent.
   */
  public Map<String, String> owners(AlbJobClient client, String type, Collection<String> ids)
      throws AlbException {
    boolean listener = LISTENER.equals(type);
    if (!listener && !RULE.equals(type)) {
      throw new IllegalArgumentException(
          "only listeners and rules have one load balancer: " + type);
    }
    List<String> all = new ArrayList<>(new LinkedHashSet<>(ids));
    Map<String, String> owners = new LinkedHashMap<>();
    for (int i = 0; i < all.size(); i += MAX_IDS) {
      List<String> chunk = all.subList(i, Math.min(all.size(), i + MAX_IDS));
      Map<String, String> byId = new LinkedHashMap<>();
      for (int j = 0; j < chunk.size(); j++) {
        byId.put((listener ? "ListenerIds." : "RuleIds.") + (j + 1), chunk.get(j));
      }
      for (JsonNode item :
          pages(
              client,
              listener ? LIST_LISTENERS : LIST_RULES,
              listener ? "Listeners" : "Rules",
              List.of(),
              byId,
              null)) {
        String id = text(item, listener ? "ListenerId" : "RuleId");
        String lb = text(item, "LoadBalancerId");
        if (id != null && lb != null && chunk.contains(id)) {
          owners.put(id, lb);
        }
      }
    }
    return owners;
  }

  /** Every item of {@code field} over all pages of one action for a chunk of load balancers. */
  private List<JsonNode> pages(
      AlbJobClient client,
      String action,
      String field,
      List<String> lbIds,
      Map<String, String> extra,
      JsonNode first)
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
        throw new AlbException(
            ErrorKind.RETRYABLE,
            "MalformedResponse",
            200,
            "malformed " + action + " answer: " + field + " is not a list",
            null);
      }
      list.forEach(items::add);
      token = text(page, "NextToken");
      pages++;
      if (token != null && !tokens.add(token)) {
        throw new AlbException(
            ErrorKind.RETRYABLE,
            "RepeatedNextToken",
            200,
            "ALB returned the same NextToken twice for " + action,
            null);
      }
      if (token != null && pages >= maxPages) {
        // The same listing fails the same way next time: retried every refresh, not every few
        // seconds, and a settling watch does not wait for it.
        throw new AlbException(
            ErrorKind.TERMINAL,
            "TooManyPages",
            200,
            "stopped after " + maxPages + " pages of " + action,
            null);
      }
    } while (token != null);
    return items;
  }

  private static JsonNode call(AlbJobClient client, String action, Map<String, String> params)
      throws AlbException {
    try {
      return client.read(action, params);
    } catch (AlbException e) {
      String message = e.getMessage() == null ? e.code() : e.getMessage();
      throw new AlbException(
          e.kind(),
          e.code(),
          e.httpStatus(),
          message.startsWith(action) ? message : action + ": " + message,
          e.requestId());
    }
  }

  /** Server groups anywhere in a list of actions (forward groups, traffic mirrors). */
  private static void serverGroups(
      JsonNode actions, Map<String, Map<String, Set<String>>> found, String lb) {
    for (JsonNode action : actions) {
      for (JsonNode id : action.findValues("ServerGroupId")) {
        add(found, lb, SERVER_GROUP, id.isTextual() ? id.asText() : null);
      }
    }
  }

  private static void add(
      Map<String, Map<String, Set<String>>> found, String lb, String type, String id) {
    if (id != null && !id.isBlank()) {
      found.get(lb).computeIfAbsent(type, t -> new java.util.TreeSet<>()).add(id);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() || value.asText().isEmpty() ? null : value.asText();
  }
}
