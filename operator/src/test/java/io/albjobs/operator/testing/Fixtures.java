package io.albjobs.operator.testing;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobSpec;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.AsyncJobWatchSpec;
import io.albjobs.operator.crd.ResourceType;
import io.albjobs.operator.crd.SecretReference;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;
import java.util.Map;

/** Builders for the objects tests create. */
public final class Fixtures {
  private Fixtures() {}

  public static Secret credentials(String namespace, String name, String keyId, String keySecret) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withStringData(Map.of("accessKeyId", keyId, "accessKeySecret", keySecret))
        .build();
  }

  public static AsyncJobWatch watch(
      String namespace, String name, String endpoint, String secret, List<String> loadBalancers) {
    AsyncJobWatch watch = new AsyncJobWatch();
    watch.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    AsyncJobWatchSpec spec = new AsyncJobWatchSpec();
    spec.setRegionId("cn-hangzhou");
    spec.setEndpoint(endpoint);
    spec.setCredentialsSecretRef(secret == null ? null : new SecretReference(secret));
    spec.setResourceType(ResourceType.LOADBALANCER);
    spec.setResourceIds(loadBalancers);
    watch.setSpec(spec);
    return watch;
  }

  public static AsyncJob userJob(
      String namespace, String name, String jobId, String endpoint, String secret) {
    AsyncJob job = new AsyncJob();
    job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    AsyncJobSpec spec = new AsyncJobSpec(jobId, "cn-hangzhou");
    spec.setEndpoint(endpoint);
    spec.setCredentialsSecretRef(secret == null ? null : new SecretReference(secret));
    job.setSpec(spec);
    return job;
  }
}
