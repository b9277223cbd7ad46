use std::collections::HashMap;

use super::*;

fn result(rule: &str, outcome: &str, severity: &str, kind: &str, ns: &str, name: &str, at: i64) -> Value {
    serde_json::json!({
        "source": "govcloud", "rule": rule, "result": outcome, "severity": severity,
        "message": "a binding of tenant namespace tongji-extranet grants cluster-admin",
        "resources": [if ns.is_empty() { serde_json::json!({"kind": kind, "name": name}) } else { serde_json::json!({"kind": kind, "namespace": ns, "name": name}) }],
        "properties": {"field": "roleRef.name", "evidence": format!("seen {outcome}")}, "timestamp": {"seconds": at, "nanos": 0}
    })
}

fn reads() -> Vec<ReportRead> {
    let report = |ns: Option<&str>, tenant: Option<&str>, results: Vec<Value>, summary: Value| ReportRead {
        namespace: ns.map(String::from),
        tenant: tenant.map(String::from),
        zone: ns.map(|_| "extranet".to_string()),
        report: serde_json::json!({"metadata": {"name": "govcloud"}, "summary": summary, "results": results}),
    };
    vec![
        report(
            None,
            None,
            vec![result("GC-ZONE-007", "fail", "high", "NetworkZone", "", "extranet", 5)],
            serde_json::json!({"pass": 3, "fail": 1}),
        ),
        report(
            Some("tongji-extranet"),
            Some("tongji"),
            vec![
                result("GC-NET-001", "pass", "critical", "Namespace", "tongji-extranet", "tongji-extranet", 1),
                result("GC-RBAC-002", "fail", "critical", "RoleBinding", "tongji-extranet", "root", 1_780_000_000),
                result("GC-APP-001", "fail", "medium", "DepartmentApp", "tongji-extranet", "macro-db", 3),
                result("GC-APP-002", "warn", "low", "DepartmentApp", "tongji-extranet", "macro-db", 3),
            ],
            serde_json::json!({"pass": 40, "fail": 2, "warn": 1, "skip": 0}),
        ),
        report(
            Some("gongan-extranet"),
            Some("gongan"),
            vec![result("GC-RBAC-002", "fail", "critical", "RoleBinding", "gongan-extranet", "root", 2)],
            serde_json::json!({"pass": 10, "fail": 1}),
        ),
    ]
}

#[test]
fn results_come_failures_first_most_severe_first_with_a_summary_per_namespace_and_the_cluster_last() {
    let m = compliance(&reads(), &Filter::default());
    let ns: Vec<Option<&str>> = m.summaries.iter().map(|s| s.namespace.as_deref()).collect();
    assert_eq!(ns, vec![Some("gongan-extranet"), Some("tongji-extranet"), None]);
    let tongji = &m.summaries[1];
    assert_eq!(tongji.counts, [40, 2, 1, 0]);
    assert_eq!(tongji.name, "govcloud");
    assert_eq!(tongji.failed, vec![(Severity::Critical, 1), (Severity::Medium, 1)]);
    assert_eq!((tongji.tenant.as_deref(), tongji.zone.as_deref()), (Some("tongji"), Some("extranet")));
    let order: Vec<(&str, Outcome, &str)> =
        m.rows.iter().map(|r| (r.control.as_str(), r.outcome, r.object.as_str())).collect();
    assert_eq!(
        order,
        vec![
            ("GC-RBAC-002", Outcome::Fail, "RoleBinding/gongan-extranet/root"),
            ("GC-RBAC-002", Outcome::Fail, "RoleBinding/tongji-extranet/root"),
            ("GC-ZONE-007", Outcome::Fail, "NetworkZone/extranet"),
            ("GC-APP-001", Outcome::Fail, "DepartmentApp/tongji-extranet/macro-db"),
            ("GC-APP-002", Outcome::Warn, "DepartmentApp/tongji-extranet/macro-db"),
            ("GC-NET-001", Outcome::Pass, "Namespace/tongji-extranet/tongji-extranet"),
        ]
    );
    assert_eq!(m.rows[1].changed, Some(1_780_000_000));
    assert_eq!(m.rows[1].field, "roleRef.name");
    assert_eq!(m.more, 0);
}

#[test]
fn the_query_narrows_the_results_with_the_audit_s_filter() {
    let q = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    let f = filter_of(&q(&[("tenant", "tongji"), ("failures", "1"), ("zone", " "), ("control", "")]));
    assert_eq!(f, Filter { tenant: Some("tongji".into()), failures_only: true, ..Filter::default() });
    let m = compliance(&reads(), &f);
    assert!(m.rows.iter().all(|r| r.tenant.as_deref() == Some("tongji") && r.outcome == Outcome::Fail), "{:?}", m.rows);
    assert_eq!(m.rows.len(), 2);
    // The summaries stay whole: what the filter narrows is the results.
    assert_eq!(m.summaries.len(), 3);
    let m = compliance(&reads(), &filter_of(&q(&[("control", "gc-rbac-002")])));
    assert_eq!(m.rows.len(), 2);
    // A zone keeps its own findings (the zone's object) too.
    let m = compliance(&reads(), &filter_of(&q(&[("zone", "extranet")])));
    assert!(m.rows.iter().any(|r| r.object == "NetworkZone/extranet"), "{:?}", m.rows);
    assert!(!filter_of(&q(&[("failures", "0")])).failures_only);
}

#[test]
fn the_page_gives_reasons_and_titles_in_its_language_links_apps_and_labels_its_filter() {
    let c = Chrome { lang: Lang::Zh, user: "li".into(), csrf: "c5rf".into(), login: false };
    let m = compliance(&reads(), &Filter::default());
    let refused = [Refusal {
        doing: "list ClusterReports".into(),
        code: 403,
        reason: "Forbidden".into(),
        message: "clusterreports.openreports.io is forbidden".into(),
    }];
    let p = page_of(&c, &m, &Filter::default(), &refused, None);
    for s in [
        "<html lang=\"zh\">",
        "href=\"/compliance\"",
        "<label for=\"f-tenant\">",
        "<label for=\"f-failures\">",
        "href=\"/app/tongji-extranet/macro-db\"",
        "href=\"/#tenant-tongji\"",
        "(403 Forbidden)",
        "<details class=\"refused\"><summary><h2>API 服务器拒绝读取的报告 (1)</h2></summary>",
        "集群级 <small>govcloud</small>",
        "<small>seen fail</small>",
        "clusterreports.openreports.io is forbidden",
        &when(1_780_000_000),
        title("GC-RBAC-002", Lang::Zh),
        severity_name(Severity::Critical, Lang::Zh),
    ] {
        assert!(p.contains(s), "{s} not in {p}");
    }
    assert_eq!(when(1_780_000_000), "2026-05-28 20:26 UTC");
    // The English message read back into Chinese by the catalogue, where it knows it.
    let en = "the namespace has no default-deny NetworkPolicy";
    let zh = govcloud_core::messages::said("", en, Lang::Zh);
    let mut r = reads();
    r[1].report["results"][1]["message"] = en.into();
    let p = page_of(&c, &compliance(&r, &Filter::default()), &Filter::default(), &[], None);
    assert!(p.contains(&zh), "{zh} not in {p}");
    assert!(!p.contains("<script") && !p.contains("style="), "inline script or style: {p}");
    assert!(!p.contains("seen pass"), "a pass's evidence is not shown: {p}");
    // An admission rule's message names its control: the row does already.
    let mut x = m.rows[0].clone();
    x.message = format!("[{}] spec.hostIPC must not be true", x.control);
    assert_eq!(reason(&x, Lang::En), "spec.hostIPC must not be true");
    let en = page_of(&Chrome { lang: Lang::En, ..c }, &m, &Filter::default(), &[], Some("--tenant x: no such tenant"));
    assert!(en.contains("failures only") && en.contains("no such tenant") && en.contains("Critical"), "{en}");
}
