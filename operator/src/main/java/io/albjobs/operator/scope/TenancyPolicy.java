package io.albjobs.operator.scope;

import io.albjobs.operator.alb.AlbEndpoint;
import io.albjobs.operator.status.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a namespace's tenant may make the operator do with an account scope, set by the operator's
 * administrator: use the operator's own credentials (only in {@code ambientNamespaces}), send
 * requests over plain HTTP (only with {@code allowInsecure}), and send signed requests to a host
 * (only ALB's endpoints, the default endpoint's host and {@code extraHosts}). A refusal is a {@link
 * Problem} naming the flag and chart value that would allow it.
 */
public final class TenancyPolicy {
  public static final String AMBIENT_NOT_ALLOWED = "AmbientCredentialsNotAllowed";
  public static final String INSECURE_ENDPOINT = "InsecureEndpoint";
  public static final String ENDPOINT_NOT_ALLOWED = "EndpointNotAllowed";

  private final Set<String> ambientNamespaces;
  private final boolean allowInsecure;
  private final EndpointHosts hosts;

  /**
   * @param ambientNamespaces namespaces that may use the operator's own credentials; {@code *}
   *     means every namespace
   * @param defaultEndpoint the operator's default endpoint; its host is allowed
   * @param extraHosts more allowed hosts (see {@link EndpointHosts})
   */
  public TenancyPolicy(
      Set<String> ambientNamespaces,
      boolean allowInsecure,
      String defaultEndpoint,
      List<String> extraHosts) {
    this.ambientNamespaces = Set.copyOf(ambientNamespaces);
    this.allowInsecure = allowInsecure;
    List<String> allowed = new ArrayList<>(extraHosts);
    if (defaultEndpoint != null && !defaultEndpoint.isBlank()) {
      AlbEndpoint parsed = AlbEndpoint.parse(defaultEndpoint);
      allowed.add(parsed.hostAndPort().replaceFirst(":[0-9]+$", ""));
    }
    this.hosts = new EndpointHosts(allowed);
  }

  /** Everything allowed, for tests of other concerns. */
  public static TenancyPolicy permissive() {
    return new TenancyPolicy(Set.of("*"), true, "", List.of("*"));
  }

  void checkAmbient(String namespace) throws Problem {
    if (!ambientNamespaces.contains("*") && !ambientNamespaces.contains(namespace)) {
      throw new Problem(
          AMBIENT_NOT_ALLOWED,
          "spec.credentialsSecretRef is not set, and namespace "
              + namespace
              + " may not use the"
              + " operator's own credentials; name a Secret of this namespace in"
              + " spec.credentialsSecretRef, or ask the operator's administrator to add "
              + namespace
              + " to --ambient-credentials-namespaces (chart value ambientCredentials.namespaces)");
    }
  }

  void checkEndpoint(AlbEndpoint endpoint) throws Problem {
    String host =
        EndpointHosts.hostOf(endpoint.hostAndPort())
            .orElseThrow(
                () ->
                    new Problem(
                        "InvalidEndpoint", "endpoint must be host[:port], got '" + endpoint + "'"));
    if (!hosts.allows(host)) {
      throw new Problem(
          ENDPOINT_NOT_ALLOWED,
          "endpoint host "
              + host
              + " is neither an ALB endpoint (alb.<region>.aliyuncs.com,"
              + " alb-vpc.<region>.aliyuncs.com) nor allowed by the operator's administrator"
              + " (--allowed-endpoint-hosts, chart value alb.allowedEndpointHosts); the operator"
              + " sends signed requests only to those hosts");
    }
    if (!endpoint.https() && !allowInsecure) {
      throw new Problem(
          INSECURE_ENDPOINT,
          "endpoint "
              + endpoint
              + " is plain HTTP, which would send the access key ID, the"
              + " signature and any STS token in clear text; use HTTPS (host[:port]), or run the"
              + " operator with --allow-insecure-endpoints (chart value alb.allowInsecureEndpoints),"
              + " meant for simulators and tests");
    }
  }
}
