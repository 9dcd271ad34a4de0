package io.albjobs.simulator;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The filters and paging of one {@code ListAsynJobs} call, validated as ALB does: at most 10 {@code
 * JobIds.N} and {@code ResourceIds.N}, {@code MaxResults} 1..100 (default 20), times in epoch
 * milliseconds, a {@code NextToken} this service issued.
 */
record ListRequest(
    Set<String> jobIds,
    Set<String> resourceIds,
    String resourceType,
    String apiName,
    Long beginTime,
    Long endTime,
    int maxResults,
    JobKey after) {

  static final int MAX_IDS = 10;
  static final int MAX_RESULTS = 100;
  static final int DEFAULT_MAX_RESULTS = 20;

  static ListRequest parse(Map<String, String> params) {
    return new ListRequest(
        indexed(params, "JobIds"),
        indexed(params, "ResourceIds"),
        text(params.get("ResourceType")),
        text(params.get("ApiName")),
        epochMillis(params, "BeginTime"),
        epochMillis(params, "EndTime"),
        maxResults(params.get("MaxResults")),
        after(params.get("NextToken")));
  }

  /** Whether the job passes every filter (not paging, not visibility). */
  boolean matches(SimJob job) {
    long created = job.createTime().toEpochMilli();
    return (jobIds.isEmpty() || jobIds.contains(job.id()))
        && (resourceIds.isEmpty() || resourceIds.contains(job.resourceId()))
        && (resourceType == null || resourceType.equals(job.resourceType()))
        && (apiName == null || apiName.equals(job.apiName()))
        && (beginTime == null || created >= beginTime)
        && (endTime == null || created <= endTime);
  }

  /** {@code Name.1..Name.N}, the RPC wire form of a string array. */
  private static Set<String> indexed(Map<String, String> params, String name) {
    return indexed(params, name, MAX_IDS);
  }

  /** As above with another limit (the resource APIs take more IDs per call). */
  static Set<String> indexed(Map<String, String> params, String name, int maxIds) {
    Map<Integer, String> items = new TreeMap<>();
    String prefix = name + ".";
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      int index = parseIndex(e.getKey().substring(prefix.length()), e.getKey());
      if (index > maxIds) {
        throw AlbError.invalidParameter(
            name, "at most " + maxIds + " items are allowed, got " + e.getKey() + ".");
      }
      items.put(index, e.getValue());
    }
    return Set.copyOf(items.values());
  }

  private static int parseIndex(String index, String key) {
    try {
      int value = Integer.parseInt(index);
      if (value >= 1) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw AlbError.invalidParameter(key, "array parameters are numbered from 1.");
  }

  private static Long epochMillis(Map<String, String> params, String name) {
    String value = text(params.get(name));
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw AlbError.invalidParameter(name, "expected epoch milliseconds, got '" + value + "'.");
    }
  }

  static int maxResults(String raw) {
    String value = text(raw);
    if (value == null) {
      return DEFAULT_MAX_RESULTS;
    }
    try {
      long n = Long.parseLong(value);
      if (n >= 1 && n <= MAX_RESULTS) {
        return (int) n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw AlbError.invalidParameter(
        "MaxResults", "must be between 1 and " + MAX_RESULTS + ", got '" + value + "'.");
  }

  private static JobKey after(String token) {
    String value = text(token);
    return value == null ? null : PageToken.decode(value);
  }

  private static String text(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
