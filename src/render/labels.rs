//! Labels and names govcloud puts on what it owns, so pruning and auditing can
//! find every object and its owner.

use std::collections::BTreeMap;

/// `app.kubernetes.io/managed-by` — set to [`MANAGER`] on every owned object.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// Value of [`MANAGED_BY`], also the server-side-apply field manager.
pub const MANAGER: &str = "govcloud";
/// Tenant an object belongs to.
pub const TENANT: &str = "govcloud.io/tenant";
/// Zone an object belongs to.
pub const ZONE: &str = "govcloud.io/zone";
/// Kind of the zone (extranet, private, internet).
pub const ZONE_KIND: &str = "govcloud.io/zone-kind";
/// App an object or pod belongs to; NetworkPolicies select pods by it.
pub const APP: &str = "govcloud.io/app";
/// Kind of the govcloud resource that owns an object.
pub const OWNER_KIND: &str = "govcloud.io/owner-kind";
/// Name of the govcloud resource that owns an object.
pub const OWNER_NAME: &str = "govcloud.io/owner-name";
/// Namespace of the owning resource, when it is namespaced.
pub const OWNER_NAMESPACE: &str = "govcloud.io/owner-namespace";
/// MLPS level in force in a namespace.
pub const MLPS_LEVEL: &str = "govcloud.io/mlps-level";
/// Data classification of an app.
pub const CLASSIFICATION: &str = "govcloud.io/data-classification";
/// Set on the namespaces of a cordoned tenant.
pub const CORDONED: &str = "govcloud.io/cordoned";
/// Label the platform puts on the namespace of the ingress controller that
/// serves public apps.
pub const INGRESS_CONTROLLER_NS: &str = "govcloud.io/ingress-controller";
/// Set by the API server on every namespace; cannot be forged by tenants.
pub const NAMESPACE_NAME: &str = "kubernetes.io/metadata.name";

/// Namespace of a tenant in a zone. Zone names contain no hyphen, so the name
/// splits back unambiguously at its last hyphen.
pub fn namespace_name(tenant: &str, zone: &str) -> String {
    format!("{tenant}-{zone}")
}

/// Labels of an object owned by a cluster-scoped resource.
pub fn owned_by(kind: &str, name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(MANAGED_BY.to_string(), MANAGER.to_string()), (OWNER_KIND.to_string(), kind.to_string()), (OWNER_NAME.to_string(), name.to_string())])
}

/// Labels of an object owned by a tenant, in one of its zones.
pub fn tenant_labels(tenant: &str, zone: &str) -> BTreeMap<String, String> {
    let mut l = owned_by("Tenant", tenant);
    l.insert(TENANT.into(), tenant.into());
    l.insert(ZONE.into(), zone.into());
    l
}

/// Labels of an object owned by a DepartmentApp.
pub fn app_labels(tenant: &str, zone: &str, namespace: &str, app: &str) -> BTreeMap<String, String> {
    let mut l = owned_by("DepartmentApp", app);
    l.insert(OWNER_NAMESPACE.into(), namespace.into());
    l.insert(TENANT.into(), tenant.into());
    l.insert(ZONE.into(), zone.into());
    l.insert(APP.into(), app.into());
    l
}
