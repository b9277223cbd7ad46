//! Unit tests of `pending`: which ResourceRequests wait on the platform
//! team, and since when a flow request waits.

use super::*;

/// Undecided ResourceRequests wait on the platform team, from the tenant
/// of the namespace that holds them; decided and invalid ones wait on no one.
#[test]
fn undecided_resource_requests_wait_on_the_platform_team() {
    let request = |name: &str, status: serde_json::Value| -> govcloud_core::api::ResourceRequest {
        serde_json::from_value(serde_json::json!({
                "apiVersion": "govcloud.io/v1alpha1", "kind": "ResourceRequest",
                "metadata": {"name": name, "namespace": "health-extranet", "creationTimestamp": "2026-11-01T00:00:00Z"},
                "spec": {"kind": "Quota", "zone": "extranet", "resources": {"cpu": "2"}, "justification": "flu season", "project": "p-1"},
                "status": status
            }))
            .expect("request")
    };
    let all = [
        request("new", serde_json::json!({})),
        request("seen", serde_json::json!({"phase": "Pending"})),
        request(
            "approved",
            serde_json::json!({"phase": "Approved", "decision": {"state": "Approved", "reason": "ok", "by": "pe"}}),
        ),
        request("invalid", serde_json::json!({"phase": "Invalid"})),
    ];
    let pending = pending_resource_requests(&all);
    assert_eq!(
        pending.iter().map(|p| p.what.as_str()).collect::<Vec<_>>(),
        ["Quota health-extranet/new", "Quota health-extranet/seen"]
    );
    assert!(pending.iter().all(|p| p.from == "health" && p.to == PLATFORM && p.since.is_some()));
}

/// A flow request waits since govcloud first saw it waiting (the flow's
/// `since`), else since the consumer's FlowsPending condition turned True.
#[test]
fn a_flow_request_waits_since_the_flow_says_else_since_flows_pending() {
    let text = "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: x, namespace: c-ext}\nspec:\n  zone: ext\n  image: reg.local/c/x:1\nstatus:\n  conditions:\n  - {type: FlowsPending, status: 'True', reason: Waiting, message: m, lastTransitionTime: '2026-11-01T00:00:00Z'}\n  flows:\n  - {target: p/ext/db, state: Pending, reason: waiting, since: '2026-11-10T00:00:00Z'}\n  - {target: q/ext/api, state: Pending, reason: waiting}\n";
    let model = govcloud_core::model::load_str("t.yaml", text).expect("model").model;
    let row = |to: &str| govcloud_audit::FlowRow {
        from: "c/ext/x".into(),
        to: to.into(),
        state: FlowState::Pending,
        reason: "waiting".into(),
        why: govcloud_core::msg!(govcloud_core::messages::Code::ProviderMissing, to),
        ports: vec![],
        address: None,
    };
    let audit = Audit { flows: vec![row("p/ext/db"), row("q/ext/api")], ..Audit::default() };
    let since: Vec<String> = pending_flow_requests(&model, &audit)
        .iter()
        .map(|r| r.since.map(|t| t.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(since, ["2026-11-10T00:00:00Z", "2026-11-01T00:00:00Z"]);
}
