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
/// Namespace annotation: the registries (comma-separated prefixes) the
/// tenant narrowed its images to; absent when the zone's apply. Read by the
/// admission policies.
pub const ALLOWED_REGISTRIES: &str = "govcloud.io/allowed-registries";
/// Namespace annotation: the public host names (comma-separated, exact or
/// `*.`-prefixed) the tenant may claim besides its zone's domain; absent when
/// none. Read by the admission policies.
pub const ALLOWED_HOSTS: &str = "govcloud.io/allowed-hosts";

/// Namespace of a tenant in a zone. Zone names contain no hyphen, so the name
/// splits back unambiguously at its last hyphen.
pub fn namespace_name(tenant: &str, zone: &str) -> String {
    format!("{tenant}-{zone}")
}

/// Name of a tenant's own ClusterRole (read its Tenant object). Per-tenant
/// cluster-scoped names contain `:`, which no platform object's name does, so
/// no tenant name (`admin`, `auditor`, ...) can make one equal a platform role.
pub fn tenant_cluster_role(tenant: &str) -> String {
    format!("govcloud:tenant:{tenant}")
}

/// Name of the ClusterRoleBinding of a tenant's owners to [`tenant_cluster_role`].
pub fn tenant_cluster_role_binding(tenant: &str) -> String {
    tenant_cluster_role(tenant)
}

/// Name of the ClusterRoleBinding of a cluster-scope tenant's auditors to the
/// cluster auditor role.
pub fn cluster_auditor_binding(tenant: &str) -> String {
    format!("govcloud:auditor:{tenant}")
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Names of every cluster-scoped object the platform itself installs or renders.
    fn platform_names() -> Vec<String> {
        let mut names: Vec<String> = crate::render::render_platform().iter().map(|o| o.name().to_string()).collect();
        for zone in ["extranet", "private", "internet", "admin"] {
            names.extend(crate::render::render_zone(zone).iter().map(|o| o.name().to_string()));
        }
        for m in crate::operator::install::manifests("img", "govcloud-system") {
            if m["metadata"]["namespace"].is_null() {
                names.push(m["metadata"]["name"].as_str().unwrap_or_default().to_string());
            }
        }
        names
    }

    #[test]
    fn per_tenant_cluster_names_never_equal_a_platform_name_or_each_other() {
        let platform = platform_names();
        for expected in
            ["govcloud-tenant-admin", "govcloud-tenant-developer", "govcloud-tenant-viewer", "govcloud-tenant-auditor", "govcloud-auditor", "govcloud-operator"]
        {
            assert!(platform.iter().any(|n| n == expected), "{expected} missing from {platform:?}");
        }
        let tenants = ["admin", "developer", "viewer", "auditor", "exec", "tenant-admin", "tenant-auditor", "operator", "public-security", "a"];
        let mut seen = std::collections::BTreeSet::new();
        for t in tenants {
            let role = tenant_cluster_role(t);
            let binding = tenant_cluster_role_binding(t);
            let auditor = cluster_auditor_binding(t);
            for n in [&role, &binding, &auditor] {
                assert!(!platform.contains(n), "{n} (tenant {t}) equals a platform object's name");
            }
            assert_eq!(role, binding, "a tenant's role and its binding share a name");
            assert!(seen.insert(("role", role.clone())), "{role} twice");
            assert!(seen.insert(("binding", auditor.clone())), "{auditor} twice");
            assert!(seen.insert(("binding", binding.clone())), "{binding} twice");
        }
        assert!(platform.iter().all(|n| !n.contains(':')), "platform names never contain ':': {platform:?}");
    }
}
