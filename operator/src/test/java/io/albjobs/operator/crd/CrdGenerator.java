package io.albjobs.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Generates the CRDs from the Java types with fabric8's CRD generator. The one post-processing
 * step keeps the printer columns in the order the classes declare them (the generator sorts them
 * by JSON path), since that order is what {@code kubectl get} shows.
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
        .withPostProcessor(new DeclaredColumnOrder())
        .customResourceClasses(AsyncJob.class, AsyncJobWatch.class)
        .generate();
    try (var files = Files.list(dir)) {
      for (Path yml : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
        String name = yml.getFileName().toString();
        Files.move(yml, dir.resolve(name.substring(0, name.length() - 4) + ".yaml"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  static final class DeclaredColumnOrder implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      if (crd instanceof CustomResourceDefinition v1) {
        Class<?> type = KINDS.get(v1.getSpec().getNames().getKind());
        List<String> declared = Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name).toList();
        for (CustomResourceDefinitionVersion version : v1.getSpec().getVersions()) {
          version.getAdditionalPrinterColumns()
              .sort(Comparator.comparingInt((CustomResourceColumnDefinition c) -> declared.indexOf(c.getName())));
        }
      }
      return crd;
    }
  }
}
