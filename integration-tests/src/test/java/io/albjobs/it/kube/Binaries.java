package io.albjobs.it.kube;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the control-plane binaries are: {@code $K8S_BIN_DIR} and {@code $HELM}, else what {@code
 * scripts/provision-k8s.sh} wrote to its cache's {@code env.sh}. Missing binaries are an error that
 * says how to get them, never a skipped test.
 */
public record Binaries(Path kubeApiServer, Path etcd, Path kubectl, Path helm, String version) {

  public static Binaries locate() {
    Map<String, String> env = new HashMap<>(fromCacheFile());
    System.getenv()
        .forEach(
            (k, v) -> {
              if (k.equals("K8S_BIN_DIR") || k.equals("HELM") || k.equals("K8S_VERSION")) {
                env.put(k, v);
              }
            });
    String dir = env.get("K8S_BIN_DIR");
    if (dir == null) {
      throw new IllegalStateException(
          "no Kubernetes test binaries: run scripts/provision-k8s.sh (./scripts/test does) or set K8S_BIN_DIR");
    }
    Path bin = Path.of(dir);
    Binaries b =
        new Binaries(
            bin.resolve("kube-apiserver"),
            bin.resolve("etcd"),
            bin.resolve("kubectl"),
            env.get("HELM") == null ? null : Path.of(env.get("HELM")),
            env.getOrDefault("K8S_VERSION", "unknown"));
    for (Path p : new Path[] {b.kubeApiServer, b.etcd, b.kubectl}) {
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException(
            p + " is missing or not executable: run scripts/provision-k8s.sh");
      }
    }
    return b;
  }

  /**
   * Only helm ({@code $HELM}, else the cache's {@code env.sh}), for checks that render the chart
   * and need no control plane. Missing is an error that says how to get it.
   */
  public static Path locateHelm() {
    String helm = System.getenv().getOrDefault("HELM", fromCacheFile().get("HELM"));
    if (helm == null || !Files.isExecutable(Path.of(helm))) {
      throw new IllegalStateException(
          "no helm"
              + (helm == null ? "" : " at " + helm)
              + ": run scripts/provision-k8s.sh (./scripts/test does) or set HELM to a helm 3 binary");
    }
    return Path.of(helm);
  }

  private static Map<String, String> fromCacheFile() {
    String cache =
        System.getenv()
            .getOrDefault(
                "ALBJOBS_CACHE", System.getProperty("user.home") + "/.cache/alb-asyncjob-operator");
    Path env = Path.of(cache, "env.sh");
    Map<String, String> values = new HashMap<>();
    if (!Files.exists(env)) {
      return values;
    }
    try {
      for (String line : Files.readAllLines(env)) {
        String l = line.trim();
        if (l.startsWith("export ")) {
          l = l.substring(7);
        }
        int eq = l.indexOf('=');
        if (eq > 0) {
          values.put(l.substring(0, eq), l.substring(eq + 1).replaceAll("^\"|\"$", ""));
        }
      }
    } catch (IOException e) {
      return values;
    }
    return values;
  }
}
