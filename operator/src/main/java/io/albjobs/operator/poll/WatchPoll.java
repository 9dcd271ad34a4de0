package io.albjobs.operator.poll;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.albjobs.operator.write.OwnWrites;
import java.time.Instant;
import java.util.Map;

/**
 * What one poll of one watch works on, handed along its steps ({@link WatchSync}, {@link
 * JobMirror}, {@link Retention}) instead of long argument lists.
 *
 * @param watch the watch as read from the cache
 * @param next its next status, filled in by the poll
 * @param children its AsyncJobs by name, as the informer holds them
 * @param state what the leader remembers about the watch between polls
 * @param writes where the AsyncJobs the poll creates or updates go back into the informer cache
 * @param due when the poll was due (now for a spec change or {@code albjobs.io/poll-now}): a
 *     listing shared with other watches must have started then or later
 * @param settlement what settling makes of the poll's outcome (the verdict for the conditions)
 * @param childrenFreshAsOf when not null, a load balancer's children listed before it are listed
 *     again (a settling watch's poll after a change)
 */
public record WatchPoll(
    AsyncJobWatch watch,
    AsyncJobWatchStatus next,
    Map<String, AsyncJob> children,
    WatchState state,
    OwnWrites<AsyncJob> writes,
    Instant due,
    Settlement settlement,
    Instant childrenFreshAsOf) {
  /** A poll of a watch that is not settling. */
  public WatchPoll(
      AsyncJobWatch watch,
      AsyncJobWatchStatus next,
      Map<String, AsyncJob> children,
      WatchState state,
      OwnWrites<AsyncJob> writes,
      Instant due) {
    this(watch, next, children, state, writes, due, Settlement.NONE, null);
  }

  /**
   * What settling makes of a poll: called with the next status once the poll's outcome is known
   * ({@code listed}: it succeeded; {@code childrenFresh}: the load balancers' children it used were
   * listed without a problem at or after {@code childrenFreshAsOf}; {@code resourceIds}: the load
   * balancers it covered, null when it failed before knowing them; {@code listedFrom}: when the
   * listing its jobs came from started, which may be before the poll for a shared one), it returns
   * the verdict for the conditions.
   */
  public interface Settlement {
    Settlement NONE =
        (next, listed, childrenFresh, resourceIds, listedFrom) ->
            io.albjobs.operator.status.SettleVerdict.NONE;

    io.albjobs.operator.status.SettleVerdict after(
        AsyncJobWatchStatus next,
        boolean listed,
        boolean childrenFresh,
        java.util.List<String> resourceIds,
        Instant listedFrom);
  }
}
