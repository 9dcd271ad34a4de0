package io.albjobs.operator.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class WatchStateTest {
  private final Instant t0 = Instant.parse("2026-12-02T06:00:00Z");

  @Test
  void aWakeOutlivesAPollThatRanWithAnOlderListing() {
    WatchState state = new WatchState();
    state.nextPoll(t0.plusSeconds(30));
    state.wake(t0.plusSeconds(3));
    assertEquals(t0.plusSeconds(3), state.nextPoll(), "due from the listing that showed the job");
    // A poll due before the wake was running meanwhile: its next poll does not bury the wake.
    state.polled(t0.plusSeconds(2));
    state.nextPoll(t0.plusSeconds(32));
    assertEquals(t0.plusSeconds(3), state.nextPoll());
    // The poll due at the wake serves it.
    state.polled(t0.plusSeconds(3));
    assertNull(state.woken());
    state.nextPoll(t0.plusSeconds(33));
    assertEquals(t0.plusSeconds(33), state.nextPoll());
  }

  @Test
  void aWakeNeverPutsOffAPollDueSooner() {
    WatchState state = new WatchState();
    assertEquals(Instant.EPOCH, state.nextPoll(), "a watch not polled yet is due now");
    state.wake(t0);
    assertEquals(Instant.EPOCH, state.nextPoll());
    state.nextPoll(t0.minusSeconds(1));
    state.wake(t0);
    assertEquals(t0.minusSeconds(1), state.nextPoll());
  }
}
