package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The roll-up of a watch's jobs and the health of its polling. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AsyncJobWatchStatus {
  private Long observedGeneration;
  private List<Condition> conditions = new ArrayList<>();
  private JobCounts jobs;
  private Integer resourceCount;
  private FailedJobRef lastFailedJob;
  private String lastSyncTime;
  private String lastSuccessfulSyncTime;
  private String watermark;
  private String pollNowHandled;
  private String observedGenerationTime;
  private String jobSelector;

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
   * When the operator first saw the current generation; jobs that failed after it make the
   * watch Stalled, so changing the spec acknowledges older failures.
   */
  public String getObservedGenerationTime() {
    return observedGenerationTime;
  }

  public void setObservedGenerationTime(String observedGenerationTime) {
    this.observedGenerationTime = observedGenerationTime;
  }

  /**
   * The label selector for the AsyncJobs this watch created ({@code albjobs.io/watch=<value>}),
   * ready for {@code kubectl get ajob -l}: the watch name, or its short form when the name is not
   * a valid label value.
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
        && Objects.equals(jobSelector, s.jobSelector);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, conditions, jobs, watermark);
  }
}
