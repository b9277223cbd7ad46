//! The kinds of object govcloud owns, in apply order: the one table the
//! renderer's `Owned`, the operator's caches and the admission policy that
//! keeps managed objects for the operator all derive from.

use super::cluster_policy::ClusterNetworkPolicy;
use k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicyBinding;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::{LimitRange, Namespace, ResourceQuota, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, RoleBinding};
use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope, Resource};

/// The kinds of govcloud resource that own objects: what an owned object's
/// `govcloud.io/owner-kind` label names, what the renderer slices its output
/// by and what the operator plans, applies and counts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OwnerKind {
    /// A NetworkZone (cluster-scoped): its admission bindings and Admin-tier policies.
    NetworkZone,
    /// A Tenant (cluster-scoped): its namespaces and what isolates them.
    Tenant,
    /// A DepartmentApp (namespaced): its workload, service and policies.
    DepartmentApp,
    /// govcloud itself: the platform-wide roles `govcloud install` applies,
    /// owned by no resource.
    Platform,
}

impl OwnerKind {
    /// Every owner kind.
    pub const ALL: [OwnerKind; 4] =
        [OwnerKind::NetworkZone, OwnerKind::Tenant, OwnerKind::DepartmentApp, OwnerKind::Platform];

    /// The kind as the API and the owner-kind label write it.
    pub const fn as_str(self) -> &'static str {
        match self {
            OwnerKind::NetworkZone => "NetworkZone",
            OwnerKind::Tenant => "Tenant",
            OwnerKind::DepartmentApp => "DepartmentApp",
            OwnerKind::Platform => "Platform",
        }
    }

    /// The owner kind a label or an API kind names; `None` for any other.
    pub fn parse(kind: &str) -> Option<OwnerKind> {
        OwnerKind::ALL.into_iter().find(|k| k.as_str() == kind)
    }

    /// Whether its objects are namespaced (an app's are; a zone and a tenant are cluster-scoped).
    pub const fn namespaced(self) -> bool {
        matches!(self, OwnerKind::DepartmentApp)
    }
}

impl std::fmt::Display for OwnerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One kind govcloud owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OwnedKind {
    /// API group (`""` for the core group).
    pub group: &'static str,
    /// API version.
    pub version: &'static str,
    /// `apiVersion` as written in manifests.
    pub api_version: &'static str,
    /// Kind.
    pub kind: &'static str,
    /// Resource (plural) as in API paths and admission rules.
    pub plural: &'static str,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Position in apply order: a namespace's isolation (quota, limits,
    /// policies) exists before anyone is bound to it or anything runs in it.
    pub order: usize,
    /// Served only where an optional API is installed (the network-policy
    /// API's ClusterNetworkPolicy): watched, applied and listed only once
    /// discovery finds it.
    pub optional: bool,
}

/// Whether a k8s-openapi scope is namespaced.
trait Scope {
    const NAMESPACED: bool;
}
impl Scope for NamespaceResourceScope {
    const NAMESPACED: bool = true;
}
impl Scope for ClusterResourceScope {
    const NAMESPACED: bool = false;
}

const fn owned<K: Resource>(order: usize) -> OwnedKind
where
    K::Scope: Scope,
{
    OwnedKind {
        group: K::GROUP,
        version: K::VERSION,
        api_version: K::API_VERSION,
        kind: K::KIND,
        plural: K::URL_PATH_SEGMENT,
        namespaced: <K::Scope as Scope>::NAMESPACED,
        order,
        optional: false,
    }
}

const fn optional<K: Resource>(order: usize) -> OwnedKind
where
    K::Scope: Scope,
{
    OwnedKind { optional: true, ..owned::<K>(order) }
}

/// Every kind govcloud owns, in apply order.
pub const OWNED: &[OwnedKind] = &[
    owned::<ClusterRole>(0),
    owned::<ValidatingAdmissionPolicyBinding>(0),
    optional::<ClusterNetworkPolicy>(0),
    owned::<Namespace>(1),
    owned::<ResourceQuota>(2),
    owned::<LimitRange>(3),
    owned::<NetworkPolicy>(4),
    owned::<RoleBinding>(5),
    owned::<ClusterRoleBinding>(6),
    owned::<Service>(7),
    owned::<Deployment>(8),
    owned::<StatefulSet>(8),
    owned::<CronJob>(8),
    owned::<PodDisruptionBudget>(9),
    owned::<Ingress>(10),
    owned::<HorizontalPodAutoscaler>(11),
    // The catalogue's entries, which nothing else depends on.
    owned::<crate::api::SharedResource>(12),
];

impl OwnedKind {
    /// The API resource, for dynamic clients and watches.
    pub fn api_resource(&self) -> kube::core::ApiResource {
        kube::core::ApiResource {
            group: self.group.into(),
            version: self.version.into(),
            api_version: self.api_version.into(),
            kind: self.kind.into(),
            plural: self.plural.into(),
        }
    }
}

/// The catalogue's resource (plural), which every department may read.
pub const SHARED_RESOURCES: &str = <crate::api::SharedResource as k8s_openapi::Resource>::URL_PATH_SEGMENT;

/// The owned kinds every API server serves: the ones watched unconditionally.
pub fn always_served() -> impl Iterator<Item = &'static OwnedKind> {
    OWNED.iter().filter(|k| !k.optional)
}

/// The owned kind named `kind`.
pub fn owned_kind(kind: &str) -> Option<&'static OwnedKind> {
    OWNED.iter().find(|k| k.kind == kind)
}

#[cfg(test)]
mod tests;
