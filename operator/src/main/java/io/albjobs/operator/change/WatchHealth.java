package io.albjobs.operator.change;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the change tracker's informers watch: an informer whose watch broke relists and watches
 * again by itself, so a short gap is normal; one that has not watched for {@link #GRACE} without a
 * break (its relist refused, the API server out of reach) is blind. Used by the tracker's timer
 * thread only.
 */
final class WatchHealth {
  /** A gap in watching shorter than this is a reconnect, not a problem. */
  static final Duration GRACE = Duration.ofSeconds(30);

  /** Since when each informer that does not watch has not watched. */
  private final Map<String, Instant> notWatchingSince = new HashMap<>();

  /**
   * The informers ({@code watching}: name to whether it watches now) that have not watched for
   * {@link #GRACE} or longer; empty when there is none.
   */
  List<String> check(Map<String, Boolean> watching, Instant now) {
    notWatchingSince.keySet().retainAll(watching.keySet());
    List<String> blind = new ArrayList<>();
    watching.forEach(
        (name, watches) -> {
          if (watches) {
            notWatchingSince.remove(name);
            return;
          }
          Instant since = notWatchingSince.computeIfAbsent(name, n -> now);
          if (!now.isBefore(since.plus(GRACE))) {
            blind.add(name);
          }
        });
    return blind;
  }

  /** Since when the longest gap of the informers not watching lasts, or null. */
  Instant since() {
    return notWatchingSince.values().stream().min(Instant::compareTo).orElse(null);
  }

  /** The informers were started again. */
  void reset() {
    notWatchingSince.clear();
  }
}
