package io.albjobs.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The resource APIs (ListListeners, ListRules, GetListenerAttribute) pass the same checks as
 * ListAsynJobs: signature, denial. Their wire form is tested through the operator's client in the
 * operator module ({@code ChildListerSimulatorTest}).
 */
class AlbSimulatorResourcesTest {
  private AlbSimulator sim;

  @BeforeEach
  void start() {
    sim = AlbSimulator.start();
    sim.addAccount("acct-1", "LTAIone", "secret-1");
    sim.resources()
        .putRule(
            "acct-1",
            SdkCalls.REGION,
            new SimResources.Rule("rule-1", "lsn-1", "alb-1", List.of("sgp-1")));
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private HttpResponse<String> listRules(String secret) throws Exception {
    Map<String, String> p = RawSigner.common("LTAIone");
    p.put("Action", "ListRules");
    p.put("LoadBalancerIds.1", "alb-1");
    p.put("Signature", RawSigner.signature("GET", p, secret));
    return RawSigner.get(sim, RawSigner.query(p));
  }

  @Test
  void resourceCallsAreSignedLikeListAsynJobs() throws Exception {
    HttpResponse<String> wrong = listRules("not-the-secret");
    assertEquals(400, wrong.statusCode());
    assertTrue(wrong.body().contains("SignatureDoesNotMatch"), wrong.body());
    HttpResponse<String> good = listRules("secret-1");
    assertEquals(200, good.statusCode());
    assertTrue(good.body().contains("\"RuleId\":\"rule-1\""), good.body());
  }

  @Test
  void oneActionCanBeDeniedForEveryAccount() throws Exception {
    sim.faults().denyAction("ListRules");
    HttpResponse<String> denied = listRules("secret-1");
    assertEquals(403, denied.statusCode());
    assertTrue(denied.body().contains("Forbidden.RAM"), denied.body());
    sim.faults().clear();
    assertEquals(200, listRules("secret-1").statusCode());
  }
}
