package io.albjobs.it.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.testing.Await;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The playground ({@code ./scripts/demo --cluster} runs {@link Playground}) as a person uses it:
 * started as its own process, it prints the KUBECONFIG line; the real kubectl with that file sees
 * the demo's AsyncJobs and takes the examples; Ctrl-C (SIGINT) ends it and every process it started
 * (kube-apiserver, etcd).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PlaygroundIT {
  @Test
  void printsKubeconfigServesKubectlAndStopsEverythingOnCtrlC() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-Dalbjobs.crdDir="
                    + Path.of(System.getProperty("albjobs.crdDir", "../crds")).toAbsolutePath(),
                Playground.class.getName())
            .redirectErrorStream(true)
            .start();
    ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    CompletableFuture<Void> reader =
        CompletableFuture.runAsync(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  lines.add(l);
                }
              } catch (java.io.IOException e) {
                lines.add("read failed: " + e);
              }
            });
    List<ProcessHandle> children = new ArrayList<>();
    try {
      Await.until(
          Duration.ofSeconds(150),
          "the KUBECONFIG line",
          () -> kubeconfig(lines) != null || !p.isAlive());
      assertTrue(p.isAlive(), "the playground exited:\n" + String.join("\n", lines));
      String kubeconfig = kubeconfig(lines);
      String kubectl =
          lines.stream()
                  .filter(l -> l.trim().startsWith("export PATH="))
                  .findFirst()
                  .orElseThrow()
                  .trim()
                  .substring("export PATH=".length())
                  .replace(":$PATH", "")
              + "/kubectl";
      children.addAll(p.descendants().toList());
      assertTrue(children.size() >= 2, "kube-apiserver and etcd run as children: " + children);
      Await.until(
          Duration.ofSeconds(60),
          "kubectl get ajob shows the demo's jobs",
          () -> run(kubectl, kubeconfig, "get", "ajob", "-n", "demo").contains("pipeline-deploy"));
      String applied =
          run(
              kubectl,
              kubeconfig,
              "apply",
              "-f",
              Path.of("../examples").toAbsolutePath().toString());
      assertTrue(applied.contains("asyncjob.albjobs.io/deploy-42 created"), applied);
      Await.until(
          Duration.ofSeconds(150),
          "the example AsyncJob Succeeded",
          () ->
              run(
                      kubectl,
                      kubeconfig,
                      "get",
                      "ajob",
                      "deploy-42",
                      "-n",
                      "team-a",
                      "-o",
                      "jsonpath={.status.phase}")
                  .equals("Succeeded"));
    } finally {
      new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
      boolean ended = p.waitFor(60, TimeUnit.SECONDS);
      if (!ended) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      assertTrue(ended, "the playground did not stop on SIGINT:\n" + String.join("\n", lines));
    }
    reader.get(10, TimeUnit.SECONDS);
    assertEquals(130, p.exitValue(), "exit code after SIGINT (128 + 2)");
    for (ProcessHandle child : children) {
      Await.until(
          Duration.ofSeconds(15),
          "child " + child.info().command().orElse("?") + " ended",
          () -> !child.isAlive());
    }
    assertTrue(lines.stream().anyMatch(l -> l.equals("Stopped.")), String.join("\n", lines));
  }

  private static String kubeconfig(ConcurrentLinkedQueue<String> lines) {
    return lines.stream()
        .map(String::trim)
        .filter(l -> l.startsWith("export KUBECONFIG="))
        .findFirst()
        .map(l -> l.substring("export KUBECONFIG=".length()))
        .orElse(null);
  }

  private static String run(String kubectl, String kubeconfig, String... args) {
    List<String> command = new ArrayList<>(List.of(kubectl, "--kubeconfig=" + kubeconfig));
    command.addAll(List.of(args));
    try {
      Process k = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      k.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (Exception e) {
      return e.toString();
    }
  }
}
