package io.albjobs.operator.alb;

/**
 * The cloud calls the operator makes, all read-only: a single page of {@code ListAsynJobs} for one
 * account scope, and the List APIs that find a load balancer's children. Implementations do no
 * retries and no paging; {@link JobLister} and the poller decide.
 */
public interface AlbJobClient {
  /** Largest page ALB serves. */
  int MAX_RESULTS = 100;

  JobPage listJobs(JobQuery query, String nextToken, int maxResults) throws AlbException;

  /**
   * One call of a read-only ALB API other than {@code ListAsynJobs} ({@code ListListeners}, {@code
   * ListRules}, {@code GetListenerAttribute}; see {@link ChildLister}): {@code params} are the
   * action's own parameters in wire form ({@code LoadBalancerIds.1}, {@code NextToken}, ...), the
   * answer is ALB's JSON body. Signed, budgeted and classified like {@link #listJobs}.
   *
   * <p>The default answers an empty object: a client that knows no such API (a test fake) reports a
   * load balancer without children.
   */
  default com.fasterxml.jackson.databind.JsonNode read(
      String action, java.util.Map<String, String> params) throws AlbException {
    return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
  }
}
