use super::*;
use std::time::Duration;
/// A report is built again, to be compared and written, exactly when
/// something it is built from changed.
#[test]
fn a_report_is_rebuilt_when_any_of_its_inputs_changes() {
    use govcloud_audit::{Finding, Outcome};
    use std::sync::Arc;
    let finding = || Finding {
        subject: std::sync::Arc::new(govcloud_audit::Subject {
            object: Arc::from("Deployment/a-ext/portal"),
            namespace: Some(Arc::from("a-ext")),
            tenant: Some(Arc::from("a")),
            zone: Some(Arc::from("ext")),
            cluster: None,
        }),
        check: std::sync::Arc::new(govcloud_audit::Check {
            control: "GC-APP-001",
            outcome: Outcome::Pass,
            severity: govcloud_core::controls::Severity::High,
            field: Arc::from("spec"),
            evidence: "complies".into(),
            evidence_message: None,
            message: Arc::from("m"),
            reason: Arc::new(govcloud_core::msg!(govcloud_core::messages::Code::NoDrift)),
        }),
    };
    let labels = BTreeMap::from([("k".to_string(), "v".to_string())]);
    let hash = |api, labels: &BTreeMap<String, String>, ns, cluster: &str, f: &Finding| {
        findings_hash(api, labels, ns, cluster, &[f])
    };
    let base = hash(ReportApi::Openreports, &labels, Some("a-ext"), "govcloud", &finding());
    assert_eq!(base, hash(ReportApi::Openreports, &labels, Some("a-ext"), "govcloud", &finding()), "same inputs");
    let mut changes: Vec<Finding> = Vec::new();
    let edits: [fn(&mut Finding); 11] = [
        |f| f.check_mut().control = "GC-APP-002",
        |f| f.check_mut().outcome = Outcome::Fail,
        |f| f.check_mut().severity = govcloud_core::controls::Severity::Low,
        |f| f.subject_mut().object = Arc::from("Deployment/a-ext/other"),
        |f| f.subject_mut().namespace = None,
        |f| f.subject_mut().tenant = Some(Arc::from("b")),
        |f| f.subject_mut().zone = None,
        |f| f.check_mut().field = Arc::from("spec.x"),
        |f| f.check_mut().evidence = "other".into(),
        |f| f.check_mut().message = Arc::from("n"),
        |f| f.subject_mut().cluster = Some(Arc::from("private")),
    ];
    for edit in edits {
        let mut f = finding();
        edit(&mut f);
        changes.push(f);
    }
    for f in &changes {
        assert_ne!(hash(ReportApi::Openreports, &labels, Some("a-ext"), "govcloud", f), base, "{f:?}");
    }
    assert_ne!(hash(ReportApi::Wgpolicy, &labels, Some("a-ext"), "govcloud", &finding()), base);
    assert_ne!(hash(ReportApi::Openreports, &BTreeMap::new(), Some("a-ext"), "govcloud", &finding()), base);
    assert_ne!(hash(ReportApi::Openreports, &labels, None, "govcloud", &finding()), base);
    assert_ne!(hash(ReportApi::Openreports, &labels, Some("a-ext"), "govcloud-x", &finding()), base);
}

#[test]
fn reports_follow_a_change_after_the_debounce_and_never_take_more_than_half_the_time() {
    // Small cluster, or a change long after the last report: the debounce.
    assert_eq!(report_delay(Duration::from_millis(300), Duration::ZERO), REPORT_DEBOUNCE);
    assert_eq!(report_delay(Duration::from_secs(6), Duration::from_secs(60)), REPORT_DEBOUNCE);
    // A costly report and changes right after it: its cost, up to a minute.
    assert_eq!(report_delay(Duration::from_secs(12), Duration::ZERO), Duration::from_secs(12));
    assert_eq!(report_delay(Duration::from_secs(12), Duration::from_secs(4)), Duration::from_secs(8));
    assert_eq!(report_delay(Duration::from_secs(600), Duration::ZERO), REPORT_COOLDOWN_MAX);
}

/// A round waits for the watches' inventory as long as it is bounded to,
/// and no longer: it goes on as soon as the inventory is listed.
#[tokio::test]
async fn a_round_waits_for_the_inventory_within_its_bound() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let poll = Duration::from_millis(10);
    let looks = AtomicUsize::new(0);
    let (bound, started) = (Duration::from_secs(60), std::time::Instant::now());
    assert!(wait_until(bound, poll, || looks.fetch_add(1, Ordering::Relaxed) == 3).await, "listed at the fourth look");
    assert_eq!(looks.load(Ordering::Relaxed), 4, "no look after it held");
    assert!(started.elapsed() < bound, "went on once listed, not at the bound");
    let (bound, started) = (Duration::from_millis(200), std::time::Instant::now());
    assert!(!wait_until(bound, poll, || false).await, "never listed");
    let waited = started.elapsed();
    assert!(waited >= bound, "waited its bound: {waited:?}");
}

/// At a resync, a report that still holds what this process wrote keeps
/// what it was built from (so it is built again only if its findings
/// change) and needs no stamps; one changed by someone else, or not known,
/// is built again from its stamps; one deleted is not known any more.
#[test]
fn a_resync_keeps_what_built_the_reports_that_hold_what_was_written() {
    let stamps = |seconds: i64| {
        output::Stamps::of(&json!({"results": [{"rule": "r", "timestamp": {"seconds": seconds, "nanos": 0}}]}))
    };
    let listed = |ns: &str, content: u64, at: i64| output::Listed {
        namespace: ns.to_string(),
        name: "govcloud".to_string(),
        content,
        stamps: stamps(at),
    };
    let key = |kind: &str, ns: &str| (kind.to_string(), ns.to_string(), "govcloud".to_string());
    let before = Written::from([
        (key("Report", "a"), Held { content: 1, findings: Some(11) }),
        (key("Report", "b"), Held { content: 2, findings: Some(22) }),
        (key("Report", "gone"), Held { content: 3, findings: Some(33) }),
        (key("ClusterReport", ""), Held { content: 4, findings: Some(44) }),
    ]);
    let pages = || {
        vec![
            // a as written; b changed by someone else; c not written by this process.
            ("Report", vec![listed("a", 1, 10), listed("b", 99, 20), listed("c", 5, 30)]),
            ("ClusterReport", vec![listed("", 4, 40)]),
        ]
    };
    let (written, due) = known_from(pages(), Some(&before));
    assert_eq!(
        written,
        Written::from([
            (key("Report", "a"), Held { content: 1, findings: Some(11) }),
            (key("Report", "b"), Held { content: 99, findings: None }),
            (key("Report", "c"), Held { content: 5, findings: None }),
            (key("ClusterReport", ""), Held { content: 4, findings: Some(44) }),
        ])
    );
    assert_eq!(due, Listed::from([(key("Report", "b"), stamps(20)), (key("Report", "c"), stamps(30))]));
    // After a start (or a failed round) nothing is known: every report is built again.
    let (written, due) = known_from(pages(), None);
    assert!(written.values().all(|h| h.findings.is_none()), "{written:?}");
    assert_eq!(due.len(), 4);
}
