package io.albjobs.operator.change;

import io.albjobs.operator.crd.SettleChange;
import io.albjobs.operator.status.Times;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sees the changes of Ingresses and AlbConfigs that lead to watched load balancers, and the ALB
 * Ingress Controller's Events that end them (read only: informers on ingresses, ingressclasses,
 * albconfigs and the Events of Ingresses and AlbConfigs).
 *
 * <p>A change is a new generation, new annotations (the controller's hash covers spec and
 * annotations), creation or deletion of the object (what was created before the tracker started is
 * not a change). It is kept per object (the newest), for {@link #changesFor}; the watches it leads
 * to are reconciled at once through {@link #onChange}. A fence is a {@code SuccessfullyReconciled}
 * Event on the object seen after the change (an Event that was there at start: dated a second or
 * more after it), the object's {@code alb.ingress.kubernetes.io/hash} label rewritten after the
 * change, or the object gone; a {@code FailedBuildModel}/{@code FailedApplyModel} Event after the
 * change with no success is a failure. A change that came while an earlier change of its AlbConfig
 * was not reconciled yet is ambiguous: the next success may be that of a reconcile in flight, so it
 * needs a second success, a hash label that moved on without an earlier change of its own, or
 * {@link #REQUEUE_WINDOW} after the first success.
 *
 * <p>Lifetime: a watch's targets go with the watch ({@link #forget}); an object's records go an
 * hour after its last change or Event (longer than any settle timeout needs them is not kept: the
 * watch's status holds its own changes). Without permissions or the AlbConfig CRD it says why
 * ({@link #tracking}) and tries again every minute.
 */
public final class ChangeTracker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeTracker.class);
  public static final String SUCCEEDED = "SuccessfullyReconciled";
  public static final String HASH_LABEL = "alb.ingress.kubernetes.io/hash";
  static final Set<String> FAILED = Set.of("FailedBuildModel", "FailedApplyModel");
  private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
  private static final Duration KEEP = Duration.ofHours(1);
  private static final Duration RETRY = Duration.ofMinutes(1);
  private static final int EVENTS_KEPT = 8;

  /**
   * A change that came while a reconcile of its AlbConfig may have been in flight: the first
   * success after it may be that reconcile's. It needs a second success, or a hash label that shows
   * the new spec was reconciled, or this long after the first success without a second (the
   * controller starts the next reconcile at once; its ALB calls and their jobs come within it).
   */
  static final Duration REQUEUE_WINDOW = Duration.ofSeconds(20);

  /**
   * How long after a hash label write a change may still be followed by that reconcile's Events.
   */
  static final Duration RECONCILE_ENDING = Duration.ofSeconds(3);

  /** How long an unreconciled change makes later changes of its AlbConfig ambiguous. */
  private static final Duration PENDING_WINDOW = Duration.ofMinutes(10);

  static final ResourceDefinitionContext ALBCONFIGS =
      new ResourceDefinitionContext.Builder()
          .withGroup("alibabacloud.com")
          .withVersion("v1")
          .withKind("AlbConfig")
          .withPlural("albconfigs")
          .withNamespaced(false)
          .build();

  /** Whether changes are tracked, and if not why: the ChangesTracked condition. */
  public record Tracking(boolean tracked, String reason, String message) {}

  private static final Tracking TRACKED =
      new Tracking(
          true,
          "ChangesTracked",
          "changes to the Ingresses and AlbConfigs of the watch's load balancers make it wait"
              + " until the ALB Ingress Controller reconciled them and ALB listed their jobs");

  /** ChangesTracked=False after the informers' watch failed for {@link WatchHealth#GRACE}. */
  static final String LOST = "ChangeTrackingLost";

  /** How often the informers are checked for a watch that stopped. */
  static final Duration CHECK_EVERY = Duration.ofSeconds(10);

  private record Targets(Set<String> loadBalancerIds, LabelSelector selector) {}

  /** An Event of the controller as seen: observedAt is EPOCH when it was there at start. */
  private record Seen(
      String reason, String message, Instant eventTime, Instant observedAt, long resourceVersion) {}

  /** The hash label rewritten, or the object deleted, as seen. */
  private record Mark(Instant observedAt, Long generation) {}

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<ResourceID, Targets> targets = new ConcurrentHashMap<>();
  private final Map<String, ObjectChange> changes = new ConcurrentHashMap<>();
  private final Map<String, Deque<Seen>> events = new ConcurrentHashMap<>();
  private final Map<String, Mark> hashRewritten = new ConcurrentHashMap<>();
  private final Map<String, Mark> deleted = new ConcurrentHashMap<>();
  private final Map<String, String> hashes = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong seq =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile Instant startedAt = Instant.MAX;

  /** The running informers by what they read (named in ChangesTracked when one stops watching). */
  private final Map<String, SharedIndexInformer<?>> informers = new java.util.LinkedHashMap<>();

  private final WatchHealth health = new WatchHealth();
  private final ScheduledExecutorService timer;
  private volatile SharedIndexInformer<IngressClass> classes;
  private volatile SharedIndexInformer<GenericKubernetesResource> albConfigs;
  private volatile Tracking tracking;
  private volatile Consumer<ResourceID> trigger = id -> {};
  private volatile boolean closed;

  public ChangeTracker(KubernetesClient client, Clock clock, boolean enabled) {
    this.client = client;
    this.clock = clock;
    this.tracking =
        enabled
            ? null
            : new Tracking(
                false,
                "ChangeTrackingDisabled",
                "the operator runs with --track-ingress-changes=false: changes to Ingresses and"
                    + " AlbConfigs do not make the watch wait; its own spec and poll-now do");
    this.timer =
        enabled
            ? Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "change-tracker");
                  t.setDaemon(true);
                  return t;
                })
            : null;
  }

  /** Starts the informers (in the background; retried every minute when refused). */
  public void start() {
    if (timer != null) {
      timer.execute(this::attempt);
      timer.scheduleWithFixedDelay(this::sweep, 10, 10, TimeUnit.MINUTES);
      timer.scheduleWithFixedDelay(
          this::checkWatching,
          CHECK_EVERY.toMillis(),
          CHECK_EVERY.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /** Called with each watch a change or a fence concerns, to reconcile it. */
  public void onChange(Consumer<ResourceID> trigger) {
    this.trigger = trigger;
  }

  /** Whether changes are tracked, and if not why; null until the first attempt finished. */
  public Tracking tracking() {
    return tracking;
  }

  /** The load balancers (and the AlbConfig selector) a watch's last poll covered. */
  public void target(ResourceID watch, Collection<String> loadBalancerIds, LabelSelector selector) {
    targets.put(watch, new Targets(Set.copyOf(loadBalancerIds), selector));
  }

  /** A deleted watch: its targets go. */
  public void forget(ResourceID watch) {
    targets.remove(watch);
  }

  /**
   * The newest change of each object that leads to this watch's targets, recorded after the watch's
   * {@code afterSeq} and not before {@code notBefore}.
   */
  public List<ObjectChange> changesFor(ResourceID watch, long afterSeq, Instant notBefore) {
    Targets t = targets.get(watch);
    if (t == null) {
      return List.of();
    }
    List<ObjectChange> found = new ArrayList<>();
    for (ObjectChange c : changes.values()) {
      if (c.seq() > afterSeq && !c.changedAt().isBefore(notBefore) && concerns(t, c)) {
        found.add(c);
      }
    }
    found.sort((a, b) -> a.changedAt().compareTo(b.changedAt()));
    return found;
  }

  /** What ended (or failed) this change of an Ingress or AlbConfig, if anything yet. */
  public Fence fence(SettleChange change) {
    String key = ObjectChange.key(change.getKind(), change.getNamespace(), change.getName());
    Instant changed = Times.parse(change.getChangedAt());
    if (changed == null) {
      return Fence.NONE;
    }
    // What the tracker recorded for this very change (not after a restart): was it ambiguous?
    ObjectChange recorded = changes.get(key);
    if (recorded != null
        && !Times.formatMillis(recorded.changedAt()).equals(change.getChangedAt())) {
      recorded = null;
    }
    return fence(
        key,
        changed,
        change.getGeneration(),
        recorded,
        clock.instant(),
        revision(change.getResourceVersion()));
  }

  private Fence fence(
      String key,
      Instant changed,
      Long generation,
      ObjectChange recorded,
      Instant now,
      long revision) {
    Fence f = reconciledOrFailed(key, changed, generation, recorded, now, revision);
    if (f.reconciled() && !"Deleted".equals(f.fence())) {
      // A failure seen after the fence: the controller's later attempt failed, so the success was
      // not the end of this change (it belonged to a reconcile in flight).
      Seen failure = null;
      for (Seen s : seenAfter(key, f.at(), -1)) {
        if (FAILED.contains(s.reason()) && seenAt(s).isAfter(f.at())) {
          failure = s;
        }
      }
      Instant failedAt = failure == null ? null : seenAt(failure);
      boolean succeededSince =
          failedAt != null
              && seenAfter(key, failedAt, -1).stream()
                  .anyMatch(s -> SUCCEEDED.equals(s.reason()) && seenAt(s).isAfter(failedAt));
      if (failure != null && !succeededSince) {
        return Fence.failed(failure.reason() + ": " + failure.message(), seenAt(failure));
      }
    }
    return f;
  }

  private Fence reconciledOrFailed(
      String key,
      Instant changed,
      Long generation,
      ObjectChange recorded,
      Instant now,
      long revision) {
    List<Seen> after = seenAfter(key, changed, revision);
    List<Seen> successes = after.stream().filter(s -> SUCCEEDED.equals(s.reason())).toList();
    Mark hash = hashRewritten.get(key);
    boolean hashAfter =
        hash != null
            && hash.observedAt().isAfter(changed)
            && (generation == null || Objects.equals(generation, hash.generation()));
    boolean ambiguous = recorded != null && recorded.ambiguous();
    if (!ambiguous) {
      if (!successes.isEmpty()) {
        return Fence.reconciled(SUCCEEDED, seenAt(successes.get(0)));
      }
      if (hashAfter) {
        return Fence.reconciled("HashLabel", hash.observedAt());
      }
    } else {
      // A success may be that of a reconcile in flight when the change came.
      boolean newHash =
          hashAfter
              && !recorded.ownPending()
              && !Objects.equals(hashes.get(key), recorded.hashAtChange());
      if (successes.size() >= 2) {
        return Fence.reconciled(SUCCEEDED, seenAt(successes.get(1)));
      }
      if (newHash) {
        return Fence.reconciled("HashLabel", hash.observedAt());
      }
      if (!successes.isEmpty()) {
        Instant requeued = seenAt(successes.get(0)).plus(REQUEUE_WINDOW);
        if (!now.isBefore(requeued)) {
          return Fence.reconciled(SUCCEEDED, requeued);
        }
      }
    }
    Mark gone = deleted.get(key);
    if (gone != null && !gone.observedAt().isBefore(changed)) {
      return Fence.reconciled("Deleted", gone.observedAt());
    }
    Seen failure = null;
    for (Seen s : after) {
      if (FAILED.contains(s.reason()) && (failure == null || seenAt(s).isAfter(seenAt(failure)))) {
        failure = s;
      }
    }
    return failure == null
        ? Fence.NONE
        : Fence.failed(failure.reason() + ": " + failure.message(), seenAt(failure));
  }

  /** The controller's Events on this object seen after {@code changed}, oldest first. */
  private List<Seen> seenAfter(String key, Instant changed, long revision) {
    Deque<Seen> seen = events.get(key);
    List<Seen> after = new ArrayList<>();
    if (seen != null) {
      synchronized (seen) {
        for (Seen s : seen) {
          if (after(s, changed, revision)) {
            after.add(s);
          }
        }
      }
    }
    after.sort((a, b) -> seenAt(a).compareTo(seenAt(b)));
    return after;
  }

  /**
   * Seen after the change: observed after it and dated in the change's second or later (Events
   * carry whole seconds); an Event that was there when the tracker started (observed at an unknown
   * time) counts when it is dated so.
   */
  private static boolean after(Seen s, Instant changed, long revision) {
    Instant second = changed.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    // There when the tracker started (a restart in the middle of a wait: observed at an unknown
    // time), or observed after the change. Not dated before the change's second either: an Event
    // of an earlier reconcile can reach the informer late (a loaded API server).
    boolean there = Instant.EPOCH.equals(s.observedAt());
    if (!there && !s.observedAt().isAfter(changed)
        || s.eventTime() != null && s.eventTime().isBefore(second)) {
      return false;
    }
    if (s.eventTime() != null && s.eventTime().isAfter(second)) {
      return true;
    }
    // Dated in the change's own second (Events carry whole seconds), it may be an earlier
    // reconcile's, also when first seen after the change (the tracker started in that second):
    // the change's only if written after it, a greater resourceVersion. Without both numbers, an
    // Event seen after the change counts, one that was there at the start does not (the wait then
    // ends with the controller's next Event, a new hash label or the settle timeout).
    if (revision >= 0 && s.resourceVersion() >= 0) {
      return s.resourceVersion() > revision;
    }
    return !there;
  }

  /**
   * A resourceVersion as a number, or -1. Kubernetes calls it opaque; an etcd-backed API server
   * writes the store's revision, which grows with every write of any object. Where it is not a
   * number, the Event's whole-second time decides instead.
   */
  static long revision(String resourceVersion) {
    if (resourceVersion == null || resourceVersion.isEmpty()) {
      return -1;
    }
    try {
      return Long.parseLong(resourceVersion);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Instant seenAt(Seen s) {
    return Instant.EPOCH.equals(s.observedAt()) ? s.eventTime() : s.observedAt();
  }

  /** Whether the change was reconciled, ignoring ambiguity (for changes that came after it). */
  private boolean reconciledSimply(ObjectChange c) {
    return fence(
            c.key(),
            c.changedAt(),
            c.generation(),
            null,
            clock.instant(),
            revision(c.resourceVersion()))
        .reconciled();
  }

  private boolean concerns(Targets t, ObjectChange c) {
    for (String id : c.loadBalancerIds()) {
      if (t.loadBalancerIds().contains(id)) {
        return true;
      }
    }
    if (t.selector() != null) {
      for (Map<String, String> labels : c.albConfigLabels()) {
        if (matches(t.selector(), labels)) {
          return true;
        }
      }
    }
    return false;
  }

  private void attempt() {
    if (closed) {
      return;
    }
    try {
      check(
          "networking.k8s.io",
          "ingresses",
          () -> client.network().v1().ingresses().inAnyNamespace().list(one()));
      check(
          "networking.k8s.io",
          "ingressclasses",
          () -> client.network().v1().ingressClasses().list(one()));
      check(
          "alibabacloud.com",
          "albconfigs",
          () -> client.genericKubernetesResources(ALBCONFIGS).list(one()));
      check("", "events", () -> client.v1().events().inAnyNamespace().list(one()));
      startInformers();
      health.reset();
      tracking = TRACKED;
      LOG.info("Tracking Ingress and AlbConfig changes");
    } catch (Refused r) {
      tracking = new Tracking(false, r.reason, r.getMessage());
      LOG.warn("Not tracking Ingress and AlbConfig changes: {}", r.getMessage());
      stopInformers();
      if (!closed) {
        timer.schedule(this::attempt, RETRY.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (RuntimeException e) {
      tracking =
          new Tracking(
              false,
              "ChangeTrackingUnavailable",
              "could not read Ingresses, AlbConfigs or Events: "
                  + e.getClass().getSimpleName()
                  + "; retried every minute");
      LOG.warn("Not tracking Ingress and AlbConfig changes", e);
      stopInformers();
      if (!closed) {
        timer.schedule(this::attempt, RETRY.toSeconds(), TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Whether the informers still watch: one that lost its watch (read access revoked after it
   * started, the API server unreachable) retries by itself, but changes made meanwhile are not
   * seen, so ChangesTracked turns False ({@link #LOST}) after {@link WatchHealth#GRACE} and True
   * again when every informer watches. The watches are reconciled at once on either turn.
   */
  private void checkWatching() {
    try {
      Tracking current = tracking;
      if (closed || current == null || !(current.tracked() || LOST.equals(current.reason()))) {
        return;
      }
      Map<String, Boolean> watching = new java.util.LinkedHashMap<>();
      List<String> stopped = new ArrayList<>();
      synchronized (this) {
        informers.forEach(
            (name, informer) -> {
              watching.put(name, informer.isWatching());
              if (!informer.isRunning()) {
                stopped.add(name);
              }
            });
      }
      if (!stopped.isEmpty()) {
        // An informer gives up on some watch errors (not on a refused relist, which it retries):
        // start them again, which checks the permissions first.
        LOG.warn("Change informers stopped ({}): starting them again", stopped);
        attempt();
        if (tracking != current) {
          targets.keySet().forEach(trigger);
        }
        return;
      }
      Tracking next = afterCheck(current, health.check(watching, clock.instant()), health.since());
      if (next != current) {
        tracking = next;
        if (next.tracked()) {
          LOG.info("Tracking Ingress and AlbConfig changes again: every informer watches");
        } else {
          LOG.warn("Not tracking Ingress and AlbConfig changes: {}", next.message());
        }
        targets.keySet().forEach(trigger);
      }
    } catch (RuntimeException e) {
      LOG.warn("Checking the change informers", e);
    }
  }

  /**
   * The tracking state after a check: {@code blind} the informers that have not watched for the
   * grace period (since {@code since}), empty when every one watches.
   */
  static Tracking afterCheck(Tracking current, List<String> blind, Instant since) {
    if (blind.isEmpty()) {
      return LOST.equals(current.reason()) ? TRACKED : current;
    }
    if (!current.tracked()) {
      return current;
    }
    return new Tracking(
        false,
        LOST,
        "the operator's watch of "
            + String.join(", ", blind)
            + " has failed since "
            + Times.format(since)
            + " (read access revoked, or the API server out of reach): Ingress and AlbConfig changes"
            + " made meanwhile do not make the watch wait. It reconnects by itself; check the"
            + " operator's ClusterRole and its logs");
  }

  private static io.fabric8.kubernetes.api.model.ListOptions one() {
    return new ListOptionsBuilder().withLimit(1L).build();
  }

  private static final class Refused extends RuntimeException {
    final String reason;

    Refused(String reason, String message) {
      super(message);
      this.reason = reason;
    }
  }

  private static void check(String group, String resource, Runnable list) {
    try {
      list.run();
    } catch (KubernetesClientException e) {
      String name = group.isEmpty() ? resource : resource + "." + group;
      if (e.getCode() == 403 || e.getCode() == 401) {
        throw new Refused(
            "ChangeTrackingForbidden",
            "the operator may not list "
                + name
                + " (HTTP "
                + e.getCode()
                + "): grant it get, list and watch on ingresses and ingressclasses"
                + " (networking.k8s.io) and albconfigs (alibabacloud.com), and list and watch on"
                + " events, cluster-wide (the chart's changeTracking.enabled); retried every minute");
      }
      if (e.getCode() == 404) {
        throw new Refused(
            "ChangeTrackingUnavailable",
            name
                + " is not served (HTTP 404): without ACK's ALB Ingress Controller (its AlbConfig"
                + " CRD) there is no controller to wait for; retried every minute");
      }
      throw e;
    }
  }

  private synchronized void startInformers() {
    stopInformers();
    // What is older than this was there before: not a change, and an Event observed at an unknown
    // time. Handlers run on the client's executor, also after inform() returned.
    startedAt = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    classes = client.network().v1().ingressClasses().inform(new Ignore<>(), 0);
    informers.put("ingressclasses.networking.k8s.io", classes);
    albConfigs = client.genericKubernetesResources(ALBCONFIGS).inform(new ObjectHandler<>(), 0);
    informers.put("albconfigs.alibabacloud.com", albConfigs);
    informers.put(
        "ingresses.networking.k8s.io",
        client.network().v1().ingresses().inAnyNamespace().inform(new ObjectHandler<>(), 0));
    informers.put(
        "events of Ingresses",
        client
            .v1()
            .events()
            .inAnyNamespace()
            .withField("involvedObject.kind", "Ingress")
            .inform(new EventHandler(), 0));
    informers.put(
        "events of AlbConfigs",
        client
            .v1()
            .events()
            .inAnyNamespace()
            .withField("involvedObject.kind", "AlbConfig")
            .inform(new EventHandler(), 0));
    changedWhileAway();
  }

  /**
   * Objects whose spec or annotations were written (managedFields) after the controller's last
   * {@code SuccessfullyReconciled} on them, within the settle window: changes made while no
   * operator ran (a restart, a failover). They are waited for like changes seen live, from that
   * write.
   */
  @SuppressWarnings("unchecked")
  private void changedWhileAway() {
    Map<String, Instant> lastSuccess = new HashMap<>();
    for (SharedIndexInformer<?> i : informers.values()) {
      for (Object o : i.getStore().list()) {
        if (o instanceof Event e
            && SUCCEEDED.equals(e.getReason())
            && e.getInvolvedObject() != null) {
          var about = e.getInvolvedObject();
          String ns =
              about.getNamespace() == null || about.getNamespace().isEmpty()
                  ? null
                  : about.getNamespace();
          Instant at = eventTime(e);
          if (at != null) {
            lastSuccess.merge(
                ObjectChange.key(about.getKind(), ns, about.getName()),
                at,
                (a, b) -> a.isAfter(b) ? a : b);
          }
        }
      }
    }
    Instant window = clock.instant().minus(PENDING_WINDOW);
    for (SharedIndexInformer<?> i : informers.values()) {
      for (Object o : i.getStore().list()) {
        if (!(o instanceof Ingress) && !(o instanceof GenericKubernetesResource)) {
          continue;
        }
        HasMetadata obj = (HasMetadata) o;
        Instant written = lastSpecWrite(obj);
        String key = ObjectChange.key(kindOf(obj), namespaceOf(obj), obj.getMetadata().getName());
        Instant success = lastSuccess.get(key);
        if (written != null
            && written.isAfter(window)
            && (success == null || written.isAfter(success))
            && !changes.containsKey(key)) {
          changed(null, obj, "spec", written);
        }
      }
    }
  }

  /** The last write of spec or annotations (whole seconds), from managedFields; null if unknown. */
  @SuppressWarnings("unchecked")
  static Instant lastSpecWrite(HasMetadata o) {
    Instant last = null;
    if (o.getMetadata().getManagedFields() == null) {
      return null;
    }
    for (var m : o.getMetadata().getManagedFields()) {
      if (m.getTime() == null
          || m.getFieldsV1() == null
          || m.getSubresource() != null && !m.getSubresource().isEmpty()) {
        continue;
      }
      Map<String, Object> fields = m.getFieldsV1().getAdditionalProperties();
      Object meta = fields.get("f:metadata");
      boolean annotations =
          meta instanceof Map && ((Map<String, Object>) meta).containsKey("f:annotations");
      if (fields.containsKey("f:spec") || annotations) {
        try {
          Instant t = Instant.parse(m.getTime());
          last = last == null || t.isAfter(last) ? t : last;
        } catch (RuntimeException e) {
          // not a time: skip
        }
      }
    }
    return last;
  }

  private synchronized void stopInformers() {
    for (SharedIndexInformer<?> i : informers.values()) {
      try {
        i.stop();
      } catch (RuntimeException e) {
        LOG.debug("stopping an informer", e);
      }
    }
    informers.clear();
  }

  @Override
  public void close() {
    closed = true;
    if (timer != null) {
      timer.shutdownNow();
    }
    stopInformers();
  }

  /** Drops records of objects unchanged and without Events for an hour. */
  private void sweep() {
    Instant cutoff = clock.instant().minus(KEEP);
    changes.values().removeIf(c -> c.changedAt().isBefore(cutoff));
    hashRewritten.values().removeIf(m -> m.observedAt().isBefore(cutoff));
    deleted.values().removeIf(m -> m.observedAt().isBefore(cutoff));
    events
        .entrySet()
        .removeIf(
            e -> {
              synchronized (e.getValue()) {
                return e.getValue().stream()
                    .allMatch(s -> seenAt(s) == null || seenAt(s).isBefore(cutoff));
              }
            });
  }

  // --- what an object leads to ---------------------------------------------------------------

  private String kindOf(HasMetadata o) {
    return o instanceof Ingress ? ObjectChange.INGRESS : ObjectChange.ALB_CONFIG;
  }

  private String namespaceOf(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return ns == null || ns.isEmpty() ? null : ns;
  }

  /** The AlbConfigs an Ingress or AlbConfig leads to. */
  private List<GenericKubernetesResource> albConfigsOf(HasMetadata o) {
    if (o instanceof GenericKubernetesResource g) {
      return List.of(g);
    }
    SharedIndexInformer<IngressClass> c = classes;
    SharedIndexInformer<GenericKubernetesResource> a = albConfigs;
    if (c == null || a == null) {
      return List.of();
    }
    String name = IngressRoutes.albConfigOf((Ingress) o, c.getStore().list()).orElse(null);
    if (name == null) {
      return List.of();
    }
    List<GenericKubernetesResource> found = new ArrayList<>();
    for (GenericKubernetesResource g : a.getStore().list()) {
      if (name.equals(g.getMetadata().getName())) {
        found.add(g);
      }
    }
    return found;
  }

  static String loadBalancerIdOf(GenericKubernetesResource albConfig) {
    String id =
        io.albjobs.operator.scope.AlbConfigSource.nested(
            albConfig.getAdditionalProperties(), "status", "loadBalancer", "id");
    if (id == null || id.isBlank()) {
      id =
          io.albjobs.operator.scope.AlbConfigSource.nested(
              albConfig.getAdditionalProperties(), "spec", "config", "id");
    }
    return id == null || id.isBlank() ? null : id.trim();
  }

  private void changed(HasMetadata before, HasMetadata after, String cause) {
    changed(before, after, cause, null);
  }

  private void changed(HasMetadata before, HasMetadata after, String cause, Instant at) {
    Set<String> ids = new LinkedHashSet<>();
    List<Map<String, String>> labels = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (HasMetadata o : before == null ? List.of(after) : List.of(before, after)) {
      for (GenericKubernetesResource a : albConfigsOf(o)) {
        if (names.add(a.getMetadata().getName())) {
          String id = loadBalancerIdOf(a);
          if (id != null) {
            ids.add(id);
          }
          labels.add(a.getMetadata().getLabels() == null ? Map.of() : a.getMetadata().getLabels());
        }
      }
    }
    if (after instanceof Ingress ingress && names.isEmpty()) {
      // Not routed to a known AlbConfig (yet): still recorded, under the name it asks for.
      SharedIndexInformer<IngressClass> c = classes;
      if (c != null) {
        IngressRoutes.albConfigOf(ingress, c.getStore().list()).ifPresent(names::add);
      }
    }
    if (after instanceof GenericKubernetesResource) {
      names.add(after.getMetadata().getName());
    }
    String key = ObjectChange.key(kindOf(after), namespaceOf(after), after.getMetadata().getName());
    Instant now = clock.instant();
    // A reconcile of the controller may be in flight: an earlier change of this object or of its
    // AlbConfig's other objects not reconciled yet.
    ObjectChange previous = changes.get(key);
    boolean ownPending =
        previous != null
            && previous.changedAt().isAfter(now.minus(PENDING_WINDOW))
            && !reconciledSimply(previous);
    // A hash label written just before (a reconcile ending: its Events may still come after this
    // change) counts as a reconcile in flight too.
    boolean groupPending = false;
    for (Map.Entry<String, Mark> h : hashRewritten.entrySet()) {
      ObjectChange last = changes.get(h.getKey());
      boolean sameGroup =
          h.getKey().equals(key)
              || last != null && !java.util.Collections.disjoint(last.albConfigs(), names);
      if (sameGroup && h.getValue().observedAt().isAfter(now.minus(RECONCILE_ENDING))) {
        groupPending = true;
        break;
      }
    }
    for (ObjectChange other : changes.values()) {
      if (!other.key().equals(key)
          && other.changedAt().isAfter(now.minus(PENDING_WINDOW))
          && !java.util.Collections.disjoint(other.albConfigs(), names)
          && !reconciledSimply(other)) {
        groupPending = true;
        break;
      }
    }
    synchronized (seq) {
      // The sequence follows the order of the records, so a watch that took change n has taken
      // every change before it.
      ObjectChange change =
          new ObjectChange(
              kindOf(after),
              namespaceOf(after),
              after.getMetadata().getName(),
              after.getMetadata().getGeneration(),
              cause,
              at != null ? at : clock.instant(),
              Set.copyOf(ids),
              List.copyOf(labels),
              seq.incrementAndGet(),
              Set.copyOf(names),
              ownPending,
              groupPending,
              label(after, HASH_LABEL),
              // The object as written by the change (not known for a change made while no
              // operator ran, nor for a deletion: its last state is older than the deletion).
              at == null && !"deleted".equals(cause)
                  ? after.getMetadata().getResourceVersion()
                  : null);
      changes.put(change.key(), change);
      LOG.debug(
          "{} changed ({}){}",
          change.describe(),
          cause,
          change.ambiguous() ? ", while an earlier change was not reconciled" : "");
      notifyWatches(change);
    }
  }

  private static boolean createdBefore(HasMetadata o, Instant at) {
    String created = o.getMetadata().getCreationTimestamp();
    try {
      return created != null && Instant.parse(created).isBefore(at);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void notifyWatches(ObjectChange change) {
    for (Map.Entry<ResourceID, Targets> t : targets.entrySet()) {
      if (concerns(t.getValue(), change)) {
        trigger.accept(t.getKey());
      }
    }
  }

  private static String cause(HasMetadata before, HasMetadata after) {
    if (after.getMetadata().getDeletionTimestamp() != null
        && before.getMetadata().getDeletionTimestamp() == null) {
      return "deleted";
    }
    if (!Objects.equals(
        before.getMetadata().getGeneration(), after.getMetadata().getGeneration())) {
      return "spec";
    }
    if (!annotations(before).equals(annotations(after))) {
      return "annotations";
    }
    return null;
  }

  private static Map<String, String> annotations(HasMetadata o) {
    Map<String, String> a =
        o.getMetadata().getAnnotations() == null
            ? new HashMap<>()
            : new HashMap<>(o.getMetadata().getAnnotations());
    a.remove(LAST_APPLIED);
    return a;
  }

  private static String label(HasMetadata o, String key) {
    return o.getMetadata().getLabels() == null ? null : o.getMetadata().getLabels().get(key);
  }

  /** Ingresses and AlbConfigs: changes, hash label rewrites, deletions. */
  private final class ObjectHandler<T extends HasMetadata> implements ResourceEventHandler<T> {
    @Override
    public void onAdd(T obj) {
      String key = ObjectChange.key(kindOf(obj), namespaceOf(obj), obj.getMetadata().getName());
      String hash = label(obj, HASH_LABEL);
      if (hash != null) {
        hashes.put(key, hash);
      }
      if (!createdBefore(obj, startedAt)) {
        changed(null, obj, "created");
      }
    }

    @Override
    public void onUpdate(T before, T after) {
      if (Objects.equals(
          before.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion())) {
        return; // a relisting, not a change
      }
      String key =
          ObjectChange.key(kindOf(after), namespaceOf(after), after.getMetadata().getName());
      if (!Objects.equals(label(before, HASH_LABEL), label(after, HASH_LABEL))
          && label(after, HASH_LABEL) != null) {
        hashes.put(key, label(after, HASH_LABEL));
        hashRewritten.put(key, new Mark(clock.instant(), after.getMetadata().getGeneration()));
        ObjectChange last = changes.get(key);
        if (last != null) {
          notifyWatches(last);
        }
      }
      String cause = cause(before, after);
      if (cause != null) {
        changed(before, after, cause);
      }
    }

    @Override
    public void onDelete(T obj, boolean finalStateUnknown) {
      String key = ObjectChange.key(kindOf(obj), namespaceOf(obj), obj.getMetadata().getName());
      ObjectChange last = changes.get(key);
      if (last == null || !"deleted".equals(last.cause())) {
        changed(null, obj, "deleted");
      }
      deleted.put(key, new Mark(clock.instant(), obj.getMetadata().getGeneration()));
      hashes.remove(key);
      ObjectChange now = changes.get(key);
      if (now != null) {
        notifyWatches(now);
      }
    }
  }

  /** The controller's Events on Ingresses and AlbConfigs (only the reasons that end a change). */
  private final class EventHandler implements ResourceEventHandler<Event> {
    @Override
    public void onAdd(Event e) {
      seen(e);
    }

    @Override
    public void onUpdate(Event before, Event after) {
      if (!Objects.equals(
              before.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion())
          && !(Objects.equals(before.getCount(), after.getCount())
              && Objects.equals(before.getLastTimestamp(), after.getLastTimestamp())
              && Objects.equals(before.getEventTime(), after.getEventTime())
              && Objects.equals(before.getSeries(), after.getSeries()))) {
        seen(after);
      }
    }

    @Override
    public void onDelete(Event e, boolean finalStateUnknown) {}

    private void seen(Event e) {
      String reason = e.getReason();
      if (!SUCCEEDED.equals(reason) && !FAILED.contains(reason)) {
        return;
      }
      var about = e.getInvolvedObject();
      if (about == null || about.getName() == null) {
        return;
      }
      String ns =
          about.getNamespace() == null || about.getNamespace().isEmpty()
              ? null
              : about.getNamespace();
      String key = ObjectChange.key(about.getKind(), ns, about.getName());
      Instant at = eventTime(e);
      Seen s =
          new Seen(
              reason,
              e.getMessage() == null ? "" : e.getMessage(),
              at,
              at != null && at.isBefore(startedAt) ? Instant.EPOCH : clock.instant(),
              revision(e.getMetadata() == null ? null : e.getMetadata().getResourceVersion()));
      Deque<Seen> q = events.computeIfAbsent(key, k -> new ArrayDeque<>());
      synchronized (q) {
        q.addLast(s);
        while (q.size() > EVENTS_KEPT) {
          q.removeFirst();
        }
      }
      ObjectChange last = changes.get(key);
      if (last != null) {
        notifyWatches(last);
        if (last.ambiguous() && SUCCEEDED.equals(reason) && timer != null) {
          // Look again when a lone success counts (REQUEUE_WINDOW).
          timer.schedule(
              () -> notifyWatches(last), REQUEUE_WINDOW.toMillis() + 1000, TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  private static Instant eventTime(Event e) {
    try {
      if (e.getEventTime() != null && e.getEventTime().getTime() != null) {
        return Instant.parse(e.getEventTime().getTime());
      }
      if (e.getLastTimestamp() != null) {
        return Instant.parse(e.getLastTimestamp());
      }
      if (e.getFirstTimestamp() != null) {
        return Instant.parse(e.getFirstTimestamp());
      }
      return e.getMetadata().getCreationTimestamp() == null
          ? null
          : Instant.parse(e.getMetadata().getCreationTimestamp());
    } catch (RuntimeException bad) {
      return null;
    }
  }

  private static final class Ignore<T> implements ResourceEventHandler<T> {
    @Override
    public void onAdd(T obj) {}

    @Override
    public void onUpdate(T oldObj, T newObj) {}

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {}
  }

  /** A Kubernetes label selector (matchLabels and matchExpressions) against labels. */
  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> m : selector.getMatchLabels().entrySet()) {
        if (!m.getValue().equals(labels.get(m.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        String v = labels.get(r.getKey());
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        boolean ok =
            switch (r.getOperator()) {
              case "In" -> v != null && values.contains(v);
              case "NotIn" -> v == null || !values.contains(v);
              case "Exists" -> labels.containsKey(r.getKey());
              case "DoesNotExist" -> !labels.containsKey(r.getKey());
              default -> false;
            };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }
}
