package io.albjobs.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves {@code ListAsynJobs} for an authenticated caller: the caller's account and the request's
 * {@code RegionId}, filtered, newest first, one page at a time, each job's state read from the job
 * clock at the moment of the call.
 */
final class ListAsynJobsHandler {
  private final JobStore jobs;
  private final Faults faults;

  ListAsynJobsHandler(JobStore jobs, Faults faults) {
    this.jobs = jobs;
    this.faults = faults;
  }

  Map<String, Object> handle(String accountId, Map<String, String> params, Instant now) {
    String regionId = params.get("RegionId");
    if (regionId == null || regionId.isEmpty()) {
      throw AlbError.missingParam("RegionId");
    }
    ListRequest request = ListRequest.parse(params);
    int limit = faults.oversizePage() ? request.maxResults() + 1 : request.maxResults();
    List<SimJob> page = new ArrayList<>();
    int total = 0;
    boolean more = false;
    // One ordered scan: TotalCount counts every match, the page takes those after the token.
    for (SimJob job : jobs.newestFirst(accountId, regionId)) {
      if (!job.isVisible(now) || !request.matches(job)) {
        continue;
      }
      total++;
      if (job.key().listedAfter(request.after())) {
        if (page.size() < limit) {
          page.add(job);
        } else {
          more = true;
        }
      }
    }
    faults.count(Faults.Kind.OVERSIZE_PAGE, page.size() > request.maxResults());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Jobs", page.stream().map(job -> render(job, now)).toList());
    body.put("MaxResults", request.maxResults());
    String nextToken = nextToken(params.get("NextToken"), page, more);
    if (nextToken != null) {
      body.put("NextToken", nextToken);
    }
    body.put("TotalCount", total);
    return body;
  }

  private String nextToken(String incoming, List<SimJob> page, boolean more) {
    if (faults.repeatNextToken()) {
      // A broken server: hand back the same token forever, so clients must notice the repeat.
      if (incoming != null && !incoming.isEmpty()) {
        faults.count(Faults.Kind.REPEATED_TOKEN, true);
        return incoming;
      }
      return PageToken.encode(page.isEmpty() ? JobKey.START : page.get(page.size() - 1).key());
    }
    return more ? PageToken.encode(page.get(page.size() - 1).key()) : null;
  }

  private static Map<String, Object> render(SimJob job, Instant now) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ApiName", job.apiName());
    out.put("CreateTime", job.createTime().toEpochMilli());
    out.put("ModifyTime", job.modifyTimeAt(now).toEpochMilli());
    String status = job.statusAt(now);
    if (SimJob.FAILED.equalsIgnoreCase(status)) {
      out.put("ErrorCode", job.errorCode());
      out.put("ErrorMessage", job.errorMessage());
    }
    out.put("Id", job.id());
    out.put("OperateType", job.operateType());
    out.put("ResourceId", job.resourceId());
    out.put("ResourceType", job.resourceType());
    out.put("Status", status);
    return out;
  }
}
