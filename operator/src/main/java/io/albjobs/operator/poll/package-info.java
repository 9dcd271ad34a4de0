/**
 * Step 2, asking ALB: one poll of a watch ({@code WatchSync}: jobs created since the watermark,
 * in-flight jobs by ID; its inputs travel as one {@code WatchPoll}), the listing shared by the
 * watches of a scope ({@code SharedListings}), user-created AsyncJobs polled by ID in batches
 * ({@code UserJobPoller}), ALB's clock for watermarks ({@code AlbClock}), and what the leader
 * remembers about each watch between polls ({@code WatchState}, nothing a restart needs).
 */
package io.albjobs.operator.poll;
