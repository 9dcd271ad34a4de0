package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What job to mirror: the ALB JobId and where to ask for it. */
@JsonClassDescription(
    "Which ALB job to follow: its JobId, its region and how to reach ALB. Set by you, "
        + "or by the operator for jobs a watch mirrors.")
public class AsyncJobSpec {
  @JsonPropertyDescription(
      "The ALB JobId to follow, exactly as an ALB call returned it (for example in the "
          + "JobId field of CreateListener's answer). 1 to 128 printable ASCII characters "
          + "without spaces. Required and immutable: to follow another job, create another "
          + "AsyncJob.")
  @Required
  @Size(min = 1, max = 128)
  @Pattern("^[!-~]+$")
  @ValidationRule(value = "self == oldSelf", message = "spec.jobId is immutable")
  private String jobId;

  @JsonPropertyDescription(
      "The Alibaba Cloud region of the job, for example cn-hangzhou. Required. Lower "
          + "case, 2 to 64 characters. It selects the endpoint (alb.<regionId>.aliyuncs.com "
          + "unless spec.endpoint or the operator's --alb-default-endpoint says otherwise) "
          + "and is sent with every ListAsynJobs call.")
  @Required
  @Size(min = 2, max = 64)
  @Pattern(Validation.REGION_PATTERN)
  private String regionId;

  @JsonPropertyDescription(Validation.ENDPOINT_DESCRIPTION)
  @Size(max = 253)
  @Pattern(Validation.ENDPOINT_PATTERN)
  private String endpoint;

  @JsonPropertyDescription(
      "The Secret in this object's namespace holding the Alibaba Cloud keys "
          + "(accessKeyId, accessKeySecret and optionally securityToken). Optional: when "
          + "absent the operator's own credential chain is used (environment variables, "
          + "RRSA/OIDC or the ECS RAM role). The identity needs alb:ListAsynJobs only.")
  private SecretReference credentialsSecretRef;

  public AsyncJobSpec() {}

  public AsyncJobSpec(String jobId, String regionId) {
    this.jobId = jobId;
    this.regionId = regionId;
  }

  public String getJobId() {
    return jobId;
  }

  public void setJobId(String jobId) {
    this.jobId = jobId;
  }

  public String getRegionId() {
    return regionId;
  }

  public void setRegionId(String regionId) {
    this.regionId = regionId;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public SecretReference getCredentialsSecretRef() {
    return credentialsSecretRef;
  }

  public void setCredentialsSecretRef(SecretReference credentialsSecretRef) {
    this.credentialsSecretRef = credentialsSecretRef;
  }
}
