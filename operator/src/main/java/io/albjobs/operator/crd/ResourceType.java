package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The ALB resource types that {@code ListAsynJobs} filters on, spelled as on the wire. */
public enum ResourceType {
  @JsonProperty("loadbalancer")
  LOADBALANCER("loadbalancer"),
  @JsonProperty("listener")
  LISTENER("listener"),
  @JsonProperty("rule")
  RULE("rule"),
  @JsonProperty("acl")
  ACL("acl"),
  @JsonProperty("securitypolicy")
  SECURITYPOLICY("securitypolicy"),
  @JsonProperty("servergroup")
  SERVERGROUP("servergroup");

  private final String wire;

  ResourceType(String wire) {
    this.wire = wire;
  }

  /** The value ALB uses in requests and responses. */
  public String wire() {
    return wire;
  }
}
