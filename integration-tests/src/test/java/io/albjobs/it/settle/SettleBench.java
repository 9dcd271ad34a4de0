package io.albjobs.it.settle;

import io.albjobs.it.kube.AlbConfigCrd;
import io.albjobs.it.kube.SharedControlPlane;
import io.albjobs.it.settle.SettleTrials.Result;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The full run of the no-false-green trials (scripts/bench-settle): by default 200 trials, settling
 * on and off, on a control plane of its own; prints p50/p99 gate latency, false greens, the time to
 * Settling and ALB calls per trial, and the timeline of every false green or unexpected outcome.
 *
 * <pre>
 *   --trials=200 --concurrency=40 --seed=15 --active-poll-interval=2s --settle-period=6s
 *   --stagger=800ms --restart-after=45s
 * </pre>
 */
public final class SettleBench {
  private SettleBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      if (arg.startsWith("--") && arg.contains("=")) {
        a.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
      } else {
        System.err.println("unknown argument " + arg + " (see SettleBench's Javadoc)");
        System.exit(2);
      }
    }
    int trials = Integer.parseInt(a.getOrDefault("trials", "200"));
    long seed = Long.parseLong(a.getOrDefault("seed", "15"));
    Duration activePoll = duration(a.getOrDefault("active-poll-interval", "2s"));
    Duration settlePeriod = duration(a.getOrDefault("settle-period", "6s"));
    Duration stagger = duration(a.getOrDefault("stagger", "800ms"));
    int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "40"));
    Duration restartAfter = duration(a.getOrDefault("restart-after", "45s"));
    var admin = SharedControlPlane.get().admin();
    AlbConfigCrd.install(admin);
    int status = 0;
    try {
      TrialStats stats =
          SettleRun.run(
              "bench", seed, trials, activePoll, settlePeriod, stagger, concurrency, restartAfter);
      for (Result r : stats.on()) {
        if (r.falseGreenSeen()) {
          System.out.println("FALSE GREEN " + r.falseGreen() + "\n" + r.timeline());
          status = 1;
        }
        if (!r.outcomeAsExpected()) {
          System.out.println("UNEXPECTED OUTCOME " + r.outcome() + "\n" + r.timeline());
          status = 1;
        }
      }
      System.out.print(stats.report());
    } finally {
      AlbConfigCrd.remove(admin);
    }
    System.exit(status);
  }

  private static Duration duration(String s) {
    if (s.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
    }
    if (s.endsWith("s")) {
      return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
    }
    throw new IllegalArgumentException("a duration such as 2s or 400ms: " + s);
  }
}
