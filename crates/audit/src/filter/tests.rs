//! Unit tests of `filter`: what each filter keeps, and the changes between two reports.

use std::sync::Arc;

use super::*;
use crate::{Finding, Severity};

fn finding(control: &'static str, outcome: Outcome, object: &str, tenant: Option<&str>, zone: Option<&str>) -> Finding {
    Finding {
        subject: std::sync::Arc::new(crate::Subject {
            object: Arc::from(object),
            namespace: None,
            tenant: tenant.map(Arc::from),
            zone: zone.map(Arc::from),
            cluster: None,
        }),
        check: std::sync::Arc::new(crate::Check {
            control,
            outcome,
            severity: Severity::High,
            field: Arc::from("spec"),
            evidence: "".into(),
            evidence_message: None,
            message: Arc::from("m"),
            reason: Arc::new(govcloud_core::msg!(govcloud_core::messages::Code::NoDrift)),
        }),
    }
}

fn audit(findings: Vec<Finding>) -> Audit {
    Audit { findings, ..Audit::default() }
}

fn ids(a: &Audit) -> Vec<String> {
    a.findings.iter().map(|f| format!("{} {} {}", f.control, f.outcome.as_str(), f.subject.object)).collect()
}

#[test]
fn each_filter_keeps_its_findings_and_none_keeps_all() {
    let a = audit(vec![
        finding("GC-NET-001", Outcome::Fail, "Namespace/a-ext", Some("a"), Some("ext")),
        finding("GC-NET-001", Outcome::Pass, "Namespace/b-ext", Some("b"), Some("ext")),
        finding("GC-POD-001", Outcome::Fail, "Pod/b-int/p", Some("b"), Some("int")),
        finding("GC-ZONE-001", Outcome::Pass, "NetworkZone/int", None, None),
    ]);
    assert_eq!(ids(&Filter::default().apply(&a)).len(), 4);
    assert!(Filter::default().is_empty());
    let tenant = Filter { tenant: Some("b".into()), ..Filter::default() };
    assert_eq!(ids(&tenant.apply(&a)), ["GC-NET-001 pass Namespace/b-ext", "GC-POD-001 fail Pod/b-int/p"]);
    // A zone's own findings belong to it.
    let zone = Filter { zone: Some("int".into()), ..Filter::default() };
    assert_eq!(ids(&zone.apply(&a)), ["GC-POD-001 fail Pod/b-int/p", "GC-ZONE-001 pass NetworkZone/int"]);
    let control = Filter { control: Some("gc-net-001".into()), failures_only: true, ..Filter::default() };
    assert_eq!(ids(&control.apply(&a)), ["GC-NET-001 fail Namespace/a-ext"]);
}

#[test]
fn changes_list_new_fixed_and_still_failing() {
    let earlier = audit(vec![
        finding("GC-NET-001", Outcome::Fail, "Namespace/a-ext", Some("a"), Some("ext")),
        finding("GC-POD-001", Outcome::Fail, "Pod/b-int/p", Some("b"), Some("int")),
        finding("GC-POD-002", Outcome::Pass, "Pod/b-int/q", Some("b"), Some("int")),
    ]);
    let earlier = crate::output::json(&earlier);
    let now = audit(vec![
        finding("GC-NET-001", Outcome::Pass, "Namespace/a-ext", Some("a"), Some("ext")),
        finding("GC-POD-001", Outcome::Fail, "Pod/b-int/p", Some("b"), Some("int")),
        finding("GC-POD-002", Outcome::Fail, "Pod/b-int/q", Some("b"), Some("int")),
    ]);
    let c = changes(&earlier, &now, &Filter::default()).expect("comparable");
    let objects = |l: &[Failing]| l.iter().map(|f| f.object.clone()).collect::<Vec<_>>();
    assert_eq!(objects(&c.new_failures), ["Pod/b-int/q"]);
    assert_eq!(objects(&c.fixed), ["Namespace/a-ext"]);
    assert_eq!(objects(&c.still_failing), ["Pod/b-int/p"]);
    // Through a filter, on both sides.
    let only_a = Filter { tenant: Some("a".into()), ..Filter::default() };
    let c = changes(&earlier, &now, &only_a).expect("comparable");
    assert_eq!((c.new_failures.len(), c.fixed.len(), c.still_failing.len()), (0, 1, 0));
    let table = changes_table(&c);
    assert!(table.contains("0 new failures, 1 fixed, 0 still failing"), "{table}");
    assert!(table.contains("FIXED GC-NET-001 Namespace/a-ext spec"), "{table}");
}

#[test]
fn an_earlier_file_that_is_no_report_is_refused_with_the_field() {
    let e = changes(&serde_json::json!({"summary": {}}), &audit(vec![]), &Filter::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "findings: missing or not a list; give the JSON of an earlier `govcloud audit --format json`"
    );
    let e = changes(
        &serde_json::json!({"findings": [{"outcome": "fail", "control": "X"}]}),
        &audit(vec![]),
        &Filter::default(),
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("findings[0].object: missing or not a string"), "{e}");
}

#[test]
fn a_tenant_is_kept_by_name_zone_and_by_the_findings_the_filter_keeps() {
    let a = audit(vec![
        finding("GC-NET-001", Outcome::Fail, "Namespace/a-ext", Some("a"), Some("ext")),
        finding("GC-NET-001", Outcome::Pass, "Namespace/b-ext", Some("b"), Some("ext")),
        finding("GC-POD-001", Outcome::Fail, "Pod/b-int/p", Some("b"), Some("int")),
    ]);
    let keeps = |f: &Filter, t: &str, zones: &[&str]| f.keeps_tenant(t, zones.iter().copied(), &a);
    assert!(keeps(&Filter::default(), "c", &[]), "no filter keeps a tenant without findings");
    let tenant = Filter { tenant: Some("b".into()), ..Filter::default() };
    assert!(keeps(&tenant, "b", &["ext"]) && !keeps(&tenant, "a", &["ext"]));
    let zone = Filter { zone: Some("int".into()), ..Filter::default() };
    assert!(keeps(&zone, "b", &["ext", "int"]) && !keeps(&zone, "a", &["ext"]));
    // Failures only: the tenants with a failure; with a zone, a failure there.
    let failing = Filter { failures_only: true, ..Filter::default() };
    assert!(keeps(&failing, "a", &["ext"]) && keeps(&failing, "b", &["ext", "int"]));
    assert!(!keeps(&failing, "c", &["ext"]));
    let failing_ext = Filter { zone: Some("ext".into()), failures_only: true, ..Filter::default() };
    assert!(keeps(&failing_ext, "a", &["ext"]) && !keeps(&failing_ext, "b", &["ext", "int"]));
    // A control: the tenants it checked; failing it, with failures only.
    let control = Filter { control: Some("GC-NET-001".into()), ..Filter::default() };
    assert!(keeps(&control, "a", &["ext"]) && keeps(&control, "b", &["ext"]) && !keeps(&control, "c", &["ext"]));
    let control_fail = Filter { failures_only: true, ..control };
    assert!(keeps(&control_fail, "a", &["ext"]) && !keeps(&control_fail, "b", &["ext", "int"]));
    assert!(control_fail.reads_findings() && !tenant.reads_findings());
}

#[test]
fn a_filter_naming_what_does_not_exist_says_so() {
    let (tenants, zones) = (["a", "b"], ["ext"]);
    let unknown = |f: Filter| f.unknown(tenants.iter().copied(), zones.iter().copied());
    assert_eq!(unknown(Filter { tenant: Some("a".into()), zone: Some("ext".into()), ..Filter::default() }), None);
    assert_eq!(unknown(Filter { control: Some("gc-net-001".into()), ..Filter::default() }), None);
    assert_eq!(
        unknown(Filter { tenant: Some("c".into()), ..Filter::default() }).as_deref(),
        Some("--tenant c: no such tenant here; give one of a, b")
    );
    assert!(
        unknown(Filter { zone: Some("int".into()), ..Filter::default() }).is_some_and(|m| m.starts_with("--zone int"))
    );
    assert!(
        unknown(Filter { control: Some("GC-NOPE".into()), ..Filter::default() })
            .is_some_and(|m| m.contains("catalogue"))
    );
}
