package io.albjobs.it.settle;

import io.albjobs.it.settle.SettleTrials.Result;
import io.albjobs.it.settle.SettleTrials.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The same trials twice at once: with settling on (the operator's defaults, spec.settlePeriod on
 * the watches) and off ({@code --track-ingress-changes=false}, {@code spec.settlePeriod: 0s}), each
 * against its own operator, simulator and namespace, both operators restarted at the same moment
 * while trials settle; ALB calls of each simulator counted over the same window.
 */
public final class SettleRun {
  private SettleRun() {}

  /** The simulator's calls since {@code from} by action (of the last 10,000 it keeps). */
  private static java.util.Map<String, Long> byAction(SettleTrials trials, Instant from) {
    java.util.Map<String, Long> counts = new java.util.TreeMap<>();
    trials.env.sim.calls().stream()
        .filter(c -> !c.at().isBefore(from))
        .forEach(
            c ->
                counts.merge(
                    c.action()
                        + (c.params().containsKey("ResourceType")
                            ? "(" + c.params().get("ResourceType") + ")"
                            : ""),
                    1L,
                    Long::sum));
    return counts;
  }

  public static TrialStats run(
      String prefix,
      long seed,
      int trials,
      Duration activePoll,
      Duration settlePeriod,
      Duration stagger,
      int concurrency,
      Duration restartAfter)
      throws Exception {
    List<TrialPlan> plans = TrialPlan.draw(seed, trials, settlePeriod);
    Duration deadline = Duration.ofSeconds(110);
    // Operator flags for both runs. ALB's budget (--alb-qps, 5 by default) is raised so that it
    // does not cap the calls of either run: the cost compares what each asks for.
    String flags = System.getProperty("settle.operatorFlags", "--alb-qps=100");
    List<String> extra = flags.isBlank() ? List.of() : List.of(flags.trim().split("\\s+"));
    List<String> offFlags = new ArrayList<>(extra);
    offFlags.add("--track-ingress-changes=false");
    Settings on =
        new Settings(
            prefix + "-on", true, activePoll, settlePeriod, stagger, concurrency, deadline, extra);
    Settings off =
        new Settings(
            prefix + "-off",
            false,
            activePoll,
            settlePeriod,
            stagger,
            concurrency,
            deadline,
            offFlags);
    try (SettleTrials withSettling = new SettleTrials(on, seed);
        SettleTrials without = new SettleTrials(off, seed)) {
      long on0 = withSettling.albCalls();
      long off0 = without.albCalls();
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      List<Integer> settlingAtRestart = new ArrayList<>();
      ScheduledFuture<?> restart =
          timer.schedule(
              () -> {
                settlingAtRestart.addAll(withSettling.restartOperator());
                without.restartOperator();
                return null;
              },
              restartAfter.toMillis(),
              TimeUnit.MILLISECONDS);
      Instant start = Instant.now();
      CompletableFuture<List<Result>> offRun =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return without.run(plans);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      List<Result> onResults = withSettling.run(plans);
      List<Result> offResults = offRun.get();
      restart.get();
      timer.shutdownNow();
      long callsOn = withSettling.albCalls() - on0;
      long callsOff = without.albCalls() - off0;
      System.out.printf(
          "settle trials: seed %d, %d trials, active poll %s, settle period %s, ran %d s%n",
          seed,
          trials,
          activePoll,
          settlePeriod,
          Duration.between(start, Instant.now()).toSeconds());
      System.out.printf(
          "  ALB calls by action: on %s, off %s%n",
          byAction(withSettling, start), byAction(without, start));
      return new TrialStats(onResults, offResults, callsOn, callsOff, settlingAtRestart);
    }
  }
}
