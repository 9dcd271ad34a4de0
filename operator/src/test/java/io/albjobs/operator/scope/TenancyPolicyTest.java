package io.albjobs.operator.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.operator.alb.AlbEndpoint;
import io.albjobs.operator.config.OperatorConfig;
import io.albjobs.operator.status.Problem;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the operator's administrator allows tenants, as the defaults and the flags set it. */
class TenancyPolicyTest {
  private final TenancyPolicy defaults = OperatorConfig.from(List.of(), Map.of()).tenancyPolicy();

  private static Problem refused(TenancyPolicy policy, String endpoint) {
    return assertThrows(Problem.class, () -> policy.checkEndpoint(AlbEndpoint.parse(endpoint)));
  }

  @Test
  void byDefaultOnlyAlbsOwnHostsOverHttpsAreAllowed() throws Problem {
    defaults.checkEndpoint(AlbEndpoint.resolve(null, "", "cn-hangzhou"));
    defaults.checkEndpoint(AlbEndpoint.parse("alb-vpc.cn-shanghai.aliyuncs.com"));
    defaults.checkEndpoint(AlbEndpoint.parse("https://ALB.ap-southeast-1.aliyuncs.com:443"));
    for (String host :
        List.of(
            "evil.example.com",
            "alb.cn-hangzhou.aliyuncs.com.evil.com",
            "127.0.0.1:8443",
            "100.100.100.200",
            "ecs.cn-hangzhou.aliyuncs.com",
            "xalb.cn-hangzhou.aliyuncs.com")) {
      Problem p = refused(defaults, host);
      assertEquals(TenancyPolicy.ENDPOINT_NOT_ALLOWED, p.reason(), host);
      assertTrue(p.getMessage().contains("--allowed-endpoint-hosts"), p.getMessage());
    }
  }

  @Test
  void aHostThatCouldHideAnotherIsInvalid() {
    assertEquals(
        "InvalidEndpoint",
        refused(TenancyPolicy.permissive(), "alb.cn-hangzhou.aliyuncs.com@evil.com").reason());
  }

  @Test
  void plainHttpNeedsTheFlagEvenToAnAllowedHost() throws Problem {
    Problem p = refused(defaults, "http://alb.cn-hangzhou.aliyuncs.com");
    assertEquals(TenancyPolicy.INSECURE_ENDPOINT, p.reason());
    assertTrue(p.getMessage().contains("--allow-insecure-endpoints"), p.getMessage());
    OperatorConfig.from(List.of("--allow-insecure-endpoints"), Map.of())
        .tenancyPolicy()
        .checkEndpoint(AlbEndpoint.parse("http://alb.cn-hangzhou.aliyuncs.com"));
    assertThrows(
        IllegalArgumentException.class,
        () -> OperatorConfig.from(List.of("--allow-insecure-endpoints=yes"), Map.of()));
  }

  @Test
  void theAdministratorAddsHostsDomainsAndTheDefaultEndpoint() throws Problem {
    TenancyPolicy policy =
        new TenancyPolicy(
            Set.of(),
            false,
            "alb.{region}.proxy.corp:8443",
            List.of("127.0.0.1", "*.alb.internal"));
    policy.checkEndpoint(AlbEndpoint.parse("127.0.0.1:9999"));
    policy.checkEndpoint(AlbEndpoint.parse("eu.alb.internal"));
    policy.checkEndpoint(AlbEndpoint.resolve(null, "alb.{region}.proxy.corp:8443", "cn-beijing"));
    assertEquals(TenancyPolicy.ENDPOINT_NOT_ALLOWED, refused(policy, "alb.internal").reason());
    assertEquals(TenancyPolicy.ENDPOINT_NOT_ALLOWED, refused(policy, "127.0.0.2").reason());
  }

  @Test
  void ambientCredentialsOnlyInTheNamespacesNamed() throws Problem {
    Problem p = assertThrows(Problem.class, () -> defaults.checkAmbient("team-a"));
    assertEquals(TenancyPolicy.AMBIENT_NOT_ALLOWED, p.reason());
    assertTrue(
        p.getMessage().contains("--ambient-credentials-namespaces")
            && p.getMessage().contains("ambientCredentials.namespaces"),
        p.getMessage());
    TenancyPolicy some =
        OperatorConfig.from(List.of("--ambient-credentials-namespaces=alb-system, ops"), Map.of())
            .tenancyPolicy();
    some.checkAmbient("ops");
    assertThrows(Problem.class, () -> some.checkAmbient("team-a"));
    OperatorConfig.from(List.of(), Map.of("AMBIENT_CREDENTIALS_NAMESPACES", "*"))
        .tenancyPolicy()
        .checkAmbient("team-a");
  }
}
