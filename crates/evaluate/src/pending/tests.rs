//! Unit tests of `pending`: which ResourceRequests wait on the platform team.

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
