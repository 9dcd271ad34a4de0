package io.albjobs.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * The opaque {@code NextToken}: the listing position (CreateTime, Id) of the last job returned. A
 * position rather than an offset keeps paging stable while new jobs arrive at the head of the list.
 * The checksum makes an edited or truncated token an {@code InvalidParameter} instead of a silently
 * wrong page.
 */
final class PageToken {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private PageToken() {}

  static String encode(JobKey position) {
    String payload = position.createTime().toEpochMilli() + ":" + position.id();
    return ENCODER.encodeToString((payload + ":" + crc(payload)).getBytes(StandardCharsets.UTF_8));
  }

  /** Decodes a token the simulator issued; anything else is ALB's {@code InvalidParameter}. */
  static JobKey decode(String token) {
    try {
      String text = new String(DECODER.decode(token), StandardCharsets.UTF_8);
      int first = text.indexOf(':');
      int last = text.lastIndexOf(':');
      if (first < 0 || last <= first) {
        throw invalid();
      }
      String payload = text.substring(0, last);
      if (!crc(payload).equals(text.substring(last + 1))) {
        throw invalid();
      }
      long millis = Long.parseLong(text.substring(0, first));
      return new JobKey(Instant.ofEpochMilli(millis), text.substring(first + 1, last));
    } catch (IllegalArgumentException e) { // bad Base64 or number
      throw invalid();
    }
  }

  private static AlbError invalid() {
    return AlbError.invalidParameter("NextToken", "the token was not issued by this service.");
  }

  private static String crc(String payload) {
    CRC32 crc = new CRC32();
    crc.update(payload.getBytes(StandardCharsets.UTF_8));
    return Long.toHexString(crc.getValue());
  }
}
