package io.albjobs.operator.write;

import io.albjobs.operator.crd.AsyncJob;

/**
 * Told about every AsyncJob the operator just created or updated, so that the next reconcile
 * reads its own writes even before the informer's watch event arrives.
 */
public interface ChildCache {
  void created(AsyncJob job);

  void updated(AsyncJob newer, AsyncJob older);

  ChildCache NONE =
      new ChildCache() {
        @Override
        public void created(AsyncJob job) {}

        @Override
        public void updated(AsyncJob newer, AsyncJob older) {}
      };
}
