//! Departments' ResourceRequests (who files, who decides, once), the Service cluster IP govcloud chose,
//! and the zone status only the operator writes.

use super::cel::{check, ns_label};
use crate::controls::admission::{Policy, labels, leak, rules, tenant_namespaces};
use crate::meta::labels::CHOSEN_CLUSTER_IP;

use crate::controls::custody::Rule;
use crate::controls::{PUBLIC_HOSTS, REQUEST_DECISIONS, REQUEST_PLACEMENT, ZONE_CAPACITY, custody};
use crate::meta::labels::{TENANT, ZONE};
use crate::meta::names;
use serde_json::{Value, json};

/// GC-REQ-001/002: ResourceRequests. Filing: only in a tenant namespace, for
/// its zone, with the requester the API server recorded (the requester
/// mutating policy sets it). Deciding (the status subresource): a reason
/// (the CRD's schema), final, never by the requester, with the decider the
/// API server recorded; a surge's expiry never moves. Both judge the request
/// (who makes it), so the offline evaluator leaves them out; their bindings
/// match every namespace, so a request outside a tenant namespace is refused.
pub(super) fn request_policies() -> Vec<Policy> {
    let filing = Policy {
        name: leak(names::admission_policy("requests")),
        resources: vec![(crate::meta::GROUP, "resourcerequests")],
        operations: &["CREATE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![("tenant", ns_label(TENANT)), ("zone", ns_label(ZONE))],
        checks: vec![
            check(
                REQUEST_PLACEMENT,
                "variables.tenant != '' && variables.zone != '' && request.namespace == variables.tenant + '-' + variables.zone",
                "metadata.namespace: a ResourceRequest is filed in one of the tenant's namespaces (<tenant>-<zone>); the request is for that tenant",
            ),
            check(
                REQUEST_PLACEMENT,
                "!(object.spec.kind in ['Quota', 'Surge']) || (has(object.spec.zone) && object.spec.zone == variables.zone)",
                "spec.zone of a Quota or Surge request must be the zone of its namespace; file it in the tenant's namespace of that zone",
            ),
            check(
                REQUEST_DECISIONS,
                "has(object.spec.requester) && object.spec.requester.username == request.userInfo.username",
                format!(
                    "spec.requester is recorded by the API server from the user filing the request ({}); it names nobody else",
                    names::REQUESTER_POLICY
                ),
            ),
        ],
        request_only: true,
        tenant_namespaces: false,
    };
    let old_decision = "has(oldObject.status) && has(oldObject.status.decision)";
    let decided = "has(object.status) && has(object.status.decision)";
    let deciding = Policy {
        name: leak(names::admission_policy("request-decisions")),
        resources: vec![(crate::meta::GROUP, "resourcerequests/status")],
        operations: &["UPDATE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![
            ("wasDecided", old_decision.to_string()),
            ("newlyDecided", format!("!({old_decision}) && {decided}")),
            ("byOperator", custody::allows(Rule::RequestStatus)),
            // The operator's part of a request's status.
            ("operatorFieldsKept", status_kept(&["phase", "message", "tenant", "expiresAt", "history"])),
        ],
        checks: vec![
            check(
                REQUEST_DECISIONS,
                format!("!variables.wasDecided || ({decided} && object.status.decision == oldObject.status.decision)"),
                "status.decision is final once made; file a new request to change the outcome",
            ),
            check(
                REQUEST_DECISIONS,
                "!variables.newlyDecided || (has(object.spec.requester) && object.spec.requester.username != request.userInfo.username)",
                "status.decision cannot be made by the request's requester (separation of duties): another platform engineer decides it",
            ),
            check(
                REQUEST_DECISIONS,
                "!variables.newlyDecided || (has(object.status.decision.by) && object.status.decision.by == request.userInfo.username)",
                format!(
                    "status.decision.by is recorded by the API server from the deciding user ({}); it names nobody else",
                    names::DECIDER_POLICY
                ),
            ),
            check(
                REQUEST_DECISIONS,
                "!has(oldObject.status) || !has(oldObject.status.expiresAt) || (has(object.status.expiresAt) && object.status.expiresAt == oldObject.status.expiresAt)",
                "status.expiresAt never moves once set: a surge ends when it was set to end; file a new Surge request for more time",
            ),
            check(
                REQUEST_DECISIONS,
                "variables.byOperator || variables.operatorFieldsKept",
                "status: a platform engineer writes only status.decision; phase, message, tenant, expiresAt and history are the operator's",
            ),
            check(
                REQUEST_DECISIONS,
                "!has(object.status) || !has(object.status.expiresAt) || (has(object.spec.minutes) && has(object.status.history) && object.status.history.exists(t, t.phase == 'Approved' && timestamp(string(t.at)) + duration(string(object.spec.minutes) + 'm') == timestamp(string(object.status.expiresAt))))",
                "status.expiresAt is the approval's time (status.history) plus spec.minutes, set by the operator for an approved Surge",
            ),
        ],
        request_only: true,
        tenant_namespaces: false,
    };
    let withdrawing = Policy {
        name: leak(names::admission_policy("requests-delete")),
        resources: vec![(crate::meta::GROUP, "resourcerequests")],
        operations: &["DELETE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![],
        checks: vec![check(
            REQUEST_DECISIONS,
            format!(
                "!(has(oldObject.status) && has(oldObject.status.decision)) || {}",
                custody::allows(Rule::RequestDeletion)
            ),
            "metadata: a decided request is kept for the record (the operator removes it after the retention period); only a pending one can be withdrawn",
        )],
        request_only: true,
        tenant_namespaces: false,
    };
    // GC-ZONE-007: an approval adds to what the zone has granted; the
    // operator keeps both figures in the zone's status.
    let fits = |r: &str| {
        format!(
            "!has(object.spec.resources.{r}) || quantity(params.status.capacity.granted{cap}).add(quantity(object.spec.resources.{r})).compareTo(quantity(params.status.capacity.{r})) <= 0",
            cap = if r == "cpu" { "Cpu" } else { "Memory" }
        )
    };
    let capacity = Policy {
        name: leak(names::zone_admission_policy("request-capacity")),
        resources: vec![(crate::meta::GROUP, "resourcerequests/status")],
        operations: &["UPDATE"],
        zone_param: true,
        match_conditions: vec![(
            "newly-approved",
            format!(
                "!({old_decision}) && {decided} && object.status.decision.state == 'Approved' && object.spec.kind in ['Quota', 'Surge'] && has(object.spec.resources)"
            ),
        )],
        variables: vec![("known", "has(params.status) && has(params.status.capacity)".to_string())],
        checks: vec![check(
            ZONE_CAPACITY,
            format!("!variables.known || (({}) && ({}))", fits("cpu"), fits("memory")),
            "status.decision: approving would grant more CPU or memory in this zone than its Ready nodes give times its over-commit ratio (NetworkZone status.capacity); add nodes, raise spec.overcommit, or reject",
        )],
        request_only: true,
        tenant_namespaces: true,
    };
    vec![filing, deciding, withdrawing, capacity]
}

/// CEL that holds when the status `fields` of an UPDATE are as they were
/// (present and equal, or absent on both sides).
pub(super) fn status_kept(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| {
            let new = format!("(has(object.status) && has(object.status.{f}))");
            let old = format!("(has(oldObject.status) && has(oldObject.status.{f}))");
            format!("({new} ? ({old} && object.status.{f} == oldObject.status.{f}) : !{old})")
        })
        .collect::<Vec<_>>()
        .join(" && ")
}

/// The mutating policies that record who files and who decides a
/// ResourceRequest from the request's user info, overwriting anything typed
/// in (the validating policies above refuse anything else), with their bindings.
pub(super) fn request_mutations() -> Vec<Value> {
    let mutating = |name: &str, resource: &str, operation: &str, condition: Option<&str>, mutation: Value| {
        let mut spec = json!({
            "failurePolicy": "Fail",
            "reinvocationPolicy": "Never",
            "matchConstraints": {"resourceRules": rules(&[(crate::meta::GROUP, resource)], &[operation])},
            "mutations": [mutation],
        });
        if let Some(c) = condition {
            spec["matchConditions"] = json!([{"name": "newly-decided", "expression": c}]);
        }
        vec![
            json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingAdmissionPolicy", "metadata": {"name": name, "labels": labels()}, "spec": spec}),
            json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingAdmissionPolicyBinding", "metadata": {"name": name, "labels": labels()}, "spec": {"policyName": name}}),
        ]
    };
    let mut out = mutating(
        names::REQUESTER_POLICY,
        "resourcerequests",
        "CREATE",
        None,
        // A JSON patch `add` replaces the whole requester, groups included (an
        // apply configuration may not replace an atomic list).
        json!({"patchType": "JSONPatch", "jsonPatch": {"expression":
            "[JSONPatch{op: 'add', path: '/spec/requester', value: Object.spec.requester{username: request.userInfo.username, groups: request.userInfo.groups}}]"}}),
    );
    out.extend(mutating(
        names::DECIDER_POLICY,
        "resourcerequests/status",
        "UPDATE",
        Some("has(object.status) && has(object.status.decision) && !(has(oldObject.status) && has(oldObject.status.decision))"),
        json!({"patchType": "ApplyConfiguration", "applyConfiguration": {"expression":
            "Object{status: Object.status{decision: Object.status.decision{by: request.userInfo.username}}}"}}),
    ));
    out
}

/// GC-SVC-001: the API server allocates a Service's address before the
/// validating policies see it, so an address a department chose looks like
/// an allocated one there. This mutating policy runs before the allocation
/// and records the chosen address in an annotation, which `govcloud-services`
/// refuses (with the reason), in tenant namespaces.
pub(super) fn service_mutations() -> Vec<Value> {
    let chosen = "(has(object.spec.clusterIP) && !(object.spec.clusterIP in ['', 'None'])) || (has(object.spec.clusterIPs) && object.spec.clusterIPs.exists(ip, !(ip in ['', 'None'])))";
    let value = "has(object.spec.clusterIP) && !(object.spec.clusterIP in ['', 'None']) ? object.spec.clusterIP : object.spec.clusterIPs.filter(ip, !(ip in ['', 'None']))[0]";
    let name = names::CLUSTER_IP_POLICY;
    vec![
        json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingAdmissionPolicy", "metadata": {"name": name, "labels": labels()}, "spec": {
            "failurePolicy": "Fail",
            "reinvocationPolicy": "Never",
            "matchConstraints": {"resourceRules": rules(&[("", "services")], &["CREATE"])},
            "matchConditions": [{"name": "address-chosen", "expression": chosen}],
            "mutations": [{"patchType": "ApplyConfiguration", "applyConfiguration": {"expression": format!(
                "Object{{metadata: Object.metadata{{annotations: {{'{CHOSEN_CLUSTER_IP}': {value}}}}}}}"
            )}}],
        }}),
        json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingAdmissionPolicyBinding", "metadata": {"name": name, "labels": labels()},
            "spec": {"policyName": name, "matchResources": {"namespaceSelector": tenant_namespaces()}}}),
    ]
}

/// The host owners and the capacity in a NetworkZone's status are what
/// admission reads to keep a tenant's host and a zone's capacity; only the
/// operator writes them (a role granting `networkzones/status` to a platform
/// tool grants no say over them).
pub(super) fn zone_status_policy() -> Policy {
    let kept = |f: &str| format!("variables.byOperator || {}", status_kept(&[f]));
    Policy {
        name: leak(names::admission_policy("zone-status")),
        resources: vec![(crate::meta::GROUP, "networkzones/status")],
        operations: &["UPDATE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![("byOperator", custody::allows(Rule::ZoneStatus))],
        checks: vec![
            check(
                PUBLIC_HOSTS,
                kept("hostOwners"),
                "status.hostOwners is written by the operator only: admission reads it to keep each tenant's hosts",
            ),
            check(
                ZONE_CAPACITY,
                kept("capacity"),
                "status.capacity is written by the operator only: admission reads it to refuse approvals beyond the zone's capacity",
            ),
        ],
        request_only: true,
        // NetworkZones are cluster-scoped: the binding matches every update.
        tenant_namespaces: false,
    }
}
