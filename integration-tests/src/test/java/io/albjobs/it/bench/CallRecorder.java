package io.albjobs.it.bench;

import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.RecordedCall;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps every call a simulator receives (time and kind) by reading its call log (the last 10,000
 * calls) every 250 ms and dropping repeats by {@code SignatureNonce}. {@link #missed()} tells if
 * calls went by too fast to be seen (the total from {@code callCount()} is always exact).
 */
final class CallRecorder implements AutoCloseable {
  /**
   * RESOURCES: a query naming resource IDs (one watch's); SCOPE: a listing of a resource type with
   * no IDs (shared by the watches of a scope); JOB_IDS: by job ID.
   */
  enum Kind {
    RESOURCES,
    RESOURCES_NEXT_PAGE,
    SCOPE,
    SCOPE_NEXT_PAGE,
    JOB_IDS,
    OTHER
  }

  /** {@code key}: the first ResourceIds or JobIds value, which names the watch (or job) asking. */
  record Call(long atMillis, Kind kind, boolean ok, String key) {}

  private final AlbSimulator sim;
  private final Set<String> nonces = new HashSet<>();
  private final List<Call> calls = new ArrayList<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "bench-call-recorder");
            t.setDaemon(true);
            return t;
          });

  CallRecorder(AlbSimulator sim) {
    this.sim = sim;
    timer.scheduleWithFixedDelay(this::poll, 0, 250, TimeUnit.MILLISECONDS);
  }

  private synchronized void poll() {
    for (RecordedCall c : sim.calls()) {
      String nonce = c.params().getOrDefault("SignatureNonce", c.at() + "/" + c.params());
      if (!nonces.add(nonce)) {
        continue;
      }
      Kind kind;
      if (c.params().containsKey("JobIds.1")) {
        kind = Kind.JOB_IDS;
      } else if (c.params().containsKey("ResourceIds.1")) {
        kind = c.params().containsKey("NextToken") ? Kind.RESOURCES_NEXT_PAGE : Kind.RESOURCES;
      } else if (c.params().containsKey("ResourceType")) {
        kind = c.params().containsKey("NextToken") ? Kind.SCOPE_NEXT_PAGE : Kind.SCOPE;
      } else {
        kind = Kind.OTHER;
      }
      String key =
          c.params().getOrDefault("ResourceIds.1", c.params().getOrDefault("JobIds.1", ""));
      calls.add(new Call(c.at().toEpochMilli(), kind, c.succeeded(), key));
    }
  }

  /** The calls seen between two wall-clock times (inclusive start, exclusive end). */
  synchronized List<Call> between(long fromMillis, long toMillis) {
    poll();
    return calls.stream()
        .filter(c -> c.atMillis() >= fromMillis && c.atMillis() < toMillis)
        .toList();
  }

  synchronized long missed() {
    poll();
    return sim.callCount() - calls.size();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
