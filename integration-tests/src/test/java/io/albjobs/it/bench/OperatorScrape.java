package io.albjobs.it.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an operator process's {@code /metrics}: when each watch last polled ALB successfully (the
 * per-watch gauge {@code albjobs_watch_last_successful_poll_timestamp_seconds}, set by {@code
 * OperatorMetrics.watchPolled}), and how many series it exports.
 */
final class OperatorScrape {
  static final String WATCH_POLLED = "albjobs_watch_last_successful_poll_timestamp_seconds";
  private static final Pattern POLLED =
      Pattern.compile("^" + WATCH_POLLED + "\\{(.*)} ([0-9.eE+-]+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private OperatorScrape() {}

  /** The body of {@code /metrics}, or null when the process does not answer. */
  static String metrics(int port) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Last successful poll per watch ("namespace/watch"), epoch seconds; empty when unreadable. */
  static Map<String, Double> watchPolls(String body) {
    Map<String, Double> m = new HashMap<>();
    if (body == null) {
      return m;
    }
    for (String line : body.split("\n")) {
      Matcher x = POLLED.matcher(line);
      if (!x.matches()) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      Matcher l = LABEL.matcher(x.group(1));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      m.put(labels.get("namespace") + "/" + labels.get("watch"), Double.parseDouble(x.group(2)));
    }
    return m;
  }

  /** Watches whose last successful poll is at or after {@code sinceMillis} (second resolution). */
  static int watchesPolledSince(String body, long sinceMillis) {
    long since = sinceMillis / 1000; // the gauge holds whole epoch seconds
    return (int) watchPolls(body).values().stream().filter(v -> v >= since).count();
  }

  /** Series exported: lines that are neither comments nor blank; -1 when unreadable. */
  static int series(String body) {
    if (body == null) {
      return -1;
    }
    int n = 0;
    for (String line : body.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        n++;
      }
    }
    return n;
  }
}
