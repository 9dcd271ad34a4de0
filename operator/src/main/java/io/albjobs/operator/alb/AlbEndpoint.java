package io.albjobs.operator.alb;

import java.util.Locale;

/**
 * Where to send {@code ListAsynJobs}: {@code host[:port]} over HTTPS, or plain HTTP only when the
 * endpoint was written with an explicit {@code http://}.
 */
public record AlbEndpoint(String hostAndPort, boolean https) {

  /**
   * Resolves the endpoint for a region: the object's own endpoint if set, else the operator's
   * default (which may contain {@code {region}}), else ALB's public endpoint for the region.
   */
  public static AlbEndpoint resolve(String explicit, String operatorDefault, String regionId) {
    if (explicit != null && !explicit.isBlank()) {
      return parse(explicit);
    }
    if (operatorDefault != null && !operatorDefault.isBlank()) {
      return parse(operatorDefault.replace("{region}", regionId));
    }
    return new AlbEndpoint(publicHost(regionId), true);
  }

  /** Parses {@code host[:port]}, {@code https://host[:port]} or {@code http://host:port}. */
  public static AlbEndpoint parse(String endpoint) {
    String value = endpoint.trim();
    String lower = value.toLowerCase(Locale.ROOT);
    boolean https = true;
    if (lower.startsWith("http://")) {
      https = false;
      value = value.substring("http://".length());
    } else if (lower.startsWith("https://")) {
      value = value.substring("https://".length());
    }
    if (value.endsWith("/")) {
      value = value.substring(0, value.length() - 1);
    }
    if (value.isEmpty() || value.contains("/")) {
      throw new IllegalArgumentException("endpoint must be host[:port], got '" + endpoint + "'");
    }
    return new AlbEndpoint(value, https);
  }

  static String publicHost(String regionId) {
    String region = "cn-hangzhou-finance".equals(regionId) ? "cn-hangzhou" : regionId;
    return "alb." + region + ".aliyuncs.com";
  }

  @Override
  public String toString() {
    return (https ? "https://" : "http://") + hostAndPort;
  }
}
