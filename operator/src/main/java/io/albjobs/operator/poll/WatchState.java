package io.albjobs.operator.poll;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the leader remembers about one watch between polls. Nothing here is needed for correctness
 * after a restart: status holds the resume point; this only saves calls and writes. The status
 * computed but not yet written is the {@link StatusRecorder}'s.
 */
public final class WatchState {
  private volatile Instant nextPoll = Instant.EPOCH;
  private volatile int failuresInARow;
  private volatile boolean clockSkewed;
  private volatile long changesTaken;
  private volatile io.albjobs.operator.status.Problem lastProblem;
  private volatile ScopeTick scopeTick;
  private final Set<String> foreign = ConcurrentHashMap.newKeySet();

  /** The scope and resource type whose shared listing the watch's last poll used. */
  public record ScopeTick(io.albjobs.operator.scope.AccountScope scope, String resourceType) {}

  /** Where the watch's last poll took its jobs from, when a listing shared in its scope. */
  public ScopeTick scopeTick() {
    return scopeTick;
  }

  public void scopeTick(ScopeTick tick) {
    this.scopeTick = tick;
  }

  private final Map<String, Instant> deleted = new ConcurrentHashMap<>();

  private Instant woken;

  public Instant nextPoll() {
    return nextPoll;
  }

  /** Sets the next poll; a wake not yet served keeps it no later than the wake. */
  public synchronized void nextPoll(Instant at) {
    nextPoll = woken != null && woken.isBefore(at) ? woken : at;
  }

  /**
   * A listing of the watch's scope that started {@code at} showed one of its jobs new or changed
   * ({@link SharedListings#discoverEvery}): the watch is due then, and stays due until a poll due
   * then or later ran (a poll running meanwhile may have used an older listing).
   */
  public synchronized void wake(Instant at) {
    if (woken == null || at.isBefore(woken)) {
      woken = at;
    }
    if (at.isBefore(nextPoll)) {
      nextPoll = at;
    }
  }

  /** A poll due at {@code due} ran: a wake at or before then is served. */
  public synchronized void polled(Instant due) {
    if (woken != null && !due.isBefore(woken)) {
      woken = null;
    }
  }

  /** The wake not yet served, or null. */
  public synchronized Instant woken() {
    return woken;
  }

  /**
   * The sequence number of the newest Ingress or AlbConfig change already in the watch's written
   * status ({@code change/ChangeTracker}): later ones are new to it.
   */
  public long changesTaken() {
    return changesTaken;
  }

  public void changesTaken(long seq) {
    changesTaken = Math.max(changesTaken, seq);
  }

  /** Whether ALB's clock was last seen out of step with this node's (for one Event per episode). */
  public boolean clockSkewed() {
    return clockSkewed;
  }

  public void clockSkewed(boolean skewed) {
    clockSkewed = skewed;
  }

  /** Why the last poll failed, null when it did not: a status written between polls keeps it. */
  public io.albjobs.operator.status.Problem lastProblem() {
    return lastProblem;
  }

  public void lastProblem(io.albjobs.operator.status.Problem problem) {
    lastProblem = problem;
  }

  public int failuresInARow() {
    return failuresInARow;
  }

  public void failed() {
    failuresInARow++;
  }

  public void succeeded() {
    failuresInARow = 0;
  }

  /** An AsyncJob of this name belongs to someone else (a user or another watch): leave it. */
  public void markForeign(String name) {
    foreign.add(name);
  }

  /** Retention deleted it: do not bring it back while ALB still lists it. */
  public void markDeleted(String name, Instant jobCreated) {
    deleted.put(name, jobCreated);
  }

  public boolean skips(String name) {
    return foreign.contains(name) || deleted.containsKey(name);
  }

  /** Forgets deletions of jobs older than the poll window; ALB will not list them again. */
  public void pruneDeleted(Instant windowStart) {
    deleted.values().removeIf(created -> created.isBefore(windowStart));
  }
}
