package io.albjobs.it;

import io.albjobs.it.kube.ControlPlane;
import io.albjobs.it.kube.Kubectl;
import io.albjobs.it.kube.SharedControlPlane;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.alb.AlbJobClient;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.scope.AlbClients;
import io.albjobs.operator.testing.Fixtures;
import io.albjobs.simulator.AlbSimulator;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every integration suite stands on: the shared real control plane (kube-apiserver + etcd,
 * {@link SharedControlPlane}), a namespace of the test's own with a credentials Secret {@code
 * alb-creds}, the ALB simulator with one account ({@link #ACCOUNT}), and the real operator started
 * in this JVM (suites that need it as a process start the jar themselves). Closing it stops the
 * operators it started and the simulator, and deletes the namespace.
 */
public final class IntegrationEnv implements AutoCloseable {
  /** The simulator account of the test's Secret {@code alb-creds}. */
  public static final String ACCOUNT = "acct";

  public static final String KEY_ID = "LTAIintegration";
  public static final String KEY_SECRET = "integration-secret-value";

  /** Poll settings of suites that wait for jobs to go through their phases. */
  public static final List<String> QUICK_POLLS =
      List.of("--poll-interval=2s", "--active-poll-interval=500ms");

  /** Poll settings of suites that count calls and writes. */
  public static final List<String> STEADY_POLLS = List.of("--poll-interval=5s");

  public final ControlPlane cp = SharedControlPlane.get();
  public final KubernetesClient admin = cp.admin();
  public final Kubectl kubectl = cp.kubectl();
  public final AlbSimulator sim;
  public final String ns;
  private final List<String> polls;
  private final List<OperatorApp> apps = new ArrayList<>();

  /** A namespace {@code ns}, a fresh simulator, operators polling with {@link #STEADY_POLLS}. */
  public IntegrationEnv(String ns) {
    this(ns, AlbSimulator.start(), STEADY_POLLS);
  }

  public IntegrationEnv(String ns, List<String> polls) {
    this(ns, AlbSimulator.start(), polls);
  }

  /** With a simulator of the test's making (a moved clock, a port of its choice). */
  public IntegrationEnv(String ns, AlbSimulator sim) {
    this(ns, sim, STEADY_POLLS);
  }

  public IntegrationEnv(String ns, AlbSimulator sim, List<String> polls) {
    this.ns = ns;
    this.sim = sim;
    this.polls = List.copyOf(polls);
    sim.addAccount(ACCOUNT, KEY_ID, KEY_SECRET);
    admin
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .serverSideApply();
    admin.resource(Fixtures.credentials(ns, "alb-creds", KEY_ID, KEY_SECRET)).serverSideApply();
  }

  /** Starts the real operator in this JVM, watching this test's namespace; flags override. */
  public OperatorApp operator(String... flags) throws Exception {
    OperatorConfig config = config(flags);
    return start(config, OperatorApp.sdkClients(config));
  }

  /** As {@link #operator(String...)}, counting this instance's ALB calls in {@code calls}. */
  public OperatorApp operator(AtomicLong calls, String... flags) throws Exception {
    OperatorConfig config = config(flags);
    AlbClients.Factory sdk = OperatorApp.sdkClients(config);
    AlbClients.Factory counting =
        scope -> {
          AlbJobClient client = sdk.create(scope);
          return new AlbJobClient() {
            @Override
            public io.albjobs.operator.alb.JobPage listJobs(
                io.albjobs.operator.alb.JobQuery query, String token, int max)
                throws io.albjobs.operator.alb.AlbException {
              calls.incrementAndGet();
              return client.listJobs(query, token, max);
            }

            @Override
            public com.fasterxml.jackson.databind.JsonNode read(
                String action, Map<String, String> params)
                throws io.albjobs.operator.alb.AlbException {
              calls.incrementAndGet();
              return client.read(action, params);
            }
          };
        };
    return start(config, counting);
  }

  private OperatorConfig config(String... flags) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--http-port=0", "--namespaces=" + ns, "--ambient-credentials-namespaces=" + ns));
    args.addAll(polls);
    args.addAll(AlbSimulator.OPERATOR_FLAGS);
    args.addAll(List.of(flags));
    return OperatorConfig.from(args, Map.of());
  }

  private OperatorApp start(OperatorConfig config, AlbClients.Factory clients) throws Exception {
    OperatorApp app =
        OperatorApp.start(
            config, cp.client(ControlPlane.ADMIN_TOKEN), clients, Clock.systemUTC(), false);
    apps.add(app);
    return app;
  }

  public void stop(OperatorApp app) {
    apps.remove(app);
    app.close();
  }

  public AsyncJob job(String name) {
    return admin.resources(AsyncJob.class).inNamespace(ns).withName(name).get();
  }

  public AsyncJobWatch watch(String name) {
    return admin.resources(AsyncJobWatch.class).inNamespace(ns).withName(name).get();
  }

  public List<AsyncJob> jobs() {
    return admin.resources(AsyncJob.class).inNamespace(ns).list().getItems();
  }

  @Override
  public void close() {
    apps.forEach(OperatorApp::close);
    sim.close();
    admin.namespaces().withName(ns).delete();
  }
}
