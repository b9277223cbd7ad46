# Shared by build.sh and testenv: where each pinned component lives in the cache.
# shellcheck shell=bash
TESTENV_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$TESTENV_DIR/versions.env"
GOVCLOUD_CACHE="${GOVCLOUD_CACHE:-$HOME/.cache/govcloud}"

# component -> version
component_version() {
  case "$1" in
    kube) echo "$KUBE_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    kwok) echo "$KWOK_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    metrics-server) echo "$METRICS_SERVER_VERSION" ;;
    *) echo "unknown component $1" >&2; return 1 ;;
  esac
}

# The cache key includes the go.sum hash, so a changed dependency set rebuilds.
component_dir() {
  local c="$1" v sum
  v="$(component_version "$c")"
  sum="$(cat "$TESTENV_DIR/$c/go.mod" "$TESTENV_DIR/$c/go.sum" 2>/dev/null | sha256sum | cut -c1-12)"
  echo "$GOVCLOUD_CACHE/testenv/$c-$v-$sum"
}

component_binaries() {
  case "$1" in
    kube) echo "kube-apiserver kube-controller-manager kube-scheduler kubectl" ;;
    etcd) echo "etcd" ;;
    kwok) echo "kwok" ;;
    helm) echo "helm" ;;
    metrics-server) echo "metrics-server" ;;
  esac
}

COMPONENTS="etcd kube kwok helm metrics-server"

# binary name -> absolute path in the cache (may not exist yet)
binary_path() {
  local b="$1" c
  for c in $COMPONENTS; do
    if [[ " $(component_binaries "$c") " == *" $b "* ]]; then
      echo "$(component_dir "$c")/bin/$b"
      return 0
    fi
  done
  echo "unknown binary $b" >&2
  return 1
}

# The network-policy API: not a binary, the CRD YAML of its standard channel,
# fetched with the Go toolchain (testenv/network-policy-api/go.mod pins it)
# and cached here.
NETWORK_POLICY_API_MODULE=sigs.k8s.io/network-policy-api
NETWORK_POLICY_API_CRD_PATH=config/crd/standard/policy.networking.k8s.io_clusternetworkpolicies.yaml
network_policy_api_crd() { # -> path of the cached CRD YAML (may not exist yet)
  echo "$GOVCLOUD_CACHE/testenv/network-policy-api-$NETWORK_POLICY_API_VERSION/$(basename "$NETWORK_POLICY_API_CRD_PATH")"
}

# The dataplane's host-side address (its bridge, testenv/dataplane/README.md)
# for a control plane on port base $1: one /24 per port base, so two
# dataplanes on one machine do not share a bridge or addresses. With
# --dataplane the API server advertises it (the `default/kubernetes`
# Service's endpoint), and the dataplane forwards it to 127.0.0.1.
dataplane_slot() { echo $((($1 / 10) % 256)); }
dataplane_gateway() { echo "10.250.$(dataplane_slot "$1").1"; }
