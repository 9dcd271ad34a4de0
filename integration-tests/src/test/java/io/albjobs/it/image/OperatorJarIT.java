package io.albjobs.it.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The operator jar is what the image runs (scripts/image copies it as it is): its classes are the
 * operator's runtime classpath. It carries the operator and its runtime dependencies, and nothing
 * that exists only to test or show it: not the ALB simulator, not the demo, not the test helpers,
 * not fabric8's mock server nor the Vert.x/Netty web server that comes with it, not JUnit.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OperatorJarIT {
  private static final Path JAR =
      Path.of(System.getProperty("albjobs.jar", "../operator/target/alb-asyncjob-operator.jar"));

  /** Package prefixes (as jar entry paths) that must not be in the shipped jar, and why. */
  private static final List<String[]> FORBIDDEN =
      List.of(
          new String[] {"io/albjobs/simulator/", "the ALB simulator (simulator module)"},
          new String[] {"io/albjobs/demo/", "the demo (demo module)"},
          new String[] {"io/albjobs/it/", "the integration suites"},
          new String[] {"io/albjobs/operator/testing/", "the operator's test helpers"},
          new String[] {
            "io/fabric8/kubernetes/client/server/mock/", "fabric8's mock Kubernetes API"
          },
          new String[] {"io/fabric8/mockwebserver/", "fabric8's mock web server"},
          new String[] {"io/vertx/", "Vert.x (the mock server's web server)"},
          new String[] {"io/netty/", "Netty (under Vert.x)"},
          new String[] {"org/junit/", "JUnit"},
          new String[] {"crds/", "the CRDs (installed by the chart, not read by the operator)"});

  @Test
  void theShippedJarHoldsTheOperatorAndNothingThatOnlyTestsOrShowsIt() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build it with mvn package");
    try (JarFile jar = new JarFile(JAR.toFile())) {
      TreeSet<String> entries =
          jar.stream().map(e -> e.getName()).collect(Collectors.toCollection(TreeSet::new));
      StringBuilder found = new StringBuilder();
      for (String[] forbidden : FORBIDDEN) {
        List<String> hits =
            entries.stream().filter(e -> e.startsWith(forbidden[0])).limit(3).toList();
        if (!hits.isEmpty()) {
          found.append("\n  ").append(forbidden[1]).append(": ").append(hits);
        }
      }
      assertEquals("", found.toString(), "the operator jar carries what only tests or shows it:");

      assertEquals(
          "io.albjobs.operator.Main",
          jar.getManifest().getMainAttributes().getValue("Main-Class"),
          "java -jar starts the operator");
      for (String needed :
          List.of(
              "io/albjobs/operator/Main.class",
              "io/javaoperatorsdk/operator/Operator.class",
              "io/fabric8/kubernetes/client/KubernetesClient.class",
              "io/fabric8/kubernetes/client/jdkhttp/JdkHttpClientFactory.class",
              "com/aliyuncs/DefaultAcsClient.class",
              "org/bouncycastle/openssl/PEMParser.class",
              "io/micrometer/prometheusmetrics/PrometheusMeterRegistry.class",
              "logback.xml")) {
        assertTrue(entries.contains(needed), "the operator jar lacks " + needed);
      }
    }
  }
}
