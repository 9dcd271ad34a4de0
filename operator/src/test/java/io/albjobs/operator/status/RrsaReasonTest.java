package io.albjobs.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.alb.AlbException;
import io.albjobs.operator.alb.ErrorKind;
import org.junit.jupiter.api.Test;

/** A refused RRSA token exchange is named as such on the object, not as a refusal of ALB. */
class RrsaReasonTest {
  @Test
  void aRefusedTokenExchangeSaysRrsaAndWhatToCheck() {
    AlbException refused =
        new AlbException(
            ErrorKind.TERMINAL,
            "AuthenticationFail.OIDCToken.AudienceNotMatch",
            400,
            "AuthenticationFail.OIDCToken.AudienceNotMatch: RRSA: AssumeRoleWithOIDC of acs:ram::1:role/r refused: "
                + "the audience is not sts.aliyuncs.com",
            null);
    Problem health = Problem.of(refused, 1);
    assertEquals("RrsaRefused", health.reason());
    assertTrue(health.stalled());
    assertTrue(
        health.message().contains("acs:ram::1:role/r") && health.message().contains("trust policy"),
        health.message());
  }

  @Test
  void anAlbRefusalIsStillAnAlbRefusal() {
    AlbException refused =
        new AlbException(
            ErrorKind.TERMINAL, "InvalidRegionId", 400, "InvalidRegionId: bad region", null);
    assertEquals("AlbRequestRefused", Problem.of(refused, 1).reason());
  }
}
