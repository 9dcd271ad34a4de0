package io.albjobs.it.settle;

import io.albjobs.operator.crd.AsyncJobWatch;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/**
 * How the gates of docs/gitops.md read an AsyncJobWatch, in Java: Argo CD's health check
 * (gitops/argocd/.../AsyncJobWatch/health.lua), kstatus (Flux without CEL: generation, then
 * Reconciling/Stalled) and Flux's CEL expressions (gitops/flux/kustomization.yaml). Each answers
 * whether the gate lets the pipeline go on.
 */
public final class Gates {
  private Gates() {}

  /** What each gate says of one status. */
  public record Reading(boolean argo, boolean kstatus, boolean cel) {
    public boolean any() {
      return argo || kstatus || cel;
    }

    public boolean all() {
      return argo && kstatus && cel;
    }
  }

  public static Reading read(AsyncJobWatch w) {
    return new Reading(argoHealthy(w), kstatusCurrent(w), celCurrent(w));
  }

  /** health.lua: Healthy only with a current status, not Suspended, not Stalled, Ready=True. */
  public static boolean argoHealthy(AsyncJobWatch w) {
    if (w == null || w.getStatus() == null || !generationCurrent(w)) {
      return false;
    }
    List<Condition> c = w.getStatus().getConditions();
    Condition ready = find(c, "Ready");
    if (ready != null && "Suspended".equals(ready.getReason())) {
      return false;
    }
    if (isTrue(c, "Stalled")) {
      return false;
    }
    return ready != null && "True".equals(ready.getStatus());
  }

  /**
   * kstatus for a resource with standard conditions: InProgress when the generation is not observed
   * yet or Reconciling=True, Failed when Stalled=True, Current otherwise.
   */
  public static boolean kstatusCurrent(AsyncJobWatch w) {
    if (w == null || w.getStatus() == null || !generationCurrent(w)) {
      return false;
    }
    List<Condition> c = w.getStatus().getConditions();
    return !isTrue(c, "Reconciling") && !isTrue(c, "Stalled");
  }

  /**
   * Flux's healthCheckExprs for AsyncJobWatch, read the most permissive way: a current generation
   * and the {@code current} expression (Ready True, or reason Suspended).
   */
  public static boolean celCurrent(AsyncJobWatch w) {
    if (w == null || w.getStatus() == null || !generationCurrent(w)) {
      return false;
    }
    Condition ready = find(w.getStatus().getConditions(), "Ready");
    return ready != null
        && ("True".equals(ready.getStatus()) || "Suspended".equals(ready.getReason()));
  }

  public static boolean generationCurrent(AsyncJobWatch w) {
    Long observed = w.getStatus().getObservedGeneration();
    return observed == null || Objects.equals(observed, w.getMetadata().getGeneration());
  }

  /** Reconciling=True with reason Settling: the watch waits for a change. */
  public static boolean settling(AsyncJobWatch w) {
    if (w == null || w.getStatus() == null) {
      return false;
    }
    Condition r = find(w.getStatus().getConditions(), "Reconciling");
    return r != null && "True".equals(r.getStatus()) && "Settling".equals(r.getReason());
  }

  /** The reason of Stalled=True, or null. */
  public static String stalledReason(AsyncJobWatch w) {
    if (w == null || w.getStatus() == null || !generationCurrent(w)) {
      return null;
    }
    Condition s = find(w.getStatus().getConditions(), "Stalled");
    return s != null && "True".equals(s.getStatus()) ? s.getReason() : null;
  }

  static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  static boolean isTrue(List<Condition> conditions, String type) {
    Condition c = find(conditions, type);
    return c != null && "True".equals(c.getStatus());
  }
}
