package io.albjobs.it.bench;

import io.albjobs.operator.config.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's parameters: a named scale ({@code small}, the default, or {@code full}) and
 * overrides, all as {@code --name=value}. Unknown flags are an error.
 */
record BenchConfig(
    String scale,
    int watches,
    int lbsPerWatch,
    int namespaces,
    int history,
    int inflight,
    Duration idle,
    Duration pollInterval,
    Duration activePollInterval,
    double albQps,
    int albBurst,
    String operatorXmx,
    Duration baselineInterval,
    int baselineThreads,
    Duration waveRamp,
    Duration jobMin,
    Duration jobMax,
    double failShare,
    int rawThreads,
    int rawObjects,
    long seed,
    boolean profile,
    boolean shareListings,
    int probes,
    Duration probeGap,
    Duration soakSample,
    boolean restart,
    boolean failover,
    Duration leaseDuration,
    Path out,
    Path jar,
    Path crdDir) {

  static final String USAGE =
      String.join(
          "\n",
          "Usage: scripts/bench [--scale=small|full] [--name=value ...]",
          "  --watches=N --lbs-per-watch=N --namespaces=N --history=N --inflight=N --idle-seconds=N",
          "  --poll-interval=30s --active-poll-interval=5s --alb-qps=Q --alb-burst=B --operator-xmx=384m",
          "  --baseline-interval=3s --baseline-threads=N --wave-ramp=20s --job-min=40s --job-max=160s",
          "  --fail-share=0.05 --raw-threads=8 --raw-objects=N --seed=N --profile=false --share-listings=true --out=DIR --jar=PATH --crd-dir=DIR",
          "  --probes=N (40 full, 15 small; 0: none) --probe-gap=6s --soak-sample=30s --restart=true",
          "  --failover=true --lease-duration=15s");

  static BenchConfig parse(List<String> args) {
    Map<String, String> v = new LinkedHashMap<>();
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(USAGE);
        System.exit(0);
      }
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("expected --name=value, got " + a + "\n" + USAGE);
      }
      v.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    String scale = v.getOrDefault("scale", "small");
    Map<String, String> d = new LinkedHashMap<>();
    switch (scale) {
      case "small" ->
          d.putAll(
              Map.of(
                  "watches",
                  "20",
                  "history",
                  "2000",
                  "inflight",
                  "200",
                  "idle-seconds",
                  "60",
                  "probes",
                  "15"));
      case "full" ->
          d.putAll(
              Map.of(
                  "watches",
                  "200",
                  "history",
                  "20000",
                  "inflight",
                  "2000",
                  "idle-seconds",
                  "300",
                  "probes",
                  "40"));
      default -> throw new IllegalArgumentException("--scale must be small or full");
    }
    d.put("lbs-per-watch", "10");
    d.put("namespaces", "1");
    d.put("poll-interval", "30s");
    d.put("active-poll-interval", "5s");
    d.put("operator-xmx", "384m");
    d.put("baseline-interval", "3s");
    d.put("baseline-threads", "32");
    d.put("wave-ramp", "20s");
    d.put("job-min", "40s");
    d.put("job-max", "160s");
    d.put("fail-share", "0.05");
    d.put("raw-threads", "8");
    d.put("seed", "42");
    d.put("profile", "false");
    d.put("share-listings", "true");
    d.put("probe-gap", "6s");
    d.put("soak-sample", "30s");
    d.put("restart", "true");
    d.put("failover", "true");
    // The operator's own default (--lease-duration); passed to both processes of the failover.
    d.put("lease-duration", "15s");
    d.put("out", "operator/target/bench");
    d.put("jar", "operator/target/alb-asyncjob-operator.jar");
    d.put("crd-dir", "crds");
    for (String k : v.keySet()) {
      if (!k.equals("scale")
          && !k.equals("alb-qps")
          && !k.equals("alb-burst")
          && !k.equals("raw-objects")
          && !d.containsKey(k)) {
        throw new IllegalArgumentException("unknown flag --" + k + "\n" + USAGE);
      }
    }
    d.putAll(v);
    int watches = Integer.parseInt(d.get("watches"));
    int lbs = Integer.parseInt(d.get("lbs-per-watch"));
    Duration active = Durations.parse(d.get("active-poll-interval"));
    // One account scope serves every watch: enough budget for one call per 10 load balancers of
    // every watch per active interval, plus half again for second pages and retries.
    int chunks = watches * ((lbs + 9) / 10);
    double autoQps = Math.max(5, Math.ceil(1.5 * chunks / (active.toMillis() / 1000.0)));
    double qps = d.containsKey("alb-qps") ? Double.parseDouble(d.get("alb-qps")) : autoQps;
    int burst =
        d.containsKey("alb-burst") ? Integer.parseInt(d.get("alb-burst")) : (int) Math.max(5, qps);
    int history = Integer.parseInt(d.get("history"));
    return new BenchConfig(
        scale,
        watches,
        lbs,
        Math.max(1, Integer.parseInt(d.get("namespaces"))),
        history,
        Integer.parseInt(d.get("inflight")),
        Duration.ofSeconds(Long.parseLong(d.get("idle-seconds"))),
        Durations.parse(d.get("poll-interval")),
        active,
        qps,
        burst,
        d.get("operator-xmx"),
        Durations.parse(d.get("baseline-interval")),
        Integer.parseInt(d.get("baseline-threads")),
        Durations.parse(d.get("wave-ramp")),
        Durations.parse(d.get("job-min")),
        Durations.parse(d.get("job-max")),
        Double.parseDouble(d.get("fail-share")),
        Integer.parseInt(d.get("raw-threads")),
        d.containsKey("raw-objects") ? Integer.parseInt(d.get("raw-objects")) : history,
        Long.parseLong(d.get("seed")),
        Boolean.parseBoolean(d.get("profile")),
        Boolean.parseBoolean(d.get("share-listings")),
        Integer.parseInt(d.get("probes")),
        Durations.parse(d.get("probe-gap")),
        Durations.parse(d.get("soak-sample")),
        Boolean.parseBoolean(d.get("restart")),
        Boolean.parseBoolean(d.get("failover")),
        Durations.parse(d.get("lease-duration")),
        Path.of(d.get("out")),
        Path.of(d.get("jar")),
        Path.of(d.get("crd-dir")));
  }

  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scale", scale);
    m.put("watches", watches);
    m.put("lbsPerWatch", lbsPerWatch);
    m.put("namespaces", namespaces);
    m.put("history", history);
    m.put("inflight", inflight);
    m.put("idleSeconds", idle.toSeconds());
    m.put("pollInterval", Durations.format(pollInterval));
    m.put("activePollInterval", Durations.format(activePollInterval));
    m.put("albQps", albQps);
    m.put("albBurst", albBurst);
    m.put("operatorXmx", operatorXmx);
    m.put("baselineInterval", Durations.format(baselineInterval));
    m.put("waveRamp", Durations.format(waveRamp));
    m.put("jobDuration", Durations.format(jobMin) + ".." + Durations.format(jobMax));
    m.put("failShare", failShare);
    m.put("rawThreads", rawThreads);
    m.put("rawObjects", rawObjects);
    m.put("seed", seed);
    m.put("profile", profile);
    m.put("shareListings", shareListings);
    m.put("probes", probes);
    m.put("probeGap", Durations.format(probeGap));
    m.put("soakSample", Durations.format(soakSample));
    m.put("restart", restart);
    m.put("failover", failover);
    m.put("leaseDuration", Durations.format(leaseDuration));
    return m;
  }
}
