/**
 * Step 1, which account: an object's account scope (region, endpoint, credentials from a Secret or
 * the operator's own chain, as far as the {@code TenancyPolicy} allows), and the ALB clients with
 * their lifetime ({@code ScopedClients}: one client per scope, one rate budget and throttling
 * backoff per caller, closed on rotation and when idle). {@code AlbConfigSource} reads load
 * balancer IDs from ACK AlbConfig objects.
 */
package io.albjobs.operator.scope;
