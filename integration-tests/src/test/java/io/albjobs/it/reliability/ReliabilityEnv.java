package io.albjobs.it.reliability;

import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.it.kube.ControlPlane;
import io.albjobs.it.kube.SharedControlPlane;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The shared real control plane, a namespace, the simulator with one account, the operator. */
final class ReliabilityEnv implements AutoCloseable {
  final ControlPlane cp = SharedControlPlane.get();
  final KubernetesClient admin = cp.admin();
  final AlbSimulator sim;
  final String ns;
  private final List<OperatorApp> apps = new ArrayList<>();

  ReliabilityEnv(String ns) {
    this(ns, AlbSimulator.start());
  }

  ReliabilityEnv(String ns, AlbSimulator sim) {
    this.ns = ns;
    this.sim = sim;
    sim.addAccount("acct", "LTAIreliable", "reliable-secret");
    admin.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).serverSideApply();
    admin.resource(Fixtures.credentials(ns, "alb-creds", "LTAIreliable", "reliable-secret")).serverSideApply();
  }

  OperatorApp operator(String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("--http-port=0", "--namespaces=" + ns, "--poll-interval=5s",
        "--ambient-credentials-namespaces=" + ns));
    args.addAll(AlbSimulator.OPERATOR_FLAGS);
    args.addAll(List.of(flags));
    OperatorConfig config = OperatorConfig.from(args, Map.of());
    OperatorApp app = OperatorApp.start(config, cp.client(ControlPlane.ADMIN_TOKEN), OperatorApp.sdkClients(config),
        Clock.systemUTC(), false);
    apps.add(app);
    return app;
  }

  List<AsyncJob> jobs() {
    return admin.resources(AsyncJob.class).inNamespace(ns).list().getItems();
  }

  AsyncJob job(String name) {
    return admin.resources(AsyncJob.class).inNamespace(ns).withName(name).get();
  }

  AsyncJobWatch watch(String name) {
    return admin.resources(AsyncJobWatch.class).inNamespace(ns).withName(name).get();
  }

  @Override
  public void close() {
    apps.forEach(OperatorApp::close);
    sim.close();
    admin.namespaces().withName(ns).delete();
  }
}
