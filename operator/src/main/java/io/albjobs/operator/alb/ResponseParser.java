package io.albjobs.operator.alb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Parses a {@code ListAsynJobs} JSON body, refusing answers that break the API's own rules. */
final class ResponseParser {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResponseParser() {}

  static JobPage parse(String body, int maxResults) throws AlbException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw malformed("body is not JSON");
    }
    if (root == null || !root.isObject()) {
      throw malformed("body is not a JSON object");
    }
    JsonNode jobs = root.path("Jobs");
    if (!jobs.isMissingNode() && !jobs.isNull() && !jobs.isArray()) {
      throw malformed("Jobs is not a list");
    }
    if (jobs.size() > maxResults) {
      throw malformed("page holds " + jobs.size() + " jobs, more than MaxResults " + maxResults);
    }
    List<AlbJob> result = new ArrayList<>(jobs.size());
    for (JsonNode job : jobs) {
      String id = text(job, "Id");
      String status = text(job, "Status");
      if (id == null || id.isEmpty() || status == null) {
        throw malformed("a job without Id or Status");
      }
      result.add(
          new AlbJob(
              id,
              text(job, "ApiName"),
              text(job, "OperateType"),
              text(job, "ResourceType"),
              text(job, "ResourceId"),
              status,
              text(job, "ErrorCode"),
              text(job, "ErrorMessage"),
              job.path("CreateTime").asLong(0),
              job.path("ModifyTime").asLong(0)));
    }
    return new JobPage(
        result,
        text(root, "NextToken"),
        root.path("TotalCount").asLong(0),
        text(root, "RequestId"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static AlbException malformed(String what) {
    return new AlbException(
        ErrorKind.RETRYABLE,
        "MalformedResponse",
        200,
        "malformed ListAsynJobs answer: " + what,
        null);
  }
}
