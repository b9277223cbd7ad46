//! 国产化 in `govcloud evaluate` (issue 28 item 7): the share of cores on
//! domestic platforms per zone and for the city, from the zones' statuses,
//! computed here by hand on tests/fixtures/evaluate-domestic; the list is
//! configurable (the Chifeng example file is the default list) and checked.

use crate::support::offline::{govcloud, repo};

use serde_json::Value;

fn path(p: &str) -> String {
    repo().join(p).to_str().expect("utf8").to_string()
}

fn evaluate(extra: &[&str]) -> (i32, Value, String) {
    let model = path("tests/fixtures/evaluate-domestic/model.yaml");
    let mut args = vec!["evaluate", "-f", &model, "--at", "2026-12-01T00:00:00Z", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = govcloud(&args);
    (code, serde_json::from_str(&out).unwrap_or(Value::Null), err)
}

#[track_caller]
fn close(got: &Value, want: f64) {
    let g = got.as_f64().unwrap_or_else(|| panic!("not a number: {got}"));
    assert!((g - want).abs() < 1e-9, "got {g}, want {want}");
}

#[test]
fn the_domestic_share_is_the_cores_on_domestic_platforms_computed_by_hand() {
    let (code, e, err) = evaluate(&[]);
    assert_eq!(code, 0, "{err}");
    let d = &e["domestic"];
    // priv: 128 arm64 cores + 32 on Kylin, of 160.
    assert_eq!(
        (d["zones"]["priv"]["nodes"].as_i64(), d["zones"]["priv"]["domesticNodes"].as_i64()),
        (Some(3), Some(3))
    );
    close(&d["zones"]["priv"]["share"], 1.0);
    // ext: 16 cores on openEuler of 112.
    close(&d["zones"]["ext"]["domesticCores"], 16.0);
    close(&d["zones"]["ext"]["cores"], 112.0);
    close(&d["zones"]["ext"]["share"], 16.0 / 112.0);
    // The city: 176 of 272.
    close(&d["city"]["share"], 176.0 / 272.0);
    assert_eq!(d["city"]["domesticNodes"], 4);
    assert_eq!(d["rows"].as_array().map(Vec::len), Some(4));
    assert!(e["methods"]["domestic"]["en"].as_str().is_some_and(|m| m.contains("CPU cores on domestic platforms")));
    // The Chifeng file is the default list: the same numbers.
    let (code, same, err) = evaluate(&["--domestic-platforms", &path("examples/chifeng/domestic-platforms.yaml")]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(same["domestic"], e["domestic"]);
    // The table says it, with how.
    let model = path("tests/fixtures/evaluate-domestic/model.yaml");
    let (code, table, err) = govcloud(&["evaluate", "-f", &model, "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("Domestic platforms"), "{table}");
    assert!(table.lines().any(|l| l.trim_start().starts_with("city") && l.trim_end().ends_with("64.7%")), "{table}");
}

#[test]
fn a_list_of_architectures_only_counts_no_os_image_and_a_bad_list_is_named() {
    let dir = tempfile::tempdir().expect("dir");
    let arch = dir.path().join("arch.yaml");
    std::fs::write(&arch, "architectures: [arm64]\n").expect("write");
    let (code, e, err) = evaluate(&["--domestic-platforms", arch.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    close(&e["domestic"]["zones"]["priv"]["share"], 128.0 / 160.0);
    close(&e["domestic"]["zones"]["ext"]["share"], 0.0);
    close(&e["domestic"]["city"]["share"], 128.0 / 272.0);
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "architecture: [arm64]\n").expect("write");
    let (code, _, err) = evaluate(&["--domestic-platforms", bad.to_str().expect("utf8")]);
    assert_ne!(code, 0);
    assert!(err.contains("--domestic-platforms") && err.contains("architecture") && err.contains("osImages"), "{err}");
}

#[test]
fn manifests_without_zone_status_give_no_share_and_say_why() {
    let (code, table, err) = govcloud(&["evaluate", "-f", &path("examples/chifeng"), "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("No zone's status lists its nodes' platforms"), "{table}");
}
