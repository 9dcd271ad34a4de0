package io.albjobs.operator.alb;

import java.util.List;

/** One page of a {@code ListAsynJobs} answer; {@code nextToken} is null on the last page. */
public record JobPage(List<AlbJob> jobs, String nextToken, long totalCount, String requestId) {
  public JobPage {
    jobs = List.copyOf(jobs);
    nextToken = nextToken == null || nextToken.isEmpty() ? null : nextToken;
  }
}
