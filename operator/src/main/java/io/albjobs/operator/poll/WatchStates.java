package io.albjobs.operator.poll;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The in-memory {@link WatchState} of each watch, by UID. */
public final class WatchStates {
  private final Map<String, WatchState> states = new ConcurrentHashMap<>();

  public WatchState of(String uid) {
    return states.computeIfAbsent(uid, u -> new WatchState());
  }

  /** The state of a watch reconciled before, or null. */
  public WatchState find(String uid) {
    return states.get(uid);
  }

  public void forget(String uid) {
    states.remove(uid);
  }
}
