package io.albjobs.operator.status;

import java.time.Instant;

/**
 * What a watch's wait for a change means for its conditions (see {@code change/Settle}): the reason
 * (Settling, ChangeFailed, SettleTimeout), its message, whether it is Stalled, and when the wait
 * next changes by itself ({@code wakeAt}).
 */
public record SettleVerdict(String reason, String message, boolean stalled, Instant wakeAt) {
  public static final SettleVerdict NONE = new SettleVerdict(null, null, false, null);

  public boolean waiting() {
    return reason != null;
  }
}
