#!/usr/bin/env bash
# Builds the pinned kube-router (its network policy controller is the
# dataplane's NetworkPolicy implementation) from its Go module into
# ~/.cache/govcloud/testenv/kube-router-<version>-<gosum>/bin, unless there.
#
#   testenv/dataplane/build.sh          build it if missing; prints its path last
#   testenv/dataplane/build.sh path     only print where it is (or would be)
#
# The module is testenv/kube-router/go.mod (go.sum checked by the Go
# toolchain). Its one replace: kube-router v2.10.0 requires a pseudo-version
# of github.com/vishvananda/netlink that the Go module proxy does not serve
# (403 "This module version is not available"); the replace takes the
# nearest earlier pseudo-version the proxy serves, with which it builds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

KUBE_ROUTER_VERSION=v2.10.0
KUBE_ROUTER_MODULE_DIR="$TESTENV_DIR/kube-router"

kube_router_bin() {
  local sum
  sum="$(cat "$KUBE_ROUTER_MODULE_DIR/go.mod" "$KUBE_ROUTER_MODULE_DIR/go.sum" | sha256sum | cut -c1-12)"
  echo "$GOVCLOUD_CACHE/testenv/kube-router-$KUBE_ROUTER_VERSION-$sum/bin/kube-router"
}

log() { printf '[testenv dataplane build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

main() {
  local bin
  bin="$(kube_router_bin)"
  if [[ "${1:-}" == path ]]; then echo "$bin"; return 0; fi
  if [[ -x "$bin" ]]; then
    log "kube-router $KUBE_ROUTER_VERSION: cached in $bin"
    echo "$bin"
    return 0
  fi
  command -v go >/dev/null 2>&1 ||
    { log "error: the Go toolchain is not on PATH; install Go >= 1.26.2 and retry"; exit 1; }
  mkdir -p "$(dirname "$bin")"
  local start=$SECONDS
  log "building kube-router $KUBE_ROUTER_VERSION (several minutes the first time on 2 cores)"
  (cd "$KUBE_ROUTER_MODULE_DIR" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath \
    -ldflags "-s -w" -o "$bin.tmp" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router)
  mv "$bin.tmp" "$bin"
  log "built kube-router in $((SECONDS - start))s -> $bin"
  echo "$bin"
}
main "$@"
