//! testenv judges a model's NetworkZones with govcloud's CRD on its own API
//! server, not with rules of its own: a zone the CRD rejects stops `up` with
//! the server's message, naming the field.

use crate::support;

use std::process::Command;

use support::offline::repo;

#[test]
fn a_zone_the_crd_rejects_stops_testenv_with_the_servers_message() {
    let model = tempfile::tempdir().expect("tempdir");
    let zones = std::fs::read_to_string(repo().join("examples/chifeng/zones.yaml")).expect("the chifeng zones");
    assert!(zones.contains("effect: NoSchedule"), "the fixture this test edits has changed");
    std::fs::write(model.path().join("zones.yaml"), zones.replacen("effect: NoSchedule", "effect: Sometimes", 1))
        .expect("write the model");
    let dir = tempfile::tempdir().expect("tempdir");
    let testenv = repo().join("testenv/testenv");
    let port_base = std::env::var("GOVCLOUD_TESTENV_MODELS_PORT_BASE").unwrap_or_else(|_| "32000".into());
    let out = Command::new(&testenv)
        .args(["up", "--dir"])
        .arg(dir.path())
        .args(["--port-base", &port_base, "--model"])
        .arg(model.path())
        .output()
        .expect("run testenv");
    let _ = Command::new(&testenv).args(["down", "--dir"]).arg(dir.path()).output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "testenv accepted a zone the CRD rejects:\n{stderr}");
    assert!(
        stderr.contains("spec.nodePool.taint.effect") && stderr.contains("Sometimes"),
        "the server's message, naming the field, is shown:\n{stderr}"
    );
}
