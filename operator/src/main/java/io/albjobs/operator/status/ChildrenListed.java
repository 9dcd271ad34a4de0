package io.albjobs.operator.status;

import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code ChildrenListed} condition of a load-balancer watch. It is kept apart from
 * Ready/Reconciling/Stalled on purpose: those follow the watch's jobs, and a RAM policy without the
 * child List actions (an upgrade, say) must not turn every load-balancer watch Degraded in Argo CD
 * while its own jobs are fine.
 */
public final class ChildrenListed {
  /** What the condition says: listed or not, with a reason from {@link Reasons} and a message. */
  public record State(boolean listed, String reason, String message) {
    /** The poll did not get as far as the children: the condition stays as it was. */
    public static final State UNCHANGED = new State(false, null, null);

    public static State listed(String message) {
      return new State(true, "ChildrenListed", message);
    }
  }

  private ChildrenListed() {}

  /**
   * Sets the condition on {@code status} after the roll-up ({@code null} removes it: no children to
   * list), keeping its transition time from {@code before}. Returns the condition when it is a new
   * problem (a reason the previous condition did not have), for one Warning Event.
   */
  public static Condition apply(
      AsyncJobWatchStatus status,
      List<Condition> before,
      State state,
      Long generation,
      Instant now) {
    return apply(Conditions.CHILDREN_LISTED, status, before, state, generation, now);
  }

  /**
   * The same for another condition of this shape (True/False beside Ready, no effect on it), such
   * as {@link Conditions#CHANGES_TRACKED}: {@code state.reason()} is its reason also when True.
   */
  public static Condition apply(
      String type,
      AsyncJobWatchStatus status,
      List<Condition> before,
      State state,
      Long generation,
      Instant now) {
    Condition previous = Conditions.find(before, type).orElse(null);
    List<Condition> conditions =
        new ArrayList<>(status.getConditions() == null ? List.of() : status.getConditions());
    conditions.removeIf(c -> type.equals(c.getType()));
    Condition next;
    if (state == null) {
      next = null;
    } else if (state == State.UNCHANGED) {
      next = previous;
    } else if (state.listed()) {
      next =
          Conditions.after(before, generation, now)
              .set(type, true, state.reason(), state.message())
              .build()
              .get(0);
    } else {
      next =
          Conditions.after(before, generation, now)
              .set(type, false, state.reason(), state.message())
              .build()
              .get(0);
    }
    if (next != null) {
      conditions.add(next);
    }
    status.setConditions(List.copyOf(conditions));
    return newProblem(type, before, status.getConditions());
  }

  /**
   * The {@code ChildrenListed} condition of {@code after} when it is a new problem: False with a
   * reason {@code before} did not have (absent or True before). One Warning Event each.
   */
  public static Condition newProblem(List<Condition> before, List<Condition> after) {
    return newProblem(Conditions.CHILDREN_LISTED, before, after);
  }

  /** {@link #newProblem(List, List)} for a condition of type {@code type}. */
  public static Condition newProblem(String type, List<Condition> before, List<Condition> after) {
    Condition previous = Conditions.find(before, type).orElse(null);
    Condition next = Conditions.find(after, type).orElse(null);
    boolean newProblem =
        next != null
            && "False".equals(next.getStatus())
            && (previous == null
                || "True".equals(previous.getStatus())
                || !Objects.equals(previous.getReason(), next.getReason()));
    return newProblem ? next : null;
  }
}
