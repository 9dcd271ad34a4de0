package io.albjobs.demo;

import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.crd.AsyncJob;
import io.albjobs.operator.crd.AsyncJobStatus;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.operator.status.Conditions;
import io.albjobs.operator.write.JobNames;
import io.albjobs.operator.write.Labels;
import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.RecordedCall;
import io.albjobs.simulator.SimJob;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders what the demo shows: the AsyncJob table, the watches and a closing summary. */
final class DemoReport {
  private static final String ROW = "%-38s %-25s %-18s %-11s %-23s %s%n";

  private DemoReport() {}

  static String table(List<AsyncJob> jobs) {
    StringBuilder out =
        new StringBuilder(
            String.format(ROW, "JOB ID", "API", "RESOURCE", "PHASE", "ERROR", "SOURCE"));
    jobs.stream()
        .sorted(
            Comparator.comparing(
                    (AsyncJob j) ->
                        j.getStatus() == null || j.getStatus().getCreateTime() == null
                            ? "~"
                            : j.getStatus().getCreateTime())
                .thenComparing(j -> j.getSpec().getJobId()))
        .forEach(
            j -> {
              AsyncJobStatus s = j.getStatus() == null ? new AsyncJobStatus() : j.getStatus();
              String watch =
                  j.getMetadata().getLabels() == null
                      ? null
                      : j.getMetadata().getLabels().get(Labels.WATCH);
              out.append(
                  String.format(
                      ROW,
                      j.getSpec().getJobId(),
                      nz(s.getApiName()),
                      nz(s.getResourceId()),
                      s.getPhase() == null ? "" : s.getPhase(),
                      nz(s.getErrorCode()),
                      watch == null ? "user: " + j.getMetadata().getName() : "watch: " + watch));
            });
    return out.toString();
  }

  /** Jobs whose mirrored phase differs from the simulator's final status (or that are missing). */
  static List<String> mismatches(KubernetesClient client, List<SimJob> expected) {
    Map<String, AsyncJob> byJobId =
        client.resources(AsyncJob.class).inNamespace(Demo.NS).list().getItems().stream()
            .collect(Collectors.toMap(j -> j.getSpec().getJobId(), j -> j, (a, b) -> a));
    List<String> problems = new ArrayList<>();
    for (SimJob job : expected) {
      AsyncJob mirrored = byJobId.get(job.id());
      String phase =
          mirrored == null || mirrored.getStatus() == null
              ? "missing"
              : String.valueOf(mirrored.getStatus().getPhase());
      if (!job.finalStatus().equals(phase)) {
        problems.add(
            job.id()
                + " ("
                + JobNames.forJobId(job.id())
                + "): ALB says "
                + job.finalStatus()
                + ", AsyncJob says "
                + phase);
      }
    }
    return problems;
  }

  static String summary(KubernetesClient client, AlbSimulator alb, OperatorApp app, Duration took) {
    List<AsyncJob> jobs = client.resources(AsyncJob.class).inNamespace(Demo.NS).list().getItems();
    long succeeded =
        jobs.stream()
            .filter(
                j ->
                    j.getStatus() != null
                        && "Succeeded".equals(String.valueOf(j.getStatus().getPhase())))
            .count();
    long failed =
        jobs.stream()
            .filter(
                j ->
                    j.getStatus() != null
                        && "Failed".equals(String.valueOf(j.getStatus().getPhase())))
            .count();
    List<RecordedCall> calls = alb.calls();
    long refused = calls.stream().filter(c -> c.httpStatus() != 200).count();
    StringBuilder out = new StringBuilder();
    out.append(String.format("%nSummary after %ds%n", took.toSeconds()));
    out.append(
        String.format(
            "  AsyncJobs: %d (%d Succeeded, %d Failed, %d in flight)%n",
            jobs.size(), succeeded, failed, jobs.size() - succeeded - failed));
    jobs.stream()
        .filter(j -> j.getStatus() != null && j.getStatus().getErrorCode() != null)
        .forEach(
            j ->
                out.append(
                    String.format(
                        "  Failed job %s: %s on %s -> %s: %s%n",
                        j.getSpec().getJobId(),
                        j.getStatus().getApiName(),
                        j.getStatus().getResourceId(),
                        j.getStatus().getErrorCode(),
                        j.getStatus().getErrorMessage())));
    out.append("\nkubectl get asyncjobwatches -n demo\n");
    out.append(
        String.format(
            "  %-10s %-10s %-10s %-6s %-22s %s%n",
            "NAME", "RESOURCES", "PROCESSING", "FAILED", "READY", "MESSAGE"));
    for (AsyncJobWatch w :
        client.resources(AsyncJobWatch.class).inNamespace(Demo.NS).list().getItems()) {
      var s = w.getStatus();
      Condition ready =
          s == null ? null : Conditions.find(s.getConditions(), Conditions.READY).orElse(null);
      out.append(
          String.format(
              "  %-10s %-10s %-10s %-6s %-22s %s%n",
              w.getMetadata().getName(),
              s == null || s.getResourceCount() == null ? "-" : s.getResourceCount(),
              s == null || s.getJobs() == null ? "-" : s.getJobs().getProcessing(),
              s == null || s.getJobs() == null ? "-" : s.getJobs().getFailed(),
              ready == null ? "-" : ready.getStatus() + " (" + ready.getReason() + ")",
              ready == null ? "" : ready.getMessage()));
    }
    out.append(
        String.format(
            "%nALB: %d signed ListAsynJobs calls through aliyun-java-sdk-core; %d verified and answered, %d refused%n",
            calls.size(), calls.size() - refused, refused));
    calls.stream()
        .filter(c -> c.httpStatus() != 200)
        .map(RecordedCall::errorCode)
        .distinct()
        .forEach(
            code -> out.append("  refused with ").append(code).append(" (the wrong-key watch)\n"));
    out.append(
        String.format(
            "Kubernetes: %d status writes for %d AsyncJobs and 2 watches%n",
            app.statusWrites(), jobs.size()));
    return out.toString();
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
