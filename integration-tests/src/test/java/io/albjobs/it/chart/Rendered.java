package io.albjobs.it.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The objects {@code helm template} rendered for one {@link Combination}, as JSON trees. */
final class Rendered {
  static final String RELEASE = "alb-asyncjob-operator";
  static final String NAMESPACE = "alb-system";
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, Rendered> CACHE = new ConcurrentHashMap<>();

  final Combination combination;
  final String text;
  final List<JsonNode> docs;

  private Rendered(Combination combination, String text, List<JsonNode> docs) {
    this.combination = combination;
    this.text = text;
    this.docs = docs;
  }

  /**
   * The chart rendered as release alb-asyncjob-operator in alb-system, once per combination and
   * JVM.
   */
  static Rendered of(Combination c) {
    return CACHE.computeIfAbsent(c.name, n -> parse(c, Helm.template(RELEASE, NAMESPACE, c.args)));
  }

  static Rendered of(String combination) {
    return of(Combination.named(combination));
  }

  static Rendered parse(Combination c, String text) {
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(text)) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && d.isObject() && !d.isEmpty()) {
          docs.add(d);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Rendered(c, text, docs);
  }

  List<JsonNode> ofKind(String kind) {
    return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
  }

  Optional<JsonNode> find(String kind, String name) {
    List<JsonNode> found =
        ofKind(kind).stream()
            .filter(d -> name == null || name.equals(d.path("metadata").path("name").asText()))
            .toList();
    return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
  }

  /** The only object of that kind and name; fails the test when there is none or several. */
  JsonNode one(String kind, String name) {
    return find(kind, name)
        .orElseThrow(
            () ->
                new AssertionError(
                    combination
                        + ": expected exactly one "
                        + kind
                        + (name == null ? "" : " named " + name)
                        + ", found "
                        + ofKind(kind).stream()
                            .map(d -> d.path("metadata").path("name").asText())
                            .toList()));
  }

  JsonNode deployment() {
    return one("Deployment", RELEASE);
  }

  JsonNode pod() {
    return deployment().path("spec").path("template").path("spec");
  }

  JsonNode podLabels() {
    return deployment().path("spec").path("template").path("metadata").path("labels");
  }

  JsonNode container() {
    JsonNode containers = pod().path("containers");
    assertEquals(1, containers.size(), "one container in the operator pod");
    return containers.get(0);
  }

  /** The operator container's env by name, in order. */
  Map<String, JsonNode> env() {
    Map<String, JsonNode> env = new LinkedHashMap<>();
    container().path("env").forEach(e -> env.put(e.path("name").asText(), e));
    return env;
  }

  /**
   * The literal value of an env var of the operator container, or null when unset or not literal.
   */
  String envValue(String name) {
    JsonNode e = env().get(name);
    return e == null || !e.has("value") ? null : e.path("value").asText();
  }

  /** The elements of a JSON array, as text. */
  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Every key/value of {@code selector} is among {@code labels}. */
  static boolean selects(JsonNode selector, JsonNode labels) {
    if (selector == null || selector.isMissingNode() || selector.isEmpty()) {
      return false;
    }
    var it = selector.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }
}
