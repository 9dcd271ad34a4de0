package io.albjobs.it.kube;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real kubectl binary, as a user runs it. */
public final class Kubectl {
  /** What a kubectl run printed and how it ended. */
  public record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  private final Path binary;
  private final Path kubeconfig;

  Kubectl(Path binary, Path kubeconfig) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
  }

  public Result run(String... args) {
    return run(null, Duration.ofSeconds(60), args);
  }

  /** Runs kubectl with {@code stdin} (e.g. a manifest for {@code apply -f -}). */
  public Result run(String stdin, Duration timeout, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      var out = p.getInputStream();
      var err = p.getErrorStream();
      var outText = new java.util.concurrent.CompletableFuture<String>();
      var errText = new java.util.concurrent.CompletableFuture<String>();
      new Thread(() -> outText.complete(read(out))).start();
      new Thread(() -> errText.complete(read(err))).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(
            "kubectl " + String.join(" ", args) + " did not end within " + timeout);
      }
      return new Result(p.exitValue(), outText.get(), errText.get());
    } catch (IOException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
