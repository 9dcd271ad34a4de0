package io.albjobs.operator.status;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The closed list of reasons the operator writes on conditions and Events, with what each means and
 * what a person should do. docs/api.md is rendered from it, and {@code ReasonsTest} fails when the
 * operator's sources use a reason that is not listed here. Adding a reason is one line in {@link
 * #ALL}.
 *
 * <p>One reason is open-ended on purpose: a Failed AsyncJob carries ALB's own error code (for
 * example {@code QuotaExceeded.Listener}) as its reason, so that {@code kubectl get} and GitOps
 * tools show what ALB said; {@link #ALB_ERROR_CODE} stands for all of them.
 */
public final class Reasons {
  /** Where a reason shows up. */
  public enum Where {
    /** Conditions of an AsyncJob. */
    JOB("AsyncJob"),
    /** Conditions of an AsyncJobWatch. */
    WATCH("AsyncJobWatch"),
    /** Conditions of both kinds. */
    BOTH("AsyncJob, AsyncJobWatch"),
    /** A Warning Event only, on the object named. */
    EVENT("Event (AsyncJob, AsyncJobWatch)");

    private final String text;

    Where(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /**
   * One reason.
   *
   * @param reason the CamelCase value of {@code reason}
   * @param where on which objects it appears
   * @param stalled true when it comes with {@code Stalled=True}: only a person can fix it
   * @param meaning what happened
   * @param action what to do about it
   */
  public record Reason(
      String reason, Where where, boolean stalled, String meaning, String action) {}

  /** Stands for ALB's error code of a failed job, used as the reason of a Failed AsyncJob. */
  public static final String ALB_ERROR_CODE = "<ALB error code>";

  public static final List<Reason> ALL =
      List.of(
          // Progress of a job (AsyncJob conditions).
          r(
              "Pending",
              Where.JOB,
              false,
              "The job is not visible in ALB's ListAsynJobs yet (only AsyncJobs created by a user or pipeline).",
              "Wait. ALB usually shows a job within seconds; after --not-found-timeout (10m) it becomes JobNotFound."),
          r(
              "Processing",
              Where.JOB,
              false,
              "ALB is processing the job.",
              "Wait; kubectl wait --for=condition=Finished."),
          r(
              "Succeeded",
              Where.JOB,
              false,
              "ALB finished the job successfully (Complete=True, Ready=True).",
              "Nothing."),
          r(
              ALB_ERROR_CODE,
              Where.JOB,
              true,
              "The job finished Failed; the reason is ALB's ErrorCode, for example QuotaExceeded.Listener, and the message ALB's error message.",
              "Read status.errorCode and errorMessage; fix the cause in ALB and start a new job. The AsyncJob stays Failed."),
          r(
              "Unknown",
              Where.JOB,
              true,
              "The job finished Failed and ALB gave no error code.",
              "Look at the job in the ALB console or with the ALB API."),
          r(
              "JobNotFound",
              Where.JOB,
              true,
              "ALB has not shown the JobId within --not-found-timeout.",
              "Check spec.jobId, spec.regionId and that the credentials belong to the account that made the call; set a new albjobs.io/poll-now value to look again."),
          // Roll-up of a watch.
          r(
              "Synced",
              Where.WATCH,
              false,
              "Polling is healthy, no job is in flight and none failed since the last spec change (Ready=True).",
              "Nothing."),
          r(
              "JobsInFlight",
              Where.WATCH,
              false,
              "Some of the watch's jobs are Pending or Processing (Reconciling=True).",
              "Wait."),
          r(
              "JobFailed",
              Where.WATCH,
              true,
              "A job of the watch failed since the last spec change; status.lastFailedJob names it. Also a Warning Event on the watch and on the failed AsyncJob.",
              "Read status.lastFailedJob and fix the cause; any spec change acknowledges the failure."),
          r(
              "Suspended",
              Where.WATCH,
              false,
              "spec.suspend is true: the watch does not poll.",
              "Set spec.suspend to false to resume."),
          // Settling: a change the watch stands for, until ALB has shown its jobs.
          r(
              "Settling",
              Where.WATCH,
              false,
              "Ready=False, Reconciling=True: the watch waits for a change it stands for - its own spec or albjobs.io/poll-now (for spec.settlePeriod), or an Ingress or AlbConfig of its load balancers (until the ALB Ingress Controller's SuccessfullyReconciled Event, then --settle-margin for ALB to list the jobs, and for a load-balancer watch with children a listing of its children that worked or that ALB refused for good; a throttled or failed one is retried) - and polls at its activePollInterval meanwhile. status.settling lists the changes. GitOps tools show Progressing.",
              "Nothing: it ends by itself, at the latest after spec.settleTimeout."),
          r(
              "ChangeFailed",
              Where.WATCH,
              true,
              "Stalled=True: the ALB Ingress Controller reported FailedBuildModel or FailedApplyModel for a change of an Ingress or AlbConfig of the watch's load balancers, and no success since; the message has the controller's message. Clears when the controller reconciles the change (it retries with backoff) or the object changes again. Also a Warning Event.",
              "Read the message and `kubectl describe` the Ingress or AlbConfig it names; fix the object (or the ALB quota or permission the message names)."),
          r(
              "SettleTimeout",
              Where.WATCH,
              true,
              "Stalled=True: a change of an Ingress or AlbConfig of the watch's load balancers got no SuccessfullyReconciled Event (nor a new alb.ingress.kubernetes.io/hash label) within spec.settleTimeout; or it got one, but for spec.settleTimeout after it no poll listed the change's jobs and the load balancers' children, because ALB kept throttling or failing ListAsynJobs, ListListeners or ListRules. The message names the object and the change. Clears when the controller reconciles, the object changes again or a poll lists them. Also a Warning Event.",
              "Check that the ALB Ingress Controller runs and reconciles the object (`kubectl describe` it, the controller's logs); raise spec.settleTimeout if it is just slow. When the message says ALB did not list the jobs: read the ChildrenListed condition and the Warning Events (throttled: lower --alb-qps or ask for a higher ALB quota)."),
          // The ChangesTracked condition of a load-balancer watch: apart from Ready/Stalled.
          r(
              "ChangesTracked",
              Where.WATCH,
              false,
              "ChangesTracked=True: the operator reads Ingresses, IngressClasses, AlbConfigs and Events, so changes to the Ingresses and AlbConfigs of the watch's load balancers make it wait (Settling) until the ALB Ingress Controller reconciled them.",
              "Nothing."),
          r(
              "ChangeTrackingForbidden",
              Where.WATCH,
              false,
              "ChangesTracked=False: the operator may not list or watch ingresses, ingressclasses, albconfigs or events (the message names which); the watch settles only on its own spec and poll-now and otherwise reports what its last poll saw. Retried every minute. Also a Warning Event.",
              "Grant the operator get/list/watch on them (the chart's changeTracking.enabled does), or turn tracking off with --track-ingress-changes=false."),
          r(
              "ChangeTrackingUnavailable",
              Where.WATCH,
              false,
              "ChangesTracked=False: the AlbConfig CRD (alibabacloud.com/v1) is not installed, so there is no ALB Ingress Controller to wait for; the watch settles only on its own spec and poll-now. Retried every minute. Also a Warning Event.",
              "Nothing on a cluster without ACK's ALB Ingress Controller; otherwise install it."),
          r(
              "ChangeTrackingLost",
              Where.WATCH,
              false,
              "ChangesTracked=False: tracking worked, but the operator's watch of Ingresses, IngressClasses, AlbConfigs or their Events (the message names which) has failed for 30 s, e.g. its read access was revoked or the API server is out of reach; Ingress and AlbConfig changes made meanwhile do not make the watch wait. Turns True by itself when the watch is back (checked every 10 s). Also a Warning Event.",
              "Check the operator's ClusterRole (the chart's change-reader binding) and its logs."),
          r(
              "ChangeTrackingDisabled",
              Where.WATCH,
              false,
              "ChangesTracked=False: the operator runs with --track-ingress-changes=false; the watch settles only on its own spec and poll-now.",
              "Nothing, unless you want the watch to wait for Ingress and AlbConfig changes: enable it."),
          // The ChildrenListed condition of a load-balancer watch: apart from Ready/Stalled, which
          // follow the jobs.
          r(
              "ChildrenListed",
              Where.WATCH,
              false,
              "ChildrenListed=True: the listeners, rules, server groups, ACLs and security policies of a load-balancer watch's load balancers are listed and their jobs mirrored.",
              "Nothing."),
          r(
              "ChildListingDenied",
              Where.WATCH,
              false,
              "ChildrenListed=False on a load-balancer watch (spec.includeChildren true or absent): ALB refused ListListeners, ListRules or GetListenerAttribute (Forbidden); the message names the refused action. Jobs ALB records under the load balancer itself are still mirrored, and Ready/Stalled still follow them; jobs of children not listed before are not. Also a Warning Event.",
              "Grant the RAM identity alb:ListListeners, alb:ListRules and alb:GetListenerAttribute (docs/security.md), or set spec.includeChildren: false to watch only the load balancer's own jobs."),
          r(
              "ChildListingFailed",
              Where.WATCH,
              false,
              "ChildrenListed=False on a load-balancer watch: ALB refused a child listing for a reason other than permissions (the message has ALB's code); retried every child refresh. Ready/Stalled still follow the jobs. Also a Warning Event.",
              "Read ALB's message; set spec.includeChildren: false to watch only the load balancer's own jobs."),
          r(
              "NoTargets",
              Where.WATCH,
              true,
              "The watch names no resources (neither spec.resourceIds nor spec.albConfigSelector); only an object stored before the CRD refused that can get here.",
              "List the resources in spec.resourceIds or set spec.albConfigSelector."),
          // Transient ALB trouble: retried with backoff (Reconciling=True, Stalled=False).
          r(
              "AlbThrottled",
              Where.BOTH,
              false,
              "ALB throttled ListAsynJobs (or, as the reason of ChildrenListed=False, a child listing not done even once yet); the account scope backs off and retries.",
              "Nothing if it passes; if it persists lower --alb-qps, raise poll intervals or ask for a higher ALB quota."),
          r(
              "AlbUnavailable",
              Where.BOTH,
              false,
              "ListAsynJobs (or, as the reason of ChildrenListed=False, a child listing not done even once yet) failed with a network error, a timeout or a server error; retried with backoff.",
              "Nothing if it passes; else check the endpoint, network policy and proxy between the operator and ALB."),
          // Problems only a person can fix (Stalled=True, and a Warning Event).
          r(
              "InvalidCredentials",
              Where.BOTH,
              true,
              "ALB refused the access key (unknown key, wrong secret, expired STS token).",
              "Fix accessKeyId/accessKeySecret (and securityToken) in the credentials Secret, or the operator's own credentials."),
          r(
              "PermissionDenied",
              Where.BOTH,
              true,
              "The RAM identity may not call ListAsynJobs.",
              "Grant the identity alb:ListAsynJobs."),
          r(
              "AlbRequestRefused",
              Where.BOTH,
              true,
              "ALB refused the request for another reason (the message has ALB's code).",
              "Read the message; usually spec.regionId or spec.endpoint is wrong."),
          r(
              "EndpointNotFound",
              Where.BOTH,
              true,
              "The ALB endpoint does not exist for the region (no endpoint was given and the region has none).",
              "Check spec.regionId, or set spec.endpoint or the operator's --alb-default-endpoint."),
          r(
              "InvalidEndpoint",
              Where.BOTH,
              true,
              "spec.endpoint cannot be used as written.",
              "Write host[:port], http://host:port or https://host, without a path."),
          r(
              "InvalidSpec",
              Where.BOTH,
              true,
              "A spec value the API server accepted cannot be used (for example a duration out of range).",
              "Fix the field named in the message."),
          r(
              "SecretNotFound",
              Where.BOTH,
              true,
              "The Secret in spec.credentialsSecretRef does not exist in the object's namespace.",
              "Create it with keys accessKeyId and accessKeySecret (examples/credentials-secret.yaml)."),
          r(
              "SecretKeyMissing",
              Where.BOTH,
              true,
              "The Secret lacks accessKeyId or accessKeySecret, or one is empty.",
              "Add the key the message names."),
          r(
              "SecretForbidden",
              Where.BOTH,
              true,
              "The operator may not read the Secret (RBAC).",
              "Grant the operator get on secrets in that namespace (the chart does for watched namespaces)."),
          r(
              "SecretUnreadable",
              Where.BOTH,
              true,
              "Reading the Secret failed for another reason (the message has the HTTP code).",
              "Check the API server; the operator retries."),
          r(
              "RrsaRefused",
              Where.BOTH,
              true,
              "STS refused the operator's RRSA token exchange (AssumeRoleWithOIDC) for the object's scope, so ALB was not asked; the message has STS's code and the role.",
              "Check ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and the role's trust policy (oidc:aud sts.aliyuncs.com, oidc:sub of the operator's ServiceAccount)."),
          r(
              "AmbientCredentialsNotAllowed",
              Where.BOTH,
              true,
              "The object names no credentials Secret, and its namespace may not use the operator's own credentials (--ambient-credentials-namespaces).",
              "Name a Secret of this namespace in spec.credentialsSecretRef, or ask the operator's administrator to add the namespace to ambientCredentials.namespaces."),
          r(
              "EndpointNotAllowed",
              Where.BOTH,
              true,
              "spec.endpoint names a host that is neither an ALB endpoint (alb[-vpc].<region>.aliyuncs.com) nor allowed by --allowed-endpoint-hosts; nothing is sent to it.",
              "Use the region's ALB endpoint, or ask the operator's administrator to add the host to alb.allowedEndpointHosts."),
          r(
              "InsecureEndpoint",
              Where.BOTH,
              true,
              "spec.endpoint (or the operator's default endpoint) is plain HTTP, which would send the access key ID, the signature and any STS token in clear text.",
              "Use HTTPS (host[:port]); plain HTTP needs --allow-insecure-endpoints, meant for simulators and tests."),
          r(
              "AlbConfigForbidden",
              Where.WATCH,
              true,
              "The operator may not list AlbConfig objects (RBAC).",
              "Grant it list on albconfigs.alibabacloud.com."),
          r(
              "AlbConfigUnavailable",
              Where.WATCH,
              true,
              "AlbConfig objects cannot be listed: usually the ALB ingress controller's CRD is not installed.",
              "Install the ACK ALB ingress controller, or use spec.resourceIds instead of spec.albConfigSelector."),
          r(
              "UnknownAlbStatus",
              Where.JOB,
              false,
              "ALB answered a job status word the operator does not know; the job is treated as in flight and still polled (also a Warning Event and albjobs_unknown_status_total).",
              "Check the job in the ALB console; if ALB added a status word, upgrade the operator."),
          r(
              "KubernetesWriteRefused",
              Where.BOTH,
              true,
              "The API server refused a write of the operator (HTTP 4xx other than 403: validation, an admission policy or quota, or a conflict after retries).",
              "Read the message: it names the API server's answer; check admission policies and quotas in the namespace."),
          r(
              "KubernetesUnavailable",
              Where.BOTH,
              false,
              "The API server did not answer a request of the operator, or answered with a 5xx; the reconcile is retried with backoff.",
              "Check the API server's health; nothing to do if it recovers."),
          r(
              "ReconcileFailed",
              Where.BOTH,
              false,
              "A reconcile failed with an unexpected error (a defect of the operator); it is retried with backoff.",
              "Report it with the operator's log; the message names the error."),
          // Events only.
          r(
              "AlbClockSkew",
              Where.EVENT,
              false,
              "ALB's clock (the Date of its answers) differs from the node's by more than half --watermark-overlap; watermarks follow ALB's clock, so no job is lost, but times the operator computes on the node's clock (retention ages, the not-found timeout) are off by that much.",
              "Fix the node's time source (NTP); see albjobs_alb_clock_skew_seconds."),
          r(
              "Forbidden",
              Where.EVENT,
              false,
              "The API server refused the operator an action it needs (RBAC); also logged.",
              "Grant the permission the message names in the operator's ClusterRole or Role (the chart's RBAC)."));

  private static final Map<String, Reason> BY_NAME = index();

  private Reasons() {}

  private static Reason r(
      String reason, Where where, boolean stalled, String meaning, String action) {
    return new Reason(reason, where, stalled, meaning, action);
  }

  private static Map<String, Reason> index() {
    Map<String, Reason> byName = new LinkedHashMap<>();
    for (Reason r : ALL) {
      if (byName.put(r.reason(), r) != null) {
        throw new IllegalStateException("reason listed twice: " + r.reason());
      }
    }
    return byName;
  }

  /** The entry for a reason, if it is listed. */
  public static Optional<Reason> find(String reason) {
    return Optional.ofNullable(BY_NAME.get(reason));
  }
}
