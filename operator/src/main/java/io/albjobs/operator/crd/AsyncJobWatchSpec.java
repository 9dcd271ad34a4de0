package io.albjobs.operator.crd;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/** What to watch and how often. Absent intervals take the operator-wide defaults. */
@ValidationRule(
    value = "!has(self.albConfigSelector) || self.resourceType == 'loadbalancer'",
    message = "spec.albConfigSelector is only valid with spec.resourceType 'loadbalancer'")
@ValidationRule(
    value =
        "!has(self.pollInterval) || !has(self.activePollInterval)"
            + " || duration(self.activePollInterval) <= duration(self.pollInterval)",
    message = "spec.activePollInterval must not be longer than spec.pollInterval")
public class AsyncJobWatchSpec {
  @Required
  @Size(min = 2, max = 64)
  @Pattern(Validation.REGION_PATTERN)
  private String regionId;

  @Size(max = 253)
  @Pattern(Validation.ENDPOINT_PATTERN)
  private String endpoint;

  private SecretReference credentialsSecretRef;

  @Required private ResourceType resourceType;

  @Size(max = 1000)
  private List<@Size(min = 1, max = 128) @Pattern(Validation.RESOURCE_ID_PATTERN) String> resourceIds =
      new ArrayList<>();

  @Size(max = 50)
  private List<@Size(min = 2, max = 128) @Pattern(Validation.API_NAME_PATTERN) String> apiNames =
      new ArrayList<>();

  private LabelSelector albConfigSelector;

  @Pattern(Validation.DURATION_PATTERN)
  @ValidationRule(
      value = "duration(self) >= duration('1m') && duration(self) <= duration('720h')",
      message = "spec.since must be between 1m and 720h")
  private String since;

  @Pattern(Validation.DURATION_PATTERN)
  @ValidationRule(
      value = "duration(self) >= duration('5s') && duration(self) <= duration('1h')",
      message = "spec.pollInterval must be between 5s and 1h")
  private String pollInterval;

  @Pattern(Validation.DURATION_PATTERN)
  @ValidationRule(
      value = "duration(self) >= duration('1s') && duration(self) <= duration('10m')",
      message = "spec.activePollInterval must be between 1s and 10m")
  private String activePollInterval;

  @Min(0)
  @Max(31536000)
  private Long ttlSecondsAfterFinished;

  @Min(0)
  @Max(100000)
  private Integer successfulJobsHistoryLimit;

  @Min(0)
  @Max(100000)
  private Integer failedJobsHistoryLimit;

  private Boolean suspend;

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

  public ResourceType getResourceType() {
    return resourceType;
  }

  public void setResourceType(ResourceType resourceType) {
    this.resourceType = resourceType;
  }

  public List<String> getResourceIds() {
    return resourceIds;
  }

  public void setResourceIds(List<String> resourceIds) {
    this.resourceIds = resourceIds == null ? new ArrayList<>() : resourceIds;
  }

  public List<String> getApiNames() {
    return apiNames;
  }

  public void setApiNames(List<String> apiNames) {
    this.apiNames = apiNames == null ? new ArrayList<>() : apiNames;
  }

  public LabelSelector getAlbConfigSelector() {
    return albConfigSelector;
  }

  public void setAlbConfigSelector(LabelSelector albConfigSelector) {
    this.albConfigSelector = albConfigSelector;
  }

  public String getSince() {
    return since;
  }

  public void setSince(String since) {
    this.since = since;
  }

  public String getPollInterval() {
    return pollInterval;
  }

  public void setPollInterval(String pollInterval) {
    this.pollInterval = pollInterval;
  }

  public String getActivePollInterval() {
    return activePollInterval;
  }

  public void setActivePollInterval(String activePollInterval) {
    this.activePollInterval = activePollInterval;
  }

  public Long getTtlSecondsAfterFinished() {
    return ttlSecondsAfterFinished;
  }

  public void setTtlSecondsAfterFinished(Long ttlSecondsAfterFinished) {
    this.ttlSecondsAfterFinished = ttlSecondsAfterFinished;
  }

  public Integer getSuccessfulJobsHistoryLimit() {
    return successfulJobsHistoryLimit;
  }

  public void setSuccessfulJobsHistoryLimit(Integer successfulJobsHistoryLimit) {
    this.successfulJobsHistoryLimit = successfulJobsHistoryLimit;
  }

  public Integer getFailedJobsHistoryLimit() {
    return failedJobsHistoryLimit;
  }

  public void setFailedJobsHistoryLimit(Integer failedJobsHistoryLimit) {
    this.failedJobsHistoryLimit = failedJobsHistoryLimit;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isSuspended() {
    return Boolean.TRUE.equals(suspend);
  }
}
