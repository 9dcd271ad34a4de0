package io.albjobs.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.config.OperatorConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's first command: the demo runs to the end and exits 0 with what it promises shown. */
class DemoTest {
  @Test
  void theDemoShowsJobsSucceedingAndOneFailingAndExitsZero() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    List<String> flags = new java.util.ArrayList<>(List.of("--http-port=0"));
    flags.addAll(io.albjobs.simulator.AlbSimulator.OPERATOR_FLAGS);
    OperatorConfig config = OperatorConfig.from(flags, Map.of());
    int code = new Demo(new PrintStream(buffer, true, StandardCharsets.UTF_8)).play(config);
    String out = buffer.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, out);
    assertTrue(out.contains("AsyncJobs: 11 (10 Succeeded, 1 Failed, 0 in flight)"), out);
    assertTrue(out.contains("QuotaExceeded.Listener"), out);
    assertTrue(
        out.contains("False (InvalidCredentials)"), "the wrong-key watch is stalled: " + out);
    assertTrue(out.contains("refused with SignatureDoesNotMatch"), out);
    assertTrue(
        !out.contains("demo-secret") && !out.contains("not-the-secret"), "no secret is printed");
  }
}
