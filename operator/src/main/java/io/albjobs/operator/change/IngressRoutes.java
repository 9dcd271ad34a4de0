package io.albjobs.operator.change;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassParametersReference;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Which AlbConfig an Ingress leads to, as ACK's ALB Ingress Controller decides it: the annotation
 * {@code alb.ingress.kubernetes.io/albconfig.name}, else the parameters of its IngressClass ({@code
 * spec.ingressClassName}, the legacy {@code kubernetes.io/ingress.class} annotation, else the
 * default IngressClass) when that class is the controller's.
 */
public final class IngressRoutes {
  public static final String CONTROLLER = "ingress.k8s.alibabacloud/alb";
  public static final String ALBCONFIG_ANNOTATION = "alb.ingress.kubernetes.io/albconfig.name";
  static final String LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
  static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

  private IngressRoutes() {}

  /** The AlbConfig's name, or empty when the Ingress is not the ALB Ingress Controller's. */
  public static Optional<String> albConfigOf(Ingress ingress, Collection<IngressClass> classes) {
    Map<String, String> annotations = ingress.getMetadata().getAnnotations();
    String className = ingress.getSpec() == null ? null : ingress.getSpec().getIngressClassName();
    if (className == null && annotations != null) {
      className = annotations.get(LEGACY_CLASS_ANNOTATION);
    }
    IngressClass found = null;
    for (IngressClass c : classes) {
      boolean named = className != null && className.equals(c.getMetadata().getName());
      boolean isDefault =
          className == null
              && c.getMetadata().getAnnotations() != null
              && "true".equals(c.getMetadata().getAnnotations().get(DEFAULT_CLASS_ANNOTATION));
      if (named || isDefault) {
        found = c;
        break;
      }
    }
    if (found == null
        || found.getSpec() == null
        || !CONTROLLER.equals(found.getSpec().getController())) {
      return Optional.empty();
    }
    String override = annotations == null ? null : annotations.get(ALBCONFIG_ANNOTATION);
    if (override != null && !override.isBlank()) {
      return Optional.of(override.trim());
    }
    IngressClassParametersReference p = found.getSpec().getParameters();
    if (p == null || !"AlbConfig".equals(p.getKind()) || p.getName() == null) {
      return Optional.empty();
    }
    return Optional.of(p.getName());
  }
}
