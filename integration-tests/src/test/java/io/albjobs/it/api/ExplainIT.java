package io.albjobs.it.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.kube.Kubectl;
import io.albjobs.it.kube.SharedControlPlane;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code kubectl explain} against the real API server (which serves the CRDs' OpenAPI): the kinds
 * and every field, at any depth, print their description, never {@code <no description>}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExplainIT {
  private static final Path CRDS = Path.of(System.getProperty("albjobs.crdDir", "../crds"));
  private static Kubectl kubectl;

  @BeforeAll
  static void setUp() {
    kubectl = SharedControlPlane.get().kubectl();
  }

  private static String explain(String path) {
    Kubectl.Result r = kubectl.run(null, Duration.ofSeconds(30), "explain", path);
    assertTrue(r.ok(), "kubectl explain " + path + ":\n" + r);
    return r.stdout();
  }

  @Test
  void specAndANestedFieldReadWell() {
    String spec = explain("asyncjobwatch.spec");
    assertTrue(spec.contains("What to watch and how often"), spec);
    assertTrue(spec.contains("IDs of the ALB resources of spec.resourceType to watch"), spec);
    assertFalse(spec.contains("<no description>"), spec);
    String nested = explain("asyncjobwatch.spec.credentialsSecretRef.name");
    assertTrue(nested.contains("credentials never cross namespaces"), nested);
    String kind = explain("ajob");
    assertTrue(kind.contains("One Alibaba Cloud ALB asynchronous job"), kind);
    String reason = explain("asyncjob.status.conditions.reason");
    assertTrue(reason.contains("CamelCase word"), reason);
  }

  @Test
  void everyFieldOfBothKindsHasADescription() throws Exception {
    List<String> missing = new ArrayList<>();
    int explained = 0;
    for (String file :
        List.of("asyncjobwatches.albjobs.io-v1.yaml", "asyncjobs.albjobs.io-v1.yaml")) {
      CustomResourceDefinition crd =
          Serialization.unmarshal(
              Files.readString(CRDS.resolve(file)), CustomResourceDefinition.class);
      String kind = crd.getSpec().getNames().getSingular();
      List<String> paths = new ArrayList<>(List.of(kind));
      fields(crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema(), kind, paths);
      for (String path : paths) {
        String out = explain(path);
        explained++;
        if (out.contains("<no description>") || out.contains("<empty>")) {
          missing.add(path);
        }
      }
    }
    assertEquals(List.of(), missing, "kubectl explain shows no description for these");
    assertTrue(explained > 60, "only " + explained + " fields explained");
  }

  private static void fields(JSONSchemaProps s, String path, List<String> out) {
    JSONSchemaProps props = s;
    if (s.getItems() != null && s.getItems().getSchema() != null) {
      props = s.getItems().getSchema();
    }
    if (props.getProperties() == null) {
      return;
    }
    props
        .getProperties()
        .forEach(
            (name, child) -> {
              out.add(path + "." + name);
              fields(child, path + "." + name, out);
            });
  }
}
