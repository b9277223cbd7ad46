//! `govcloud evaluate --tenant/--zone/--control/--failures-only`, through
//! the CLI: the tenants kept are the ones whose findings `govcloud audit`
//! keeps under the same flags (one filter for both), the scores and ranks
//! stay the city's, and the filters are in the provenance and the JSON.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};

use crate::support::offline::{docs, govcloud, repo};

fn json_of(args: &[&str]) -> Value {
    let (code, out, err) = govcloud(args);
    assert_eq!(code, 0, "govcloud {args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("govcloud {args:?}: not JSON ({e}): {out}"))
}

/// The fixture model rendered, with tenant a's extranet namespace weakened
/// and tenant b's limit range deleted: failures on both tenants.
fn weakened(dir: &Path) -> (String, String) {
    let model = repo().join("tests/fixtures/noncompliant/model.yaml");
    let (code, rendered, err) = govcloud(&["render", "-f", model.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    let mut objects = docs(&rendered);
    for o in objects.iter_mut() {
        if o["kind"] == "Namespace" && o["metadata"]["name"] == "a-ext" {
            o["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = json!("privileged");
        }
    }
    objects.retain(|o| !(o["kind"] == "LimitRange" && o["metadata"]["namespace"] == "b-ext"));
    let text: String = objects.iter().map(|o| format!("---\n{}", serde_norway::to_string(o).expect("yaml"))).collect();
    let path = dir.join("objects.yaml");
    std::fs::write(&path, text).expect("write");
    (path.to_string_lossy().into_owned(), model.to_string_lossy().into_owned())
}

fn tenants(doc: &Value) -> Vec<String> {
    doc["tenants"].as_array().expect("tenants").iter().map(|t| t["name"].as_str().expect("name").to_string()).collect()
}

/// The tenants the audit's findings name under the same flags.
fn audited_tenants(files: &[&str], flags: &[&str]) -> BTreeSet<String> {
    let args: Vec<&str> = ["audit", "--format", "json"]
        .iter()
        .copied()
        .chain(files.iter().copied())
        .chain(flags.iter().copied())
        .collect();
    json_of(&args)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["tenant"].as_str().map(String::from))
        .collect()
}

#[test]
fn evaluate_keeps_the_tenants_the_audit_filter_keeps_with_the_citys_ranks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (objects, model) = weakened(dir.path());
    let files = ["-f", objects.as_str(), "-f", model.as_str()];
    let eval = |flags: &[&str]| {
        let args: Vec<&str> = ["evaluate", "--format", "json", "--at", "2026-12-01T00:00:00Z"]
            .iter()
            .copied()
            .chain(files)
            .chain(flags.iter().copied())
            .collect();
        json_of(&args)
    };
    let city = eval(&[]);
    assert_eq!(tenants(&city), ["a", "b"]);
    assert!(city.get("filters").is_none() && city["provenance"].get("filters").is_none(), "{}", city["provenance"]);

    // Failures only: exactly the tenants with a failure in the audit.
    let failing = audited_tenants(&files, &["--failures-only"]);
    assert!(!failing.is_empty(), "the weakened fixture fails on a tenant");
    let e = eval(&["--failures-only"]);
    assert_eq!(tenants(&e).into_iter().collect::<BTreeSet<_>>(), failing);
    assert_eq!(e["filters"]["failuresOnly"], true);
    assert_eq!(e["provenance"]["filters"]["failures-only"], "true");

    // A control failing on one tenant only: that tenant, with its rank among the whole city.
    let a_fails = json_of(&[
        "audit",
        "--format",
        "json",
        files[0],
        files[1],
        files[2],
        files[3],
        "--tenant",
        "a",
        "--failures-only",
    ]);
    let b_fails = audited_tenants(&files, &["--tenant", "b", "--failures-only"]);
    let control = a_fails["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["control"].as_str())
        .find(|c| audited_tenants(&files, &["--control", c, "--failures-only"]) == BTreeSet::from(["a".to_string()]))
        .unwrap_or_else(|| panic!("a control failing on a alone (b fails: {b_fails:?}): {a_fails}"))
        .to_string();
    let one = eval(&["--control", &control, "--failures-only"]);
    assert_eq!(tenants(&one), ["a"]);
    assert_eq!(one["tenants"][0]["overallRank"], city["tenants"][0]["overallRank"], "the rank is the city's");
    assert_eq!(one["tenants"][0]["scores"], city["tenants"][0]["scores"], "the scores are the city's");
    assert_eq!(one["provenance"]["filters"]["control"], control.as_str());

    // A tenant, a zone.
    assert_eq!(tenants(&eval(&["--tenant", "b"])), ["b"]);
    let zone_b = eval(&["--zone", "prv"]);
    let model_zones = |t: &str| {
        docs(&std::fs::read_to_string(&model).expect("model"))
            .into_iter()
            .find(|d| d["kind"] == "Tenant" && d["metadata"]["name"] == t)
            .map(|d| d["spec"]["zones"].as_array().expect("zones").iter().any(|z| z["name"] == "prv"))
            .expect("tenant")
    };
    let in_prv: Vec<String> = ["a", "b"].into_iter().filter(|t| model_zones(t)).map(String::from).collect();
    assert_eq!(tenants(&zone_b), in_prv);

    // The table and the page name the filters in their provenance.
    let (code, table, err) =
        govcloud(&["evaluate", files[0], files[1], files[2], files[3], "--tenant", "b", "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("filters: --tenant b"), "{table}");
    let (_, page, _) = govcloud(&[
        "evaluate", files[0], files[1], files[2], files[3], "--tenant", "b", "--format", "html", "--lang", "en",
    ]);
    assert!(page.contains("<th>filters</th><td>--tenant b</td>"), "{page}");
}

#[test]
fn a_filter_naming_no_tenant_zone_or_control_is_refused_not_an_empty_report() {
    let model = repo().join("tests/fixtures/noncompliant/model.yaml");
    let model = model.to_str().expect("utf8");
    for command in ["evaluate", "audit"] {
        for (flag, value, says) in [
            ("--tenant", "nobody", "--tenant nobody: no such tenant here; give one of a, b"),
            ("--zone", "nowhere", "--zone nowhere: no such zone here"),
            ("--control", "GC-NOPE-1", "--control GC-NOPE-1: no such control"),
        ] {
            let (code, out, err) = govcloud(&[command, "-f", model, flag, value]);
            assert_ne!(code, 0, "{command} {flag} {value}: {out}");
            assert!(err.contains(says), "{command} {flag} {value}: {err}");
        }
    }
}
