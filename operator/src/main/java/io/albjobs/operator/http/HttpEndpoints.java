package io.albjobs.operator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/** {@code /healthz}, {@code /readyz} and {@code /metrics} (Prometheus text format) on one port. */
public final class HttpEndpoints implements AutoCloseable {
  private final HttpServer server;

  public HttpEndpoints(
      int port, BooleanSupplier healthy, BooleanSupplier ready, PrometheusMeterRegistry registry)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "http-endpoints");
              t.setDaemon(true);
              return t;
            }));
    server.createContext("/healthz", ex -> guarded(ex, () -> probe(ex, healthy.getAsBoolean())));
    server.createContext("/readyz", ex -> guarded(ex, () -> probe(ex, ready.getAsBoolean())));
    server.createContext(
        "/metrics",
        ex ->
            guarded(
                ex,
                () ->
                    send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape())));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private interface Handler {
    void handle() throws IOException;
  }

  /** Any failure answers 500 rather than leaving a probe hanging until its timeout. */
  private static void guarded(HttpExchange ex, Handler handler) throws IOException {
    try {
      handler.handle();
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      send(ex, 500, "text/plain", "error: " + t.getClass().getSimpleName() + "\n");
    }
  }

  private static void probe(HttpExchange ex, boolean ok) throws IOException {
    send(ex, ok ? 200 : 503, "text/plain", ok ? "ok\n" : "not ok\n");
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
