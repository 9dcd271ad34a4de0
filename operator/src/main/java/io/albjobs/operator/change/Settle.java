package io.albjobs.operator.change;

import io.albjobs.operator.config.Durations;
import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.albjobs.operator.crd.SettleChange;
import io.albjobs.operator.crd.Settling;
import io.albjobs.operator.status.SettleVerdict;
import io.albjobs.operator.status.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@code status.settling}: the changes a watch waits for, their fences, and what the wait means for
 * its conditions. A change ends in three steps: its fence (the controller's success, or the settle
 * period for the watch's own changes), its {@code visibleAt} (the fence plus the margin for ALB to
 * list the jobs; the settle period needs none), then a successful poll whose listing started at or
 * after {@code visibleAt}. After that the watch's jobs say the rest (in flight, failed or done).
 */
public final class Settle {
  /** The watch itself, as the kind of a change of its spec or poll-now. */
  public static final String WATCH = "AsyncJobWatch";

  public static final String SETTLE_PERIOD = "SettlePeriod";
  static final int MAX_CHANGES = 1000;

  private Settle() {}

  /** A change of the watch itself: its spec (or creation) or a new poll-now value. */
  public static SettleChange ofWatch(String name, Long generation, String cause, Instant now) {
    SettleChange c = new SettleChange();
    c.setKind(WATCH);
    c.setName(name);
    c.setGeneration(generation);
    c.setCause(cause);
    c.setChangedAt(Times.formatMillis(now));
    c.setFence(SETTLE_PERIOD);
    return c;
  }

  /** A change of an Ingress or AlbConfig as the tracker saw it. */
  public static SettleChange of(ObjectChange o) {
    SettleChange c = new SettleChange();
    c.setKind(o.kind());
    c.setNamespace(o.namespace());
    c.setName(o.name());
    c.setGeneration(o.generation());
    c.setCause(o.cause());
    c.setChangedAt(Times.formatMillis(o.changedAt()));
    c.setResourceVersion(o.resourceVersion());
    return c;
  }

  /**
   * Adds a change: a newer change of the same object replaces the older one (its fence starts
   * over); the same change again is a no-op.
   */
  public static void add(AsyncJobWatchStatus status, SettleChange change) {
    Settling s = status.getSettling();
    if (s == null) {
      s = new Settling();
      s.setSince(change.getChangedAt());
      status.setSettling(s);
    }
    List<SettleChange> changes = new ArrayList<>(s.getChanges());
    for (int i = 0; i < changes.size(); i++) {
      SettleChange old = changes.get(i);
      if (sameObject(old, change)) {
        if (!Times.parse(change.getChangedAt()).isAfter(Times.parse(old.getChangedAt()))) {
          return;
        }
        changes.remove(i);
        break;
      }
    }
    changes.add(change);
    while (changes.size() > MAX_CHANGES) {
      // The oldest fenced change goes first: it waits only for a poll.
      SettleChange drop =
          changes.stream().filter(c -> c.getFencedAt() != null).findFirst().orElse(changes.get(0));
      changes.remove(drop);
    }
    s.setChanges(changes);
    Instant since = Times.parse(s.getSince());
    Instant at = Times.parse(change.getChangedAt());
    if (since == null || at.isBefore(since)) {
      s.setSince(change.getChangedAt());
    }
  }

  /**
   * Looks for the fence of every change not fenced yet: the settle period for the watch's own
   * changes, {@code fences} for the others (with {@code margin} for ALB to list the jobs).
   */
  public static void fence(
      AsyncJobWatchStatus status,
      Function<SettleChange, Fence> fences,
      Duration period,
      Duration timeout,
      Duration margin,
      Instant now) {
    Settling s = status.getSettling();
    if (s == null) {
      return;
    }
    Instant deadline = null;
    List<SettleChange> changes = new ArrayList<>();
    for (SettleChange old : s.getChanges()) {
      SettleChange c = io.albjobs.operator.status.Statuses.copy(old);
      Instant changed = Times.parse(c.getChangedAt());
      if (c.getFencedAt() != null
          && !WATCH.equals(c.getKind())
          && Times.parse(c.getVisibleAt()).isAfter(now)) {
        // Fenced, not polled yet: a failure seen since ends the fence.
        Fence f = fences.apply(c);
        if (!f.reconciled() && f.failure() != null) {
          c.setFence(null);
          c.setFencedAt(null);
          c.setVisibleAt(null);
        }
      }
      if (c.getFencedAt() == null) {
        if (WATCH.equals(c.getKind())) {
          Instant end = changed.plus(period);
          if (!now.isBefore(end)) {
            c.setFencedAt(Times.formatMillis(end));
            c.setVisibleAt(Times.formatMillis(end));
          }
        } else {
          Fence f = fences.apply(c);
          if (f.reconciled()) {
            Instant at = f.at().isBefore(changed) ? changed : f.at();
            c.setFence(f.fence());
            c.setFencedAt(Times.formatMillis(at));
            c.setVisibleAt(Times.formatMillis(at.plus(margin)));
            c.setFailure(null);
          } else {
            c.setFailure(f.failure());
            Instant end = changed.plus(timeout);
            deadline = deadline == null || end.isAfter(deadline) ? end : deadline;
          }
        }
      }
      changes.add(c);
    }
    s.setChanges(changes);
    s.setDeadline(Times.format(deadline));
  }

  /**
   * A successful poll whose listing started at or after {@code listedFrom}: the changes visible by
   * then are done waiting; {@code status.settling} goes when none is left. {@code complete}: the
   * poll covered load balancers and their children listed fresh enough; without it only the watch's
   * own changes of a watch without load balancers end (there is nothing to list for them).
   */
  public static void polled(
      AsyncJobWatchStatus status, Instant listedFrom, boolean complete, boolean noTargets) {
    Settling s = status.getSettling();
    if (s == null) {
      return;
    }
    List<SettleChange> left = new ArrayList<>();
    for (SettleChange c : s.getChanges()) {
      Instant visible = Times.parse(c.getVisibleAt());
      boolean covered =
          visible != null
              && !visible.isAfter(listedFrom)
              && (complete || noTargets && WATCH.equals(c.getKind()));
      if (!covered) {
        left.add(c);
      }
    }
    if (left.isEmpty()) {
      status.setSettling(null);
    } else {
      s.setChanges(left);
    }
  }

  /** {@link #polled(AsyncJobWatchStatus, Instant, boolean, boolean)} of a complete poll. */
  public static void polled(AsyncJobWatchStatus status, Instant listedFrom) {
    polled(status, listedFrom, true, false);
  }

  /**
   * The watch's spec changed or poll-now was asked: a person has looked, so changes the controller
   * never reconciled within the timeout stop holding the watch Stalled.
   */
  public static void acknowledgeTimedOut(
      AsyncJobWatchStatus status, Duration timeout, Instant now) {
    Settling s = status.getSettling();
    if (s == null) {
      return;
    }
    List<SettleChange> left = new ArrayList<>();
    for (SettleChange c : s.getChanges()) {
      boolean timedOut =
          !WATCH.equals(c.getKind())
              && c.getFencedAt() == null
              && !now.isBefore(Times.parse(c.getChangedAt()).plus(timeout));
      if (!timedOut) {
        left.add(c);
      }
    }
    if (left.isEmpty()) {
      status.setSettling(null);
    } else {
      s.setChanges(left);
    }
  }

  /** The earliest {@code visibleAt} that has come and is not polled yet: a poll is due then. */
  public static Instant pollDue(AsyncJobWatchStatus status, Instant now) {
    Settling s = status.getSettling();
    if (s == null) {
      return null;
    }
    return s.getChanges().stream()
        .map(c -> Times.parse(c.getVisibleAt()))
        .filter(Objects::nonNull)
        .filter(v -> !v.isAfter(now))
        .max(Comparator.naturalOrder())
        .orElse(null);
  }

  /** What the wait means for the conditions, and when something next changes by itself. */
  public static SettleVerdict verdict(
      AsyncJobWatchStatus status, Duration period, Duration timeout, Instant now) {
    Settling s = status.getSettling();
    if (s == null || s.getChanges().isEmpty()) {
      return SettleVerdict.NONE;
    }
    Instant wake = null;
    SettleChange failed = null;
    SettleChange timedOut = null;
    SettleChange unlisted = null;
    List<String> waits = new ArrayList<>();
    for (SettleChange c : s.getChanges()) {
      Instant changed = Times.parse(c.getChangedAt());
      Instant visible = Times.parse(c.getVisibleAt());
      if (visible != null && !now.isBefore(visible.plus(timeout))) {
        // Fenced, yet no poll since listed its jobs (and the load balancers' children): ALB keeps
        // throttling or failing the calls that would.
        unlisted = unlisted == null ? c : unlisted;
      } else if (visible != null) {
        wake = earliest(wake, visible.isAfter(now) ? visible : visible.plus(timeout));
        waits.add("ALB to list the jobs of " + what(c) + " (" + fenceText(c) + ")");
      } else if (WATCH.equals(c.getKind())) {
        wake = earliest(wake, changed.plus(period));
        waits.add(
            "jobs of "
                + what(c)
                + " (spec.settlePeriod "
                + Durations.format(period)
                + ", until "
                + Times.format(changed.plus(period).plusSeconds(1))
                + ")");
      } else if (c.getFailure() != null) {
        failed = failed == null ? c : failed;
      } else if (!now.isBefore(changed.plus(timeout))) {
        timedOut = timedOut == null ? c : timedOut;
      } else {
        wake = earliest(wake, changed.plus(timeout));
        waits.add("the ALB Ingress Controller to reconcile " + what(c));
      }
    }
    if (failed != null) {
      return new SettleVerdict(
          "ChangeFailed",
          "the ALB Ingress Controller failed to apply "
              + what(failed)
              + ": "
              + failed.getFailure()
              + " (it retries; `kubectl describe "
              + failed.getKind().toLowerCase(java.util.Locale.ROOT)
              + " "
              + (failed.getNamespace() == null ? "" : "-n " + failed.getNamespace() + " ")
              + failed.getName()
              + "`)",
          true,
          wake);
    }
    if (timedOut != null) {
      return new SettleVerdict(
          "SettleTimeout",
          what(timedOut)
              + ": no SuccessfullyReconciled Event from the ALB Ingress Controller (nor a new "
              + ChangeTracker.HASH_LABEL
              + " label) within spec.settleTimeout ("
              + Durations.format(timeout)
              + "); is the controller running?",
          true,
          wake);
    }
    if (unlisted != null) {
      return new SettleVerdict(
          "SettleTimeout",
          what(unlisted)
              + ": "
              + fenceText(unlisted)
              + ", but no poll listed its jobs and the children of the watch's load balancers within"
              + " spec.settleTimeout ("
              + Durations.format(timeout)
              + ") since: ALB keeps throttling or failing ListAsynJobs, ListListeners or ListRules"
              + " (the ChildrenListed condition and the watch's Warning Events say which); it"
              + " ends once a poll lists them",
          true,
          wake);
    }
    return new SettleVerdict(
        "Settling",
        "waiting for "
            + String.join("; ", waits.subList(0, Math.min(3, waits.size())))
            + (waits.size() > 3 ? "; and " + (waits.size() - 3) + " more change(s)" : ""),
        false,
        wake);
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  private static String what(SettleChange c) {
    if (WATCH.equals(c.getKind())) {
      return "poll-now".equals(c.getCause())
          ? "the albjobs.io/poll-now request of " + Times.format(Times.parse(c.getChangedAt()))
          : "the watch's generation " + c.getGeneration();
    }
    return c.getKind()
        + " "
        + (c.getNamespace() == null ? "" : c.getNamespace() + "/")
        + c.getName()
        + " ("
        + c.getCause()
        + ", changed at "
        + Times.format(Times.parse(c.getChangedAt()))
        + ")";
  }

  private static String fenceText(SettleChange c) {
    return (SETTLE_PERIOD.equals(c.getFence()) ? "settle period over" : c.getFence())
        + " at "
        + Times.format(Times.parse(c.getFencedAt()))
        + ", polling after "
        + Times.format(Times.parse(c.getVisibleAt()).plusSeconds(1));
  }

  private static boolean sameObject(SettleChange a, SettleChange b) {
    return Objects.equals(a.getKind(), b.getKind())
        && Objects.equals(a.getNamespace(), b.getNamespace())
        && Objects.equals(a.getName(), b.getName());
  }
}
