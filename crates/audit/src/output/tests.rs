use super::*;
use govcloud_core::controls::Severity;

fn finding(i: usize, outcome: Outcome) -> Finding {
    Finding {
        control: controls::TWO_SIDED_FLOWS,
        outcome,
        severity: Severity::High,
        object: format!("Deployment/t{i}-extranet/a{i}").into(),
        namespace: None,
        tenant: None,
        zone: Some("extranet".into()),
        field: "spec".into(),
        evidence: "x".repeat(400),
        message: "m".into(),
        cluster: None,
    }
}

#[test]
fn a_large_report_keeps_every_failure_and_leaves_out_passes_with_a_note() {
    let findings: Vec<Finding> =
        (0..20_000).map(|i| finding(i, if i % 100 == 0 { Outcome::Fail } else { Outcome::Pass })).collect();
    let audit = Audit { findings, ..Default::default() };
    let all = reports(&audit, ReportApi::Openreports, &BTreeMap::new());
    let cluster = all.last().expect("the cluster report");
    assert!(cluster.to_string().len() < 3 * 1024 * 1024 / 2, "{} bytes", cluster.to_string().len());
    let results = cluster["results"].as_array().expect("results");
    assert_eq!(results.iter().filter(|r| r["result"] == "fail").count(), 200, "every failure");
    assert!(results.iter().any(|r| r["result"] == "pass"), "passes while they fit");
    assert_eq!(cluster["summary"]["pass"], 19_800, "the summary counts everything");
    let omitted = 19_800 - results.iter().filter(|r| r["result"] == "pass").count();
    assert!(
        cluster["metadata"]["annotations"][OMITTED]
            .as_str()
            .expect("note")
            .starts_with(&format!("{omitted} passing results left out"))
    );
    // More failures than fit: the most severe are kept, the rest
    // counted in the summary and the note; the report still fits.
    let mut findings: Vec<Finding> = (0..20_000).map(|i| finding(i, Outcome::Fail)).collect();
    for f in findings.iter_mut().skip(19_000) {
        f.severity = Severity::Critical;
    }
    let audit = Audit { findings, ..Default::default() };
    let cluster = reports(&audit, ReportApi::Openreports, &BTreeMap::new()).pop().expect("the cluster report");
    assert!(cluster.to_string().len() < 3 * 1024 * 1024 / 2, "{} bytes", cluster.to_string().len());
    let results = cluster["results"].as_array().expect("results");
    assert!(results.len() > 1000 && results.len() < 20_000, "{}", results.len());
    assert_eq!(results.iter().filter(|r| r["severity"] == "critical").count(), 1000, "the critical ones first");
    assert_eq!(cluster["summary"]["fail"], 20_000, "the summary counts everything");
    let note = cluster["metadata"]["annotations"][OMITTED].as_str().expect("note");
    assert!(note.starts_with(&format!("{} failing, warning or skipped results", 20_000 - results.len())), "{note}");
    // A small report is whole, without the note.
    let small = Audit { findings: (0..10).map(|i| finding(i, Outcome::Pass)).collect(), ..Default::default() };
    let r = reports(&small, ReportApi::Openreports, &BTreeMap::new()).pop().expect("report");
    assert_eq!(r["results"].as_array().map(Vec::len), Some(10));
    assert!(r["metadata"].get("annotations").is_none());
}
