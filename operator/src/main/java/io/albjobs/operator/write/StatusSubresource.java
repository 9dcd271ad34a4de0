package io.albjobs.operator.write;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the {@link StatusRecorder} writes: the whole status through the status subresource, never
 * touching spec or metadata, so a user's concurrent edit is never lost. Server-side apply (field
 * manager {@value #FIELD_MANAGER}) where the API server supports it; a JSON patch or a PUT of
 * {@code /status} otherwise (the embedded demo API).
 */
final class StatusSubresource {
  static final String FIELD_MANAGER = "alb-asyncjob-operator";
  private static final Logger LOG = LoggerFactory.getLogger(StatusSubresource.class);

  private final KubernetesClient client;
  private final LongAdder writes = new LongAdder();
  private volatile boolean serverSideApply = true;

  StatusSubresource(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Replaces the status of {@code target} with {@code status} only if the object is still at {@code
   * target}'s resourceVersion, so a status computed from an object is never written over a newer
   * one; a newer object is refused with HTTP 409 (re-read it and compute again). Server-side apply
   * on the status subresource with the resourceVersion in the applied object, which the API server
   * checks as a precondition; a PUT of the status subresource where apply is not served.
   */
  <S, T extends CustomResource<?, S>> T writeIfUnchanged(T target, S status) {
    String version = target.getMetadata().getResourceVersion();
    if (version == null) {
      throw new IllegalArgumentException(
          "a conditional status write needs the object's resourceVersion");
    }
    writes.increment();
    T patch = statusOnly(target, status);
    patch.getMetadata().setResourceVersion(version);
    T applied = applyIfServed(patch);
    if (applied != null) {
      return applied;
    }
    T copy = client.getKubernetesSerialization().clone(target);
    copy.setStatus(status);
    return client.resource(copy).updateStatus();
  }

  /** Replaces the status of {@code target} with {@code status}; returns the object as stored. */
  @SuppressWarnings("unchecked")
  <S, T extends CustomResource<?, S>> T write(T target, S status) {
    writes.increment();
    T applied = applyIfServed(statusOnly(target, status));
    if (applied != null) {
      return applied;
    }
    String json =
        "[{\"op\":\"add\",\"path\":\"/status\",\"value\":" + Serialization.asJson(status) + "}]";
    Class<T> type = (Class<T>) target.getClass();
    return client
        .resources(type)
        .inNamespace(target.getMetadata().getNamespace())
        .withName(target.getMetadata().getName())
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON), json);
  }

  /** Status writes issued so far (for tests and benchmarks). */
  long writeCount() {
    return writes.sum();
  }

  /**
   * Server-side apply of {@code patch} to the status subresource; null when the API server does not
   * serve apply (the embedded demo API), which is remembered.
   */
  private <T extends CustomResource<?, ?>> T applyIfServed(T patch) {
    if (!serverSideApply) {
      return null;
    }
    try {
      return client.resource(patch).subresource("status").patch(apply(), patch);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 415) {
        throw e;
      }
      LOG.info(
          "The API server does not take server-side apply; status is written with a JSON patch or update");
      serverSideApply = false;
      return null;
    }
  }

  private static PatchContext apply() {
    return new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY)
        .withFieldManager(FIELD_MANAGER)
        .withForce(true)
        .build();
  }

  /** An object of {@code target}'s kind holding only its name, namespace and {@code status}. */
  @SuppressWarnings("unchecked")
  private static <S, T extends CustomResource<?, S>> T statusOnly(T target, S status) {
    T patch;
    try {
      patch = (T) target.getClass().getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(target.getMetadata().getName())
            .withNamespace(target.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return patch;
  }
}
