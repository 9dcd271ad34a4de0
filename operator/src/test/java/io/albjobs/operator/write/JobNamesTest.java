package io.albjobs.operator.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobNamesTest {
  private static final String DNS1123 =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  @Test
  void albStyleIdsAreLowerCased() {
    assertEquals(
        "365f4154-92f6-4ae4-92f8-7ff34b5c1d2e",
        JobNames.forJobId("365F4154-92F6-4AE4-92F8-7FF34B5C1D2E"));
  }

  @Test
  void idsThatLowerCasingWouldConfuseGetAHash() {
    String upper = JobNames.forJobId("ABC-1");
    String lower = JobNames.forJobId("abc-1");
    String mixed = JobNames.forJobId("Abc-1");
    assertEquals("abc-1", upper);
    assertNotEquals(upper, lower);
    assertNotEquals(lower, mixed);
    assertTrue(lower.startsWith("abc-1-"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"365F4154_92F6*4AE4", "--", "A B C", "job/with/slashes", "ÄÖÜ-1", "..."})
  void oddIdsStillGiveValidStableNames(String id) {
    String name = JobNames.forJobId(id);
    assertTrue(name.matches(DNS1123), name);
    assertTrue(name.length() <= 253);
    assertEquals(name, JobNames.forJobId(id), "deterministic");
  }

  @Test
  void veryLongIdsAreCutToTheNameLimit() {
    String name = JobNames.forJobId("X".repeat(400));
    assertTrue(name.length() <= 253 && name.matches(DNS1123), name);
    assertNotEquals(name, JobNames.forJobId("X".repeat(401)), "the hash keeps cut names apart");
  }

  @Test
  void anEmptyIdIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> JobNames.forJobId(""));
  }
}
