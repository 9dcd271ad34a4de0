package io.albjobs.operator.alb;

import java.time.Instant;
import java.util.List;

/**
 * One page of a {@code ListAsynJobs} answer; {@code nextToken} is null on the last page. {@code
 * serverTime} is ALB's clock when it answered (its {@code Date} header), null if unknown.
 */
public record JobPage(
    List<AlbJob> jobs, String nextToken, long totalCount, String requestId, Instant serverTime) {
  public JobPage {
    jobs = List.copyOf(jobs);
    nextToken = nextToken == null || nextToken.isEmpty() ? null : nextToken;
  }

  public JobPage(List<AlbJob> jobs, String nextToken, long totalCount, String requestId) {
    this(jobs, nextToken, totalCount, requestId, null);
  }

  public JobPage withServerTime(Instant time) {
    return new JobPage(jobs, nextToken, totalCount, requestId, time);
  }
}
