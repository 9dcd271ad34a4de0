package io.albjobs.operator.write;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * The informer cache an object the operator just created or updated goes back into, so that the
 * next reconcile reads the operator's own write even before the informer's watch event arrives. In
 * the operator this is JOSDK's {@code handleRecentResourceCreate/Update} of the event source that
 * holds the object (the controller's own for a primary, {@code watch-children} for the AsyncJobs of
 * a watch).
 */
public interface OwnWrites<R extends HasMetadata> {
  void created(R object);

  void updated(R newer, R older);

  /** Nothing to tell (tests, and code that runs outside a reconcile). */
  static <R extends HasMetadata> OwnWrites<R> none() {
    return new OwnWrites<>() {
      @Override
      public void created(R object) {}

      @Override
      public void updated(R newer, R older) {}
    };
  }
}
