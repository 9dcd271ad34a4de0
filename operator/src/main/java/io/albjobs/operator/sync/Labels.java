package io.albjobs.operator.sync;

import java.util.Locale;
import java.util.regex.Pattern;

/** Label and annotation keys users select on, and the rules for their values. */
public final class Labels {
  public static final String WATCH = "albjobs.io/watch";
  public static final String RESOURCE_TYPE = "albjobs.io/resource-type";
  public static final String RESOURCE_ID = "albjobs.io/resource-id";
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

  private Labels() {}

  /** The value itself if it is a valid label value, else null (the label is then left out). */
  public static String valueOrNull(String value) {
    if (value == null || value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
      return null;
    }
    return value;
  }

  static String lower(String value) {
    return value == null ? null : value.toLowerCase(Locale.ROOT);
  }
}
