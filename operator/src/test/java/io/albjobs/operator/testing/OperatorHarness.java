package io.albjobs.operator.testing;

import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.scope.AlbClients;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real operator against the embedded Kubernetes API and a given ALB client factory. */
public final class OperatorHarness implements AutoCloseable {
  public final EmbeddedKubernetes k8s = new EmbeddedKubernetes();
  public final KubernetesClient client = k8s.client();
  public final OperatorApp app;

  public OperatorHarness(AlbClients.Factory alb, String... flags) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--http-port=0",
                "--poll-interval=1s",
                "--active-poll-interval=200ms",
                "--ambient-credentials-namespaces=*"));
    args.addAll(io.albjobs.simulator.AlbSimulator.OPERATOR_FLAGS);
    args.addAll(List.of(flags));
    app = OperatorApp.start(OperatorConfig.from(args, Map.of()), client, alb, Clock.systemUTC());
  }

  public AsyncJob job(String namespace, String name) {
    return client.resources(AsyncJob.class).inNamespace(namespace).withName(name).get();
  }

  public AsyncJobWatch watch(String namespace, String name) {
    return client.resources(AsyncJobWatch.class).inNamespace(namespace).withName(name).get();
  }

  public List<AsyncJob> jobs(String namespace) {
    return client.resources(AsyncJob.class).inNamespace(namespace).list().getItems();
  }

  public List<Event> events(String namespace, String reason) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  @Override
  public void close() {
    app.close();
    k8s.close();
  }
}
