package io.albjobs.it.e2e;

import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.it.kube.ControlPlane;
import io.albjobs.it.kube.Kubectl;
import io.albjobs.it.kube.SharedControlPlane;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an end-to-end test needs: the shared real control plane, a namespace of its own, the ALB
 * simulator with one account, and the real operator (in this JVM, or as a process).
 */
final class E2e implements AutoCloseable {
  static final String KEY_ID = "LTAIe2e";
  static final String KEY_SECRET = "e2e-secret-value";

  final ControlPlane cp = SharedControlPlane.get();
  final KubernetesClient admin = cp.admin();
  final Kubectl kubectl = cp.kubectl();
  final AlbSimulator sim = AlbSimulator.start();
  final String ns;
  private final List<OperatorApp> apps = new ArrayList<>();

  E2e(String namespace) {
    this.ns = namespace;
    sim.addAccount("e2e", KEY_ID, KEY_SECRET);
    admin.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).serverSideApply();
    admin.resource(Fixtures.credentials(ns, "alb-creds", KEY_ID, KEY_SECRET)).serverSideApply();
  }

  /** Starts the real operator in this JVM, watching this test's namespace. */
  OperatorApp operator(String... flags) throws Exception {
    return operator(new java.util.concurrent.atomic.AtomicLong(), flags);
  }

  /** As {@link #operator(String...)}, counting this instance's ALB calls in {@code calls}. */
  OperatorApp operator(java.util.concurrent.atomic.AtomicLong calls, String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("--http-port=0", "--namespaces=" + ns, "--poll-interval=2s", "--active-poll-interval=500ms",
        "--ambient-credentials-namespaces=" + ns));
    args.addAll(AlbSimulator.OPERATOR_FLAGS);
    args.addAll(List.of(flags));
    OperatorConfig config = OperatorConfig.from(args, Map.of());
    io.albjobs.operator.sync.AlbClients.Factory sdk = OperatorApp.sdkClients(config);
    io.albjobs.operator.sync.AlbClients.Factory counting = scope -> {
      io.albjobs.operator.alb.AlbJobClient client = sdk.create(scope);
      return (query, token, max) -> {
        calls.incrementAndGet();
        return client.listJobs(query, token, max);
      };
    };
    OperatorApp app = OperatorApp.start(config, cp.client(ControlPlane.ADMIN_TOKEN), counting, Clock.systemUTC(), false);
    apps.add(app);
    return app;
  }

  void stop(OperatorApp app) {
    apps.remove(app);
    app.close();
  }

  AsyncJob job(String name) {
    return admin.resources(AsyncJob.class).inNamespace(ns).withName(name).get();
  }

  AsyncJobWatch watch(String name) {
    return admin.resources(AsyncJobWatch.class).inNamespace(ns).withName(name).get();
  }

  List<AsyncJob> jobs() {
    return admin.resources(AsyncJob.class).inNamespace(ns).list().getItems();
  }

  @Override
  public void close() {
    apps.forEach(OperatorApp::close);
    sim.close();
    admin.namespaces().withName(ns).delete();
  }
}
