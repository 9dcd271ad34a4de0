package io.albjobs.operator.sync;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJobClient;
import io.albjobs.operator.alb.ErrorKind;
import io.albjobs.operator.alb.JobPage;
import io.albjobs.operator.alb.JobQuery;
import io.albjobs.operator.metrics.OperatorMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client and one {@link RateBudget} per account scope, shared by every watch and AsyncJob of
 * that scope. A throttled answer pauses the scope's budget with backoff; other scopes go on.
 */
public final class ScopedClients implements AlbClients {
  private final Factory factory;
  private final double qps;
  private final int burst;
  private final Duration maxWait;
  private final OperatorMetrics metrics;
  private final Backoff throttleBackoff;
  private final Map<AccountScope, Budgeted> clients = new ConcurrentHashMap<>();

  /**
   * @param maxPause the longest a throttled scope pauses (the idle poll interval, so that an
   *     account recovers within two intervals once ALB stops throttling)
   */
  public ScopedClients(
      Factory factory, double qps, int burst, Duration maxWait, Duration maxPause, OperatorMetrics metrics) {
    this.factory = factory;
    this.throttleBackoff = new Backoff(Duration.ofSeconds(1), maxPause);
    this.qps = qps;
    this.burst = burst;
    this.maxWait = maxWait;
    this.metrics = metrics;
  }

  @Override
  public AlbJobClient forScope(AccountScope scope) throws AlbException {
    Budgeted existing = clients.get(scope);
    if (existing != null) {
      return existing;
    }
    AlbJobClient raw = factory.create(scope);
    return clients.computeIfAbsent(scope, s -> new Budgeted(raw, new RateBudget(qps, burst)));
  }

  private final class Budgeted implements AlbJobClient {
    private final AlbJobClient delegate;
    private final RateBudget budget;
    private int throttledInARow;

    Budgeted(AlbJobClient delegate, RateBudget budget) {
      this.delegate = delegate;
      this.budget = budget;
    }

    @Override
    public JobPage listJobs(JobQuery query, String nextToken, int maxResults) throws AlbException {
      try {
        if (!budget.acquire(maxWait)) {
          throw new AlbException(
              ErrorKind.THROTTLED,
              "LocalRateBudget",
              0,
              "the account's ALB call budget (" + qps + "/s) is used up; the poll is postponed",
              null);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AlbException(ErrorKind.RETRYABLE, "Interrupted", 0, "interrupted", null);
      }
      long start = System.nanoTime();
      try {
        JobPage page = delegate.listJobs(query, nextToken, maxResults);
        metrics.albCall("Success", System.nanoTime() - start);
        synchronized (this) {
          throttledInARow = 0;
        }
        return page;
      } catch (AlbException e) {
        metrics.albCall(e.code(), System.nanoTime() - start);
        if (e.kind() == ErrorKind.THROTTLED) {
          metrics.albThrottled();
          int n;
          synchronized (this) {
            n = ++throttledInARow;
          }
          budget.pause(throttleBackoff.delay(n));
        }
        throw e;
      }
    }
  }
}
