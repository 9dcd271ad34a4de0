package io.albjobs.operator.reconciler;

import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.status.Problem;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an error that escaped a reconcile into what a person sees on the object: Ready False with
 * one of a few reasons, Stalled True when it will not go away without a change (or JOSDK gave up
 * retrying), else Reconciling True while JOSDK retries; {@link Transitions#problem} announces each
 * new one.
 *
 * <ul>
 *   <li>{@code Forbidden}: the API server refused the operator (HTTP 403): fix its RBAC.
 *   <li>{@code KubernetesWriteRefused}: the API server refused a request (other 4xx, e.g. 422 from
 *       validation or an admission policy, 409 after retries).
 *   <li>{@code KubernetesUnavailable}: the API server did not answer, or with a 5xx: retried.
 *   <li>{@code ReconcileFailed}: anything else (a defect): retried, the message names it.
 * </ul>
 */
final class ReconcileErrors {
  private static final int MAX_MESSAGE = 1000;

  private ReconcileErrors() {}

  static Problem classify(Exception e, Context<?> context) {
    boolean lastAttempt = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(false);
    String retry =
        lastAttempt
            ? "; retries are exhausted, the next change of the object retries"
            : "; retrying";
    KubernetesClientException k8s = find(e);
    if (k8s != null && k8s.getCode() == 403) {
      return new Problem(
          "Forbidden",
          cap(
              "the API server refused the operator: "
                  + detail(k8s)
                  + "; grant it in the operator's RBAC (the chart's ClusterRole or Role)"),
          true);
    }
    if (k8s != null && k8s.getCode() >= 400 && k8s.getCode() < 500) {
      boolean fixable = k8s.getCode() == 400 || k8s.getCode() == 422;
      return new Problem(
          "KubernetesWriteRefused",
          cap(
              "the API server refused a write (HTTP "
                  + k8s.getCode()
                  + "): "
                  + detail(k8s)
                  + (fixable ? "; check admission policies and quotas for this namespace" : retry)),
          fixable || lastAttempt);
    }
    if (k8s != null) {
      return new Problem(
          "KubernetesUnavailable",
          cap(
              "the API server did not accept a request"
                  + (k8s.getCode() > 0 ? " (HTTP " + k8s.getCode() + ")" : "")
                  + ": "
                  + detail(k8s)
                  + retry),
          lastAttempt);
    }
    return new Problem(
        "ReconcileFailed",
        cap(
            "reconcile failed with "
                + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage())
                + retry
                + "; this is a defect of the operator, please report it with the operator's log"),
        lastAttempt);
  }

  /**
   * The conditions after {@code problem}: Ready, Reconciling and Stalled say it; the others (a
   * job's Complete, Failed, Finished) keep what they said.
   */
  static List<Condition> conditions(
      List<Condition> previous, Problem problem, Long generation, Instant now) {
    Conditions c =
        Conditions.after(previous, generation, now)
            .set(Conditions.READY, false, problem.reason(), problem.message())
            .set(
                Conditions.RECONCILING,
                !problem.stalled(),
                problem.reason(),
                problem.stalled() ? "" : problem.message())
            .set(
                Conditions.STALLED,
                problem.stalled(),
                problem.reason(),
                problem.stalled() ? problem.message() : "");
    List<Condition> next = new ArrayList<>(c.build());
    if (previous != null) {
      for (Condition old : previous) {
        if (Conditions.find(next, old.getType()).isEmpty()) {
          next.add(old);
        }
      }
    }
    return next;
  }

  /** The reasons this class writes; an object showing one is waiting for its retry. */
  static final java.util.Set<String> REASONS =
      java.util.Set.of(
          "Forbidden", "KubernetesWriteRefused", "KubernetesUnavailable", "ReconcileFailed");

  /**
   * How long an object that shows one of these problems waits before the next attempt: until {@code
   * holdOff} after the problem was shown. Without it, an attempt that fails after a status write
   * (the write itself is an event for the object) would retry at once, in a loop.
   */
  static java.util.Optional<java.time.Duration> waitBeforeRetry(
      List<Condition> shown, Instant now, java.time.Duration holdOff) {
    return Conditions.find(shown, Conditions.READY)
        .filter(c -> "False".equals(c.getStatus()) && REASONS.contains(c.getReason()))
        .map(c -> io.albjobs.operator.status.Times.parse(c.getLastTransitionTime()))
        .map(since -> java.time.Duration.between(now, since.plus(holdOff)))
        .filter(left -> left.compareTo(java.time.Duration.ZERO) > 0);
  }

  /** Whether the object does not show this problem yet (so it is written and announced). */
  static boolean isNew(List<Condition> shown, Problem problem) {
    return Conditions.find(shown, Conditions.READY)
        .map(
            c ->
                !"False".equals(c.getStatus())
                    || !problem.reason().equals(c.getReason())
                    || !problem.message().equals(c.getMessage()))
        .orElse(true);
  }

  private static String detail(KubernetesClientException k8s) {
    return k8s.getStatus() != null && k8s.getStatus().getMessage() != null
        ? k8s.getStatus().getMessage()
        : String.valueOf(k8s.getMessage());
  }

  private static String cap(String message) {
    return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
  }

  private static KubernetesClientException find(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k) {
        return k;
      }
    }
    return null;
  }
}
