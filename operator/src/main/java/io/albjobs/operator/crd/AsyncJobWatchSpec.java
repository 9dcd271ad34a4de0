package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
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
@JsonClassDescription(
    "What to watch and how often. Name the targets with resourceIds, "
        + "albConfigSelector or both; intervals left out take the operator's defaults.")
@ValidationRule(
    value = "(has(self.resourceIds) && size(self.resourceIds) > 0) || has(self.albConfigSelector)",
    message =
        "spec must name the resources to watch: list them in spec.resourceIds or select AlbConfig"
            + " objects with spec.albConfigSelector; a watch of every resource of a type is not"
            + " supported")
@ValidationRule(
    value = "!has(self.albConfigSelector) || self.resourceType == 'loadbalancer'",
    message = "spec.albConfigSelector is only valid with spec.resourceType 'loadbalancer'")
@ValidationRule(
    value = "!has(self.includeChildren) || self.resourceType == 'loadbalancer'",
    message = "spec.includeChildren is only valid with spec.resourceType 'loadbalancer'")
@ValidationRule(
    value =
        "!has(self.pollInterval) || !has(self.activePollInterval)"
            + " || duration(self.activePollInterval) <= duration(self.pollInterval)",
    message = "spec.activePollInterval must not be longer than spec.pollInterval")
public class AsyncJobWatchSpec {
  @JsonPropertyDescription(
      "The Alibaba Cloud region of the watched resources, for example cn-hangzhou. "
          + "Required. Lower case, 2 to 64 characters. It selects the endpoint "
          + "(alb.<regionId>.aliyuncs.com unless spec.endpoint or the operator's "
          + "--alb-default-endpoint says otherwise).")
  @Required
  @Size(min = 2, max = 64)
  @Pattern(Validation.REGION_PATTERN)
  private String regionId;

  @JsonPropertyDescription(Validation.ENDPOINT_DESCRIPTION)
  @Size(max = 253)
  @Pattern(Validation.ENDPOINT_PATTERN)
  private String endpoint;

  @JsonPropertyDescription(
      "The Secret in this namespace holding the Alibaba Cloud keys (accessKeyId, "
          + "accessKeySecret and optionally securityToken). Optional: when absent the "
          + "operator's own credential chain is used (environment variables, RRSA/OIDC or the "
          + "ECS RAM role). The identity needs alb:ListAsynJobs only. Watches with the same "
          + "region, endpoint and credentials share one ALB client and rate budget.")
  private SecretReference credentialsSecretRef;

  @JsonPropertyDescription(
      "The ALB resource type whose jobs to mirror: loadbalancer, listener, rule, acl, "
          + "securitypolicy or servergroup (as ListAsynJobs spells it). Required. "
          + "spec.resourceIds are IDs of this type; spec.albConfigSelector needs "
          + "loadbalancer.")
  @Required
  private ResourceType resourceType;

  @JsonPropertyDescription(
      "IDs of the ALB resources of spec.resourceType to watch, for example "
          + "alb-o8mszt95oamfjy1234 (load balancer) or lsn-... (listener). At most 1000 IDs "
          + "of 1 to 128 characters each. A watch must name its targets: set this list, "
          + "spec.albConfigSelector, or both (the IDs are merged). A watch with neither is "
          + "refused at admission: mirroring every resource of a type in the account is not "
          + "supported. ALB is asked for 10 IDs per call.")
  @Size(max = 1000)
  private List<@Size(min = 1, max = 128) @Pattern(Validation.RESOURCE_ID_PATTERN) String>
      resourceIds = new ArrayList<>();

  @JsonPropertyDescription(
      "Only mirror jobs of these ALB API names, for example [CreateListener, "
          + "DeleteRule]. Optional: empty or absent mirrors jobs of every API. At most 50 "
          + "names, each starting with an upper-case letter.")
  @Size(max = 50)
  private List<@Size(min = 2, max = 128) @Pattern(Validation.API_NAME_PATTERN) String> apiNames =
      new ArrayList<>();

  @JsonPropertyDescription(
      "A label selector over AlbConfig objects (alibabacloud.com/v1, from the ACK ALB "
          + "ingress controller) in this namespace; the load balancer ID of each match "
          + "(.status.loadBalancer.id, else .spec.config.id) is watched in addition to "
          + "spec.resourceIds. Only with resourceType loadbalancer. AlbConfigs not yet "
          + "provisioned add nothing; when none match the watch mirrors nothing until one "
          + "does. Read only: the operator never changes AlbConfigs.")
  private LabelSelector albConfigSelector;

  @JsonPropertyDescription(
      "How far back the watch's first poll looks for jobs, as a duration such as 30m, "
          + "2h or 24h (whole units of ms, s, m, h). Between 1m and 720h. Optional: default "
          + "the operator's --since (1h). Later polls resume from status.watermark.")
  @Pattern(Validation.DURATION_PATTERN)
  @ValidationRule(
      value = "duration(self) >= duration('1m') && duration(self) <= duration('720h')",
      message = "spec.since must be between 1m and 720h")
  private String since;

  @JsonPropertyDescription(
      "How often to poll ALB while none of the watch's jobs is in flight, as a duration "
          + "such as 30s or 1m. Between 5s and 1h; values under the operator's "
          + "--min-poll-interval (5s) are raised to it. Optional: default the operator's "
          + "--poll-interval (30s). It does not delay new jobs: a listing of the account "
          + "scope that shows a new job of the watch's resources makes it poll at once, and "
          + "the operator lists each scope's new jobs every --discover-interval (3s) while no "
          + "watch of it polls.")
  @Pattern(Validation.DURATION_PATTERN)
  @ValidationRule(
      value = "duration(self) >= duration('5s') && duration(self) <= duration('1h')",
      message = "spec.pollInterval must be between 5s and 1h")
  private String pollInterval;

  @JsonPropertyDescription(
      "How often to poll ALB while a job of the watch is Pending or Processing, as a "
          + "duration such as 5s. Between 1s and 10m and not longer than spec.pollInterval; "
          + "values under the operator's --min-active-poll-interval (1s) are raised to it. "
          + "Optional: default the operator's --active-poll-interval (5s).")
  @Pattern(Validation.DURATION_PATTERN)
  @ValidationRule(
      value = "duration(self) >= duration('1s') && duration(self) <= duration('10m')",
      message = "spec.activePollInterval must be between 1s and 10m")
  private String activePollInterval;

  @JsonPropertyDescription(
      "Seconds after a mirrored job finished (Succeeded or Failed) before the operator "
          + "deletes its AsyncJob. 0 to 31536000 (one year). Optional: absent keeps finished "
          + "AsyncJobs until a history limit removes them. Deleted jobs are not mirrored "
          + "again while ALB still lists them.")
  @Min(0)
  @Max(31536000)
  private Long ttlSecondsAfterFinished;

  @JsonPropertyDescription(
      "How many Succeeded AsyncJobs of this watch to keep; older ones (by completion "
          + "time) are deleted. 0 to 100000. Optional: absent keeps them all (subject to "
          + "ttlSecondsAfterFinished).")
  @Min(0)
  @Max(100000)
  private Integer successfulJobsHistoryLimit;

  @JsonPropertyDescription(
      "How many Failed AsyncJobs of this watch to keep; older ones (by completion time) "
          + "are deleted. 0 to 100000. Optional: absent keeps them all (subject to "
          + "ttlSecondsAfterFinished).")
  @Min(0)
  @Max(100000)
  private Integer failedJobsHistoryLimit;

  @JsonPropertyDescription(
      "true stops polling ALB for this watch: no new jobs are mirrored and the existing "
          + "AsyncJobs stay as they are; the conditions say Suspended. false or absent polls "
          + "as usual.")
  private Boolean suspend;

  @JsonPropertyDescription(
      "Only with resourceType loadbalancer. true or absent: the watch covers each load "
          + "balancer and its children - listeners and forwarding rules (ListListeners, "
          + "ListRules), server groups of listener default actions and rule forward actions, "
          + "ACLs and security policies of its listeners (GetListenerAttribute) - whether ALB "
          + "records a child's job under the child or under the load balancer; every mirrored "
          + "job carries the label albjobs.io/load-balancer and status.loadBalancerId. Needs "
          + "alb:ListListeners, alb:ListRules and alb:GetListenerAttribute besides "
          + "alb:ListAsynJobs; when they are denied the condition ChildrenListed is False with "
          + "reason ChildListingDenied (Ready and Stalled still follow the jobs) and the load "
          + "balancer's own jobs are still mirrored. A child is known from a listing: a failed "
          + "CreateRules or CreateListener whose child never appears in a listing is not "
          + "mirrored; a child shared by several load balancers (a server group, an ACL) is "
          + "labelled with one of them. false: only jobs ALB records under the load balancer "
          + "itself.")
  private Boolean includeChildren;

  @JsonPropertyDescription(
      "How long the watch waits for jobs after its own spec changes (also on creation) or "
          + "albjobs.io/poll-now gets a new value, as a duration such as 15s; 0s does not wait. "
          + "Meanwhile it is not Ready (reason Settling) and polls at its activePollInterval, so "
          + "that a pipeline that made an ALB call and then bumps the watch (a revision from "
          + "Git, poll-now) does not pass before ALB lists the job. Between 0s and 10m. "
          + "Optional: default the operator's --settle-period (15s).")
  @Pattern(Validation.DURATION_PATTERN)
  @ValidationRule(
      value = "duration(self) <= duration('10m')",
      message = "spec.settlePeriod must be between 0s and 10m")
  private String settlePeriod;

  @JsonPropertyDescription(
      "The longest the watch waits for the ALB Ingress Controller to reconcile a change of "
          + "an Ingress or AlbConfig of its load balancers (its SuccessfullyReconciled Event), "
          + "as a duration such as 10m. When it passes the watch is Stalled with reason "
          + "SettleTimeout until the controller reconciles or the object changes again. "
          + "Between 1m and 24h. Optional: default the operator's --settle-timeout (10m).")
  @Pattern(Validation.DURATION_PATTERN)
  @ValidationRule(
      value = "duration(self) >= duration('1m') && duration(self) <= duration('24h')",
      message = "spec.settleTimeout must be between 1m and 24h")
  private String settleTimeout;

  public String getSettlePeriod() {
    return settlePeriod;
  }

  public void setSettlePeriod(String settlePeriod) {
    this.settlePeriod = settlePeriod;
  }

  public String getSettleTimeout() {
    return settleTimeout;
  }

  public void setSettleTimeout(String settleTimeout) {
    this.settleTimeout = settleTimeout;
  }

  public Boolean getIncludeChildren() {
    return includeChildren;
  }

  public void setIncludeChildren(Boolean includeChildren) {
    this.includeChildren = includeChildren;
  }

  /** A load-balancer watch that covers the children too (the default). */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean coversChildren() {
    return resourceType == ResourceType.LOADBALANCER && !Boolean.FALSE.equals(includeChildren);
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
