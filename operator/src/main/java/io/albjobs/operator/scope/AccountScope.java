package io.albjobs.operator.scope;

import io.albjobs.operator.alb.AlbCredentials;
import io.albjobs.operator.alb.AlbEndpoint;

/**
 * One ALB account as the operator sees it: region, endpoint and credentials. Every call of a scope
 * shares one rate budget; calls of different scopes never wait for each other.
 */
public record AccountScope(String regionId, AlbEndpoint endpoint, AlbCredentials credentials) {
  /** A label for logs and metrics that names no secret. */
  public String describe() {
    return regionId + " via " + endpoint + " as " + credentials;
  }

  @Override
  public String toString() {
    return describe();
  }
}
