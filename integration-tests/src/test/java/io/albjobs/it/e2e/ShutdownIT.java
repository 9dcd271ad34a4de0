package io.albjobs.it.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.it.kube.ControlPlane;
import io.albjobs.operator.testing.Await;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The operator as a Deployment runs it: the runnable jar with leader election, stopped by SIGTERM
 * (what the kubelet sends). It must exit on its own well within the pod's 30 s grace period; a
 * leader that stops leading from its shutdown hook once blocked forever in System.exit, so every
 * pod deletion and rolling update waited for the SIGKILL.
 */
class ShutdownIT {
  private final IntegrationEnv e2e = new IntegrationEnv("shutdown-it", IntegrationEnv.QUICK_POLLS);
  private Process process;

  @AfterEach
  void stop() {
    if (process != null) {
      process.destroyForcibly();
    }
    e2e.close();
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aLeaderExitsOnSigtermWithinTheGracePeriod() throws Exception {
    Path kubeconfig =
        e2e.cp.writeKubeconfig(
            "admin", ControlPlane.ADMIN_TOKEN, e2e.cp.dir().resolve("shutdown.kubeconfig"));
    Path log = e2e.cp.dir().resolve("shutdown-operator.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                "java",
                "-jar",
                System.getProperty("albjobs.jar", "../operator/target/alb-asyncjob-operator.jar"),
                "--namespaces=" + e2e.ns,
                "--http-port=0",
                "--leader-election=true",
                "--lease-name=shutdown-it",
                "--lease-namespace=" + e2e.ns)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("POD_NAME", "shutdown-it-pod");
    process = pb.start();
    Await.until(
        Duration.ofSeconds(90),
        "the operator holds the Lease",
        () -> {
          Lease lease = e2e.admin.leases().inNamespace(e2e.ns).withName("shutdown-it").get();
          return lease != null && "shutdown-it-pod".equals(lease.getSpec().getHolderIdentity());
        });

    long t0 = System.nanoTime();
    process.destroy(); // SIGTERM
    boolean exited = process.waitFor(20, TimeUnit.SECONDS);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(exited, "still running 20 s after SIGTERM; log:\n" + tail(log));
    assertEquals(
        143, process.exitValue(), "exit status after SIGTERM (128 + 15); log:\n" + tail(log));
    assertTrue(millis < 20_000, "took " + millis + " ms");
  }

  private static String tail(Path log) throws Exception {
    var lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }
}
