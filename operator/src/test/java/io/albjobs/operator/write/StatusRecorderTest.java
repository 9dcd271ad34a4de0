package io.albjobs.operator.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.crd.AsyncJobWatchStatus;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.status.Problem;
import io.albjobs.operator.status.Times;
import io.albjobs.operator.testing.EmbeddedKubernetes;
import io.albjobs.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watch side of the {@link StatusRecorder}: a status whose heartbeat fields alone moved is not
 * written before the heartbeat but is what the next poll starts from, unless the object changed
 * meanwhile; a written status goes back into the cache and its change to the listener, once.
 */
class StatusRecorderTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Duration HEARTBEAT = Duration.ofMinutes(5);

  private EmbeddedKubernetes k8s;
  private StatusRecorder recorder;
  private final List<String> changes = new ArrayList<>();
  private final AtomicReference<Instant> now = new AtomicReference<>(T0);

  @BeforeEach
  void start() {
    k8s = new EmbeddedKubernetes();
    Clock clock =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now.get();
          }
        };
    recorder =
        new StatusRecorder(
            k8s.client(),
            new StatusRecorder.Listener() {
              @Override
              public void jobChanged(AsyncJob stored, AsyncJobStatus before, AsyncJobStatus after) {
                changes.add("job");
              }

              @Override
              public void watchChanged(
                  AsyncJobWatch stored, AsyncJobWatchStatus before, AsyncJobWatchStatus after) {
                changes.add(
                    "watch "
                        + (before == null
                            ? null
                            : Conditions.find(before.getConditions(), Conditions.READY)
                                .map(c -> c.getReason())
                                .orElse(null))
                        + " -> "
                        + Conditions.find(after.getConditions(), Conditions.READY)
                            .map(c -> c.getReason())
                            .orElse(null));
              }

              @Override
              public void problem(HasMetadata about, Problem problem) {
                changes.add("problem " + problem.reason());
              }
            },
            clock,
            HEARTBEAT);
  }

  @AfterEach
  void stop() {
    k8s.close();
  }

  private static AsyncJobWatchStatus polled(String reason, Instant at) {
    AsyncJobWatchStatus s = new AsyncJobWatchStatus();
    s.setConditions(Conditions.after(null, 1L, T0).set(Conditions.READY, true, reason, "").build());
    // As WatchSync does: every poll stamps its sync times, written or not.
    s.setLastSyncTime(Times.format(at));
    s.setLastSuccessfulSyncTime(Times.format(at));
    s.setWatermark(Times.format(at));
    return s;
  }

  @Test
  void onlyHeartbeatFieldsMovedIsKeptNotWrittenUntilTheHeartbeat() {
    AsyncJobWatch watch =
        k8s.client().resource(Fixtures.watch("default", "w", null, "s", List.of("lb-1"))).create();
    List<AsyncJobWatch> cached = new ArrayList<>();
    OwnWrites<AsyncJobWatch> cache =
        new OwnWrites<>() {
          @Override
          public void created(AsyncJobWatch object) {}

          @Override
          public void updated(AsyncJobWatch newer, AsyncJobWatch older) {
            cached.add(newer);
          }
        };

    recorder.watch(watch, null, polled("Synced", T0), cache);
    assertEquals(1, recorder.writeCount());
    assertEquals(List.of("watch null -> Synced"), changes);
    AsyncJobWatch stored = cached.get(0);
    assertEquals(
        polled("Synced", T0).getWatermark(),
        stored.getStatus().getWatermark(),
        "the written object is cached");

    now.set(T0.plusSeconds(30));
    AsyncJobWatchStatus later = polled("Synced", T0.plusSeconds(30));
    recorder.watch(stored, recorder.current(stored), later, cache);
    assertEquals(1, recorder.writeCount(), "only heartbeat fields moved: not written");
    assertSame(
        later, recorder.current(stored), "the next poll starts from the status computed last");

    AsyncJobWatch edited = k8s.client().resource(stored).get();
    edited.getMetadata().setResourceVersion(stored.getMetadata().getResourceVersion() + "0");
    assertEquals(
        stored.getStatus(),
        recorder.current(edited),
        "another version of the object: its own status");

    now.set(T0.plus(HEARTBEAT).minusSeconds(30));
    AsyncJobWatchStatus polledAgain = polled("Synced", now.get());
    recorder.watch(stored, recorder.current(stored), polledAgain, cache);
    assertEquals(
        1, recorder.writeCount(), "polled often, only heartbeat fields moved: still not written");

    // The heartbeat counts from the last write, not from the last poll: a watch polled more
    // often than the heartbeat is still written once per heartbeat.
    now.set(T0.plus(HEARTBEAT));
    recorder.watch(stored, recorder.current(stored), polled("Synced", T0.plus(HEARTBEAT)), cache);
    assertEquals(2, recorder.writeCount(), "written at the heartbeat");
    assertEquals(2, changes.size());
    assertNotNull(k8s.client().resource(stored).get().getStatus().getLastSyncTime());
  }
}
