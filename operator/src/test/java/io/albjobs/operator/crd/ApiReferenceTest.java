package io.albjobs.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.status.Reasons;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/api.md is exactly what {@link ApiReference} renders from crds/ and the reason list. */
class ApiReferenceTest {
  private static final Path CRDS = Path.of(System.getProperty("albjobs.crdDir", "../crds"));
  private static final Path DOC = Path.of("../docs/api.md");

  @Test
  void committedReferenceMatchesTheCrdsAndReasons() throws Exception {
    assertTrue(Files.exists(DOC), "docs/api.md is missing; run scripts/update-crds.sh");
    List<String> want = ApiReference.render(CRDS).lines().toList();
    List<String> have = Files.readString(DOC).lines().toList();
    assertEquals(
        String.join("\n", want),
        String.join("\n", have),
        "docs/api.md drifted from crds/ or status/Reasons.java; run scripts/update-crds.sh and commit docs/api.md");
  }

  @Test
  void everyLabelAndAnnotationTheOperatorUsesIsDocumented() throws Exception {
    for (String key : ApiReference.labelKeys()) {
      assertTrue(
          ApiReference.METADATA.containsKey(key),
          key
              + " (a constant in write/Labels.java) is not in the API reference; add a line for it to"
              + " ApiReference.METADATA and run scripts/update-crds.sh");
    }
  }

  @Test
  void everyFieldAndReasonIsInTheReference() throws Exception {
    String doc = ApiReference.render(CRDS);
    for (String field :
        List.of(
            "`spec.resourceIds`",
            "`spec.albConfigSelector.matchExpressions[].operator`",
            "`status.conditions[].reason`",
            "`status.lastFailedJob.errorCode`",
            "`spec.jobId`")) {
      assertTrue(doc.contains("| " + field + " |"), field + " has no row");
    }
    for (Reasons.Reason r : Reasons.ALL) {
      assertTrue(
          r.reason().startsWith("<") || doc.contains("`" + r.reason() + "`"),
          r.reason() + " is not in the reference");
    }
    assertTrue(
        doc.contains("A watch must name its targets"), "the empty-target rule is not documented");
  }
}
