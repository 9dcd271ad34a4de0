package io.albjobs.operator.sync;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.ErrorKind;
import io.albjobs.operator.alb.JobLister;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls user-created AsyncJobs by ID, batched: every due job of one account scope goes into one
 * {@code ListAsynJobs} call per ten IDs. Scopes are polled independently, so a slow or throttled
 * account never delays another. A job that finishes, or never appears within the not-found
 * timeout, is dropped.
 */
public final class UserJobPoller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UserJobPoller.class);

  /** One tracked job: the latest object we know and when to ask ALB next. */
  private static final class Tracked {
    volatile AsyncJob job;
    volatile AccountScope scope;
    volatile Instant due;
    volatile int failures;
  }

  private final AlbClients clients;
  private final JobMirror mirror;
  private final EventRecorder events;
  private final SyncDefaults defaults;
  private final Clock clock;
  private final JobLister lister;
  private final Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5));
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
  private final Set<AccountScope> busy = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "user-job-ticker"));
  private final ExecutorService workers =
      Executors.newFixedThreadPool(4, r -> daemon(r, "user-job-poller"));

  public UserJobPoller(
      AlbClients clients, JobMirror mirror, EventRecorder events, SyncDefaults defaults, Clock clock) {
    this.clients = clients;
    this.mirror = mirror;
    this.events = events;
    this.defaults = defaults;
    this.clock = clock;
    this.lister = new JobLister(defaults.maxPages());
  }

  public void start(Duration tick) {
    ticker.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts or refreshes tracking of an unfinished AsyncJob; {@code now} asks for an immediate poll. */
  public void track(AsyncJob job, AccountScope scope, boolean now) {
    Tracked t = tracked.computeIfAbsent(key(job), k -> new Tracked());
    if (t.job == null || !olderThan(job, t.job)) {
      t.job = job;
    }
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

  public int trackedCount() {
    return tracked.size();
  }

  /** Runs due scopes; public so tests can drive it without the ticker. */
  public void tick() {
    Instant now = clock.instant();
    Map<AccountScope, List<Tracked>> due = new HashMap<>();
    for (Tracked t : tracked.values()) {
      if (!t.due.isAfter(now)) {
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
      AsyncJobStatus desired;
      Long generation = job.getMetadata().getGeneration();
      if (seen != null) {
        desired = JobStatuses.fromAlb(seen, job.getStatus(), generation, now);
      } else if (invisibleFor(job, now).compareTo(defaults.notFoundTimeout()) > 0) {
        desired =
            JobStatuses.notVisible(
                job.getStatus(),
                new JobStatuses.Problem(
                    "JobNotFound",
                    "ALB has not shown job " + job.getSpec().getJobId() + " in region "
                        + job.getSpec().getRegionId() + " within " + Durations.format(defaults.notFoundTimeout())
                        + "; check spec.jobId, spec.regionId and the credentials' account"),
                generation,
                now);
      } else {
        desired = JobStatuses.notVisible(job.getStatus(), null, generation, now);
      }
      t.failures = 0;
      write(t, desired);
      boolean done = desired.isFinished() || Conditions.isTrue(desired.getConditions(), Conditions.STALLED);
      if (done) {
        tracked.remove(key(job), t);
      } else {
        t.due = now.plus(Backoff.jitter(defaults.activePollInterval(), 0.1));
      }
    }
  }

  private void onError(List<Tracked> batch, AlbException e) {
    Instant now = clock.instant();
    for (Tracked t : batch) {
      t.failures++;
      if (e.kind() == ErrorKind.TERMINAL) {
        WatchRollup.PollHealth h = WatchSync.fromAlb(e, t.failures);
        AsyncJobStatus desired =
            JobStatuses.notVisible(
                t.job.getStatus(),
                new JobStatuses.Problem(h.reason(), h.message()),
                t.job.getMetadata().getGeneration(),
                now);
        boolean newProblem = !Conditions.isTrue(t.job.getStatus() == null ? null : t.job.getStatus().getConditions(), Conditions.STALLED);
        write(t, desired);
        if (newProblem) {
          events.warning(t.job, h.reason(), h.message());
        }
        t.due = now.plus(defaults.pollInterval());
      } else {
        Duration delay = backoff.delay(t.failures);
        t.due = now.plus(delay.compareTo(defaults.pollInterval()) < 0 ? delay : defaults.pollInterval());
      }
    }
  }

  private void write(Tracked t, AsyncJobStatus desired) {
    try {
      t.job = mirror.writeIfChanged(t.job, desired, ChildCache.NONE);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        tracked.remove(key(t.job), t);
      } else {
        throw e;
      }
    }
  }

  /** True if {@code a} is an older copy than {@code b} (an informer cache behind our own write). */
  private static boolean olderThan(AsyncJob a, AsyncJob b) {
    try {
      return Long.parseLong(a.getMetadata().getResourceVersion())
          < Long.parseLong(b.getMetadata().getResourceVersion());
    } catch (NumberFormatException | NullPointerException e) {
      return false;
    }
  }

  private static Duration invisibleFor(AsyncJob job, Instant now) {
    Instant created = Times.parse(job.getMetadata().getCreationTimestamp());
    return created == null ? Duration.ZERO : Duration.between(created, now);
  }

  private static String key(AsyncJob job) {
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
