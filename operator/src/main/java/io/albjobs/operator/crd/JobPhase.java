package io.albjobs.operator.crd;

/** Where an ALB job stands, as shown in {@code status.phase}. */
public enum JobPhase {
  /** Not visible in ALB yet (only for user-created AsyncJobs). */
  Pending,
  Processing,
  Succeeded,
  Failed;

  public boolean isFinished() {
    return this == Succeeded || this == Failed;
  }

  public boolean isInFlight() {
    return !isFinished();
  }
}
