package io.albjobs.operator.reconciler;

import io.albjobs.operator.write.OwnWrites;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.ManagedInformerEventSource;

/**
 * JOSDK's read-your-own-writes: an object the operator just wrote goes into the temporary cache of
 * the event source that holds it, so the next reconcile reads it before the informer's event comes
 * (what JOSDK's {@code PrimaryUpdateAndCacheUtils} does after its own patch).
 */
final class InformerWrites {
  private InformerWrites() {}

  static <R extends HasMetadata> OwnWrites<R> of(ManagedInformerEventSource<R, ?, ?> source) {
    return new OwnWrites<>() {
      @Override
      public void created(R object) {
        source.handleRecentResourceCreate(ResourceID.fromResource(object), object);
      }

      @Override
      public void updated(R newer, R older) {
        source.handleRecentResourceUpdate(ResourceID.fromResource(newer), newer, older);
      }
    };
  }
}
