package io.albjobs.it.kube;

import io.albjobs.operator.testing.Await;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.Map;

/**
 * ACK's AlbConfig CRD as its ALB Ingress Controller installs it ({@code alibabacloud.com/v1},
 * cluster-scoped, any fields, status subresource), for suites that play the controller. Suites
 * share one control plane and others rely on the CRD being absent ({@code BadInputIT}): a suite
 * that installs it removes it when it ends.
 */
public final class AlbConfigCrd {
  public static final String NAME = "albconfigs.alibabacloud.com";
  public static final ResourceDefinitionContext CONTEXT =
      new ResourceDefinitionContext.Builder()
          .withGroup("alibabacloud.com")
          .withVersion("v1")
          .withKind("AlbConfig")
          .withPlural("albconfigs")
          .withNamespaced(false)
          .build();

  /**
   * The AlbConfigs of an old ACK version, which installed the CRD namespaced (the objects in {@code
   * kube-system}): {@link #installNamespaced}.
   */
  public static final ResourceDefinitionContext NAMESPACED_CONTEXT =
      new ResourceDefinitionContext.Builder()
          .withGroup("alibabacloud.com")
          .withVersion("v1")
          .withKind("AlbConfig")
          .withPlural("albconfigs")
          .withNamespaced(true)
          .build();

  private AlbConfigCrd() {}

  /** Installs the CRD and waits until AlbConfigs are served. */
  public static void install(KubernetesClient admin) {
    install(admin, "Cluster");
  }

  /**
   * Installs the CRD as old ACK versions did, namespaced, and waits until AlbConfigs are served. A
   * CRD's scope cannot change: {@link #remove} the cluster-scoped one first, and install it again
   * after.
   */
  public static void installNamespaced(KubernetesClient admin) {
    install(admin, "Namespaced");
  }

  private static void install(KubernetesClient admin, String scope) {
    CustomResourceDefinition crd =
        new CustomResourceDefinitionBuilder()
            .withNewMetadata()
            .withName(NAME)
            .endMetadata()
            .withNewSpec()
            .withGroup("alibabacloud.com")
            .withScope(scope)
            .withNewNames()
            .withKind("AlbConfig")
            .withListKind("AlbConfigList")
            .withPlural("albconfigs")
            .withSingular("albconfig")
            .endNames()
            .addNewVersion()
            .withName("v1")
            .withServed(true)
            .withStorage(true)
            .withNewSubresources()
            .withNewStatus()
            .endStatus()
            .endSubresources()
            .withNewSchema()
            .withNewOpenAPIV3Schema()
            .withType("object")
            .withXKubernetesPreserveUnknownFields(true)
            .endOpenAPIV3Schema()
            .endSchema()
            .endVersion()
            .endSpec()
            .build();
    admin.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
    Await.until(
        Duration.ofSeconds(30),
        "AlbConfigs served",
        () -> {
          try {
            admin.genericKubernetesResources(CONTEXT).list();
            return true;
          } catch (KubernetesClientException e) {
            return false;
          }
        });
  }

  /** Removes the CRD (and every AlbConfig) and waits until AlbConfigs are no longer served. */
  public static void remove(KubernetesClient admin) {
    admin.apiextensions().v1().customResourceDefinitions().withName(NAME).delete();
    Await.until(
        Duration.ofSeconds(60),
        "AlbConfigs no longer served",
        () -> {
          try {
            admin.genericKubernetesResources(CONTEXT).list();
            return false;
          } catch (KubernetesClientException e) {
            return e.getCode() == 404;
          }
        });
    Await.until(
        Duration.ofSeconds(60),
        "the AlbConfig CRD gone",
        () -> admin.apiextensions().v1().customResourceDefinitions().withName(NAME).get() == null);
  }

  /** An AlbConfig with its load balancer provisioned: status.loadBalancer.id set. */
  public static GenericKubernetesResource albConfig(
      KubernetesClient admin, String name, Map<String, String> labels, String loadBalancerId) {
    return albConfig(admin, CONTEXT, null, name, labels, loadBalancerId);
  }

  /** As {@link #albConfig}, in {@code namespace}, with the namespaced CRD installed. */
  public static GenericKubernetesResource albConfigIn(
      KubernetesClient admin,
      String namespace,
      String name,
      Map<String, String> labels,
      String loadBalancerId) {
    return albConfig(admin, NAMESPACED_CONTEXT, namespace, name, labels, loadBalancerId);
  }

  private static GenericKubernetesResource albConfig(
      KubernetesClient admin,
      ResourceDefinitionContext context,
      String namespace,
      String name,
      Map<String, String> labels,
      String loadBalancerId) {
    GenericKubernetesResource created =
        admin
            .genericKubernetesResources(context)
            .resource(
                new GenericKubernetesResourceBuilder()
                    .withApiVersion("alibabacloud.com/v1")
                    .withKind("AlbConfig")
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace)
                    .withLabels(labels)
                    .endMetadata()
                    .withAdditionalProperties(
                        Map.of(
                            "spec",
                            Map.of(
                                "config",
                                Map.of("name", name, "addressType", "Internet"),
                                "listeners",
                                java.util.List.of(Map.of("port", 80, "protocol", "HTTP")))))
                    .build())
            .create();
    created.setAdditionalProperty("status", Map.of("loadBalancer", Map.of("id", loadBalancerId)));
    return admin.genericKubernetesResources(context).resource(created).updateStatus();
  }
}
