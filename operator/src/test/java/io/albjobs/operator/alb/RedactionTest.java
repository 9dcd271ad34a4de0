package io.albjobs.operator.alb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** ALB's and proxies' echoes of a signed request lose every secret before they become a message. */
class RedactionTest {
  private static final String TOKEN = "CAIS+tok/en==";

  @Test
  void albsEchoedStringToSignIsCutOff() {
    String echoed =
        "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&"
            + "AccessKeyId%3DSTS.key%26SecurityToken%3DCAIS%252Btok%252Fen%253D%253D%26Timestamp%3D2026";
    assertEquals(
        "Specified signature is not matched with our calculation.", Redaction.redact(echoed));
    AlbException e =
        new AlbException(
            ErrorKind.TERMINAL,
            "SignatureDoesNotMatch",
            400,
            "SignatureDoesNotMatch: " + echoed,
            null);
    assertFalse(e.getMessage().contains("CAIS"), e.getMessage());
  }

  @Test
  void secretParametersAreMaskedInAnyEncoding() {
    String url =
        "bad gateway for /?AccessKeyId=LTAI1&SecurityToken="
            + TOKEN
            + "&Signature=abc%2Bdef%3D&SignatureNonce=n1";
    assertEquals(
        "bad gateway for /?AccessKeyId=LTAI1&SecurityToken=***&Signature=***&SignatureNonce=n1",
        Redaction.redact(url));
    assertEquals(
        "x SecurityToken%3D***%26Version%3D1",
        Redaction.redact("x SecurityToken%3DCAIS%252Bx%26Version%3D1"));
    assertEquals(
        "{\"AccessKeySecret\":\"***\"}", Redaction.redact("{\"AccessKeySecret\":\"s3cr3t\"}"));
  }
}
