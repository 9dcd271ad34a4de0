package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One change a settling watch waits for, and what ends the wait for it. */
@JsonClassDescription("One change the watch waits for and the fence that ends the wait for it.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SettleChange {
  @JsonPropertyDescription(
      "What changed: Ingress, AlbConfig or AsyncJobWatch (the watch's own spec or its albjobs.io/poll-now annotation).")
  private String kind;

  @JsonPropertyDescription(
      "The Ingress's namespace; absent for the cluster-scoped AlbConfig and for the watch itself.")
  private String namespace;

  @JsonPropertyDescription("The name of the object that changed.")
  private String name;

  @JsonPropertyDescription("The object's metadata.generation after the change.")
  private Long generation;

  @JsonPropertyDescription(
      "What about it changed: spec, annotations, created, deleted or poll-now.")
  private String cause;

  @JsonPropertyDescription("When the operator saw the change, RFC 3339 in UTC.")
  private String changedAt;

  @JsonPropertyDescription(
      "What ends the wait for this change: SuccessfullyReconciled (the ALB Ingress Controller's Event on the object, newer than the change), HashLabel (its alb.ingress.kubernetes.io/hash label rewritten after the change) or SettlePeriod (spec.settlePeriod after a change of the watch itself).")
  private String fence;

  @JsonPropertyDescription(
      "When the fence was seen, RFC 3339 in UTC; absent while the wait goes on.")
  private String fencedAt;

  @JsonPropertyDescription(
      "When ALB lists every job of the change, RFC 3339 in UTC: the fence plus the operator's --settle-margin. The first successful poll after it ends the wait for this change.")
  private String visibleAt;

  @JsonPropertyDescription(
      "The ALB Ingress Controller's last failure for this change (its Warning Event, FailedBuildModel or FailedApplyModel, and the first 256 characters of its message), while no success came after it.")
  private String failure;

  @JsonPropertyDescription(
      "The object's metadata.resourceVersion written by the change, when the operator saw it: after an operator restart, an Event of the controller dated in the change's own second (Event times are whole seconds) is the change's only if its resourceVersion is greater. Absent for a change made while no operator ran.")
  private String resourceVersion;

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Long getGeneration() {
    return generation;
  }

  public void setGeneration(Long generation) {
    this.generation = generation;
  }

  public String getCause() {
    return cause;
  }

  public void setCause(String cause) {
    this.cause = cause;
  }

  public String getChangedAt() {
    return changedAt;
  }

  public void setChangedAt(String changedAt) {
    this.changedAt = changedAt;
  }

  public String getFence() {
    return fence;
  }

  public void setFence(String fence) {
    this.fence = fence;
  }

  public String getFencedAt() {
    return fencedAt;
  }

  public void setFencedAt(String fencedAt) {
    this.fencedAt = fencedAt;
  }

  public String getVisibleAt() {
    return visibleAt;
  }

  public void setVisibleAt(String visibleAt) {
    this.visibleAt = visibleAt;
  }

  public String getFailure() {
    return failure;
  }

  public void setFailure(String failure) {
    this.failure = failure;
  }

  public String getResourceVersion() {
    return resourceVersion;
  }

  public void setResourceVersion(String resourceVersion) {
    this.resourceVersion = resourceVersion;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SettleChange x
        && Objects.equals(kind, x.kind)
        && Objects.equals(namespace, x.namespace)
        && Objects.equals(name, x.name)
        && Objects.equals(generation, x.generation)
        && Objects.equals(cause, x.cause)
        && Objects.equals(changedAt, x.changedAt)
        && Objects.equals(fence, x.fence)
        && Objects.equals(fencedAt, x.fencedAt)
        && Objects.equals(visibleAt, x.visibleAt)
        && Objects.equals(failure, x.failure)
        && Objects.equals(resourceVersion, x.resourceVersion);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        kind,
        namespace,
        name,
        generation,
        cause,
        changedAt,
        fence,
        fencedAt,
        visibleAt,
        failure,
        resourceVersion);
  }
}
