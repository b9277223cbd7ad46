#!/usr/bin/env bash
# Builds the pinned upstream Kubernetes components from their Go modules into
# ~/.cache/govcloud/testenv/<component>-<version>-<gosum>/bin, skipping those
# already there.
#
#   testenv/build.sh            build whatever is missing (all components)
#   testenv/build.sh kube etcd  build only these components
#   testenv/build.sh network-policy-api
#                               fetch only the network-policy API's CRD YAML
#   testenv/build.sh regen      regenerate testenv/*/go.mod and go.sum from versions.env
#
# Only `regen` needs network access beyond the Go module proxy; `build` is what
# tests and CI call.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

log() { printf '[testenv build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    log "error: the Go toolchain is not on PATH; install Go >= 1.26 (https://go.dev/doc/install) and retry"
    exit 1
  fi
}

# --- regen: derive the kube module's replace list from upstream's go.mod -----
regen_kube() {
  local dir="$TESTENV_DIR/kube" minor upstream
  minor="v0.${KUBE_VERSION#v1.}"
  rm -f "$dir/go.mod" "$dir/go.sum"
  (cd "$dir" && go mod init govcloud.local/testenv/kube >/dev/null 2>&1)
  upstream="$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')"
  local args=(-require "k8s.io/kubernetes@$KUBE_VERSION")
  local staging
  # Every `k8s.io/X => ./staging/src/k8s.io/X` upstream becomes `k8s.io/X => k8s.io/X v0.Y.Z`.
  for staging in $(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' "$upstream"); do
    args+=(-replace "$staging=$staging@$minor")
  done
  (cd "$dir" && go mod edit "${args[@]}" \
      -tool k8s.io/kubernetes/cmd/kube-apiserver \
      -tool k8s.io/kubernetes/cmd/kube-controller-manager \
      -tool k8s.io/kubernetes/cmd/kube-scheduler \
      -tool k8s.io/kubernetes/cmd/kubectl \
    && go mod tidy)
}

regen_simple() { # component module version tool...
  local c="$1" mod="$2" ver="$3"; shift 3
  local dir="$TESTENV_DIR/$c"
  rm -f "$dir/go.mod" "$dir/go.sum"
  (cd "$dir" && go mod init "govcloud.local/testenv/$c" >/dev/null 2>&1 \
    && go mod edit -require "$mod@$ver" && for t in "$@"; do go mod edit -tool "$t"; done \
    && go mod tidy)
}

regen() {
  need_go
  log "regenerating go.mod/go.sum for kube $KUBE_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION, helm $HELM_VERSION, metrics-server $METRICS_SERVER_VERSION"
  regen_kube
  regen_simple etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  regen_simple kwok sigs.k8s.io/kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok
  regen_simple helm helm.sh/helm/v4 "$HELM_VERSION" helm.sh/helm/v4/cmd/helm
  regen_simple metrics-server sigs.k8s.io/metrics-server "$METRICS_SERVER_VERSION" sigs.k8s.io/metrics-server/cmd/metrics-server
  regen_network_policy_api
  log "done; commit testenv/*/go.mod and go.sum"
}

# A module with nothing to build: required (no tidy, which would drop it) and
# its go.sum lines written by the download.
regen_network_policy_api() {
  local dir="$TESTENV_DIR/network-policy-api"
  rm -f "$dir/go.mod" "$dir/go.sum"
  (cd "$dir" && go mod init govcloud.local/testenv/network-policy-api >/dev/null 2>&1 \
    && go mod edit -go=1.26.0 -require "$NETWORK_POLICY_API_MODULE@$NETWORK_POLICY_API_VERSION" \
    && go mod download "$NETWORK_POLICY_API_MODULE")
}

# --- network-policy API: the CRD YAML, from the pinned module ---------------
fetch_network_policy_api() {
  local out src
  out="$(network_policy_api_crd)"
  if [[ -s "$out" ]]; then
    log "network-policy-api $NETWORK_POLICY_API_VERSION: cached in $out"
    return 0
  fi
  need_go
  log "fetching $NETWORK_POLICY_API_MODULE@$NETWORK_POLICY_API_VERSION (Go module proxy, checked against testenv/network-policy-api/go.sum)"
  src="$(cd "$TESTENV_DIR/network-policy-api" && GOFLAGS=-mod=mod go mod download -json "$NETWORK_POLICY_API_MODULE" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
  [[ -n "$src" && -s "$src/$NETWORK_POLICY_API_CRD_PATH" ]] ||
    { log "error: $NETWORK_POLICY_API_MODULE@$NETWORK_POLICY_API_VERSION has no $NETWORK_POLICY_API_CRD_PATH"; exit 1; }
  mkdir -p "$(dirname "$out")"
  cp "$src/$NETWORK_POLICY_API_CRD_PATH" "$out.tmp"
  chmod 0644 "$out.tmp"
  mv "$out.tmp" "$out"
  log "cached the ClusterNetworkPolicy CRD in $out"
}

# --- build ------------------------------------------------------------------
ldflags_for() {
  case "$1" in
    kube)
      local major minor pkg
      major="${KUBE_VERSION#v}"; major="${major%%.*}"
      minor="${KUBE_VERSION#v*.}"; minor="${minor%%.*}"
      local flags="-s -w"
      for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        flags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
        flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
      done
      echo "$flags" ;;
    kwok) echo "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" ;;
    helm) echo "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" ;;
    metrics-server) echo "-s -w -X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION -X k8s.io/component-base/version.gitVersion=$METRICS_SERVER_VERSION" ;;
    *) echo "-s -w" ;;
  esac
}

package_for() { # component binary -> Go package path
  case "$1/$2" in
    kube/*) echo "k8s.io/kubernetes/cmd/$2" ;;
    etcd/etcd) echo "." ;;
    kwok/kwok) echo "sigs.k8s.io/kwok/cmd/kwok" ;;
    helm/helm) echo "helm.sh/helm/v4/cmd/helm" ;;
    metrics-server/metrics-server) echo "sigs.k8s.io/metrics-server/cmd/metrics-server" ;;
  esac
}

build_component() {
  local c="$1" out b missing=()
  out="$(component_dir "$c")"
  for b in $(component_binaries "$c"); do
    [[ -x "$out/bin/$b" ]] || missing+=("$b")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "$c $(component_version "$c"): cached in $out"
    return 0
  fi
  need_go
  mkdir -p "$out/bin"
  for b in "${missing[@]}"; do
    local start=$SECONDS
    log "building $b ($c $(component_version "$c")); the first build of kube components takes several minutes each on 2 cores"
    (cd "$TESTENV_DIR/$c" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath \
        -ldflags "$(ldflags_for "$c")" -o "$out/bin/$b.tmp" "$(package_for "$c" "$b")")
    mv "$out/bin/$b.tmp" "$out/bin/$b"
    log "built $b in $((SECONDS - start))s -> $out/bin/$b"
  done
}

main() {
  if [[ "${1:-}" == "regen" ]]; then regen; exit 0; fi
  local comps=("$@")
  [[ ${#comps[@]} -gt 0 ]] || read -r -a comps <<<"$COMPONENTS"
  [[ $# -gt 0 ]] || comps+=(network-policy-api)
  for c in "${comps[@]}"; do
    if [[ "$c" == network-policy-api ]]; then fetch_network_policy_api; else build_component "$c"; fi
  done
}
main "$@"
