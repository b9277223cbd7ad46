//! Platform-wide objects: the cluster roles tenant owners and auditors are bound to.

use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule};

use super::Owned;
use super::labels;
use super::objects::meta;
use crate::api::OwnerRole;

/// Cluster role of auditors whose tenant has `auditScope: cluster`.
pub const CLUSTER_AUDITOR: &str = "govcloud-auditor";

/// Name of the cluster role bound to a tenant role in each tenant namespace.
pub fn tenant_role(role: OwnerRole) -> String {
    format!("govcloud-tenant-{}", role.as_str())
}

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
    let v = |s: &[&str]| Some(s.iter().map(|x| x.to_string()).collect::<Vec<_>>());
    PolicyRule { api_groups: v(groups), resources: v(resources), verbs: verbs.iter().map(|x| x.to_string()).collect(), ..Default::default() }
}

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete"];

/// Workload kinds departments run in their namespaces (no Secrets here: see the roles).
const WORKLOADS: &[(&str, &[&str])] = &[
    ("govcloud.io", &["departmentapps"]),
    ("apps", &["deployments", "replicasets", "statefulsets"]),
    ("batch", &["jobs", "cronjobs"]),
    ("", &["pods", "services", "configmaps", "persistentvolumeclaims", "serviceaccounts"]),
];

/// What may be read for status and compliance (never Secret values).
const STATUS: &[(&str, &[&str])] = &[
    ("govcloud.io", &["departmentapps", "departmentapps/status"]),
    ("apps", &["deployments", "replicasets", "statefulsets"]),
    ("batch", &["jobs", "cronjobs"]),
    ("", &["pods", "pods/log", "services", "endpoints", "configmaps", "persistentvolumeclaims", "events", "resourcequotas", "limitranges", "serviceaccounts"]),
    ("networking.k8s.io", &["networkpolicies", "ingresses"]),
    ("policy", &["poddisruptionbudgets"]),
    ("rbac.authorization.k8s.io", &["roles", "rolebindings"]),
    ("events.k8s.io", &["events"]),
    ("openreports.io", &["reports"]),
    ("wgpolicyk8s.io", &["policyreports"]),
];

fn rules(kinds: &[(&str, &[&str])], verbs: &[&str]) -> Vec<PolicyRule> {
    kinds.iter().map(|(g, r)| rule(&[g], r, verbs)).collect()
}

/// The cluster roles tenant owners are bound to, and the cluster auditor role.
pub fn render_platform() -> Vec<Owned> {
    let labels = labels::owned_by("Platform", "govcloud");
    let role = |name: &str, rules: Vec<PolicyRule>| {
        Owned::ClusterRole(ClusterRole { metadata: meta(name, None, labels.clone()), rules: Some(rules), aggregation_rule: None })
    };
    let mut developer = rules(WORKLOADS, WRITE);
    developer.extend(rules(STATUS, READ));
    developer.push(rule(&[""], &["secrets"], WRITE));
    developer.push(rule(&[""], &["pods/log", "pods/exec", "pods/portforward"], &["get", "create"]));
    let mut admin = developer.clone();
    admin.push(rule(&["rbac.authorization.k8s.io"], &["rolebindings"], WRITE));
    let viewer = rules(STATUS, READ);
    let auditor = rules(STATUS, READ);
    let mut cluster_auditor = rules(STATUS, READ);
    cluster_auditor.push(rule(&["govcloud.io"], &["networkzones", "networkzones/status", "tenants", "tenants/status"], READ));
    cluster_auditor.push(rule(&[""], &["namespaces", "nodes"], READ));
    cluster_auditor.push(rule(&["openreports.io"], &["clusterreports"], READ));
    cluster_auditor.push(rule(&["wgpolicyk8s.io"], &["clusterpolicyreports"], READ));
    cluster_auditor.push(rule(&["rbac.authorization.k8s.io"], &["clusterroles", "clusterrolebindings"], READ));
    cluster_auditor.push(rule(&["admissionregistration.k8s.io"], &["validatingadmissionpolicies", "validatingadmissionpolicybindings"], READ));
    let mut out = vec![
        role(&tenant_role(OwnerRole::Admin), admin),
        role(&tenant_role(OwnerRole::Developer), developer),
        role(&tenant_role(OwnerRole::Viewer), viewer),
        role(&tenant_role(OwnerRole::Auditor), auditor),
        role(CLUSTER_AUDITOR, cluster_auditor),
    ];
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}
