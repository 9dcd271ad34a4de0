package io.albjobs.operator.change;

import java.time.Duration;

/**
 * Operator-wide settings of settling; a watch's spec overrides the period and the timeout.
 *
 * @param period how long a watch waits for jobs after its own spec or poll-now changed (zero: no
 *     wait)
 * @param timeout the longest wait for the ALB Ingress Controller to reconcile a change
 * @param margin after the controller reconciled, how long ALB may take to list the jobs
 * @param trackIngressChanges whether Ingress and AlbConfig changes make load-balancer watches wait
 */
public record SettleDefaults(
    Duration period, Duration timeout, Duration margin, boolean trackIngressChanges) {
  /** What tests and tools use when they do not say: 15s, 10m, 5s, tracking on. */
  public static final SettleDefaults STANDARD =
      new SettleDefaults(
          Duration.ofSeconds(15), Duration.ofMinutes(10), Duration.ofSeconds(5), true);
}
