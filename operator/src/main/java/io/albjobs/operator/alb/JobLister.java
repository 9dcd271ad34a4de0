package io.albjobs.operator.alb;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a logical query (any number of resource or job IDs) into {@code ListAsynJobs} calls: IDs
 * chunked by {@value JobQuery#MAX_IDS}, pages followed through {@code NextToken} at {@value
 * AlbJobClient#MAX_RESULTS} per page, duplicates removed. A token that repeats or a page count past
 * {@code maxPages} is an error, never an endless loop.
 */
public final class JobLister {
  private final int maxPages;

  public JobLister(int maxPages) {
    this.maxPages = maxPages;
  }

  /** All jobs of the given resources (all resources of the type if the list is empty). */
  public List<AlbJob> byResources(
      AlbJobClient client,
      String resourceType,
      List<String> resourceIds,
      List<String> apiNames,
      Long beginTimeMillis)
      throws AlbException {
    List<List<String>> chunks = resourceIds.isEmpty() ? List.of(List.of()) : chunk(resourceIds);
    // ALB filters on one ApiName per call: with one name, let ALB filter; with several, one call
    // per chunk and a local filter costs fewer calls than one call per name and chunk.
    String apiFilter = apiNames.size() == 1 ? apiNames.get(0) : null;
    Set<String> wanted = new HashSet<>(apiNames);
    Map<String, AlbJob> seen = new LinkedHashMap<>();
    for (List<String> ids : chunks) {
      collect(client, JobQuery.byResources(resourceType, ids, apiFilter, beginTimeMillis), seen);
    }
    List<AlbJob> result = new ArrayList<>(seen.size());
    for (AlbJob job : seen.values()) {
      if (wanted.isEmpty() || wanted.contains(job.apiName())) {
        result.add(job);
      }
    }
    return result;
  }

  /** The jobs with these IDs that ALB knows; unknown IDs are simply absent from the result. */
  public List<AlbJob> byJobIds(AlbJobClient client, List<String> jobIds) throws AlbException {
    Map<String, AlbJob> seen = new LinkedHashMap<>();
    for (List<String> ids : chunk(jobIds)) {
      collect(client, JobQuery.byJobIds(ids), seen);
    }
    return new ArrayList<>(seen.values());
  }

  /** What a listing of every job of a resource type found, and what it cost. */
  public record TypeListing(
      List<AlbJob> jobs, int pages, long totalCount, java.time.Instant serverTime) {}

  /**
   * Every job of a resource type created at or after {@code beginTimeMillis}, one query without
   * resource IDs. When the first page's {@code TotalCount} says the listing would take more than
   * {@code pageLimit} pages, it stops there: the result has the count and no jobs.
   */
  public TypeListing allOfType(
      AlbJobClient client, String resourceType, long beginTimeMillis, int pageLimit)
      throws AlbException {
    JobQuery query = JobQuery.byResources(resourceType, List.of(), null, beginTimeMillis);
    JobPage first = client.listJobs(query, null, AlbJobClient.MAX_RESULTS);
    int needed =
        (int)
            Math.max(
                1, (first.totalCount() + AlbJobClient.MAX_RESULTS - 1) / AlbJobClient.MAX_RESULTS);
    if (first.nextToken() != null && needed > pageLimit) {
      return new TypeListing(null, needed, first.totalCount(), first.serverTime());
    }
    Map<String, AlbJob> seen = new LinkedHashMap<>();
    int pages = collect(client, query, seen, first);
    return new TypeListing(
        new ArrayList<>(seen.values()), pages, first.totalCount(), first.serverTime());
  }

  private void collect(AlbJobClient client, JobQuery query, Map<String, AlbJob> into)
      throws AlbException {
    collect(client, query, into, null);
  }

  /** Follows the pages of one query; {@code first} is its first page if already fetched. */
  private int collect(AlbJobClient client, JobQuery query, Map<String, AlbJob> into, JobPage first)
      throws AlbException {
    Set<String> tokens = new HashSet<>();
    String token = null;
    int pages = 0;
    do {
      JobPage page =
          pages == 0 && first != null
              ? first
              : client.listJobs(query, token, AlbJobClient.MAX_RESULTS);
      for (AlbJob job : page.jobs()) {
        into.putIfAbsent(job.id(), job);
      }
      token = page.nextToken();
      pages++;
      if (token != null && !tokens.add(token)) {
        throw new AlbException(
            ErrorKind.RETRYABLE,
            "RepeatedNextToken",
            200,
            "ALB returned the same NextToken twice",
            null);
      }
      if (token != null && pages >= maxPages) {
        throw new AlbException(
            ErrorKind.RETRYABLE,
            "TooManyPages",
            200,
            "stopped after "
                + maxPages
                + " pages of ListAsynJobs; narrow the watch or shorten spec.since",
            null);
      }
    } while (token != null);
    return pages;
  }

  static List<List<String>> chunk(List<String> ids) {
    List<String> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(ids));
    List<List<String>> chunks = new ArrayList<>();
    for (int i = 0; i < distinct.size(); i += JobQuery.MAX_IDS) {
      chunks.add(distinct.subList(i, Math.min(distinct.size(), i + JobQuery.MAX_IDS)));
    }
    return chunks;
  }
}
