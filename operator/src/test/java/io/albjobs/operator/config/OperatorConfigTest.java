package io.albjobs.operator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.config.OperatorConfig.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {
  @Test
  void flagsBeatEnvironmentWhichBeatsDefaults() {
    OperatorConfig c =
        OperatorConfig.from(
            List.of("--alb-qps=2"), Map.of("ALB_QPS", "7", "WATCH_NAMESPACES", "a, b"));
    assertEquals(2.0, c.albQps());
    assertEquals(Set.of("a", "b"), c.namespaces());
    assertEquals(Duration.ofSeconds(30), c.syncDefaults().pollInterval());
  }

  @Test
  void badValuesFailAtStartWithTheFlagNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OperatorConfig.from(List.of("--poll-interval=soon"), Map.of()));
    assertTrue(e.getMessage().startsWith("--poll-interval:"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> OperatorConfig.from(List.of("--no-such-flag=1"), Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> OperatorConfig.from(List.of("--log-format=xml"), Map.of()));
  }

  @Test
  void theReadmeTableNamesEverySetting() throws IOException {
    String readme = Files.readString(Path.of(System.getProperty("albjobs.readme", "../README.md")));
    for (Setting s : Setting.values()) {
      String value = s.defaultValue().isEmpty() ? "*empty*" : "`" + s.defaultValue() + "`";
      String row = "| `" + s.flag() + "` | `" + s.env() + "` | " + value + " |";
      assertTrue(readme.contains(row), "README.md configuration table lacks: " + row);
    }
  }
}
