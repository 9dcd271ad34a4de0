package io.albjobs.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.it.kube.ControlPlane;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.alb.AlbCredentials;
import io.albjobs.operator.alb.SdkAlbJobClient;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.JobPhase;
import io.albjobs.operator.crd.SecretReference;
import io.albjobs.operator.scope.AlbClients;
import io.albjobs.operator.scope.TenancyPolicy;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.testing.Await;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.RecordedCall;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A shared cluster on the real API server: the operator's own namespace and a tenant's. The tenant
 * may not borrow the operator's identity, send credentials over plain HTTP or send signed requests
 * to a host of its choice; each refusal is a Stalled condition naming the flag and an Event, and
 * goes away once the tenant (or the administrator) changes what the message says.
 */
@Timeout(240)
class TenancyIT {
  private static final String AMBIENT_KEY = "LTAIoperatorown";

  /** Each test has namespaces of its own: a deleted namespace stays Terminating for a while. */
  private static final java.util.concurrent.atomic.AtomicInteger RUN =
      new java.util.concurrent.atomic.AtomicInteger();

  private final int run = RUN.incrementAndGet();
  private final IntegrationEnv env = new IntegrationEnv("tenancy-it-" + run);
  private final String tenant = "tenancy-it-tenant-" + run;
  private final Instant t0 = Instant.now();
  private final List<OperatorApp> apps = new ArrayList<>();

  @BeforeEach
  void tenantNamespace() {
    env.admin
        .resource(new NamespaceBuilder().withNewMetadata().withName(tenant).endMetadata().build())
        .serverSideApply();
    env.admin
        .resource(
            Fixtures.credentials(
                tenant, "alb-creds", IntegrationEnv.KEY_ID, IntegrationEnv.KEY_SECRET))
        .serverSideApply();
  }

  @AfterEach
  void stop() {
    apps.forEach(OperatorApp::close);
    env.close();
    env.admin.namespaces().withName(tenant).delete();
  }

  /**
   * The operator over both namespaces. Its "own chain" is a key of the simulator's {@code ops}
   * account, so that every call made with the operator's identity is visible in the call log.
   */
  private OperatorApp operator(String... flags) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--http-port=0",
                "--namespaces=" + env.ns + "," + tenant,
                "--poll-interval=2s",
                "--active-poll-interval=500ms"));
    args.addAll(List.of(flags));
    OperatorConfig config = OperatorConfig.from(args, Map.of());
    AlbClients.Factory sdk = OperatorApp.sdkClients(config);
    AlbClients.Factory withOwnIdentity =
        scope ->
            scope.credentials() instanceof AlbCredentials.DefaultChain
                ? new SdkAlbJobClient(
                    scope.endpoint(),
                    scope.regionId(),
                    new AlbCredentials.StaticKeys(
                        "operator's own", AMBIENT_KEY, "operator-own-secret", null),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(5))
                : sdk.create(scope);
    OperatorApp app =
        OperatorApp.start(
            config,
            env.cp.client(ControlPlane.ADMIN_TOKEN),
            withOwnIdentity,
            Clock.systemUTC(),
            false);
    apps.add(app);
    return app;
  }

  private SimJob job(String id, String account, String lb) {
    return SimJob.builder(id, account)
        .region("cn-hangzhou")
        .api("CreateListener", "Create")
        .resource("loadbalancer", lb)
        .createdAt(t0.minusSeconds(20))
        .succeedsAt(t0.minusSeconds(10))
        .build();
  }

  private AsyncJobWatch watch(String ns, String name) {
    return env.admin.resources(AsyncJobWatch.class).inNamespace(ns).withName(name).get();
  }

  private AsyncJob userJob(String ns, String name) {
    return env.admin.resources(AsyncJob.class).inNamespace(ns).withName(name).get();
  }

  private static Condition stalled(List<Condition> conditions) {
    return conditions == null
        ? null
        : Conditions.find(conditions, Conditions.STALLED)
            .filter(c -> "True".equals(c.getStatus()))
            .orElse(null);
  }

  private Condition stalledWatch(String ns, String name) {
    AsyncJobWatch w = watch(ns, name);
    return w == null || w.getStatus() == null ? null : stalled(w.getStatus().getConditions());
  }

  private Condition stalledJob(String ns, String name) {
    AsyncJob j = userJob(ns, name);
    return j == null || j.getStatus() == null ? null : stalled(j.getStatus().getConditions());
  }

  private boolean warned(String ns, String reason) {
    return env.admin.v1().events().inNamespace(ns).list().getItems().stream()
        .anyMatch(e -> reason.equals(e.getReason()) && "Warning".equals(e.getType()));
  }

  private static boolean names(RecordedCall call, String value) {
    return call.params().values().stream().anyMatch(value::equals);
  }

  @Test
  void onlyTheAllowedNamespaceMayUseTheOperatorsOwnCredentials() throws Exception {
    env.sim.addAccount("ops", AMBIENT_KEY, "operator-own-secret");
    env.sim.addJob(job("OPS-1", "ops", "alb-ops"));
    env.sim.addJob(job("OPS-SECRET", "ops", "alb-other-team"));
    env.sim.addJob(job("TENANT-OWN", "acct", "alb-other-team"));
    operator(
        AlbSimulator.OPERATOR_FLAGS.get(0),
        AlbSimulator.OPERATOR_FLAGS.get(1),
        "--ambient-credentials-namespaces=" + env.ns);
    String sim = env.sim.endpoint();
    env.admin.resource(Fixtures.watch(env.ns, "ops", sim, null, List.of("alb-ops"))).create();
    env.admin
        .resource(Fixtures.watch(tenant, "borrowed", sim, null, List.of("alb-other-team")))
        .create();
    env.admin.resource(Fixtures.userJob(tenant, "borrowed-job", "OPS-SECRET", sim, null)).create();

    Await.until(
        Duration.ofSeconds(60),
        "the operator's namespace mirrors with its own identity; the tenant's objects stall",
        () ->
            userJob(env.ns, "ops-1") != null
                && userJob(env.ns, "ops-1").getStatus() != null
                && userJob(env.ns, "ops-1").getStatus().getPhase() == JobPhase.Succeeded
                && stalledWatch(tenant, "borrowed") != null
                && stalledJob(tenant, "borrowed-job") != null);
    for (Condition c :
        List.of(stalledWatch(tenant, "borrowed"), stalledJob(tenant, "borrowed-job"))) {
      assertEquals(TenancyPolicy.AMBIENT_NOT_ALLOWED, c.getReason());
      assertTrue(
          c.getMessage().contains("--ambient-credentials-namespaces")
              && c.getMessage().contains("ambientCredentials.namespaces")
              && c.getMessage().contains(tenant),
          c.getMessage());
    }
    Await.until(
        Duration.ofSeconds(20),
        "a Warning Event in the tenant's namespace",
        () -> warned(tenant, TenancyPolicy.AMBIENT_NOT_ALLOWED));
    assertTrue(
        env.sim.calls().stream()
            .noneMatch(c -> names(c, "alb-other-team") || names(c, "OPS-SECRET")),
        "no request about the tenant's objects was sent with any identity");
    assertTrue(
        env.sim.callCount(AMBIENT_KEY) > 0, "the operator's own identity was used where allowed");
    assertNull(
        userJob(tenant, "ops-secret"),
        "the operator's account's job is not mirrored to the tenant");
    assertEquals(JobPhase.Pending, userJob(tenant, "borrowed-job").getStatus().getPhase());

    // The message says what to do: name a Secret of the namespace. The tenant then sees its own
    // jobs only.
    env.admin
        .resources(AsyncJobWatch.class)
        .inNamespace(tenant)
        .withName("borrowed")
        .edit(
            w -> {
              w.getSpec().setCredentialsSecretRef(new SecretReference("alb-creds"));
              return w;
            });
    Await.until(
        Duration.ofSeconds(60),
        "the watch with the tenant's own Secret mirrors the tenant's job",
        () -> userJob(tenant, "tenant-own") != null && stalledWatch(tenant, "borrowed") == null);
    assertNull(
        userJob(tenant, "ops-secret"), "the operator's account's job is still not the tenant's");
    assertTrue(
        env.sim.calls().stream()
            .filter(c -> names(c, "alb-other-team"))
            .allMatch(c -> IntegrationEnv.KEY_ID.equals(c.accessKeyId())),
        "the tenant's watch only ever used the tenant's key");
  }

  @Test
  void plainHttpAndForeignHostsAreRefusedUntilTheAdministratorAllowsThem() throws Exception {
    env.sim.addJob(job("PLAIN-1", "acct", "alb-plain"));
    OperatorApp strict =
        operator(
            "--ambient-credentials-namespaces=" + env.ns, "--allowed-endpoint-hosts=127.0.0.1");
    String plain = env.sim.endpoint();
    String foreign = "https://localhost:" + env.sim.hostAndPort().split(":")[1];
    env.admin
        .resource(Fixtures.watch(tenant, "plain", plain, "alb-creds", List.of("alb-plain")))
        .create();
    env.admin
        .resource(Fixtures.userJob(tenant, "plain-job", "PLAIN-1", plain, "alb-creds"))
        .create();
    env.admin
        .resource(Fixtures.watch(tenant, "foreign", foreign, "alb-creds", List.of("alb-plain")))
        .create();
    // Not even the operator's own namespace may use plain HTTP, with or without its own identity.
    env.admin
        .resource(Fixtures.watch(env.ns, "own-plain", plain, null, List.of("alb-plain")))
        .create();

    Await.until(
        Duration.ofSeconds(60),
        "every plain-HTTP or foreign endpoint stalls",
        () ->
            stalledWatch(tenant, "plain") != null
                && stalledJob(tenant, "plain-job") != null
                && stalledWatch(tenant, "foreign") != null
                && stalledWatch(env.ns, "own-plain") != null);
    for (Condition c :
        List.of(
            stalledWatch(tenant, "plain"),
            stalledJob(tenant, "plain-job"),
            stalledWatch(env.ns, "own-plain"))) {
      assertEquals(TenancyPolicy.INSECURE_ENDPOINT, c.getReason(), c.getMessage());
      assertTrue(
          c.getMessage().contains("--allow-insecure-endpoints")
              && c.getMessage().contains("alb.allowInsecureEndpoints"),
          c.getMessage());
    }
    Condition foreignHost = stalledWatch(tenant, "foreign");
    assertEquals(
        TenancyPolicy.ENDPOINT_NOT_ALLOWED, foreignHost.getReason(), foreignHost.getMessage());
    assertTrue(
        foreignHost.getMessage().contains("--allowed-endpoint-hosts"), foreignHost.getMessage());
    Await.until(
        Duration.ofSeconds(20),
        "Warning Events for both refusals",
        () ->
            warned(tenant, TenancyPolicy.INSECURE_ENDPOINT)
                && warned(tenant, TenancyPolicy.ENDPOINT_NOT_ALLOWED));
    assertEquals(0, env.sim.callCount(), "no request left the operator in clear text");

    // The administrator allows plain HTTP (a simulator): the same objects recover.
    apps.remove(strict);
    strict.close();
    operator(
        "--ambient-credentials-namespaces=" + env.ns,
        "--allowed-endpoint-hosts=127.0.0.1",
        "--allow-insecure-endpoints");
    Await.until(
        Duration.ofSeconds(60),
        "the plain-HTTP watch and AsyncJob recover",
        () ->
            userJob(tenant, "plain-1") != null
                && userJob(tenant, "plain-1").getStatus() != null
                && userJob(tenant, "plain-1").getStatus().getPhase() == JobPhase.Succeeded
                && userJob(tenant, "plain-job").getStatus().getPhase() == JobPhase.Succeeded
                && stalledWatch(tenant, "plain") == null);
    assertFalse(env.sim.calls().isEmpty());
    assertEquals(
        TenancyPolicy.ENDPOINT_NOT_ALLOWED,
        stalledWatch(tenant, "foreign").getReason(),
        "a host nobody allowed stays refused");
  }
}
