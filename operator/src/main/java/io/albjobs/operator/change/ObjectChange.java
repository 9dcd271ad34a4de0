package io.albjobs.operator.change;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A change of an Ingress or AlbConfig as the tracker saw it, with the load balancers and AlbConfigs
 * it leads to (before and after the change), for matching it to watches.
 *
 * @param kind Ingress or AlbConfig
 * @param namespace the Ingress's namespace, null for an AlbConfig
 * @param name the object's name
 * @param generation its metadata.generation after the change
 * @param cause spec, annotations, created or deleted
 * @param changedAt when the tracker saw the change (this node's clock)
 * @param loadBalancerIds the load balancers of the AlbConfigs it leads to
 * @param albConfigLabels the labels of those AlbConfigs, for watches that select them
 * @param seq the order in which the tracker recorded its changes (a watch remembers the last it
 *     took)
 * @param albConfigs the names of those AlbConfigs: the controller reconciles each with all its
 *     Ingresses at once
 * @param ownPending whether an earlier change of the same object had not been reconciled yet when
 *     this one came (a reconcile in flight may end with a success that does not cover it)
 * @param groupPending whether an earlier change of another object of the same AlbConfig had not
 *     been reconciled yet
 * @param hashAtChange the object's {@code alb.ingress.kubernetes.io/hash} label after the change
 * @param resourceVersion the object's metadata.resourceVersion written by the change, or null
 */
public record ObjectChange(
    String kind,
    String namespace,
    String name,
    Long generation,
    String cause,
    Instant changedAt,
    Set<String> loadBalancerIds,
    List<Map<String, String>> albConfigLabels,
    long seq,
    Set<String> albConfigs,
    boolean ownPending,
    boolean groupPending,
    String hashAtChange,
    String resourceVersion) {
  /** A change as a test or a tool makes it: first of its kind, nothing pending. */
  public ObjectChange(
      String kind,
      String namespace,
      String name,
      Long generation,
      String cause,
      Instant changedAt,
      Set<String> loadBalancerIds,
      List<Map<String, String>> albConfigLabels) {
    this(
        kind,
        namespace,
        name,
        generation,
        cause,
        changedAt,
        loadBalancerIds,
        albConfigLabels,
        0,
        Set.of(),
        false,
        false,
        null,
        null);
  }

  /** A reconcile of the controller may have been in flight when it came. */
  public boolean ambiguous() {
    return ownPending || groupPending;
  }

  public static final String INGRESS = "Ingress";
  public static final String ALB_CONFIG = "AlbConfig";

  /** The object this change is of: kind, namespace and name. */
  public String key() {
    return key(kind, namespace, name);
  }

  static String key(String kind, String namespace, String name) {
    return kind + "/" + (namespace == null ? "" : namespace) + "/" + name;
  }

  /** kind namespace/name, as messages say it. */
  public String describe() {
    return kind + " " + (namespace == null ? "" : namespace + "/") + name;
  }
}
