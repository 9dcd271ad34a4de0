package io.albjobs.operator.change;

import java.time.Instant;

/**
 * What the tracker knows about the end of a change: reconciled ({@code fence} names how it was
 * seen, {@code at} when), failed ({@code failure} is the controller's reason and message) or
 * nothing yet.
 */
public record Fence(String fence, Instant at, String failure) {
  public static final Fence NONE = new Fence(null, null, null);

  public static Fence reconciled(String fence, Instant at) {
    return new Fence(fence, at, null);
  }

  /**
   * The longest failure kept (the controller's Event message can be long, and `kubectl describe`
   * shows all of it; a watch's status holds up to {@code Settle.MAX_CHANGES} of them and must stay
   * far below the API server's object size).
   */
  public static final int MAX_FAILURE = 256;

  /** A failure, its text cut to {@link #MAX_FAILURE} characters (ending with "..." when cut). */
  public static Fence failed(String failure, Instant at) {
    String kept =
        failure == null || failure.length() <= MAX_FAILURE
            ? failure
            : failure.substring(0, MAX_FAILURE - 3) + "...";
    return new Fence(null, at, kept);
  }

  public boolean reconciled() {
    return fence != null;
  }
}
