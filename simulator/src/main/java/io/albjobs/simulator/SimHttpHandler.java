package io.albjobs.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-request pipeline of the simulated ALB endpoint: injected latency and resets, routing by
 * Version and Action, authentication, denied accounts and actions, throttling, server errors, then
 * {@code ListAsynJobs} or one of the read-only resource APIs ({@link ResourceHandler}). Every
 * request is recorded in the {@link CallLog} before it is answered, so a client that got an answer
 * can already see its call counted.
 */
final class SimHttpHandler implements HttpHandler {
  static final String ACTION = "ListAsynJobs";
  static final String VERSION = "2020-06-16";
  private static final Logger LOG = LoggerFactory.getLogger(SimHttpHandler.class);

  private final SignatureVerifier verifier;
  private final ListAsynJobsHandler listHandler;
  private final ResourceHandler resourceHandler;
  private final Faults faults;
  private final CallLog calls;
  private final Clock jobClock;
  private final Supplier<Duration> clockOffset;
  private volatile StsHandler sts;

  SimHttpHandler(
      SignatureVerifier verifier,
      ListAsynJobsHandler listHandler,
      ResourceHandler resourceHandler,
      Faults faults,
      CallLog calls,
      Clock jobClock,
      Supplier<Duration> clockOffset) {
    this.clockOffset = clockOffset;
    this.verifier = verifier;
    this.listHandler = listHandler;
    this.resourceHandler = resourceHandler;
    this.faults = faults;
    this.calls = calls;
    this.jobClock = jobClock;
  }

  /** Serves STS's {@code AssumeRoleWithOIDC} too (anonymous: no AccessKey signature). */
  void serveSts(StsHandler sts) {
    this.sts = sts;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      sleep(faults.takeLatency());
      Instant at = jobClock.instant();
      String requestId = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
      WireRequest request;
      AlbError unreadable = null;
      try {
        request = WireRequest.read(exchange);
      } catch (AlbError e) {
        request = new WireRequest(exchange.getRequestMethod(), Map.of(), "");
        unreadable = e;
      }
      if (faults.takeReset()) {
        calls.record(at, request.params(), RecordedCall.NO_RESPONSE, RecordedCall.CONNECTION_RESET);
        LOG.debug("ALB sim: reset connection for {}", request.params().get("AccessKeyId"));
        return; // closing an exchange with no response headers sent drops the connection
      }
      SimResponse response =
          unreadable == null
              ? respond(request, at.plus(clockOffset.get()), requestId)
              : SimResponse.error(unreadable, requestId, request.host());
      calls.record(at, request.params(), response.httpStatus(), response.errorCode());
      LOG.debug(
          "ALB sim: {} key={} -> {} {}",
          request.params().get("Action"),
          request.params().get("AccessKeyId"),
          response.httpStatus(),
          response.errorCode() == null ? "" : response.errorCode());
      send(exchange, response, requestId);
    } catch (IOException e) {
      // The client gave up (e.g. its read timeout fired during injected latency).
      LOG.debug("ALB sim: client went away: {}", e.toString());
    }
  }

  private SimResponse respond(WireRequest request, Instant now, String requestId) {
    try {
      Map<String, Object> body = route(request, now);
      body.put("RequestId", requestId);
      SimResponse response = SimResponse.ok(body);
      return faults.takeMalformed() ? response.truncated() : response;
    } catch (AlbError e) {
      return SimResponse.error(e, requestId, request.host());
    } catch (RuntimeException e) {
      LOG.warn("ALB sim: bug while handling a request", e);
      return SimResponse.error(AlbError.internalError(), requestId, request.host());
    }
  }

  private Map<String, Object> route(WireRequest request, Instant now) {
    if (!request.method().equals("GET") && !request.method().equals("POST")) {
      throw new AlbError(
          405, "UnsupportedHTTPMethod", "This HTTP method is not supported; use GET or POST.");
    }
    Map<String, String> p = request.params();
    String version = p.get("Version");
    String action = p.get("Action");
    StsHandler stsHandler = sts;
    if (stsHandler != null && StsHandler.ACTION.equals(action)) {
      return stsHandler.handle(p);
    }
    if (version == null || version.isEmpty()) {
      throw AlbError.missingParam("Version");
    }
    if (action == null || action.isEmpty()) {
      throw AlbError.missingParam("Action");
    }
    if (!VERSION.equals(version)) {
      throw new AlbError(400, "InvalidVersion", "Specified parameter Version is not valid.");
    }
    if (!ACTION.equals(action) && !ResourceHandler.ACTIONS.contains(action)) {
      throw new AlbError(
          400, "InvalidAction.NotFound", "Specified api is not found, please check your url.");
    }
    SimAccount account = verifier.verify(request);
    if (faults.isDenied(account.accountId(), action)) {
      throw AlbError.forbidden();
    }
    if (faults.takeThrottle(account.accountId(), action)) {
      throw AlbError.throttled();
    }
    AlbError serverError = faults.takeServerError();
    if (serverError != null) {
      throw serverError;
    }
    return ACTION.equals(action)
        ? listHandler.handle(account.accountId(), p, now)
        : resourceHandler.handle(account.accountId(), action, p);
  }

  private static void send(HttpExchange exchange, SimResponse response, String requestId)
      throws IOException {
    byte[] bytes = response.bytes();
    exchange.getResponseHeaders().set("Content-Type", "application/json;charset=utf-8");
    exchange.getResponseHeaders().set("x-acs-request-id", requestId);
    exchange.sendResponseHeaders(response.httpStatus(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sleep(Duration latency) {
    if (latency.isZero() || latency.isNegative()) {
      return;
    }
    try {
      Thread.sleep(latency.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
