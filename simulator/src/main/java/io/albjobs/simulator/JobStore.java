package io.albjobs.simulator;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The jobs ALB knows, partitioned by (account, region) because that is all a caller can ever see,
 * and kept newest first so a listing is a single ordered scan. Writers are serialised; readers
 * iterate the concurrent maps without locking and may or may not see a job added meanwhile, which
 * is exactly what a real listing racing a new job looks like.
 */
final class JobStore {
  private final Map<String, SimJob> byId = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentSkipListMap<JobKey, SimJob>> byScope =
      new ConcurrentHashMap<>();

  /** Adds a job, replacing any job with the same id. */
  synchronized void add(SimJob job) {
    SimJob previous = byId.put(job.id(), job);
    if (previous != null) {
      scope(previous.accountId(), previous.regionId()).remove(previous.key());
    }
    scope(job.accountId(), job.regionId()).put(job.key(), job);
  }

  /** Forgets a job, as ALB eventually does; unknown ids are ignored. */
  synchronized void remove(String jobId) {
    SimJob previous = byId.remove(jobId);
    if (previous != null) {
      scope(previous.accountId(), previous.regionId()).remove(previous.key());
    }
  }

  /** The jobs of one account and region, newest first. */
  Collection<SimJob> newestFirst(String accountId, String regionId) {
    Map<JobKey, SimJob> scope = byScope.get(scopeKey(accountId, regionId));
    return scope == null ? List.of() : scope.values();
  }

  private ConcurrentSkipListMap<JobKey, SimJob> scope(String accountId, String regionId) {
    return byScope.computeIfAbsent(
        scopeKey(accountId, regionId),
        k -> new ConcurrentSkipListMap<>(Comparator.<JobKey>reverseOrder()));
  }

  private static String scopeKey(String accountId, String regionId) {
    return accountId + '\n' + regionId;
  }
}
