package io.albjobs.operator.alb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AlbEndpointTest {
  @Test
  void regionEndpointIsHttpsByDefault() {
    AlbEndpoint e = AlbEndpoint.resolve(null, null, "cn-shanghai");
    assertEquals("alb.cn-shanghai.aliyuncs.com", e.hostAndPort());
    assertTrue(e.https());
  }

  @Test
  void financeRegionUsesHangzhouEndpoint() {
    assertEquals(
        "alb.cn-hangzhou.aliyuncs.com",
        AlbEndpoint.resolve("", "", "cn-hangzhou-finance").hostAndPort());
  }

  @Test
  void plainHttpOnlyWhenWrittenExplicitly() {
    assertFalse(AlbEndpoint.parse("http://127.0.0.1:8080").https());
    assertTrue(AlbEndpoint.parse("127.0.0.1:8443").https());
    assertTrue(AlbEndpoint.parse("https://alb-vpc.cn-beijing.aliyuncs.com/").https());
  }

  @Test
  void operatorDefaultMayNameTheRegion() {
    AlbEndpoint e = AlbEndpoint.resolve(null, "alb-vpc.{region}.aliyuncs.com", "cn-beijing");
    assertEquals("alb-vpc.cn-beijing.aliyuncs.com", e.hostAndPort());
  }

  @Test
  void pathsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> AlbEndpoint.parse("https://host/path"));
  }

  @Test
  void errorsAreClassifiedAsTheApiTableSays() {
    assertEquals(ErrorKind.THROTTLED, ErrorClassifier.classify("Throttling.User", 400));
    assertEquals(ErrorKind.THROTTLED, ErrorClassifier.classify("Throttling.Api", 400));
    assertEquals(ErrorKind.RETRYABLE, ErrorClassifier.classify("SystemBusy", 400));
    assertEquals(ErrorKind.RETRYABLE, ErrorClassifier.classify("ServiceUnavailable", 503));
    assertEquals(ErrorKind.RETRYABLE, ErrorClassifier.classify("InternalError", 500));
    assertEquals(ErrorKind.TERMINAL, ErrorClassifier.classify("SignatureDoesNotMatch", 400));
    assertEquals(ErrorKind.TERMINAL, ErrorClassifier.classify("InvalidAccessKeyId.NotFound", 404));
    assertEquals(ErrorKind.TERMINAL, ErrorClassifier.classify("Forbidden.RAM", 403));
    assertEquals(ErrorKind.TERMINAL, ErrorClassifier.classify("InvalidParameter", 400));
    // The SDK's own verdict on a wrong secret (ALB echoed the very string it signed): not a network
    // error.
    assertEquals(ErrorKind.TERMINAL, ErrorClassifier.classify("SDK.InvalidAccessKeySecret", 0));
    assertTrue(ErrorClassifier.isCredentialProblem("SDK.InvalidAccessKeySecret"));
  }
}
