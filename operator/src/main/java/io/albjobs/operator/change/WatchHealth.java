package io.albjobs.operator.change;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether the change tracker's informers watch: an informer whose watch broke relists and watches
 * again by itself, so a short gap is normal; one that has not watched for {@link #GRACE} (its
 * relist refused, the API server out of reach) is blind. Used by the tracker's timer thread only.
 */
final class WatchHealth {
  /** A gap in watching shorter than this is a reconnect, not a problem. */
  static final Duration GRACE = Duration.ofSeconds(30);

  private Instant notWatchingSince;

  /**
   * The informers ({@code watching}: name to whether it watches now) that are blind: every one not
   * watching when some have not watched without a break for {@link #GRACE}; empty otherwise.
   */
  List<String> check(Map<String, Boolean> watching, Instant now) {
    List<String> notWatching = new ArrayList<>();
    watching.forEach(
        (name, watches) -> {
          if (!watches) {
            notWatching.add(name);
          }
        });
    if (notWatching.isEmpty()) {
      notWatchingSince = null;
      return List.of();
    }
    if (notWatchingSince == null) {
      notWatchingSince = now;
    }
    return now.isBefore(notWatchingSince.plus(GRACE)) ? List.of() : notWatching;
  }

  /** Since when some informer has not watched, or null. */
  Instant since() {
    return notWatchingSince;
  }

  /** The informers were started again. */
  void reset() {
    notWatchingSince = null;
  }
}
