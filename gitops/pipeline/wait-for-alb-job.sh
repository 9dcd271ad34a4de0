#!/usr/bin/env bash
# Waits for an Alibaba Cloud ALB async job through alb-asyncjob-operator, for CI pipelines:
# creates (or re-applies) an AsyncJob for the JobId an ALB write call returned, waits until the
# job is Finished and fails the pipeline when ALB reports it Failed.
#
#   wait-for-alb-job.sh JOB_ID REGION_ID NAMESPACE [SECRET_NAME] [TIMEOUT]
#
#   JOB_ID       the JobId an ALB write call returned (e.g. CreateListener)
#   REGION_ID    the job's region, e.g. cn-hangzhou
#   NAMESPACE    namespace of the AsyncJob (and of the credentials Secret)
#   SECRET_NAME  Secret in NAMESPACE with accessKeyId/accessKeySecret[/securityToken] of the
#                account that made the call; empty or "-": the operator's own credentials
#   TIMEOUT      how long to wait, like kubectl: 90s, 10m, 1h30m (default 10m)
#
# Environment: KUBECTL (default kubectl; e.g. "kubectl --context prod"), ALB_ENDPOINT (optional
# spec.endpoint), FAIL_ON_STALLED (default true: stop as soon as the operator reports a problem
# that needs a person, e.g. SecretNotFound, InvalidCredentials or JobNotFound).
#
# Exit status: 0 Succeeded · 1 Failed (ALB's error code and message printed) · 2 usage ·
# 3 Stalled (the operator's message printed) · 4 timed out · 5 kubectl failed.
# It never reads the Secret and prints nothing from it: only its name goes into the AsyncJob.
set -euo pipefail

usage() {
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 3 && $# -le 5 ]] || usage
job_id=$1
region_id=$2
namespace=$3
secret_name=${4:-}
[[ "$secret_name" == "-" ]] && secret_name=""
timeout=${5:-10m}
read -r -a kubectl <<<"${KUBECTL:-kubectl}"
fail_on_stalled=${FAIL_ON_STALLED:-true}

die() {
  echo "wait-for-alb-job: $2" >&2
  exit "$1"
}

# The same limits the CRD enforces, so a typo fails here with a clear message.
[[ ${#job_id} -le 128 && "$job_id" =~ ^[!-~]+$ ]] || die 2 "JOB_ID must be 1-128 printable ASCII characters without spaces"
[[ "$region_id" =~ ^[a-z]{2,4}(-[a-z0-9]+){1,3}$ ]] || die 2 "REGION_ID '$region_id' does not look like an Alibaba Cloud region (e.g. cn-hangzhou)"
[[ "$namespace" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ && ${#namespace} -le 63 ]] || die 2 "NAMESPACE '$namespace' is not a valid namespace name"
if [[ -n "$secret_name" && ! ( "$secret_name" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ && ${#secret_name} -le 253 ) ]]; then
  die 2 "SECRET_NAME '$secret_name' is not a valid Secret name"
fi
if [[ ! "$timeout" =~ ^([0-9]+h)?([0-9]+m)?([0-9]+s)?$ || -z "$timeout" ]]; then
  die 2 "TIMEOUT '$timeout' must look like 90s, 10m or 1h30m"
fi
timeout_seconds=0
[[ "$timeout" =~ ([0-9]+)h ]] && timeout_seconds=$((timeout_seconds + 10#${BASH_REMATCH[1]} * 3600))
[[ "$timeout" =~ ([0-9]+)m ]] && timeout_seconds=$((timeout_seconds + 10#${BASH_REMATCH[1]} * 60))
[[ "$timeout" =~ ([0-9]+)s ]] && timeout_seconds=$((timeout_seconds + 10#${BASH_REMATCH[1]}))
((timeout_seconds > 0)) || die 2 "TIMEOUT must be longer than 0s"

# The AsyncJob name the operator itself uses for this JobId (JobNames.forJobId), so that a watch
# that also sees the job finds this object instead of creating a second one.
job_name() {
  local id=$1 lower
  lower=$(printf '%s' "$id" | tr '[:upper:]' '[:lower:]')
  if [[ "$id" == "$(printf '%s' "$id" | tr '[:lower:]' '[:upper:]')" && ${#lower} -le 253 &&
        "$lower" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ ]]; then
    printf '%s\n' "$lower"
    return
  fi
  local hash sanitised
  hash=$(printf '%s' "$id" | sha256sum | cut -c1-10)
  sanitised=$(printf '%s' "$lower" | LC_ALL=C sed -E 's/[^a-z0-9-]+/-/g; s/-{2,}/-/g; s/^-+//; s/-+$//')
  sanitised=${sanitised:0:242}
  sanitised=$(printf '%s' "$sanitised" | sed -E 's/-+$//')
  if [[ -z "$sanitised" ]]; then
    printf 'job-%s\n' "$hash"
  else
    printf '%s-%s\n' "$sanitised" "$hash"
  fi
}

json_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

name=$(job_name "$job_id")

spec="\"jobId\": $(json_string "$job_id"), \"regionId\": $(json_string "$region_id")"
[[ -n "$secret_name" ]] && spec+=", \"credentialsSecretRef\": {\"name\": $(json_string "$secret_name")}"
[[ -n "${ALB_ENDPOINT:-}" ]] && spec+=", \"endpoint\": $(json_string "$ALB_ENDPOINT")"
# A new albjobs.io/poll-now value makes the operator look at once, also when this JobId was
# applied before and is Stalled (JobNotFound): re-running the pipeline retries it.
manifest="{\"apiVersion\": \"albjobs.io/v1alpha1\", \"kind\": \"AsyncJob\",
 \"metadata\": {\"name\": $(json_string "$name"), \"namespace\": $(json_string "$namespace"),
  \"annotations\": {\"albjobs.io/poll-now\": \"$(date -u +%Y%m%dT%H%M%SZ)-$$\"}},
 \"spec\": {$spec}}"

echo "wait-for-alb-job: ALB job $job_id -> asyncjob/$name in namespace $namespace (timeout $timeout)"
if ! printf '%s\n' "$manifest" | "${kubectl[@]}" apply -f - >/dev/null; then
  die 5 "kubectl apply of asyncjob/$name failed"
fi

field() {
  "${kubectl[@]}" get asyncjob "$name" -n "$namespace" -o "jsonpath=$1" 2>/dev/null || true
}

deadline=$((SECONDS + timeout_seconds))
last_phase=""
while :; do
  remaining=$((deadline - SECONDS))
  ((remaining > 0)) || break
  slice=$((remaining < 15 ? remaining : 15))
  if "${kubectl[@]}" wait "asyncjob/$name" -n "$namespace" --for=condition=Finished \
      "--timeout=${slice}s" >/dev/null 2>&1; then
    break
  fi
  phase=$(field '{.status.phase}')
  if [[ -n "$phase" && "$phase" != "$last_phase" ]]; then
    echo "wait-for-alb-job: phase $phase"
    last_phase=$phase
  fi
  stalled=$(field '{.status.conditions[?(@.type=="Stalled")].status}')
  if [[ "$fail_on_stalled" == "true" && "$stalled" == "True" && "$phase" != "Failed" && "$phase" != "Succeeded" ]]; then
    reason=$(field '{.status.conditions[?(@.type=="Stalled")].reason}')
    message=$(field '{.status.conditions[?(@.type=="Stalled")].message}')
    die 3 "ALB job $job_id is stalled ($reason): $message"
  fi
done

finished=$(field '{.status.conditions[?(@.type=="Finished")].status}')
if [[ "$finished" != "True" ]]; then
  die 4 "ALB job $job_id did not finish within $timeout (phase ${last_phase:-unknown}); see: ${kubectl[*]} describe asyncjob $name -n $namespace"
fi

phase=$(field '{.status.phase}')
api=$(field '{.status.apiName}')
resource=$(field '{.status.resourceId}')
completed=$(field '{.status.completionTime}')
case "$phase" in
  Succeeded)
    echo "wait-for-alb-job: ALB job $job_id ($api on $resource) succeeded at $completed"
    ;;
  Failed)
    code=$(field '{.status.errorCode}')
    message=$(field '{.status.errorMessage}')
    die 1 "ALB job $job_id ($api on $resource) failed at $completed: $code${message:+: $message}"
    ;;
  *)
    die 5 "asyncjob/$name is Finished but its phase is '$phase'"
    ;;
esac
