package io.albjobs.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The committed CRDs in crds/ must be exactly what the generator makes from the Java types. */
class CrdDriftTest {
  private static final Path COMMITTED = Path.of(System.getProperty("albjobs.crdDir", "../crds"));
  @TempDir static Path generated;

  @BeforeAll
  static void generate() throws IOException {
    CrdGenerator.generate(generated);
  }

  @ParameterizedTest
  @ValueSource(strings = {"asyncjobs.albjobs.io-v1.yaml", "asyncjobwatches.albjobs.io-v1.yaml"})
  void committedCrdMatchesGenerated(String name) throws IOException {
    Path committed = COMMITTED.resolve(name);
    assertTrue(Files.exists(committed), "committed CRD missing: " + committed);
    List<String> want = Files.readAllLines(generated.resolve(name));
    List<String> have = Files.readAllLines(committed);
    assertEquals(
        String.join("\n", want),
        String.join("\n", have),
        committed + " drifted from the Java types; run scripts/update-crds.sh and commit crds/");
  }

  @ParameterizedTest
  @ValueSource(strings = {"asyncjobs.albjobs.io-v1.yaml", "asyncjobwatches.albjobs.io-v1.yaml"})
  void printerColumnsKeepTheDeclaredOrder(String name) throws IOException {
    var crd =
        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
            Files.readString(COMMITTED.resolve(name)),
            io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class);
    List<String> names =
        crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
            .map(
                io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition
                    ::getName)
            .toList();
    List<String> expected =
        name.startsWith("asyncjobs")
            ? List.of(
                "Job ID",
                "API",
                "Resource Type",
                "Resource",
                "Phase",
                "Error",
                "Age",
                "Operate",
                "Created",
                "Finished")
            : List.of(
                "Region", "Type", "Resources", "Processing", "Failed", "Last Sync", "Ready", "Age");
    assertEquals(expected, names);
  }
}
