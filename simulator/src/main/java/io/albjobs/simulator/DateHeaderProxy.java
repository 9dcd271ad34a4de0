package io.albjobs.simulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A loopback TCP relay in front of the simulator's JDK HTTP server that rewrites the {@code Date}
 * header of every answer to the simulated ALB clock. The JDK server always stamps {@code Date} with
 * the machine's clock (it overwrites a handler's own value), so without this relay a simulator
 * whose clock is offset would answer with two clocks. Requests are copied through as they are;
 * answers are read head by head ({@code Content-Length} bodies, as the simulator sends).
 */
final class DateHeaderProxy implements AutoCloseable {
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final Supplier<Instant> albClock;
  private final ExecutorService threads;
  private volatile boolean closed;

  DateHeaderProxy(InetSocketAddress target, Supplier<Instant> albClock) throws IOException {
    this.target = target;
    this.albClock = albClock;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    AtomicInteger n = new AtomicInteger();
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "alb-sim-date-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    threads.execute(this::accept);
  }

  int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(target.getAddress(), target.getPort());
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        threads.execute(() -> pipe(client, server));
        threads.execute(() -> answers(server, client));
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private static void pipe(Socket from, Socket to) {
    try (from;
        to) {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException e) {
      // one side went away; closing both ends tells the other
    }
  }

  private void answers(Socket server, Socket client) {
    try (server;
        client) {
      InputStream in = new java.io.BufferedInputStream(server.getInputStream());
      OutputStream out = client.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        long length = 0;
        StringBuilder rewritten = new StringBuilder();
        for (String line : head.split("\r\n", -1)) {
          String lower = line.toLowerCase(Locale.ROOT);
          if (lower.startsWith("date:")) {
            line = "Date: " + HTTP_DATE.format(albClock.get());
          } else if (lower.startsWith("content-length:")) {
            length = Long.parseLong(line.substring("content-length:".length()).trim());
          }
          rewritten.append(line).append("\r\n");
        }
        rewritten.setLength(rewritten.length() - 2);
        out.write(rewritten.toString().getBytes(StandardCharsets.ISO_8859_1));
        byte[] buffer = new byte[8192];
        while (length > 0) {
          int read = in.read(buffer, 0, (int) Math.min(buffer.length, length));
          if (read < 0) {
            return;
          }
          out.write(buffer, 0, read);
          length -= read;
        }
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // the connection ends; the client sees it closed, as with the server itself
    }
  }

  /** The status line and headers up to and including the blank line, or null at end of stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched =
          (b == '\r' && (matched == 0 || matched == 2))
                  || (b == '\n' && (matched == 1 || matched == 3))
              ? matched + 1
              : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // already closed
    }
    threads.shutdownNow();
  }
}
