package io.albjobs.it.settle;

import io.albjobs.it.settle.FakeIngressController.JobPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * One randomised trial, drawn from a seed and its index only, so that the same trials run with
 * settling on and off: its kind, how its watch selects the load balancer, how its Ingress names its
 * AlbConfig, and the changes it makes with the jobs each one causes.
 */
public record TrialPlan(
    int index,
    Kind kind,
    boolean bySelector,
    boolean byAnnotation,
    Duration pause,
    List<Change> changes) {

  public enum Kind {
    INGRESS_SPEC,
    INGRESS_ANNOTATIONS,
    ALBCONFIG_SPEC,
    ALBCONFIG_ANNOTATIONS,
    SERIES,
    NO_JOB,
    INGRESS_CREATED,
    INGRESS_DELETED,
    JOB_FAILS,
    CONTROLLER_FAILS,
    CONTROLLER_SILENT,
    WATCH_SPEC,
    POLL_NOW;

    /** Which Stalled reason the trial must end in with settling on (null: Ready). */
    public String expectedStall() {
      return switch (this) {
        case JOB_FAILS -> "JobFailed";
        case CONTROLLER_FAILS -> "ChangeFailed";
        case CONTROLLER_SILENT -> "SettleTimeout";
        default -> null;
      };
    }
  }

  /** What a change writes. */
  public enum Target {
    INGRESS_SPEC,
    INGRESS_ANNOTATIONS,
    ALBCONFIG_SPEC,
    ALBCONFIG_ANNOTATIONS,
    INGRESS_CREATED,
    INGRESS_DELETED,
    WATCH_SPEC,
    POLL_NOW;

    boolean byPipeline() {
      return this == WATCH_SPEC || this == POLL_NOW;
    }
  }

  /**
   * One write, {@code gap} after the previous one, and the jobs it causes ({@code offsets}: for
   * pipeline changes, when each job is created after the write).
   */
  public record Change(
      Target target, Duration gap, List<JobPlan> jobs, List<Duration> offsets, String failApply) {}

  /** How often each kind comes up, per 40 trials. */
  private static final List<Kind> MIX =
      mix(
          Kind.INGRESS_SPEC, 6,
          Kind.INGRESS_ANNOTATIONS, 3,
          Kind.ALBCONFIG_SPEC, 3,
          Kind.ALBCONFIG_ANNOTATIONS, 2,
          Kind.SERIES, 6,
          Kind.NO_JOB, 4,
          Kind.INGRESS_CREATED, 1,
          Kind.INGRESS_DELETED, 2,
          Kind.JOB_FAILS, 3,
          Kind.CONTROLLER_FAILS, 2,
          Kind.CONTROLLER_SILENT, 2,
          Kind.WATCH_SPEC, 3,
          Kind.POLL_NOW, 3);

  private static List<Kind> mix(Object... kindsAndCounts) {
    List<Kind> kinds = new ArrayList<>();
    for (int i = 0; i < kindsAndCounts.length; i += 2) {
      for (int n = 0; n < (Integer) kindsAndCounts[i + 1]; n++) {
        kinds.add((Kind) kindsAndCounts[i]);
      }
    }
    return List.copyOf(kinds);
  }

  /**
   * {@code count} trials of seed {@code seed}: every block of 40 holds the mix above in an order of
   * the seed's.
   */
  public static List<TrialPlan> draw(long seed, int count, Duration settlePeriod) {
    List<TrialPlan> plans = new ArrayList<>();
    Random order = new Random(seed);
    List<Kind> block = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (block.isEmpty()) {
        block.addAll(MIX);
        Collections.shuffle(block, order);
      }
      Kind kind = block.remove(block.size() - 1);
      plans.add(draw(seed, i, kind, settlePeriod));
    }
    return plans;
  }

  static TrialPlan draw(long seed, int index, Kind kind, Duration settlePeriod) {
    Random r = new Random(seed * 1_000_003L + index);
    List<Change> changes = new ArrayList<>();
    switch (kind) {
      case INGRESS_SPEC -> changes.add(controller(r, Target.INGRESS_SPEC, jobs(r, 1, 3, false)));
      case INGRESS_ANNOTATIONS ->
          changes.add(controller(r, Target.INGRESS_ANNOTATIONS, jobs(r, 1, 2, false)));
      case ALBCONFIG_SPEC ->
          changes.add(controller(r, Target.ALBCONFIG_SPEC, listenerJobs(r, index, 1)));
      case ALBCONFIG_ANNOTATIONS ->
          changes.add(controller(r, Target.ALBCONFIG_ANNOTATIONS, jobs(r, 1, 2, false)));
      case SERIES -> {
        int n = 2 + r.nextInt(3);
        for (int k = 0; k < n; k++) {
          Target t =
              switch (r.nextInt(4)) {
                case 0 -> Target.INGRESS_SPEC;
                case 1 -> Target.INGRESS_ANNOTATIONS;
                case 2 -> Target.ALBCONFIG_SPEC;
                default -> Target.ALBCONFIG_ANNOTATIONS;
              };
          List<JobPlan> j =
              r.nextInt(5) == 0
                  ? List.of()
                  : t == Target.ALBCONFIG_SPEC
                      ? listenerJobs(r, index, k + 1)
                      : jobs(r, 1, 2, false);
          Duration gap = k == 0 ? Duration.ZERO : Duration.ofMillis(200 + r.nextInt(2800));
          changes.add(new Change(t, gap, j, List.of(), null));
        }
      }
      case NO_JOB ->
          changes.add(
              controller(
                  r,
                  r.nextBoolean() ? Target.INGRESS_ANNOTATIONS : Target.INGRESS_SPEC,
                  List.of()));
      case INGRESS_CREATED ->
          changes.add(
              controller(
                  r,
                  Target.INGRESS_CREATED,
                  List.of(
                      new JobPlan(
                          "CreateRules",
                          "rule",
                          "rule-new-" + index,
                          true,
                          lag(r),
                          run(r),
                          false))));
      case INGRESS_DELETED ->
          changes.add(
              controller(
                  r,
                  Target.INGRESS_DELETED,
                  List.of(new JobPlan("DeleteRules", "rule", null, false, lag(r), run(r), false))));
      case JOB_FAILS -> changes.add(controller(r, Target.INGRESS_SPEC, jobs(r, 1, 3, true)));
      case CONTROLLER_FAILS ->
          changes.add(
              new Change(
                  Target.INGRESS_SPEC,
                  Duration.ZERO,
                  r.nextBoolean() ? jobs(r, 1, 1, false) : List.of(),
                  List.of(),
                  "Specified listener port 80 conflicts with listener lsn-" + index));
      case CONTROLLER_SILENT -> changes.add(controller(r, Target.INGRESS_SPEC, List.of()));
      case WATCH_SPEC, POLL_NOW -> {
        Target t = kind == Kind.WATCH_SPEC ? Target.WATCH_SPEC : Target.POLL_NOW;
        List<JobPlan> j = r.nextInt(4) == 0 ? List.of() : jobs(r, 1, 2, false);
        List<Duration> offsets = new ArrayList<>();
        for (JobPlan p : j) {
          // The job shows up in ALB's listing within the settle period.
          long room = Math.max(0, settlePeriod.toMillis() - p.visibleLag().toMillis() - 500);
          offsets.add(Duration.ofMillis(room == 0 ? 0 : r.nextLong(room)));
        }
        changes.add(new Change(t, Duration.ZERO, j, offsets, null));
      }
    }
    return new TrialPlan(
        index,
        kind,
        r.nextBoolean(),
        r.nextInt(3) == 0,
        Duration.ofMillis(r.nextInt(2000)),
        List.copyOf(changes));
  }

  private static Change controller(Random r, Target target, List<JobPlan> jobs) {
    return new Change(target, Duration.ZERO, jobs, List.of(), null);
  }

  /**
   * {@code min}..{@code max} jobs of an Ingress edit: a rule updated, sometimes a new rule, the
   * server group's servers, the load balancer; one fails when {@code oneFails}.
   */
  private static List<JobPlan> jobs(Random r, int min, int max, boolean oneFails) {
    int n = min + r.nextInt(max - min + 1);
    List<JobPlan> jobs = new ArrayList<>();
    int failing = oneFails ? r.nextInt(n) : -1;
    for (int k = 0; k < n; k++) {
      boolean fails = k == failing;
      jobs.add(
          switch (r.nextInt(4)) {
            case 0 ->
                new JobPlan("UpdateRulesAttribute", "rule", null, false, lag(r), run(r), fails);
            case 1 ->
                new JobPlan(
                    "CreateRules",
                    "rule",
                    "rule-" + Long.toHexString(r.nextLong() & 0xffffffL),
                    true,
                    lag(r),
                    run(r),
                    fails);
            case 2 ->
                new JobPlan(
                    "AddServersToServerGroup", "servergroup", null, false, lag(r), run(r), fails);
            default ->
                new JobPlan(
                    "UpdateLoadBalancerAttribute",
                    "loadbalancer",
                    null,
                    false,
                    lag(r),
                    run(r),
                    fails);
          });
    }
    return jobs;
  }

  /** A new listener and, sometimes, the load balancer updated. */
  private static List<JobPlan> listenerJobs(Random r, int index, int step) {
    List<JobPlan> jobs = new ArrayList<>();
    jobs.add(
        new JobPlan(
            "CreateListener",
            "listener",
            "lsn-" + index + "-" + (8000 + step),
            true,
            lag(r),
            run(r),
            false));
    if (r.nextBoolean()) {
      jobs.add(
          new JobPlan(
              "UpdateLoadBalancerAttribute", "loadbalancer", null, false, lag(r), run(r), false));
    }
    return jobs;
  }

  /** How late ALB lists a job: half at once, the others up to 3 s late. */
  private static Duration lag(Random r) {
    return r.nextBoolean() ? Duration.ZERO : Duration.ofMillis(r.nextInt(3001));
  }

  /** How long a job runs: 1 to 12 s. */
  private static Duration run(Random r) {
    return Duration.ofMillis(1000 + r.nextInt(11_001));
  }
}
