package io.albjobs.it.chart;

import io.albjobs.it.kube.Binaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real helm binary rendering the chart from the repository. Needs only helm (no control plane);
 * a missing helm fails the test with how to get it, never skips it.
 */
final class Helm {
  static final Path CHART =
      Path.of(System.getProperty("albjobs.repoDir", ".."), "helm", "alb-asyncjob-operator");

  private Helm() {}

  /** What helm answered. */
  record Result(int exit, String stdout, String stderr) {
    boolean ok() {
      return exit == 0;
    }
  }

  /** {@code helm template <release> <chart> -n <namespace> --set ...}; fails on a non-zero exit. */
  static String template(String release, String namespace, String... sets) {
    List<String> args = new ArrayList<>();
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return template(release, namespace, args);
  }

  /** {@code helm template <release> <chart> -n <namespace> <args>}; fails on a non-zero exit. */
  static String template(String release, String namespace, List<String> args) {
    Result r = tryTemplate(release, namespace, args);
    if (!r.ok()) {
      throw new AssertionError(
          "helm template " + String.join(" ", args) + " failed: " + r.stderr());
    }
    return r.stdout();
  }

  /** {@code helm template <release> <chart> -n <namespace> <args>}, whatever the exit code. */
  static Result tryTemplate(String release, String namespace, List<String> args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Binaries.locateHelm().toString(),
                "template",
                release,
                CHART.toString(),
                "-n",
                namespace));
    cmd.addAll(args);
    try {
      Process p = new ProcessBuilder(cmd).start();
      p.getOutputStream().close();
      CompletableFuture<byte[]> err =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return p.getErrorStream().readAllBytes();
                } catch (IOException e) {
                  return new byte[0];
                }
              });
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("helm template did not finish in 60s: " + cmd);
      }
      return new Result(p.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
