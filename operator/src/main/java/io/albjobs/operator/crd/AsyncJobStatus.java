package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What ALB says about the job, plus the operator's conditions. Times are RFC 3339. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AsyncJobStatus {
  private JobPhase phase;
  private String apiName;
  private String operateType;
  private String resourceType;
  private String resourceId;
  private String errorCode;
  private String errorMessage;
  private String createTime;
  private String modifyTime;
  private String completionTime;
  private String lastSyncTime;
  private Long observedGeneration;
  private String pollNowHandled;
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
