# The two commands of the README:
#   make dev      the main job: local real control plane + operator + the Chifeng model
#                 (make dev CLUSTERS=2: two control planes, the private network in its own)
#   make test     the whole test suite, against a real local control plane
# and: make render (offline rendering), make testenv (build the upstream binaries),
#      make bench (the pure core), make bench-memory (heap by structure), make bench-cluster PRESET=quick|chifeng|x10 (the
#      operator on the local real control plane; see BENCHMARKS.md), make image (the
#      operator's OCI image archive, target/image/govcloud-<version>.oci.tar),
#      make gen-types (the checked-in Rust types of CRDs we write but do not own).
.PHONY: dev render test check testenv crds gen-types bench bench-memory bench-cluster image

# make dev CLUSTERS=2: the Chifeng model with the private network in a cluster
# of its own: two local control planes (egov: extranet+internet; private), an
# operator each (see examples/chifeng-clusters).
DEV_MODEL := $(if $(filter 2,$(CLUSTERS)),-f examples/chifeng-clusters -f examples/chifeng/tenants.yaml -f examples/chifeng/apps,)
# make dev DEV_DIR=/tmp/plane: the control plane in (or reused from) that
# directory instead of target/dev (one already up there, on its own ports, is reused).
# make dev DATAPLANE=1: the same control plane (target/dev) with a real
# NetworkPolicy dataplane (testenv/dataplane/README.md: root, iptables, ipset).
dev:
ifeq ($(DATAPLANE),1)
	@test -z "$(DEV_MODEL)" || { echo "make dev: DATAPLANE=1 runs one control plane; not with CLUSTERS=2"; exit 1; }
	testenv/build.sh etcd kube kwok
	testenv/testenv status --dir target/dev >/dev/null 2>&1 || testenv/testenv up --dir target/dev --model examples/chifeng --dataplane
	testenv/dataplane/dataplane status --dir target/dev >/dev/null 2>&1 || testenv/dataplane/dataplane up --dir target/dev
endif
	cargo run --quiet -- dev $(DEV_MODEL) $(if $(DEV_DIR),--dir $(DEV_DIR))

render:
	cargo run --quiet -- render -f examples/chifeng

# The kills-and-restarts test (tests/cluster/faults.rs) brings up a control
# plane of its own with 225 apps; on two cores, beside the shared plane's tests,
# it starved them (a shared-plane test timing out, a different one per run). It
# runs alone, after the rest; both parts always run and either failing fails.
ALONE := faults::kills_and_control_plane_restarts_converge_to_exactly_the_rendering
test:
	testenv/with-cluster bash -c 'cargo test --workspace --no-fail-fast --lib --bins --tests -- --skip $(ALONE); \
	  rest=$$?; cargo test -p govcloud --test cluster -- --exact $(ALONE); alone=$$?; \
	  echo "make test: the suite exited $$rest, the kills-and-restarts test alone $$alone"; exit $$((rest | alone))'

# Fast checks on a fresh clone, no Go needed: formatting, lints, the pure
# crates built alone (kube without its client, no tokio: the compiler keeps
# them pure), every crate's unit tests and the offline integration tests.
check:
	cargo fmt --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo check -p govcloud-core -p govcloud-render -p govcloud-audit -p govcloud-evaluate -p govcloud-import
	cargo test --workspace --lib --bins
	cargo test --test offline

testenv:
	testenv/build.sh

crds:
	cargo run --quiet -- crd --output-dir crds
	cargo run --quiet -- manifests > deploy/govcloud.yaml
	cp crds/*.yaml charts/govcloud/crds/
	{ echo '{{- if .Values.admissionPolicies.install }}'; \
	  cargo run --quiet -- manifests --admission-only --namespace '{{ .Release.Namespace }}'; \
	  echo '{{- end }}'; } > charts/govcloud/templates/admission.yaml

# crates/core/src/generated/: kopium (pinned, installed into ~/.cache/govcloud
# when missing) on the CRDs testenv pins, with the fixes the script names.
gen-types:
	crates/core/gen-types.sh

bench:
	cargo bench --bench model

PRESET ?= quick
# Heap by structure at Chifeng and x10 (a counting allocator; BENCHMARKS.md).
bench-memory:
	cargo bench --bench memory

bench-cluster:
	testenv/build.sh
	cargo bench --bench cluster -- --preset $(PRESET)

# The operator image without a container engine: a static (musl) release binary
# per architecture in one OCI image layout archive, an index of an amd64 and an
# arm64 image (image/build.sh takes each image's architecture from its binary;
# Containerfile builds the same with podman/buildah/docker). ring's C parts
# build with a C compiler for the target: the host's cc for amd64,
# aarch64-linux-gnu-gcc (Debian: gcc-aarch64-linux-gnu) for arm64; the arm64
# binary is linked by rust-lld, which the Rust toolchain ships.
IMAGE_TARGETS ?= x86_64-unknown-linux-musl aarch64-unknown-linux-musl
VERSION := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' Cargo.toml | head -n1)
image:
	@for t in $(IMAGE_TARGETS); do \
	  rustup target list --installed | grep -qx "$$t" || rustup target add "$$t" || exit 1; \
	done
	@case " $(IMAGE_TARGETS) " in *" aarch64-unknown-linux-musl "*) \
	  command -v $${CC_aarch64_unknown_linux_musl:-aarch64-linux-gnu-gcc} >/dev/null || \
	    { echo "make image: no C compiler for arm64 (ring's C parts): install gcc-aarch64-linux-gnu or set CC_aarch64_unknown_linux_musl, or IMAGE_TARGETS=x86_64-unknown-linux-musl"; exit 1; } ;; esac
	CC_x86_64_unknown_linux_musl=$${CC_x86_64_unknown_linux_musl:-cc} \
	CC_aarch64_unknown_linux_musl=$${CC_aarch64_unknown_linux_musl:-aarch64-linux-gnu-gcc} \
	CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=$${CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER:-rust-lld} \
	  cargo build --release --locked --no-default-features $(foreach t,$(IMAGE_TARGETS),--target $(t))
	image/build.sh $(foreach t,$(IMAGE_TARGETS),--binary $${CARGO_TARGET_DIR:-target}/$(t)/release/govcloud) --output target/image/govcloud-$(VERSION).oci.tar
