package io.albjobs.operator.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LabelsTest {
  /** The API server's rule for a label value (validation.IsValidLabelValue). */
  private static final String VALID = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

  private static String repeat(String s, int n) {
    return s.repeat(n);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "alb-123",
        "CreateListener",
        "365F4154-92F6-4AE4-92F8-7FF34B5C1D2E",
        "a",
        "a.b_c-d"
      })
  void validValuesAreKeptAsTheyAre(String value) {
    assertEquals(value, Labels.value(value));
  }

  @Test
  void sixtyThreeCharactersIsStillTheValueItself() {
    String value = repeat("a", 63);
    assertEquals(value, Labels.value(value));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-leading-dash",
        "trailing-dot.",
        "_under_",
        "with space",
        "job/with:odd#chars",
        "ünïcödé-名前",
        "---",
        "",
        "x"
      })
  void everyInputGivesAValidLabelValue(String value) {
    String label = Labels.value(value);
    assertTrue(label.length() <= 63 && label.matches(VALID), value + " -> " + label);
  }

  @Test
  void longNamesGetAStableShortFormThatKeepsAReadablePrefix() {
    String name = repeat("w", 250) + "-x1";
    assertEquals(253, name.length());
    String label = Labels.value(name);
    assertTrue(label.length() <= 63 && label.matches(VALID), label);
    assertTrue(label.startsWith(repeat("w", 52) + "-"), label);
    assertEquals(label, Labels.value(name), "stable");
    assertEquals(63, label.length());
    String other = repeat("w", 250) + "-x2";
    assertNotEquals(label, Labels.value(other), "names that share the prefix still differ");
  }

  @Test
  void aCutThatLandsOnPunctuationStillEndsAlphanumeric() {
    String value = repeat("a", 51) + "." + repeat("b", 40);
    String label = Labels.value(value);
    assertTrue(label.matches(VALID), label);
    assertTrue(label.startsWith(repeat("a", 51) + "-"), label);
  }

  @Test
  void invalidCharactersBecomeDashesAndTheHashKeepsValuesApart() {
    assertTrue(Labels.value("job/with:odd#chars").startsWith("job-with-odd-chars-"));
    assertNotEquals(Labels.value("a/b"), Labels.value("a:b"));
    assertEquals(10, Labels.value("---").length(), "only the hash is left");
  }

  @Test
  void theShortFormIsPinned() {
    // Users select on it: a change of the rule would break their selectors, so it is pinned
    // (the README shows the second one).
    assertEquals("a-b-" + "c14cddc033", Labels.value("a/b"));
    assertEquals(
        "w" + repeat("x", 51) + "-2b56097cf1", Labels.value("w" + repeat("x", 249) + "-z1"));
  }

  @Test
  void nullStaysNullAndTheSelectorUsesTheShortForm() {
    assertNull(Labels.value(null));
    assertEquals("albjobs.io/watch=my-watch", Labels.watchSelector("my-watch"));
    assertEquals(
        "albjobs.io/watch=" + Labels.value(repeat("n", 253)),
        Labels.watchSelector(repeat("n", 253)));
  }
}
