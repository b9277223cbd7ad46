//! The kinds of object govcloud owns.

use k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicyBinding;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{LimitRange, Namespace, ResourceQuota, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

/// One object govcloud owns. The variant order is the apply order: a
/// namespace's isolation (quota, limits, policies) exists before anyone is
/// bound to it or anything runs in it.
// A few hundred objects per model: boxing would buy nothing measurable.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Owned {
    /// Cluster-wide role for tenant owners and auditors.
    ClusterRole(ClusterRole),
    /// Binds a zone-parameter admission policy to one zone's namespaces.
    ValidatingAdmissionPolicyBinding(ValidatingAdmissionPolicyBinding),
    /// A tenant namespace.
    Namespace(Namespace),
    /// A tenant's quota in one zone.
    ResourceQuota(ResourceQuota),
    /// Container defaults in a tenant namespace.
    LimitRange(LimitRange),
    /// Isolation: default deny, zone rules, app flows.
    NetworkPolicy(NetworkPolicy),
    /// A tenant owner's role in a namespace.
    RoleBinding(RoleBinding),
    /// A cluster-wide auditor's binding.
    ClusterRoleBinding(ClusterRoleBinding),
    /// An app's Service.
    Service(Service),
    /// An app's workload.
    Deployment(Deployment),
    /// An app's disruption budget.
    PodDisruptionBudget(PodDisruptionBudget),
    /// A public app's Ingress.
    Ingress(Ingress),
}

impl Owned {
    /// The object's metadata.
    pub fn meta(&self) -> &ObjectMeta {
        match self {
            Owned::ClusterRole(o) => &o.metadata,
            Owned::ValidatingAdmissionPolicyBinding(o) => &o.metadata,
            Owned::Namespace(o) => &o.metadata,
            Owned::ResourceQuota(o) => &o.metadata,
            Owned::LimitRange(o) => &o.metadata,
            Owned::NetworkPolicy(o) => &o.metadata,
            Owned::RoleBinding(o) => &o.metadata,
            Owned::ClusterRoleBinding(o) => &o.metadata,
            Owned::Service(o) => &o.metadata,
            Owned::Deployment(o) => &o.metadata,
            Owned::PodDisruptionBudget(o) => &o.metadata,
            Owned::Ingress(o) => &o.metadata,
        }
    }

    /// The object's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Owned::ClusterRole(_) => "ClusterRole",
            Owned::ValidatingAdmissionPolicyBinding(_) => "ValidatingAdmissionPolicyBinding",
            Owned::Namespace(_) => "Namespace",
            Owned::ResourceQuota(_) => "ResourceQuota",
            Owned::LimitRange(_) => "LimitRange",
            Owned::NetworkPolicy(_) => "NetworkPolicy",
            Owned::RoleBinding(_) => "RoleBinding",
            Owned::ClusterRoleBinding(_) => "ClusterRoleBinding",
            Owned::Service(_) => "Service",
            Owned::Deployment(_) => "Deployment",
            Owned::PodDisruptionBudget(_) => "PodDisruptionBudget",
            Owned::Ingress(_) => "Ingress",
        }
    }

    /// Position in apply order.
    pub fn order(&self) -> usize {
        match self {
            Owned::ClusterRole(_) => 0,
            Owned::ValidatingAdmissionPolicyBinding(_) => 0,
            Owned::Namespace(_) => 1,
            Owned::ResourceQuota(_) => 2,
            Owned::LimitRange(_) => 3,
            Owned::NetworkPolicy(_) => 4,
            Owned::RoleBinding(_) => 5,
            Owned::ClusterRoleBinding(_) => 6,
            Owned::Service(_) => 7,
            Owned::Deployment(_) => 8,
            Owned::PodDisruptionBudget(_) => 9,
            Owned::Ingress(_) => 10,
        }
    }

    /// Whether the object is part of what must hold before anyone is granted
    /// access or anything runs: roles, policy bindings, the namespace, its
    /// quota, limits and NetworkPolicies.
    pub fn precedes_access(&self) -> bool {
        matches!(
            self,
            Owned::ClusterRole(_)
                | Owned::ValidatingAdmissionPolicyBinding(_)
                | Owned::Namespace(_)
                | Owned::ResourceQuota(_)
                | Owned::LimitRange(_)
                | Owned::NetworkPolicy(_)
        )
    }

    /// Namespace (empty for cluster-scoped objects).
    pub fn namespace(&self) -> &str {
        self.meta().namespace.as_deref().unwrap_or_default()
    }

    /// Name.
    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or_default()
    }

    /// Sort key: apply order, then namespace, then name.
    pub fn sort_key(&self) -> (usize, &str, &str) {
        (self.order(), self.namespace(), self.name())
    }

    /// `Kind/namespace/name`.
    pub fn id(&self) -> String {
        if self.namespace().is_empty() { format!("{}/{}", self.kind(), self.name()) } else { format!("{}/{}/{}", self.kind(), self.namespace(), self.name()) }
    }
}

/// Metadata with a name, an optional namespace and labels.
pub(crate) fn meta(name: &str, namespace: Option<&str>, labels: std::collections::BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta { name: Some(name.to_string()), namespace: namespace.map(str::to_string), labels: Some(labels), ..Default::default() }
}
