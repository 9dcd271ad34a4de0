# Shared by scripts/container-e2e and scripts/cluster-e2e (sourced, not run): a loopback
# etcd + kube-apiserver like the ITs' ControlPlane, the ALB simulator as a process, and polling
# helpers with deadlines. Callers set E2E_NAME (log prefix) and WORK (a private temp directory).

e2e_log() { printf '[%s] %s\n' "${E2E_NAME:-e2e}" "$*" >&2; }
e2e_die() {
  printf '[%s] FAILED: %s\n' "${E2E_NAME:-e2e}" "$*" >&2
  exit 1
}
e2e_now() { date +%s; }

e2e_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# e2e_wait DESCRIPTION SECONDS COMMAND...: runs COMMAND every second until it succeeds.
e2e_wait() {
  local what="$1" secs="$2" deadline
  shift 2
  deadline=$(($(e2e_now) + secs))
  until "$@" > /dev/null 2>&1; do
    [ "$(e2e_now)" -lt "$deadline" ] || {
      e2e_log "timed out after ${secs}s waiting for: $what"
      return 1
    }
    sleep 1
  done
}

# e2e_stop_pid PID: SIGTERM, up to 20 s, then SIGKILL.
e2e_stop_pid() {
  local pid="$1"
  [ -n "$pid" ] || return 0
  kill "$pid" 2> /dev/null || return 0
  for _ in $(seq 1 40); do
    case "$(awk '{print $3}' "/proc/$pid/stat" 2> /dev/null)" in "" | Z) break ;; esac
    sleep 0.5
  done
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

# e2e_start_control_plane [extra kube-apiserver flags...]: etcd + kube-apiserver on loopback (the
# extra flags come last and win, e.g. --endpoint-reconciler-type=lease on a non-loopback address).
# Sets API_PORT, API_URL, API_CA, ADMIN_KUBECONFIG, ETCD_PID, API_PID. ADVERTISE (default
# 127.0.0.1) and BIND (default 127.0.0.1) place the API server elsewhere (the node of
# scripts/cluster-e2e).
e2e_start_control_plane() {
  local etcd_port peer_port
  etcd_port="$(e2e_free_port)"
  peer_port="$(e2e_free_port)"
  API_PORT="${API_PORT:-$(e2e_free_port)}"
  mkdir -p "$WORK/pki"
  openssl genrsa -out "$WORK/pki/sa.key" 2048 2> /dev/null
  openssl rsa -in "$WORK/pki/sa.key" -pubout -out "$WORK/pki/sa.pub" 2> /dev/null
  echo "e2e-admin-token,e2e-admin,e2e-admin-uid,system:masters" > "$WORK/pki/tokens.csv"
  "$ETCD" --name e2e --data-dir "$WORK/etcd" --unsafe-no-fsync --log-level warn \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "e2e=http://127.0.0.1:$peer_port" > "$WORK/etcd.log" 2>&1 &
  ETCD_PID=$!
  e2e_wait "etcd on :$etcd_port" 60 bash -c "exec 3<> /dev/tcp/127.0.0.1/$etcd_port" || e2e_die "etcd did not start: $(tail -5 "$WORK/etcd.log")"
  "$KUBE_APISERVER" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address "${BIND:-127.0.0.1}" --advertise-address "${ADVERTISE:-127.0.0.1}" --secure-port "$API_PORT" \
    --cert-dir "$WORK/pki/apiserver" \
    --authorization-mode Node,RBAC --token-auth-file "$WORK/pki/tokens.csv" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$WORK/pki/sa.pub" --service-account-signing-key-file "$WORK/pki/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 --allow-privileged=true --profiling=false \
    --endpoint-reconciler-type none \
    "$@" > "$WORK/apiserver.log" 2>&1 &
  API_PID=$!
  API_URL="https://${ADVERTISE:-127.0.0.1}:$API_PORT"
  API_CA="$WORK/pki/apiserver/apiserver.crt"
  ADMIN_KUBECONFIG="$WORK/admin.kubeconfig"
  e2e_wait "kube-apiserver serving certificate" 120 test -s "$API_CA" \
    || e2e_die "kube-apiserver wrote no certificate: $(tail -20 "$WORK/apiserver.log")"
  e2e_kubeconfig "$ADMIN_KUBECONFIG" "$API_URL" "$API_CA" e2e-admin-token
  e2e_wait "kube-apiserver /readyz" 180 bash -c "[ \"\$('$KUBECTL' --kubeconfig '$ADMIN_KUBECONFIG' get --raw /readyz 2>/dev/null)\" = ok ]" \
    || e2e_die "kube-apiserver not ready: $(tail -20 "$WORK/apiserver.log")"
}

# e2e_kubeconfig FILE SERVER CA_FILE TOKEN: a kubeconfig with the CA inline (usable anywhere).
e2e_kubeconfig() {
  local file="$1" server="$2" ca="$3" token="$4"
  cat > "$file" << EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 < "$ca")
users:
- name: e2e
  user:
    token: $token
contexts:
- name: e2e
  context: {cluster: e2e, user: e2e}
current-context: e2e
EOF
  chmod 0600 "$file"
}

e2e_stop_control_plane() {
  e2e_stop_pid "${API_PID:-}" # the API server first: it hangs in shutdown when etcd is gone
  e2e_stop_pid "${ETCD_PID:-}"
}

# e2e_start_sim: the ALB simulator (operator jar + test classes) serving the demo scenario on
# loopback. Sets SIM_PID, SIM_ENDPOINT (http://127.0.0.1:<port>), SIM_PORT.
e2e_start_sim() {
  local cp="operator/target/alb-asyncjob-operator.jar:simulator/target/classes"
  [ -f simulator/target/classes/io/albjobs/simulator/SimServer.class ] \
    || e2e_die "simulator/target/classes has no SimServer (run mvn -DskipTests package)"
  java -cp "$cp" io.albjobs.simulator.SimServer ${SIM_PORT:+--port=$SIM_PORT} > "$WORK/sim.out" 2> "$WORK/sim.log" &
  SIM_PID=$!
  e2e_wait "ALB simulator" 60 grep -q '^endpoint=' "$WORK/sim.out" || e2e_die "simulator did not start: $(tail -5 "$WORK/sim.log")"
  SIM_ENDPOINT="$(sed -n 's/^endpoint=//p' "$WORK/sim.out")"
  SIM_PORT="${SIM_ENDPOINT##*:}"
}

# e2e_operator_flags: flags the image's operator needs against the plain-HTTP simulator on
# loopback (refused by default: plain HTTP and hosts outside ALB's own are a test convenience).
e2e_operator_flags() {
  echo "--allow-insecure-endpoints=true"
  echo "--allowed-endpoint-hosts=127.0.0.1"
}

# e2e_apply_scenario KUBECTL_ARGS... : namespace demo, the simulator's demo key as a Secret, and an
# AsyncJobWatch of the demo scenario's three load balancers against SIM_URL (default SIM_ENDPOINT).
e2e_apply_scenario() {
  "$@" apply -f - > /dev/null << EOF
apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: v1
kind: Secret
metadata: {name: alb-credentials, namespace: demo}
stringData: {accessKeyId: LTAIdemo, accessKeySecret: demo-secret}
---
apiVersion: albjobs.io/v1alpha1
kind: AsyncJobWatch
metadata: {name: demo-lbs, namespace: demo}
spec:
  regionId: cn-hangzhou
  endpoint: ${SIM_URL:-$SIM_ENDPOINT}
  credentialsSecretRef: {name: alb-credentials}
  resourceType: loadbalancer
  resourceIds: [alb-demo1web, alb-demo2api, alb-demo3ops]
  pollInterval: 5s
  activePollInterval: 1s
EOF
}

# e2e_scenario_done KUBECTL_ARGS...: the demo scenario's 10 jobs are mirrored and finished, exactly
# one of them Failed (QuotaExceeded.Listener).
e2e_scenario_done() {
  local phases
  phases="$("$@" get asyncjobs -n demo -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' 2> /dev/null)" || return 1
  [ "$(grep -c . <<< "$phases")" -eq 10 ] && [ "$(grep -c '^Succeeded$' <<< "$phases")" -eq 9 ] \
    && [ "$(grep -c '^Failed$' <<< "$phases")" -eq 1 ]
}
