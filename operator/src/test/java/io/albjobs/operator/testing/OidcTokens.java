package io.albjobs.operator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Projected ServiceAccount tokens as the kubelet writes them for RRSA: a JWT (unsigned here; the
 * simulated STS checks the audience and that it is the file's current content), replaced atomically
 * on rotation.
 */
public final class OidcTokens {
  private OidcTokens() {}

  public static String jwt(String audience, String subject) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    long now = Instant.now().getEpochSecond();
    String header = "{\"alg\":\"RS256\",\"kid\":\"test\"}";
    String payload =
        "{\"aud\":[\""
            + audience
            + "\"],\"iss\":\"https://oidc-ack.test\",\"sub\":\""
            + subject
            + "\",\"iat\":"
            + now
            + ",\"exp\":"
            + (now + 3600)
            + ",\"jti\":\""
            + UUID.randomUUID()
            + "\"}";
    return b64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes {@code token} to {@code file} the way the kubelet swaps a projected volume: atomically.
   */
  public static void write(Path file, String token) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, token, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
