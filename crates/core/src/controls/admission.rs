//! ValidatingAdmissionPolicies generated from the catalogue. They live in the
//! API server, so they hold while the operator is down, upgrading or slow.
//!
//! One pod-spec rule set is applied wherever a pod spec appears: pods (create,
//! update and the `ephemeralcontainers` subresource), the templates of
//! Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and
//! ReplicationControllers, and CronJobs' job templates.
//!
//! ```text
//!   govcloud-pods | -workloads | -cronjobs     GC-POD-002 GC-HOST-00x GC-ZONE-003 GC-IMG-001/002 GC-RES-001 GC-VOL-002 GC-TEN-001
//!     shipped as one policy per shape with    GC-NET-006 GC-MGD-001 (the -identity policies), GC-RES-003,
//!     GC-MGD-001 for those requests and the zone policy below ([`bundle`]: one policy a pod, not five)
//!   govcloud-zone-pods | -workloads | -cronjobs GC-ZONE-001/002 GC-IMG-001/003 GC-VOL-001 GC-PRI-001 GC-POD-003   param: the namespace's NetworkZone
//!   govcloud-services                           GC-SVC-001
//!   govcloud-ingresses                          GC-SVC-002
//!   govcloud-zone-ingresses                     GC-SVC-004/005                param: the namespace's NetworkZone
//!   govcloud-claims                             GC-VOL-002
//!   govcloud-secrets                            GC-RBAC-003
//!   govcloud-rolebindings                       GC-RBAC-002
//!   govcloud-apps                               GC-TEN-001 GC-IMG-001/002
//!   govcloud-zone-apps                          GC-APP-001 GC-IMG-001/003 GC-SVC-003/004/005 GC-POD-003   param: the namespace's NetworkZone
//!   govcloud-app-scaling                        GC-RES-004   (spec.autoscaling against the namespace's quota annotations)
//!   govcloud-hpas                               GC-RES-004   (HorizontalPodAutoscalers' maxReplicas against the quota's pods)
//!   govcloud-managed-objects                    GC-MGD-001   (everything labelled as ours)
//!   govcloud-tenant-prevent-deletion            GC-TEN-002   (DELETE of a Tenant; judges the request, not offline)
//!   govcloud-requests                           GC-REQ-001/002 (CREATE of a ResourceRequest, in every namespace)
//!   govcloud-request-decisions                  GC-REQ-001   (resourcerequests/status: the decision)
//!   govcloud-request-requester  (mutating)      GC-REQ-001   records spec.requester from the user who files
//!   govcloud-request-decider    (mutating)      GC-REQ-001   records status.decision.by from the user who decides
//! ```
//!
//! Every message starts with the control id and names the offending field.
//! Render-time validation and the audit evaluate these very expressions
//! offline, with [`super::eval`].

use crate::controls::admission::objects::managed_objects_policy;
use crate::controls::admission::requests::{request_mutations, service_mutations};
use crate::controls::admission::table::build_policies;

use crate::controls::{EXTERNAL_SERVICES, REQUEST_DECISIONS};

mod bundle;
mod cel;
pub use bundle::{catch_all_bindings, shipped_as};
mod objects;
mod pods;
mod public;
mod requests;
mod scaling;
mod sharing;
mod table;

pub use objects::{ANNOTATIONS_MAX, CONFIG_MAP_MAX, MADE_FROM_MANAGED, SECRET_MAX};
pub use pods::DEFAULT_VOLUME_SOURCES;
pub use public::{CLUSTER_ISSUER_ANNOTATION, INGRESS_CLASS_ANNOTATION, NAMESPACED_ISSUER_ANNOTATIONS};

use std::sync::OnceLock;

use serde_json::{Value, json};

use super::custody::{self};
use crate::api::{OwnerRole, VolumeType};
use crate::meta::labels::{CORDONED as CORDONED_LABEL, MANAGED_BY, MANAGER, TENANT};

/// One CEL validation of a policy, for one control.
pub struct Check {
    /// The control it enforces.
    pub control: &'static str,
    /// CEL that must be true.
    pub expression: String,
    /// Message (after `[control] `); its first word is the offending field.
    pub message: String,
}

impl Check {
    /// The offending field: the message's first word (`spec.image`, `metadata.namespace`).
    pub fn field(&self) -> &str {
        self.message.split_whitespace().next().unwrap_or_default().trim_end_matches(':')
    }
}

/// A generated policy.
pub struct Policy {
    /// Policy name.
    pub name: &'static str,
    /// (apiGroup, resource) it matches; a resource may name a subresource (`pods/ephemeralcontainers`).
    pub resources: Vec<(&'static str, &'static str)>,
    /// Operations it matches.
    pub operations: &'static [&'static str],
    /// Whether it takes the namespace's NetworkZone as parameter.
    pub zone_param: bool,
    /// Conditions under which the policy applies at all (admission only; the audit checks everything).
    pub match_conditions: Vec<(&'static str, String)>,
    /// CEL variables, in order (a variable may use the ones before it).
    pub variables: Vec<(&'static str, String)>,
    /// The checks.
    pub checks: Vec<Check>,
    /// Whether the checks judge a request (who makes it, a deletion), not an
    /// object: the offline evaluator cannot judge them.
    pub request_only: bool,
    /// Whether its binding applies to tenant namespaces only (else to every
    /// request it matches, as for a cluster-scoped resource).
    pub tenant_namespaces: bool,
}

impl Policy {
    /// Whether the policy matches objects of this (group, resource).
    pub fn matches(&self, group: &str, resource: &str) -> bool {
        self.resources.iter().any(|(g, r)| *g == group && *r == resource)
    }
}

/// Where a pod spec sits in an object.
struct Shape {
    suffix: &'static str,
    resources: &'static [(&'static str, &'static str)],
    /// Path of the pod spec, as CEL and as a field path for messages.
    spec: &'static str,
    /// Only a pod's own nodeName may be set after creation (by the scheduler).
    is_pod: bool,
}

const SHAPES: &[Shape] = &[
    Shape { suffix: "pods", resources: &[("", "pods"), ("", "pods/ephemeralcontainers")], spec: "spec", is_pod: true },
    Shape {
        suffix: "workloads",
        resources: &[
            ("apps", "deployments"),
            ("apps", "statefulsets"),
            ("apps", "daemonsets"),
            ("apps", "replicasets"),
            ("batch", "jobs"),
            ("", "replicationcontrollers"),
        ],
        spec: "spec.template.spec",
        is_pod: false,
    },
    Shape {
        suffix: "cronjobs",
        resources: &[("batch", "cronjobs")],
        spec: "spec.jobTemplate.spec.template.spec",
        is_pod: false,
    },
];

/// A policy on CREATE and UPDATE of `resources`, applying to every such request.
fn policy(
    name: String,
    resources: Vec<(&'static str, &'static str)>,
    zone_param: bool,
    variables: Vec<(&'static str, String)>,
    checks: Vec<Check>,
) -> Policy {
    Policy {
        name: leak(name),
        resources,
        operations: &["CREATE", "UPDATE"],
        zone_param,
        match_conditions: vec![],
        variables,
        checks,
        request_only: false,
        tenant_namespaces: true,
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Every generated policy (built once).
pub fn policies() -> &'static [Policy] {
    static P: OnceLock<Vec<Policy>> = OnceLock::new();
    P.get_or_init(build_policies)
}

/// Resources whose govcloud-labelled objects only their makers may change:
/// every kind govcloud owns, and [`MADE_FROM_MANAGED`].
fn managed_resources() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = crate::meta::kinds::OWNED.iter().map(|k| (k.group, k.plural)).collect();
    out.extend(MADE_FROM_MANAGED.iter().filter(|r| !out.contains(r)).copied().collect::<Vec<_>>());
    out
}

fn labels() -> Value {
    json!({MANAGED_BY: MANAGER})
}

fn rules(resources: &[(&str, &str)], operations: &[&str]) -> Value {
    let mut by_group: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (g, r) in resources {
        by_group.entry(g).or_default().push(r);
    }
    Value::Array(
        by_group
            .into_iter()
            .map(|(g, rs)| json!({"apiGroups": [g], "apiVersions": ["*"], "operations": operations, "resources": rs}))
            .collect(),
    )
}

fn vap(p: &Policy) -> Value {
    let mut spec = json!({
        "failurePolicy": "Fail",
        "matchConstraints": {"resourceRules": rules(&p.resources, p.operations)},
        "variables": p.variables.iter().map(|(n, e)| json!({"name": n, "expression": e})).collect::<Vec<_>>(),
        "validations": p.checks.iter().map(|c| json!({"expression": c.expression, "message": format!("[{}] {}", c.control, c.message), "reason": "Forbidden"})).collect::<Vec<_>>(),
    });
    if !p.match_conditions.is_empty() {
        spec["matchConditions"] = p.match_conditions.iter().map(|(n, e)| json!({"name": n, "expression": e})).collect();
    }
    if p.zone_param {
        spec["paramKind"] = json!({"apiVersion": crate::meta::API_VERSION, "kind": "NetworkZone"});
    }
    json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy", "metadata": {"name": p.name, "labels": labels()}, "spec": spec})
}

/// `v` with the operator's namespace written in for [`custody::OPERATOR_NAMESPACE_PLACEHOLDER`].
fn with_operator_namespace(v: Value, operator_namespace: &str) -> Value {
    match v {
        Value::String(s) if s.contains(custody::OPERATOR_NAMESPACE_PLACEHOLDER) => {
            Value::String(s.replace(custody::OPERATOR_NAMESPACE_PLACEHOLDER, operator_namespace))
        }
        Value::Array(a) => {
            Value::Array(a.into_iter().map(|x| with_operator_namespace(x, operator_namespace)).collect())
        }
        Value::Object(o) => {
            Value::Object(o.into_iter().map(|(k, x)| (k, with_operator_namespace(x, operator_namespace))).collect())
        }
        other => other,
    }
}

fn binding(name: &str, policy: &str, namespace_selector: Option<Value>, param_ref: Option<Value>) -> Value {
    let mut spec = json!({"policyName": policy, "validationActions": ["Deny"]});
    if let Some(sel) = namespace_selector {
        spec["matchResources"] = json!({"namespaceSelector": sel});
    }
    if let Some(p) = param_ref {
        spec["paramRef"] = p;
    }
    json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": name, "labels": labels()}, "spec": spec})
}

fn tenant_namespaces() -> Value {
    json!({"matchExpressions": [{"key": TENANT, "operator": "Exists"}]})
}

/// The name suffix of the object-sizes policy (GC-RES-003).
const OBJECT_SIZES_SUFFIX: &str = "object-sizes";

/// The cluster-wide policies and their bindings (the zone-parameter policies'
/// bindings are per zone: `govcloud_render::render_zone`). Each pod spec
/// shape's policies, its zone's included, reach the API server as one
/// ([`bundle`]), bound here for every tenant namespace until the operator
/// narrows that binding ([`catch_all_bindings`]).
pub fn static_objects(operator_namespace: &str) -> Vec<Value> {
    let bundles = bundle::bundles();
    let bundled: Vec<&str> = bundles.iter().map(|(s, _)| *s).collect();
    // The policies a bundle carries: not shipped on their own.
    let carried: Vec<String> = bundled
        .iter()
        .flat_map(|s| {
            [
                crate::meta::names::admission_policy(s),
                crate::meta::names::identity_admission_policy(s),
                crate::meta::names::zone_admission_policy(s),
            ]
        })
        .collect();
    let sizes = crate::meta::names::admission_policy(OBJECT_SIZES_SUFFIX);
    let mut out = Vec::new();
    out.extend(bundles.into_iter().map(|(_, b)| b));
    out.extend(bundle::catch_all_bindings(&[]));
    for p in policies().iter().filter(|p| !carried.iter().any(|c| c == p.name)) {
        out.push(vap(p));
        if !p.zone_param {
            let mut b = binding(p.name, p.name, p.tenant_namespaces.then(tenant_namespaces), None);
            let excluded = if p.name == sizes { bundle::bundled_rules(&p.resources, &bundled) } else { vec![] };
            if !excluded.is_empty() {
                b["spec"]["matchResources"]["excludeResourceRules"] = Value::Array(excluded);
            }
            out.push(b);
        }
    }
    out.push(managed_objects_policy());
    out.extend(bundle::managed_bindings(&bundled));
    out.extend(request_mutations());
    out.extend(service_mutations());
    out.extend(sharing::answer_mutations());
    out.into_iter().map(|o| with_operator_namespace(o, operator_namespace)).collect()
}

/// The controls each policy that is shipped enforces (the validating ones
/// as installed, bundles included, read from their messages), for the
/// README and the audit.
pub fn controls_by_policy() -> Vec<(String, Vec<&'static str>)> {
    let mut out: Vec<(String, Vec<&str>)> = static_objects(crate::meta::names::OPERATOR_NAMESPACE)
        .iter()
        .filter(|o| o["kind"] == "ValidatingAdmissionPolicy")
        .map(|o| {
            let mut ids: Vec<&str> = o["spec"]["validations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v["message"].as_str().or(v["messageExpression"].as_str()))
                .filter_map(|m| m.split_once("[GC-").and_then(|(_, rest)| rest.split_once(']')))
                .filter_map(|(id, _)| crate::controls::control(&format!("GC-{id}")).map(|c| c.id))
                .collect();
            ids.sort();
            ids.dedup();
            (o["metadata"]["name"].as_str().unwrap_or_default().to_string(), ids)
        })
        .collect();
    out.push((crate::meta::names::REQUESTER_POLICY.to_string(), vec![REQUEST_DECISIONS]));
    out.push((crate::meta::names::DECIDER_POLICY.to_string(), vec![REQUEST_DECISIONS]));
    out.push((crate::meta::names::CLUSTER_IP_POLICY.to_string(), vec![EXTERNAL_SERVICES]));
    out.push((crate::meta::names::SHARING_ANSWERER_POLICY.to_string(), vec![crate::controls::SHARING_ANSWERS]));
    out
}

#[cfg(test)]
mod tests;
