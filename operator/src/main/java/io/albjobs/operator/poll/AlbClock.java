package io.albjobs.operator.poll;

import io.albjobs.operator.alb.AlbEndpoint;
import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJobClient;
import io.albjobs.operator.alb.JobPage;
import io.albjobs.operator.alb.JobQuery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ALB's clock as the operator sees it, per endpoint: the {@code Date} of ALB's answers against this
 * node's clock. Watermarks are taken on ALB's clock (ALB filters {@code BeginTime} against its own
 * {@code CreateTime}), and a skew larger than {@code threshold} is reported.
 */
public final class AlbClock {
  /** Readings older than this no longer count for the gauge. */
  static final Duration FORGET = Duration.ofMinutes(10);

  /**
   * {@code Date} has second precision and is truncated: on average ALB's clock is half a second
   * later.
   */
  private static final Duration HALF_SECOND = Duration.ofMillis(500);

  private record Reading(Duration skew, Instant at) {}

  private final Clock clock;
  private final Duration threshold;
  private final Map<String, Reading> byEndpoint = new ConcurrentHashMap<>();

  public AlbClock(Clock clock, Duration threshold) {
    this.clock = clock;
    this.threshold = threshold;
  }

  /** The skew that is reported (half the watermark overlap). */
  public Duration threshold() {
    return threshold;
  }

  /** ALB's clock minus the node's, last measured at this endpoint; null if never measured. */
  public Duration skew(AlbEndpoint endpoint) {
    Reading r = byEndpoint.get(endpoint.toString());
    return r == null ? null : r.skew();
  }

  public boolean skewed(Duration skew) {
    return skew != null && skew.abs().compareTo(threshold) > 0;
  }

  /** The largest skew (seconds, signed) measured at any endpoint in the last ten minutes. */
  public double worstSkewSeconds() {
    Instant now = clock.instant();
    byEndpoint.values().removeIf(r -> r.at().isBefore(now.minus(FORGET)));
    Duration worst = Duration.ZERO;
    for (Reading r : byEndpoint.values()) {
      if (r.skew().abs().compareTo(worst.abs()) > 0) {
        worst = r.skew();
      }
    }
    return worst.toMillis() / 1000.0;
  }

  void record(AlbEndpoint endpoint, Instant serverTime, Instant sent, Instant received) {
    Instant mid = sent.plus(Duration.between(sent, received).dividedBy(2));
    byEndpoint.put(
        endpoint.toString(),
        new Reading(Duration.between(mid, serverTime.plus(HALF_SECOND)), received));
  }

  /** A client that reads ALB's clock from every answer; {@link Probe#serverTime()} is the first. */
  Probe probe(AlbJobClient delegate, AlbEndpoint endpoint) {
    return new Probe(delegate, endpoint);
  }

  final class Probe implements AlbJobClient {
    private final AlbJobClient delegate;
    private final AlbEndpoint endpoint;
    private volatile Instant first;

    private Probe(AlbJobClient delegate, AlbEndpoint endpoint) {
      this.delegate = delegate;
      this.endpoint = endpoint;
    }

    @Override
    public JobPage listJobs(JobQuery query, String nextToken, int maxResults) throws AlbException {
      Instant sent = clock.instant();
      JobPage page = delegate.listJobs(query, nextToken, maxResults);
      if (page.serverTime() != null) {
        record(endpoint, page.serverTime(), sent, clock.instant());
        if (first == null) {
          first = page.serverTime();
        }
      }
      return page;
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode read(String action, Map<String, String> params)
        throws AlbException {
      return delegate.read(action, params);
    }

    /** ALB's {@code Date} on the first answer through this probe, or null. */
    Instant serverTime() {
      return first;
    }
  }
}
