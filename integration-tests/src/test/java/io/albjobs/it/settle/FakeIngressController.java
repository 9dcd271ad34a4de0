package io.albjobs.it.settle;

import io.albjobs.simulator.AlbSimulator;
import io.albjobs.simulator.SimJob;
import io.albjobs.simulator.SimJobBuilder;
import io.albjobs.simulator.SimResources;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays ACK's ALB Ingress Controller (shared/docs/ack-alb-ingress.md) against the real API server
 * and the ALB simulator, for the AlbConfigs labelled {@code trials.albjobs.io/env=<env>} and the
 * Ingresses of one namespace:
 *
 * <ul>
 *   <li>an Ingress change (creation, generation, annotations, deletion) records Normal {@code Sync}
 *       "Scheduled for sync" on it and queues its AlbConfig (the {@code albconfig.name} annotation,
 *       else its IngressClass's {@code spec.parameters}); an AlbConfig change queues itself. Label
 *       changes (its own hash label) are not changes;
 *   <li>a workqueue as client-go's: one reconcile per AlbConfig at a time; a key queued while it is
 *       being reconciled is reconciled once more right after (so the running reconcile's success
 *       Event comes after the newer change it did not see);
 *   <li>a reconcile reads the objects from its informer caches, waits a random time (building the
 *       model, the synchronous ALB calls), creates the jobs its {@link Script} gives for what it
 *       saw (under the load balancer, listeners, rules, server groups; new listeners and rules
 *       appear in the simulator's listings first; some jobs listed late; each runs for a while;
 *       some fail), then sets the hash label on the AlbConfig and its Ingresses and records Normal
 *       {@code SuccessfullyReconciled} "Successfully reconciled" on each (the AlbConfig's Event in
 *       namespace {@code default}), removing the finalizer of a deleted Ingress; or records Warning
 *       {@code FailedApplyModel} and tries again after 5 s, 10 s, ... (up to 300 s);
 *   <li>a silent script never reconciles its AlbConfig (a controller that does not answer).
 * </ul>
 */
public final class FakeIngressController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FakeIngressController.class);
  public static final String COMPONENT = "alb-ingress-controller";
  public static final String ENV_LABEL = "trials.albjobs.io/env";

  /** The annotation a trial bumps for an annotation-only change. */
  public static final String STEP_ANNOTATION = "trials.albjobs.io/step";

  private static final Pattern STEP_PATH = Pattern.compile("/step-(\\d+)");

  /** One job a reconcile creates: its API, the resource it is recorded under, its schedule. */
  public record JobPlan(
      String api,
      String resourceType,
      String resourceId,
      boolean newChild,
      Duration visibleLag,
      Duration runFor,
      boolean fails) {}

  /** What the controller does for one change it sees; the truth a trial checks the gate against. */
  public static final class Effect {
    final String what;
    final Predicate<Snapshot> seenIn;
    final List<JobPlan> jobs;
    final String failMessage;

    /** When the change was written (set by the trial); effects not yet written never apply. */
    volatile Instant changedAt;

    /** When the API server accepted the write (set by the trial). */
    volatile Instant writtenAt;

    volatile Instant appliedAt;
    volatile Instant fencedAt;
    volatile Instant failedAt;
    final List<SimJob> created = new CopyOnWriteArrayList<>();

    /**
     * {@code failMessage} non-null: applying it fails with that FailedApplyModel message (after its
     * jobs were created), every time.
     */
    public Effect(String what, Predicate<Snapshot> seenIn, List<JobPlan> jobs, String failMessage) {
      this.what = what;
      this.seenIn = seenIn;
      this.jobs = List.copyOf(jobs);
      this.failMessage = failMessage;
    }

    public List<SimJob> created() {
      return List.copyOf(created);
    }

    public Instant appliedAt() {
      return appliedAt;
    }

    public Instant fencedAt() {
      return fencedAt;
    }

    public Instant failedAt() {
      return failedAt;
    }

    public Instant changedAt() {
      return changedAt;
    }

    public void changedAt(Instant at) {
      this.changedAt = at;
    }

    public String what() {
      return what;
    }

    public List<JobPlan> jobs() {
      return jobs;
    }

    public boolean failsApply() {
      return failMessage != null;
    }

    @Override
    public String toString() {
      return what
          + "{changed="
          + changedAt
          + ", applied="
          + appliedAt
          + ", fenced="
          + fencedAt
          + ", failed="
          + failedAt
          + ", jobs="
          + created.stream()
              .map(
                  j ->
                      j.id()
                          + "@"
                          + j.resourceType()
                          + ":"
                          + j.resourceId()
                          + " created "
                          + j.createTime()
                          + " visible "
                          + j.visibleAt()
                          + " done "
                          + j.finishTime()
                          + " "
                          + j.finalStatus())
              .toList()
          + "}";
    }
  }

  /** What a trial tells the controller about one AlbConfig. */
  public static final class Script {
    volatile boolean silent;
    final List<Effect> effects = new CopyOnWriteArrayList<>();
    final AtomicInteger reconciles = new AtomicInteger();

    public Effect add(Effect effect) {
      effects.add(effect);
      return effect;
    }

    public void silent(boolean silent) {
      this.silent = silent;
    }

    public int reconciles() {
      return reconciles.get();
    }
  }

  /** The objects one reconcile read from the caches. */
  public record Snapshot(
      GenericKubernetesResource albConfig, List<Ingress> ingresses, List<Ingress> deleting) {
    /** The highest step marker in the objects' specs or annotations (0: none). */
    public int step() {
      int step = stepOf(albConfig.getMetadata().getAnnotations());
      Object tags =
          AckObjects.nested(albConfig.getAdditionalProperties(), "spec", "config", "tags");
      if (tags instanceof List<?> list) {
        for (Object t : list) {
          if (t instanceof Map<?, ?> m && "trial-step".equals(m.get("key"))) {
            step = Math.max(step, Integer.parseInt(String.valueOf(m.get("value"))));
          }
        }
      }
      for (Ingress i : ingresses) {
        step = Math.max(step, stepOf(i.getMetadata().getAnnotations()));
        String path = i.getSpec().getRules().get(0).getHttp().getPaths().get(0).getPath();
        Matcher m = STEP_PATH.matcher(path == null ? "" : path);
        if (m.find()) {
          step = Math.max(step, Integer.parseInt(m.group(1)));
        }
      }
      return step;
    }

    public boolean has(String ingress) {
      return ingresses.stream().anyMatch(i -> i.getMetadata().getName().equals(ingress));
    }

    private static int stepOf(Map<String, String> annotations) {
      String v = annotations == null ? null : annotations.get(STEP_ANNOTATION);
      return v == null ? 0 : Integer.parseInt(v);
    }
  }

  private static final class Queue {
    boolean running;
    boolean dirty;
    int failures;
  }

  private final KubernetesClient client;
  private final AlbSimulator sim;
  private final String account;
  private final String region;
  private final Random random;
  private final EventLog events;
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final Map<String, Queue> queues = new ConcurrentHashMap<>();
  private final ScheduledExecutorService executor;
  private final SharedIndexInformer<IngressClass> classes;
  private final SharedIndexInformer<GenericKubernetesResource> albConfigs;
  private final SharedIndexInformer<Ingress> ingresses;
  private final AtomicLong jobSeq = new AtomicLong();
  private final String env;
  private volatile Duration minDelay = Duration.ofMillis(300);
  private volatile Duration maxDelay = Duration.ofMillis(2500);
  private volatile boolean closed;

  public FakeIngressController(
      KubernetesClient client,
      AlbSimulator sim,
      String account,
      String region,
      String namespace,
      String env,
      long seed) {
    this.client = client;
    this.sim = sim;
    this.account = account;
    this.region = region;
    this.env = env;
    this.random = new Random(seed);
    this.events = new EventLog(client, COMPONENT);
    this.executor =
        Executors.newScheduledThreadPool(
            6,
            r -> {
              Thread t = new Thread(r, "fake-alb-controller-" + env);
              t.setDaemon(true);
              return t;
            });
    this.classes = client.network().v1().ingressClasses().inform();
    this.albConfigs =
        client
            .genericKubernetesResources(AckObjects.ALBCONFIGS)
            .withLabel(ENV_LABEL, env)
            .inform(albConfigHandler(), 0L);
    this.ingresses =
        client.network().v1().ingresses().inNamespace(namespace).inform(ingressHandler(), 0L);
  }

  /** Reconciles take between {@code min} and {@code max} before their ALB calls are done. */
  public void delays(Duration min, Duration max) {
    this.minDelay = min;
    this.maxDelay = max;
  }

  /** The script of an AlbConfig (created empty: reconciles create no job). */
  public Script script(String albConfig) {
    return scripts.computeIfAbsent(albConfig, k -> new Script());
  }

  private ResourceEventHandler<GenericKubernetesResource> albConfigHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource obj) {
        enqueue(obj.getMetadata().getName());
      }

      @Override
      public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource obj) {
        if (changed(old, obj)) {
          enqueue(obj.getMetadata().getName());
        }
      }

      @Override
      public void onDelete(GenericKubernetesResource obj, boolean unknown) {
        enqueue(obj.getMetadata().getName());
      }
    };
  }

  private ResourceEventHandler<Ingress> ingressHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Ingress obj) {
        scheduled(obj);
      }

      @Override
      public void onUpdate(Ingress old, Ingress obj) {
        if (changed(old, obj)) {
          String before = albConfigOf(old);
          if (before != null && !before.equals(albConfigOf(obj))) {
            enqueue(before);
          }
          scheduled(obj);
        }
      }

      @Override
      public void onDelete(Ingress obj, boolean unknown) {
        String key = albConfigOf(obj);
        if (key != null) {
          enqueue(key);
        }
      }
    };
  }

  private void scheduled(Ingress ingress) {
    String key = albConfigOf(ingress);
    if (key == null
        || !albConfigs.getIndexer().list().stream()
            .anyMatch(a -> key.equals(a.getMetadata().getName()))) {
      return; // not ours
    }
    Script script = scripts.get(key);
    if (script != null && script.silent) {
      return;
    }
    executor.execute(
        () -> {
          try {
            events.record(
                ingress.getMetadata().getNamespace(),
                ref(ingress),
                "Normal",
                "Sync",
                "Scheduled for sync");
          } catch (RuntimeException e) {
            LOG.warn("Sync Event on {}: {}", ingress.getMetadata().getName(), e.toString());
          }
        });
    enqueue(key);
  }

  /** Creation, a new generation, other annotations or a deletion started: labels do not count. */
  private static boolean changed(HasMetadata old, HasMetadata obj) {
    return !Objects.equals(old.getMetadata().getGeneration(), obj.getMetadata().getGeneration())
        || !Objects.equals(old.getMetadata().getAnnotations(), obj.getMetadata().getAnnotations())
        || !Objects.equals(
            old.getMetadata().getDeletionTimestamp(), obj.getMetadata().getDeletionTimestamp());
  }

  private String albConfigOf(Ingress ingress) {
    Map<String, String> annotations = ingress.getMetadata().getAnnotations();
    if (annotations != null && annotations.get(AckObjects.ALBCONFIG_ANNOTATION) != null) {
      return annotations.get(AckObjects.ALBCONFIG_ANNOTATION);
    }
    String className = ingress.getSpec().getIngressClassName();
    if (className == null) {
      return null;
    }
    IngressClass c = classes.getIndexer().getByKey(className);
    if (c == null
        || !AckObjects.CONTROLLER.equals(c.getSpec().getController())
        || c.getSpec().getParameters() == null) {
      return null;
    }
    return c.getSpec().getParameters().getName();
  }

  private void enqueue(String key) {
    if (closed) {
      return;
    }
    Queue q = queues.computeIfAbsent(key, k -> new Queue());
    synchronized (q) {
      if (q.running) {
        q.dirty = true;
        return;
      }
      q.running = true;
    }
    executor.execute(() -> reconcile(key, q));
  }

  private void done(String key, Queue q, boolean failed) {
    boolean again;
    synchronized (q) {
      q.failures = failed ? q.failures + 1 : 0;
      again = q.dirty;
      q.dirty = false;
      if (!again && failed) {
        // The rate limiter: 5 s, 10 s, 20 s, ... up to 300 s.
        long backoff = Math.min(300, 5L << Math.min(6, q.failures - 1));
        q.running = true;
        executor.schedule(() -> reconcile(key, q), backoff, TimeUnit.SECONDS);
        return;
      }
      q.running = again;
    }
    if (again) {
      executor.execute(() -> reconcile(key, q));
    }
  }

  private void reconcile(String key, Queue q) {
    if (closed) {
      return;
    }
    try {
      GenericKubernetesResource albConfig = albConfigs.getIndexer().getByKey(key);
      Script script = script(key);
      if (albConfig == null || script.silent) {
        done(key, q, false);
        return;
      }
      List<Ingress> live = new ArrayList<>();
      List<Ingress> deleting = new ArrayList<>();
      for (Ingress i : ingresses.getIndexer().list()) {
        if (key.equals(albConfigOf(i))) {
          (i.getMetadata().getDeletionTimestamp() == null ? live : deleting).add(i);
        }
      }
      Snapshot snapshot = new Snapshot(albConfig, live, deleting);
      script.reconciles.incrementAndGet();
      List<Effect> due = new ArrayList<>();
      for (Effect e : script.effects) {
        if (e.changedAt != null && e.appliedAt == null && e.seenIn.test(snapshot)) {
          due.add(e);
        }
      }
      for (Effect e : script.effects) {
        if (e.failsApply() && e.appliedAt != null && e.seenIn.test(snapshot) && !due.contains(e)) {
          due.add(e); // still failing: every retry fails again
        }
      }
      long delay = delayMillis();
      executor.schedule(() -> apply(key, q, snapshot, due), delay, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      LOG.warn("reconcile of {} failed: {}", key, e.toString(), e);
      done(key, q, false);
    }
  }

  private synchronized long delayMillis() {
    long min = minDelay.toMillis();
    long max = Math.max(min, maxDelay.toMillis());
    return min + (max == min ? 0 : random.nextLong(max - min));
  }

  private void apply(String key, Queue q, Snapshot snapshot, List<Effect> due) {
    if (closed) {
      return;
    }
    boolean failed = false;
    try {
      String lb = AckObjects.loadBalancerId(snapshot.albConfig());
      String failure = null;
      for (Effect e : due) {
        if (e.appliedAt == null) {
          for (JobPlan plan : e.jobs) {
            e.created.add(createJob(lb, plan));
          }
          e.appliedAt = Instant.now();
        }
        if (e.failsApply() && failure == null) {
          failure = e.failMessage;
        }
      }
      if (failure != null) {
        failed = true;
        events.record("default", ref(snapshot.albConfig()), "Warning", "FailedApplyModel", failure);
        for (Ingress i : snapshot.ingresses()) {
          events.record(
              i.getMetadata().getNamespace(), ref(i), "Warning", "FailedApplyModel", failure);
        }
        Instant at = Instant.now();
        due.stream().filter(Effect::failsApply).forEach(e -> e.failedAt = at);
        return;
      }
      String hash = hash(snapshot);
      patchLabel(client.genericKubernetesResources(AckObjects.ALBCONFIGS).withName(key), hash);
      for (Ingress i : snapshot.ingresses()) {
        patchLabel(
            client
                .network()
                .v1()
                .ingresses()
                .inNamespace(i.getMetadata().getNamespace())
                .withName(i.getMetadata().getName()),
            hash);
      }
      events.record(
          "default",
          ref(snapshot.albConfig()),
          "Normal",
          "SuccessfullyReconciled",
          "Successfully reconciled");
      for (Ingress i : snapshot.ingresses()) {
        events.record(
            i.getMetadata().getNamespace(),
            ref(i),
            "Normal",
            "SuccessfullyReconciled",
            "Successfully reconciled");
      }
      Instant fenced = Instant.now();
      for (Effect e : due) {
        if (e.fencedAt == null) {
          e.fencedAt = fenced;
        }
      }
      for (Ingress i : snapshot.deleting()) {
        client
            .network()
            .v1()
            .ingresses()
            .inNamespace(i.getMetadata().getNamespace())
            .withName(i.getMetadata().getName())
            .edit(
                x -> {
                  x.getMetadata().getFinalizers().remove(AckObjects.FINALIZER);
                  return x;
                });
      }
    } catch (RuntimeException e) {
      LOG.warn("reconcile of {} failed: {}", key, e.toString(), e);
    } finally {
      done(key, q, failed);
    }
  }

  private void patchLabel(io.fabric8.kubernetes.client.dsl.Resource<?> resource, String hash) {
    try {
      resource.patch(
          PatchContext.of(PatchType.JSON_MERGE),
          "{\"metadata\":{\"labels\":{\"" + AckObjects.HASH_LABEL + "\":\"" + hash + "\"}}}");
    } catch (RuntimeException e) {
      LOG.debug("hash label: {}", e.toString()); // deleted meanwhile
    }
  }

  /** Creates the job of one ALB call on load balancer {@code lb} (a pipeline's too). */
  SimJob createJob(String lb, JobPlan plan) {
    String id = String.format("%s-%s-%05d", env.toUpperCase(), lb, jobSeq.incrementAndGet());
    String resourceId =
        plan.resourceId() == null
            ? switch (plan.resourceType()) {
              case "rule" -> "rule-" + lb + "-a";
              case "listener" -> "lsn-" + lb + "-80";
              case "servergroup" -> "sgp-" + lb;
              default -> lb;
            }
            : plan.newChild() ? plan.resourceId() + "." + lb : plan.resourceId();
    SimResources resources = sim.resources();
    if (plan.newChild() && "listener".equals(plan.resourceType())) {
      resources.putListener(
          account,
          region,
          new SimResources.Listener(resourceId, lb, null, List.of("sgp-" + lb), List.of()));
    } else if (plan.newChild() && "rule".equals(plan.resourceType())) {
      resources.putRule(
          account,
          region,
          new SimResources.Rule(resourceId, "lsn-" + lb + "-80", lb, List.of("sgp-" + lb)));
    }
    Instant now = sim.albNow();
    Instant done = now.plus(plan.visibleLag()).plus(plan.runFor());
    SimJobBuilder b =
        SimJob.builder(id, account)
            .region(region)
            .api(plan.api(), operateType(plan.api()))
            .resource(plan.resourceType(), resourceId)
            .createdAt(now)
            .visibleAfter(plan.visibleLag());
    SimJob job =
        sim.addChildJob(
            lb,
            plan.fails()
                ? b.failsAt(done, "ResourceInConfiguring.Listener", "the listener is being changed")
                    .build()
                : b.succeedsAt(done).build());
    if ("DeleteRules".equals(plan.api())) {
      resources.removeRule(account, region, resourceId);
    }
    return job;
  }

  private static String operateType(String api) {
    if (api.startsWith("Create") || api.startsWith("Add") || api.startsWith("Associate")) {
      return "Create";
    }
    if (api.startsWith("Delete") || api.startsWith("Remove")) {
      return "Delete";
    }
    return "Update";
  }

  private static String hash(Snapshot s) {
    StringBuilder text = new StringBuilder();
    text.append(s.albConfig().getAdditionalProperties().get("spec"))
        .append(s.albConfig().getMetadata().getAnnotations());
    for (Ingress i : s.ingresses()) {
      text.append(i.getSpec()).append(i.getMetadata().getAnnotations());
    }
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectReference ref(HasMetadata obj) {
    boolean albConfig = obj instanceof GenericKubernetesResource;
    return new ObjectReferenceBuilder()
        .withApiVersion(albConfig ? AckObjects.API_VERSION : "networking.k8s.io/v1")
        .withKind(albConfig ? AckObjects.KIND : "Ingress")
        .withNamespace(obj.getMetadata().getNamespace())
        .withName(obj.getMetadata().getName())
        .withUid(obj.getMetadata().getUid())
        .withResourceVersion(obj.getMetadata().getResourceVersion())
        .build();
  }

  @Override
  public void close() {
    closed = true;
    ingresses.close();
    albConfigs.close();
    classes.close();
    executor.shutdownNow();
  }
}
