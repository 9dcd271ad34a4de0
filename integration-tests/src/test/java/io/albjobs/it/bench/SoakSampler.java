package io.albjobs.it.bench;

import io.albjobs.simulator.AlbSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Samples the operator through the idle window (every {@code --soak-sample}, 30 s by default):
 * cumulative ALB calls and operator writes since the window started, operator CPU seconds, heap in
 * use and old generation (the last {@code jstat} sample), threads, and the series on its {@code
 * /metrics}. Writes {@code soak.csv} and the least-squares slope of each per hour.
 *
 * <p><b>Flat</b>: a level (heap, old generation, threads, series) or a rate (calls, writes, CPU per
 * second, from the counters' increments between samples) grows by at most 10% of its mean per hour:
 * {@code slope per hour <= 0.1 x mean}; a fall is flat (just after the wave the shared listings are
 * larger, so rates fall); a rate that is 0 throughout is flat. With fewer than 10 samples no
 * verdict is given.
 */
final class SoakSampler {
  static final double FLAT_SHARE_PER_HOUR = 0.10;
  private static final String[] COLUMNS = {
    "alb_calls",
    "operator_writes",
    "operator_cpu_s",
    "heap_used_mib",
    "old_gen_mib",
    "threads",
    "metric_series"
  };
  private static final boolean[] COUNTER = {true, true, true, false, false, false, false};

  private SoakSampler() {}

  /** Samples until {@code endMillis}; returns the soak section of results.json. */
  static Map<String, Object> run(
      BenchLog log,
      Duration every,
      OperatorProcess op,
      ProcStats.HeapSampler heap,
      AlbSimulator sim,
      ApiServerWrites writes,
      long startMillis,
      long endMillis,
      boolean liveHeap,
      Path csv)
      throws InterruptedException, IOException {
    ApiServerWrites.Snapshot w0 = writes.snapshot();
    long calls0 = sim.callCount();
    List<double[]> rows = new ArrayList<>();
    Map<String, Object> m = new LinkedHashMap<>();
    if (liveHeap) {
      m.put("liveHeapFirstMiB", ProcStats.liveHeapMiB(op.pid()));
    }
    StringBuilder out = new StringBuilder("second," + String.join(",", COLUMNS) + "\n");
    long next = System.currentTimeMillis();
    while (true) {
      long now = System.currentTimeMillis();
      if (now >= next) {
        String body = OperatorScrape.metrics(op.httpPort);
        ProcStats.HeapSampler.Heap h = heap.read();
        ApiServerWrites.Snapshot w = writes.snapshot().minus(w0);
        double[] row = {
          (now - startMillis) / 1000.0,
          sim.callCount() - calls0,
          w.of("asyncjobs") + w.of("asyncjobwatches") + w.of("events"),
          ProcStats.cpuSeconds(op.pid()),
          Math.round(h.lastUsedMiB() * 10) / 10.0,
          Math.round(h.lastOldMiB() * 10) / 10.0,
          ProcStats.threads(op.pid()),
          OperatorScrape.series(body)
        };
        rows.add(row);
        out.append(
            String.format(
                Locale.ROOT,
                "%.0f,%.0f,%.0f,%.2f,%.1f,%.1f,%.0f,%.0f%n",
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                row[7]));
        if ((rows.size() - 1) % 10 == 0) {
          log.log(
              "idle sample %d: %.0f ALB calls, %.0f writes, CPU %.1f s, heap %.0f MiB, %d threads, %d series",
              rows.size(), row[1], row[2], row[3], row[4], (int) row[6], (int) row[7]);
        }
        next += every.toMillis();
      }
      if (now >= endMillis) {
        break;
      }
      Thread.sleep(Math.max(10, Math.min(next, endMillis) - System.currentTimeMillis()));
    }
    Files.writeString(csv, out);
    if (liveHeap) {
      m.put("liveHeapLastMiB", ProcStats.liveHeapMiB(op.pid()));
    }
    m.put("samples", rows.size());
    m.put("sampleSeconds", every.toSeconds());
    m.put("flatRule", "slope per hour <= " + FLAT_SHARE_PER_HOUR + " x mean (rates for counters)");
    boolean allFlat = rows.size() >= 10;
    Map<String, Object> cols = new LinkedHashMap<>();
    for (int c = 0; c < COLUMNS.length; c++) {
      Map<String, Object> col = new LinkedHashMap<>();
      double[] t = new double[rows.size()];
      double[] v = new double[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        t[i] = rows.get(i)[0] / 3600.0;
        v[i] = rows.get(i)[c + 1];
      }
      col.put("first", v.length == 0 ? Double.NaN : v[0]);
      col.put("last", v.length == 0 ? Double.NaN : v[v.length - 1]);
      col.put("slopePerHour", round(slope(t, v)));
      Boolean flat = null;
      if (COUNTER[c] && rows.size() >= 3) {
        // the rate between samples, per second, at the middle of each interval
        double[] rt = new double[rows.size() - 1];
        double[] rv = new double[rows.size() - 1];
        for (int i = 1; i < rows.size(); i++) {
          rt[i - 1] = (t[i] + t[i - 1]) / 2;
          rv[i - 1] = (v[i] - v[i - 1]) / ((t[i] - t[i - 1]) * 3600);
        }
        double mean = mean(rv);
        double s = slope(rt, rv);
        col.put("ratePerSecondMean", round(mean));
        col.put("rateSlopePerHour", round(s));
        flat = rows.size() >= 10 ? s <= FLAT_SHARE_PER_HOUR * Math.abs(mean) + 1e-9 : null;
      } else if (!COUNTER[c] && rows.size() >= 3) {
        double mean = mean(v);
        col.put("mean", round(mean));
        flat =
            rows.size() >= 10 ? slope(t, v) <= FLAT_SHARE_PER_HOUR * Math.abs(mean) + 1e-9 : null;
      }
      col.put("flat", flat);
      if (flat != null && !flat) {
        allFlat = false;
      }
      cols.put(COLUMNS[c], col);
    }
    m.put("columns", cols);
    m.put("allFlat", rows.size() >= 10 ? allFlat : null);
    return m;
  }

  static double slope(double[] x, double[] y) {
    int n = x.length;
    if (n < 2) {
      return Double.NaN;
    }
    double mx = mean(x);
    double my = mean(y);
    double num = 0;
    double den = 0;
    for (int i = 0; i < n; i++) {
      num += (x[i] - mx) * (y[i] - my);
      den += (x[i] - mx) * (x[i] - mx);
    }
    return den == 0 ? Double.NaN : num / den;
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return v.length == 0 ? Double.NaN : s / v.length;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  static String summary(Map<String, Object> soak) {
    StringBuilder b = new StringBuilder();
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> cols = (Map<String, Map<String, Object>>) soak.get("columns");
    cols.forEach(
        (name, col) ->
            b.append(
                String.format(
                    Locale.ROOT,
                    "%s %s -> %s slope %s/h%s%s; ",
                    name,
                    col.get("first"),
                    col.get("last"),
                    col.get("slopePerHour"),
                    col.containsKey("rateSlopePerHour")
                        ? " (rate "
                            + col.get("ratePerSecondMean")
                            + "/s, "
                            + col.get("rateSlopePerHour")
                            + "/s per h)"
                        : "",
                    Boolean.FALSE.equals(col.get("flat")) ? " NOT FLAT" : "")));
    return b.toString();
  }
}
