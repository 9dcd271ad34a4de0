/**
 * The ALB simulator: {@code ListAsynJobs} on ALB's RPC wire protocol (signature v1 checked, nonces
 * and timestamps enforced, paging and filters as the API reference states), STS {@code
 * AssumeRoleWithOIDC} for RRSA, per-account jobs that progress on a clock, and faults on demand
 * (throttling, 5xx, slow or malformed answers). It imports nothing of the operator: the tests, the
 * benchmark and the demo talk to it only over HTTP, as the operator talks to ALB.
 */
package io.albjobs.simulator;
