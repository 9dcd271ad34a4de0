package io.albjobs.it.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.it.kube.Kubectl;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.status.Reasons;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.write.Labels;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The manifests in examples/ against the real API server: every file passes a server-side dry run
 * (schema, CEL rules, RBAC kinds, the batch Job of the Argo CD hook); the Flux Kustomization, whose
 * CRD this control plane does not serve, is checked to be the tested one in gitops/flux and to gate
 * on objects the examples define. Then the examples the ALB simulator can serve run end to end with
 * the real operator: the credentials Secret, the watch by IDs, the AsyncJob for a pipeline's JobId
 * and the Argo CD AsyncJob hook, waited on with the real kubectl.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExamplesIT {
  private static final Path EXAMPLES = Path.of("../examples");
  private static final String NS = "examples-it";
  private static final String JOB_ID = "365F4154-92F6-4AE4-92F8-7FF34B5C1D2E";
  private static IntegrationEnv e2e;

  @BeforeAll
  static void setUp() {
    e2e = new IntegrationEnv(NS, IntegrationEnv.QUICK_POLLS);
  }

  @AfterAll
  static void tearDown() {
    e2e.close();
  }

  static List<Path> files() throws IOException {
    try (Stream<Path> s = Files.walk(EXAMPLES)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  /** The manifest with the examples' namespace replaced by this test's. */
  private static String manifest(Path file) throws IOException {
    return Files.readString(file).replace("team-a", NS);
  }

  @Test
  void everyExamplePassesAServerSideDryRun() throws IOException {
    List<String> notServed = new ArrayList<>();
    for (Path file : files()) {
      if (file.getFileName().toString().equals("00-namespace.yaml")) {
        continue; // the namespace exists already; it is applied for real below
      }
      Kubectl.Result r =
          e2e.kubectl.run(
              manifest(file), Duration.ofSeconds(30), "apply", "--dry-run=server", "-f", "-");
      if (!r.ok() && r.stderr().contains("no matches for kind")) {
        notServed.add(EXAMPLES.relativize(file).toString());
        continue;
      }
      assertTrue(r.ok(), file + " is refused by the API server:\n" + r);
    }
    // Flux's CRDs are not installed here: the dry run cannot judge the Kustomization.
    assertEquals(List.of("gitops/flux-kustomization.yaml"), notServed);
  }

  @Test
  void theNamespaceExampleApplies() throws IOException {
    Kubectl.Result r =
        e2e.kubectl.run(
            Files.readString(EXAMPLES.resolve("00-namespace.yaml")),
            Duration.ofSeconds(30),
            "apply",
            "--dry-run=server",
            "-f",
            "-");
    assertTrue(r.ok(), r.toString());
  }

  @Test
  void theFluxExampleIsTheTestedOneAndGatesOnExampleObjects() throws IOException {
    String flux = Files.readString(EXAMPLES.resolve("gitops/flux-kustomization.yaml"));
    assertEquals(
        Files.readString(Path.of("../gitops/flux/kustomization.yaml")),
        flux,
        "examples/gitops/flux-kustomization.yaml must stay a copy of gitops/flux/kustomization.yaml, whose"
            + " healthCheckExprs gitops/kstatus tests");
    GenericKubernetesResource k = Serialization.unmarshal(flux, GenericKubernetesResource.class);
    @SuppressWarnings("unchecked")
    List<Map<String, String>> checks =
        (List<Map<String, String>>)
            ((Map<String, Object>) k.getAdditionalProperties().get("spec")).get("healthChecks");
    String all = String.join("\n", files().stream().map(ExamplesIT::read).toList());
    for (Map<String, String> c : checks) {
      assertTrue(
          all.contains(
              "kind: "
                  + c.get("kind")
                  + "\nmetadata:\n  name: "
                  + c.get("name")
                  + "\n  namespace: "
                  + c.get("namespace")),
          "the Kustomization checks " + c + ", which no example defines");
    }
  }

  @Test
  void theExamplesTheSimulatorServesRunToTheEnd() throws Exception {
    Map<String, String> keys = secretKeys();
    e2e.sim.addAccount("examples", keys.get("accessKeyId"), keys.get("accessKeySecret"));
    Instant now = Instant.now();
    e2e.sim.addJob(
        SimJob.builder("EX-DONE-1", "examples")
            .api("CreateListener", "Create")
            .resource("loadbalancer", "alb-o8mszt95oamfjy1234")
            .createdAt(now.minusSeconds(600))
            .succeedsAt(now.minusSeconds(560))
            .build());
    e2e.sim.addJob(
        SimJob.builder("EX-RUNNING-2", "examples")
            .api("CreateRules", "Create")
            .resource("loadbalancer", "alb-3kd9s0f7k2l1mz5678")
            .createdAt(now.minusSeconds(2))
            .succeedsAt(now.plusSeconds(6))
            .build());
    e2e.sim.addJob(
        SimJob.builder(JOB_ID, "examples")
            .api("UpdateListenerAttribute", "Update")
            .resource("listener", "lsn-4f8s2k9d1m3n5b7v0c")
            .createdAt(now)
            .succeedsAt(now.plusSeconds(5))
            .build());
    e2e.operator("--alb-default-endpoint=" + e2e.sim.endpoint());
    for (String file :
        List.of(
            "credentials-secret.yaml",
            "watch-by-ids.yaml",
            "asyncjob-from-pipeline.yaml",
            "gitops/argocd-asyncjob-hook.yaml")) {
      Kubectl.Result r =
          e2e.kubectl.run(
              manifest(EXAMPLES.resolve(file)), Duration.ofSeconds(30), "apply", "-f", "-");
      assertTrue(r.ok(), file + ":\n" + r);
    }
    for (String[] w :
        new String[][] {
          {"ajob/deploy-42", "condition=Complete"},
          {"ajob/" + JOB_ID.toLowerCase(), "condition=Complete"},
          {"ajw/web-lbs", "condition=Ready"}
        }) {
      Kubectl.Result r =
          e2e.kubectl.run(
              null,
              Duration.ofSeconds(100),
              "wait",
              w[0],
              "-n",
              NS,
              "--for=" + w[1],
              "--timeout=90s");
      assertTrue(
          r.ok(),
          w[0]
              + " "
              + w[1]
              + ":\n"
              + r
              + "\n"
              + e2e.kubectl.run("get", "ajw,ajob", "-n", NS, "-o", "yaml"));
    }
    Await.until(
        Duration.ofSeconds(30),
        "both jobs of the watch mirrored and Succeeded",
        () ->
            e2e.jobs().stream()
                    .filter(j -> "web-lbs".equals(j.getMetadata().getLabels().get(Labels.WATCH)))
                    .filter(
                        j ->
                            j.getStatus() != null && j.getStatus().getPhase() == JobPhase.Succeeded)
                    .count()
                == 2);
    // Every reason the operator wrote is in the documented list (or is a failed job's ALB error
    // code).
    List<String> undocumented = new ArrayList<>();
    for (AsyncJob j : e2e.jobs()) {
      j.getStatus().getConditions().stream()
          .map(c -> c.getReason())
          .filter(r -> Reasons.find(r).isEmpty() && !r.equals(j.getStatus().getErrorCode()))
          .forEach(r -> undocumented.add(j.getMetadata().getName() + ": " + r));
    }
    e2e.watch("web-lbs").getStatus().getConditions().stream()
        .map(c -> c.getReason())
        .filter(r -> Reasons.find(r).isEmpty())
        .forEach(r -> undocumented.add("web-lbs: " + r));
    assertEquals(List.of(), undocumented, "reasons not in status/Reasons.java");
    AsyncJob pipeline = e2e.job("deploy-42");
    assertEquals("UpdateListenerAttribute", pipeline.getStatus().getApiName());
    assertFalse(
        pipeline.getMetadata().getLabels() != null
            && pipeline.getMetadata().getLabels().containsKey(Labels.WATCH));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> secretKeys() throws IOException {
    GenericKubernetesResource s =
        Serialization.unmarshal(
            Files.readString(EXAMPLES.resolve("credentials-secret.yaml")),
            GenericKubernetesResource.class);
    return (Map<String, String>) s.getAdditionalProperties().get("stringData");
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
