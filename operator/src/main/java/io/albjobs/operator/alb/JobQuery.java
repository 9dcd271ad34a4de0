package io.albjobs.operator.alb;

import java.util.List;

/**
 * The filters of one {@code ListAsynJobs} call. ALB takes at most {@value #MAX_IDS} job IDs and
 * {@value #MAX_IDS} resource IDs per call; callers chunk larger sets (see {@link JobLister}).
 */
public record JobQuery(
    String resourceType,
    List<String> resourceIds,
    List<String> jobIds,
    String apiName,
    Long beginTimeMillis,
    Long endTimeMillis) {

  public static final int MAX_IDS = 10;

  public JobQuery {
    resourceIds = resourceIds == null ? List.of() : List.copyOf(resourceIds);
    jobIds = jobIds == null ? List.of() : List.copyOf(jobIds);
    if (resourceIds.size() > MAX_IDS || jobIds.size() > MAX_IDS) {
      throw new IllegalArgumentException(
          "ListAsynJobs takes at most " + MAX_IDS + " job IDs and " + MAX_IDS + " resource IDs");
    }
  }

  public static JobQuery byJobIds(List<String> jobIds) {
    return new JobQuery(null, List.of(), jobIds, null, null, null);
  }

  public static JobQuery byResources(
      String resourceType, List<String> resourceIds, String apiName, Long beginTimeMillis) {
    return new JobQuery(resourceType, resourceIds, List.of(), apiName, beginTimeMillis, null);
  }
}
