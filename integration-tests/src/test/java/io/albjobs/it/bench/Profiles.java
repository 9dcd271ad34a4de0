package io.albjobs.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the operator's CPU and heap go: a JDK Flight Recorder recording of a phase (started and
 * dumped with {@code jcmd}, {@code --profile=true}) summarised as the methods most often on CPU
 * (self and inclusive, among the project's and its libraries' packages), and the top of a class
 * histogram of the live heap.
 */
final class Profiles {
  private static final List<String> PACKAGES =
      List.of(
          "io.albjobs.",
          "io.fabric8.",
          "io.javaoperatorsdk.",
          "com.aliyuncs.",
          "com.fasterxml.",
          "io.micrometer.",
          "ch.qos.logback.",
          "org.apache.http.",
          "java.net.http.",
          "jdk.internal.net.http.",
          "sun.security.");

  private Profiles() {}

  static void start(long pid, String name, boolean enabled) {
    if (enabled) {
      jcmd(pid, "JFR.start", "name=" + name, "settings=profile");
    }
  }

  static void stop(long pid, String name, Path file, boolean enabled) {
    if (enabled) {
      jcmd(pid, "JFR.stop", "name=" + name, "filename=" + file);
    }
  }

  /** Top methods by CPU samples: self (top frame) and inclusive (anywhere on the stack). */
  static Map<String, Object> summarize(Path jfr, Path text) throws IOException {
    Map<String, Integer> self = new LinkedHashMap<>();
    Map<String, Integer> inclusive = new LinkedHashMap<>();
    Map<String, Integer> selfPackage = new LinkedHashMap<>();
    int samples = 0;
    if (!Files.exists(jfr)) {
      return Map.of("samples", 0);
    }
    for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
        continue;
      }
      samples++;
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      if (frames.isEmpty()) {
        continue;
      }
      self.merge(name(frames.get(0)), 1, Integer::sum);
      selfPackage.merge(pkg(frames.get(0)), 1, Integer::sum);
      Set<String> seen = new HashSet<>();
      for (RecordedFrame f : frames) {
        String n = name(f);
        if (PACKAGES.stream().anyMatch(n::startsWith) && seen.add(n)) {
          inclusive.merge(n, 1, Integer::sum);
        }
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("samples", samples);
    m.put("selfByPackage", top(selfPackage, 12, samples));
    m.put("self", top(self, 15, samples));
    m.put("inclusive", top(inclusive, 40, samples));
    StringBuilder out = new StringBuilder("CPU samples: " + samples + "\n");
    for (String k : List.of("selfByPackage", "self", "inclusive")) {
      out.append("\n").append(k).append(":\n");
      ((Map<?, ?>) m.get(k)).forEach((a, b) -> out.append(String.format("  %6s  %s%n", b, a)));
    }
    Files.writeString(text, out);
    m.put("inclusive", top(inclusive, 20, samples));
    return m;
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static String pkg(RecordedFrame f) {
    String t = f.getMethod().getType().getName();
    String[] parts = t.split("\\.");
    return parts.length > 3 ? String.join(".", parts[0], parts[1], parts[2]) : t;
  }

  private static Map<String, String> top(Map<String, Integer> counts, int n, int total) {
    Map<String, String> m = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue())
        .limit(n)
        .forEach(
            e ->
                m.put(
                    e.getKey(),
                    String.format(
                        java.util.Locale.ROOT,
                        "%.1f%%",
                        100.0 * e.getValue() / Math.max(1, total))));
    return m;
  }

  /** The top of {@code jcmd GC.class_histogram} (live objects), whole output saved to a file. */
  static List<String> histogram(long pid, Path file, int lines) {
    String out = jcmd(pid, "GC.class_histogram");
    try {
      Files.writeString(file, out);
    } catch (IOException e) {
      // keep going
    }
    List<String> top = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.trim().matches("^(num|[0-9]+:|Total).*") && top.size() < lines + 2) {
        top.add(line.trim().replaceAll("\\s+", " "));
      }
      if (line.trim().startsWith("Total")) {
        top.add(line.trim().replaceAll("\\s+", " "));
      }
    }
    return top;
  }

  private static String jcmd(long pid, String... command) {
    List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
    cmd.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(120, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
