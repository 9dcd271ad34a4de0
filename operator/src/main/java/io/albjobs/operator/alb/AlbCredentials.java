package io.albjobs.operator.alb;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a scope's credentials come from. {@link #toString()} never shows a secret, and {@link
 * #fingerprint()} is a one-way digest used only to tell two key sets apart.
 */
public sealed interface AlbCredentials {

  /** A short one-way digest identifying this credential set (safe to keep in memory keys). */
  String fingerprint();

  /** An access key (and STS token) read from a Secret. */
  record StaticKeys(String source, String accessKeyId, String accessKeySecret, String securityToken)
      implements AlbCredentials {
    @Override
    public String fingerprint() {
      return sha256(
          accessKeyId
              + '\0'
              + accessKeySecret
              + '\0'
              + (securityToken == null ? "" : securityToken));
    }

    @Override
    public String toString() {
      return "StaticKeys[" + source + "]";
    }

    /**
     * The same key in Secrets of several namespaces is one account: one scope, one budget. So
     * equality ignores where the key was read from.
     */
    @Override
    public boolean equals(Object o) {
      return o instanceof StaticKeys k
          && accessKeyId.equals(k.accessKeyId)
          && accessKeySecret.equals(k.accessKeySecret)
          && java.util.Objects.equals(securityToken, k.securityToken);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(accessKeyId, accessKeySecret, securityToken);
    }
  }

  /** The operator's own chain: environment variables, RRSA (OIDC), ECS RAM role. */
  record DefaultChain() implements AlbCredentials {
    @Override
    public String fingerprint() {
      return "default";
    }

    @Override
    public String toString() {
      return "DefaultChain";
    }
  }

  private static String sha256(String value) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
