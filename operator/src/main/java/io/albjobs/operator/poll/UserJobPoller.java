package io.albjobs.operator.poll;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.ErrorKind;
import io.albjobs.operator.alb.JobLister;
import io.albjobs.operator.config.Durations;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.scope.AccountScope;
import io.albjobs.operator.scope.AlbClients;
import io.albjobs.operator.scope.Backoff;
import io.albjobs.operator.status.JobStatuses;
import io.albjobs.operator.status.Problem;
import io.albjobs.operator.status.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls user-created AsyncJobs by ID, batched: every due job of one account scope goes into one
 * {@code ListAsynJobs} call per ten IDs. Scopes are polled independently, so a slow or throttled
 * account never delays another. A job that finishes, or never appears within the not-found timeout,
 * is dropped.
 *
 * <p>The poller never writes an AsyncJob. It keeps the latest {@link Observation} of each job and
 * tells the job's reconciler (through {@link #onObservation}), which is the one writer of the
 * object: it computes the status from the observation and the object as stored ({@link
 * #statusAfter}) and writes it.
 */
public final class UserJobPoller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UserJobPoller.class);

  /**
   * What one poll learned about one job: ALB's record of it ({@code seen}), nothing ({@code seen}
   * and {@code problem} null: not visible yet, or not within the not-found timeout, see {@link
   * #statusAfter}), or a problem that stalls it; {@code jobId} is the JobId that was asked for.
   */
  public record Observation(String jobId, AlbJob seen, Problem problem, Instant at) {}

  /** Tells the one writer of an AsyncJob that an observation of it waits. */
  @FunctionalInterface
  public interface Listener {
    void observed(String namespace, String name);
  }

  /** One tracked job: the object we were handed and when to ask ALB next. */
  private static final class Tracked {
    volatile AsyncJob job;
    volatile AccountScope scope;
    volatile Instant due;
    volatile int failures;
  }

  private final AlbClients clients;
  private final SyncDefaults defaults;
  private final Clock clock;
  private final JobLister lister;
  private final Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5));
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
  private final Map<String, Observation> observations = new ConcurrentHashMap<>();
  private final Set<AccountScope> busy = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "user-job-ticker"));
  private final ExecutorService workers =
      Executors.newFixedThreadPool(4, r -> daemon(r, "user-job-poller"));
  private volatile Listener listener = (namespace, name) -> {};
  private volatile Predicate<String> exists = key -> true;

  public UserJobPoller(AlbClients clients, SyncDefaults defaults, Clock clock) {
    this.clients = clients;
    this.defaults = defaults;
    this.clock = clock;
    this.lister = new JobLister(defaults.maxPages());
  }

  /**
   * Connects the poller to the writer of the jobs: {@code listener} is told of every new
   * observation; {@code exists} says whether a job (by {@code namespace/name}) still exists, so a
   * deleted job is no longer polled.
   */
  public void onObservation(Listener listener, Predicate<String> exists) {
    this.listener = listener;
    this.exists = exists;
  }

  public void start(Duration tick) {
    ticker.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts or refreshes tracking of an unfinished AsyncJob; {@code now} asks for an immediate poll.
   */
  public void track(AsyncJob job, AccountScope scope, boolean now) {
    Tracked t = tracked.computeIfAbsent(key(job), k -> new Tracked());
    // Only the name, JobId (immutable) and creation time are read: any copy of the object will do.
    t.job = job;
    if (t.scope != null && !t.scope.equals(scope)) {
      t.failures = 0;
    }
    t.scope = scope;
    if (t.due == null || now) {
      t.due = clock.instant();
    }
  }

  public void untrack(AsyncJob job) {
    tracked.remove(key(job));
  }

  /** The latest observation of {@code job} not yet written, or null. */
  public Observation observation(AsyncJob job) {
    return observations.get(key(job));
  }

  /** {@code observation} of {@code job} is written; a newer one, if any, stays. */
  public void written(AsyncJob job, Observation observation) {
    observations.remove(key(job), observation);
  }

  /**
   * The status {@code stored} should have after {@code o}, computed from the object as stored; null
   * when there is nothing to write (the job is already finished).
   */
  public AsyncJobStatus statusAfter(AsyncJob stored, Observation o) {
    AsyncJobStatus previous = stored.getStatus();
    if (previous != null && previous.isFinished()
        || !o.jobId().equals(stored.getSpec().getJobId())) {
      return null; // finished, or an object of the same name for another JobId replaced it
    }
    Long generation = stored.getMetadata().getGeneration();
    if (o.seen() != null) {
      return JobStatuses.fromAlb(o.seen(), previous, generation, o.at());
    }
    Problem problem = o.problem();
    if (problem == null && invisibleFor(stored, o.at()).compareTo(defaults.notFoundTimeout()) > 0) {
      problem =
          new Problem(
              "JobNotFound",
              "ALB has not shown job "
                  + stored.getSpec().getJobId()
                  + " in region "
                  + stored.getSpec().getRegionId()
                  + " within "
                  + Durations.format(defaults.notFoundTimeout())
                  + "; check spec.jobId, spec.regionId and the credentials' account");
    }
    return JobStatuses.notVisible(previous, problem, generation, o.at());
  }

  public int trackedCount() {
    return tracked.size();
  }

  /** Runs due scopes; public so tests can drive it without the ticker. */
  public void tick() {
    Instant now = clock.instant();
    Map<AccountScope, List<Tracked>> due = new HashMap<>();
    for (Map.Entry<String, Tracked> e : tracked.entrySet()) {
      Tracked t = e.getValue();
      if (!exists.test(e.getKey())) {
        tracked.remove(e.getKey(), t);
        observations.remove(e.getKey());
      } else if (!t.due.isAfter(now)) {
        due.computeIfAbsent(t.scope, s -> new ArrayList<>()).add(t);
      }
    }
    due.forEach(
        (scope, batch) -> {
          if (busy.add(scope)) {
            workers.execute(
                () -> {
                  try {
                    pollScope(scope, batch);
                  } catch (RuntimeException e) {
                    LOG.warn("Polling user AsyncJobs of {} failed: {}", scope, e.toString());
                  } finally {
                    busy.remove(scope);
                  }
                });
          }
        });
  }

  /** Polls one scope's due jobs. */
  void pollScope(AccountScope scope, List<Tracked> batch) {
    List<String> ids = batch.stream().map(t -> t.job.getSpec().getJobId()).toList();
    Map<String, AlbJob> found = new HashMap<>();
    try {
      for (AlbJob job : lister.byJobIds(clients.forScope(scope), ids)) {
        found.put(job.id(), job);
      }
    } catch (AlbException e) {
      onError(batch, e);
      return;
    }
    Instant now = clock.instant();
    for (Tracked t : batch) {
      AsyncJob job = t.job;
      AlbJob seen = found.get(job.getSpec().getJobId());
      t.failures = 0;
      boolean done =
          seen != null && JobStatuses.phaseOf(seen).isFinished()
              || seen == null && invisibleFor(job, now).compareTo(defaults.notFoundTimeout()) > 0;
      if (done) {
        tracked.remove(key(job), t);
      } else {
        t.due = now.plus(Backoff.jitter(defaults.activePollInterval(), 0.1));
      }
      observe(job, new Observation(job.getSpec().getJobId(), seen, null, now));
    }
  }

  private void onError(List<Tracked> batch, AlbException e) {
    Instant now = clock.instant();
    for (Tracked t : batch) {
      t.failures++;
      if (e.kind() == ErrorKind.TERMINAL) {
        t.due = now.plus(defaults.pollInterval());
        observe(
            t.job,
            new Observation(t.job.getSpec().getJobId(), null, Problem.of(e, t.failures), now));
      } else {
        Duration delay = backoff.delay(t.failures);
        t.due =
            now.plus(
                delay.compareTo(defaults.pollInterval()) < 0 ? delay : defaults.pollInterval());
      }
    }
  }

  private void observe(AsyncJob job, Observation o) {
    observations.put(key(job), o);
    listener.observed(job.getMetadata().getNamespace(), job.getMetadata().getName());
  }

  private static Duration invisibleFor(AsyncJob job, Instant now) {
    Instant created = Times.parse(job.getMetadata().getCreationTimestamp());
    return created == null ? Duration.ZERO : Duration.between(created, now);
  }

  /** The key of a job in {@link #onObservation}'s {@code exists}: {@code namespace/name}. */
  public static String key(AsyncJob job) {
    return job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    workers.shutdownNow();
  }
}
