#!/usr/bin/env bash
# Tests wait-for-alb-job.sh against a stub kubectl that plays the operator's answers (no cluster).
# Last line: "N passed, M failed"; exit status 1 if anything failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="$here/wait-for-alb-job.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The stub records every call and the applied manifest, and answers `get -o jsonpath=` from the
# scenario in $STUB_SCENARIO the way the operator's status would.
cat >"$work/kubectl" <<'STUB'
#!/usr/bin/env bash
echo "$*" >>"$STUB_DIR/calls"
case "$1" in
  apply)
    cat >"$STUB_DIR/applied.json"
    [[ "$STUB_SCENARIO" == apply-fails ]] && { echo "error: the server could not find the requested resource" >&2; exit 1; }
    exit 0 ;;
  wait)
    case "$STUB_SCENARIO" in
      succeeded|failed) exit 0 ;;
      *) sleep 1; echo "error: timed out waiting for the condition" >&2; exit 1 ;;
    esac ;;
  get)
    expr=""
    for a in "$@"; do [[ "$a" == jsonpath=* ]] && expr=${a#jsonpath=}; done
    case "$STUB_SCENARIO:$expr" in
      succeeded:'{.status.phase}') echo -n Succeeded ;;
      failed:'{.status.phase}') echo -n Failed ;;
      stalled:'{.status.phase}'|timeout:'{.status.phase}') echo -n Pending ;;
      succeeded:*Finished*|failed:*Finished*) echo -n True ;;
      stalled:*Finished*|timeout:*Finished*) echo -n False ;;
      stalled:*Stalled*'].status}') echo -n True ;;
      stalled:*Stalled*'].reason}') echo -n SecretNotFound ;;
      stalled:*Stalled*'].message}') echo -n "Secret alb-credentials in namespace team-a not found; create it with keys accessKeyId and accessKeySecret" ;;
      timeout:*Stalled*'].status}') echo -n False ;;
      *:'{.status.apiName}') echo -n CreateListener ;;
      *:'{.status.resourceId}') echo -n alb-o8mszt95oamfjy1234 ;;
      *:'{.status.completionTime}') echo -n 2026-11-27T10:00:30Z ;;
      failed:'{.status.errorCode}') echo -n QuotaExceeded.Listener ;;
      failed:'{.status.errorMessage}') echo -n "The number of listeners on load balancer alb-o8mszt95oamfjy1234 exceeds the quota." ;;
    esac
    exit 0 ;;
esac
echo "stub kubectl: unexpected call: $*" >&2
exit 99
STUB
chmod +x "$work/kubectl"

passed=0
failed=0
check() { # name condition-result detail
  if [[ "$2" == 0 ]]; then
    passed=$((passed + 1)); echo "ok    $1"
  else
    failed=$((failed + 1)); echo "FAIL  $1: $3"
  fi
}

# run SCENARIO ARGS... -> sets rc, out (stdout+stderr), manifest
run() {
  local scenario=$1; shift
  rm -f "$work/calls" "$work/applied.json"
  out=$(STUB_DIR="$work" STUB_SCENARIO="$scenario" KUBECTL="$work/kubectl" bash "$script" "$@" 2>&1)
  rc=$?
  manifest=$(cat "$work/applied.json" 2>/dev/null || true)
}

json() { # python expression over the applied manifest `m`
  python3 -c 'import json,sys; m=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1" <<<"$manifest" 2>&1
}

ID=365F4154-92F6-4AE4-92F8-7FF34B5C1D2E

run succeeded "$ID" cn-hangzhou team-a alb-credentials 2m
check "succeeded: exit 0" $((rc != 0)) "rc=$rc out=$out"
check "succeeded: says so" "$([[ "$out" == *"$ID (CreateListener on alb-o8mszt95oamfjy1234) succeeded at 2026-11-27T10:00:30Z"* ]]; echo $?)" "$out"
check "manifest: operator's name for the JobId" "$([[ "$(json "m['metadata']['name']")" == 365f4154-92f6-4ae4-92f8-7ff34b5c1d2e ]]; echo $?)" "$manifest"
check "manifest: spec" "$([[ "$(json "(m['kind'], m['spec'])")" == "('AsyncJob', {'jobId': '$ID', 'regionId': 'cn-hangzhou', 'credentialsSecretRef': {'name': 'alb-credentials'}})" ]]; echo $?)" "$manifest"
check "manifest: poll-now annotation" "$([[ -n "$(json "m['metadata']['annotations']['albjobs.io/poll-now']")" ]]; echo $?)" "$manifest"
check "waits with kubectl wait --for=condition=Finished" "$(grep -q -- "wait asyncjob/365f4154-92f6-4ae4-92f8-7ff34b5c1d2e -n team-a --for=condition=Finished" "$work/calls"; echo $?)" "$(cat "$work/calls")"
check "never touches Secrets" "$(! grep -qi 'secret' <(grep -v '^apply' "$work/calls"); echo $?)" "$(cat "$work/calls")"

run failed "$ID" cn-hangzhou team-a alb-credentials 2m
check "failed: exit 1" $((rc != 1)) "rc=$rc out=$out"
check "failed: prints the ALB error" "$([[ "$out" == *"failed at 2026-11-27T10:00:30Z: QuotaExceeded.Listener: The number of listeners on load balancer alb-o8mszt95oamfjy1234 exceeds the quota."* ]]; echo $?)" "$out"

run stalled "$ID" cn-hangzhou team-a alb-credentials 1m
check "stalled: exit 3" $((rc != 3)) "rc=$rc out=$out"
check "stalled: prints the operator's message" "$([[ "$out" == *"stalled (SecretNotFound): Secret alb-credentials in namespace team-a not found"* ]]; echo $?)" "$out"

run timeout "$ID" cn-hangzhou team-a - 2s
check "timeout: exit 4" $((rc != 4)) "rc=$rc out=$out"
check "no secret given: no credentialsSecretRef" "$([[ "$(json "'credentialsSecretRef' in m['spec']")" == False ]]; echo $?)" "$manifest"

run apply-fails "$ID" cn-hangzhou team-a
check "kubectl apply fails: exit 5" $((rc != 5)) "rc=$rc out=$out"

run succeeded 'job_Abc/1"2' cn-hangzhou team-a "" 1m
check "odd JobId: sanitised name + hash (as JobNames.forJobId)" "$([[ "$(json "m['metadata']['name']")" == job-abc-1-2-d9cb9b87a5 ]]; echo $?)" "$manifest"
check "odd JobId: JSON-escaped, exact in spec.jobId" "$([[ "$(json "m['spec']['jobId']")" == 'job_Abc/1"2' ]]; echo $?)" "$manifest"

run succeeded "$ID" cn-hangzhou
check "usage: too few arguments -> exit 2" $((rc != 2)) "rc=$rc"
run succeeded "$ID" hangzhou team-a
check "usage: bad region -> exit 2" $((rc != 2)) "rc=$rc"
run succeeded "$ID" cn-hangzhou team-a alb-credentials 10min
check "usage: bad timeout -> exit 2" $((rc != 2)) "rc=$rc"
run succeeded "$ID" cn-hangzhou Team_A
check "usage: bad namespace -> exit 2" $((rc != 2)) "rc=$rc"

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
