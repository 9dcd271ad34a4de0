package io.albjobs.operator.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.albjobs.operator.alb.AlbCredentials;
import io.albjobs.operator.crd.SecretReference;
import io.albjobs.operator.status.Problem;
import io.albjobs.operator.testing.EmbeddedKubernetes;
import io.albjobs.operator.testing.Fixtures;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScopeResolverTest {
  private static final String NS = "team-a";
  private final EmbeddedKubernetes kube = new EmbeddedKubernetes();
  private final AtomicLong nanos = new AtomicLong();
  private final ScopeResolver resolver =
      new ScopeResolver(
          kube.client(),
          "http://127.0.0.1:1",
          Duration.ofSeconds(10),
          nanos::get,
          TenancyPolicy.permissive());

  @AfterEach
  void close() {
    kube.close();
  }

  private static SecretReference ref(String name) {
    SecretReference ref = new SecretReference();
    ref.setName(name);
    return ref;
  }

  private String keyId() throws Problem {
    AccountScope scope = resolver.resolve(NS, "cn-hangzhou", null, ref("creds"));
    return ((AlbCredentials.StaticKeys) scope.credentials()).accessKeyId();
  }

  @Test
  void aRotatedSecretIsUsedOnceTheCachedCopyExpires() throws Exception {
    kube.client().resource(Fixtures.credentials(NS, "creds", "LTAIold", "old-secret")).create();
    assertEquals("LTAIold", keyId());

    kube.client().resource(Fixtures.credentials(NS, "creds", "LTAInew", "new-secret")).update();
    nanos.addAndGet(Duration.ofSeconds(9).toNanos());
    assertEquals("LTAIold", keyId(), "within the TTL the Secret is not read again");

    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    assertEquals("LTAInew", keyId(), "after the TTL the rotated key is used");
  }

  @Test
  void aMissingSecretIsNotCachedAndADeletedOneIsNoticedAfterTheTtl() throws Exception {
    Problem missing = assertThrows(Problem.class, this::keyId);
    assertEquals("SecretNotFound", missing.reason());

    kube.client().resource(Fixtures.credentials(NS, "creds", "LTAIfixed", "s")).create();
    assertEquals(
        "LTAIfixed", keyId(), "a Secret created after a failed read is used at the next poll");

    kube.client().resource(Fixtures.credentials(NS, "creds", "LTAIfixed", "s")).delete();
    nanos.addAndGet(Duration.ofSeconds(11).toNanos());
    assertEquals("SecretNotFound", assertThrows(Problem.class, this::keyId).reason());
  }
}
