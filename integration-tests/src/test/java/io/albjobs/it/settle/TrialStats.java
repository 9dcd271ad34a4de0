package io.albjobs.it.settle;

import io.albjobs.it.settle.SettleTrials.Result;
import io.albjobs.it.settle.TrialPlan.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** The numbers of a run with settling on, next to the same trials with settling off. */
public record TrialStats(
    List<Result> on,
    List<Result> off,
    long callsOn,
    long callsOff,
    List<Integer> settlingAtRestart) {

  /** Kinds whose first change is an Ingress or AlbConfig write. */
  static boolean throughController(Kind k) {
    return k != Kind.WATCH_SPEC && k != Kind.POLL_NOW;
  }

  public static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  static List<Double> values(List<Result> results, Function<Result, Double> f) {
    return results.stream().map(f).filter(Objects::nonNull).toList();
  }

  /** Gate latency of the trials whose changes caused jobs (from the last job's finish). */
  public List<Double> latencyWithJobs() {
    return values(on.stream().filter(r -> !noJobs(r)).toList(), Result::latencySeconds);
  }

  /** Gate latency of the trials whose changes caused no job (from the fence). */
  public List<Double> latencyWithoutJobs() {
    return values(on.stream().filter(TrialStats::noJobs).toList(), Result::latencySeconds);
  }

  static boolean noJobs(Result r) {
    return !r.causedJobs();
  }

  public List<Double> settlingAfter() {
    return values(
        on.stream().filter(r -> throughController(r.kind())).toList(),
        Result::settlingAfterSeconds);
  }

  public long falseGreens(List<Result> results) {
    return results.stream().filter(Result::falseGreenSeen).count();
  }

  public double costRatio() {
    return callsOff == 0 ? Double.NaN : (double) callsOn / callsOff;
  }

  public String report() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "settle trials: %d with settling on, %d the same with settling off%n",
            on.size(), off.size()));
    out.append(
        String.format(
            "  false greens: on %d (only before the watch showed Settling: %d; also 2 s or more"
                + " after the change, past Argo CD's wave delay: %d), off %d%n",
            falseGreens(on),
            on.stream().filter(r -> r.falseGreenSeen() && r.raceOnly()).count(),
            on.stream().filter(Result::falseGreenAfterWaveDelay).count(),
            falseGreens(off)));
    out.append(
        String.format(
            "  gate latency, changes with jobs (from the last job's finish or the fence, whichever is later): p50 %.1f s, p99 %.1f s, max %.1f s (n=%d)%n",
            percentile(latencyWithJobs(), 50),
            percentile(latencyWithJobs(), 99),
            percentile(latencyWithJobs(), 100),
            latencyWithJobs().size()));
    out.append(
        String.format(
            "  gate latency, changes without a job (from the fence): p50 %.1f s, p99 %.1f s (n=%d)%n",
            percentile(latencyWithoutJobs(), 50),
            percentile(latencyWithoutJobs(), 99),
            latencyWithoutJobs().size()));
    out.append(
        String.format(
            "  Ingress/AlbConfig write -> watch shows Settling: p50 %.2f s, p99 %.2f s, max %.2f s (n=%d)%n",
            percentile(settlingAfter(), 50),
            percentile(settlingAfter(), 99),
            percentile(settlingAfter(), 100),
            settlingAfter().size()));
    out.append(
        String.format(
            "  ALB calls: on %d (%.1f per trial), off %d (%.1f per trial): ratio %.2f%n",
            callsOn,
            (double) callsOn / on.size(),
            callsOff,
            (double) callsOff / off.size(),
            costRatio()));
    out.append(
        String.format("  trials settling when the operator restarted: %s%n", settlingAtRestart));
    Map<Kind, List<Result>> byKind = new EnumMap<>(Kind.class);
    on.forEach(r -> byKind.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r));
    Map<Kind, List<Result>> offByKind = new EnumMap<>(Kind.class);
    off.forEach(r -> offByKind.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r));
    out.append(
        String.format(
            "  %-22s %3s %6s %7s %7s %8s %s%n",
            "kind", "n", "fg on", "fg off", "p50 s", "p99 s", "outcomes (on)"));
    byKind.forEach(
        (k, rs) -> {
          List<Double> l = values(rs, Result::latencySeconds);
          Map<String, Long> outcomes = new java.util.TreeMap<>();
          rs.forEach(r -> outcomes.merge(r.outcome(), 1L, Long::sum));
          out.append(
              String.format(
                  "  %-22s %3d %6d %7d %7.1f %8.1f %s%n",
                  k,
                  rs.size(),
                  falseGreens(rs),
                  falseGreens(offByKind.getOrDefault(k, List.of())),
                  percentile(l, 50),
                  percentile(l, 99),
                  outcomes));
        });
    out.append(
        "  per trial (settling on): index kind outcome latency time-to-Settling false-green\n");
    for (Result r : on) {
      out.append(
          String.format(
              "    %3d %-22s %-40s %6s %6s %s%n",
              r.index(),
              r.kind(),
              r.outcome(),
              r.latencySeconds() == null ? "-" : String.format("%.1f", r.latencySeconds()),
              r.settlingAfterSeconds() == null
                  ? "-"
                  : String.format("%.1f", r.settlingAfterSeconds()),
              r.falseGreenSeen() ? r.falseGreen() : ""));
    }
    return out.toString();
  }
}
