package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The roll-up of a watch's jobs and the health of its polling. */
@JsonClassDescription(
    "The roll-up of the watch's AsyncJobs and the health of its polling. Written only "
        + "by the operator, through the status subresource.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AsyncJobWatchStatus {
  @JsonPropertyDescription(
      "The metadata.generation this status was computed for. A status whose "
          + "observedGeneration is behind metadata.generation is not current yet.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Standard Kubernetes conditions, one per type: Ready, Reconciling, Stalled (the "
          + "shape kubectl wait, kstatus/Flux and Argo CD read). Each has a reason from the "
          + "documented list (docs/api.md) and an observedGeneration.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription(
      "How many of the watch's AsyncJobs are in each phase. Counts only the AsyncJobs "
          + "that still exist (retention deletes old ones).")
  private JobCounts jobs;

  @JsonPropertyDescription(
      "How many resource IDs the last poll covered: spec.resourceIds plus the load "
          + "balancers of matching AlbConfig objects, without duplicates.")
  private Integer resourceCount;

  @JsonPropertyDescription(
      "The most recently finished Failed job among the watch's AsyncJobs, so a GitOps "
          + "tool can show why the watch is degraded. Absent when none failed.")
  private FailedJobRef lastFailedJob;

  @JsonPropertyDescription(
      "When the operator last attempted a poll, successful or not, RFC 3339 in UTC. "
          + "Written with other changes and at least every --status-heartbeat (10m) while "
          + "idle; the albjobs_watch_last_successful_poll_timestamp_seconds metric is exact.")
  private String lastSyncTime;

  @JsonPropertyDescription(
      "When a poll last succeeded, RFC 3339 in UTC. Written like lastSyncTime.")
  private String lastSuccessfulSyncTime;

  @JsonPropertyDescription(
      "The resume point, RFC 3339 in UTC: every job created before it that was still in "
          + "flight has been mirrored; the next poll asks ALB only for jobs created after it, "
          + "minus the operator's --watermark-overlap (5m).")
  private String watermark;

  @JsonPropertyDescription(
      "The last value of the albjobs.io/poll-now annotation the operator acted on. "
          + "Setting the annotation to any new value asks for one immediate poll.")
  private String pollNowHandled;

  @JsonPropertyDescription(
      "When the operator first saw the current generation, RFC 3339 in UTC. Jobs that "
          + "failed after it make the watch Stalled; changing the spec acknowledges older "
          + "failures.")
  private String observedGenerationTime;

  @JsonPropertyDescription(
      "The label selector for the AsyncJobs this watch created, ready for `kubectl get ajob -l`: "
          + "albjobs.io/watch=<watch name>, or the name's short form (a prefix, '-' and 10 hex digits "
          + "of its SHA-256) when the name is not a valid label value (longer than 63 characters).")
  private String jobSelector;

  @JsonPropertyDescription(
      "Present while the watch waits for a change it stands for to show its ALB jobs "
          + "(Ready False, reason Settling): the changes, what ends the wait for each and the "
          + "deadline. Absent otherwise.")
  private Settling settling;

  public Settling getSettling() {
    return settling;
  }

  public void setSettling(Settling settling) {
    this.settling = settling;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }

  public JobCounts getJobs() {
    return jobs;
  }

  public void setJobs(JobCounts jobs) {
    this.jobs = jobs;
  }

  /** How many resource IDs the last poll covered (from the spec and AlbConfig objects). */
  public Integer getResourceCount() {
    return resourceCount;
  }

  public void setResourceCount(Integer resourceCount) {
    this.resourceCount = resourceCount;
  }

  public FailedJobRef getLastFailedJob() {
    return lastFailedJob;
  }

  public void setLastFailedJob(FailedJobRef lastFailedJob) {
    this.lastFailedJob = lastFailedJob;
  }

  /** When the operator last attempted a poll, successful or not. */
  public String getLastSyncTime() {
    return lastSyncTime;
  }

  public void setLastSyncTime(String lastSyncTime) {
    this.lastSyncTime = lastSyncTime;
  }

  public String getLastSuccessfulSyncTime() {
    return lastSuccessfulSyncTime;
  }

  public void setLastSuccessfulSyncTime(String lastSuccessfulSyncTime) {
    this.lastSuccessfulSyncTime = lastSuccessfulSyncTime;
  }

  /**
   * The resume point (RFC 3339): every job created before it that was still in flight has been
   * mirrored; the next poll asks ALB only for jobs created after it, minus a safety overlap.
   */
  public String getWatermark() {
    return watermark;
  }

  public void setWatermark(String watermark) {
    this.watermark = watermark;
  }

  public String getPollNowHandled() {
    return pollNowHandled;
  }

  public void setPollNowHandled(String pollNowHandled) {
    this.pollNowHandled = pollNowHandled;
  }

  /**
   * When the operator first saw the current generation; jobs that failed after it make the watch
   * Stalled, so changing the spec acknowledges older failures.
   */
  public String getObservedGenerationTime() {
    return observedGenerationTime;
  }

  public void setObservedGenerationTime(String observedGenerationTime) {
    this.observedGenerationTime = observedGenerationTime;
  }

  /**
   * The label selector for the AsyncJobs this watch created ({@code albjobs.io/watch=<value>}),
   * ready for {@code kubectl get ajob -l}: the watch name, or its short form when the name is not a
   * valid label value.
   */
  public String getJobSelector() {
    return jobSelector;
  }

  public void setJobSelector(String jobSelector) {
    this.jobSelector = jobSelector;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AsyncJobWatchStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(jobs, s.jobs)
        && Objects.equals(resourceCount, s.resourceCount)
        && Objects.equals(lastFailedJob, s.lastFailedJob)
        && Objects.equals(lastSyncTime, s.lastSyncTime)
        && Objects.equals(lastSuccessfulSyncTime, s.lastSuccessfulSyncTime)
        && Objects.equals(watermark, s.watermark)
        && Objects.equals(pollNowHandled, s.pollNowHandled)
        && Objects.equals(observedGenerationTime, s.observedGenerationTime)
        && Objects.equals(jobSelector, s.jobSelector)
        && Objects.equals(settling, s.settling);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, conditions, jobs, watermark);
  }
}
