package io.albjobs.simulator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A scripted set of accounts and jobs, read from YAML or JSON (JSON is valid YAML). Job times are
 * relative, so one file replays the same story whenever it is loaded:
 *
 * <ul>
 *   <li>{@code createdAt}: offset from t0 (e.g. {@code -30s}; default {@code 0s});
 *   <li>{@code visibleAfter}: delay after creation before {@code ListAsynJobs} shows the job
 *       (default {@code 0s});
 *   <li>{@code duration}: creation to finish; absent means the job never finishes;
 *   <li>{@code outcome}: {@code Succeeded} (default) or {@code Failed} with {@code errorCode} and
 *       {@code errorMessage};
 *   <li>{@code runningStatus}: the status word shown until the job finishes (default {@code
 *       Processing}), e.g. a word the operator does not know.
 * </ul>
 *
 * Durations are {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} or combinations like {@code
 * 1m30s}, optionally negative. Unknown fields are rejected so that a typo does not silently change
 * the story.
 */
public record Scenario(List<SimAccount> accounts, List<JobSpec> jobSpecs) {
  /** The classpath resource of the one-command demo's scenario. */
  public static final String DEMO_RESOURCE = "/sim/demo-scenario.yaml";

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** One job of a scenario, times still relative. */
  public record JobSpec(
      String id,
      String accountId,
      String regionId,
      String apiName,
      String operateType,
      String resourceType,
      String resourceId,
      String createdAt,
      String visibleAfter,
      String duration,
      String outcome,
      String errorCode,
      String errorMessage,
      String runningStatus) {

    SimJob resolve(Instant t0) {
      Instant created = t0.plus(SimDurations.parse(createdAt, Duration.ZERO));
      Instant visible = created.plus(SimDurations.parse(visibleAfter, Duration.ZERO));
      Instant finished = duration == null ? null : created.plus(SimDurations.parse(duration, null));
      return new SimJob(
          id,
          accountId,
          regionId,
          apiName,
          operateType,
          resourceType,
          resourceId,
          created,
          visible,
          finished,
          outcome,
          SimJob.FAILED.equalsIgnoreCase(outcome) ? errorCode : null,
          SimJob.FAILED.equalsIgnoreCase(outcome) ? errorMessage : null,
          runningStatus);
    }
  }

  private record ScenarioFile(List<SimAccount> accounts, List<JobSpec> jobs) {}

  public Scenario {
    accounts = accounts == null ? List.of() : List.copyOf(accounts);
    jobSpecs = jobSpecs == null ? List.of() : List.copyOf(jobSpecs);
  }

  public static Scenario read(InputStream yamlOrJson) {
    try (yamlOrJson) {
      ScenarioFile file = YAML.readValue(yamlOrJson, ScenarioFile.class);
      if (file == null) {
        return new Scenario(List.of(), List.of());
      }
      return new Scenario(file.accounts(), file.jobs());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the simulator scenario: " + e.getMessage(), e);
    }
  }

  /** The demo's scenario from the classpath. */
  public static Scenario demo() {
    InputStream in = Scenario.class.getResourceAsStream(DEMO_RESOURCE);
    if (in == null) {
      throw new IllegalStateException(DEMO_RESOURCE + " is not on the classpath");
    }
    return read(in);
  }

  /** The jobs with their times fixed against {@code t0}. */
  public List<SimJob> jobs(Instant t0) {
    return jobSpecs.stream().map(spec -> spec.resolve(t0)).toList();
  }
}
