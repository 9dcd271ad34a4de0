package io.albjobs.operator.write;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The AsyncJob name for an ALB JobId: deterministic, so every watch and every restart agrees on one
 * object per (namespace, JobId). The lower-cased ID when lower-casing loses nothing and the result
 * is a DNS-1123 subdomain; otherwise a sanitised form plus a hash of the exact ID.
 */
public final class JobNames {
  private static final int MAX = 253;
  private static final Pattern DNS1123 =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  private JobNames() {}

  public static String forJobId(String jobId) {
    if (jobId == null || jobId.isEmpty()) {
      throw new IllegalArgumentException("a JobId is never empty");
    }
    String lower = jobId.toLowerCase(Locale.ROOT);
    if (!hasLowerCase(jobId) && lower.length() <= MAX && DNS1123.matcher(lower).matches()) {
      return lower;
    }
    String sanitised = lower.replaceAll("[^a-z0-9-]+", "-").replaceAll("-{2,}", "-");
    sanitised = sanitised.replaceAll("^-+", "").replaceAll("-+$", "");
    String hash = hash(jobId);
    int room = MAX - hash.length() - 1;
    if (sanitised.length() > room) {
      sanitised = sanitised.substring(0, room).replaceAll("-+$", "");
    }
    return sanitised.isEmpty() ? "job-" + hash : sanitised + "-" + hash;
  }

  /**
   * Lower-casing is lossless only for IDs without lower-case letters (ALB's own form): then the
   * name upper-cased gives the ID back, and no two such IDs share a name.
   */
  private static boolean hasLowerCase(String id) {
    return !id.equals(id.toUpperCase(Locale.ROOT));
  }

  private static String hash(String value) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
