package io.albjobs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bad input only the operator can judge (the schema refuses the rest, see CrdValidationIT):
 * each case becomes a Stalled condition and a Warning Event that say what to fix, and none stops a
 * healthy watch beside it.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BadInputIT {
  private final IntegrationEnv env = new IntegrationEnv("bad-input-it");

  @AfterEach
  void stop() {
    env.close();
  }

  private void secret(String name, Map<String, String> data) {
    env.admin
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(env.ns)
                .endMetadata()
                .withStringData(data)
                .build())
        .create();
  }

  private AsyncJobWatch watch(String name, String secret, String endpoint, String region) {
    AsyncJobWatch w = Fixtures.watch(env.ns, name, endpoint, secret, List.of("alb-bad"));
    w.getSpec().setRegionId(region);
    return env.admin.resource(w).create();
  }

  private Condition stalled(List<Condition> conditions) {
    return Conditions.find(conditions, Conditions.STALLED)
        .filter(c -> "True".equals(c.getStatus()))
        .orElse(null);
  }

  @Test
  void eachBadInputStallsWithAnActionableMessageAndAnEvent() throws Exception {
    secret("no-secret-key", Map.of("accessKeyId", IntegrationEnv.KEY_ID));
    secret("no-key-id", Map.of("accessKeySecret", IntegrationEnv.KEY_SECRET));
    secret(
        "wrong-secret", Map.of("accessKeyId", IntegrationEnv.KEY_ID, "accessKeySecret", "not-it"));
    secret("unknown-key", Map.of("accessKeyId", "LTAInobody", "accessKeySecret", "x"));
    env.sim.addAccount("denied", "LTAIdenied", "denied-secret");
    env.sim.faults().denyAccount("denied");
    secret("denied-creds", Map.of("accessKeyId", "LTAIdenied", "accessKeySecret", "denied-secret"));
    env.sim.addJob(
        SimJob.builder("GOOD-1", "acct")
            .region("cn-hangzhou")
            .api("CreateRule", "Create")
            .resource("loadbalancer", "alb-good")
            .createdAt(Instant.now().minusSeconds(30))
            .succeedsAt(Instant.now().minusSeconds(20))
            .build());
    env.operator("--not-found-timeout=3s");

    String sim = env.sim.endpoint();
    Map<String, String[]> cases = new LinkedHashMap<>();
    cases.put(
        "missing-secret",
        new String[] {
          "SecretNotFound", "Secret does-not-exist in namespace bad-input-it not found"
        });
    watch("missing-secret", "does-not-exist", sim, "cn-hangzhou");
    cases.put(
        "secret-without-secret-key",
        new String[] {"SecretKeyMissing", "has no key accessKeySecret"});
    watch("secret-without-secret-key", "no-secret-key", sim, "cn-hangzhou");
    cases.put("secret-without-key-id", new String[] {"SecretKeyMissing", "has no key accessKeyId"});
    watch("secret-without-key-id", "no-key-id", sim, "cn-hangzhou");
    cases.put("wrong-secret", new String[] {"InvalidCredentials", "SignatureDoesNotMatch"});
    watch("wrong-secret", "wrong-secret", sim, "cn-hangzhou");
    cases.put("unknown-key", new String[] {"InvalidCredentials", "InvalidAccessKeyId.NotFound"});
    watch("unknown-key", "unknown-key", sim, "cn-hangzhou");
    cases.put("permission-refused", new String[] {"PermissionDenied", "alb:ListAsynJobs"});
    watch("permission-refused", "denied-creds", sim, "cn-hangzhou");
    cases.put("region-without-endpoint", new String[] {"EndpointNotFound", "spec.regionId"});
    watch("region-without-endpoint", "alb-creds", null, "xx-nowhere-1");
    cases.put("albconfig-crd-missing", new String[] {"AlbConfigUnavailable", "AlbConfig"});
    AsyncJobWatch fromConfig =
        Fixtures.watch(env.ns, "albconfig-crd-missing", sim, "alb-creds", List.of());
    fromConfig
        .getSpec()
        .setAlbConfigSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("a", "b")).build());
    env.admin.resource(fromConfig).create();
    env.admin
        .resource(Fixtures.watch(env.ns, "healthy", sim, "alb-creds", List.of("alb-good")))
        .create();
    env.admin
        .resource(Fixtures.userJob(env.ns, "unknown-job-id", "NO-SUCH-JOB", sim, "alb-creds"))
        .create();
    env.admin
        .resource(Fixtures.userJob(env.ns, "odd-job-id", "job/with:odd#chars", sim, "alb-creds"))
        .create();
    env.admin.resource(Fixtures.userJob(env.ns, "job-missing-secret", "ANY", sim, "nope")).create();

    Await.until(
        Duration.ofSeconds(40),
        "every bad watch stalled",
        () ->
            cases.keySet().stream()
                .allMatch(
                    n ->
                        env.watch(n).getStatus() != null
                            && stalled(env.watch(n).getStatus().getConditions()) != null));
    StringBuilder table = new StringBuilder("Bad input (runtime) → condition:\n");
    for (var e : cases.entrySet()) {
      Condition c = stalled(env.watch(e.getKey()).getStatus().getConditions());
      table.append(
          String.format("  %-28s Stalled/%s: %s%n", e.getKey(), c.getReason(), c.getMessage()));
      assertTrue(e.getValue()[0].equals(c.getReason()), e.getKey() + ": reason " + c.getReason());
      assertTrue(
          c.getMessage().contains(e.getValue()[1]), e.getKey() + ": message " + c.getMessage());
    }
    Map<String, String[]> jobCases =
        Map.of(
            "unknown-job-id", new String[] {"JobNotFound", "NO-SUCH-JOB"},
            "odd-job-id", new String[] {"JobNotFound", "job/with:odd#chars"},
            "job-missing-secret", new String[] {"SecretNotFound", "Secret nope"});
    Await.until(
        Duration.ofSeconds(40),
        "every bad AsyncJob stalled",
        () ->
            jobCases.keySet().stream()
                .allMatch(
                    n ->
                        env.job(n).getStatus() != null
                            && stalled(env.job(n).getStatus().getConditions()) != null));
    for (var e : jobCases.entrySet()) {
      Condition c = stalled(env.job(e.getKey()).getStatus().getConditions());
      table.append(
          String.format("  %-28s Stalled/%s: %s%n", e.getKey(), c.getReason(), c.getMessage()));
      assertTrue(
          e.getValue()[0].equals(c.getReason()) && c.getMessage().contains(e.getValue()[1]),
          e.getKey() + ": " + c);
      assertTrue(
          env.job(e.getKey()).getStatus().getPhase() == JobPhase.Pending,
          "never shown as anything ALB did not say");
    }
    System.out.print(table);
    Await.until(
        Duration.ofSeconds(20),
        "a Warning Event per problem",
        () -> {
          List<Event> events = env.admin.v1().events().inNamespace(env.ns).list().getItems();
          return cases.values().stream()
              .allMatch(
                  v ->
                      events.stream()
                          .anyMatch(
                              ev -> v[0].equals(ev.getReason()) && "Warning".equals(ev.getType())));
        });
    Await.until(
        Duration.ofSeconds(20),
        "the healthy watch beside them works",
        () ->
            env.job("good-1") != null
                && env.job("good-1").getStatus() != null
                && env.job("good-1").getStatus().getPhase() == JobPhase.Succeeded);
    assertFalse(
        Conditions.isTrue(env.watch("healthy").getStatus().getConditions(), Conditions.STALLED));
  }
}
