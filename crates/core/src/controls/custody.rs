//! Custody: who may write what govcloud trusts. A label, a name or a field a
//! department can write proves nothing; the API server's `request.userInfo`
//! does. Every exemption in the generated admission policies is one row of
//! [`EXEMPTIONS`]: one identity, the operations and the resources it is for,
//! and why. The policies' CEL ([`allows`]) and the README's table
//! ([`markdown`]) are both made from it.
//!
//! ```text
//!   EXEMPTIONS ──allows(rule)──► CEL in govcloud-managed-objects, govcloud-identity-*, govcloud-claims,
//!                                govcloud-request-decisions, govcloud-requests-delete, govcloud-ingresses
//!              ──markdown()───► README "Who may write what govcloud trusts"
//! ```

use super::{
    APP_IDENTITY, CLAIM_BINDING, INGRESS_ZONE, MANAGED_OBJECTS, PUBLIC_HOSTS, REQUEST_DECISIONS, SHARING_ANSWERS,
};
use crate::meta::names;

/// Replaced by the operator's namespace when the policies are written out
/// ([`super::admission::static_objects`]): the operator's identity is the
/// service accounts of its namespace, where only cluster administrators create any.
pub const OPERATOR_NAMESPACE_PLACEHOLDER: &str = "__GOVCLOUD_OPERATOR_NAMESPACE__";

/// An identity the API server authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Cluster administrators (group `system:masters`): the break-glass path;
    /// the audit reports what they make.
    ClusterAdmins,
    /// The operator: the service accounts of its namespace.
    Operator,
    /// One of Kubernetes' own controllers, by its service account in
    /// kube-system (kube-controller-manager runs with
    /// `--use-service-account-credentials`, as kubeadm and managed clusters do).
    Controller(&'static str),
    /// The kubelets (group `system:nodes`; the NodeRestriction admission
    /// plugin limits each to the pods bound to its node).
    Kubelets,
}

impl Who {
    /// CEL that is true when the request is made by this identity.
    pub fn cel(self) -> String {
        match self {
            Who::ClusterAdmins => "request.userInfo.groups.exists(g, g == 'system:masters')".into(),
            Who::Operator => format!(
                "request.userInfo.groups.exists(g, g == 'system:serviceaccounts:{OPERATOR_NAMESPACE_PLACEHOLDER}')"
            ),
            Who::Controller(sa) => format!("request.userInfo.username == 'system:serviceaccount:kube-system:{sa}'"),
            Who::Kubelets => "request.userInfo.groups.exists(g, g == 'system:nodes')".into(),
        }
    }

    /// As written in the README.
    pub fn describe(self) -> String {
        match self {
            Who::ClusterAdmins => "group `system:masters` (cluster administrators, break-glass)".into(),
            Who::Operator => "group `system:serviceaccounts:<operator namespace>` (the operator)".into(),
            Who::Controller(sa) => format!("`system:serviceaccount:kube-system:{sa}`"),
            Who::Kubelets => "group `system:nodes` (kubelets, each limited to its node's pods)".into(),
        }
    }
}

/// Which rule an exemption belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// The managed-objects policy (GC-MGD-001): objects labelled managed-by=govcloud.
    ManagedObjects,
    /// `govcloud-identity-*` (GC-NET-006, GC-MGD-001): a pod or pod template
    /// carrying govcloud's app identity or managed-by label.
    Identity,
    /// `govcloud-claims` (GC-VOL-002): a claim that names a volume.
    ClaimBinding,
    /// `govcloud-request-decisions` (GC-REQ-001): the operator's part of a
    /// request's status (phase, expiry, history).
    RequestStatus,
    /// `govcloud-requests-delete` (GC-REQ-001): deleting a decided request.
    RequestDeletion,
    /// `govcloud-ingress-writers` (GC-SVC-002): Ingresses in tenant namespaces.
    Ingresses,
    /// `govcloud-zone-status` (GC-SVC-003, GC-ZONE-007): the host owners and
    /// capacity in a zone's status, which admission reads.
    ZoneStatus,
    /// `govcloud-sharing-answers` (GC-SHR-001): answering sharing requests,
    /// which is otherwise for the tenant's admins.
    SharingAnswers,
}

impl Rule {
    /// The policy and control, as the README names them.
    pub fn describe(self) -> (String, &'static str) {
        match self {
            Rule::ManagedObjects => (names::MANAGED_OBJECTS_POLICY.to_string(), MANAGED_OBJECTS),
            // Shipped inside each shape's bundle (`admission::bundle`).
            Rule::Identity => (
                format!(
                    "{} (identity checks)",
                    ["pods", "workloads", "cronjobs"].map(names::admission_policy).join(", ")
                ),
                APP_IDENTITY,
            ),
            Rule::ClaimBinding => (names::admission_policy("claims"), CLAIM_BINDING),
            Rule::RequestStatus => (names::admission_policy("request-decisions"), REQUEST_DECISIONS),
            Rule::RequestDeletion => (names::admission_policy("requests-delete"), REQUEST_DECISIONS),
            Rule::Ingresses => (names::admission_policy("ingress-writers"), INGRESS_ZONE),
            Rule::ZoneStatus => (names::admission_policy("zone-status"), PUBLIC_HOSTS),
            Rule::SharingAnswers => (names::SHARING_ANSWERS_POLICY.to_string(), SHARING_ANSWERS),
        }
    }
}

/// One exemption: `who` may make `operations` on `resources` (plural names;
/// `*` for every resource the rule matches) despite `rule`, because `why`.
#[derive(Clone, Copy, Debug)]
pub struct Exemption {
    /// The rule it is an exemption from.
    pub rule: Rule,
    /// The one identity.
    pub who: Who,
    /// CREATE, UPDATE, DELETE.
    pub operations: &'static [&'static str],
    /// Resources (plural), or `*`.
    pub resources: &'static [&'static str],
    /// Why it needs it.
    pub why: &'static str,
}

const ANY: &[&str] = &["*"];
const C: &[&str] = &["CREATE"];
const U: &[&str] = &["UPDATE"];
const D: &[&str] = &["DELETE"];
const UD: &[&str] = &["UPDATE", "DELETE"];
const CU: &[&str] = &["CREATE", "UPDATE"];
const CUD: &[&str] = &["CREATE", "UPDATE", "DELETE"];

/// Every exemption in the generated admission policies.
pub const EXEMPTIONS: &[Exemption] = &[
    // --- managed objects (GC-MGD-001) ---
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Operator,
        operations: CUD,
        resources: ANY,
        why: "it makes, repairs and prunes what it manages, and stops the pods left in a deleted tenant's namespaces",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::ClusterAdmins,
        operations: CUD,
        resources: ANY,
        why: "break-glass; the audit reports drift from the rendering",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("generic-garbage-collector"),
        operations: UD,
        resources: ANY,
        why: "deletes what an owner no longer holds, and updates ownerReferences and finalizers on the way",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("namespace-controller"),
        operations: D,
        resources: ANY,
        why: "empties a tenant namespace that is being deleted",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("deployment-controller"),
        operations: CUD,
        resources: &["replicasets"],
        why: "rolls out govcloud's Deployments through their ReplicaSets",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("replicaset-controller"),
        operations: CUD,
        resources: &["pods"],
        why: "creates, adopts and deletes the pods of govcloud's ReplicaSets",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("statefulset-controller"),
        operations: CUD,
        resources: &["pods", "persistentvolumeclaims"],
        why: "creates the pods and claims of govcloud's StatefulSets",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("cronjob-controller"),
        operations: CUD,
        resources: &["jobs"],
        why: "starts the runs of govcloud's CronJobs as Jobs and removes runs beyond the history kept",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("job-controller"),
        operations: CUD,
        resources: &["pods"],
        why: "creates the pods of the Jobs govcloud's CronJobs start, and removes their tracking finalizer",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("ttl-after-finished-controller"),
        operations: D,
        resources: &["jobs"],
        why: "removes finished runs of govcloud's CronJobs after their time to live",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("pod-garbage-collector"),
        operations: D,
        resources: &["pods"],
        why: "removes pods of deleted nodes and terminated pods",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("node-controller"),
        operations: D,
        resources: &["pods"],
        why: "evicts pods from unreachable nodes (taint-based eviction)",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("taint-eviction-controller"),
        operations: D,
        resources: &["pods"],
        why: "evicts pods from nodes tainted NoExecute",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Kubelets,
        operations: D,
        resources: &["pods"],
        why: "removes a pod once its containers stopped",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("persistent-volume-binder"),
        operations: U,
        resources: &["persistentvolumeclaims"],
        why: "binds the claims govcloud's StatefulSets make to their volumes",
    },
    Exemption {
        rule: Rule::ManagedObjects,
        who: Who::Controller("pvc-protection-controller"),
        operations: U,
        resources: &["persistentvolumeclaims"],
        why: "removes a deleted claim's protection finalizer once no pod uses it",
    },
    // --- app identity and managed-by on pods and templates (GC-NET-006) ---
    Exemption {
        rule: Rule::Identity,
        who: Who::Operator,
        operations: &["CREATE", "UPDATE"],
        resources: &["deployments", "statefulsets", "cronjobs"],
        why: "renders each app's workload with its identity",
    },
    Exemption {
        rule: Rule::Identity,
        who: Who::Controller("cronjob-controller"),
        operations: C,
        resources: &["jobs"],
        why: "copies a govcloud CronJob's job template into each run's Job",
    },
    Exemption {
        rule: Rule::Identity,
        who: Who::Controller("job-controller"),
        operations: C,
        resources: &["pods"],
        why: "creates the pod of each run of govcloud's CronJobs from its Job's template",
    },
    Exemption {
        rule: Rule::Identity,
        who: Who::Controller("deployment-controller"),
        operations: &["CREATE", "UPDATE"],
        resources: &["replicasets"],
        why: "copies a govcloud Deployment's template into its ReplicaSets",
    },
    Exemption {
        rule: Rule::Identity,
        who: Who::Controller("replicaset-controller"),
        operations: C,
        resources: &["pods"],
        why: "creates the pods of govcloud's ReplicaSets from their template",
    },
    Exemption {
        rule: Rule::Identity,
        who: Who::Controller("statefulset-controller"),
        operations: &["CREATE", "UPDATE"],
        resources: &["pods"],
        why: "creates the pods of govcloud's StatefulSets and records their revision",
    },
    Exemption {
        rule: Rule::Identity,
        who: Who::ClusterAdmins,
        operations: &["CREATE", "UPDATE"],
        resources: ANY,
        why: "break-glass; the audit judges every pod by its owner chain",
    },
    // --- claims naming a volume (GC-VOL-002) ---
    Exemption {
        rule: Rule::ClaimBinding,
        who: Who::Controller("persistent-volume-binder"),
        operations: U,
        resources: &["persistentvolumeclaims"],
        why: "binds a claim to the volume it provisioned or matched",
    },
    // --- request status (GC-REQ-001) ---
    Exemption {
        rule: Rule::RequestStatus,
        who: Who::Operator,
        operations: U,
        resources: &["resourcerequests/status"],
        why: "writes phase, history and a surge's end (the approval's time plus its minutes)",
    },
    Exemption {
        rule: Rule::RequestStatus,
        who: Who::ClusterAdmins,
        operations: U,
        resources: &["resourcerequests/status"],
        why: "break-glass, and `govcloud dev`, whose operator runs as the local administrator; a surge's end is still the approval's time plus its minutes",
    },
    // --- answering sharing requests (GC-SHR-001) ---
    Exemption {
        rule: Rule::SharingAnswers,
        who: Who::ClusterAdmins,
        operations: CU,
        resources: &["departmentapps"],
        why: "break-glass, and applying a whole model (`govcloud dev`, a platform team's first install); `by` still records the administrator",
    },
    // --- deleting decided requests (GC-REQ-001) ---
    Exemption {
        rule: Rule::RequestDeletion,
        who: Who::Operator,
        operations: D,
        resources: &["resourcerequests"],
        why: "removes decided requests after the retention period (--request-retention-days)",
    },
    Exemption {
        rule: Rule::RequestDeletion,
        who: Who::ClusterAdmins,
        operations: D,
        resources: &["resourcerequests"],
        why: "break-glass",
    },
    Exemption {
        rule: Rule::RequestDeletion,
        who: Who::Controller("namespace-controller"),
        operations: D,
        resources: &["resourcerequests"],
        why: "empties a namespace whose tenant gave up the zone",
    },
    // --- Ingresses in tenant namespaces (GC-SVC-002) ---
    Exemption {
        rule: Rule::Ingresses,
        who: Who::Operator,
        operations: &["CREATE", "UPDATE"],
        resources: &["ingresses"],
        why: "publishes a public app through its own Service",
    },
    Exemption {
        rule: Rule::Ingresses,
        who: Who::ClusterAdmins,
        operations: &["CREATE", "UPDATE"],
        resources: &["ingresses"],
        why: "break-glass",
    },
    // --- what admission reads from a zone's status (GC-SVC-003, GC-ZONE-007) ---
    Exemption {
        rule: Rule::ZoneStatus,
        who: Who::Operator,
        operations: U,
        resources: &["networkzones/status"],
        why: "writes the hosts tenants own and the zone's capacity against what is granted",
    },
    Exemption {
        rule: Rule::ZoneStatus,
        who: Who::ClusterAdmins,
        operations: U,
        resources: &["networkzones/status"],
        why: "break-glass, and `govcloud dev`, whose operator runs as the local administrator",
    },
];

/// CEL that is true when one of `rule`'s exemptions covers the request.
pub fn allows(rule: Rule) -> String {
    let terms: Vec<String> = EXEMPTIONS
        .iter()
        .filter(|e| e.rule == rule)
        .map(|e| {
            let ops = e.operations.iter().map(|o| format!("'{o}'")).collect::<Vec<_>>().join(", ");
            let mut t = format!("({} && request.operation in [{ops}]", e.who.cel());
            if e.resources != ANY {
                let res: Vec<String> = e
                    .resources
                    .iter()
                    .map(|r| match r.split_once('/') {
                        Some((r, sub)) => {
                            format!("(request.resource.resource == '{r}' && request.subResource == '{sub}')")
                        }
                        None => format!("request.resource.resource == '{r}'"),
                    })
                    .collect();
                t.push_str(&format!(" && ({})", res.join(" || ")));
            }
            t.push(')');
            t
        })
        .collect();
    if terms.is_empty() { "false".into() } else { terms.join(" || ") }
}

/// The README's table of every exemption.
pub fn markdown() -> String {
    let mut out =
        String::from("| policy | control | identity | operations | resources | why |\n|---|---|---|---|---|---|\n");
    for e in EXEMPTIONS {
        let (policy, control) = e.rule.describe();
        out.push_str(&format!(
            "| {policy} | {control} | {} | {} | {} | {} |\n",
            e.who.describe(),
            e.operations.join(", "),
            if e.resources == ANY { "every matched resource".to_string() } else { e.resources.join(", ") },
            e.why
        ));
    }
    out
}

#[cfg(test)]
mod tests;
