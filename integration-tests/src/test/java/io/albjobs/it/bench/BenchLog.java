package io.albjobs.it.bench;

/** The harness's progress log (one line, printf-style), shared by the phases. */
@FunctionalInterface
interface BenchLog {
  void log(String format, Object... args);
}
