package io.albjobs.it.settle;

import io.albjobs.it.kube.AlbConfigCrd;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects of ACK's ALB Ingress Controller as a cluster has them
 * (shared/docs/ack-alb-ingress.md): the {@code AlbConfig} CRD the controller installs
 * (cluster-scoped, any fields, status subresource), {@code AlbConfig} objects, {@code
 * IngressClass}es pointing at them and built-in {@code Ingress}es.
 */
public final class AckObjects {
  public static final String GROUP = "alibabacloud.com";
  public static final String API_VERSION = GROUP + "/v1";
  public static final String KIND = "AlbConfig";
  public static final String CONTROLLER = "ingress.k8s.alibabacloud/alb";
  public static final String ALBCONFIG_ANNOTATION = "alb.ingress.kubernetes.io/albconfig.name";
  public static final String HASH_LABEL = "alb.ingress.kubernetes.io/hash";

  /** The finalizer the controller keeps on the Ingresses it manages. */
  public static final String FINALIZER = "ingress.k8s.alibabacloud/resources";

  public static final ResourceDefinitionContext ALBCONFIGS = AlbConfigCrd.CONTEXT;

  private AckObjects() {}

  /** Installs the AlbConfig CRD ({@link AlbConfigCrd}) and waits until it is served. */
  public static void installCrd(KubernetesClient client) {
    AlbConfigCrd.install(client);
  }

  /** Removes the CRD again (suites sharing the control plane test a cluster without it). */
  public static void removeCrd(KubernetesClient client) {
    AlbConfigCrd.remove(client);
  }

  /** An AlbConfig of a load balancer with one HTTP listener on port 80. */
  public static GenericKubernetesResource albConfig(String name, Map<String, String> labels) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(API_VERSION);
    r.setKind(KIND);
    r.setMetadata(new ObjectMetaBuilder().withName(name).withLabels(labels).build());
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("name", name);
    config.put("addressType", "Internet");
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("config", config);
    List<Object> listeners = new ArrayList<>();
    listeners.add(new LinkedHashMap<>(Map.of("port", 80, "protocol", "HTTP")));
    spec.put("listeners", listeners);
    r.setAdditionalProperty("spec", spec);
    return r;
  }

  public static IngressClass ingressClass(
      String name, String albConfig, Map<String, String> labels) {
    return new IngressClassBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withController(CONTROLLER)
        .withNewParameters()
        .withApiGroup(GROUP)
        .withKind(KIND)
        .withName(albConfig)
        .endParameters()
        .endSpec()
        .build();
  }

  /** An Ingress of class {@code className} routing {@code path} to service {@code web:80}. */
  public static Ingress ingress(
      String namespace,
      String name,
      String className,
      Map<String, String> annotations,
      String path) {
    return new IngressBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withAnnotations(annotations)
        .withFinalizers(FINALIZER)
        .endMetadata()
        .withNewSpec()
        .withIngressClassName(className)
        .addNewRule()
        .withHost(host(name))
        .withNewHttp()
        .addNewPath()
        .withPath(path)
        .withPathType("Prefix")
        .withNewBackend()
        .withNewService()
        .withName("web")
        .withNewPort()
        .withNumber(80)
        .endPort()
        .endService()
        .endBackend()
        .endPath()
        .endHttp()
        .endRule()
        .endSpec()
        .build();
  }

  /** {@code <name>.example.com}, or a short host when the name is no DNS label (63 characters). */
  static String host(String name) {
    return (name.length() <= 50 && !name.contains(".") ? name : "long") + ".example.com";
  }

  @SuppressWarnings("unchecked")
  static Object nested(Object root, String... path) {
    Object node = root;
    for (String key : path) {
      if (!(node instanceof Map)) {
        return null;
      }
      node = ((Map<String, Object>) node).get(key);
    }
    return node;
  }

  /** {@code status.loadBalancer.id} of an AlbConfig, else {@code spec.config.id}, else null. */
  static String loadBalancerId(GenericKubernetesResource albConfig) {
    Object id = nested(albConfig.getAdditionalProperties(), "status", "loadBalancer", "id");
    if (id == null) {
      id = nested(albConfig.getAdditionalProperties(), "spec", "config", "id");
    }
    return id == null ? null : id.toString();
  }
}
