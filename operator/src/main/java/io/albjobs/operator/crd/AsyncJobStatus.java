package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What ALB says about the job, plus the operator's conditions. Times are RFC 3339. */
@JsonClassDescription(
    "What ALB says about the job, and the operator's conditions. Written only by the "
        + "operator, through the status subresource.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AsyncJobStatus {
  @JsonPropertyDescription(
      "Where the job stands: Pending (not visible in ALB yet; only AsyncJobs created by "
          + "a user or pipeline), Processing, Succeeded or Failed. Succeeded and Failed are "
          + "final: the status never changes again. Selectable: "
          + "kubectl get ajob --field-selector status.phase=Failed.")
  @io.fabric8.crd.generator.annotation.SelectableField
  private JobPhase phase;

  @JsonPropertyDescription(
      "The ALB API call that started the job, for example CreateListener, as ALB "
          + "reports it. Absent until ALB shows the job.")
  private String apiName;

  @JsonPropertyDescription(
      "The kind of change, as ALB reports it, for example Create, Update or Delete. "
          + "Absent until ALB shows the job.")
  private String operateType;

  @JsonPropertyDescription(
      "The type of the resource the job changes, as ALB spells it (loadbalancer, "
          + "listener, rule, acl, securitypolicy, servergroup). Absent until ALB shows the "
          + "job.")
  private String resourceType;

  @JsonPropertyDescription(
      "The ID of the resource the job changes, for example alb-o8mszt95oamfjy1234. "
          + "Absent until ALB shows the job.")
  private String resourceId;

  @JsonPropertyDescription(
      "The load balancer the job belongs to, for a job mirrored by a load-balancer "
          + "watch: the load balancer itself, or the one whose listener, rule, server group, "
          + "ACL or security policy the job changes (resourceType and resourceId name that "
          + "child). Also the label albjobs.io/load-balancer. Absent for other jobs.")
  private String loadBalancerId;

  @JsonPropertyDescription(
      "ALB's error code when the job failed, for example QuotaExceeded.Listener; "
          + "Unknown when ALB gave none. Absent unless phase is Failed. Also the reason of "
          + "the Failed condition.")
  private String errorCode;

  @JsonPropertyDescription(
      "ALB's error message when the job failed. Absent unless phase is Failed or when "
          + "ALB gave none.")
  private String errorMessage;

  @JsonPropertyDescription(
      "When ALB created the job, RFC 3339 in UTC (for example 2026-11-27T10:00:03Z).")
  private String createTime;

  @JsonPropertyDescription("When ALB last changed the job, RFC 3339 in UTC.")
  private String modifyTime;

  @JsonPropertyDescription(
      "When the job reached Succeeded or Failed, RFC 3339 in UTC. Set only once it "
          + "finished, so kubectl wait --for=jsonpath='{.status.completionTime}' waits for "
          + "either outcome.")
  private String completionTime;

  @JsonPropertyDescription(
      "When the operator last wrote this status after asking ALB, RFC 3339 in UTC.")
  private String lastSyncTime;

  @JsonPropertyDescription(
      "The metadata.generation this status was computed for. A status whose "
          + "observedGeneration is behind metadata.generation is not current yet.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "The last value of the albjobs.io/poll-now annotation the operator acted on. "
          + "Setting the annotation to any new value asks for one immediate poll (and retries "
          + "a JobNotFound job).")
  private String pollNowHandled;

  @JsonPropertyDescription(
      "Standard Kubernetes conditions, one per type: Complete, Failed, Finished, Ready, "
          + "Reconciling, Stalled (the shape kubectl wait, kstatus/Flux and Argo CD read). "
          + "Each has a reason from the documented list (docs/api.md) or, for a failed job, "
          + "ALB's error code, and an observedGeneration.")
  private List<Condition> conditions = new ArrayList<>();

  public JobPhase getPhase() {
    return phase;
  }

  public void setPhase(JobPhase phase) {
    this.phase = phase;
  }

  public String getApiName() {
    return apiName;
  }

  public void setApiName(String apiName) {
    this.apiName = apiName;
  }

  public String getOperateType() {
    return operateType;
  }

  public void setOperateType(String operateType) {
    this.operateType = operateType;
  }

  public String getResourceType() {
    return resourceType;
  }

  public void setResourceType(String resourceType) {
    this.resourceType = resourceType;
  }

  public String getResourceId() {
    return resourceId;
  }

  public void setResourceId(String resourceId) {
    this.resourceId = resourceId;
  }

  public String getLoadBalancerId() {
    return loadBalancerId;
  }

  public void setLoadBalancerId(String loadBalancerId) {
    this.loadBalancerId = loadBalancerId;
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

  public String getCreateTime() {
    return createTime;
  }

  public void setCreateTime(String createTime) {
    this.createTime = createTime;
  }

  public String getModifyTime() {
    return modifyTime;
  }

  public void setModifyTime(String modifyTime) {
    this.modifyTime = modifyTime;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }

  public String getLastSyncTime() {
    return lastSyncTime;
  }

  public void setLastSyncTime(String lastSyncTime) {
    this.lastSyncTime = lastSyncTime;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  /** The last value of the {@code albjobs.io/poll-now} annotation that was acted on. */
  public String getPollNowHandled() {
    return pollNowHandled;
  }

  public void setPollNowHandled(String pollNowHandled) {
    this.pollNowHandled = pollNowHandled;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }

  /** True when the phase is final: the status never changes again. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isFinished() {
    return phase != null && phase.isFinished();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof AsyncJobStatus s)) {
      return false;
    }
    return phase == s.phase
        && Objects.equals(apiName, s.apiName)
        && Objects.equals(operateType, s.operateType)
        && Objects.equals(resourceType, s.resourceType)
        && Objects.equals(resourceId, s.resourceId)
        && Objects.equals(loadBalancerId, s.loadBalancerId)
        && Objects.equals(errorCode, s.errorCode)
        && Objects.equals(errorMessage, s.errorMessage)
        && Objects.equals(createTime, s.createTime)
        && Objects.equals(modifyTime, s.modifyTime)
        && Objects.equals(completionTime, s.completionTime)
        && Objects.equals(lastSyncTime, s.lastSyncTime)
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(pollNowHandled, s.pollNowHandled)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phase, apiName, resourceId, completionTime, conditions);
  }
}
