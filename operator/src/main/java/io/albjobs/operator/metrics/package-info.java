/**
 * The operator's Prometheus metrics ({@code albjobs_*}): job transitions, ALB calls and throttling,
 * poll freshness, scopes and clients; series of a deleted watch are dropped with it.
 */
package io.albjobs.operator.metrics;
