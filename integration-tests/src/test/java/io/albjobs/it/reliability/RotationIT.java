package io.albjobs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On the real API server: a Secret's STS keys and token rotate while a watch polls with it. The
 * watch never fails, new jobs keep being mirrored, and the operator holds one scope and one open
 * SDK client however many rotations went by.
 */
class RotationIT {
  private static final int ROTATIONS = 30;
  private final IntegrationEnv env = new IntegrationEnv("rotation-it");

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  @Timeout(240)
  void rotatingASecretKeepsOneScopeAndOneClient() throws Exception {
    Instant t0 = Instant.now();
    // In flight for the whole test: the watch stays on its active interval.
    env.sim.addJob(
        SimJob.builder("LONG-1", "acct")
            .region("cn-hangzhou")
            .api("CreateRule", "Create")
            .resource("loadbalancer", "alb-rot")
            .createdAt(t0.minusSeconds(5))
            .build());
    env.admin.resource(secret(0)).serverSideApply();
    OperatorApp app = env.operator("--active-poll-interval=1s", "--secret-cache-ttl=200ms");
    env.admin
        .resource(Fixtures.watch(env.ns, "w", env.sim.endpoint(), "rot-creds", List.of("alb-rot")))
        .create();
    Await.until(Duration.ofSeconds(60), "the first job mirrored", () -> env.jobs().size() == 1);
    int maxScopes = 0;
    long maxOpen = 0;
    for (int i = 1; i <= ROTATIONS; i++) {
      env.admin.resource(secret(i)).serverSideApply();
      String keyId = "STS.rot" + i;
      Await.until(
          Duration.ofSeconds(30), "a poll with rotation " + i, () -> env.sim.callCount(keyId) > 0);
      env.sim.addJob(
          SimJob.builder("NEW-" + i, "acct")
              .region("cn-hangzhou")
              .api("CreateRule", "Create")
              .resource("loadbalancer", "alb-rot")
              .createdAt(Instant.now())
              .succeedsAt(Instant.now().plusSeconds(1))
              .build());
      maxScopes = Math.max(maxScopes, app.albClients().liveScopes());
      maxOpen = Math.max(maxOpen, app.albClients().openClients());
    }
    Await.until(
        Duration.ofSeconds(60), "every new job mirrored", () -> env.jobs().size() == ROTATIONS + 1);
    var status = env.watch("w").getStatus();
    System.out.printf(
        "Rotation on the API server: %d rotations of a Secret's STS keys and token, %d jobs mirrored;"
            + " live scopes max %d (now %d), open SDK clients max %d (now %d), %d created, callers %d%n",
        ROTATIONS,
        env.jobs().size(),
        maxScopes,
        app.albClients().liveScopes(),
        maxOpen,
        app.albClients().openClients(),
        app.albClients().createdClients(),
        app.albClients().callers());
    assertTrue(
        !Conditions.isTrue(status.getConditions(), Conditions.STALLED), "the watch is not stalled");
    assertEquals(1, maxScopes, "one live scope through the rotations");
    assertTrue(
        maxOpen <= 2,
        "the current client, and at most one closing after its last call: " + maxOpen);
    Await.until(
        Duration.ofSeconds(10), "one open client", () -> app.albClients().openClients() == 1);
    assertEquals(1, app.albClients().callers(), "one budget");
    String metrics = app.registry().scrape();
    assertTrue(
        metrics.contains("albjobs_alb_scopes 1.0") && metrics.contains("albjobs_alb_clients 1.0"),
        "gauges: " + metrics.lines().filter(l -> l.startsWith("albjobs_alb_")).toList());
  }

  private Secret secret(int i) {
    String id = "STS.rot" + i;
    String secret = "rot-secret-" + i;
    String token = "rot-token-" + i;
    env.sim.addStsAccount("acct", id, secret, token);
    return new SecretBuilder()
        .withNewMetadata()
        .withName("rot-creds")
        .withNamespace(env.ns)
        .endMetadata()
        .withStringData(
            Map.of("accessKeyId", id, "accessKeySecret", secret, "securityToken", token))
        .build();
  }
}
