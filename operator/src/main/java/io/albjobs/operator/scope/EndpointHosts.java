package io.albjobs.operator.scope;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hosts the operator sends signed requests to: ALB's own endpoints ({@code
 * alb.<region>.aliyuncs.com}, {@code alb-vpc.<region>.aliyuncs.com}) and what the administrator
 * adds. An entry is a host ({@code 127.0.0.1}), a domain suffix ({@code *.example.com}), a host
 * with {@code {region}} standing for any region, or {@code *} for any host. Ports are not compared:
 * who receives the request is decided by the host.
 */
final class EndpointHosts {
  private static final Pattern ALB =
      Pattern.compile("^alb(-vpc)?\\.[a-z]{2,4}(-[a-z0-9]+){1,3}\\.aliyuncs\\.com$");

  /**
   * {@code host[:port]}: a DNS name or IPv4 address; nothing that could smuggle in another host.
   */
  private static final Pattern HOST_AND_PORT =
      Pattern.compile("^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?$");

  private final List<Pattern> extra;

  EndpointHosts(List<String> entries) {
    this.extra = entries.stream().map(EndpointHosts::entryPattern).toList();
  }

  /** The host of {@code host[:port]}, lower-cased; empty when the value is not plainly that. */
  static java.util.Optional<String> hostOf(String hostAndPort) {
    Matcher m = HOST_AND_PORT.matcher(hostAndPort);
    return m.matches()
        ? java.util.Optional.of(m.group(1).toLowerCase(Locale.ROOT))
        : java.util.Optional.empty();
  }

  boolean allows(String host) {
    return ALB.matcher(host).matches() || extra.stream().anyMatch(p -> p.matcher(host).matches());
  }

  private static Pattern entryPattern(String entry) {
    String e = entry.trim().toLowerCase(Locale.ROOT);
    if (e.equals("*")) {
      return Pattern.compile(".*");
    }
    StringBuilder regex = new StringBuilder("^");
    if (e.startsWith("*.")) {
      regex.append("([a-z0-9-]+\\.)+");
      e = e.substring(2);
    }
    String[] parts = e.split("\\{region\\}", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        regex.append("[a-z0-9-]+");
      }
      regex.append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(regex.append('$').toString());
  }
}
