package io.albjobs.operator.demo;

import io.albjobs.operator.config.OperatorConfig;

/** Placeholder until the demo lands. */
public final class Demo {
  private Demo() {}

  public static int run(OperatorConfig config) {
    return 0;
  }
}
