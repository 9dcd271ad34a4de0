package io.albjobs.simulator;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses duration strings such as {@code 500ms}, {@code 30s}, {@code 1m30s} or {@code -5m}. */
final class SimDurations {
  private static final Pattern WHOLE = Pattern.compile("-?(\\d+(ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

  private SimDurations() {}

  /** Parses {@code text}; {@code null} or blank gives {@code fallback}, bare {@code 0} is zero. */
  static Duration parse(String text, Duration fallback) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    String value = text.trim();
    if (value.equals("0")) {
      return Duration.ZERO;
    }
    if (!WHOLE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "invalid duration '" + text + "': use e.g. 500ms, 30s, 5m, 1h, 1m30s or -30s");
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(value);
    while (part.find()) {
      long n = Long.parseLong(part.group(1));
      total =
          total.plus(
              switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              });
    }
    return value.startsWith("-") ? total.negated() : total;
  }
}
