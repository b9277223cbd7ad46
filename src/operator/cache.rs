//! In-memory caches (reflector stores) of everything the operator reads:
//! the three govcloud kinds, nodes, and every kind of object it owns.

use std::collections::BTreeMap;

use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::reflector::{ObjectRef, Store};

/// A kind of object govcloud owns, and its cache.
#[derive(Clone)]
pub struct OwnedKind {
    /// API resource (group, version, plural).
    pub resource: ApiResource,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Cache of the objects of this kind labelled as ours.
    pub store: Store<DynamicObject>,
}

/// Kinds govcloud owns, with whether each is namespaced.
pub const OWNED_KINDS: &[(&str, &str, &str, bool)] = &[
    ("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding", false),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", false),
    ("", "v1", "Namespace", false),
    ("", "v1", "ResourceQuota", true),
    ("", "v1", "LimitRange", true),
    ("networking.k8s.io", "v1", "NetworkPolicy", true),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", true),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", false),
    ("", "v1", "Service", true),
    ("apps", "v1", "Deployment", true),
    ("policy", "v1", "PodDisruptionBudget", true),
    ("networking.k8s.io", "v1", "Ingress", true),
];

/// API resource of a core or built-in kind.
pub fn api_resource(group: &str, version: &str, kind: &str) -> ApiResource {
    ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind))
}

/// Caches of owned objects, by kind.
#[derive(Clone, Default)]
pub struct OwnedCaches {
    /// kind -> cache
    pub kinds: BTreeMap<String, OwnedKind>,
}

impl OwnedCaches {
    /// The cached object of `kind` at `namespace/name`.
    pub fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<std::sync::Arc<DynamicObject>> {
        let k = self.kinds.get(kind)?;
        let mut r = ObjectRef::new_with(name, k.resource.clone());
        if k.namespaced {
            r = r.within(namespace);
        }
        k.store.get(&r)
    }

    /// Every cached object whose labels say it is owned by `owner_kind` `owner_ns/owner_name`.
    pub fn owned_by(&self, owner_kind: &str, owner_ns: Option<&str>, owner_name: &str) -> Vec<(String, std::sync::Arc<DynamicObject>)> {
        use crate::render::labels::{OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE};
        let mut out = Vec::new();
        for (kind, k) in &self.kinds {
            for o in k.store.state() {
                let l = o.metadata.labels.clone().unwrap_or_default();
                if l.get(OWNER_KIND).map(String::as_str) == Some(owner_kind)
                    && l.get(OWNER_NAME).map(String::as_str) == Some(owner_name)
                    && l.get(OWNER_NAMESPACE).map(String::as_str) == owner_ns
                {
                    out.push((kind.clone(), o));
                }
            }
        }
        out
    }
}
