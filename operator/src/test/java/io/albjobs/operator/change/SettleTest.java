package io.albjobs.operator.change;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.albjobs.operator.crd.SettleChange;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.status.Problem;
import io.albjobs.operator.status.SettleVerdict;
import io.albjobs.operator.status.Times;
import io.albjobs.operator.status.WatchRollup;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettleTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00.250Z");
  private static final Duration PERIOD = Duration.ofSeconds(15);
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final Duration MARGIN = Duration.ofSeconds(5);

  private static SettleChange ingress(String name, Instant at) {
    return Settle.of(
        new ObjectChange(
            "Ingress", "team-a", name, 2L, "spec", at, Set.of("alb-1"), List.of(Map.of())));
  }

  @Test
  void aNewerChangeOfTheSameObjectReplacesTheOlderAndTheSameChangeIsANoOp() {
    AsyncJobWatchStatus s = new AsyncJobWatchStatus();
    Settle.add(s, ingress("web", T0));
    Settle.add(s, ingress("web", T0));
    assertEquals(1, s.getSettling().getChanges().size());
    Settle.add(s, ingress("web", T0.plusSeconds(3)));
    assertEquals(1, s.getSettling().getChanges().size());
    assertEquals(
        Times.formatMillis(T0.plusSeconds(3)), s.getSettling().getChanges().get(0).getChangedAt());
    assertEquals(Times.formatMillis(T0), s.getSettling().getSince(), "since: the first change");
    Settle.add(s, ingress("api", T0.plusSeconds(4)));
    assertEquals(2, s.getSettling().getChanges().size());
    Settle.add(s, ingress("web", T0.plusSeconds(1)));
    assertEquals(
        Times.formatMillis(T0.plusSeconds(3)),
        s.getSettling().getChanges().get(0).getChangedAt(),
        "an older change does not replace a newer one");
  }

  @Test
  void aThousandFailedChangesOfTheLongestNamesFitInOneObject() throws Exception {
    AsyncJobWatchStatus s = new AsyncJobWatchStatus();
    String namespace = "n".repeat(63);
    for (int i = 0; i < Settle.MAX_CHANGES + 5; i++) {
      String name = String.format("%05d", i) + "i".repeat(248); // 253: the longest Ingress name
      Settle.add(
          s,
          Settle.of(
              new ObjectChange(
                  "Ingress",
                  namespace,
                  name,
                  Long.MAX_VALUE,
                  "annotations",
                  T0.plusMillis(i),
                  Set.of("alb-1"),
                  List.of(Map.of()))));
    }
    String message = "FailedApplyModel: " + "x".repeat(64 * 1024); // a controller's long message
    Settle.fence(
        s,
        c -> Fence.failed(message, T0.plusSeconds(5)),
        PERIOD,
        TIMEOUT,
        MARGIN,
        T0.plusSeconds(6));
    assertEquals(Settle.MAX_CHANGES, s.getSettling().getChanges().size());
    for (SettleChange c : s.getSettling().getChanges()) {
      assertEquals(Fence.MAX_FAILURE, c.getFailure().length());
      assertTrue(c.getFailure().endsWith("..."));
    }
    int bytes =
        io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().writeValueAsBytes(s).length;
    // etcd's default request limit is 1.5 MiB; the watch's spec and the API server's own fields
    // need room too.
    assertTrue(bytes < 1_000_000, "status of " + bytes + " bytes");
    SettleVerdict v = Settle.verdict(s, PERIOD, TIMEOUT, T0.plusSeconds(6));
    assertEquals("ChangeFailed", v.reason());
    assertTrue(v.message().length() < 32_768, "a condition message is at most 32768 characters");
  }

  @Test
  void changedAtKeepsMilliseconds() {
    assertEquals("2026-12-01T10:00:00.250Z", ingress("web", T0).getChangedAt());
  }

  @Test
  void theWatchsOwnChangeEndsWithTheSettlePeriodAndAPollAfterIt() {
    AsyncJobWatchStatus s = new AsyncJobWatchStatus();
    Settle.add(s, Settle.ofWatch("w", 3L, "spec", T0));
    Settle.fence(s, c -> Fence.NONE, PERIOD, TIMEOUT, MARGIN, T0.plusSeconds(14));
    SettleVerdict v = Settle.verdict(s, PERIOD, TIMEOUT, T0.plusSeconds(14));
    assertEquals("Settling", v.reason());
    assertEquals(T0.plus(PERIOD), v.wakeAt());
    assertNull(Settle.pollDue(s, T0.plusSeconds(14)));
    Settle.fence(s, c -> Fence.NONE, PERIOD, TIMEOUT, MARGIN, T0.plusSeconds(15));
    Instant due = Settle.pollDue(s, T0.plusSeconds(16));
    assertEquals(T0.plus(PERIOD), due);
    Settle.polled(s, T0.plusSeconds(14)); // a listing from before the end covers nothing
    assertNotNull(s.getSettling());
    Settle.polled(s, due);
    assertNull(s.getSettling(), "settled after a poll that started at the end of the period");
    assertFalse(Settle.verdict(s, PERIOD, TIMEOUT, T0.plusSeconds(16)).waiting());
  }

  @Test
  void aFenceAddsTheMarginAndOnlyAPollAfterTheMarginEndsTheWait() {
    AsyncJobWatchStatus s = new AsyncJobWatchStatus();
    Settle.add(s, ingress("web", T0));
    Instant fenced = T0.plusSeconds(8);
    Settle.fence(
        s,
        c -> Fence.reconciled("SuccessfullyReconciled", fenced),
        PERIOD,
        TIMEOUT,
        MARGIN,
        T0.plusSeconds(9));
    SettleChange c = s.getSettling().getChanges().get(0);
    assertEquals("SuccessfullyReconciled", c.getFence());
    assertEquals(Times.formatMillis(fenced), c.getFencedAt());
    assertEquals(Times.formatMillis(fenced.plus(MARGIN)), c.getVisibleAt());
    SettleVerdict v = Settle.verdict(s, PERIOD, TIMEOUT, T0.plusSeconds(9));
    assertEquals("Settling", v.reason());
    assertEquals(fenced.plus(MARGIN), v.wakeAt());
    assertNull(Settle.pollDue(s, T0.plusSeconds(12)));
    Settle.polled(s, T0.plusSeconds(12));
    assertNotNull(s.getSettling(), "a poll inside the margin does not end the wait");
    assertEquals(fenced.plus(MARGIN), Settle.pollDue(s, T0.plusSeconds(13)));
    Settle.polled(s, fenced.plus(MARGIN));
    assertNull(s.getSettling());
  }

  @Test
  void aFailureSeenAfterTheFenceBeforeThePollEndsTheFence() {
    AsyncJobWatchStatus s = new AsyncJobWatchStatus();
    Settle.add(s, ingress("web", T0));
    Settle.fence(
        s,
        c -> Fence.reconciled("SuccessfullyReconciled", T0.plusSeconds(2)),
        PERIOD,
        TIMEOUT,
        MARGIN,
        T0.plusSeconds(3));
    assertNotNull(s.getSettling().getChanges().get(0).getFencedAt());
    Settle.fence(
        s,
        c -> Fence.failed("FailedApplyModel: quota", T0.plusSeconds(4)),
        PERIOD,
        TIMEOUT,
        MARGIN,
        T0.plusSeconds(5));
    SettleChange c = s.getSettling().getChanges().get(0);
    assertNull(c.getFencedAt(), "the later attempt failed: no fence");
    assertEquals("FailedApplyModel: quota", c.getFailure());
    assertEquals("ChangeFailed", Settle.verdict(s, PERIOD, TIMEOUT, T0.plusSeconds(5)).reason());
  }

  @Test
  void aFenceOlderThanTheChangeCountsFromTheChange() {
    AsyncJobWatchStatus s = new AsyncJobWatchStatus();
    Settle.add(s, ingress("web", T0));
    Settle.fence(
        s,
        c -> Fence.reconciled("HashLabel", T0.minusSeconds(3)),
        PERIOD,
        TIMEOUT,
        MARGIN,
        T0.plusSeconds(1));
    assertEquals(
        Times.formatMillis(T0.plus(MARGIN)), s.getSettling().getChanges().get(0).getVisibleAt());
  }

  @Test
  void aFailureIsStalledUntilASuccessAndATimeoutNamesWhatNeverHappened() {
    AsyncJobWatchStatus s = new AsyncJobWatchStatus();
    Settle.add(s, ingress("web", T0));
    Settle.add(s, ingress("api", T0));
    Settle.fence(
        s,
        c ->
            c.getName().equals("web")
                ? Fence.failed("FailedApplyModel: quota", T0.plusSeconds(5))
                : Fence.NONE,
        PERIOD,
        TIMEOUT,
        MARGIN,
        T0.plusSeconds(6));
    SettleVerdict v = Settle.verdict(s, PERIOD, TIMEOUT, T0.plusSeconds(6));
    assertEquals("ChangeFailed", v.reason());
    assertTrue(v.stalled());
    assertTrue(v.message().contains("Ingress team-a/web"), v.message());
    assertTrue(v.message().contains("FailedApplyModel: quota"), v.message());
    assertEquals(Times.format(T0.plus(TIMEOUT)), s.getSettling().getDeadline());

    Settle.fence(
        s,
        c ->
            c.getName().equals("web")
                ? Fence.reconciled("SuccessfullyReconciled", T0.plusSeconds(30))
                : Fence.NONE,
        PERIOD,
        TIMEOUT,
        MARGIN,
        T0.plus(TIMEOUT));
    v = Settle.verdict(s, PERIOD, TIMEOUT, T0.plus(TIMEOUT));
    assertEquals("SettleTimeout", v.reason());
    assertTrue(v.stalled());
    assertTrue(v.message().contains("Ingress team-a/api"), v.message());
    assertTrue(v.message().contains("SuccessfullyReconciled"), v.message());
    assertNull(s.getSettling().getChanges().get(0).getFailure(), "the success cleared the failure");
  }

  @Test
  void aPollWithoutFreshChildrenEndsNothingButTheWatchsOwnChangeOfAWatchWithoutTargets() {
    AsyncJobWatchStatus s = new AsyncJobWatchStatus();
    Settle.add(s, ingress("web", T0));
    Settle.add(s, Settle.ofWatch("w", 2L, "spec", T0));
    Settle.fence(
        s,
        c -> Fence.reconciled("SuccessfullyReconciled", T0.plusSeconds(1)),
        PERIOD,
        TIMEOUT,
        MARGIN,
        T0.plusSeconds(20));
    Instant due = T0.plusSeconds(20);
    Settle.polled(s, due, false, false);
    assertEquals(2, s.getSettling().getChanges().size(), "children not fresh: nothing ends");
    Settle.polled(s, due, false, true);
    assertEquals(1, s.getSettling().getChanges().size(), "no targets: the watch's own change ends");
    assertEquals("Ingress", s.getSettling().getChanges().get(0).getKind());
    Settle.polled(s, due, true, false);
    assertNull(s.getSettling());
  }

  @Test
  void aFencedChangeNoPollCouldListForTheSettleTimeoutIsStalledUntilOneDoes() {
    AsyncJobWatchStatus s = new AsyncJobWatchStatus();
    Settle.add(s, ingress("web", T0));
    Instant fenced = T0.plusSeconds(8);
    Settle.fence(
        s,
        c -> Fence.reconciled("SuccessfullyReconciled", fenced),
        PERIOD,
        TIMEOUT,
        MARGIN,
        T0.plusSeconds(9));
    Instant visible = fenced.plus(MARGIN);
    // Polls whose children listing ALB throttles: nothing ends, the watch waits.
    Settle.polled(s, visible.plusSeconds(1), false, false);
    SettleVerdict v = Settle.verdict(s, PERIOD, TIMEOUT, visible.plus(TIMEOUT).minusMillis(1));
    assertEquals("Settling", v.reason());
    assertFalse(v.stalled());
    assertEquals(visible.plus(TIMEOUT), v.wakeAt(), "it wakes when the wait gives up");
    // For the settle timeout after the fence's margin: Stalled, saying what ALB did not list.
    Settle.polled(s, visible.plus(TIMEOUT), false, false);
    v = Settle.verdict(s, PERIOD, TIMEOUT, visible.plus(TIMEOUT));
    assertEquals("SettleTimeout", v.reason());
    assertTrue(v.stalled());
    assertTrue(v.message().contains("Ingress team-a/web"), v.message());
    assertTrue(v.message().contains("no poll listed its jobs"), v.message());
    assertTrue(v.message().contains("ChildrenListed"), v.message());
    // A poll that lists them ends it.
    Settle.polled(s, visible.plus(TIMEOUT).plusSeconds(30), true, false);
    assertNull(s.getSettling());
    assertFalse(
        Settle.verdict(s, PERIOD, TIMEOUT, visible.plus(TIMEOUT).plusSeconds(30)).waiting());
  }

  @Test
  void aSpecChangeOrPollNowAcknowledgesChangesThatTimedOut() {
    AsyncJobWatchStatus s = new AsyncJobWatchStatus();
    Settle.add(s, ingress("old", T0));
    Settle.add(s, ingress("recent", T0.plus(TIMEOUT)));
    Settle.acknowledgeTimedOut(s, TIMEOUT, T0.plus(TIMEOUT).plusSeconds(1));
    assertEquals(1, s.getSettling().getChanges().size());
    assertEquals("recent", s.getSettling().getChanges().get(0).getName());
  }

  @Test
  void theRollUpPutsSettlingAfterFailuresAndProblemsAndBeforeJobsInFlight() {
    AsyncJobWatchStatus s = new AsyncJobWatchStatus();
    SettleVerdict waiting = new SettleVerdict("Settling", "waiting for x", false, null);
    WatchRollup.apply(s, List.of(), null, waiting, 1L, T0);
    assertEquals("Settling", reason(s, Conditions.READY));
    assertEquals("True", status(s, Conditions.RECONCILING));
    assertEquals("False", status(s, Conditions.STALLED));
    WatchRollup.apply(s, List.of(), new Problem("Throttling", "slow down", false), waiting, 1L, T0);
    assertEquals("Throttling", reason(s, Conditions.READY), "a poll problem comes first");
    SettleVerdict failed = new SettleVerdict("ChangeFailed", "failed", true, null);
    WatchRollup.apply(s, List.of(), new Problem("Throttling", "slow down", false), failed, 1L, T0);
    assertEquals("ChangeFailed", reason(s, Conditions.READY));
    assertEquals("True", status(s, Conditions.STALLED));
    WatchRollup.apply(s, List.of(), null, SettleVerdict.NONE, 1L, T0);
    assertEquals("Synced", reason(s, Conditions.READY));
  }

  private static String reason(AsyncJobWatchStatus s, String type) {
    return Conditions.find(s.getConditions(), type).get().getReason();
  }

  private static String status(AsyncJobWatchStatus s, String type) {
    return Conditions.find(s.getConditions(), type).get().getStatus();
  }
}
