package io.albjobs.simulator;

/**
 * A credential the simulator accepts: an AccessKey pair of an account, plus the security token the
 * caller must present when the pair is temporary (STS); {@code securityToken} is {@code null} for a
 * permanent key. {@link #toString()} never shows the secret or the token.
 */
public record SimAccount(
    String accountId, String accessKeyId, String accessKeySecret, String securityToken) {

  public SimAccount {
    requireText(accountId, "accountId");
    requireText(accessKeyId, "accessKeyId");
    requireText(accessKeySecret, "accessKeySecret");
  }

  public boolean isSts() {
    return securityToken != null;
  }

  @Override
  public String toString() {
    return "SimAccount[accountId="
        + accountId
        + ", accessKeyId="
        + accessKeyId
        + ", sts="
        + isSts()
        + "]";
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("SimAccount." + name + " must not be blank");
    }
  }
}
