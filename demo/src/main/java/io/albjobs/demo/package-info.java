/**
 * {@code ./scripts/demo}: the real operator with the real SDK client against the ALB simulator and
 * an in-process Kubernetes API, a scripted scenario printed as it happens; exits 0 when every job
 * reached the phase the simulator gave it.
 */
package io.albjobs.demo;
