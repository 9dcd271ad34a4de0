package io.albjobs.it.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albjobs.it.kube.ControlPlane;
import io.albjobs.it.kube.Kubectl;
import io.albjobs.it.kube.SharedControlPlane;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRDs' schema and CEL rules, judged by a real kube-apiserver through the real kubectl: every
 * invalid spec in the catalogue is refused with a message that names the field.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CrdValidationIT {
  private static final String NS = "validation";
  private static Kubectl kubectl;

  @BeforeAll
  static void setUp() {
    ControlPlane cp = SharedControlPlane.get();
    kubectl = cp.kubectl();
    kubectl.run("create", "namespace", NS);
  }

  private static String watch(String name, String specBody) {
    return "apiVersion: albjobs.io/v1alpha1\nkind: AsyncJobWatch\nmetadata:\n  name: "
        + name
        + "\n  namespace: "
        + NS
        + "\nspec:\n"
        + specBody;
  }

  private static String job(String name, String specBody) {
    return "apiVersion: albjobs.io/v1alpha1\nkind: AsyncJob\nmetadata:\n  name: "
        + name
        + "\n  namespace: "
        + NS
        + "\nspec:\n"
        + specBody;
  }

  private static final String OK_WATCH =
      "  regionId: cn-hangzhou\n  resourceType: loadbalancer\n  resourceIds: [alb-1]\n";

  private static final String SHOULD_MATCH = " in body should match '";

  /**
   * What, the manifest, the field path the API server names, and the rule it reports for that
   * field.
   */
  static Stream<Arguments> invalidSpecs() {
    return Stream.of(
        Arguments.of(
            "watch without regionId",
            watch("w1", "  resourceType: loadbalancer\n"),
            "spec.regionId",
            "Required value"),
        Arguments.of(
            "watch without resourceType",
            watch("w2", "  regionId: cn-hangzhou\n"),
            "spec.resourceType",
            "Required value"),
        Arguments.of(
            "unknown resourceType",
            watch("w3", "  regionId: cn-hangzhou\n  resourceType: vpc\n"),
            "spec.resourceType",
            "Unsupported value: \"vpc\": supported values: "),
        Arguments.of(
            "region with upper case",
            watch("w4", "  regionId: CN-Hangzhou\n  resourceType: listener\n"),
            "spec.regionId",
            "Invalid value: \"CN-Hangzhou\": spec.regionId"
                + SHOULD_MATCH
                + "^[a-z]{2,4}(-[a-z0-9]+){1,3}$'"),
        Arguments.of(
            "resource ID with a space",
            watch(
                "w5",
                "  regionId: cn-hangzhou\n  resourceType: listener\n  resourceIds: ['lsn 1']\n"),
            "spec.resourceIds[0]",
            "Invalid value: \"lsn 1\": spec.resourceIds[0]" + SHOULD_MATCH),
        Arguments.of(
            "more than 1000 resource IDs",
            watch(
                "w6",
                "  regionId: cn-hangzhou\n  resourceType: listener\n  resourceIds: ["
                    + String.join(",", java.util.Collections.nCopies(1001, "lsn-1"))
                    + "]\n"),
            "spec.resourceIds",
            "Too many: 1001: must have at most 1000 items"),
        Arguments.of(
            "API name not CamelCase",
            watch("w7", OK_WATCH + "  apiNames: [create-listener]\n"),
            "spec.apiNames[0]",
            "Invalid value: \"create-listener\": spec.apiNames[0]" + SHOULD_MATCH),
        Arguments.of(
            "pollInterval not a duration",
            watch("w8", OK_WATCH + "  pollInterval: soon\n"),
            "spec.pollInterval",
            "Invalid value: \"soon\": spec.pollInterval" + SHOULD_MATCH),
        Arguments.of(
            "pollInterval below 5s",
            watch("w9", OK_WATCH + "  pollInterval: 1s\n"),
            "spec.pollInterval",
            "spec.pollInterval must be between 5s and 1h"),
        Arguments.of(
            "pollInterval above 1h",
            watch("w10", OK_WATCH + "  pollInterval: 2h\n"),
            "spec.pollInterval",
            "spec.pollInterval must be between 5s and 1h"),
        Arguments.of(
            "activePollInterval of 0",
            watch("w11", OK_WATCH + "  activePollInterval: 0s\n"),
            "spec.activePollInterval",
            "spec.activePollInterval must be between 1s and 10m"),
        Arguments.of(
            "active slower than idle",
            watch("w12", OK_WATCH + "  pollInterval: 10s\n  activePollInterval: 30s\n"),
            "spec",
            "spec.activePollInterval must not be longer than spec.pollInterval"),
        Arguments.of(
            "since of 60 days",
            watch("w13", OK_WATCH + "  since: 1440h\n"),
            "spec.since",
            "spec.since must be between 1m and 720h"),
        Arguments.of(
            "negative TTL",
            watch("w14", OK_WATCH + "  ttlSecondsAfterFinished: -1\n"),
            "spec.ttlSecondsAfterFinished",
            "Invalid value: -1: spec.ttlSecondsAfterFinished in body should be greater than or equal to 0"),
        Arguments.of(
            "negative history limit",
            watch("w15", OK_WATCH + "  successfulJobsHistoryLimit: -3\n"),
            "spec.successfulJobsHistoryLimit",
            "Invalid value: -3: spec.successfulJobsHistoryLimit in body should be greater than or equal to 0"),
        Arguments.of(
            "secret name not DNS-1123",
            watch("w16", OK_WATCH + "  credentialsSecretRef: {name: Alb_Creds}\n"),
            "spec.credentialsSecretRef.name",
            "Invalid value: \"Alb_Creds\": spec.credentialsSecretRef.name" + SHOULD_MATCH),
        Arguments.of(
            "secret in another namespace",
            watch(
                "w17",
                OK_WATCH + "  credentialsSecretRef: {name: creds, namespace: kube-system}\n"),
            "unknown field \"spec.credentialsSecretRef.namespace\"",
            null),
        Arguments.of(
            "endpoint with a path",
            watch("w18", OK_WATCH + "  endpoint: https://alb.example.com/api\n"),
            "spec.endpoint",
            "Invalid value: \"https://alb.example.com/api\": spec.endpoint" + SHOULD_MATCH),
        Arguments.of(
            "AlbConfig selector on listeners",
            watch(
                "w19",
                "  regionId: cn-hangzhou\n  resourceType: listener\n  albConfigSelector: {matchLabels: {a: b}}\n"),
            "spec",
            "spec.albConfigSelector is only valid with spec.resourceType"),
        Arguments.of(
            "includeChildren on listeners",
            watch(
                "w20",
                "  regionId: cn-hangzhou\n  resourceType: listener\n  resourceIds: [lsn-1]\n  includeChildren: false\n"),
            "spec",
            "spec.includeChildren is only valid with spec.resourceType"),
        Arguments.of(
            "AsyncJob without jobId",
            job("j1", "  regionId: cn-hangzhou\n"),
            "spec.jobId",
            "Required value"),
        Arguments.of(
            "AsyncJob with empty jobId",
            job("j2", "  jobId: ''\n  regionId: cn-hangzhou\n"),
            "spec.jobId",
            "Invalid value: \"\": spec.jobId in body should be at least 1 chars long"),
        Arguments.of(
            "AsyncJob jobId with spaces",
            job("j3", "  jobId: 'A B'\n  regionId: cn-hangzhou\n"),
            "spec.jobId",
            "Invalid value: \"A B\": spec.jobId" + SHOULD_MATCH + "^[!-~]+$'"),
        Arguments.of(
            "AsyncJob without regionId",
            job("j4", "  jobId: ABC\n"),
            "spec.regionId",
            "Required value"));
  }

  /**
   * The API server's answer names the field path, followed (in the same cause) by the rule that
   * refused it: "spec.pollInterval: Invalid value: ...: spec.pollInterval must be between 5s and
   * 1h". A bare substring such as "spec" would be in almost any error.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void invalidSpecsAreRefusedNamingTheFieldAndTheRule(
      String what, String manifest, String field, String rule) {
    Kubectl.Result r = kubectl.run(manifest, Duration.ofSeconds(30), "apply", "-f", "-");
    assertFalse(r.ok(), what + " was accepted:\n" + r);
    String cause =
        rule == null
            ? Pattern.quote(field)
            : "(^|[\\s\\[,])"
                + Pattern.quote(field + ": ")
                + "([^,\\n]|, [^s])*?"
                + Pattern.quote(rule);
    assertTrue(
        Pattern.compile(cause).matcher(r.stderr()).find(),
        what
            + ": the error does not say "
            + field
            + ": ..."
            + (rule == null ? "" : rule)
            + ":\n"
            + r.stderr());
  }

  @Test
  void validObjectsAreAccepted() {
    Kubectl.Result w =
        kubectl.run(
            watch(
                "ok",
                OK_WATCH
                    + "  pollInterval: 1m\n  activePollInterval: 5s\n  since: 2h\n"
                    + "  apiNames: [CreateListener]\n  credentialsSecretRef: {name: alb-creds}\n  ttlSecondsAfterFinished: 3600\n"),
            Duration.ofSeconds(30),
            "apply",
            "-f",
            "-");
    assertTrue(w.ok(), w.toString());
    Kubectl.Result j =
        kubectl.run(
            job(
                "ok-job",
                "  jobId: 365F4154-92F6-4AE4-92F8-7FF34B5C1D2E\n  regionId: cn-hangzhou\n"
                    + "  endpoint: alb-vpc.cn-hangzhou.aliyuncs.com\n"),
            Duration.ofSeconds(30),
            "apply",
            "-f",
            "-");
    assertTrue(j.ok(), j.toString());
  }

  @Test
  void jobIdIsImmutable() {
    assertTrue(
        kubectl
            .run(
                job("immutable", "  jobId: FIRST\n  regionId: cn-hangzhou\n"),
                Duration.ofSeconds(30),
                "apply",
                "-f",
                "-")
            .ok());
    Kubectl.Result r =
        kubectl.run(
            job("immutable", "  jobId: SECOND\n  regionId: cn-hangzhou\n"),
            Duration.ofSeconds(30),
            "apply",
            "-f",
            "-");
    assertFalse(r.ok(), r.toString());
    assertTrue(r.stderr().contains("spec.jobId is immutable"), r.stderr());
  }
}
