package io.albjobs.it.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.kube.Kubectl;
import io.albjobs.it.kube.SharedControlPlane;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A watch must name its targets: the real API server refuses one with neither resourceIds nor
 * albConfigSelector (it would mirror every resource of the type in the account), with a message
 * that says what to set, and takes either one alone.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WatchTargetsIT {
  private static final String NS = "watch-targets";
  private static Kubectl kubectl;

  @BeforeAll
  static void setUp() {
    kubectl = SharedControlPlane.get().kubectl();
    kubectl.run("create", "namespace", NS);
  }

  private static Kubectl.Result apply(String name, String spec) {
    String manifest =
        "apiVersion: albjobs.io/v1alpha1\nkind: AsyncJobWatch\nmetadata:\n  name: "
            + name
            + "\n  namespace: "
            + NS
            + "\nspec:\n  regionId: cn-hangzhou\n"
            + spec;
    return kubectl.run(manifest, Duration.ofSeconds(30), "apply", "-f", "-");
  }

  @Test
  void aWatchWithoutTargetsIsRefusedSayingWhatToSet() {
    for (String[] c :
        new String[][] {
          {"no-targets", "  resourceType: loadbalancer\n"},
          {"empty-ids", "  resourceType: listener\n  resourceIds: []\n"}
        }) {
      Kubectl.Result r = apply(c[0], c[1]);
      assertFalse(r.ok(), c[0] + " was admitted:\n" + r);
      assertTrue(
          r.stderr().contains("spec must name the resources to watch")
              && r.stderr().contains("spec.resourceIds")
              && r.stderr().contains("spec.albConfigSelector"),
          r.stderr());
    }
  }

  @Test
  void idsOrASelectorAloneAreEnough() {
    Kubectl.Result ids = apply("by-ids", "  resourceType: listener\n  resourceIds: [lsn-1]\n");
    assertTrue(ids.ok(), ids.toString());
    Kubectl.Result selector =
        apply(
            "by-selector",
            "  resourceType: loadbalancer\n  albConfigSelector: {matchLabels: {team: a}}\n");
    assertTrue(selector.ok(), selector.toString());
    Kubectl.Result emptySelector =
        apply("every-albconfig", "  resourceType: loadbalancer\n  albConfigSelector: {}\n");
    assertTrue(
        emptySelector.ok(),
        "an empty selector (every AlbConfig of the namespace) is a choice:\n" + emptySelector);
  }

  @Test
  void removingTheLastTargetOfAnExistingWatchIsRefused() {
    assertTrue(apply("shrinks", "  resourceType: listener\n  resourceIds: [lsn-2]\n").ok());
    Kubectl.Result r =
        kubectl.run(
            null,
            Duration.ofSeconds(30),
            "patch",
            "asyncjobwatch",
            "shrinks",
            "-n",
            NS,
            "--type=json",
            "-p",
            "[{\"op\":\"remove\",\"path\":\"/spec/resourceIds\"}]");
    assertFalse(r.ok(), r.toString());
    assertTrue(r.stderr().contains("spec must name the resources to watch"), r.stderr());
  }
}
