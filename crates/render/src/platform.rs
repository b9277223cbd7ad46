//! Platform-wide objects: the cluster roles tenant owners and auditors are bound to.

use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule};

use super::Owned;
use super::objects::meta;
use govcloud_core::api::OwnerRole;
use govcloud_core::meta::labels;
use govcloud_core::meta::names;

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
    let v = |s: &[&str]| Some(s.iter().map(|x| x.to_string()).collect::<Vec<_>>());
    PolicyRule {
        api_groups: v(groups),
        resources: v(resources),
        verbs: verbs.iter().map(|x| x.to_string()).collect(),
        ..Default::default()
    }
}

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete"];

/// Workload kinds departments run in their namespaces (no Secrets here: see the roles).
const WORKLOADS: &[(&str, &[&str])] = &[
    (govcloud_core::meta::GROUP, &["departmentapps"]),
    ("apps", &["deployments", "replicasets", "statefulsets"]),
    ("batch", &["jobs", "cronjobs"]),
    // Bounded by the quota's pods (GC-RES-004).
    ("autoscaling", &["horizontalpodautoscalers"]),
    ("", &["pods", "services", "configmaps", "persistentvolumeclaims", "serviceaccounts"]),
];

/// What may be read for status and compliance (never Secret values).
const STATUS: &[(&str, &[&str])] = &[
    (
        govcloud_core::meta::GROUP,
        &["departmentapps", "departmentapps/status", "resourcerequests", "resourcerequests/status"],
    ),
    ("apps", &["deployments", "replicasets", "statefulsets"]),
    ("batch", &["jobs", "cronjobs"]),
    (
        "",
        &[
            "pods",
            "pods/log",
            "services",
            "endpoints",
            "configmaps",
            "persistentvolumeclaims",
            "events",
            "resourcequotas",
            "limitranges",
            "serviceaccounts",
        ],
    ),
    ("networking.k8s.io", &["networkpolicies", "ingresses"]),
    ("policy", &["poddisruptionbudgets"]),
    ("autoscaling", &["horizontalpodautoscalers"]),
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
    let labels = labels::owned_by(govcloud_core::meta::kinds::OwnerKind::Platform, "govcloud");
    let role = |name: &str, rules: Vec<PolicyRule>| {
        Owned::ClusterRole(ClusterRole {
            metadata: meta(name, None, labels.clone()),
            rules: Some(rules),
            aggregation_rule: None,
        })
    };
    let mut developer = rules(WORKLOADS, WRITE);
    developer.extend(rules(STATUS, READ));
    developer.push(rule(&[""], &["secrets"], WRITE));
    // No exec, attach or port-forward here: only through EXEC_ROLE, where the namespace allows them.
    let mut admin = developer.clone();
    admin.push(rule(&["rbac.authorization.k8s.io"], &["rolebindings"], WRITE));
    // Admins file and withdraw their tenant's requests; no one in a tenant
    // writes their status, where the decision is (GC-REQ-001).
    admin.push(rule(&[govcloud_core::meta::GROUP], &["resourcerequests"], &["create", "delete"]));
    // Platform engineers who decide requests: every request, and its status.
    let approver = vec![
        rule(&[govcloud_core::meta::GROUP], &["resourcerequests"], READ),
        rule(&[govcloud_core::meta::GROUP], &["resourcerequests/status"], &["get", "update", "patch"]),
        // Only what the operator holds itself: it applies this role without `escalate`.
        rule(&[govcloud_core::meta::GROUP], &["tenants", "networkzones"], READ),
    ];
    let viewer = rules(STATUS, READ);
    // Auditors judge configuration and records, not the data a system
    // processes: no pod logs (they carry citizens' personal information; the
    // minimum-necessary principle of the Personal Information Protection
    // Law). The department's own viewers and developers read them.
    let auditor: Vec<PolicyRule> = rules(STATUS, READ)
        .into_iter()
        .map(|mut r| {
            r.resources = r.resources.map(|rs| rs.into_iter().filter(|x| x != "pods/log").collect());
            r
        })
        .collect();
    // Cluster-scoped objects only: namespaced reads (ConfigMaps, pod logs ...)
    // would otherwise reach kube-system and govcloud-system.
    let cluster_auditor = vec![
        rule(
            &[govcloud_core::meta::GROUP],
            &["networkzones", "networkzones/status", "tenants", "tenants/status"],
            READ,
        ),
        rule(&[""], &["namespaces", "nodes"], READ),
        // The catalogue, which every department reads too.
        rule(&[govcloud_core::meta::GROUP], &[govcloud_core::meta::kinds::SHARED_RESOURCES], READ),
        rule(&["openreports.io"], &["clusterreports"], READ),
        rule(&["wgpolicyk8s.io"], &["clusterpolicyreports"], READ),
        rule(&["rbac.authorization.k8s.io"], &["clusterroles", "clusterrolebindings"], READ),
        rule(
            &["admissionregistration.k8s.io"],
            &["validatingadmissionpolicies", "validatingadmissionpolicybindings"],
            READ,
        ),
        // The Admin tier, where the cluster serves it: isolation is judged on both kinds of policy.
        rule(&[govcloud_core::meta::cluster_policy::GROUP], &[govcloud_core::meta::cluster_policy::PLURAL], READ),
    ];
    let mut out = vec![
        role(&govcloud_core::meta::names::tenant_role(OwnerRole::Admin.as_str()), admin),
        role(&govcloud_core::meta::names::tenant_role(OwnerRole::Developer.as_str()), developer),
        role(&govcloud_core::meta::names::tenant_role(OwnerRole::Viewer.as_str()), viewer),
        role(&govcloud_core::meta::names::tenant_role(OwnerRole::Auditor.as_str()), auditor),
        role(
            names::EXEC_ROLE,
            vec![rule(&[""], &["pods/exec", "pods/attach", "pods/portforward"], &["get", "create"])],
        ),
        role(names::CLUSTER_AUDITOR, cluster_auditor),
        role(names::REQUEST_APPROVER, approver),
    ];
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}

#[cfg(test)]
mod tests;
