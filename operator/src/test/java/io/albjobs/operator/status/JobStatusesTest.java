package io.albjobs.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.crd.JobPhase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobStatusesTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  private static AlbJob job(String status, String code) {
    return new AlbJob(
        "J1",
        "CreateListener",
        "Create",
        "listener",
        "lsn-1",
        status,
        code,
        code == null ? null : "quota exceeded",
        T0.minusSeconds(60).toEpochMilli(),
        T0.toEpochMilli());
  }

  private static String cond(AsyncJobStatus s, String type) {
    return Conditions.find(s.getConditions(), type).map(Condition::getStatus).orElse("missing");
  }

  @Test
  void processingIsReconcilingAndNotFinished() {
    AsyncJobStatus s = JobStatuses.fromAlb(job("Processing", null), null, 1L, T0);
    assertEquals(JobPhase.Processing, s.getPhase());
    assertEquals("True", cond(s, Conditions.RECONCILING));
    assertEquals("False", cond(s, Conditions.FINISHED));
    assertEquals("False", cond(s, Conditions.READY));
    assertEquals("False", cond(s, Conditions.STALLED));
    assertNull(
        s.getCompletionTime(),
        "completionTime only once finished, for kubectl wait --for=jsonpath");
    assertEquals("2026-11-27T09:59:00Z", s.getCreateTime());
  }

  @Test
  void succeededIsCompleteReadyFinished() {
    AsyncJobStatus s = JobStatuses.fromAlb(job("Succeeded", null), null, 3L, T0);
    assertEquals("True", cond(s, Conditions.COMPLETE));
    assertEquals("True", cond(s, Conditions.READY));
    assertEquals("True", cond(s, Conditions.FINISHED));
    assertEquals("False", cond(s, Conditions.FAILED));
    assertEquals("False", cond(s, Conditions.RECONCILING));
    assertEquals("2026-11-27T10:00:00Z", s.getCompletionTime());
    s.getConditions().forEach(c -> assertEquals(3L, c.getObservedGeneration()));
  }

  @Test
  void failedCarriesTheErrorCodeAsReasonAndStalls() {
    AsyncJobStatus s = JobStatuses.fromAlb(job("Failed", "QuotaExceeded.Listener"), null, 1L, T0);
    assertEquals("QuotaExceeded.Listener", s.getErrorCode());
    Condition failed = Conditions.find(s.getConditions(), Conditions.FAILED).orElseThrow();
    assertEquals("True", failed.getStatus());
    assertEquals("QuotaExceeded.Listener", failed.getReason());
    assertTrue(failed.getMessage().contains("quota exceeded"));
    assertEquals("True", cond(s, Conditions.STALLED));
    assertEquals("False", cond(s, Conditions.COMPLETE));
    assertTrue(s.isFinished());
  }

  @Test
  void statusWordsAreReadInAnyLetterCase() {
    assertEquals(
        JobPhase.Succeeded, JobStatuses.fromAlb(job("succeeded", null), null, 1L, T0).getPhase());
    assertEquals(JobPhase.Failed, JobStatuses.fromAlb(job("FAILED", "E"), null, 1L, T0).getPhase());
    AsyncJobStatus running = JobStatuses.fromAlb(job("processing", null), null, 1L, T0);
    assertEquals(
        "Processing",
        Conditions.find(running.getConditions(), Conditions.RECONCILING).orElseThrow().getReason());
  }

  @Test
  void anUnknownWordIsInFlightAndSaysSo() {
    AsyncJobStatus s = JobStatuses.fromAlb(job("Rollbacking", null), null, 1L, T0);
    assertEquals(JobPhase.Processing, s.getPhase());
    var reconciling = Conditions.find(s.getConditions(), Conditions.RECONCILING).orElseThrow();
    assertEquals("True", reconciling.getStatus());
    assertEquals("UnknownAlbStatus", reconciling.getReason());
    assertTrue(reconciling.getMessage().contains("\"Rollbacking\""), reconciling.getMessage());
    assertEquals("Rollbacking", JobStatuses.unknownWord(s));
    assertEquals(
        null, JobStatuses.unknownWord(JobStatuses.fromAlb(job("Processing", null), null, 1L, T0)));
    assertFalse(Conditions.isTrue(s.getConditions(), Conditions.FINISHED));
  }

  @Test
  void lastTransitionTimeIsKeptWhileAConditionKeepsItsStatus() {
    AsyncJobStatus first = JobStatuses.fromAlb(job("Processing", null), null, 1L, T0);
    AsyncJobStatus again =
        JobStatuses.fromAlb(job("Processing", null), first, 1L, T0.plusSeconds(30));
    assertEquals(first.getConditions(), again.getConditions());
    AsyncJobStatus done =
        JobStatuses.fromAlb(job("Succeeded", null), again, 1L, T0.plusSeconds(60));
    Condition finished = Conditions.find(done.getConditions(), Conditions.FINISHED).orElseThrow();
    assertEquals("2026-11-27T10:01:00Z", finished.getLastTransitionTime());
    Condition failed = Conditions.find(done.getConditions(), Conditions.FAILED).orElseThrow();
    assertEquals("2026-11-27T10:00:00Z", failed.getLastTransitionTime(), "Failed stayed False");
  }

  @Test
  void aJobNotVisibleYetIsPendingAndAProblemStallsIt() {
    AsyncJobStatus pending = JobStatuses.notVisible(null, null, 1L, T0);
    assertEquals(JobPhase.Pending, pending.getPhase());
    assertEquals("True", cond(pending, Conditions.RECONCILING));
    AsyncJobStatus stalled =
        JobStatuses.notVisible(pending, new Problem("JobNotFound", "never appeared"), 1L, T0);
    Condition c = Conditions.find(stalled.getConditions(), Conditions.STALLED).orElseThrow();
    assertEquals("True", c.getStatus());
    assertEquals("JobNotFound", c.getReason());
    assertFalse(Conditions.isTrue(stalled.getConditions(), Conditions.RECONCILING));
  }
}
