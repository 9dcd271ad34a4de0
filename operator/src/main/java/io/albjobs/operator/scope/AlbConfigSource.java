package io.albjobs.operator.scope;

import io.albjobs.operator.status.Problem;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads load balancer IDs from ACK {@code AlbConfig} objects ({@code alibabacloud.com/v1}),
 * read-only, through the generic client: the ID is {@code .status.loadBalancer.id}, or {@code
 * .spec.config.id} when an existing ALB is reused; empty means not provisioned yet.
 */
public final class AlbConfigSource {
  public static final String API_VERSION = "alibabacloud.com/v1";
  public static final String KIND = "AlbConfig";

  /**
   * Listed at the cluster-wide path, which serves both the cluster-scoped AlbConfig of current ACK
   * and the namespaced one of old versions, and needs no discovery call.
   */
  private static final ResourceDefinitionContext CONTEXT =
      new ResourceDefinitionContext.Builder()
          .withGroup("alibabacloud.com")
          .withVersion("v1")
          .withKind(KIND)
          .withPlural("albconfigs")
          .withNamespaced(false)
          .build();

  private final KubernetesClient client;

  public AlbConfigSource(KubernetesClient client) {
    this.client = client;
  }

  public List<String> loadBalancerIds(LabelSelector selector) throws Problem {
    List<GenericKubernetesResource> items;
    try {
      items =
          client.genericKubernetesResources(CONTEXT).withLabelSelector(selector).list().getItems();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        throw new Problem(
            "AlbConfigForbidden",
            "the operator may not list albconfigs.alibabacloud.com; grant it list on albconfigs");
      }
      throw new Problem(
          "AlbConfigUnavailable",
          "could not list AlbConfig objects (alibabacloud.com/v1): is the ALB ingress controller's"
              + " CRD installed? (HTTP "
              + e.getCode()
              + ")");
    }
    List<String> ids = new ArrayList<>();
    for (GenericKubernetesResource item : items) {
      String id = nested(item.getAdditionalProperties(), "status", "loadBalancer", "id");
      if (id == null || id.isBlank()) {
        id = nested(item.getAdditionalProperties(), "spec", "config", "id");
      }
      if (id != null && !id.isBlank()) {
        ids.add(id.trim());
      }
    }
    return ids;
  }

  @SuppressWarnings("unchecked")
  public static String nested(Map<String, Object> root, String... path) {
    Object node = root;
    for (String key : path) {
      if (!(node instanceof Map)) {
        return null;
      }
      node = ((Map<String, Object>) node).get(key);
    }
    return node instanceof String s ? s : null;
  }
}
