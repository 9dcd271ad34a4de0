package io.albjobs.operator.reconciler;

import io.albjobs.operator.sync.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns an RBAC refusal inside a reconcile into a log line and an Event that name the permission. */
final class Forbidden {
  private static final Logger LOG = LoggerFactory.getLogger(Forbidden.class);

  private Forbidden() {}

  static void report(HasMetadata resource, Exception e, EventRecorder events) {
    KubernetesClientException k8s = find(e);
    if (k8s == null || k8s.getCode() != 403) {
      return;
    }
    String detail = k8s.getStatus() != null && k8s.getStatus().getMessage() != null
        ? k8s.getStatus().getMessage() : k8s.getMessage();
    String message = "the operator is not allowed to do its work: " + detail
        + "; grant it in the operator's RBAC (the chart's ClusterRole or Role)";
    LOG.error("Forbidden while reconciling {}/{}: {}", resource.getMetadata().getNamespace(),
        resource.getMetadata().getName(), message);
    events.warning(resource, "Forbidden", message);
  }

  private static KubernetesClientException find(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k) {
        return k;
      }
      if (t.getCause() == t) {
        return null;
      }
    }
    return null;
  }
}
