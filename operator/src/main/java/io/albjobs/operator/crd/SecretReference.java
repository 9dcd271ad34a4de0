package io.albjobs.operator.crd;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A Secret in the same namespace as the referring object, with keys {@code accessKeyId},
 * {@code accessKeySecret} and optionally {@code securityToken}. There is deliberately no
 * namespace field: credentials never cross namespaces.
 */
public class SecretReference {
  @Required
  @Size(min = 1, max = 253)
  @Pattern(Validation.DNS1123_SUBDOMAIN)
  private String name;

  public SecretReference() {}

  public SecretReference(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
