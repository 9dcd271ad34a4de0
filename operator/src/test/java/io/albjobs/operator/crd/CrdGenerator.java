package io.albjobs.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Generates the CRDs from the Java types with fabric8's CRD generator. Post-processing adds the
 * descriptions the generator does not take from the types ({@link Describe}) and keeps the printer
 * columns in the order the classes declare them (the generator sorts them by JSON path), since that
 * order is what {@code kubectl get} shows.
 *
 * <p>{@code scripts/update-crds.sh} runs {@link #main}; {@link CrdDriftTest} compares.
 */
public final class CrdGenerator {
  static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of("AsyncJob", AsyncJob.class, "AsyncJobWatch", AsyncJobWatch.class);

  private CrdGenerator() {}

  public static void main(String[] args) throws IOException {
    generate(Path.of(args[0]));
  }

  /** Writes {@code <plural>.<group>-v1.yaml} for each kind into {@code dir}. */
  public static void generate(Path dir) throws IOException {
    Files.createDirectories(dir);
    new io.fabric8.crdv2.generator.CRDGenerator()
        .inOutputDir(dir.toFile())
        .forCRDVersions("v1")
        .withPostProcessor(new Describe())
        .customResourceClasses(AsyncJob.class, AsyncJobWatch.class)
        .generate();
    try (var files = Files.list(dir)) {
      for (Path yml : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
        String name = yml.getFileName().toString();
        Files.move(
            yml,
            dir.resolve(name.substring(0, name.length() - 4) + ".yaml"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /**
   * Descriptions the generator does not take from the Java types: the kind's own (its
   * {@code @JsonClassDescription}; the generator ignores it on the root), spec and status (from
   * their classes), and the fields of fabric8's Condition and LabelSelector, which carry none. Then
   * the printer columns in declared order.
   */
  static final class Describe implements CRDPostProcessor {
    /** Descriptions of fields of types we do not own, by the path below the kind's schema. */
    static final Map<String, String> FOREIGN =
        Map.ofEntries(
            Map.entry(
                "conditions.items",
                "One condition: its type, whether it holds, why and since when."),
            Map.entry(
                "conditions.items.type",
                "The condition type: Complete, Failed, Finished (AsyncJob only), Ready,"
                    + " Reconciling or Stalled."),
            Map.entry("conditions.items.status", "True, False or Unknown."),
            Map.entry(
                "conditions.items.reason",
                "Why, in one CamelCase word from the list in docs/api.md; for a failed job,"
                    + " ALB's error code."),
            Map.entry(
                "conditions.items.message",
                "What happened and what to do, for a person; empty when there is nothing"
                    + " to say."),
            Map.entry(
                "conditions.items.lastTransitionTime",
                "When the status of this condition last changed, RFC 3339 in"
                    + " UTC; kept while the status stays the same."),
            Map.entry(
                "conditions.items.observedGeneration",
                "The metadata.generation the condition was computed for."),
            Map.entry(
                "albConfigSelector.matchLabels",
                "AlbConfig labels that must all match (key: value)."),
            Map.entry(
                "albConfigSelector.matchExpressions", "Label requirements that must all match."),
            Map.entry(
                "albConfigSelector.matchExpressions.items",
                "One requirement: a label key, an operator and values."),
            Map.entry("albConfigSelector.matchExpressions.items.key", "The label key."),
            Map.entry(
                "albConfigSelector.matchExpressions.items.operator",
                "In, NotIn, Exists or DoesNotExist."),
            Map.entry(
                "albConfigSelector.matchExpressions.items.values",
                "The values for In and NotIn; empty for Exists and" + " DoesNotExist."));

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      if (crd instanceof CustomResourceDefinition v1) {
        Class<?> type = KINDS.get(v1.getSpec().getNames().getKind());
        for (CustomResourceDefinitionVersion version : v1.getSpec().getVersions()) {
          JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
          root.setDescription(description(type));
          var parts = (ParameterizedType) type.getGenericSuperclass();
          describeIfMissing(
              root.getProperties().get("spec"), (Class<?>) parts.getActualTypeArguments()[0]);
          describeIfMissing(
              root.getProperties().get("status"), (Class<?>) parts.getActualTypeArguments()[1]);
          foreign(root, "");
        }
      }
      return new DeclaredColumnOrder().process(crd, crdSpecVersion);
    }

    private static void describeIfMissing(JSONSchemaProps schema, Class<?> type) {
      if (schema != null && schema.getDescription() == null) {
        schema.setDescription(description(type));
      }
    }

    private static String description(Class<?> type) {
      JsonClassDescription d = type.getAnnotation(JsonClassDescription.class);
      if (d == null) {
        throw new IllegalStateException(type.getName() + " needs a @JsonClassDescription");
      }
      return d.value();
    }

    private static void foreign(JSONSchemaProps schema, String path) {
      if (schema.getProperties() != null) {
        schema.getProperties().forEach((name, child) -> visit(child, name, path));
      }
      if (schema.getItems() != null && schema.getItems().getSchema() != null) {
        visit(schema.getItems().getSchema(), "items", path);
      }
    }

    private static void visit(JSONSchemaProps child, String name, String parent) {
      String path = parent.isEmpty() ? name : parent + "." + name;
      for (var e : FOREIGN.entrySet()) {
        if (child.getDescription() == null
            && (path.equals(e.getKey()) || path.endsWith("." + e.getKey()))) {
          child.setDescription(e.getValue());
        }
      }
      foreign(child, path);
    }
  }

  static final class DeclaredColumnOrder implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      if (crd instanceof CustomResourceDefinition v1) {
        Class<?> type = KINDS.get(v1.getSpec().getNames().getKind());
        List<String> declared =
            Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name)
                .toList();
        for (CustomResourceDefinitionVersion version : v1.getSpec().getVersions()) {
          version
              .getAdditionalPrinterColumns()
              .sort(
                  Comparator.comparingInt(
                      (CustomResourceColumnDefinition c) -> declared.indexOf(c.getName())));
        }
      }
      return crd;
    }
  }
}
