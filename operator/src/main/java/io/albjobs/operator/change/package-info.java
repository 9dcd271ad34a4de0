/**
 * Settling: what makes a watch wait after a change it stands for, and what ends the wait. {@link
 * io.albjobs.operator.change.ChangeTracker} observes the Ingresses, IngressClasses and AlbConfigs
 * that lead to watched load balancers and the ALB Ingress Controller's Events (read only); {@link
 * io.albjobs.operator.change.Settle} turns the changes and their fences into {@code
 * status.settling} and the watch's verdict. Pure computation apart from the tracker's informers.
 */
package io.albjobs.operator.change;
