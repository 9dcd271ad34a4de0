package io.albjobs.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What Linux and the JVM say about a process: CPU seconds (user + system, from {@code
 * /proc/<pid>/stat}), peak and current RSS ({@code VmHWM}, {@code VmRSS}) and, for a JVM, its heap
 * sampled by {@code jstat -gc} every second (used = survivors + eden + old).
 */
final class ProcStats {
  private static final double TICKS = 100.0; // USER_HZ on Linux

  private ProcStats() {}

  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after the command: state(0) ppid(1) ... utime(11) stime(12)
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** CPU seconds per thread name of a process (digits folded to {@code #}, so pools add up). */
  static java.util.Map<String, Double> threadCpu(long pid) {
    java.util.Map<String, Double> m = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : tasks.toList()) {
        try {
          String name = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+", "#");
          m.merge(
              name,
              cpuSeconds(Long.parseLong(t.getFileName().toString()), t.resolve("stat")),
              Double::sum);
        } catch (IOException | RuntimeException e) {
          // thread ended
        }
      }
    } catch (IOException e) {
      // process gone
    }
    return m;
  }

  /** Threads whose CPU grew most between two {@link #threadCpu} readings, seconds. */
  static java.util.Map<String, Double> threadCpuDelta(
      java.util.Map<String, Double> before, java.util.Map<String, Double> after, int top) {
    java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
    after.entrySet().stream()
        .map(
            e ->
                java.util.Map.entry(
                    e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
        .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .limit(top)
        .forEach(e -> m.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
    return m;
  }

  private static double cpuSeconds(long tid, Path stat) throws IOException {
    String s = Files.readString(stat);
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
  }

  /** A {@code VmXXX} line of {@code /proc/<pid>/status}, in MiB. */
  static double statusMiB(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return Double.NaN;
  }

  /** The {@code Threads:} line of {@code /proc/<pid>/status}, or -1. */
  static int threads(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("Threads:")) {
          return Integer.parseInt(line.substring(8).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  /** The pid of a descendant of this JVM whose command ends with {@code name}, or -1. */
  static long descendant(String name) {
    return ProcessHandle.current()
        .descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("/" + name)).orElse(false))
        .mapToLong(ProcessHandle::pid)
        .findFirst()
        .orElse(-1);
  }

  /** {@code jstat -gc <pid> 1000} in the background; heap figures in MiB. */
  static final class HeapSampler implements AutoCloseable {
    private final Process jstat;
    private final Path log;

    HeapSampler(long pid, Path log) throws IOException {
      this.log = log;
      this.jstat =
          new ProcessBuilder("jstat", "-gc", Long.toString(pid), "1000")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    }

    record Heap(
        double peakUsedMiB,
        double peakCommittedMiB,
        double lastUsedMiB,
        double gcSeconds,
        long youngGcs,
        long fullGcs,
        double lastOldMiB,
        int samples) {}

    /** Peak of the samples so far, and the GC totals of the last sample. */
    Heap read() {
      List<double[]> rows = new ArrayList<>();
      String[] header = null;
      try {
        for (String line : Files.readAllLines(log)) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 5 && f[0].equals("S0C")) {
            header = f;
          } else if (header != null && f.length == header.length) {
            double[] row = new double[f.length];
            for (int i = 0; i < f.length; i++) {
              row[i] = f[i].equals("-") ? 0 : Double.parseDouble(f[i]);
            }
            rows.add(row);
          }
        }
      } catch (IOException | RuntimeException e) {
        // partial file
      }
      if (header == null || rows.isEmpty()) {
        return new Heap(Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1, -1, Double.NaN, 0);
      }
      List<String> h = List.of(header);
      int[] used = {h.indexOf("S0U"), h.indexOf("S1U"), h.indexOf("EU"), h.indexOf("OU")};
      int[] cap = {h.indexOf("S0C"), h.indexOf("S1C"), h.indexOf("EC"), h.indexOf("OC")};
      double peakUsed = 0;
      double peakCap = 0;
      double lastUsed = 0;
      for (double[] r : rows) {
        double u = 0;
        double c = 0;
        for (int i = 0; i < 4; i++) {
          u += r[used[i]];
          c += r[cap[i]];
        }
        peakUsed = Math.max(peakUsed, u);
        peakCap = Math.max(peakCap, c);
        lastUsed = u;
      }
      double[] last = rows.get(rows.size() - 1);
      return new Heap(
          peakUsed / 1024,
          peakCap / 1024,
          lastUsed / 1024,
          last[h.indexOf("GCT")],
          (long) last[h.indexOf("YGC")],
          (long) last[h.indexOf("FGC")],
          last[h.indexOf("OU")] / 1024,
          rows.size());
    }

    @Override
    public void close() {
      jstat.destroy();
      try {
        jstat.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Heap in use right after a full GC ({@code jcmd GC.run}, then one {@code jstat} sample). */
  static double liveHeapMiB(long pid) {
    try {
      new ProcessBuilder("jcmd", Long.toString(pid), "GC.run")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(60, TimeUnit.SECONDS);
      Process p =
          new ProcessBuilder("jstat", "-gc", Long.toString(pid)).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(30, TimeUnit.SECONDS);
      String[] lines = out.trim().split("\n");
      List<String> h = List.of(lines[0].trim().split("\\s+"));
      String[] v = lines[1].trim().split("\\s+");
      double u = 0;
      for (String k : List.of("S0U", "S1U", "EU", "OU")) {
        u += Double.parseDouble(v[h.indexOf(k)]);
      }
      return u / 1024;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }
}
