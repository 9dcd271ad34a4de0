package io.albjobs.operator.testing;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.AlbJobClient;
import io.albjobs.operator.alb.JobPage;
import io.albjobs.operator.alb.JobQuery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link AlbJobClient} for reconcile tests: filters like ALB, pages by offset, counts
 * calls and can fail the next calls with a given error.
 */
public final class FakeAlb implements AlbJobClient {
  private final Map<String, AlbJob> jobs = new ConcurrentHashMap<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final ConcurrentLinkedQueue<AlbException> failures = new ConcurrentLinkedQueue<>();
  private final List<JobQuery> queries = java.util.Collections.synchronizedList(new ArrayList<>());
  private volatile boolean dated;

  public void put(AlbJob job) {
    jobs.put(job.id(), job);
  }

  public void remove(String id) {
    jobs.remove(id);
  }

  /**
   * Answers carry ALB's Date (this machine's clock, whole seconds) from now on, so a watch's
   * watermark moves with each poll as it does against ALB; without, it stays at the newest job
   * listed.
   */
  public FakeAlb dated() {
    dated = true;
    return this;
  }

  public void failNext(AlbException e) {
    failures.add(e);
  }

  public int calls() {
    return calls.get();
  }

  public List<JobQuery> queries() {
    synchronized (queries) {
      return List.copyOf(queries);
    }
  }

  @Override
  public JobPage listJobs(JobQuery q, String nextToken, int maxResults) throws AlbException {
    calls.incrementAndGet();
    queries.add(q);
    AlbException failure = failures.poll();
    if (failure != null) {
      throw failure;
    }
    List<AlbJob> matching =
        jobs.values().stream()
            .filter(j -> q.jobIds().isEmpty() || q.jobIds().contains(j.id()))
            .filter(j -> q.resourceIds().isEmpty() || q.resourceIds().contains(j.resourceId()))
            .filter(j -> q.resourceType() == null || q.resourceType().equals(j.resourceType()))
            .filter(j -> q.apiName() == null || q.apiName().equals(j.apiName()))
            .filter(j -> q.beginTimeMillis() == null || j.createTimeMillis() >= q.beginTimeMillis())
            .sorted(
                Comparator.comparingLong(AlbJob::createTimeMillis)
                    .reversed()
                    .thenComparing(AlbJob::id))
            .toList();
    int from = nextToken == null ? 0 : Integer.parseInt(nextToken);
    int to = Math.min(matching.size(), from + maxResults);
    return new JobPage(
        matching.subList(from, to),
        to < matching.size() ? Integer.toString(to) : null,
        matching.size(),
        "req",
        dated ? java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) : null);
  }

  /** A job in the form ALB lists it. */
  public static AlbJob job(
      String id,
      String api,
      String resourceId,
      String status,
      long createMillis,
      long modifyMillis) {
    return new AlbJob(
        id,
        api,
        "Create",
        "loadbalancer",
        resourceId,
        status,
        AlbJob.FAILED.equals(status) ? "QuotaExceeded.Listener" : null,
        AlbJob.FAILED.equals(status) ? "listener quota exceeded" : null,
        createMillis,
        modifyMillis);
  }
}
