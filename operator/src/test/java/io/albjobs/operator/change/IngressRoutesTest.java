package io.albjobs.operator.change;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IngressRoutesTest {
  private static IngressClass cls(String name, String controller, String albConfig, boolean dflt) {
    return new IngressClassBuilder()
        .withNewMetadata()
        .withName(name)
        .withAnnotations(
            dflt ? Map.of("ingressclass.kubernetes.io/is-default-class", "true") : Map.of())
        .endMetadata()
        .withNewSpec()
        .withController(controller)
        .withNewParameters()
        .withApiGroup("alibabacloud.com")
        .withKind("AlbConfig")
        .withName(albConfig)
        .endParameters()
        .endSpec()
        .build();
  }

  private static Ingress ing(String className, Map<String, String> annotations) {
    return new IngressBuilder()
        .withNewMetadata()
        .withName("web")
        .withNamespace("a")
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withIngressClassName(className)
        .endSpec()
        .build();
  }

  private static final List<IngressClass> CLASSES =
      List.of(
          cls("alb", IngressRoutes.CONTROLLER, "alb-main", false),
          cls("alb-default", IngressRoutes.CONTROLLER, "alb-dflt", true),
          cls("nginx", "k8s.io/ingress-nginx", "x", false));

  @Test
  void theClassParametersTheAnnotationTheLegacyAnnotationAndTheDefaultClass() {
    assertEquals(Optional.of("alb-main"), IngressRoutes.albConfigOf(ing("alb", Map.of()), CLASSES));
    assertEquals(
        Optional.of("other"),
        IngressRoutes.albConfigOf(
            ing("alb", Map.of(IngressRoutes.ALBCONFIG_ANNOTATION, "other")), CLASSES));
    assertEquals(
        Optional.of("alb-main"),
        IngressRoutes.albConfigOf(
            ing(null, Map.of("kubernetes.io/ingress.class", "alb")), CLASSES));
    assertEquals(Optional.of("alb-dflt"), IngressRoutes.albConfigOf(ing(null, Map.of()), CLASSES));
    assertEquals(Optional.empty(), IngressRoutes.albConfigOf(ing("nginx", Map.of()), CLASSES));
    assertEquals(Optional.empty(), IngressRoutes.albConfigOf(ing("missing", Map.of()), CLASSES));
    assertEquals(
        Optional.empty(),
        IngressRoutes.albConfigOf(
            ing("nginx", Map.of(IngressRoutes.ALBCONFIG_ANNOTATION, "other")), CLASSES),
        "the annotation counts only on the ALB controller's Ingresses");
  }

  @Test
  void labelSelectorsMatchAsKubernetesDoes() {
    var sel =
        new LabelSelectorBuilder()
            .withMatchLabels(Map.of("team", "a"))
            .addNewMatchExpression()
            .withKey("env")
            .withOperator("In")
            .withValues("prod", "stage")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey("skip")
            .withOperator("DoesNotExist")
            .endMatchExpression()
            .build();
    assertTrue(ChangeTracker.matches(sel, Map.of("team", "a", "env", "prod")));
    assertFalse(ChangeTracker.matches(sel, Map.of("team", "a", "env", "dev")));
    assertFalse(ChangeTracker.matches(sel, Map.of("team", "a", "env", "prod", "skip", "")));
    assertFalse(ChangeTracker.matches(sel, Map.of("env", "prod")));
    assertTrue(ChangeTracker.matches(new LabelSelectorBuilder().build(), Map.of()));
  }
}
