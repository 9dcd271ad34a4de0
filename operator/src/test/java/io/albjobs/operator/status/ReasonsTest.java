package io.albjobs.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.crd.JobPhase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator emits only the reasons {@link Reasons} lists. The main sources are scanned for the
 * places a reason is chosen: {@code new Problem(reason, ...)}, {@code events.warning/normal(object,
 * reason, ...)} and {@code conditions.set(Conditions.X, status, reason, ...)}. A reason given as a
 * string literal, as a local {@code String reason = ...} whose initialiser holds literals, or as a
 * constant, must be listed; reasons passed on from elsewhere ({@code problem.reason()}) are checked
 * where they are made.
 */
class ReasonsTest {
  private static final Path MAIN = Path.of("src/main/java/io/albjobs/operator");
  private static final Path REGISTRY = MAIN.resolve("status/Reasons.java");

  /** Call shapes that choose a reason, and which argument (0-based) is the reason. */
  private static final Map<Pattern, Integer> CALLS = new LinkedHashMap<>();

  static {
    CALLS.put(Pattern.compile("new\\s+(?:[A-Za-z]+\\.)?Problem\\s*\\("), 0);
    CALLS.put(Pattern.compile("\\.(?:warning|normal)\\s*\\("), 1);
    CALLS.put(Pattern.compile("\\.set\\s*\\(\\s*Conditions\\."), 2);
  }

  private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Every reason literal found, with the place it was found. */
  private static final Map<String, String> FOUND = new LinkedHashMap<>();

  private static Map<Path, String> sources;

  @BeforeAll
  static void scan() throws IOException {
    sources = new LinkedHashMap<>();
    try (var files = Files.walk(MAIN)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        // The simulator speaks ALB's wire protocol; its codes are not conditions of ours.
        if (!p.startsWith(MAIN.resolve("sim")) && !p.equals(REGISTRY)) {
          sources.put(p, stripComments(Files.readString(p)));
        }
      }
    }
    for (var e : sources.entrySet()) {
      String code = e.getValue();
      for (var call : CALLS.entrySet()) {
        Matcher m = call.getKey().matcher(code);
        while (m.find()) {
          int open = code.lastIndexOf('(', m.end() - 1);
          List<String> args = arguments(code, open);
          if (args.size() <= call.getValue()) {
            continue;
          }
          String where = MAIN.relativize(e.getKey()) + ":" + line(code, m.start());
          for (String reason : reasonsIn(args.get(call.getValue()).trim(), code)) {
            FOUND.putIfAbsent(reason, where);
          }
        }
      }
    }
  }

  @Test
  void everyReasonTheOperatorWritesIsListed() {
    List<String> missing = new ArrayList<>();
    FOUND.forEach(
        (reason, where) -> {
          if (Reasons.find(reason).isEmpty()) {
            missing.add(
                "reason \""
                    + reason
                    + "\" ("
                    + where
                    + ") is not listed; add this line to Reasons.ALL in "
                    + REGISTRY
                    + " and say what it means and what to do:\n      r(\""
                    + reason
                    + "\", Where.WATCH /* or JOB, BOTH, EVENT */, true /* comes with Stalled=True */,"
                    + " \"<what happened>\", \"<what to do>\"),\n    then run scripts/update-crds.sh to refresh docs/api.md");
          }
        });
    assertTrue(missing.isEmpty(), String.join("\n", missing));
  }

  @Test
  void theScanSeesEveryWayAReasonIsChosen() {
    // Literal argument, local variable with a ternary, Problem, Event, set().
    for (String known :
        List.of(
            "SecretNotFound",
            "Synced",
            "AlbThrottled",
            "InvalidCredentials",
            "EndpointNotFound",
            "JobNotFound",
            "Forbidden",
            "Suspended",
            "JobFailed")) {
      assertTrue(
          FOUND.containsKey(known),
          "the scan did not find " + known + " (found " + FOUND.keySet() + ")");
    }
  }

  @Test
  void everyListedReasonIsUsed() {
    Set<String> phases =
        Arrays.stream(JobPhase.values()).map(Enum::name).collect(Collectors.toSet());
    String all = String.join("\n", sources.values());
    List<String> unused =
        Reasons.ALL.stream()
            .map(Reasons.Reason::reason)
            .filter(
                r ->
                    !r.equals(Reasons.ALB_ERROR_CODE)
                        && !phases.contains(r)
                        && !all.contains("\"" + r + "\""))
            .toList();
    assertEquals(
        List.of(), unused, "listed in Reasons.ALL but never written by the operator: remove them");
  }

  @Test
  void entriesSayWhatToDo() {
    for (Reasons.Reason r : Reasons.ALL) {
      assertTrue(
          r.reason().equals(Reasons.ALB_ERROR_CODE) || r.reason().matches("^[A-Z][A-Za-z0-9]*$"),
          "reasons are CamelCase: " + r.reason());
      assertTrue(
          !r.meaning().isBlank() && !r.action().isBlank(),
          r.reason() + " needs a meaning and an action");
    }
  }

  private static Set<String> reasonsIn(String arg, String code) {
    Set<String> out = new TreeSet<>();
    Matcher lit = LITERAL.matcher(arg);
    while (lit.find()) {
      out.add(lit.group(1));
    }
    if (arg.matches("([A-Za-z_][A-Za-z0-9_]*\\.)+[A-Z][A-Z0-9_]*")) {
      arg =
          arg.substring(
              arg.lastIndexOf('.') + 1); // a constant of another class, e.g. Reasons.NO_TARGETS
    }
    if (!out.isEmpty() || !IDENT.matcher(arg).matches()) {
      return out;
    }
    // A local variable: the literals of its initialisers. A constant: its value, wherever defined.
    Pattern decl =
        Pattern.compile("\\b(?:final\\s+)?String\\s+" + Pattern.quote(arg) + "\\s*=([^;]*);");
    for (String src : arg.equals(arg.toUpperCase()) ? sources.values() : List.of(code)) {
      Matcher d = decl.matcher(src);
      while (d.find()) {
        Matcher l = LITERAL.matcher(d.group(1));
        while (l.find()) {
          out.add(l.group(1));
        }
      }
    }
    return out;
  }

  /** The top-level arguments of the call whose '(' is at {@code open}. */
  private static List<String> arguments(String code, int open) {
    List<String> args = new ArrayList<>();
    int depth = 0;
    StringBuilder cur = new StringBuilder();
    for (int i = open + 1; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '"') {
        int end = i + 1;
        while (code.charAt(end) != '"') {
          end += code.charAt(end) == '\\' ? 2 : 1;
        }
        cur.append(code, i, end + 1);
        i = end;
        continue;
      }
      if (c == '(' || c == '{' || c == '[') {
        depth++;
      } else if (c == ')' || c == '}' || c == ']') {
        if (depth == 0) {
          args.add(cur.toString());
          return args;
        }
        depth--;
      } else if (c == ',' && depth == 0) {
        args.add(cur.toString());
        cur.setLength(0);
        continue;
      }
      cur.append(c);
    }
    return args;
  }

  private static String stripComments(String src) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < src.length(); i++) {
      char c = src.charAt(i);
      if (c == '"') {
        int end = i + 1;
        while (src.charAt(end) != '"') {
          end += src.charAt(end) == '\\' ? 2 : 1;
        }
        out.append(src, i, end + 1);
        i = end;
      } else if (c == '\'') {
        int end = src.indexOf('\'', i + (src.charAt(i + 1) == '\\' ? 3 : 2));
        out.append(src, i, end + 1);
        i = end;
      } else if (src.startsWith("//", i)) {
        i = src.indexOf('\n', i) - 1;
      } else if (src.startsWith("/*", i)) {
        int end = src.indexOf("*/", i);
        src.substring(i, end).chars().filter(ch -> ch == '\n').forEach(ch -> out.append('\n'));
        i = end + 1;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static int line(String code, int offset) {
    return (int) code.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
  }
}
