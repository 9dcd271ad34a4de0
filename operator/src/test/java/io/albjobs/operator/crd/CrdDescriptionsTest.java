package io.albjobs.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kubectl explain} reads the descriptions in the CRD schema: every field of both kinds, at
 * any depth, and the kinds themselves must have one. Walks the committed crds/ (which {@link
 * CrdDriftTest} ties to the Java types).
 */
class CrdDescriptionsTest {
  private static final Path COMMITTED = Path.of(System.getProperty("albjobs.crdDir", "../crds"));

  @ParameterizedTest
  @ValueSource(strings = {"asyncjobs.albjobs.io-v1.yaml", "asyncjobwatches.albjobs.io-v1.yaml"})
  void everyFieldHasADescription(String name) throws IOException {
    JSONSchemaProps root = schema(name);
    List<String> missing = new ArrayList<>();
    walk(root, "<kind>", missing);
    assertEquals(
        List.of(),
        missing,
        name
            + ": fields without a description; add @JsonPropertyDescription to the Java field (or, for a"
            + " type we do not own, an entry in CrdGenerator.Describe.FOREIGN) and run scripts/update-crds.sh");
  }

  @ParameterizedTest
  @ValueSource(strings = {"asyncjobs.albjobs.io-v1.yaml", "asyncjobwatches.albjobs.io-v1.yaml"})
  void descriptionsAreSentencesNotPlaceholders(String name) throws IOException {
    List<String> bad = new ArrayList<>();
    collect(schema(name), "<kind>", bad);
    assertEquals(
        List.of(), bad, "descriptions must be at least a few words ending with a full stop");
  }

  private static JSONSchemaProps schema(String name) throws IOException {
    CustomResourceDefinition crd =
        Serialization.unmarshal(
            Files.readString(COMMITTED.resolve(name)), CustomResourceDefinition.class);
    JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    assertTrue(
        root.getProperties().containsKey("spec") && root.getProperties().containsKey("status"));
    return root;
  }

  private static void walk(JSONSchemaProps s, String path, List<String> missing) {
    if (s.getDescription() == null || s.getDescription().isBlank()) {
      missing.add(path);
    }
    if (s.getProperties() != null) {
      s.getProperties().forEach((k, v) -> walk(v, path + "." + k, missing));
    }
    if (s.getItems() != null
        && s.getItems().getSchema() != null
        && s.getItems().getSchema().getProperties() != null) {
      s.getItems()
          .getSchema()
          .getProperties()
          .forEach((k, v) -> walk(v, path + "[]." + k, missing));
    }
  }

  private static void collect(JSONSchemaProps s, String path, List<String> bad) {
    String d = s.getDescription();
    if (d != null && (d.split(" ").length < 3 || !d.endsWith("."))) {
      bad.add(path + ": " + d);
    }
    if (s.getProperties() != null) {
      s.getProperties().forEach((k, v) -> collect(v, path + "." + k, bad));
    }
    if (s.getItems() != null && s.getItems().getSchema() != null) {
      collect(s.getItems().getSchema(), path + "[]", bad);
    }
  }
}
