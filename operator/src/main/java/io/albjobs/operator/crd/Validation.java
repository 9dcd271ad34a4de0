package io.albjobs.operator.crd;

/** Patterns shared by the CRD schema and the operator's own checks. */
public final class Validation {
  /**
   * Region IDs such as {@code cn-hangzhou}, {@code ap-southeast-1}, {@code cn-hangzhou-finance}.
   */
  public static final String REGION_PATTERN = "^[a-z]{2,4}(-[a-z0-9]+){1,3}$";

  /** {@code host[:port]} (HTTPS) or an explicit {@code http://host:port} / {@code https://host}. */
  public static final String ENDPOINT_PATTERN =
      "^(https?://)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?/?$";

  /** The description of {@code spec.endpoint}, the same on both kinds. */
  public static final String ENDPOINT_DESCRIPTION =
      "The ALB API endpoint to call, as host[:port] (HTTPS) or an explicit "
          + "http://host:port or https://host; no path. Optional: when absent the operator "
          + "uses --alb-default-endpoint, else alb.<regionId>.aliyuncs.com. The host must be "
          + "alb.<region>.aliyuncs.com, alb-vpc.<region>.aliyuncs.com or one the operator's "
          + "administrator allows (--allowed-endpoint-hosts), else the object is Stalled with "
          + "EndpointNotAllowed; http:// is refused (InsecureEndpoint) unless the operator runs "
          + "with --allow-insecure-endpoints. At most 253 characters.";

  /**
   * Go-style durations made of whole units: {@code 500ms}, {@code 5s}, {@code 1m30s}, {@code 2h}.
   */
  public static final String DURATION_PATTERN = "^([0-9]{1,6}(ms|s|m|h))+$";

  /** A DNS-1123 subdomain, the shape of a Secret name. */
  public static final String DNS1123_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** ALB resource IDs such as {@code alb-o8mszt95oamfjy1234}, {@code lsn-...}, {@code sgp-...}. */
  public static final String RESOURCE_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$";

  /** ALB API names such as {@code CreateListener}. */
  public static final String API_NAME_PATTERN = "^[A-Z][A-Za-z0-9]{1,127}$";

  private Validation() {}
}
