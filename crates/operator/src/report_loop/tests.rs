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
