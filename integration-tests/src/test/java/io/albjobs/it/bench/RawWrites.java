package io.albjobs.it.bench;

import io.albjobs.operator.alb.AlbJob;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobSpec;
import io.albjobs.operator.status.JobStatuses;
import io.albjobs.operator.status.Times;
import io.albjobs.operator.write.JobNames;
import io.albjobs.operator.write.Labels;
import io.albjobs.operator.write.StatusRecorder;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling for mirroring speed: the same AsyncJob objects the operator writes (same labels,
 * annotation, owner reference, spec and status with its six conditions), created and then given
 * their status with the operator's own {@link StatusRecorder} (server-side apply on the status
 * subresource), from a fabric8 client built the same way, by a fixed pool of threads as large as
 * the operator's reconciler pool. No ALB, no informer, no logic.
 */
final class RawWrites {
  record Result(int objects, int threads, double seconds, long failures) {
    double objectsPerSecond() {
      return objects / seconds;
    }

    double writesPerSecond() {
      return 2 * objects / seconds;
    }
  }

  private RawWrites() {}

  static Result run(KubernetesClient client, String namespace, List<SimJob> jobs, int threads)
      throws Exception {
    StatusRecorder writer = new StatusRecorder(client, null, Clock.systemUTC(), Duration.ZERO);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Instant now = Instant.now();
    long start = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    long[] failures = {0};
    int per = (jobs.size() + threads - 1) / threads;
    for (int t = 0; t < threads; t++) {
      List<SimJob> slice =
          jobs.subList(Math.min(jobs.size(), t * per), Math.min(jobs.size(), (t + 1) * per));
      futures.add(
          pool.submit(
              () -> {
                for (SimJob j : slice) {
                  try {
                    AlbJob alb =
                        new AlbJob(
                            j.id(),
                            j.apiName(),
                            j.operateType(),
                            j.resourceType(),
                            j.resourceId(),
                            j.finalStatus(),
                            j.errorCode(),
                            j.errorMessage(),
                            j.createTime().toEpochMilli(),
                            j.finishTime().toEpochMilli());
                    AsyncJob created = client.resource(object(namespace, alb)).create();
                    var status =
                        JobStatuses.fromAlb(alb, null, created.getMetadata().getGeneration(), now);
                    status.setLastSyncTime(Times.format(now));
                    writer.write(created, status);
                  } catch (RuntimeException e) {
                    synchronized (failures) {
                      failures[0]++;
                    }
                  }
                }
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    return new Result(jobs.size(), threads, seconds, failures[0]);
  }

  /** The object {@code JobMirror.create} builds for a watch named {@code raw}. */
  static AsyncJob object(String namespace, AlbJob job) {
    Map<String, String> labels = new HashMap<>();
    labels.put(Labels.WATCH, "raw");
    labels.put(Labels.MANAGED_BY, Labels.MANAGER);
    labels.put(Labels.RESOURCE_TYPE, Labels.value(job.resourceType()));
    labels.put(Labels.RESOURCE_ID, Labels.value(job.resourceId()));
    labels.put(Labels.API_NAME, Labels.value(job.apiName()));
    String idLabel = Labels.value(job.id());
    if (idLabel != null) {
      labels.put(Labels.JOB_ID, idLabel);
    }
    labels.put(Labels.PHASE, JobStatuses.phaseOf(job).name());
    AsyncJob r = new AsyncJob();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName(JobNames.forJobId(job.id()))
            .withNamespace(namespace)
            .withLabels(labels)
            .withAnnotations(Map.of(Labels.JOB_ID_ANNOTATION, job.id()))
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("albjobs.io/v1alpha1")
                    .withKind("AsyncJobWatch")
                    .withName("raw")
                    .withUid("00000000-0000-0000-0000-000000000000")
                    .withController(true)
                    .withBlockOwnerDeletion(false)
                    .build())
            .build());
    r.setSpec(new AsyncJobSpec(job.id(), "cn-hangzhou"));
    return r;
  }
}
