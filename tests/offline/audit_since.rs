//! `govcloud audit --since` and the filters, through the CLI: a fixture pair
//! (the noncompliant fixture with its violations, and its model without
//! them) gives the same failures fixed one way and new the other.

use crate::support::offline::{govcloud, repo};

fn json_of(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = govcloud(args);
    assert_eq!(code, 0, "govcloud {args:?}: {err}");
    serde_json::from_str::<serde_json::Value>(&out)
        .unwrap_or_else(|e| panic!("govcloud {args:?}: not JSON ({e}): {out}"))
}

fn failing(doc: &serde_json::Value, list: &str) -> Vec<String> {
    doc["changes"][list]
        .as_array()
        .unwrap_or_else(|| panic!("no changes.{list}: {doc}"))
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["control"].as_str().unwrap_or(""),
                f["object"].as_str().unwrap_or(""),
                f["field"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn since_lists_new_fixed_and_still_failing_and_the_filters_narrow_both_sides() {
    let fixture = repo().join("tests/fixtures/noncompliant");
    let (with, without) =
        (fixture.to_string_lossy().to_string(), fixture.join("model.yaml").to_string_lossy().to_string());
    let dir = std::env::temp_dir().join(format!("govcloud-since-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (a, b) = (dir.join("with.json"), dir.join("without.json"));
    let (a, b) = (a.to_string_lossy().to_string(), b.to_string_lossy().to_string());
    assert_eq!(govcloud(&["audit", "-f", &with, "--format", "json", "-o", &a]).0, 0);
    assert_eq!(govcloud(&["audit", "-f", &without, "--format", "json", "-o", &b]).0, 0);

    // The violations removed: fixed; put back: new; the model's own failures: still failing both ways.
    let fixed = json_of(&["audit", "-f", &without, "--format", "json", "--since", &a]);
    let broken = json_of(&["audit", "-f", &with, "--format", "json", "--since", &b]);
    assert!(!failing(&fixed, "fixed").is_empty(), "nothing fixed: {}", fixed["changes"]);
    assert!(failing(&fixed, "newFailures").is_empty(), "{}", fixed["changes"]);
    assert_eq!(failing(&fixed, "fixed"), failing(&broken, "newFailures"));
    assert!(failing(&broken, "fixed").is_empty(), "{}", broken["changes"]);
    assert_eq!(failing(&fixed, "stillFailing"), failing(&broken, "stillFailing"));
    let all_failures = |doc: &serde_json::Value| {
        doc["findings"].as_array().map_or(0, |f| f.iter().filter(|f| f["outcome"] == "fail").count())
    };
    assert_eq!(failing(&broken, "stillFailing").len() + failing(&broken, "newFailures").len(), all_failures(&broken));

    // One control, failures only: every finding kept is of it and failing; the changes are of it too.
    let control = failing(&broken, "newFailures")[0].split(' ').next().unwrap_or_default().to_string();
    let narrowed =
        json_of(&["audit", "-f", &with, "--format", "json", "--since", &b, "--control", &control, "--failures-only"]);
    let findings = narrowed["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f["control"] == control.as_str() && f["outcome"] == "fail"), "{narrowed}");
    assert!(failing(&narrowed, "newFailures").iter().all(|f| f.starts_with(&control)));
    assert_eq!(narrowed["filters"]["control"], control.as_str());
    assert_eq!(narrowed["filters"]["failuresOnly"], true);

    // The table says it in one line.
    let (_, table, _) = govcloud(&["audit", "-f", &without, "--since", &a]);
    assert!(
        table.contains(&format!("Since the earlier report: 0 new failures, {} fixed", failing(&fixed, "fixed").len())),
        "{table}"
    );

    // Not a report: refused with the file and the fix.
    std::fs::write(dir.join("bad.json"), "{\"summary\": {}}").expect("write");
    let bad = dir.join("bad.json").to_string_lossy().to_string();
    let (code, _, err) = govcloud(&["audit", "-f", &without, "--since", &bad]);
    assert_ne!(code, 0);
    assert!(
        err.contains(&bad) && err.contains("findings: missing or not a list") && err.contains("--format json"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
