package io.albjobs.operator.poll;

import java.time.Duration;

/**
 * Operator-wide settings of the polling loops; a watch's spec overrides the intervals within the
 * CRD's bounds.
 *
 * @param pollInterval idle poll interval of a watch
 * @param activePollInterval poll interval while a job is Pending or Processing
 * @param since how far back a watch's first poll looks
 * @param watermarkOverlap how far before the watermark each poll looks again, for late-visible jobs
 * @param notFoundTimeout how long a user-created AsyncJob may stay invisible before it is Stalled
 * @param statusHeartbeat the longest a watch's lastSyncTime/watermark go unwritten while idle
 * @param maxPages the most pages one query may take before it is cut off as an error
 * @param minPollInterval the floor for a watch's own {@code spec.pollInterval}
 * @param minActivePollInterval the floor for a watch's own {@code spec.activePollInterval}
 */
public record SyncDefaults(
    Duration pollInterval,
    Duration activePollInterval,
    Duration since,
    Duration watermarkOverlap,
    Duration notFoundTimeout,
    Duration statusHeartbeat,
    int maxPages,
    Duration minPollInterval,
    Duration minActivePollInterval) {}
