package io.albjobs.simulator;

import java.time.Instant;
import java.util.Comparator;

/**
 * A job's place in the listing order. ALB lists newest first; ties on {@code CreateTime} are broken
 * by id so that the order, and therefore every page boundary, is total and stable.
 */
record JobKey(Instant createTime, String id) implements Comparable<JobKey> {
  private static final Comparator<JobKey> NATURAL =
      Comparator.comparing(JobKey::createTime).thenComparing(JobKey::id);

  /** A position before every real job in listing order. */
  static final JobKey START = new JobKey(Instant.ofEpochMilli(Long.MAX_VALUE), "");

  @Override
  public int compareTo(JobKey other) {
    return NATURAL.compare(this, other);
  }

  /** Whether this key is listed after {@code position} (newest-first order). */
  boolean listedAfter(JobKey position) {
    return position == null || compareTo(position) < 0;
  }
}
