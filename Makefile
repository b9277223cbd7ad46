# The two commands of the README:
#   make dev      the main job: local real control plane + operator + the Chifeng model
#   make test     the whole test suite, against a real local control plane
# and: make render (offline rendering), make testenv (build the upstream binaries),
#      make bench (the pure core), make bench-cluster PRESET=quick|chifeng|x10 (the
#      operator on the local real control plane; see BENCHMARKS.md).
.PHONY: dev render test testenv crds bench bench-cluster

dev:
	cargo run --quiet -- dev

render:
	cargo run --quiet -- render -f examples/chifeng

test:
	testenv/with-cluster cargo test --no-fail-fast --lib --bins --tests

testenv:
	testenv/build.sh

crds:
	cargo run --quiet -- crd --output-dir crds
	cargo run --quiet -- manifests > deploy/govcloud.yaml
	cp crds/*.yaml charts/govcloud/crds/
	cargo run --quiet -- manifests --admission-only --namespace '{{ .Release.Namespace }}' > charts/govcloud/templates/admission.yaml

bench:
	cargo bench --bench model

PRESET ?= quick
bench-cluster:
	testenv/build.sh
	cargo bench --bench cluster -- --preset $(PRESET)
