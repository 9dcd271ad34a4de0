package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The most recent failed job of a watch, so a GitOps tool can show why it is degraded. */
@JsonClassDescription("The most recent failed job of a watch.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailedJobRef {
  @JsonPropertyDescription("The ALB JobId of the failed job.")
  private String jobId;

  @JsonPropertyDescription("The name of its AsyncJob in this namespace (kubectl get ajob <name>).")
  private String name;

  @JsonPropertyDescription("The ALB API call that started the job, for example CreateListener.")
  private String apiName;

  @JsonPropertyDescription("The ID of the resource the job changed.")
  private String resourceId;

  @JsonPropertyDescription(
      "ALB's error code, for example QuotaExceeded.Listener; Unknown when ALB gave " + "none.")
  private String errorCode;

  @JsonPropertyDescription("ALB's error message, when it gave one.")
  private String errorMessage;

  @JsonPropertyDescription("When the job failed, RFC 3339 in UTC.")
  private String completionTime;

  public String getJobId() {
    return jobId;
  }

  public void setJobId(String jobId) {
    this.jobId = jobId;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getApiName() {
    return apiName;
  }

  public void setApiName(String apiName) {
    this.apiName = apiName;
  }

  public String getResourceId() {
    return resourceId;
  }

  public void setResourceId(String resourceId) {
    this.resourceId = resourceId;
  }

  public String getErrorCode() {
    return errorCode;
  }

  public void setErrorCode(String errorCode) {
    this.errorCode = errorCode;
  }

  public String getErrorMessage() {
    return errorMessage;
  }

  public void setErrorMessage(String errorMessage) {
    this.errorMessage = errorMessage;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FailedJobRef f
        && Objects.equals(jobId, f.jobId)
        && Objects.equals(name, f.name)
        && Objects.equals(apiName, f.apiName)
        && Objects.equals(resourceId, f.resourceId)
        && Objects.equals(errorCode, f.errorCode)
        && Objects.equals(errorMessage, f.errorMessage)
        && Objects.equals(completionTime, f.completionTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(jobId, errorCode);
  }
}
