package io.albjobs.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.config.OperatorConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PhaseLabelTest {
  @Test
  void autoWritesTheLabelOnlyWhereStatusPhaseCannotBeSelectedByField() {
    assertFalse(OperatorApp.selectsStatusFields("1", "30"), "selectableFields is alpha in 1.30");
    assertTrue(OperatorApp.selectsStatusFields("1", "31"), "beta, on by default");
    assertTrue(OperatorApp.selectsStatusFields("1", "35+"), "a provider's minor with a +");
    assertFalse(OperatorApp.selectsStatusFields("1", "25"));
    assertFalse(OperatorApp.selectsStatusFields("", "x"), "unreadable counts as too old");
  }

  @Test
  void theFlagTakesTrueFalseOrAuto() {
    assertNull(config("auto").phaseLabel());
    assertEquals(Boolean.TRUE, config("TRUE").phaseLabel());
    assertEquals(Boolean.FALSE, config("false").phaseLabel());
    assertThrows(IllegalArgumentException.class, () -> config("yes").phaseLabel());
    assertNull(OperatorConfig.from(List.of(), Map.of()).phaseLabel(), "auto by default");
  }

  private static OperatorConfig config(String value) {
    return OperatorConfig.from(List.of(), Map.of("PHASE_LABEL", value));
  }
}
