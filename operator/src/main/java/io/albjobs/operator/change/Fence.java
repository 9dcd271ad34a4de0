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

  public static Fence failed(String failure, Instant at) {
    return new Fence(null, at, failure);
  }

  public boolean reconciled() {
    return fence != null;
  }
}
