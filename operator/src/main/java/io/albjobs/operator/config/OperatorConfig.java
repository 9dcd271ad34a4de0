package io.albjobs.operator.config;

import io.albjobs.operator.poll.SyncDefaults;
import io.albjobs.operator.scope.TenancyPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every setting of the operator: a flag ({@code --name=value}) or an environment variable, with a
 * default and a description. The README's configuration table is checked against {@link
 * Setting#values()}.
 */
public final class OperatorConfig {

  /** One setting; the enum order is the order of the README table. */
  public enum Setting {
    NAMESPACES(
        "namespaces",
        "WATCH_NAMESPACES",
        "",
        "Comma-separated namespaces to watch; empty means all"),
    HTTP_PORT("http-port", "HTTP_PORT", "8080", "Port of /healthz, /readyz and /metrics"),
    LOG_FORMAT("log-format", "LOG_FORMAT", "text", "Log format: text or json"),
    LOG_LEVEL("log-level", "LOG_LEVEL", "INFO", "Log level of the operator's own loggers"),
    LEADER_ELECTION(
        "leader-election",
        "LEADER_ELECTION",
        "false",
        "Elect a leader through a Lease so that several replicas can run"),
    LEASE_NAME(
        "lease-name", "LEASE_NAME", "alb-asyncjob-operator", "Name of the leader-election Lease"),
    LEASE_NAMESPACE(
        "lease-namespace",
        "LEASE_NAMESPACE",
        "",
        "Namespace of the Lease; empty means the namespace the operator runs in"),
    LEASE_DURATION(
        "lease-duration",
        "LEASE_DURATION",
        "15s",
        "How long a standby waits before it takes over a Lease that is not renewed"),
    LEASE_RENEW_DEADLINE(
        "lease-renew-deadline",
        "LEASE_RENEW_DEADLINE",
        "10s",
        "How long the leader tries to renew before it gives up leading (and exits)"),
    LEASE_RETRY_PERIOD(
        "lease-retry-period",
        "LEASE_RETRY_PERIOD",
        "2s",
        "How often candidates try to acquire or renew the Lease"),
    ALB_QPS(
        "alb-qps",
        "ALB_QPS",
        "5",
        "ALB calls per second per account scope (ListAsynJobs and the child List APIs of load-balancer watches: ListListeners, ListRules, GetListenerAttribute), shared by all watches and AsyncJobs of the scope"),
    ALB_BURST("alb-burst", "ALB_BURST", "5", "Calls one account scope may make at once"),
    ALB_DEFAULT_ENDPOINT(
        "alb-default-endpoint",
        "ALB_DEFAULT_ENDPOINT",
        "",
        "Endpoint when a resource names none; may contain {region}; empty means alb.<region>.aliyuncs.com"),
    AMBIENT_CREDENTIALS_NAMESPACES(
        "ambient-credentials-namespaces",
        "AMBIENT_CREDENTIALS_NAMESPACES",
        "",
        "Comma-separated namespaces whose watches and AsyncJobs may use the operator's own credentials (no credentialsSecretRef); * means all; empty means none"),
    ALLOW_INSECURE_ENDPOINTS(
        "allow-insecure-endpoints",
        "ALLOW_INSECURE_ENDPOINTS",
        "false",
        "Allow plain-HTTP endpoints (http://...), which send the access key ID, signature and STS token in clear text; for simulators and tests"),
    ALLOWED_ENDPOINT_HOSTS(
        "allowed-endpoint-hosts",
        "ALLOWED_ENDPOINT_HOSTS",
        "",
        "Comma-separated hosts (or *.domain, * for any) an endpoint may name besides alb[-vpc].<region>.aliyuncs.com and the default endpoint's host"),
    ALB_CONNECT_TIMEOUT(
        "alb-connect-timeout", "ALB_CONNECT_TIMEOUT", "5s", "Connect timeout of ALB calls"),
    ALB_READ_TIMEOUT("alb-read-timeout", "ALB_READ_TIMEOUT", "10s", "Read timeout of ALB calls"),
    STS_ENDPOINT(
        "sts-endpoint",
        "ALIBABA_CLOUD_STS_ENDPOINT",
        "",
        "STS endpoint where RRSA's OIDC token is exchanged for temporary keys; empty means https://sts.aliyuncs.com (in a VPC: https://sts-vpc.<region>.aliyuncs.com)"),
    SECRET_CACHE_TTL(
        "secret-cache-ttl",
        "SECRET_CACHE_TTL",
        "10s",
        "How long credentials read from a Secret are reused; a rotated Secret is used within this time"),
    POLL_INTERVAL(
        "poll-interval",
        "POLL_INTERVAL",
        "30s",
        "Idle poll interval of a watch without spec.pollInterval"),
    ACTIVE_POLL_INTERVAL(
        "active-poll-interval",
        "ACTIVE_POLL_INTERVAL",
        "5s",
        "Poll interval while a job is Pending or Processing"),
    MIN_POLL_INTERVAL(
        "min-poll-interval",
        "MIN_POLL_INTERVAL",
        "5s",
        "Shortest idle poll interval a watch may ask for; shorter spec values are raised to it"),
    MIN_ACTIVE_POLL_INTERVAL(
        "min-active-poll-interval",
        "MIN_ACTIVE_POLL_INTERVAL",
        "1s",
        "Shortest active poll interval a watch may ask for; shorter spec values are raised to it"),
    SINCE("since", "SINCE", "1h", "How far back a watch's first poll looks without spec.since"),
    WATERMARK_OVERLAP(
        "watermark-overlap",
        "WATERMARK_OVERLAP",
        "5m",
        "How far before the watermark each poll looks again, for jobs that become visible late"),
    NOT_FOUND_TIMEOUT(
        "not-found-timeout",
        "NOT_FOUND_TIMEOUT",
        "10m",
        "How long a user-created AsyncJob may stay invisible in ALB before it is Stalled"),
    STATUS_HEARTBEAT(
        "status-heartbeat",
        "STATUS_HEARTBEAT",
        "10m",
        "Longest time a watch's lastSyncTime goes unwritten while nothing changes"),
    RECONCILE_THREADS(
        "reconcile-threads",
        "RECONCILE_THREADS",
        "16",
        "Reconciles run at once; a reconcile mostly waits on ALB and the API server"),
    SHARE_LISTINGS(
        "share-listings",
        "SHARE_LISTINGS",
        "true",
        "Watches of one account scope share one ListAsynJobs listing per poll when it takes fewer calls than a query per 10 resources of each watch"),
    PHASE_LABEL(
        "phase-label",
        "PHASE_LABEL",
        "auto",
        "Keep the albjobs.io/phase label of AsyncJobs in step with status.phase (one more write per phase change): true, false, or auto (only when the API server is older than 1.31, which cannot select status.phase with --field-selector)"),
    DISCOVER_INTERVAL(
        "discover-interval",
        "DISCOVER_INTERVAL",
        "3s",
        "How often each account scope's new jobs are listed while none of its watches polls, to wake only the watches that have one (one call per scope; needs --share-listings; 0s: off, a watch with nothing in flight sees new jobs at its poll interval)"),
    CHILD_REFRESH_INTERVAL(
        "child-refresh-interval",
        "CHILD_REFRESH_INTERVAL",
        "60s",
        "How often a load-balancer watch lists its load balancer's listeners, rules, server groups, ACLs and security policies again (sooner when a listing shows an unknown child)"),
    SETTLE_PERIOD(
        "settle-period",
        "SETTLE_PERIOD",
        "15s",
        "How long a watch waits for jobs after its own spec or albjobs.io/poll-now changes, without spec.settlePeriod (0s: no wait)"),
    SETTLE_TIMEOUT(
        "settle-timeout",
        "SETTLE_TIMEOUT",
        "10m",
        "Longest a watch waits for the ALB Ingress Controller to reconcile a change, without spec.settleTimeout; then it is Stalled (SettleTimeout)"),
    SETTLE_MARGIN(
        "settle-margin",
        "SETTLE_MARGIN",
        "5s",
        "After the ALB Ingress Controller reconciled a change, how long to allow for ALB to list its jobs before the watch polls and may turn Ready"),
    TRACK_INGRESS_CHANGES(
        "track-ingress-changes",
        "TRACK_INGRESS_CHANGES",
        "true",
        "Load-balancer watches wait for changes to the Ingresses and AlbConfigs of their load balancers (needs read access to ingresses, ingressclasses, albconfigs and events)");

    private final String flag;
    private final String env;
    private final String defaultValue;
    private final String description;

    Setting(String flag, String env, String defaultValue, String description) {
      this.flag = flag;
      this.env = env;
      this.defaultValue = defaultValue;
      this.description = description;
    }

    public String flag() {
      return "--" + flag;
    }

    public String env() {
      return env;
    }

    public String defaultValue() {
      return defaultValue;
    }

    public String description() {
      return description;
    }
  }

  private final Map<Setting, String> values;

  private OperatorConfig(Map<Setting, String> values) {
    this.values = values;
  }

  /** Flags win over environment variables, which win over defaults. */
  public static OperatorConfig from(List<String> args, Map<String, String> env) {
    Map<Setting, String> values = new LinkedHashMap<>();
    for (Setting s : Setting.values()) {
      values.put(s, env.getOrDefault(s.env, s.defaultValue));
    }
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String value = eq < 0 ? "true" : arg.substring(eq + 1);
      Setting s =
          Arrays.stream(Setting.values())
              .filter(x -> x.flag().equals(name))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalArgumentException("unknown flag " + name + "; see --help"));
      values.put(s, value);
    }
    OperatorConfig config = new OperatorConfig(values);
    config.validate();
    return config;
  }

  private void validate() {
    syncDefaults();
    if (!Set.of("text", "json").contains(logFormat())) {
      throw new IllegalArgumentException("--log-format must be text or json");
    }
    if (albQps() <= 0 || albBurst() < 1) {
      throw new IllegalArgumentException("--alb-qps must be > 0 and --alb-burst >= 1");
    }
    httpPort();
    tenancyPolicy();
    phaseLabel();
    Duration discover = duration(Setting.DISCOVER_INTERVAL);
    if (!discover.isZero() && discover.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("--discover-interval must be 0s (off) or at least 1s");
    }
    if (duration(Setting.CHILD_REFRESH_INTERVAL).compareTo(Duration.ofSeconds(5)) < 0) {
      throw new IllegalArgumentException("--child-refresh-interval must be at least 5s");
    }
    settleDefaults();
    if (reconcileThreads() < 1) {
      throw new IllegalArgumentException("--reconcile-threads must be >= 1");
    }
  }

  /**
   * {@code --phase-label}: TRUE, FALSE, or null for auto (decided from the API server's version).
   */
  public Boolean phaseLabel() {
    String v = get(Setting.PHASE_LABEL).trim().toLowerCase(java.util.Locale.ROOT);
    return switch (v) {
      case "auto" -> null;
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default ->
          throw new IllegalArgumentException(
              "--phase-label must be true, false or auto, not '" + v + "'");
    };
  }

  public boolean shareListings() {
    return Boolean.parseBoolean(get(Setting.SHARE_LISTINGS).trim());
  }

  public int reconcileThreads() {
    try {
      return Integer.parseInt(get(Setting.RECONCILE_THREADS).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--reconcile-threads must be a whole number", e);
    }
  }

  public String get(Setting s) {
    return values.get(s);
  }

  public Set<String> namespaces() {
    return Arrays.stream(get(Setting.NAMESPACES).split(","))
        .map(String::trim)
        .filter(n -> !n.isEmpty())
        .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
  }

  public int httpPort() {
    return Integer.parseInt(get(Setting.HTTP_PORT));
  }

  public String logFormat() {
    return get(Setting.LOG_FORMAT).toLowerCase(Locale.ROOT);
  }

  public boolean leaderElection() {
    return Boolean.parseBoolean(get(Setting.LEADER_ELECTION));
  }

  public double albQps() {
    return Double.parseDouble(get(Setting.ALB_QPS));
  }

  public int albBurst() {
    return Integer.parseInt(get(Setting.ALB_BURST));
  }

  public String defaultEndpoint() {
    return get(Setting.ALB_DEFAULT_ENDPOINT);
  }

  /** Who may use the operator's own credentials, plain HTTP and which endpoint hosts. */
  public TenancyPolicy tenancyPolicy() {
    String insecure = get(Setting.ALLOW_INSECURE_ENDPOINTS).trim().toLowerCase(Locale.ROOT);
    if (!Set.of("true", "false").contains(insecure)) {
      throw new IllegalArgumentException("--allow-insecure-endpoints must be true or false");
    }
    try {
      return new TenancyPolicy(
          list(Setting.AMBIENT_CREDENTIALS_NAMESPACES),
          Boolean.parseBoolean(insecure),
          defaultEndpoint(),
          List.copyOf(list(Setting.ALLOWED_ENDPOINT_HOSTS)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--alb-default-endpoint: " + e.getMessage(), e);
    }
  }

  private Set<String> list(Setting s) {
    return Arrays.stream(get(s).split(","))
        .map(String::trim)
        .filter(n -> !n.isEmpty())
        .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
  }

  public Duration duration(Setting s) {
    try {
      return Durations.parse(get(s));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(s.flag() + ": " + e.getMessage());
    }
  }

  public SyncDefaults syncDefaults() {
    return new SyncDefaults(
        duration(Setting.POLL_INTERVAL),
        duration(Setting.ACTIVE_POLL_INTERVAL),
        duration(Setting.SINCE),
        duration(Setting.WATERMARK_OVERLAP),
        duration(Setting.NOT_FOUND_TIMEOUT),
        duration(Setting.STATUS_HEARTBEAT),
        50,
        duration(Setting.MIN_POLL_INTERVAL),
        duration(Setting.MIN_ACTIVE_POLL_INTERVAL));
  }

  /** The operator-wide settings of settling: what a watch's spec does not say. */
  public io.albjobs.operator.change.SettleDefaults settleDefaults() {
    String track = get(Setting.TRACK_INGRESS_CHANGES).trim().toLowerCase(Locale.ROOT);
    if (!Set.of("true", "false").contains(track)) {
      throw new IllegalArgumentException("--track-ingress-changes must be true or false");
    }
    Duration period = duration(Setting.SETTLE_PERIOD);
    Duration timeout = duration(Setting.SETTLE_TIMEOUT);
    Duration margin = duration(Setting.SETTLE_MARGIN);
    if (period.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("--settle-period must be at most 10m");
    }
    if (timeout.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new IllegalArgumentException("--settle-timeout must be at least 1m");
    }
    if (margin.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("--settle-margin must be at most 1m");
    }
    return new io.albjobs.operator.change.SettleDefaults(
        period, timeout, margin, Boolean.parseBoolean(track));
  }

  /** The help text: one line per setting. */
  public static String help() {
    StringBuilder out =
        new StringBuilder(
            "Usage: java -jar alb-asyncjob-operator.jar [demo] [--flag=value ...]\n\n");
    for (Setting s : Setting.values()) {
      out.append(
          String.format(
              "  %-28s %-24s default '%s'%n      %s%n",
              s.flag(), s.env(), s.defaultValue(), s.description()));
    }
    return out.toString();
  }
}
