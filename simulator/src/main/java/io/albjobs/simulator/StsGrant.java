package io.albjobs.simulator;

import java.time.Instant;

/**
 * Temporary keys the simulated STS handed out: when, the key id, when they expire, and a short
 * one-way digest of the OIDC token they were exchanged for (never the token, secret or security
 * token itself).
 */
public record StsGrant(Instant at, String accessKeyId, Instant expiration, String tokenDigest) {

  /** The digest {@link #tokenDigest()} holds for {@code token}. */
  public static String digestOf(String token) {
    return StsHandler.digest(token.trim());
  }
}
