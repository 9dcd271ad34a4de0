package io.albjobs.it.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The operator jar as its own process, as it runs in production: its own JVM, a kubeconfig. */
final class OperatorProcess implements AutoCloseable {
  final Process process;
  final int httpPort;
  final long startedMillis;

  OperatorProcess(Path jar, Path kubeconfig, Path log, String xmx, List<String> flags)
      throws IOException {
    this(jar, kubeconfig, log, xmx, flags, Map.of());
  }

  /** {@code env}: more environment variables, e.g. {@code POD_NAME} (the Lease identity). */
  OperatorProcess(
      Path jar, Path kubeconfig, Path log, String xmx, List<String> flags, Map<String, String> env)
      throws IOException {
    httpPort = freePort();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + xmx,
                "-XX:+ExitOnOutOfMemoryError",
                "-jar",
                jar.toString(),
                "--http-port=" + httpPort));
    cmd.addAll(flags);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().putAll(env);
    startedMillis = System.currentTimeMillis();
    process = pb.start();
  }

  long pid() {
    return process.pid();
  }

  /** Waits for {@code /readyz} to answer 200; returns the wall-clock time it did. */
  long awaitReady(Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the operator exited with " + process.exitValue() + "; see its log");
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/readyz"))
                    .timeout(Duration.ofSeconds(1))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return System.currentTimeMillis();
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the operator was not ready after " + timeout);
  }

  void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "the operator exited with " + process.exitValue() + "; see its log");
    }
  }

  /**
   * SIGTERM, as Kubernetes stops a pod; waits up to {@code grace} for the exit (then SIGKILL).
   * Returns the exit code, or -1 when it had to be killed.
   */
  int terminate(Duration grace) throws InterruptedException {
    process.destroy();
    if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    return -1;
  }

  /** SIGKILL ({@link Process#destroyForcibly()} on Linux), as a node that dies; waits for it. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
