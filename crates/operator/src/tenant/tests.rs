use super::*;
use crate::status::differs;
use govcloud_core::api::ComplianceSummary;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn usage(ns: &str, granted: &[&str], used: &[&str]) -> ZoneUsage {
    let m = |ks: &[&str]| ks.iter().map(|k| (k.to_string(), "1".to_string())).collect();
    ZoneUsage { zone: "extranet".into(), namespace: ns.into(), granted: m(granted), used: m(used) }
}

fn provisioned<'a>() -> TenantFigures<'a> {
    TenantFigures {
        generation: Some(2),
        namespaces: vec!["a-ext".into(), "a-pri".into()],
        quota: vec![usage("a-ext", &["pods"], &["pods"])],
        apps: 3,
        flows_given: 1,
        ..Default::default()
    }
}

#[test]
fn a_provisioned_tenant_is_ready() {
    let s = tenant_status(provisioned(), ts("2026-01-01T00:00:00Z"));
    assert_eq!((s.apps, s.flows_given, s.flows_received, s.observed_generation), (3, 1, 0, Some(2)));
    assert_eq!((s.conditions[0].status.as_str(), s.conditions[0].reason.as_str()), ("True", "Provisioned"));
    assert_eq!(s.conditions[0].message, "2 namespaces isolated and provisioned");
    assert_eq!((s.conditions[1].status.as_str(), s.conditions[1].reason.as_str()), ("False", "AsDeclared"));
}

#[test]
fn a_tenant_waits_for_what_is_missing_and_for_its_quota_count() {
    let f = TenantFigures {
        missing: vec!["Namespace/a-pri".into()],
        quota: vec![usage("a-ext", &["pods", "cpu"], &["pods"])],
        ..provisioned()
    };
    let s = tenant_status(f, ts("2026-01-01T00:00:00Z"));
    assert_eq!((s.conditions[0].status.as_str(), s.conditions[0].reason.as_str()), ("False", "Provisioning"));
    assert_eq!(
        s.conditions[0].message,
        format!(
            "waiting for Namespace/a-pri, the usage count of ResourceQuota a-ext/{}",
            govcloud_core::meta::names::QUOTA
        )
    );
}

#[test]
fn problems_come_before_conflicts_and_both_degrade() {
    let conflict = "Namespace a-ext exists and was not created by govcloud";
    let s = tenant_status(TenantFigures { conflict: Some(conflict), ..provisioned() }, ts("2026-01-01T00:00:00Z"));
    assert_eq!((s.conditions[0].reason.as_str(), s.conditions[0].message.as_str()), ("Conflict", conflict));
    assert_eq!((s.conditions[1].status.as_str(), s.conditions[1].reason.as_str()), ("True", "Conflict"));
    assert_eq!(
        super::super::status::standing_conflict(&s.conditions).as_deref(),
        Some(conflict),
        "a refresh keeps the conflict"
    );
    let f = TenantFigures {
        conflict: Some(conflict),
        problems: vec!["spec.zones[0]: unknown zone".into()],
        ..provisioned()
    };
    let s = tenant_status(f, ts("2026-01-01T00:00:00Z"));
    assert_eq!(
        (s.conditions[0].reason.as_str(), s.conditions[0].message.as_str()),
        ("Invalid", "spec.zones[0]: unknown zone")
    );
    assert_eq!(s.conditions[1].message, format!("spec.zones[0]: unknown zone; {conflict}"));
}

#[test]
fn an_unchanged_tenant_status_is_detected_and_its_patch_has_no_compliance() {
    let first = tenant_status(provisioned(), ts("2026-01-01T00:00:00Z"));
    let audited =
        TenantStatus { compliance: Some(ComplianceSummary { warn: 2, ..Default::default() }), ..first.clone() };
    let again = tenant_status(TenantFigures { previous: Some(&audited), ..provisioned() }, ts("2026-01-05T00:00:00Z"));
    assert!(!differs(Some(&audited), &again));
    assert!(differs(None, &again));
    let body = super::super::status::status_patch::<Tenant, _>(&audited).expect("body");
    assert_eq!(body["kind"], "Tenant");
    assert!(body["status"].get("compliance").is_none(), "{body}");
    assert_eq!(body["status"]["apps"], 3);
}

#[test]
fn the_status_gives_kind_and_cpu_and_memory_used_of_granted_over_the_zones() {
    let zone = |ns: &str, granted: &[(&str, &str)], used: &[(&str, &str)]| {
        let m = |kv: &[(&str, &str)]| kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ZoneUsage { zone: ns.into(), namespace: ns.into(), granted: m(granted), used: m(used) }
    };
    let quota = vec![
        zone(
            "a-ext",
            &[("requests.cpu", "4"), ("requests.memory", "8Gi")],
            &[("requests.cpu", "500m"), ("requests.memory", "1Gi")],
        ),
        zone("a-pri", &[("requests.cpu", "2"), ("requests.memory", "8Gi")], &[("requests.cpu", "1")]),
    ];
    assert_eq!(used_of_granted(&quota, "requests.cpu").as_deref(), Some("1500m/6"));
    assert_eq!(used_of_granted(&quota, "requests.memory").as_deref(), Some("1Gi/16Gi"));
    assert_eq!(used_of_granted(&quota, "requests.storage"), None, "granted nowhere: no figure");
    let s = tenant_status(TenantFigures { quota, kind: "district", ..provisioned() }, ts("2026-01-01T00:00:00Z"));
    assert_eq!(
        (s.kind.as_deref(), s.cpu_summary.as_deref(), s.memory_summary.as_deref()),
        (Some("district"), Some("1500m/6"), Some("1Gi/16Gi"))
    );
    let labels = |v: Option<&str>| {
        v.map(|v| (govcloud_core::meta::labels::TENANT_KIND.to_string(), v.to_string())).into_iter().collect()
    };
    assert_eq!(govcloud_core::meta::labels::tenant_kind(&labels(Some("district"))), "district");
    assert_eq!(govcloud_core::meta::labels::tenant_kind(&labels(None)), "department");
    assert_eq!(govcloud_core::meta::labels::tenant_kind(&labels(Some("District"))), "department");
}
