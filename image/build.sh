#!/usr/bin/env bash
# Builds govcloud's container image as an OCI image layout archive, without a
# container engine or a base image: tar, gzip and sha256sum only.
#
#   image/build.sh --binary PATH [--binary PATH ...] --output FILE.oci.tar
#                  [--version V] [--revision R] [--source URL] [--created EPOCH] [--no-strip]
#
# One image per binary, each for the architecture its binary is built for
# (the ELF header's machine field: amd64, arm64, loong64), all in one image
# index: a multi-arch image when the binaries are of several architectures
# (`make image` builds amd64 and arm64).
#
# The image is what `Containerfile` builds (FROM scratch): one layer holding
# the binary at /usr/local/bin/govcloud, the entrypoint, user 65532:65532 (no
# passwd entry needed; numeric, so `runAsNonRoot` can verify it), nothing
# writable needed (read-only root filesystem). A static binary (the musl build
# of `make image`) is copied alone; a dynamic one brings exactly the shared
# libraries `ldd` lists, and the loader, at the paths it names. No CA bundle:
# in a pod the client trusts only the service account's CA. The binary's copy
# is stripped of symbols and debug information (`strip`, from binutils, when present).
#
# Defaults: version from Cargo.toml, revision `git rev-parse HEAD` (with
# `-dirty` when the tree has changes), source $IMAGE_SOURCE or the `origin`
# remote, created $SOURCE_DATE_EPOCH or the last commit's time. Same inputs,
# same digests: file times, owners and order are fixed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
die() { echo "image/build.sh: $*" >&2; exit 1; }

strip=1 binaries=() output="" version="" revision="" source="${IMAGE_SOURCE:-}" created="${SOURCE_DATE_EPOCH:-}"
while (($#)); do
  case "$1" in
    --binary) binaries+=("${2:?--binary needs a path}"); shift 2 ;;
    --output) output="${2:?--output needs a file}"; shift 2 ;;
    --version) version="${2:?}"; shift 2 ;;
    --revision) revision="${2:?}"; shift 2 ;;
    --source) source="${2:?}"; shift 2 ;;
    --created) created="${2:?}"; shift 2 ;;
    --no-strip) strip=0; shift ;;
    -h | --help) sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
((${#binaries[@]})) && [[ -n "$output" ]] || die "--binary and --output are required (see --help)"
for binary in "${binaries[@]}"; do
  [[ -x "$binary" ]] || die "$binary is not an executable file; build it first (make image does)"
done
mkdir -p "$(dirname "$output")"
output="$(cd "$(dirname "$output")" && pwd)/$(basename "$output")"

if [[ -z "$version" ]]; then
  version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n1)"
  [[ -n "$version" ]] || die "no version in Cargo.toml; pass --version"
fi
if [[ -z "$revision" ]]; then
  revision="$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)"
  if [[ "$revision" != unknown ]] && ! git -C "$repo" diff --quiet HEAD -- 2>/dev/null; then revision="$revision-dirty"; fi
fi
if [[ -z "$source" ]]; then
  source="$(git -C "$repo" remote get-url origin 2>/dev/null || true)"
  if [[ -z "$source" ]]; then
    source="file://$repo"
    echo "image/build.sh: no IMAGE_SOURCE and no git remote 'origin'; labelling the source $source" >&2
  fi
fi
[[ -n "$created" ]] || created="$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)"
[[ "$created" =~ ^[0-9]+$ ]] || die "--created / SOURCE_DATE_EPOCH must be seconds since the epoch, got '$created'"
created_iso="$(date -u -d "@$created" +%Y-%m-%dT%H:%M:%SZ)"

case "$(uname -m)" in
  x86_64) host_arch=amd64 ;;
  aarch64) host_arch=arm64 ;;
  loongarch64) host_arch=loong64 ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac

# The architecture a binary is built for: its ELF header's e_machine (two
# bytes at offset 18, little-endian for all three).
elf_arch() {
  [[ "$(od -An -c -N4 "$1" | tr -d ' ')" == '177ELF' ]] || die "$1 is not an ELF executable"
  local machine
  machine="$(od -An -tu2 -j18 -N2 --endian=little "$1" | tr -d ' ')"
  case "$machine" in
    62) echo amd64 ;;
    183) echo arm64 ;;
    258) echo loong64 ;;
    *) die "$1: ELF machine $machine is none of amd64 (62), arm64 (183), loong64 (258)" ;;
  esac
}

# Whether an ELF64 binary names a loader (a PT_INTERP program header): dynamic.
interpreted() {
  local phoff phentsize phnum i
  phoff="$(od -An -tu8 -j32 -N8 --endian=little "$1" | tr -d ' ')"
  phentsize="$(od -An -tu2 -j54 -N2 --endian=little "$1" | tr -d ' ')"
  phnum="$(od -An -tu2 -j56 -N2 --endian=little "$1" | tr -d ' ')"
  for ((i = 0; i < phnum; i++)); do
    [[ "$(od -An -tu4 -j$((phoff + i * phentsize)) -N4 --endian=little "$1" | tr -d ' ')" != 3 ]] || return 0
  done
  return 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
blobs="$work/layout/blobs/sha256"
mkdir -p "$blobs"

json_str() { # a JSON string literal for $1 (labels hold no control characters)
  local s="${1//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
blob() { # file -> moves it into blobs/, prints its digest hex
  local d
  d="$(sha "$1")"
  mv "$1" "$blobs/$d"
  echo "$d"
}

labels="$(printf '{"org.opencontainers.image.title":%s,"org.opencontainers.image.description":%s,"org.opencontainers.image.version":%s,"org.opencontainers.image.revision":%s,"org.opencontainers.image.source":%s,"org.opencontainers.image.created":%s,"org.opencontainers.image.licenses":"Apache-2.0"}' \
  "$(json_str govcloud)" "$(json_str "Kubernetes operator for a municipal e-government private cloud")" \
  "$(json_str "$version")" "$(json_str "$revision")" "$(json_str "$source")" "$(json_str "$created_iso")")"

# One image per binary: its layer, config and manifest; the index lists them.
entries=() seen=" " summary=()
for binary in "${binaries[@]}"; do
  arch="$(elf_arch "$binary")"
  [[ "$seen" != *" $arch "* ]] || die "two binaries for $arch; give one per architecture"
  seen+="$arch "
  root="$work/rootfs-$arch"
  mkdir -p "$root/usr/local/bin"
  install -m 0755 "$binary" "$root/usr/local/bin/govcloud"
  if ((strip)); then
    # The host's strip reads its own architecture; another's needs that binutils' (e.g. aarch64-linux-gnu-strip).
    stripper=""
    for s in strip "$(uname -m)-linux-gnu-strip" aarch64-linux-gnu-strip loongarch64-linux-gnu-strip; do
      if command -v "$s" >/dev/null && "$s" "$root/usr/local/bin/govcloud" 2>/dev/null; then stripper="$s"; break; fi
    done
    [[ -n "$stripper" ]] || echo "image/build.sh: no strip reads $arch binaries; the $arch binary keeps its symbols" >&2
  fi

  # Shared libraries: `ldd` prints "name => /path (addr)" per library and the
  # loader as "/path (addr)"; a static binary has none.
  # (A static-pie binary makes ldd say "statically linked" and exit 0.)
  # A binary of another architecture must be static: ldd cannot list its libraries.
  linkage="static"
  if [[ "$arch" != "$host_arch" ]]; then
    interpreted "$binary" && die "$binary ($arch) is not a static executable (it names a loader); build it for the musl target (make image does)"
  else
    ldd_rc=0
    ldd_out="$(LC_ALL=C ldd "$binary" 2>&1)" || ldd_rc=$?
    if grep -qE 'not a dynamic executable|statically linked' <<<"$ldd_out"; then
      :
    elif ((ldd_rc == 0)); then
      linkage="dynamic"
      while read -r lib; do
        [[ -n "$lib" ]] || continue
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
        chmod 0755 "$root$lib"
      done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$ldd_out" | sort -u)
    else
      die "ldd $binary: $ldd_out"
    fi
  fi

  # The layer: fixed owners, modes, times and order, so its digest depends only on content.
  (cd "$root" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) >"$work/files"
  tar --create --file="$work/layer.tar" --directory="$root" --no-recursion --files-from="$work/files" \
    --format=gnu --owner=0 --group=0 --numeric-owner --mtime="@$created" --mode='u+rwX,go+rX,go-w'
  diff_id="$(sha "$work/layer.tar")"
  gzip -n "$work/layer.tar"
  layer_size="$(size "$work/layer.tar.gz")"
  layer="$(blob "$work/layer.tar.gz")"

  printf '{"created":"%s","architecture":"%s","os":"linux","config":{"User":"65532:65532","Entrypoint":["/usr/local/bin/govcloud"],"WorkingDir":"/","Labels":%s},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","created_by":"image/build.sh (%s binary)"}]}' \
    "$created_iso" "$arch" "$labels" "$diff_id" "$created_iso" "$linkage" >"$work/config.json"
  config_size="$(size "$work/config.json")"
  config="$(blob "$work/config.json")"

  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}],"annotations":%s}' \
    "$config" "$config_size" "$layer" "$layer_size" "$labels" >"$work/manifest.json"
  manifest_size="$(size "$work/manifest.json")"
  manifest="$(blob "$work/manifest.json")"
  entries+=("$(printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"%s","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":%s}}' \
    "$manifest" "$manifest_size" "$arch" "$(json_str "$version")")")
  summary+=("$arch: $linkage binary, manifest sha256:$manifest")
done

printf '{"imageLayoutVersion":"1.0.0"}' >"$work/layout/oci-layout"
joined="$(IFS=,; echo "${entries[*]}")"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "$joined" >"$work/layout/index.json"

(cd "$work/layout" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) >"$work/entries"
tar --create --file="$output.tmp" --directory="$work/layout" --no-recursion --files-from="$work/entries" \
  --format=gnu --owner=0 --group=0 --numeric-owner --mtime="@$created" --mode='u+rwX,go+rX,go-w'
mv "$output.tmp" "$output"
echo "image/build.sh: wrote $output ($(IFS=';'; echo "${summary[*]}"); version $version, revision $revision)" >&2
