package io.albjobs.operator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesTheUnitsUsedInSpecsAndFlags() {
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
    assertEquals(Duration.ofSeconds(90), Durations.parse("1m30s"));
    assertEquals(Duration.ofHours(2), Durations.parse("2h"));
  }

  @Test
  void refusesWhatIsNotADuration() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("30"));
    assertEquals("'30' is not a duration such as 500ms, 5s, 1m30s or 2h", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("-5s"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("1d"));
  }

  @Test
  void formatsShort() {
    assertEquals("1m30s", Durations.format(Duration.ofSeconds(90)));
    assertEquals("10m", Durations.format(Duration.ofMinutes(10)));
    assertEquals("250ms", Durations.format(Duration.ofMillis(250)));
  }
}
