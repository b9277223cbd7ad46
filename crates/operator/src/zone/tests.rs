use super::*;
use crate::status::differs;
use govcloud_core::api::{ComplianceSummary, TaintEffect};
use k8s_openapi::api::core::v1::{NodeCondition, NodeSpec, NodeStatus, Taint};
use kube::api::ObjectMeta;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn taint() -> ZoneTaint {
    ZoneTaint { key: "govcloud.io/zone".into(), value: "extranet".into(), effect: TaintEffect::NoSchedule }
}

fn node(name: &str, zone: &str, tainted: bool, ready: bool) -> Node {
    Node {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some([("zone".to_string(), zone.to_string())].into()),
            ..Default::default()
        },
        spec: Some(NodeSpec {
            taints: tainted.then(|| {
                vec![Taint {
                    key: "govcloud.io/zone".into(),
                    value: Some("extranet".into()),
                    effect: "NoSchedule".into(),
                    ..Default::default()
                }]
            }),
            ..Default::default()
        }),
        status: Some(NodeStatus {
            conditions: Some(vec![NodeCondition {
                type_: "Ready".into(),
                status: if ready { "True" } else { "False" }.into(),
                ..Default::default()
            }]),
            ..Default::default()
        }),
    }
}

fn figures<'a>(
    previous: Option<&'a NetworkZoneStatus>,
    taint: &'a ZoneTaint,
    nodes: NodeCount,
    problems: Vec<String>,
) -> ZoneFigures<'a> {
    ZoneFigures {
        previous,
        generation: Some(3),
        taint,
        nodes,
        tenants: 2,
        apps: 5,
        problems,
        elsewhere: None,
        host_owners: vec![],
        capacity: (None, Default::default()),
        zone: None,
    }
}

#[test]
fn nodes_are_counted_by_labels_taint_and_readiness() {
    let pool = NodePool { selector: [("zone".to_string(), "extranet".to_string())].into(), taint: taint() };
    let nodes = [
        node("b", "extranet", false, true),
        node("a", "extranet", true, true),
        node("c", "extranet", true, false),
        node("d", "private", true, true),
    ];
    let count = count_nodes(&pool, nodes.iter());
    // Nodes that report no platform are one group of their own (nothing made up).
    let unknown = govcloud_core::api::NodePlatform { nodes: 3, cpu: "0".into(), ..Default::default() };
    assert_eq!(count, NodeCount { matched: 3, ready: 1, untainted: vec!["b".into()], platforms: vec![unknown] });
}

#[test]
fn a_zone_is_ready_with_ready_nodes_and_degraded_by_untainted_ones() {
    let t0 = ts("2026-01-01T00:00:00Z");
    let taint = taint();
    let ok = zone_status(
        figures(None, &taint, NodeCount { matched: 2, ready: 2, untainted: vec![], platforms: vec![] }, vec![]),
        t0,
    );
    assert_eq!(
        (ok.nodes_summary.as_deref(), ok.tenants, ok.apps, ok.observed_generation),
        (Some("2/2"), 2, 5, Some(3))
    );
    assert_eq!(
        (ok.conditions[0].type_.as_str(), ok.conditions[0].status.as_str(), ok.conditions[0].reason.as_str()),
        ("Ready", "True", "Ready")
    );
    assert_eq!(ok.conditions[1].status, "False");
    let bad = zone_status(
        figures(
            None,
            &taint,
            NodeCount { matched: 3, ready: 2, untainted: vec!["n3".into()], platforms: vec![] },
            vec![],
        ),
        t0,
    );
    assert_eq!((bad.conditions[0].status.as_str(), bad.conditions[0].reason.as_str()), ("False", "Degraded"));
    assert_eq!(bad.conditions[1].message, "nodes without the zone taint govcloud.io/zone=extranet:NoSchedule: n3");
    let none = zone_status(figures(None, &taint, NodeCount::default(), vec!["spec.cidrs: overlaps".into()]), t0);
    assert_eq!(none.conditions[0].reason, "NoReadyNodes");
    assert_eq!(
        (none.conditions[1].reason.as_str(), none.conditions[1].message.as_str()),
        ("Inconsistent", "spec.cidrs: overlaps")
    );
}

#[test]
fn an_unchanged_zone_status_is_not_written_again_whatever_the_audit_wrote() {
    let taint = taint();
    let count = NodeCount { matched: 2, ready: 2, untainted: vec![], platforms: vec![] };
    let first = zone_status(figures(None, &taint, count.clone(), vec![]), ts("2026-01-01T00:00:00Z"));
    let audited =
        NetworkZoneStatus { compliance: Some(ComplianceSummary { pass: 3, ..Default::default() }), ..first.clone() };
    let again = zone_status(figures(Some(&audited), &taint, count, vec![]), ts("2026-01-02T00:00:00Z"));
    assert_eq!(again.conditions, first.conditions, "transition times kept");
    assert!(!differs(Some(&audited), &again));
    let changed = zone_status(
        figures(
            Some(&audited),
            &taint,
            NodeCount { matched: 2, ready: 1, untainted: vec![], platforms: vec![] },
            vec![],
        ),
        ts("2026-01-02T00:00:00Z"),
    );
    assert!(differs(Some(&audited), &changed));
}

#[test]
fn a_held_deletion_is_said_once_and_keeps_the_figures() {
    let taint = taint();
    let prev = NetworkZoneStatus {
        compliance: Some(ComplianceSummary { fail: 1, ..Default::default() }),
        ..zone_status(
            figures(None, &taint, NodeCount { matched: 1, ready: 1, untainted: vec![], platforms: vec![] }, vec![]),
            ts("2026-01-01T00:00:00Z"),
        )
    };
    let hold = |t: &str, r: Option<&str>| Hold { tenant: t.into(), request: r.map(String::from) };
    let msg = deletion_held_message("extranet", &[hold("a", None), hold("b", None)]);
    assert_eq!(
        msg,
        "deletion held: tenants a, b still use zone extranet; remove the zone from the spec.zones of a, b first"
    );
    let through = deletion_held_message("extranet", &[hold("a", None), hold("b", Some("b-lab/more"))]);
    assert_eq!(
        through,
        "deletion held: tenants a, b still use zone extranet; remove the zone from the spec.zones of a, and delete the approved ZoneAccess requests b-lab/more (tenant b) first"
    );
    let held = deletion_held_status(Some(&prev), Some(4), &msg, ts("2026-01-02T00:00:00Z")).expect("a new message");
    assert_eq!((held.nodes_ready, held.compliance.as_ref()), (1, None));
    assert_eq!(
        (held.conditions.len(), held.conditions[0].reason.as_str(), held.conditions[0].status.as_str()),
        (1, "DeletionHeld", "False")
    );
    assert_eq!(deletion_held_status(Some(&held), Some(4), &msg, ts("2026-01-03T00:00:00Z")), None);
}

#[test]
fn the_zone_status_patch_has_no_compliance() {
    let taint = taint();
    let mut status = zone_status(figures(None, &taint, NodeCount::default(), vec![]), ts("2026-01-01T00:00:00Z"));
    let body = super::super::status::status_patch::<NetworkZone, _>(&status).expect("body");
    assert_eq!(body["kind"], "NetworkZone");
    assert_eq!(body["apiVersion"], govcloud_core::meta::API_VERSION);
    assert!(body["status"].get("compliance").is_none(), "{body}");
    assert!(body["status"].get("nodesSummary").is_some());
    // Even a status that carries one: the patch leaves it to the report loop.
    status.compliance = Some(ComplianceSummary::default());
    let body = super::super::status::status_patch::<NetworkZone, _>(&status).expect("body");
    assert!(body["status"].get("compliance").is_none(), "{body}");
}
