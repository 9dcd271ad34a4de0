/**
 * The operator: {@link io.albjobs.operator.Main} parses the flags and {@link
 * io.albjobs.operator.OperatorApp} wires the pieces (JOSDK reconcilers, the ALB clients, leader
 * election, metrics and probes). One object goes through the packages in this order: {@code
 * reconciler} (when) → {@code scope} (which account) → {@code poll} (ask ALB) → {@code status}
 * (what that means) → {@code write} (what Kubernetes stores); {@code alb} is the cloud call itself.
 * docs/architecture.md follows one job along that path.
 */
package io.albjobs.operator;
