package io.albjobs.operator.alb;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Removes what must never leave the process from a message that came from the wire. ALB's signature
 * errors echo the server's string to sign, which holds the {@code SecurityToken} of STS
 * credentials; a proxy or gateway may echo the request URL, which holds the {@code Signature}.
 */
public final class Redaction {
  /**
   * {@code SecurityToken=...}, {@code Signature%3D...}, {@code "AccessKeySecret":"..."} and the
   * like.
   */
  private static final Pattern SECRET_PARAMETER =
      Pattern.compile(
          "(?i)\\b(SecurityToken|Signature|AccessKeySecret)(=|%3D|%253D|\"?\\s*:\\s*\"?)"
              + "((?!%26|%2526)[^&\\s\"',;])+");

  private Redaction() {}

  /**
   * Cuts everything from the sentence that mentions the string to sign, then masks the value of
   * every secret-bearing parameter left.
   */
  public static String redact(String message) {
    if (message == null) {
      return null;
    }
    String kept = message;
    int cut = kept.toLowerCase(Locale.ROOT).indexOf("string to sign");
    if (cut >= 0) {
      int sentence = kept.lastIndexOf('.', cut);
      kept = kept.substring(0, sentence >= 0 ? sentence + 1 : cut).trim();
    }
    return SECRET_PARAMETER.matcher(kept).replaceAll("$1$2***");
  }
}
