package io.albjobs.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds condition lists the Kubernetes way: one entry per type, {@code lastTransitionTime} kept
 * while the status stays the same, {@code observedGeneration} on each.
 */
public final class Conditions {
  public static final String COMPLETE = "Complete";
  public static final String FAILED = "Failed";
  public static final String FINISHED = "Finished";
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  /** A load-balancer watch's listing of its load balancers' children (apart from Ready/Stalled). */
  public static final String CHILDREN_LISTED = "ChildrenListed";

  /** Whether Ingress and AlbConfig changes make a load-balancer watch wait (not part of Ready). */
  public static final String CHANGES_TRACKED = "ChangesTracked";

  private final List<Condition> previous;
  private final List<Condition> next = new ArrayList<>();
  private final Long generation;
  private final Instant now;

  private Conditions(List<Condition> previous, Long generation, Instant now) {
    this.previous = previous == null ? List.of() : previous;
    this.generation = generation;
    this.now = now;
  }

  public static Conditions after(List<Condition> previous, Long generation, Instant now) {
    return new Conditions(previous, generation, now);
  }

  public Conditions set(String type, boolean status, String reason, String message) {
    String value = status ? "True" : "False";
    String since =
        find(previous, type)
            .filter(c -> value.equals(c.getStatus()) && c.getLastTransitionTime() != null)
            .map(Condition::getLastTransitionTime)
            .orElse(Times.format(now));
    Condition c = new Condition();
    c.setType(type);
    c.setStatus(value);
    c.setReason(reason);
    c.setMessage(message == null ? "" : message);
    c.setObservedGeneration(generation);
    c.setLastTransitionTime(since);
    next.add(c);
    return this;
  }

  public List<Condition> build() {
    return List.copyOf(next);
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
