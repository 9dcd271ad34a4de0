#!/usr/bin/env bash
# Checks the Helm chart helm/alb-asyncjob-operator and renders it for the Java tests.
#
#   scripts/chart-check.sh [OUT_DIR]        # OUT_DIR defaults to target/chart-render
#
# 1. crds/ of the chart are byte-identical copies of crds/ (fix: scripts/sync-chart-crds.sh);
# 2. dashboard and values.schema.json are valid JSON; the chart packages without tests/;
# 3. for each combination below: `helm lint --strict` and `helm template` (release
#    alb-asyncjob-operator, namespace alb-system, CRDs not included: apply crds/ first) into
#    OUT_DIR/<combination>.yaml (OUT_DIR/index.tsv lists name and helm flags), then assertions on
#    the rendered objects (names, restricted securityContext, exact least-privilege RBAC per mode,
#    credentials only through secretKeyRef, PDB only when replicas > 1, monitoring objects only
#    when enabled, the PrometheusRule equal to files/alerts.yaml with default thresholds);
# 4. values the schema or the templates must refuse are refused;
# 5. promtool: check rules + test rules of files/alerts.yaml, check rules of the rendered
#    PrometheusRules, and every dashboard query parses.
# Prints one line per check; exits non-zero if any fails. Idempotent. Needs bash, python3 with
# PyYAML, helm ($HELM or ~/.cache/alb-asyncjob-operator/env.sh) and promtool (installed with
# apt-get when missing and running as root).
set -euo pipefail
# OUT_DIR is relative to the caller's directory; the default is relative to the repository.
if [ $# -ge 1 ] && [ -n "$1" ]; then
  case $1 in /*) OUT=$1 ;; *) OUT=$PWD/$1 ;; esac
else
  OUT=target/chart-render
fi
cd "$(dirname "$0")/.."
CHART=helm/alb-asyncjob-operator
RELEASE=alb-asyncjob-operator
NS=alb-system

if [ -z "${HELM:-}" ] && [ -f "${ALBJOBS_CACHE:-$HOME/.cache/alb-asyncjob-operator}/env.sh" ]; then
  # shellcheck disable=SC1091
  source "${ALBJOBS_CACHE:-$HOME/.cache/alb-asyncjob-operator}/env.sh"
fi
HELM=${HELM:-$(command -v helm || true)}
if [ -z "$HELM" ] || [ ! -x "$HELM" ]; then
  echo "[chart-check] FAIL no helm: run scripts/provision-k8s.sh or set HELM" >&2
  exit 1
fi
PY=python3
if /usr/bin/python3 -c 'import yaml' 2>/dev/null; then PY=/usr/bin/python3; fi
if ! "$PY" -c 'import yaml' 2>/dev/null; then
  echo "[chart-check] FAIL python3 has no PyYAML (apt-get install python3-yaml)" >&2
  exit 1
fi
PROMTOOL=${PROMTOOL:-$(command -v promtool || true)}
if [ -z "$PROMTOOL" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[chart-check] installing promtool (apt-get install prometheus)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus; } >/dev/null 2>&1 || true
  PROMTOOL=$(command -v promtool || true)
fi

failures=0
ok() { echo "[chart-check] ok   $*"; }
bad() { echo "[chart-check] FAIL $*"; failures=$((failures + 1)); }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# --- 1. CRD copies -------------------------------------------------------------------------------
crd_ok=1
for f in crds/*.yaml; do
  if ! cmp -s "$f" "$CHART/crds/$(basename "$f")"; then
    bad "CRD copy $CHART/crds/$(basename "$f") differs from $f (run scripts/sync-chart-crds.sh)"; crd_ok=0
  fi
done
for f in "$CHART"/crds/*.yaml; do
  if [ ! -e "crds/$(basename "$f")" ]; then
    bad "CRD copy $f has no source in crds/ (run scripts/sync-chart-crds.sh)"; crd_ok=0
  fi
done
crd_files=(crds/*.yaml)
[ $crd_ok = 1 ] && ok "chart crds/ identical to crds/ (${#crd_files[@]} files)"

# --- 2. JSON files, packaging --------------------------------------------------------------------
for f in "$CHART/dashboards/alb-asyncjob-operator.json" "$CHART/values.schema.json"; do
  if "$PY" -m json.tool "$f" >/dev/null 2>"$WORK/json.err"; then ok "valid JSON: $f"; else bad "invalid JSON: $f: $(cat "$WORK/json.err")"; fi
done
if "$HELM" package "$CHART" -d "$WORK/pkg" >/dev/null 2>"$WORK/pkg.err"; then
  listing=$(tar -tzf "$WORK"/pkg/*.tgz)
  if grep -q '/crds/asyncjobs.albjobs.io' <<<"$listing" && grep -q '/files/alerts.yaml' <<<"$listing" \
     && grep -q '/dashboards/alb-asyncjob-operator.json' <<<"$listing" && ! grep -q '/tests/' <<<"$listing"; then
    ok "helm package: crds, alerts, dashboard included; promtool tests excluded"
  else
    bad "helm package content unexpected: $listing"
  fi
else
  bad "helm package: $(cat "$WORK/pkg.err")"
fi

# --- 3. lint + render each combination ----------------------------------------------------------
# name | helm flags (one string, word-split)
COMBOS=(
  "defaults|"
  "namespaced|--set watchNamespaces={team-a,team-b}"
  "leader-election-ha|--set leaderElection.enabled=true --set replicaCount=2"
  "no-leader-election|--set leaderElection.enabled=false"
  "monitoring-on|--set serviceMonitor.enabled=true --set prometheusRule.enabled=true --set grafanaDashboard.enabled=true"
  "monitoring-off|--set serviceMonitor.enabled=false --set prometheusRule.enabled=false --set grafanaDashboard.enabled=false"
  "monitoring-thresholds|--set prometheusRule.enabled=true --set prometheusRule.stuckJobMinutes=45 --set prometheusRule.stalePollMinutes=20 --set prometheusRule.throttlingRatio=0.35 --set prometheusRule.operatorJob=my-scrape-job --set prometheusRule.alertLabels.team=platform"
  "network-policy|--set networkPolicy.enabled=true"
  "credentials-secret|--set credentials.secretName=alb-credentials"
  "rrsa|--set serviceAccount.annotations.pod-identity\\.alibabacloud\\.com/role-name=alb-asyncjob-operator --set rbac.readSecrets=false"
  "aggregate-roles|--set rbac.aggregateToDefaultRoles=true"
  "tenancy|--set ambientCredentials.releaseNamespace=false --set ambientCredentials.namespaces={ops,platform} --set alb.allowInsecureEndpoints=true --set alb.allowedEndpointHosts={alb-proxy.corp,*.alb.internal}"
)
mkdir -p "$OUT"
rm -f "$OUT"/*.yaml "$OUT/index.tsv"
for combo in "${COMBOS[@]}"; do
  name=${combo%%|*}
  flags=${combo#*|}
  # shellcheck disable=SC2086
  if "$HELM" lint --strict "$CHART" --namespace "$NS" $flags >"$WORK/lint.out" 2>&1; then
    ok "helm lint --strict [$name]"
  else
    bad "helm lint --strict [$name]: $(grep -E 'ERROR|WARNING|Error' "$WORK/lint.out" | head -5)"
  fi
  # shellcheck disable=SC2086
  if "$HELM" template "$RELEASE" "$CHART" --namespace "$NS" $flags >"$OUT/$name.yaml" 2>"$WORK/tpl.err"; then
    ok "helm template [$name] -> $OUT/$name.yaml"
    printf '%s\t%s\n' "$name" "$flags" >>"$OUT/index.tsv"
  else
    bad "helm template [$name]: $(cat "$WORK/tpl.err")"
    rm -f "$OUT/$name.yaml"
  fi
done

# --- 3b. assertions on the rendered objects -----------------------------------------------------
"$PY" - "$OUT" "$NS" "$RELEASE" "$CHART" "$WORK" <<'PYEOF' || failures=$((failures + 1))
import json, os, sys, yaml

out, ns, release, chart, work = sys.argv[1:6]
failed = 0
quiet = {}  # combination -> number of passed checks not printed one by one

def check(name, cond, what, summary=False):
    """One line per check; summary=True checks (the ones repeated for every combination) print
    only when they fail, and are counted into one line per combination."""
    global failed
    if cond and summary:
        quiet[name] = quiet.get(name, 0) + 1
    elif cond:
        print(f"[chart-check] ok   [{name}] {what}")
    else:
        failed += 1
        print(f"[chart-check] FAIL [{name}] {what}")

def load(name):
    path = os.path.join(out, name + ".yaml")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]

def of_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]

def one(docs, kind, name=None):
    found = [d for d in of_kind(docs, kind) if name is None or d["metadata"]["name"] == name]
    return found[0] if len(found) == 1 else None

CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Namespace"}

# What the operator's ServiceAccount may do, exactly (group, resource, verb) -> scope.
WATCHED = {("albjobs.io", r, v) for r in ("asyncjobs", "asyncjobwatches") for v in ("get", "list", "watch")}
WATCHED |= {("albjobs.io", "asyncjobs", v) for v in ("create", "patch", "update", "delete")}
WATCHED |= {("albjobs.io", r, v) for r in ("asyncjobs/status", "asyncjobwatches/status") for v in ("get", "patch", "update")}
WATCHED |= {(g, "events", v) for g in ("", "events.k8s.io") for v in ("create", "patch")}
SECRETS = {("", "secrets", "get")}
ALBCONFIG = {("alibabacloud.com", "albconfigs", v) for v in ("get", "list", "watch")}
LEASES = {("coordination.k8s.io", "leases", v) for v in ("get", "create", "update", "patch")}

def triples(rules):
    s = set()
    for r in rules or []:
        for g in r.get("apiGroups", []):
            for res in r.get("resources", []):
                for v in r.get("verbs", []):
                    s.add((g, res, v))
    return s

def sa_grants(docs, sa):
    """{scope: set(triples)}; scope '*' = cluster-wide, else a namespace."""
    roles = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]): d for d in docs if d["kind"] in ("Role", "ClusterRole")}
    grants = {}
    for b in docs:
        if b["kind"] not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        if not any(s.get("kind") == "ServiceAccount" and s.get("name") == sa and s.get("namespace") == ns for s in b.get("subjects", [])):
            continue
        ref = b["roleRef"]
        bns = b["metadata"].get("namespace")
        role = roles.get((ref["kind"], bns if ref["kind"] == "Role" else None, ref["name"]))
        if role is None:
            grants.setdefault("missing-role", set()).add(ref["name"])
            continue
        scope = "*" if b["kind"] == "ClusterRoleBinding" else bns
        grants.setdefault(scope, set()).update(triples(role.get("rules")))
    return grants

def rbac_diff(got, want):
    parts = []
    for scope in sorted(set(got) | set(want)):
        extra = sorted(got.get(scope, set()) - want.get(scope, set()))
        missing = sorted(want.get(scope, set()) - got.get(scope, set()))
        fmt = lambda ts: ", ".join(f"{g or 'core'}/{r}:{v}" for g, r, v in ts)
        if extra:
            parts.append(f"extra in {scope}: {fmt(extra)}")
        if missing:
            parts.append(f"missing in {scope}: {fmt(missing)}")
    return "; ".join(parts)

def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}

def common(name, docs, expect):
    dep = one(docs, "Deployment", release)
    check(name, dep is not None, f"Deployment named {release}", summary=True)
    check(name, one(docs, "Service", release) is not None, f"Service named {release}", summary=True)
    sa_name = release
    check(name, one(docs, "ServiceAccount", sa_name) is not None, f"ServiceAccount named {sa_name}", summary=True)
    check(name, not of_kind(docs, "Secret"), "no Secret object rendered", summary=True)
    check(name, all(d.get("kind") in CLUSTER_SCOPED or d["metadata"].get("namespace") for d in docs),
          "every namespaced object has metadata.namespace", summary=True)
    check(name, all("app.kubernetes.io/name" in (d["metadata"].get("labels") or {}) and
                    "app.kubernetes.io/instance" in (d["metadata"].get("labels") or {}) for d in docs),
          "standard app.kubernetes.io labels on every object", summary=True)
    if dep is None:
        return
    pod = dep["spec"]["template"]["spec"]
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    sel = dep["spec"]["selector"]["matchLabels"]
    check(name, all(pod_labels.get(k) == v for k, v in sel.items()), "Deployment selector matches the pod labels", summary=True)
    svc = one(docs, "Service", release)
    check(name, svc["spec"].get("type") == "ClusterIP" and all(pod_labels.get(k) == v for k, v in svc["spec"]["selector"].items())
          and [p["name"] for p in svc["spec"]["ports"]] == ["metrics"], "metrics Service: ClusterIP, port 'metrics', selects the pods", summary=True)
    check(name, pod.get("serviceAccountName") == sa_name and pod.get("automountServiceAccountToken") is True,
          "pod uses the ServiceAccount, automountServiceAccountToken: true", summary=True)
    check(name, pod.get("terminationGracePeriodSeconds") == 30, "terminationGracePeriodSeconds: 30", summary=True)
    psc = pod.get("securityContext", {})
    check(name, psc.get("runAsNonRoot") is True and psc.get("runAsUser") == 65532
          and psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", "pod securityContext: non-root 65532, RuntimeDefault", summary=True)
    check(name, not any(pod.get(k) for k in ("hostNetwork", "hostPID", "hostIPC"))
          and not any("hostPath" in v for v in pod.get("volumes", [])), "no host namespaces or hostPath", summary=True)
    containers = pod.get("containers", []) + pod.get("initContainers", [])
    for c in containers:
        sc = c.get("securityContext", {})
        restricted = (sc.get("runAsNonRoot") is True and sc.get("runAsUser") == 65532
                      and sc.get("readOnlyRootFilesystem") is True and sc.get("allowPrivilegeEscalation") is False
                      and sc.get("privileged") in (None, False)
                      and sc.get("capabilities", {}).get("drop") == ["ALL"] and not sc.get("capabilities", {}).get("add")
                      and (sc.get("seccompProfile") or psc.get("seccompProfile", {})).get("type") == "RuntimeDefault")
        check(name, restricted, f"container {c['name']}: restricted securityContext", summary=True)
    c = pod["containers"][0]
    env = env_of(c)
    tmp = [v for v in pod.get("volumes", []) if v["name"] in {m["name"] for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"}]
    check(name, len(tmp) == 1 and "emptyDir" in tmp[0], "emptyDir mounted at /tmp", summary=True)
    check(name, env.get("POD_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.name",
          "POD_NAME from fieldRef metadata.name", summary=True)
    check(name, "-XX:MaxRAMPercentage=75" in env.get("JAVA_TOOL_OPTIONS", {}).get("value", ""), "JAVA_TOOL_OPTIONS has -XX:MaxRAMPercentage=75", summary=True)
    port = c["ports"][0]["containerPort"]
    check(name, c["ports"][0]["name"] == "metrics" and env.get("HTTP_PORT", {}).get("value") == str(port)
          and svc["spec"]["ports"][0]["port"] == port, f"HTTP_PORT = container port = Service port ({port})", summary=True)
    probes = (c.get("livenessProbe", {}).get("httpGet", {}), c.get("readinessProbe", {}).get("httpGet", {}))
    check(name, probes[0].get("path") == "/healthz" and probes[1].get("path") == "/readyz"
          and probes[0].get("port") == "metrics" and probes[1].get("port") == "metrics",
          "liveness /healthz, readiness /readyz on the metrics port", summary=True)
    check(name, env.get("LOG_FORMAT", {}).get("value") == "json", "LOG_FORMAT=json", summary=True)
    # Tenancy: the operator's own credentials only in the release namespace, no plain HTTP, no extra host.
    ambient = expect.get("ambient", ns)
    check(name, env.get("AMBIENT_CREDENTIALS_NAMESPACES", {}).get("value") == ambient, f"AMBIENT_CREDENTIALS_NAMESPACES={ambient}", summary=True)
    insecure = expect.get("insecure", "false")
    check(name, env.get("ALLOW_INSECURE_ENDPOINTS", {}).get("value") == insecure, f"ALLOW_INSECURE_ENDPOINTS={insecure}", summary=True)
    hosts = expect.get("hosts")
    check(name, env.get("ALLOWED_ENDPOINT_HOSTS", {}).get("value") == hosts, f"ALLOWED_ENDPOINT_HOSTS={hosts or 'unset'}", summary=True)
    # Credentials: never a literal value.
    literal = [n for n, e in env.items() if "value" in e and any(w in n.upper() for w in ("KEY", "SECRET", "TOKEN", "PASSWORD"))]
    check(name, not literal, f"no credential-like env var with a literal value {literal or ''}", summary=True)
    res = c.get("resources", {})
    check(name, res.get("requests", {}).get("cpu") and res.get("requests", {}).get("memory") and res.get("limits", {}).get("memory"),
          "resources: cpu/memory requests and a memory limit", summary=True)
    # Leader election
    le = expect.get("leader", True)
    check(name, env.get("LEADER_ELECTION", {}).get("value") == ("true" if le else "false"), f"LEADER_ELECTION={str(le).lower()}", summary=True)
    if le:
        check(name, env.get("LEASE_NAMESPACE", {}).get("value") == ns, f"LEASE_NAMESPACE={ns}", summary=True)
    check(name, dep["spec"]["strategy"]["type"] == ("RollingUpdate" if le else "Recreate"),
          "rollout strategy " + ("RollingUpdate (Lease)" if le else "Recreate (no Lease)"), summary=True)
    # PDB iff replicas > 1
    replicas = dep["spec"]["replicas"]
    pdbs = of_kind(docs, "PodDisruptionBudget")
    check(name, len(pdbs) == (1 if replicas > 1 else 0), f"PodDisruptionBudget {'present' if replicas > 1 else 'absent'} (replicas {replicas})", summary=True)
    for p in pdbs:
        check(name, p["spec"].get("minAvailable") == 1 and all(pod_labels.get(k) == v for k, v in p["spec"]["selector"]["matchLabels"].items()),
              "PDB minAvailable 1, selects the pods", summary=True)
    # RBAC: exactly the least-privilege set, in the right scopes.
    watch_ns = expect.get("watch", [])
    read_secrets = expect.get("secrets", True)
    per_ns = WATCHED | (SECRETS if read_secrets else set())
    want = {}
    if watch_ns:
        for w in watch_ns:
            want[w] = set(per_ns)
        want["*"] = set(ALBCONFIG)
    else:
        want["*"] = per_ns | ALBCONFIG
    if le:
        want[ns] = want.get(ns, set()) | LEASES
    got = sa_grants(docs, sa_name)
    check(name, got == want, "ServiceAccount RBAC is exactly the least-privilege set "
          + ("(cluster-wide)" if not watch_ns else f"(Roles in {', '.join(watch_ns)})")
          + ("" if got == want else ": " + rbac_diff(got, want)), summary=True)
    all_rules = [r for d in docs if d["kind"] in ("Role", "ClusterRole") for r in d.get("rules", [])]
    check(name, not any("*" in r.get(k, []) for r in all_rules for k in ("apiGroups", "resources", "verbs")), "no wildcard in any RBAC rule", summary=True)
    check(name, not any("apiextensions.k8s.io" in r.get("apiGroups", []) for r in all_rules), "no CRD access granted", summary=True)
    roles_in = sorted(d["metadata"]["namespace"] for d in of_kind(docs, "Role") if d["metadata"]["name"] == release)
    check(name, roles_in == sorted(watch_ns), f"Role {release} in each watched namespace: {roles_in}", summary=True)
    if watch_ns:
        check(name, env.get("WATCH_NAMESPACES", {}).get("value") == ",".join(watch_ns), "WATCH_NAMESPACES=" + ",".join(watch_ns), summary=True)
        check(name, one(docs, "ClusterRole", release) is None, "no cluster-wide operator ClusterRole in namespaced mode", summary=True)
    else:
        check(name, "WATCH_NAMESPACES" not in env, "WATCH_NAMESPACES unset (all namespaces)", summary=True)
    # Monitoring objects only when enabled.
    mon = expect.get("monitoring", set())
    check(name, bool(of_kind(docs, "ServiceMonitor")) == ("sm" in mon), f"ServiceMonitor {'present' if 'sm' in mon else 'absent'}", summary=True)
    check(name, bool(of_kind(docs, "PrometheusRule")) == ("pr" in mon), f"PrometheusRule {'present' if 'pr' in mon else 'absent'}", summary=True)
    dash = [d for d in of_kind(docs, "ConfigMap") if (d["metadata"].get("labels") or {}).get("grafana_dashboard") == "1"]
    check(name, bool(dash) == ("gd" in mon), f"Grafana dashboard ConfigMap {'present' if 'gd' in mon else 'absent'}", summary=True)
    check(name, bool(of_kind(docs, "NetworkPolicy")) == expect.get("netpol", False),
          f"NetworkPolicy {'present' if expect.get('netpol') else 'absent'}", summary=True)
    return dep

with open(os.path.join(chart, "files/alerts.yaml")) as f:
    alerts_file = yaml.safe_load(f)
ALERTS = ["AlbAsyncJobFailed", "AlbAsyncJobStuck", "AlbAsyncJobPollingStale", "AlbAsyncJobThrottling", "AlbAsyncJobOperatorDown"]

EXPECT = {
    "defaults": {},
    "namespaced": {"watch": ["team-a", "team-b"]},
    "leader-election-ha": {},
    "no-leader-election": {"leader": False},
    "monitoring-on": {"monitoring": {"sm", "pr", "gd"}},
    "monitoring-off": {},
    "monitoring-thresholds": {"monitoring": {"pr"}},
    "network-policy": {"netpol": True},
    "credentials-secret": {},
    "rrsa": {"secrets": False},
    "aggregate-roles": {},
    "tenancy": {"ambient": "ops,platform", "insecure": "true", "hosts": "alb-proxy.corp,*.alb.internal"},
}
deps = {}
for name, expect in EXPECT.items():
    docs = load(name)
    if docs is None:
        check(name, False, "rendered file exists")
        continue
    before = failed
    deps[name] = (docs, common(name, docs, expect))
    if failed == before:
        print(f"[chart-check] ok   [{name}] {quiet.get(name, 0)} assertions: names, labels, restricted securityContext, "
              f"probes, env, least-privilege RBAC, PDB, monitoring/NetworkPolicy objects")

def env_for(name):
    docs, dep = deps.get(name, (None, None))
    return env_of(dep["spec"]["template"]["spec"]["containers"][0]) if dep else {}

# Credentials: only through secretKeyRef.
env = env_for("credentials-secret")
refs = {n: env.get(n, {}).get("valueFrom", {}).get("secretKeyRef", {}) for n in
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN")}
check("credentials-secret", all(r.get("name") == "alb-credentials" for r in refs.values())
      and [r.get("key") for r in refs.values()] == ["accessKeyId", "accessKeySecret", "securityToken"]
      and refs["ALIBABA_CLOUD_SECURITY_TOKEN"].get("optional") is True
      and not refs["ALIBABA_CLOUD_ACCESS_KEY_ID"].get("optional") and not refs["ALIBABA_CLOUD_ACCESS_KEY_SECRET"].get("optional"),
      "credentials wired by secretKeyRef (accessKeyId, accessKeySecret, optional securityToken)")
check("defaults", not any(n.startswith("ALIBABA_CLOUD_") for n in env_for("defaults")), "no ALIBABA_CLOUD_* env without credentials.secretName")

# RRSA annotation on the ServiceAccount.
if "rrsa" in deps:
    sa = one(deps["rrsa"][0], "ServiceAccount", release)
    check("rrsa", (sa["metadata"].get("annotations") or {}).get("pod-identity.alibabacloud.com/role-name") == release,
          "ServiceAccount carries the RRSA role annotation")

# Aggregated user roles: only on request, never bound to the operator (the exact-RBAC check above).
def agg(docs):
    return sorted(d["metadata"]["name"] for d in of_kind(docs, "ClusterRole")
                  if any(k.startswith("rbac.authorization.k8s.io/aggregate-to-") for k in (d["metadata"].get("labels") or {})))
if "aggregate-roles" in deps and "defaults" in deps:
    check("aggregate-roles", agg(deps["aggregate-roles"][0]) == [release + "-edit", release + "-view"] and not agg(deps["defaults"][0]),
          "view/edit aggregated ClusterRoles only with rbac.aggregateToDefaultRoles")

# Monitoring details.
if "monitoring-on" in deps:
    docs = deps["monitoring-on"][0]
    sm = one(docs, "ServiceMonitor")
    svc = one(docs, "Service", release)
    check("monitoring-on", sm and sm["apiVersion"] == "monitoring.coreos.com/v1"
          and all(svc["metadata"]["labels"].get(k) == v for k, v in sm["spec"]["selector"]["matchLabels"].items())
          and sm["spec"]["endpoints"][0]["port"] == "metrics" and sm["spec"]["endpoints"][0]["path"] == "/metrics",
          "ServiceMonitor selects the metrics Service, port metrics, /metrics")
    pr = one(docs, "PrometheusRule")
    check("monitoring-on", pr and pr["spec"] == alerts_file,
          "PrometheusRule with default values equals files/alerts.yaml (what promtool tests)")
    names = [r.get("alert") for g in (pr or {}).get("spec", {}).get("groups", []) for r in g["rules"]]
    check("monitoring-on", names == ALERTS, "alerts: " + ", ".join(names))
    with open(os.path.join(work, "rendered-rules-defaults.yaml"), "w") as f:
        yaml.safe_dump(pr["spec"] if pr else {}, f)
    cm = [d for d in of_kind(docs, "ConfigMap") if (d["metadata"].get("labels") or {}).get("grafana_dashboard") == "1"]
    if cm:
        with open(os.path.join(chart, "dashboards/alb-asyncjob-operator.json")) as f:
            want_dash = json.load(f)
        got_dash = json.loads(cm[0]["data"]["alb-asyncjob-operator.json"])
        check("monitoring-on", got_dash == want_dash, "dashboard ConfigMap holds dashboards/alb-asyncjob-operator.json")
if "monitoring-thresholds" in deps:
    pr = one(deps["monitoring-thresholds"][0], "PrometheusRule")
    exprs = {r["alert"]: r["expr"] for g in pr["spec"]["groups"] for r in g["rules"]}
    labels = [r.get("labels", {}) for g in pr["spec"]["groups"] for r in g["rules"]]
    check("monitoring-thresholds", "> 45 * 60" in exprs["AlbAsyncJobStuck"] and "30 * 60" not in exprs["AlbAsyncJobStuck"],
          "stuckJobMinutes=45 -> AlbAsyncJobStuck '> 45 * 60'")
    check("monitoring-thresholds", "> 20 * 60" in exprs["AlbAsyncJobPollingStale"] and "10 * 60" not in exprs["AlbAsyncJobPollingStale"],
          "stalePollMinutes=20 -> AlbAsyncJobPollingStale '> 20 * 60'")
    check("monitoring-thresholds", "> 0.35" in exprs["AlbAsyncJobThrottling"] and "> 0.2" not in exprs["AlbAsyncJobThrottling"],
          "throttlingRatio=0.35 -> AlbAsyncJobThrottling '> 0.35'")
    check("monitoring-thresholds", 'job="my-scrape-job"' in exprs["AlbAsyncJobOperatorDown"],
          "operatorJob -> AlbAsyncJobOperatorDown job=\"my-scrape-job\"")
    check("monitoring-thresholds", all(l.get("team") == "platform" and l.get("severity") for l in labels),
          "alertLabels added to every alert, severity kept")
    with open(os.path.join(work, "rendered-rules-thresholds.yaml"), "w") as f:
        yaml.safe_dump(pr["spec"], f)
if "network-policy" in deps:
    docs = deps["network-policy"][0]
    np = one(docs, "NetworkPolicy")
    port = deps["network-policy"][1]["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"]
    ing = np["spec"].get("ingress", [])
    egress_ports = {(p.get("port"), p.get("protocol", "TCP")) for r in np["spec"].get("egress", []) for p in r.get("ports", [])}
    check("network-policy", sorted(np["spec"]["policyTypes"]) == ["Egress", "Ingress"]
          and len(ing) == 1 and [(p["port"], p.get("protocol")) for p in ing[0]["ports"]] == [(port, "TCP")],
          "NetworkPolicy: ingress only to the metrics port")
    check("network-policy", {(53, "UDP"), (53, "TCP"), (443, "TCP"), (6443, "TCP")} <= egress_ports,
          "NetworkPolicy: egress DNS, API server (443/6443), HTTPS")

# Dashboard queries, as recording rules for promtool (variables replaced by plain values).
with open(os.path.join(chart, "dashboards/alb-asyncjob-operator.json")) as f:
    dash = json.load(f)
exprs = []
def walk(panels):
    for p in panels:
        for t in p.get("targets", []):
            exprs.append(t["expr"])
        walk(p.get("panels", []))
walk(dash["panels"])
subst = {"$__rate_interval": "5m", "$__range": "1h", "$namespace": ".*", "$watch": ".*"}
rules = []
for i, e in enumerate(exprs):
    for k, v in subst.items():
        e = e.replace(k, v)
    rules.append({"record": f"dashboard:query_{i}", "expr": e})
with open(os.path.join(work, "dashboard-queries.yaml"), "w") as f:
    yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, f)
tvars = {v["name"]: v for v in dash["templating"]["list"]}
check("dashboard", tvars.get("datasource", {}).get("type") == "datasource" and tvars["datasource"].get("query") == "prometheus"
      and "namespace" in tvars and "watch" in tvars and 36 <= dash.get("schemaVersion", 0) <= 41,
      f"dashboard: datasource/namespace/watch variables, schemaVersion {dash.get('schemaVersion')}, {len(exprs)} queries")
check("dashboard", all(t.get("datasource", {}).get("uid") == "${datasource}" for p in dash["panels"] for t in p.get("targets", [])),
      "every dashboard query uses ${datasource}")

sys.exit(1 if failed else 0)
PYEOF

# --- 4. values that must be refused --------------------------------------------------------------
REFUSED=(
  "replicas without Lease|--set replicaCount=2 --set leaderElection.enabled=false"
  "logFormat not text or json|--set logFormat=xml"
  "allowInsecureEndpoints not a boolean|--set-string alb.allowInsecureEndpoints=yes"
  "ambient namespace not a namespace name|--set ambientCredentials.namespaces={Team_A}"
  "duration without unit|--set-string pollInterval=30"
  "negative replicaCount|--set replicaCount=-1"
  "unknown top-level value|--set pollIntervall=30s"
  "unknown nested value|--set image.repo=x"
  "throttlingRatio above 1|--set prometheusRule.throttlingRatio=1.5"
)
for r in "${REFUSED[@]}"; do
  what=${r%%|*}
  flags=${r##*|}
  # shellcheck disable=SC2086
  if "$HELM" template "$RELEASE" "$CHART" --namespace "$NS" $flags >/dev/null 2>"$WORK/refused.err"; then
    bad "refused: $what ($flags) was accepted"
  else
    ok "refused: $what ($flags): $(grep -oE '(execution error|- ).*' "$WORK/refused.err" | head -1 | cut -c1-110)"
  fi
done

# --- 5. promtool ---------------------------------------------------------------------------------
if [ -z "$PROMTOOL" ]; then
  bad "promtool not found (apt-get install prometheus, or set PROMTOOL)"
else
  run_promtool() {
    local what=$1; shift
    if "$PROMTOOL" "$@" >"$WORK/promtool.out" 2>&1; then
      ok "$what"
    else
      bad "$what: $(tail -n 20 "$WORK/promtool.out")"
    fi
  }
  run_promtool "promtool check rules $CHART/files/alerts.yaml" check rules "$CHART/files/alerts.yaml"
  run_promtool "promtool test rules $CHART/tests/alerts_test.yaml" test rules "$CHART/tests/alerts_test.yaml"
  for f in "$WORK"/rendered-rules-*.yaml; do
    [ -e "$f" ] && run_promtool "promtool check rules (rendered PrometheusRule, $(basename "$f" .yaml | sed 's/rendered-rules-//'))" check rules "$f"
  done
  [ -e "$WORK/dashboard-queries.yaml" ] && run_promtool "promtool: every dashboard query parses" check rules "$WORK/dashboard-queries.yaml"
fi

if [ "$failures" -gt 0 ]; then
  echo "[chart-check] FAILED: see the FAIL lines above"
  exit 1
fi
echo "[chart-check] all checks passed; renders in $OUT"
