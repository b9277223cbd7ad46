//! The kinds of object govcloud owns.

use k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicyBinding;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::{LimitRange, Namespace, ResourceQuota, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use govcloud_core::meta::cluster_policy::ClusterNetworkPolicy;
use govcloud_core::meta::kinds::{OWNED, OwnedKind};

/// One object govcloud owns: one variant per entry of the owned-kinds
/// table ([`govcloud_core::meta::kinds::OWNED`]), in its order, which is the apply
/// order.
// A few hundred objects per model: boxing would buy nothing measurable.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Owned {
    /// Cluster-wide role for tenant owners and auditors.
    ClusterRole(ClusterRole),
    /// Binds a zone-parameter admission policy to one zone's namespaces.
    ValidatingAdmissionPolicyBinding(ValidatingAdmissionPolicyBinding),
    /// Admin-tier isolation of a zone (only where the cluster serves the
    /// network-policy API; see `render::admin`).
    ClusterNetworkPolicy(ClusterNetworkPolicy),
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
    Service(Box<Service>),
    /// A stateless app's workload.
    Deployment(Box<Deployment>),
    /// A stateful app's workload (an app with storage).
    StatefulSet(Box<StatefulSet>),
    /// A scheduled app's workload.
    CronJob(Box<CronJob>),
    /// An app's disruption budget.
    PodDisruptionBudget(PodDisruptionBudget),
    /// A public app's Ingress.
    Ingress(Ingress),
    /// An app's autoscaler (its `autoscaling`).
    HorizontalPodAutoscaler(HorizontalPodAutoscaler),
    /// A tenant's entry in the catalogue of shared resources (cluster-scoped).
    SharedResource(govcloud_core::api::SharedResource),
}

impl Owned {
    /// The object's metadata.
    pub fn meta(&self) -> &ObjectMeta {
        match self {
            Owned::ClusterRole(o) => &o.metadata,
            Owned::ValidatingAdmissionPolicyBinding(o) => &o.metadata,
            Owned::ClusterNetworkPolicy(o) => &o.metadata,
            Owned::Namespace(o) => &o.metadata,
            Owned::ResourceQuota(o) => &o.metadata,
            Owned::LimitRange(o) => &o.metadata,
            Owned::NetworkPolicy(o) => &o.metadata,
            Owned::RoleBinding(o) => &o.metadata,
            Owned::ClusterRoleBinding(o) => &o.metadata,
            Owned::Service(o) => &o.metadata,
            Owned::Deployment(o) => &o.metadata,
            Owned::StatefulSet(o) => &o.metadata,
            Owned::CronJob(o) => &o.metadata,
            Owned::PodDisruptionBudget(o) => &o.metadata,
            Owned::Ingress(o) => &o.metadata,
            Owned::HorizontalPodAutoscaler(o) => &o.metadata,
            Owned::SharedResource(o) => &o.metadata,
        }
    }

    /// The object's kind, from the one table of owned kinds.
    pub fn owned_kind(&self) -> &'static OwnedKind {
        let i = match self {
            Owned::ClusterRole(_) => 0,
            Owned::ValidatingAdmissionPolicyBinding(_) => 1,
            Owned::ClusterNetworkPolicy(_) => 2,
            Owned::Namespace(_) => 3,
            Owned::ResourceQuota(_) => 4,
            Owned::LimitRange(_) => 5,
            Owned::NetworkPolicy(_) => 6,
            Owned::RoleBinding(_) => 7,
            Owned::ClusterRoleBinding(_) => 8,
            Owned::Service(_) => 9,
            Owned::Deployment(_) => 10,
            Owned::StatefulSet(_) => 11,
            Owned::CronJob(_) => 12,
            Owned::PodDisruptionBudget(_) => 13,
            Owned::Ingress(_) => 14,
            Owned::HorizontalPodAutoscaler(_) => 15,
            Owned::SharedResource(_) => 16,
        };
        &OWNED[i]
    }

    /// The object's kind.
    pub fn kind(&self) -> &'static str {
        self.owned_kind().kind
    }

    /// Position in apply order.
    pub fn order(&self) -> usize {
        self.owned_kind().order
    }

    /// Whether the object is part of what must hold before anyone is granted
    /// access or anything runs: roles, policy bindings, the namespace, its
    /// quota, limits and NetworkPolicies.
    pub fn precedes_access(&self) -> bool {
        matches!(
            self,
            Owned::ClusterRole(_)
                | Owned::ValidatingAdmissionPolicyBinding(_)
                | Owned::ClusterNetworkPolicy(_)
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
        if self.namespace().is_empty() {
            format!("{}/{}", self.kind(), self.name())
        } else {
            format!("{}/{}/{}", self.kind(), self.namespace(), self.name())
        }
    }
}

/// Metadata with a name, an optional namespace and labels.
pub(crate) fn meta(
    name: &str,
    namespace: Option<&str>,
    labels: std::collections::BTreeMap<String, String>,
) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(labels),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests;
