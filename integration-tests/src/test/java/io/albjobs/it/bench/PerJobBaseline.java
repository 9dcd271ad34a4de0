package io.albjobs.it.bench;

import io.albjobs.operator.alb.AlbCredentials;
import io.albjobs.operator.alb.AlbEndpoint;
import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.alb.JobPage;
import io.albjobs.operator.alb.JobQuery;
import io.albjobs.operator.alb.SdkAlbJobClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What Terraform and the ingress controller do today: whoever started a job waits on it alone,
 * asking {@code ListAsynJobs} with {@code JobIds.1=<id>} every {@code interval} (first ask one
 * interval after the job was created, the next one interval after each answer) until ALB reports it
 * finished. Real SDK client, real signatures, against its own simulator.
 */
final class PerJobBaseline implements AutoCloseable {
  private final ScheduledThreadPoolExecutor pool;
  private final ThreadLocal<SdkAlbJobClient> client;
  private final Duration interval;
  private final Map<String, Long> detectedMillis = new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private CountDownLatch done;

  PerJobBaseline(String endpoint, int threads, Duration interval) {
    this.interval = interval;
    this.pool =
        new ScheduledThreadPoolExecutor(
            threads,
            r -> {
              Thread t = new Thread(r, "baseline-poller");
              t.setDaemon(true);
              return t;
            });
    AlbEndpoint ep = AlbEndpoint.parse(endpoint);
    AlbCredentials keys =
        new AlbCredentials.StaticKeys(
            "bench", BenchScenario.KEY_ID, BenchScenario.KEY_SECRET, null);
    this.client =
        ThreadLocal.withInitial(
            () -> {
              try {
                return new SdkAlbJobClient(
                    ep, "cn-hangzhou", keys, Duration.ofSeconds(5), Duration.ofSeconds(10));
              } catch (AlbException e) {
                throw new IllegalStateException(e);
              }
            });
  }

  /** Starts waiting on every job of the wave; returns at once. */
  void start(BenchScenario scenario, Instant waveStart) {
    done = new CountDownLatch(scenario.wave.size());
    long now = System.currentTimeMillis();
    for (BenchScenario.WaveJob j : scenario.wave) {
      long first = j.createdAt(waveStart).toEpochMilli() + interval.toMillis() - now;
      pool.schedule(() -> poll(j.id()), Math.max(0, first), TimeUnit.MILLISECONDS);
    }
  }

  private void poll(String id) {
    boolean finished = false;
    try {
      calls.incrementAndGet();
      JobPage page = client.get().listJobs(JobQuery.byJobIds(List.of(id)), null, 10);
      for (AlbJob job : page.jobs()) {
        if (job.id().equals(id) && job.isFinished()) {
          finished = true;
        }
      }
    } catch (AlbException | RuntimeException e) {
      errors.incrementAndGet();
    }
    if (finished) {
      detectedMillis.put(id, System.currentTimeMillis());
      done.countDown();
    } else {
      pool.schedule(() -> poll(id), interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  boolean await(Duration timeout) throws InterruptedException {
    return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  Long detected(String id) {
    return detectedMillis.get(id);
  }

  long calls() {
    return calls.get();
  }

  long errors() {
    return errors.get();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
