package io.albjobs.operator;

import io.albjobs.operator.alb.SdkAlbJobClient;
import io.albjobs.operator.change.ChangeTracker;
import io.albjobs.operator.change.SettleDefaults;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.config.OperatorConfig.Setting;
import io.albjobs.operator.http.HttpEndpoints;
import io.albjobs.operator.metrics.OperatorMetrics;
import io.albjobs.operator.poll.AlbClock;
import io.albjobs.operator.poll.SyncDefaults;
import io.albjobs.operator.poll.UserJobPoller;
import io.albjobs.operator.poll.WatchStates;
import io.albjobs.operator.poll.WatchSync;
import io.albjobs.operator.reconciler.AsyncJobReconciler;
import io.albjobs.operator.reconciler.AsyncJobWatchReconciler;
import io.albjobs.operator.reconciler.Transitions;
import io.albjobs.operator.scope.AlbClients;
import io.albjobs.operator.scope.AlbConfigSource;
import io.albjobs.operator.scope.ScopeResolver;
import io.albjobs.operator.scope.ScopedClients;
import io.albjobs.operator.write.EventRecorder;
import io.albjobs.operator.write.JobMirror;
import io.albjobs.operator.write.Retention;
import io.albjobs.operator.write.StatusRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the operator: the ALB clients, the sync components, both reconcilers, the JOSDK {@link
 * Operator} and the HTTP endpoints. {@link Main} and the demo start it; tests too.
 */
public final class OperatorApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorApp.class);

  private final Operator operator;
  private final UserJobPoller poller;
  private final HttpEndpoints http;
  private final StatusRecorder writer;
  private final PrometheusMeterRegistry registry;
  private final ScopedClients clients;
  private final AtomicBoolean closing;
  private final ChangeTracker tracker;
  private final WatchSync sync;

  private OperatorApp(
      Operator operator,
      UserJobPoller poller,
      HttpEndpoints http,
      StatusRecorder writer,
      PrometheusMeterRegistry registry,
      ScopedClients clients,
      AtomicBoolean closing,
      ChangeTracker tracker,
      WatchSync sync) {
    this.tracker = tracker;
    this.sync = sync;
    this.clients = clients;
    this.closing = closing;
    this.operator = operator;
    this.poller = poller;
    this.http = http;
    this.writer = writer;
    this.registry = registry;
  }

  /** The production ALB client factory: the SDK client for each scope. */
  public static AlbClients.Factory sdkClients(OperatorConfig config) {
    Duration connect = config.duration(Setting.ALB_CONNECT_TIMEOUT);
    Duration read = config.duration(Setting.ALB_READ_TIMEOUT);
    // RRSA: when ACK's webhook injected the OIDC variables, one provider exchanges the pod's token
    // at STS for every scope that names no Secret; otherwise the SDK's default chain.
    com.aliyuncs.auth.AlibabaCloudCredentialsProvider ambient =
        io.albjobs.operator.alb.RrsaCredentialsProvider.fromEnvironment(
                System.getenv(), config.get(Setting.STS_ENDPOINT), connect, read)
            .orElse(null);
    if (ambient != null) {
      LOG.info("credentials of watches without a Secret: {}", ambient);
    }
    return scope ->
        new SdkAlbJobClient(
            scope.endpoint(), scope.regionId(), scope.credentials(), connect, read, ambient);
  }

  public static OperatorApp start(
      OperatorConfig config, KubernetesClient client, AlbClients.Factory albFactory, Clock clock)
      throws IOException {
    return start(config, client, albFactory, clock, true);
  }

  /**
   * Starts the operator. {@code exitOnLeaseLoss}: a leader that loses its Lease exits the process
   * (so it can never act beside a new leader); tests running two instances in one JVM pass false.
   */
  public static OperatorApp start(
      OperatorConfig config,
      KubernetesClient client,
      AlbClients.Factory albFactory,
      Clock clock,
      boolean exitOnLeaseLoss)
      throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    SyncDefaults defaults = config.syncDefaults();
    String identity = identity();
    ScopedClients clients =
        // A short wait for the budget: a throttled account gives its reconciler thread back soon,
        // so it never holds up the watches of other accounts.
        new ScopedClients(
            albFactory,
            config.albQps(),
            config.albBurst(),
            Duration.ofSeconds(5),
            defaults.pollInterval(),
            metrics);
    ScopeResolver scopes =
        new ScopeResolver(
            client,
            config.defaultEndpoint(),
            config.duration(Setting.SECRET_CACHE_TTL),
            System::nanoTime,
            config.tenancyPolicy());
    clients.followCredentials(scopes::currentCredentials);
    clients.startSweeper(Duration.ofMinutes(1));
    EventRecorder events = new EventRecorder(client, clock, identity);
    StatusRecorder recorder =
        new StatusRecorder(
            client, new Transitions(events, metrics, clock), clock, defaults.statusHeartbeat());
    recorder.phaseLabels(phaseLabels(config.phaseLabel(), client, config.namespaces()));
    Retention retention = new Retention(client);
    JobMirror mirror = new JobMirror(client, recorder, retention, clock);
    AlbClock albClock = new AlbClock(clock, defaults.watermarkOverlap().dividedBy(2));
    metrics.gauge(
        "albjobs_alb_clock_skew_seconds",
        "ALB's clock minus this node's, from the Date of ALB's answers (the largest of the last 10 minutes)",
        albClock::worstSkewSeconds);
    WatchSync sync =
        new WatchSync(
            clients,
            scopes,
            new AlbConfigSource(client),
            mirror,
            retention,
            metrics,
            defaults,
            config.shareListings(),
            clock,
            albClock,
            events);
    sync.loadBalancerChildren().refreshEvery(config.duration(Setting.CHILD_REFRESH_INTERVAL));
    UserJobPoller poller = new UserJobPoller(clients, defaults, clock);
    SettleDefaults settle = config.settleDefaults();
    ChangeTracker tracker = new ChangeTracker(client, clock, settle.trackIngressChanges());
    AtomicBoolean closing = new AtomicBoolean();

    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                  .withConcurrentReconciliationThreads(config.reconcileThreads());
              if (config.leaderElection()) {
                String ns = config.get(Setting.LEASE_NAMESPACE);
                String lease = config.get(Setting.LEASE_NAME);
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        lease,
                        ns.isBlank() ? null : ns,
                        config.duration(Setting.LEASE_DURATION),
                        config.duration(Setting.LEASE_RENEW_DEADLINE),
                        config.duration(Setting.LEASE_RETRY_PERIOD),
                        identity,
                        leaseLossExit(exitOnLeaseLoss, closing),
                        // Never JOSDK's own exit: it calls System.exit on the elector's thread,
                        // also
                        // when close() stops leading from the SIGTERM shutdown hook, and
                        // System.exit
                        // inside a shutdown hook blocks forever (the pod is killed after its grace
                        // period, the Lease is never released).
                        false));
              }
            });
    Set<String> namespaces = config.namespaces();
    AsyncJobWatchReconciler watches =
        new AsyncJobWatchReconciler(
            sync, mirror, recorder, metrics, new WatchStates(), clock, tracker, settle);
    sync.discoverEvery(config.duration(Setting.DISCOVER_INTERVAL), watches::wake);
    operator.register(
        watches,
        o -> {
          if (!namespaces.isEmpty()) {
            o.settingNamespaces(namespaces);
          }
        });
    operator.register(
        new AsyncJobReconciler(scopes, poller, recorder, clock, defaults.pollInterval()),
        o -> {
          if (!namespaces.isEmpty()) {
            o.settingNamespaces(namespaces);
          }
        });
    HttpEndpoints http =
        config.httpPort() < 0
            ? null
            : new HttpEndpoints(
                config.httpPort(),
                () -> operator.getRuntimeInfo().allEventSourcesAreHealthy(),
                () -> operator.getRuntimeInfo().isStarted(),
                registry);
    poller.start(Duration.ofMillis(500));
    tracker.start();
    operator.start();
    LOG.info(
        "alb-asyncjob-operator started: namespaces={}, leaderElection={}, albQps={}, http port={}",
        namespaces.isEmpty() ? "all" : namespaces,
        config.leaderElection(),
        config.albQps(),
        http == null ? "off" : http.port());
    return new OperatorApp(
        operator, poller, http, recorder, registry, clients, closing, tracker, sync);
  }

  /**
   * Whether to keep the {@code albjobs.io/phase} label: as set, or for {@code auto} only when
   * AsyncJobs cannot be selected by {@code status.phase}: asked of the API server with that field
   * selector (a CRD installed from an older chart lacks the selectable field; {@code helm upgrade}
   * does not update CRDs), else decided from its version (CRD selectableFields: beta and on by
   * default from Kubernetes 1.31). A version that cannot be read counts as too old.
   */
  static boolean phaseLabels(
      Boolean setting, KubernetesClient client, java.util.Collection<String> namespaces) {
    if (setting != null) {
      return setting;
    }
    try {
      var jobs = client.resources(io.albjobs.operator.crd.AsyncJob.class);
      var scoped =
          namespaces.isEmpty()
              ? jobs.inAnyNamespace()
              : jobs.inNamespace(namespaces.iterator().next());
      scoped
          .withField("status.phase", "Failed")
          .list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build());
      LOG.info(
          "AsyncJobs are selected by --field-selector status.phase=...: the albjobs.io/phase label"
              + " is not written (--phase-label=auto)");
      return false;
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() == 400) {
        LOG.warn(
            "The API server cannot select AsyncJobs by status.phase ({}): writing the"
                + " albjobs.io/phase label (--phase-label=auto). Apply crds/ of this version"
                + " (helm upgrade does not update CRDs) on Kubernetes 1.31+ to select by field.",
            e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
        return true;
      }
      // Not allowed to ask, or it failed: decide from the version.
    } catch (RuntimeException e) {
      // Decide from the version.
    }
    try {
      var version = client.getKubernetesVersion();
      boolean selectable = selectsStatusFields(version.getMajor(), version.getMinor());
      LOG.info(
          "Kubernetes {}.{}: the albjobs.io/phase label is {} (--phase-label=auto)",
          version.getMajor(),
          version.getMinor(),
          selectable ? "not written; select with --field-selector status.phase=..." : "written");
      return !selectable;
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not read the API server's version ({}): writing the albjobs.io/phase label",
          e.toString());
      return true;
    }
  }

  /** Whether a Kubernetes version selects custom resources by {@code status.phase} (1.31+). */
  static boolean selectsStatusFields(String major, String minor) {
    try {
      int ma = Integer.parseInt(major.replaceAll("\\D", ""));
      int mi = Integer.parseInt(minor.replaceAll("\\D", ""));
      return ma > 1 || (ma == 1 && mi >= 31);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Exits the process when the Lease is lost while running (so that it never acts beside a new
   * leader), not when {@link #close()} gives it up. The exit runs on a thread of its own: the
   * elector calls back holding its lock, which the shutdown hook's close() needs as well.
   */
  private static LeaderCallbacks leaseLossExit(boolean exitOnLeaseLoss, AtomicBoolean closing) {
    return new LeaderCallbacks(
        () -> {},
        () -> {
          if (exitOnLeaseLoss && !closing.get()) {
            LOG.error(
                "Lost the leader-election Lease; exiting so that two operators never act at once");
            new Thread(() -> System.exit(1), "lease-lost-exit").start();
          }
        },
        leader -> {});
  }

  private static String identity() {
    String pod = System.getenv("POD_NAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName()
          + "-"
          + ProcessHandle.current().pid()
          + "-"
          + java.util.UUID.randomUUID().toString().substring(0, 8);
    } catch (IOException e) {
      return "alb-asyncjob-operator-" + ProcessHandle.current().pid();
    }
  }

  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public long statusWrites() {
    return writer.writeCount();
  }

  /** The ALB clients (scopes, budgets) of this operator. */
  public ScopedClients albClients() {
    return clients;
  }

  public Operator operator() {
    return operator;
  }

  @Override
  public void close() {
    LOG.info("Stopping alb-asyncjob-operator");
    closing.set(true);
    poller.close();
    tracker.close();
    operator.stop();
    sync.close();
    clients.close();
    if (http != null) {
      http.close();
    }
  }
}
