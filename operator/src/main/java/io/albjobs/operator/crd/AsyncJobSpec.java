package io.albjobs.operator.crd;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What job to mirror: the ALB JobId and where to ask for it. */
public class AsyncJobSpec {
  @Required
  @Size(min = 1, max = 128)
  @Pattern("^[!-~]+$")
  @ValidationRule(value = "self == oldSelf", message = "spec.jobId is immutable")
  private String jobId;

  @Required
  @Size(min = 2, max = 64)
  @Pattern(Validation.REGION_PATTERN)
  private String regionId;

  @Size(max = 253)
  @Pattern(Validation.ENDPOINT_PATTERN)
  private String endpoint;

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
