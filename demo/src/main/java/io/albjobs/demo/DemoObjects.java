package io.albjobs.demo;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobSpec;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.AsyncJobWatchSpec;
import io.albjobs.operator.crd.ResourceType;
import io.albjobs.operator.crd.SecretReference;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/** The objects a user would apply for the demo: what the README shows as YAML. */
public final class DemoObjects {
  private DemoObjects() {}

  public static void create(KubernetesClient client, String endpoint, String pipelineJobId) {
    String ns = Demo.NS;
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    secret(client, "alb-credentials", "demo-secret");
    // The simulator's own demo key with a wrong secret: every call fails SignatureDoesNotMatch.
    secret(client, "wrong-credentials", "not-the-secret");
    client.resource(watch("demo-lbs", endpoint, "alb-credentials")).create();
    client.resource(watch("wrong-key", endpoint, "wrong-credentials")).create();

    AsyncJob pipeline = new AsyncJob();
    pipeline.setMetadata(
        new ObjectMetaBuilder().withName("pipeline-deploy").withNamespace(ns).build());
    AsyncJobSpec spec = new AsyncJobSpec(pipelineJobId, "cn-hangzhou");
    spec.setEndpoint(endpoint);
    spec.setCredentialsSecretRef(new SecretReference("alb-credentials"));
    pipeline.setSpec(spec);
    client.resource(pipeline).create();
  }

  private static void secret(KubernetesClient client, String name, String keySecret) {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(Demo.NS)
                .endMetadata()
                .withStringData(Map.of("accessKeyId", "LTAIdemo", "accessKeySecret", keySecret))
                .build())
        .create();
  }

  private static AsyncJobWatch watch(String name, String endpoint, String secret) {
    AsyncJobWatch watch = new AsyncJobWatch();
    watch.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(Demo.NS).build());
    AsyncJobWatchSpec spec = new AsyncJobWatchSpec();
    spec.setRegionId("cn-hangzhou");
    spec.setEndpoint(endpoint);
    spec.setCredentialsSecretRef(new SecretReference(secret));
    spec.setResourceType(ResourceType.LOADBALANCER);
    spec.setResourceIds(List.of("alb-demo1web", "alb-demo2api", "alb-demo3ops"));
    spec.setPollInterval("5s");
    spec.setActivePollInterval("1s");
    watch.setSpec(spec);
    return watch;
  }
}
