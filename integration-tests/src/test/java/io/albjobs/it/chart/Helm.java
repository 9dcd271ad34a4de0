package io.albjobs.it.chart;

import io.albjobs.it.kube.Binaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real helm binary rendering the chart from the repository. */
final class Helm {
  static final Path CHART = Path.of(System.getProperty("albjobs.repoDir", ".."), "helm", "alb-asyncjob-operator");

  private Helm() {}

  /** {@code helm template <release> <chart> -n <namespace> --set ...}; fails on a non-zero exit. */
  static String template(String release, String namespace, String... sets) {
    Binaries bin = Binaries.locate();
    if (bin.helm() == null) {
      throw new IllegalStateException("no helm: run scripts/provision-k8s.sh");
    }
    List<String> cmd = new ArrayList<>(List.of(bin.helm().toString(), "template", release, CHART.toString(), "-n", namespace));
    for (String s : sets) {
      cmd.add("--set");
      cmd.add(s);
    }
    try {
      Process p = new ProcessBuilder(cmd).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("helm template failed: " + err);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
