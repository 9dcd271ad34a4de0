package io.albjobs.operator.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;

/**
 * An in-process Kubernetes API (fabric8's CRUD mock server) with our CRDs installed: enough for the
 * demo and for reconcile tests. It has no schema validation, printer columns or server-side apply;
 * the control-plane tests use a real kube-apiserver for those.
 */
public final class EmbeddedKubernetes implements AutoCloseable {
  public static final List<String> CRD_RESOURCES =
      List.of("crds/asyncjobs.albjobs.io-v1.yaml", "crds/asyncjobwatches.albjobs.io-v1.yaml");

  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;

  // The mock server logs every request through java.util.logging; keep a reference so the
  // level sticks (JUL holds loggers weakly).
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  public EmbeddedKubernetes() {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(List.of()),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    for (String path : CRD_RESOURCES) {
      client.apiextensions().v1().customResourceDefinitions().resource(loadCrd(path)).create();
    }
  }

  public static CustomResourceDefinition loadCrd(String path) {
    try (InputStream in = EmbeddedKubernetes.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " is not on the classpath; build with mvn package");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public NamespacedKubernetesClient client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
