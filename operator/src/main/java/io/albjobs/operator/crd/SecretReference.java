package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A Secret in the same namespace as the referring object, with keys {@code accessKeyId}, {@code
 * accessKeySecret} and optionally {@code securityToken}. There is deliberately no namespace field:
 * credentials never cross namespaces.
 */
@JsonClassDescription(
    "A Secret in the same namespace with keys accessKeyId, accessKeySecret and "
        + "optionally securityToken.")
public class SecretReference {
  @JsonPropertyDescription(
      "Name of the Secret, in the namespace of the object that refers to it (there is "
          + "no namespace field on purpose: credentials never cross namespaces). Required; a "
          + "DNS-1123 subdomain of at most 253 characters. The Secret must have the keys "
          + "accessKeyId and accessKeySecret, and may have securityToken for STS keys; a "
          + "missing Secret or key makes the object Stalled (SecretNotFound, "
          + "SecretKeyMissing).")
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
