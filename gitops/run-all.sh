#!/usr/bin/env bash
# Runs every GitOps check of the repo (what CI calls):
#   1. Argo CD health checks (Lua 5.1, Argo CD's sandbox) + argocd-cm.yaml drift  gitops/argocd/run-tests.lua
#   2. the CI pipeline script against a stub kubectl                              gitops/pipeline/test-wait-for-alb-job.sh
#   3. kstatus (sigs.k8s.io/cli-utils) and Flux healthCheckExprs (Flux's CEL)    gitops/kstatus (go test)
# Installs lua5.1 + lua-cjson (apt) and PyYAML (pip) when missing. Needs Go >= 1.26 on PATH.
# Prints one summary line per suite and "gitops: N passed, M failed" last; exits 1 on any failure.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

as_root() {
  if [[ $(id -u) == 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi
}

if ! command -v lua5.1 >/dev/null || ! lua5.1 -e 'require("cjson")' >/dev/null 2>&1; then
  echo "run-all: installing lua5.1 and lua-cjson"
  as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lua5.1 lua-cjson >/dev/null
fi
if ! python3 -c 'import yaml' >/dev/null 2>&1; then
  echo "run-all: installing PyYAML"
  python3 -m pip install --quiet pyyaml
fi

total_passed=0
total_failed=0
summary=()

# suite NAME COMMAND... : runs it, shows its output, takes the counts from its
# "N passed, M failed" line (or from go test -v's --- PASS/--- FAIL lines).
suite() {
  local name=$1; shift
  local log="$logs/$name.log" start end rc passed failed
  start=$(date +%s.%N)
  "$@" >"$log" 2>&1
  rc=$?
  end=$(date +%s.%N)
  cat "$log"
  if [[ "$name" == go-kstatus ]]; then
    passed=$(grep -cE '^\s*--- PASS' "$log")
    failed=$(grep -cE '^\s*--- FAIL' "$log")
  else
    read -r passed failed < <(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$log" | tail -n 1)
    passed=${passed:-0}
    failed=${failed:-0}
  fi
  if [[ $rc != 0 && $failed == 0 ]]; then
    failed=1  # crashed or could not build: count the suite itself as one failure
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  summary+=("$(printf '%-18s %4d passed, %d failed  (%.1fs, exit %d)' "$name" "$passed" "$failed" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$rc")")
}

suite argocd-lua lua5.1 "$here/argocd/run-tests.lua"
suite pipeline bash "$here/pipeline/test-wait-for-alb-job.sh"
if command -v go >/dev/null; then
  suite go-kstatus bash -c "cd '$here/kstatus' && go test -count=1 -v ./..."
else
  summary+=("go-kstatus         go is not on PATH")
  total_failed=$((total_failed + 1))
fi

echo
echo "== gitops summary"
printf '%s\n' "${summary[@]}"
echo "gitops: $total_passed passed, $total_failed failed"
[[ $total_failed == 0 ]]
