#!/usr/bin/env bash
# The Helm chart helm/alb-asyncjob-operator: what needs the shell, helm lint or promtool.
#
#   scripts/chart-check.sh
#
# 1. crds/ of the chart are byte-identical copies of crds/ (fix: scripts/sync-chart-crds.sh);
# 2. the chart packages with crds, alerts and dashboard, without tests/;
# 3. `helm lint --strict` for each value combination below (also parses values.schema.json);
# 4. promtool: check rules + test rules of files/alerts.yaml, check rules of the PrometheusRule
#    rendered with default and with changed thresholds, and every dashboard query parses.
# What the chart renders (names, security context, RBAC, env, optional objects, alerts, refused
# values) is checked by the JUnit suites ChartRenderIT, ChartRbacIT and ChartValuesIT
# (mvn verify -Pe2e), which render the same combinations (Combination.java).
# Prints one line per check; exits non-zero if any fails. Idempotent. Needs bash, python3 (standard
# library), helm ($HELM or ~/.cache/alb-asyncjob-operator/env.sh) and promtool (installed with
# apt-get when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/.."
CHART=helm/alb-asyncjob-operator
RELEASE=alb-asyncjob-operator
NS=alb-system
# Changed alert thresholds (combination monitoring-thresholds): linted, and promtool reads the rules.
THRESHOLDS="--set prometheusRule.enabled=true --set prometheusRule.stuckJobMinutes=45 --set prometheusRule.stalePollMinutes=20 --set prometheusRule.throttlingRatio=0.35 --set prometheusRule.operatorJob=my-scrape-job --set prometheusRule.alertLabels.team=platform"

if [ -z "${HELM:-}" ] && [ -f "${ALBJOBS_CACHE:-$HOME/.cache/alb-asyncjob-operator}/env.sh" ]; then
  # shellcheck disable=SC1091
  source "${ALBJOBS_CACHE:-$HOME/.cache/alb-asyncjob-operator}/env.sh"
fi
HELM=${HELM:-$(command -v helm || true)}
if [ -z "$HELM" ] || [ ! -x "$HELM" ]; then
  echo "[chart-check] FAIL no helm: run scripts/provision-k8s.sh or set HELM" >&2
  exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "[chart-check] FAIL no python3 (reads the dashboard queries for promtool)" >&2
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

# --- 2. packaging -------------------------------------------------------------------------------
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

# --- 3. helm lint --strict for each value combination (the names of Combination.java) ------------
# name | helm flags (one string, word-split)
COMBOS=(
  "defaults|"
  "namespaced|--set watchNamespaces={chart-team-a,chart-team-b}"
  "leader-election-ha|--set leaderElection.enabled=true --set replicaCount=2"
  "no-leader-election|--set leaderElection.enabled=false"
  "monitoring-on|--set serviceMonitor.enabled=true --set prometheusRule.enabled=true --set grafanaDashboard.enabled=true"
  "monitoring-off|--set serviceMonitor.enabled=false --set prometheusRule.enabled=false --set grafanaDashboard.enabled=false"
  "monitoring-thresholds|$THRESHOLDS"
  "network-policy|--set networkPolicy.enabled=true"
  "credentials-secret|--set credentials.secretName=alb-credentials"
  "rrsa|--set serviceAccount.annotations.pod-identity\\.alibabacloud\\.com/role-name=alb-asyncjob-operator --set rbac.readSecrets=false"
  "aggregate-roles|--set rbac.aggregateToDefaultRoles=true"
  "tenancy|--set ambientCredentials.releaseNamespace=false --set ambientCredentials.namespaces={ops,platform} --set alb.allowInsecureEndpoints=true --set alb.allowedEndpointHosts={alb-proxy.corp,*.alb.internal}"
  "no-change-tracking|--set changeTracking.enabled=false"
  "settle-tuned|--set settlePeriod=0s --set settleTimeout=30m --set settleMargin=20s --set watchNamespaces={chart-team-a}"
  "everything-on|--set serviceMonitor.enabled=true --set prometheusRule.enabled=true --set grafanaDashboard.enabled=true --set networkPolicy.enabled=true --set credentials.secretName=alb-operator-creds --set credentials.stsEndpoint=https://sts-vpc.cn-hangzhou.aliyuncs.com"
)
for combo in "${COMBOS[@]}"; do
  name=${combo%%|*}
  flags=${combo#*|}
  # shellcheck disable=SC2086
  if "$HELM" lint --strict "$CHART" --namespace "$NS" $flags >"$WORK/lint.out" 2>&1; then
    ok "helm lint --strict [$name]"
  else
    bad "helm lint --strict [$name]: $(grep -E 'ERROR|WARNING|Error' "$WORK/lint.out" | head -5)"
  fi
done

# --- 4a. inputs for promtool: the rendered PrometheusRules' spec, the dashboard queries -------------
# The rules file is the PrometheusRule's spec: the lines under "spec:", two spaces less indented.
render_rules() {
  local name=$1; shift
  if "$HELM" template "$RELEASE" "$CHART" --namespace "$NS" --show-only templates/prometheusrule.yaml "$@" \
      >"$WORK/prometheusrule-$name.yaml" 2>"$WORK/tpl.err"; then
    awk 'f && /^[^ ]/ {f = 0} f {print substr($0, 3)} /^spec:/ {f = 1}' "$WORK/prometheusrule-$name.yaml" \
      >"$WORK/rendered-rules-$name.yaml"
    [ -s "$WORK/rendered-rules-$name.yaml" ] || bad "rendered PrometheusRule [$name] has no spec"
  else
    bad "helm template PrometheusRule [$name]: $(cat "$WORK/tpl.err")"
  fi
}
render_rules defaults --set prometheusRule.enabled=true
# shellcheck disable=SC2086
render_rules thresholds $THRESHOLDS
# Dashboard queries as recording rules (JSON is YAML), Grafana variables replaced by plain values.
if ! python3 - "$CHART/dashboards/alb-asyncjob-operator.json" >"$WORK/dashboard-queries.yaml" 2>"$WORK/dash.err" <<'PYEOF'
import json, sys
with open(sys.argv[1]) as f:
    dash = json.load(f)
exprs = []
def walk(panels):
    for p in panels:
        exprs.extend(t["expr"] for t in p.get("targets", []))
        walk(p.get("panels", []))
walk(dash["panels"])
subst = {"$__rate_interval": "5m", "$__range": "1h", "$namespace": ".*", "$watch": ".*"}
rules = []
for i, e in enumerate(exprs):
    for k, v in subst.items():
        e = e.replace(k, v)
    rules.append({"record": f"dashboard:query_{i}", "expr": e})
json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, sys.stdout, indent=1)
PYEOF
then
  bad "dashboard queries: $(cat "$WORK/dash.err")"
  rm -f "$WORK/dashboard-queries.yaml"
fi

# --- 4b. promtool -------------------------------------------------------------------------------
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
echo "[chart-check] all checks passed"
