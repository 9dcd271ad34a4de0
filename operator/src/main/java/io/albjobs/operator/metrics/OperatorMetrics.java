package io.albjobs.operator.metrics;

import io.albjobs.operator.crd.JobCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's own metrics. Labels are bounded: namespace, watch, phase, action, result code, API
 * name, resource type and error code — never a job or resource ID.
 */
public final class OperatorMetrics {
  private static final String ACTION = "ListAsynJobs";

  private final MeterRegistry registry;
  private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
  private final Map<String, java.util.List<io.micrometer.core.instrument.Meter>> watchMeters =
      new ConcurrentHashMap<>();
  private final Map<String, Instant> inFlightSince = new ConcurrentHashMap<>();
  private static final int MAX_UNKNOWN_WORDS = 20;
  private final java.util.Set<String> unknownWords = ConcurrentHashMap.newKeySet();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder(
            "albjobs_oldest_inflight_job_age_seconds", this, OperatorMetrics::oldestInFlightAge)
        .description("Age of the oldest job the operator sees Pending or Processing")
        .register(registry);
    discoveryPaused = discoveryPausedCounter();
  }

  private final Counter discoveryPaused;

  /** At 0 from the start, so that an alert or a dashboard finds the series before a pause. */
  private Counter discoveryPausedCounter() {
    return Counter.builder("albjobs_discovery_paused_total")
        .description(
            "Times discovery of new jobs paused for 5 minutes in an account scope because its"
                + " listing of the last 30 s took more than 3 pages")
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** One ALB call and its outcome ({@code Success} or the error code). */
  public void albCall(String result, long nanos) {
    albCall(ACTION, result, nanos);
  }

  /** One call of an ALB action (a bounded set: ListAsynJobs and the child List APIs). */
  public void albCall(String action, String result, long nanos) {
    Counter.builder("albjobs_alb_calls_total")
        .description("ALB API calls by action and result code")
        .tags("action", action, "code", result)
        .register(registry)
        .increment();
    Timer.builder("albjobs_alb_call_duration")
        .description("ALB API call latency")
        .tags("action", action)
        .publishPercentileHistogram()
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  public void albThrottled() {
    albThrottled(ACTION);
  }

  public void albThrottled(String action) {
    Counter.builder("albjobs_alb_throttled_total")
        .description("ALB calls answered with throttling")
        .tag("action", action)
        .register(registry)
        .increment();
  }

  /**
   * Discovery of new jobs paused in an account scope: its listing of the last 30 s took more than 3
   * pages (watches see new jobs at their own poll interval meanwhile).
   */
  public void discoveryPaused() {
    discoveryPaused.increment();
  }

  /** A mirrored job reached a final phase. */
  public void jobFinished(
      String phase, String apiName, String resourceType, String errorCode, Duration took) {
    if ("Failed".equals(phase)) {
      Counter.builder("albjobs_jobs_failed_total")
          .description("Mirrored jobs that finished Failed")
          .tags(
              "api_name", nz(apiName),
              "resource_type", nz(resourceType),
              "error_code", nz(errorCode))
          .register(registry)
          .increment();
    }
    if (took != null && !took.isNegative()) {
      DistributionSummary.builder("albjobs_job_duration_seconds")
          .description("How long ALB took from job creation to a final phase")
          .tags("phase", phase)
          .baseUnit("seconds")
          .serviceLevelObjectives(5, 15, 30, 60, 120, 300, 600, 1800)
          .register(registry)
          .record(took.toMillis() / 1000.0);
    }
  }

  /** The jobs of one watch per phase, as last rolled up. */
  public void watchJobs(String namespace, String watch, JobCounts counts) {
    gauge("albjobs_watch_jobs", namespace, watch, "Processing", counts.getProcessing());
    gauge("albjobs_watch_jobs", namespace, watch, "Succeeded", counts.getSucceeded());
    gauge("albjobs_watch_jobs", namespace, watch, "Failed", counts.getFailed());
  }

  /** The time of the last successful poll of a watch (epoch seconds). */
  public void watchPolled(String namespace, String watch, Instant at) {
    gauge(
        "albjobs_watch_last_successful_poll_timestamp_seconds",
        namespace,
        watch,
        null,
        at.getEpochSecond());
  }

  /**
   * Drops the series of one watch (deleted or suspended), so that it does not look stale forever.
   */
  public void forgetWatch(String namespace, String watch) {
    java.util.List<io.micrometer.core.instrument.Meter> meters =
        watchMeters.remove(namespace + '/' + watch);
    if (meters != null) {
      meters.forEach(registry::remove);
    }
    gauges.keySet().removeIf(k -> k.contains('|' + namespace + '|' + watch + '|'));
  }

  /**
   * An ALB status word the operator does not know: the job stays in flight and is polled. The
   * {@code status} label is the word lower-cased, cut to 32 characters of {@code [a-z0-9_]}; after
   * {@value #MAX_UNKNOWN_WORDS} distinct words every further one counts as {@code other}, so a
   * misbehaving endpoint cannot grow the series without bound.
   */
  public void unknownAlbStatus(String word) {
    String label = statusLabel(word);
    if (!unknownWords.contains(label)) {
      synchronized (unknownWords) {
        if (unknownWords.size() < MAX_UNKNOWN_WORDS) {
          unknownWords.add(label);
        } else if (!unknownWords.contains(label)) {
          label = "other";
        }
      }
    }
    Counter.builder("albjobs_unknown_status_total")
        .description("Jobs seen with an ALB status word the operator does not know (still polled)")
        .tag("status", label)
        .register(registry)
        .increment();
  }

  static String statusLabel(String word) {
    if (word == null || word.isEmpty()) {
      return "empty";
    }
    String label = word.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return label.length() > 32 ? label.substring(0, 32) : label;
  }

  /** Tracks a job in flight (key: namespace/name), for the oldest-in-flight gauge. */
  public void inFlight(String key, Instant createdAt, boolean stillInFlight) {
    if (stillInFlight) {
      inFlightSince.putIfAbsent(key, createdAt);
    } else {
      inFlightSince.remove(key);
    }
  }

  private double oldestInFlightAge() {
    Instant now = Instant.now();
    return inFlightSince.values().stream()
        .min(Instant::compareTo)
        .map(t -> Math.max(0, Duration.between(t, now).toMillis() / 1000.0))
        .orElse(0.0);
  }

  /** The per-watch gauges and their help text. */
  private static final java.util.Map<String, String> WATCH_GAUGES =
      java.util.Map.of(
          "albjobs_watch_jobs",
          "AsyncJobs of one watch per phase, as last rolled up",
          "albjobs_watch_last_successful_poll_timestamp_seconds",
          "When a watch last polled ALB successfully (seconds since the epoch)");

  private void gauge(String name, String namespace, String watch, String phase, long value) {
    String key = name + '|' + namespace + '|' + watch + '|' + phase;
    gauges
        .computeIfAbsent(
            key,
            k -> {
              AtomicLong holder = new AtomicLong();
              Tags tags = Tags.of("namespace", namespace, "watch", watch);
              if (phase != null) {
                tags = tags.and("phase", phase);
              }
              Gauge gauge =
                  Gauge.builder(name, holder, AtomicLong::get)
                      .description(WATCH_GAUGES.get(name))
                      .tags(tags)
                      .register(registry);
              watchMeters
                  .computeIfAbsent(
                      namespace + '/' + watch,
                      w -> new java.util.concurrent.CopyOnWriteArrayList<>())
                  .add(gauge);
              return holder;
            })
        .set(value);
  }

  private static String nz(String v) {
    return v == null || v.isEmpty() ? "unknown" : v;
  }

  /** A gauge without labels read from {@code value} at each scrape. */
  public void gauge(String name, String description, java.util.function.DoubleSupplier value) {
    Gauge.builder(name, value, java.util.function.DoubleSupplier::getAsDouble)
        .description(description)
        .strongReference(true)
        .register(registry);
  }
}
