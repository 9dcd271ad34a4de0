package io.albjobs.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The committed CRDs in crds/ must be exactly what the generator makes from the Java types. */
class CrdDriftTest {
  private static final Path COMMITTED = Path.of(System.getProperty("albjobs.crdDir", "../crds"));
  private static final Path GENERATED =
      Path.of(System.getProperty("albjobs.generatedCrdDir", "target/classes/META-INF/fabric8"));

  @ParameterizedTest
  @ValueSource(strings = {"asyncjobs.albjobs.io-v1", "asyncjobwatches.albjobs.io-v1"})
  void committedCrdMatchesGenerated(String name) throws IOException {
    Path generated = GENERATED.resolve(name + ".yml");
    Path committed = COMMITTED.resolve(name + ".yaml");
    assertTrue(Files.exists(generated), "generator output missing: " + generated);
    assertTrue(Files.exists(committed), "committed CRD missing: " + committed);
    List<String> want = Files.readAllLines(generated);
    List<String> have = Files.readAllLines(committed);
    assertEquals(
        String.join("\n", want),
        String.join("\n", have),
        committed + " drifted from the Java types; run scripts/update-crds.sh and commit crds/");
  }
}
