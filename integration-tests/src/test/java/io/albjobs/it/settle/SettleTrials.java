package io.albjobs.it.settle;

import io.albjobs.it.IntegrationEnv;
import io.albjobs.it.settle.FakeIngressController.Effect;
import io.albjobs.it.settle.FakeIngressController.JobPlan;
import io.albjobs.it.settle.FakeIngressController.Script;
import io.albjobs.it.settle.TrialPlan.Change;
import io.albjobs.it.settle.TrialPlan.Kind;
import io.albjobs.it.settle.TrialPlan.Target;
import io.albjobs.operator.OperatorApp;
import io.albjobs.operator.crd.AsyncJobWatch;
import io.albjobs.simulator.SimJob;
import io.albjobs.simulator.SimResources;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs {@link TrialPlan}s against the real operator (in this JVM), the real API server, the ALB
 * simulator and the {@link FakeIngressController}, each trial on its own load balancer, AlbConfig,
 * IngressClass, Ingress and AsyncJobWatch, concurrently; a checker per trial plays the gate: from
 * the moment of its change it reads the watch every 0.5 s (from an informer's cache, as Argo CD and
 * Flux read) through {@link Gates}.
 *
 * <p>The truth a reading is checked against: every change written so far has been acted on (the
 * controller, or the pipeline of a watch-spec/poll-now trial, has made its ALB calls) and every job
 * it caused is listed by ALB and Succeeded. A gate that passes while that is not so is a false
 * green. The gate latency is the time from the moment the truth holds and the controller's success
 * Event is recorded (for pipeline changes without a job: the settle period's end) to the first
 * reading where every gate passes.
 */
public final class SettleTrials implements AutoCloseable {
  public static final String ACCOUNT = IntegrationEnv.ACCOUNT;
  public static final String REGION = "cn-hangzhou";
  public static final String TRIAL_LABEL = "trials.albjobs.io/trial";
  public static final Duration CHECK_EVERY = Duration.ofMillis(500);

  /** Argo CD's pause between a wave's apply and its health check (ARGOCD_SYNC_WAVE_DELAY). */
  public static final Duration ARGO_WAVE_DELAY = Duration.ofSeconds(2);

  /** How a run is set up. */
  public record Settings(
      String envId,
      boolean settling,
      Duration activePollInterval,
      Duration settlePeriod,
      Duration stagger,
      int concurrency,
      Duration deadline,
      List<String> operatorFlags) {}

  /** What one trial showed. */
  public record Result(
      int index,
      Kind kind,
      boolean causedJobs,
      int falseGreenReadings,
      boolean raceOnly,
      boolean falseGreenAfterWaveDelay,
      String falseGreen,
      Double latencySeconds,
      Double settlingAfterSeconds,
      String outcome,
      boolean outcomeAsExpected,
      boolean settlingAtRestart,
      String timeline) {
    public boolean falseGreenSeen() {
      return falseGreenReadings > 0;
    }
  }

  private final Settings settings;
  public final IntegrationEnv env;
  private final FakeIngressController controller;
  private final SharedIndexInformer<AsyncJobWatch> watches;
  private final ScheduledExecutorService pipeline = Executors.newScheduledThreadPool(2);
  private final Map<String, Trial> byWatch = new ConcurrentHashMap<>();
  private final List<Instant> restarts = new CopyOnWriteArrayList<>();
  private volatile OperatorApp app;

  public SettleTrials(Settings settings, long seed) throws Exception {
    this.settings = settings;
    List<String> polls =
        List.of(
            "--poll-interval=30s",
            "--active-poll-interval=" + settings.activePollInterval().toMillis() + "ms");
    this.env = new IntegrationEnv(settings.envId(), polls);
    KubernetesClient admin = env.admin;
    // The shared class of the trials whose Ingresses name their AlbConfig by annotation.
    admin.resource(AckObjects.ingressClass("alb", "alb", Map.of())).serverSideApply();
    this.controller =
        new FakeIngressController(admin, env.sim, ACCOUNT, REGION, env.ns, settings.envId(), seed);
    this.watches =
        admin.resources(AsyncJobWatch.class).inNamespace(env.ns).inform(watchHandler(), 0L);
    this.app = env.operator(settings.operatorFlags().toArray(String[]::new));
  }

  public FakeIngressController controller() {
    return controller;
  }

  public long albCalls() {
    return env.sim.callCount();
  }

  /** Stops the operator and starts it again (its state lives in the watches' status). */
  public synchronized List<Integer> restartOperator() throws Exception {
    List<Integer> settlingNow =
        byWatch.values().stream()
            .filter(t -> Gates.settling(watch(t.watchName)))
            .map(t -> t.plan.index())
            .sorted()
            .toList();
    byWatch.values().forEach(t -> t.settlingAtRestart |= settlingNow.contains(t.plan.index()));
    restarts.add(Instant.now());
    env.stop(app);
    app = env.operator(settings.operatorFlags().toArray(String[]::new));
    return settlingNow;
  }

  /**
   * Runs the trials, {@code concurrency} at a time: the first ones n × stagger apart, each later
   * one when one ends.
   */
  public List<Result> run(List<TrialPlan> plans) throws Exception {
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.min(plans.size(), settings.concurrency()));
    try {
      List<Future<Result>> futures = new ArrayList<>();
      for (TrialPlan plan : plans) {
        Trial trial = new Trial(plan);
        byWatch.put(trial.watchName, trial);
        futures.add(pool.submit(trial::run));
      }
      List<Result> results = new ArrayList<>();
      for (Future<Result> f : futures) {
        results.add(f.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private AsyncJobWatch watch(String name) {
    return watches.getIndexer().getByKey(env.ns + "/" + name);
  }

  private ResourceEventHandler<AsyncJobWatch> watchHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(AsyncJobWatch w) {
        seen(w);
      }

      @Override
      public void onUpdate(AsyncJobWatch old, AsyncJobWatch w) {
        seen(w);
      }

      @Override
      public void onDelete(AsyncJobWatch w, boolean unknown) {}
    };
  }

  private void seen(AsyncJobWatch w) {
    Trial t = byWatch.get(w.getMetadata().getName());
    if (t != null) {
      t.seen(w);
    }
  }

  /** One trial: its objects, its changes, its checker. */
  private final class Trial {
    final TrialPlan plan;
    final String name;
    final String lb;
    final String albConfig;
    final String ingress;
    final String watchName;
    final Script script;
    final List<Effect> effects = new CopyOnWriteArrayList<>();
    final List<String> history = new CopyOnWriteArrayList<>();
    volatile String lastShown = "";
    volatile Instant firstChangeAt;
    volatile Instant settlingSeenAt;
    volatile Instant lastChangeAt;
    volatile boolean settlingSinceLastChange;
    volatile boolean settlingAtRestart;
    volatile boolean allWritten;
    volatile boolean changing;
    int step;

    Trial(TrialPlan plan) {
      this.plan = plan;
      this.name = settings.envId() + "-" + plan.index();
      this.lb = "alb-" + name;
      this.albConfig = name;
      this.ingress = "web-" + plan.index();
      this.watchName = "w-" + plan.index();
      this.script = controller.script(albConfig);
    }

    void seen(AsyncJobWatch w) {
      Instant now = Instant.now();
      String shown = describe(w);
      if (!shown.equals(lastShown)) {
        lastShown = shown;
        history.add(since(now) + " " + shown);
      }
      if (Gates.settling(w)) {
        settlingSinceLastChange = true;
        if (changing && settlingSeenAt == null) {
          settlingSeenAt = now;
        }
      }
    }

    String since(Instant now) {
      Instant t0 = firstChangeAt;
      return t0 == null
          ? "setup"
          : String.format("%+.1fs", Duration.between(t0, now).toMillis() / 1000.0);
    }

    Result run() throws Exception {
      if (plan.index() < settings.concurrency()) {
        Thread.sleep(settings.stagger().toMillis() * plan.index());
      }
      try {
        setup();
        awaitBaseline();
        Thread.sleep(plan.pause().toMillis());
        return changeAndCheck();
      } catch (Throwable e) {
        return new Result(
            plan.index(),
            plan.kind(),
            false,
            0,
            false,
            false,
            null,
            null,
            null,
            "error: " + e,
            false,
            settlingAtRestart,
            String.join("\n", history));
      }
    }

    void setup() {
      KubernetesClient admin = env.admin;
      SimResources r = env.sim.resources();
      r.putListener(
          ACCOUNT,
          REGION,
          new SimResources.Listener(
              "lsn-" + lb + "-80", lb, null, List.of("sgp-" + lb + "-default"), List.of()));
      r.putRule(
          ACCOUNT,
          REGION,
          new SimResources.Rule(
              "rule-" + lb + "-a", "lsn-" + lb + "-80", lb, List.of("sgp-" + lb)));
      Map<String, String> labels =
          Map.of(FakeIngressController.ENV_LABEL, settings.envId(), TRIAL_LABEL, name);
      admin.resource(AckObjects.albConfig(albConfig, labels)).create();
      admin
          .genericKubernetesResources(AckObjects.ALBCONFIGS)
          .withName(albConfig)
          .editStatus(
              a -> {
                a.setAdditionalProperty(
                    "status",
                    Map.of(
                        "loadBalancer",
                        Map.of("id", lb, "dnsname", lb + ".cn-hangzhou.alb.aliyuncs.com")));
                return a;
              });
      if (!plan.byAnnotation()) {
        admin.resource(AckObjects.ingressClass(name, albConfig, labels)).serverSideApply();
      }
      admin.resource(ingress(ingress, "/step-0")).create();
      admin.resource(watchObject()).create();
    }

    Ingress ingress(String ingressName, String path) {
      Map<String, String> annotations = new LinkedHashMap<>();
      if (plan.byAnnotation()) {
        annotations.put(AckObjects.ALBCONFIG_ANNOTATION, albConfig);
      }
      return AckObjects.ingress(
          env.ns, ingressName, plan.byAnnotation() ? "alb" : name, annotations, path);
    }

    GenericKubernetesResource watchObject() {
      GenericKubernetesResource w = new GenericKubernetesResource();
      w.setApiVersion("albjobs.io/v1alpha1");
      w.setKind("AsyncJobWatch");
      w.setMetadata(new ObjectMetaBuilder().withName(watchName).withNamespace(env.ns).build());
      Map<String, Object> spec = new LinkedHashMap<>();
      spec.put("regionId", REGION);
      spec.put("endpoint", env.sim.endpoint());
      spec.put("credentialsSecretRef", Map.of("name", "alb-creds"));
      spec.put("resourceType", "loadbalancer");
      if (plan.bySelector()) {
        spec.put("albConfigSelector", Map.of("matchLabels", Map.of(TRIAL_LABEL, name)));
      } else {
        spec.put("resourceIds", List.of(lb));
      }
      spec.put("since", "10m");
      spec.put(
          "settlePeriod", settings.settling() ? settings.settlePeriod().toSeconds() + "s" : "0s");
      if (plan.kind() == Kind.CONTROLLER_SILENT) {
        spec.put("settleTimeout", "1m");
      }
      w.setAdditionalProperty("spec", spec);
      return w;
    }

    void awaitBaseline() throws InterruptedException {
      Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
      Instant readySince = null;
      while (Instant.now().isBefore(deadline)) {
        AsyncJobWatch w = watch(watchName);
        boolean ready = Gates.read(w).all() && !Gates.settling(w) && script.reconciles() > 0;
        if (ready && readySince == null) {
          readySince = Instant.now();
        } else if (!ready) {
          readySince = null;
        }
        if (readySince != null
            && Duration.between(readySince, Instant.now()).compareTo(Duration.ofSeconds(1)) >= 0) {
          return;
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException(
          "trial " + name + " never got Ready before its change: " + describe(watch(watchName)));
    }

    Result changeAndCheck() throws Exception {
      if (plan.kind() == Kind.CONTROLLER_SILENT) {
        script.silent(true);
      }
      // The writer runs on its own so that the checker reads every 0.5 s from the first change on.
      Future<?> writer =
          Executors.newSingleThreadExecutor(
                  r -> {
                    Thread t = new Thread(r, "trial-writer-" + name);
                    t.setDaemon(true);
                    return t;
                  })
              .submit(
                  () -> {
                    for (Change c : plan.changes()) {
                      sleep(c.gap());
                      write(c);
                    }
                    allWritten = true;
                    return null;
                  });
      while (firstChangeAt == null && !writer.isDone()) {
        Thread.sleep(5);
      }
      if (writer.isDone()) {
        writer.get(); // the first write failed: say why
      }
      String expectedStall = settings.settling() ? plan.kind().expectedStall() : null;
      boolean canFinish =
          plan.kind().expectedStall() == null; // the truth can hold: no failure, no silence
      Instant deadline = firstChangeAt.plus(settings.deadline());
      Instant next = firstChangeAt.plus(CHECK_EVERY);
      int falseGreens = 0;
      boolean raceOnly = true;
      boolean afterWaveDelay = false;
      String firstFalseGreen = null;
      String outcome = null;
      boolean asExpected = false;
      Double latency = null;
      while (true) {
        long wait = Duration.between(Instant.now(), next).toMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        next = next.plus(CHECK_EVERY);
        Instant now = Instant.now();
        AsyncJobWatch w = watch(watchName);
        Gates.Reading g = Gates.read(w);
        boolean truth = truth(now);
        if (g.any() && !truth) {
          falseGreens++;
          raceOnly &= !settlingSinceLastChange;
          afterWaveDelay |= !now.isBefore(lastChangeAt.plus(ARGO_WAVE_DELAY));
          if (firstFalseGreen == null) {
            firstFalseGreen =
                since(now)
                    + " gates "
                    + g
                    + " while "
                    + pending(now)
                    + (settlingSinceLastChange
                        ? ""
                        : " (the watch had not shown Settling since the last change)")
                    + "; watch: "
                    + describe(w);
          }
        }
        String stalled = Gates.stalledReason(w);
        if (allWritten) {
          if (settings.settling()) {
            if (expectedStall == null && truth && g.all()) {
              latency = Duration.between(doneAt(), now).toMillis() / 1000.0;
              outcome = "Ready";
              asExpected = true;
              break;
            }
            if (stalled != null && stalled.equals(expectedStall)) {
              outcome = "Stalled " + stalled;
              asExpected = true;
              break;
            }
            if (stalled != null && expectedStall == null) {
              outcome = "Stalled " + stalled + " (expected Ready)";
              break;
            }
            if (stalled != null && !"JobFailed".equals(stalled)) {
              outcome = "Stalled " + stalled + " (expected " + expectedStall + ")";
              break;
            }
          } else if ((g.all() || stalled != null) && (truth || !canFinish)) {
            outcome = stalled != null ? "Stalled " + stalled : "Ready";
            asExpected = true;
            if (truth && g.all()) {
              latency = Duration.between(doneAt(), now).toMillis() / 1000.0;
            }
            break;
          }
        }
        if (writer.isDone() && !allWritten) {
          try {
            writer.get();
          } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a write of trial " + name + " failed", e.getCause());
          }
        }
        if (now.isAfter(deadline)) {
          outcome =
              "no outcome within "
                  + settings.deadline().toSeconds()
                  + " s (expected "
                  + (expectedStall == null ? "Ready" : "Stalled " + expectedStall)
                  + "); truth "
                  + truth
                  + ", "
                  + pending(now);
          break;
        }
      }
      Double settlingAfter =
          settlingSeenAt == null
              ? null
              // from the moment the write was sent
              : Duration.between(effects.get(0).changedAt(), settlingSeenAt).toMillis() / 1000.0;
      String timeline =
          "trial "
              + name
              + " "
              + plan
              + "\n  effects: "
              + effects
              + "\n  watch:\n    "
              + String.join("\n    ", history);
      return new Result(
          plan.index(),
          plan.kind(),
          effects.stream().anyMatch(e -> !e.jobs().isEmpty()),
          falseGreens,
          falseGreens > 0 && raceOnly,
          afterWaveDelay,
          firstFalseGreen,
          latency,
          settlingAfter,
          outcome,
          asExpected,
          settlingAtRestart,
          timeline);
    }

    void write(Change c) throws Exception {
      int k = ++step;
      Effect effect =
          new Effect(
              c.target().name() + "#" + k, predicate(c.target(), k), c.jobs(), c.failApply());
      effects.add(effect);
      if (!c.target().byPipeline()) {
        script.add(effect);
      }
      // The controller may act on the change from the moment it is sent; the gates read from the
      // moment the API server has accepted it (as Argo CD and Flux check after applying).
      Instant at = Instant.now();
      effect.changedAt(at);
      settlingSinceLastChange = false;
      changing = true;
      for (int attempt = 1; ; attempt++) {
        try {
          send(c, k, at);
          break;
        } catch (KubernetesClientException e) {
          // A conflict with the controller's own writes (its hash label): try again, as kubectl.
          if (e.getCode() != 409 || attempt == 10) {
            throw e;
          }
        }
      }
      Instant written = Instant.now();
      effect.writtenAt = written;
      lastChangeAt = written;
      if (firstChangeAt == null) {
        firstChangeAt = written;
      }
      if (c.target().byPipeline()) {
        schedulePipeline(effect, c);
      }
    }

    void send(Change c, int k, Instant at) {
      KubernetesClient admin = env.admin;
      var ingresses = admin.network().v1().ingresses().inNamespace(env.ns);
      var albConfigs = admin.genericKubernetesResources(AckObjects.ALBCONFIGS);
      switch (c.target()) {
        case INGRESS_SPEC ->
            ingresses
                .withName(ingress)
                .edit(
                    i -> {
                      i.getSpec()
                          .getRules()
                          .get(0)
                          .getHttp()
                          .getPaths()
                          .get(0)
                          .setPath("/step-" + k);
                      return i;
                    });
        case INGRESS_ANNOTATIONS ->
            ingresses
                .withName(ingress)
                .patch(PatchContext.of(PatchType.JSON_MERGE), stepAnnotation(k));
        case ALBCONFIG_SPEC ->
            albConfigs
                .withName(albConfig)
                .edit(
                    a -> {
                      @SuppressWarnings("unchecked")
                      Map<String, Object> spec =
                          (Map<String, Object>) a.getAdditionalProperties().get("spec");
                      @SuppressWarnings("unchecked")
                      List<Object> listeners =
                          new ArrayList<>((List<Object>) spec.get("listeners"));
                      listeners.add(Map.of("port", 8000 + k, "protocol", "HTTP"));
                      spec.put("listeners", listeners);
                      @SuppressWarnings("unchecked")
                      Map<String, Object> config = (Map<String, Object>) spec.get("config");
                      config.put("tags", List.of(Map.of("key", "trial-step", "value", "" + k)));
                      return a;
                    });
        case ALBCONFIG_ANNOTATIONS ->
            albConfigs
                .withName(albConfig)
                .patch(PatchContext.of(PatchType.JSON_MERGE), stepAnnotation(k));
        case INGRESS_CREATED -> admin.resource(ingress("web2-" + plan.index(), "/new")).create();
        case INGRESS_DELETED -> ingresses.withName(ingress).delete();
        case WATCH_SPEC ->
            admin
                .resources(AsyncJobWatch.class)
                .inNamespace(env.ns)
                .withName(watchName)
                .patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"since\":\"" + (10 + k) + "m\"}}");
        case POLL_NOW ->
            admin
                .resources(AsyncJobWatch.class)
                .inNamespace(env.ns)
                .withName(watchName)
                .patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"annotations\":{\"albjobs.io/poll-now\":\"" + at + "\"}}}");
      }
    }

    /** The pipeline's own ALB calls: jobs created at their offsets after the write. */
    void schedulePipeline(Effect effect, Change c) {
      effect.fencedAt = effect.writtenAt.plus(settings.settlePeriod());
      if (c.jobs().isEmpty()) {
        effect.appliedAt = effect.writtenAt;
        return;
      }
      for (int n = 0; n < c.jobs().size(); n++) {
        JobPlan p = c.jobs().get(n);
        long delay =
            Math.max(
                0,
                Duration.between(Instant.now(), effect.changedAt().plus(c.offsets().get(n)))
                    .toMillis());
        pipeline.schedule(
            () -> {
              effect.created.add(controller.createJob(lb, p));
              if (effect.created.size() == c.jobs().size()) {
                effect.appliedAt = Instant.now();
              }
            },
            delay,
            TimeUnit.MILLISECONDS);
      }
    }

    java.util.function.Predicate<FakeIngressController.Snapshot> predicate(Target t, int k) {
      return switch (t) {
        case INGRESS_CREATED -> s -> s.has("web2-" + plan.index());
        case INGRESS_DELETED -> s -> !s.has(ingress);
        default -> s -> s.step() >= k;
      };
    }

    String stepAnnotation(int k) {
      return "{\"metadata\":{\"annotations\":{\""
          + FakeIngressController.STEP_ANNOTATION
          + "\":\""
          + k
          + "\"}}}";
    }

    /** Every change written so far acted on, every job it caused listed and Succeeded. */
    boolean truth(Instant now) {
      for (Effect e : effects) {
        if (e.writtenAt == null) {
          continue; // still being written: the gate cannot be asked about it yet
        }
        if (e.appliedAt() == null || e.failsApply()) {
          return false;
        }
        for (SimJob j : e.created()) {
          if (!j.isVisible(now)
              || !j.isFinished(now)
              || !SimJob.SUCCEEDED.equals(j.finalStatus())) {
            return false;
          }
        }
      }
      return true;
    }

    /** When the truth came to hold and the controller (or the settle period) had fenced it. */
    Instant doneAt() {
      Instant done = Instant.EPOCH;
      for (Effect e : effects) {
        boolean pipelineWithJobs = !e.created().isEmpty() && !script.effects.contains(e);
        // A pipeline change with jobs counts from its last job, not from the period's end.
        Instant effectDone =
            pipelineWithJobs ? Instant.EPOCH : e.fencedAt() == null ? e.appliedAt() : e.fencedAt();
        for (SimJob j : e.created()) {
          effectDone = max(effectDone, max(j.visibleAt(), j.finishTime()));
        }
        done = max(done, effectDone);
      }
      return done;
    }

    String pending(Instant now) {
      List<String> p = new ArrayList<>();
      for (Effect e : effects) {
        if (e.appliedAt() == null) {
          p.add(e.what() + " not acted on yet");
        } else if (e.failsApply()) {
          p.add(e.what() + " failed to apply");
        }
        for (SimJob j : e.created()) {
          if (!j.isVisible(now)) {
            p.add(j.id() + " not listed yet");
          } else if (!j.isFinished(now)) {
            p.add(j.id() + " running");
          } else if (!SimJob.SUCCEEDED.equals(j.finalStatus())) {
            p.add(j.id() + " failed");
          }
        }
      }
      return p.isEmpty() ? "nothing pending" : String.join(", ", p);
    }
  }

  private static Instant max(Instant a, Instant b) {
    return b != null && b.isAfter(a) ? b : a;
  }

  private static void sleep(Duration d) throws InterruptedException {
    if (!d.isZero()) {
      Thread.sleep(d.toMillis());
    }
  }

  static String describe(AsyncJobWatch w) {
    if (w == null || w.getStatus() == null) {
      return "no status";
    }
    String conditions =
        w.getStatus().getConditions().stream()
            .filter(c -> List.of("Ready", "Reconciling", "Stalled").contains(c.getType()))
            .map(SettleTrials::condition)
            .collect(Collectors.joining(" "));
    return "gen "
        + w.getMetadata().getGeneration()
        + "/"
        + w.getStatus().getObservedGeneration()
        + " "
        + conditions;
  }

  private static String condition(Condition c) {
    return c.getType() + "=" + c.getStatus() + "(" + c.getReason() + ")";
  }

  /** Lets the Ingresses go (the controller's finalizer) and removes what the trials created. */
  @Override
  public void close() {
    KubernetesClient admin = env.admin;
    controller.close();
    watches.close();
    pipeline.shutdownNow();
    for (Ingress i : admin.network().v1().ingresses().inNamespace(env.ns).list().getItems()) {
      try {
        admin
            .network()
            .v1()
            .ingresses()
            .inNamespace(env.ns)
            .withName(i.getMetadata().getName())
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
      } catch (RuntimeException e) {
        // gone already
      }
    }
    admin
        .genericKubernetesResources(AckObjects.ALBCONFIGS)
        .withLabel(FakeIngressController.ENV_LABEL, settings.envId())
        .delete();
    admin
        .network()
        .v1()
        .ingressClasses()
        .withLabel(FakeIngressController.ENV_LABEL, settings.envId())
        .delete();
    admin.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> e.getInvolvedObject().getName().startsWith(settings.envId() + "-"))
        .forEach(e -> admin.v1().events().inNamespace("default").resource(e).delete());
    env.close();
  }
}
