package io.albjobs.operator.write;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Label and annotation keys users select on, and the rules for their values.
 *
 * <p>A label value holds at most 63 characters from {@code [A-Za-z0-9-_.]}, beginning and ending
 * with a letter or digit. Watch names (up to 253 characters), resource IDs and API names may not
 * fit, so every value the operator writes goes through {@link #value}: the value itself when it is
 * a valid label value, else its <em>short form</em> — the value with every other character turned
 * into {@code -}, cut to {@value #PREFIX} characters, trimmed to a letter or digit at both ends,
 * then {@code -} and the first {@value #HASH_HEX} hex digits of the SHA-256 of the exact value
 * (UTF-8). The short form is stable across restarts and versions, at most 63 characters, and tells
 * different values apart; the exact value stays in the spec, the status or the owner reference.
 */
public final class Labels {
  public static final String WATCH = "albjobs.io/watch";
  public static final String RESOURCE_TYPE = "albjobs.io/resource-type";
  public static final String RESOURCE_ID = "albjobs.io/resource-id";

  /** The load balancer of a job a load-balancer watch mirrored (its own, or its child's). */
  public static final String LOAD_BALANCER = "albjobs.io/load-balancer";

  public static final String API_NAME = "albjobs.io/api-name";
  public static final String PHASE = "albjobs.io/phase";
  public static final String JOB_ID = "albjobs.io/job-id";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGER = "alb-asyncjob-operator";

  /** Annotation: a new value asks for one immediate poll. */
  public static final String POLL_NOW = "albjobs.io/poll-now";

  /** Annotation: the exact ALB JobId, whatever the label value could hold. */
  public static final String JOB_ID_ANNOTATION = "albjobs.io/job-id";

  private static final Pattern LABEL_VALUE =
      Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");

  private static final int MAX = 63;
  private static final int HASH_HEX = 10;
  private static final int PREFIX = MAX - HASH_HEX - 1;

  private Labels() {}

  /**
   * The label value for {@code value}: the value itself when it is a valid label value, else its
   * short form (see the class comment); null stays null (the label is then left out).
   */
  public static String value(String value) {
    if (value == null || isValid(value)) {
      return value;
    }
    String prefix = value.replaceAll("[^A-Za-z0-9_.-]", "-");
    if (prefix.length() > PREFIX) {
      prefix = prefix.substring(0, PREFIX);
    }
    prefix = prefix.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    String hash = hash(value);
    return prefix.isEmpty() ? hash : prefix + "-" + hash;
  }

  /** The label selector for the AsyncJobs a watch of this name created. */
  public static String watchSelector(String watchName) {
    return WATCH + "=" + value(watchName);
  }

  static boolean isValid(String value) {
    return value.length() <= MAX && LABEL_VALUE.matcher(value).matches();
  }

  private static String hash(String value) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_HEX);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String lower(String value) {
    return value == null ? null : value.toLowerCase(Locale.ROOT);
  }
}
