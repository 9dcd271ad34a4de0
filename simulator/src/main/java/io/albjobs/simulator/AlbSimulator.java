package io.albjobs.simulator;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process ALB endpoint on the loopback interface that speaks the RPC wire protocol of {@code
 * ListAsynJobs} and of the read-only {@code ListListeners}, {@code ListRules} and {@code
 * GetListenerAttribute} ({@link SimResources}; version {@code 2020-06-16}) as {@code
 * aliyun-java-sdk-core} sends it: GET or POST, signature version 1.0 verified, ALB's error bodies,
 * filters, limits and paging. Tests and the demo point the operator's real SDK client at {@link
 * #endpoint()}.
 *
 * <p>Two clocks: the job clock decides job progress (tests move it by hand), while request
 * timestamps and nonce expiry always use the real clock, because the SDK stamps requests with the
 * real time.
 *
 * <p>ALB's own clock is the job clock plus {@link #clockOffset()} (zero unless set): it stamps the
 * {@code CreateTime} of {@link #albNow()}-created jobs, decides which jobs are visible and how far
 * they ran, and the {@code Date} header of a simulator started with {@link #startWithClockOffset}.
 * That is how a test puts ALB's clock ahead of or behind the operator's node.
 */
public final class AlbSimulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlbSimulator.class);
  private static final int THREADS = 8;
  private static final int MAX_NONCES = 1_000_000;

  static {
    // The JDK server writes response headers and body separately; with Nagle on, the body waits
    // for the client's delayed ACK and every call costs ~40 ms. The flag is read once, when the
    // first JDK HttpServer of the JVM starts, and only makes that server send sooner.
    System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Clock jobClock;
  private final Map<String, SimAccount> accountsByKeyId = new ConcurrentHashMap<>();
  private final JobStore jobs = new JobStore();
  private final SimResources resources = new SimResources();
  private volatile Attribution attribution = Attribution.CHILD;
  private final Faults faults = new Faults();
  private final CallLog calls = new CallLog();
  private final String hostAndPort;
  private final String scheme;
  private final SignatureVerifier verifier;
  private final SimHttpHandler handler;
  private volatile StsHandler sts;
  private final DateHeaderProxy dateProxy;
  private volatile Duration clockOffset = Duration.ZERO;

  private AlbSimulator(Clock jobClock, int port, boolean albDates) throws IOException {
    this(jobClock, port, albDates, null);
  }

  private AlbSimulator(Clock jobClock, int port, boolean albDates, SSLContext tls)
      throws IOException {
    this.jobClock = jobClock;
    Clock realClock = Clock.systemUTC();
    verifier =
        new SignatureVerifier(
            accountsByKeyId,
            new NonceCache(realClock, SignatureVerifier.MAX_CLOCK_SKEW, MAX_NONCES),
            realClock);
    handler =
        new SimHttpHandler(
            verifier,
            new ListAsynJobsHandler(jobs, faults),
            new ResourceHandler(resources),
            faults,
            calls,
            jobClock,
            () -> clockOffset);
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    if (tls == null) {
      server = HttpServer.create(address, 0);
    } else {
      HttpsServer https = HttpsServer.create(address, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    }
    scheme = tls == null ? "http" : "https";
    server.createContext("/", handler);
    executor = Executors.newFixedThreadPool(THREADS, daemonThreads());
    server.setExecutor(executor);
    server.start();
    InetSocketAddress bound = server.getAddress();
    if (albDates) {
      dateProxy = new DateHeaderProxy(bound, this::albNow);
      hostAndPort = bound.getAddress().getHostAddress() + ":" + dateProxy.port();
    } else {
      dateProxy = null;
      hostAndPort = bound.getAddress().getHostAddress() + ":" + bound.getPort();
    }
  }

  /**
   * A simulator on the system clock whose ALB clock runs {@code offset} ahead (negative: behind) of
   * this machine's, {@code Date} headers included (through a loopback relay that rewrites them,
   * since the JDK server stamps its own).
   */
  public static AlbSimulator startWithClockOffset(Duration offset) {
    try {
      AlbSimulator sim = new AlbSimulator(Clock.systemUTC(), 0, true);
      sim.setClockOffset(offset);
      LOG.info("ALB simulator listening on {} with its clock {} off", sim.endpoint(), offset);
      return sim;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the ALB simulator", e);
    }
  }

  /** Puts ALB's clock {@code offset} ahead of the job clock (negative: behind). */
  public void setClockOffset(Duration offset) {
    this.clockOffset = offset;
  }

  public Duration clockOffset() {
    return clockOffset;
  }

  /** ALB's clock now: the job clock plus the offset. Create jobs at this time to be "new". */
  public Instant albNow() {
    return jobClock.instant().plus(clockOffset);
  }

  /** A simulator on an OS-chosen loopback port whose jobs run on the system clock. */
  public static AlbSimulator start() {
    return start(Clock.systemUTC());
  }

  /** A simulator on an OS-chosen loopback port whose jobs progress by {@code jobClock}. */
  public static AlbSimulator start(Clock jobClock) {
    return start(jobClock, 0);
  }

  /** As {@link #start(Clock)} on a fixed port ({@code 0}: any free port). */
  public static AlbSimulator start(Clock jobClock, int port) {
    try {
      AlbSimulator sim = new AlbSimulator(jobClock, port, false);
      LOG.info("ALB simulator listening on {}", sim.endpoint());
      return sim;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the ALB simulator on port " + port, e);
    }
  }

  /**
   * The operator flags a watch or AsyncJob needs to reach the simulator: it listens on plain HTTP
   * on the loopback, which the operator refuses by default.
   */
  public static final List<String> OPERATOR_FLAGS =
      List.of("--allow-insecure-endpoints=true", "--allowed-endpoint-hosts=127.0.0.1");

  /**
   * A simulator served over HTTPS with {@code tls}'s certificate (e.g. one issued by a test CA the
   * client trusts); {@link #endpoint()} is then {@code https://127.0.0.1:<port>}.
   */
  public static AlbSimulator startHttps(SSLContext tls) {
    return startHttps(tls, 0);
  }

  /** As {@link #startHttps(SSLContext)} on a fixed port ({@code 0}: any free port). */
  public static AlbSimulator startHttps(SSLContext tls, int port) {
    try {
      AlbSimulator sim = new AlbSimulator(Clock.systemUTC(), port, false, tls);
      LOG.info("ALB simulator listening on {}", sim.endpoint());
      return sim;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the ALB simulator over HTTPS", e);
    }
  }

  /**
   * {@code http://127.0.0.1:<port>} (https for {@link #startHttps}): a watch's {@code
   * spec.endpoint}.
   */
  public String endpoint() {
    return scheme + "://" + hostAndPort();
  }

  /**
   * Also serves STS's {@code AssumeRoleWithOIDC} on this endpoint, for RRSA: the role {@code
   * roleArn} of account {@code accountId} may be assumed with the current content of {@code
   * tokenFile} (a JWT for the audience {@code sts.aliyuncs.com}) through {@code oidcProviderArn}.
   * The temporary keys it hands out sign ALB calls of that account until they expire, after {@code
   * lifetime} ({@code null}: the DurationSeconds asked for); expired ones are refused with {@code
   * InvalidSecurityToken.Expired}.
   */
  public void serveSts(
      String accountId, String roleArn, String oidcProviderArn, Path tokenFile, Duration lifetime) {
    serveSts(
        new StsHandler(
            accountId,
            roleArn,
            oidcProviderArn,
            tokenFile,
            null,
            lifetime,
            Clock.systemUTC(),
            this::addAccount,
            verifier.expiries()));
  }

  /**
   * As {@link #serveSts(String, String, String, Path, Duration)} for a token the simulator cannot
   * read (a pod's projected volume): any JWT for the audience {@code sts.aliyuncs.com} whose {@code
   * sub} is {@code subject} (e.g. {@code system:serviceaccount:<ns>:<name>}) is accepted.
   */
  public void serveStsForSubject(
      String accountId, String roleArn, String oidcProviderArn, String subject, Duration lifetime) {
    serveSts(
        new StsHandler(
            accountId,
            roleArn,
            oidcProviderArn,
            null,
            subject,
            lifetime,
            Clock.systemUTC(),
            this::addAccount,
            verifier.expiries()));
  }

  private void serveSts(StsHandler h) {
    sts = h;
    handler.serveSts(h);
  }

  /** The temporary keys STS handed out so far, oldest first (no secret in them). */
  public List<StsGrant> stsGrants() {
    StsHandler h = sts;
    return h == null ? List.of() : h.issued();
  }

  /** {@code 127.0.0.1:<port>}: the SDK's {@code sysDomain} (the SDK accepts a port there). */
  public String hostAndPort() {
    return hostAndPort;
  }

  public void addAccount(String accountId, String accessKeyId, String accessKeySecret) {
    addAccount(new SimAccount(accountId, accessKeyId, accessKeySecret, null));
  }

  /** A temporary (STS) key: its calls must carry {@code SecurityToken=securityToken}. */
  public void addStsAccount(
      String accountId, String accessKeyId, String accessKeySecret, String securityToken) {
    addAccount(new SimAccount(accountId, accessKeyId, accessKeySecret, securityToken));
  }

  public void addAccount(SimAccount account) {
    accountsByKeyId.put(account.accessKeyId(), account);
  }

  /** Adds or replaces (by id) a job. */
  public void addJob(SimJob job) {
    jobs.add(job);
  }

  /**
   * Under which resource ALB records the job of a listener, rule, server group, ACL or security
   * policy call: the API reference leaves it open, so tests run both.
   */
  public enum Attribution {
    /** Under the child ({@code ResourceType} listener, rule, ..., its ID): the default. */
    CHILD,
    /** Under the load balancer ({@code ResourceType} loadbalancer, the load balancer's ID). */
    LOAD_BALANCER
  }

  public void setAttribution(Attribution attribution) {
    this.attribution = attribution;
  }

  public Attribution attribution() {
    return attribution;
  }

  /**
   * Adds the job of a call on a child of {@code loadBalancerId} (the job names the child): as it is
   * with {@link Attribution#CHILD}, recorded under the load balancer with {@link
   * Attribution#LOAD_BALANCER}. Returns the job as stored.
   */
  public SimJob addChildJob(String loadBalancerId, SimJob job) {
    SimJob stored =
        attribution == Attribution.CHILD || "loadbalancer".equals(job.resourceType())
            ? job
            : new SimJob(
                job.id(),
                job.accountId(),
                job.regionId(),
                job.apiName(),
                job.operateType(),
                "loadbalancer",
                loadBalancerId,
                job.createTime(),
                job.visibleAt(),
                job.finishTime(),
                job.finalStatus(),
                job.errorCode(),
                job.errorMessage(),
                job.runningStatus());
    jobs.add(stored);
    return stored;
  }

  /**
   * Listeners and rules for {@code ListListeners}, {@code ListRules}, {@code GetListenerAttribute}.
   */
  public SimResources resources() {
    return resources;
  }

  /** Forgets a job, as ALB does once its record ages out. */
  public void removeJob(String jobId) {
    jobs.remove(jobId);
  }

  /** Loads the accounts and jobs of a YAML or JSON scenario, relative times counted from t0. */
  public void loadScenario(InputStream yamlOrJson, Instant t0) {
    loadScenario(Scenario.read(yamlOrJson), t0);
  }

  public void loadScenario(Scenario scenario, Instant t0) {
    scenario.accounts().forEach(this::addAccount);
    scenario.jobs(t0).forEach(this::addJob);
  }

  public Faults faults() {
    return faults;
  }

  /** Requests that reached the simulator since the last reset, refused ones included. */
  public long callCount() {
    return calls.count();
  }

  public long callCount(String accessKeyId) {
    return calls.count(accessKeyId);
  }

  /** The last {@value CallLog#CAPACITY} requests, oldest first, without signatures or secrets. */
  public List<RecordedCall> calls() {
    return calls.calls();
  }

  public void resetCounters() {
    calls.reset();
  }

  public Clock jobClock() {
    return jobClock;
  }

  @Override
  public void close() {
    if (dateProxy != null) {
      dateProxy.close();
    }
    server.stop(0);
    executor.shutdownNow();
    LOG.info("ALB simulator on {} stopped", endpoint());
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "alb-sim-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
