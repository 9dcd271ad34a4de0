package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How many of a watch's mirrored jobs are in each phase. */
@JsonClassDescription("How many of a watch's AsyncJobs are in each phase.")
public class JobCounts {
  @JsonPropertyDescription("AsyncJobs Pending or Processing (in flight).")
  private int processing;

  @JsonPropertyDescription("AsyncJobs that Succeeded.")
  private int succeeded;

  @JsonPropertyDescription("AsyncJobs that Failed.")
  private int failed;

  @JsonPropertyDescription("All AsyncJobs of the watch: processing + succeeded + failed.")
  private int total;

  public JobCounts() {}

  public JobCounts(int processing, int succeeded, int failed) {
    this.processing = processing;
    this.succeeded = succeeded;
    this.failed = failed;
    this.total = processing + succeeded + failed;
  }

  public int getProcessing() {
    return processing;
  }

  public void setProcessing(int processing) {
    this.processing = processing;
  }

  public int getSucceeded() {
    return succeeded;
  }

  public void setSucceeded(int succeeded) {
    this.succeeded = succeeded;
  }

  public int getFailed() {
    return failed;
  }

  public void setFailed(int failed) {
    this.failed = failed;
  }

  public int getTotal() {
    return total;
  }

  public void setTotal(int total) {
    this.total = total;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JobCounts c
        && processing == c.processing
        && succeeded == c.succeeded
        && failed == c.failed
        && total == c.total;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(processing, succeeded, failed, total);
  }
}
