package io.albjobs.it.bench;

import io.albjobs.it.kube.ControlPlane;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts writes as the API server saw them: {@code apiserver_request_total} from its {@code
 * /metrics} (the admin token is system:masters), summed per resource, subresource and verb for the
 * mutating verbs. Counting on the server side catches every client's writes.
 */
final class ApiServerWrites {
  static final Set<String> WRITE_VERBS =
      Set.of("POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION");
  private static final Pattern LINE =
      Pattern.compile("^apiserver_request_total\\{(.*)} ([0-9.e+]+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  /** Writes per "resource[/subresource] VERB", e.g. {@code asyncjobs/status APPLY}. */
  record Snapshot(Map<String, Long> counts) {
    Snapshot minus(Snapshot before) {
      Map<String, Long> d = new TreeMap<>();
      counts.forEach(
          (k, v) -> {
            long delta = v - before.counts.getOrDefault(k, 0L);
            if (delta != 0) {
              d.put(k, delta);
            }
          });
      return new Snapshot(d);
    }

    long total() {
      return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    long of(String resourcePrefix) {
      return counts.entrySet().stream()
          .filter(e -> e.getKey().startsWith(resourcePrefix))
          .mapToLong(Map.Entry::getValue)
          .sum();
    }

    long get(String key) {
      return counts.getOrDefault(key, 0L);
    }
  }

  private final HttpClient http;
  private final String server;
  private final String token;

  ApiServerWrites(String server, String token) {
    this.server = server;
    this.token = token;
    this.http =
        HttpClient.newBuilder()
            .sslContext(ControlPlane.trustAll())
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  Snapshot snapshot() {
    String body;
    try {
      body =
          http.send(
                  HttpRequest.newBuilder(URI.create(server + "/metrics"))
                      .header("Authorization", "Bearer " + token)
                      .timeout(Duration.ofSeconds(30))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the API server's /metrics", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    Map<String, Long> counts = new TreeMap<>();
    for (String line : body.split("\n")) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      Matcher l = LABEL.matcher(m.group(1));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      String verb = labels.getOrDefault("verb", "");
      if (!WRITE_VERBS.contains(verb)) {
        continue;
      }
      String sub = labels.getOrDefault("subresource", "");
      String key =
          labels.getOrDefault("resource", "") + (sub.isEmpty() ? "" : "/" + sub) + " " + verb;
      counts.merge(key, (long) Double.parseDouble(m.group(2)), Long::sum);
    }
    return new Snapshot(counts);
  }
}
