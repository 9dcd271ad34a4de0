package io.albjobs.operator.reconciler;

import static io.albjobs.operator.testing.FakeAlb.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.FakeAlb;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.operator.testing.OperatorHarness;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A watch that names no resources never mirrors the account. The CRD refuses one at admission
 * (WatchTargetsIT, real API server); one stored before that rule, or in an API without CEL such as
 * the embedded one here, is Stalled with reason NoTargets and makes no ALB call.
 */
class NoTargetsTest {
  private static final String NS = "team-a";
  private final FakeAlb alb = new FakeAlb();
  private OperatorHarness h;

  @BeforeEach
  void start() throws Exception {
    h = new OperatorHarness(scope -> alb);
    h.client.resource(Fixtures.credentials(NS, "alb-creds", "LTAItest", "test-secret")).create();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void aWatchWithoutTargetsIsStalledAndMirrorsNothing() {
    long now = System.currentTimeMillis();
    alb.put(
        job(
            "ANY-1",
            "CreateListener",
            "alb-someone-elses",
            AlbJob.PROCESSING,
            now - 5_000,
            now - 5_000));
    h.client.resource(Fixtures.watch(NS, "everything", null, "alb-creds", List.of())).create();
    Await.until(
        Duration.ofSeconds(20),
        "the watch is Stalled",
        () -> {
          AsyncJobWatch w = h.watch(NS, "everything");
          return w != null
              && w.getStatus() != null
              && Conditions.isTrue(w.getStatus().getConditions(), Conditions.STALLED);
        });
    Condition stalled =
        Conditions.find(h.watch(NS, "everything").getStatus().getConditions(), Conditions.STALLED)
            .orElseThrow();
    assertEquals("NoTargets", stalled.getReason());
    assertTrue(stalled.getMessage().contains("spec.resourceIds"), stalled.getMessage());
    assertEquals(0, alb.calls(), "no ALB call for a watch without targets");
    assertTrue(
        h.client
            .resources(io.albjobs.operator.crd.AsyncJob.class)
            .inNamespace(NS)
            .list()
            .getItems()
            .isEmpty(),
        "no AsyncJob mirrored");
  }
}
