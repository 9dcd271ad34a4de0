package io.albjobs.operator.alb;

/**
 * The one cloud call the operator makes: a single page of {@code ListAsynJobs} for one account
 * scope. Implementations do no retries and no paging; {@link JobLister} and the poller decide.
 */
public interface AlbJobClient {
  /** Largest page ALB serves. */
  int MAX_RESULTS = 100;

  JobPage listJobs(JobQuery query, String nextToken, int maxResults) throws AlbException;
}
