use super::*;
use crate::output::reports::OMITTED;
use crate::output::{report_groups, report_with, stamp_results};
use crate::{Audit, Outcome};
use govcloud_core::controls::Severity;
use std::sync::Arc;

pub(super) fn finding_for_tests(i: usize, outcome: Outcome, severity: Severity) -> Finding {
    finding(i, outcome, severity)
}

fn finding(i: usize, outcome: Outcome, severity: Severity) -> Finding {
    let ns: Arc<str> = Arc::from(format!("t{}-extranet", i % 3));
    Finding {
        subject: std::sync::Arc::new(crate::Subject {
            object: format!("Deployment/{ns}/a{i}").into(),
            namespace: (!i.is_multiple_of(5)).then(|| ns.clone()),
            tenant: (!i.is_multiple_of(7)).then(|| Arc::from(format!("t{}", i % 3))),
            zone: Some("extranet".into()),
            cluster: i.is_multiple_of(11).then(|| Arc::from("private")),
        }),
        check: std::sync::Arc::new(crate::Check {
            control: govcloud_core::controls::TWO_SIDED_FLOWS,
            outcome,
            severity,
            field: "spec".into(),
            evidence: "x".repeat(40 + i % 300).into(),
            evidence_message: None,
            message: "m \"quoted\" <b>".into(),
            reason: Arc::new(govcloud_core::msg!(govcloud_core::messages::Code::NoDrift)),
        }),
    }
}

pub(super) fn old_for_tests(fs: &[&Finding], ns: Option<&str>, earlier: Option<&Value>, now: i64) -> Value {
    old(fs, ns, earlier, now)
}

/// The report the loop wrote before: built as a JSON value, named, stamped.
fn old(fs: &[&Finding], ns: Option<&str>, earlier: Option<&Value>, now: i64) -> Value {
    let labels = BTreeMap::from([("app.kubernetes.io/managed-by".to_string(), "govcloud".to_string())]);
    let notes = BTreeMap::from([("govcloud.io/provenance".to_string(), "x".to_string())]);
    let mut r = report_with(ReportApi::Openreports, &labels, &notes, ns, fs);
    r["metadata"]["name"] = json!("the-name");
    stamp_results(&mut r, earlier, now);
    r
}

fn new(fs: &[&Finding], ns: Option<&str>, earlier: Option<&Value>, now: i64) -> Written {
    let labels = BTreeMap::from([("app.kubernetes.io/managed-by".to_string(), "govcloud".to_string())]);
    let notes = BTreeMap::from([("govcloud.io/provenance".to_string(), "x".to_string())]);
    let stamps = earlier.map(Stamps::of);
    report_text(
        &Dress { api: ReportApi::Openreports, labels: &labels, annotations: &notes },
        ns,
        "the-name",
        fs,
        stamps.as_ref(),
        now,
    )
}

#[test]
fn the_text_is_the_stamped_report_to_the_byte_with_its_content_hash() {
    let outcomes = [Outcome::Pass, Outcome::Fail, Outcome::Warn, Outcome::Skip];
    let severities = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];
    // Enough for the cluster report to leave results out.
    let findings: Vec<Finding> =
        (0..9_000).map(|i| finding(i, outcomes[i * 7 % 4 * (i % 2)], severities[i * 5 % 4])).collect();
    let audit = Audit { findings, ..Default::default() };
    let groups = report_groups(&audit);
    assert!(groups.len() >= 3, "{}", groups.len());
    let mut omitted = 0;
    for (ns, fs) in &groups {
        // First written: every time is now.
        let first = old(fs, *ns, None, 100);
        let text = new(fs, *ns, None, 100);
        assert_eq!(serde_json::from_str::<Value>(&text.body).expect("json"), first, "{ns:?}");
        assert_eq!(text.content, content_hash_of(&first));
        omitted += usize::from(first["metadata"]["annotations"].get(OMITTED).is_some());
        // Later, some findings changed: the unchanged keep their times.
        let changed: Vec<Finding> = fs
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut f = (*f).clone();
                if i % 4 == 0 {
                    f.check_mut().evidence = format!("{}!", f.evidence).into();
                }
                f
            })
            .collect();
        let changed: Vec<&Finding> = changed.iter().collect();
        let second = old(&changed, *ns, Some(&first), 200);
        let text = new(&changed, *ns, Some(&first), 200);
        let parsed: Value = serde_json::from_str(&text.body).expect("json");
        assert_eq!(parsed, second, "{ns:?}");
        assert_eq!(text.content, content_hash_of(&second));
        let times: BTreeSet<i64> = parsed["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter_map(|r| r["timestamp"]["seconds"].as_i64())
            .collect();
        assert_eq!(times, BTreeSet::from([100, 200]), "{ns:?}: kept and new times");
    }
    assert!(omitted >= 1, "some reports leave results out: {omitted}");
}

#[test]
fn stamps_keep_an_earlier_time_of_any_form_and_the_later_of_two_equal_results() {
    let f = finding(1, Outcome::Pass, Severity::High);
    let mut earlier = old(&[&f, &f], Some("t1-extranet"), None, 100);
    earlier["results"][0]["timestamp"] = json!({"seconds": 50, "nanos": 7});
    earlier["results"][1]["timestamp"] = json!({"seconds": 60, "nanos": 0});
    let stamps = Stamps::of(&earlier);
    assert_eq!(stamps.len(), 1);
    let again = old(&[&f], Some("t1-extranet"), Some(&earlier), 300);
    assert_eq!(again["results"][0]["timestamp"], json!({"seconds": 60, "nanos": 0}));
    let text = new(&[&f], Some("t1-extranet"), Some(&earlier), 300);
    assert_eq!(serde_json::from_str::<Value>(&text.body).expect("json"), again);
    earlier["results"][1]["timestamp"] = json!({"seconds": 61, "nanos": 8});
    let again = old(&[&f], Some("t1-extranet"), Some(&earlier), 300);
    let text = new(&[&f], Some("t1-extranet"), Some(&earlier), 300);
    assert_eq!(again["results"][0]["timestamp"], json!({"seconds": 61, "nanos": 8}));
    assert_eq!(serde_json::from_str::<Value>(&text.body).expect("json"), again);
}

use std::collections::BTreeSet;

#[test]
fn stamps_hold_each_time_once_and_give_each_result_its_own() {
    let results: Vec<Value> = (0..1_000)
        .map(|i| {
            let at =
                if i == 7 { json!("not a time govcloud writes") } else { json!({"seconds": 100 + i % 2, "nanos": 0}) };
            json!({"rule": format!("r{i}"), "result": "pass", "timestamp": at})
        })
        .collect();
    let stamps = Stamps::of(&json!({ "results": results }));
    assert_eq!((stamps.len(), stamps.times.len()), (1_000, 3), "1,000 results, three times");
    for (i, r) in results.iter().enumerate() {
        let mut rest = r.as_object().expect("a result").clone();
        let at = rest.remove("timestamp").expect("a time");
        let text = serde_json::to_string(&rest).expect("text");
        assert_eq!(stamps.get(key(&text)).map(Stamp::text), Some(at.to_string()), "result {i}");
    }
    assert!(stamps.get(key("{\"rule\":\"none\"}")).is_none());
}
