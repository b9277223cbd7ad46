# The two commands of the README:
#   make render   the main job: render the Chifeng model offline
#   make test     the whole test suite, against a real local control plane
.PHONY: render test testenv crds

render:
	cargo run --quiet -- render -f examples/chifeng

test:
	testenv/with-cluster cargo test --all-targets --no-fail-fast

testenv:
	testenv/build.sh

crds:
	cargo run --quiet -- crd --output-dir crds
