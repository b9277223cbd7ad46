use super::*;
use govcloud_core::meta::names::{
    OPERATOR_NAMESPACE, cluster_auditor_binding, tenant_cluster_role, tenant_cluster_role_binding,
};

/// Names of every cluster-scoped object the platform itself installs or renders.
fn platform_names() -> Vec<String> {
    let mut names: Vec<String> = govcloud_render::render_platform().iter().map(|o| o.name().to_string()).collect();
    for zone in ["extranet", "private", "internet", "admin"] {
        names.extend(govcloud_render::render_zone(zone).iter().map(|o| o.name().to_string()));
    }
    for m in manifests("img", OPERATOR_NAMESPACE) {
        if m["metadata"]["namespace"].is_null() {
            names.push(m["metadata"]["name"].as_str().unwrap_or_default().to_string());
        }
    }
    names
}

#[test]
fn per_tenant_cluster_names_never_equal_a_platform_name_or_each_other() {
    let platform = platform_names();
    for expected in [
        "govcloud-tenant-admin",
        "govcloud-tenant-developer",
        "govcloud-tenant-viewer",
        "govcloud-tenant-auditor",
        "govcloud-auditor",
        "govcloud-operator",
    ] {
        assert!(platform.iter().any(|n| n == expected), "{expected} missing from {platform:?}");
    }
    let tenants = [
        "admin",
        "developer",
        "viewer",
        "auditor",
        "exec",
        "tenant-admin",
        "tenant-auditor",
        "operator",
        "public-security",
        "a",
    ];
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
