//! A tenant's namespace in a zone, as the admission policies read it: the
//! first object of a tenant's rendering, and what an app's admission is
//! judged in (the index judges each app in the namespace rendered here).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;
use kube::ResourceExt;

use super::objects::meta;
use govcloud_core::api::{NetworkZone, OwnerKind, OwnerRole, Tenant, pod_security_level};
use govcloud_core::meta::labels::{self, tenant_labels};
use govcloud_core::meta::names::namespace_name;

/// MLPS level of a tenant's namespace in a zone.
pub fn mlps_level(zone: &NetworkZone, tenant: &Tenant) -> u8 {
    zone.spec.mlps_level.max(tenant.spec.mlps_level.unwrap_or(0))
}

/// A tenant's namespace in a zone: its labels (tenant, zone, zone kind, MLPS
/// level, Pod Security, cordon) and annotations (display names, the tenant's
/// narrower registries and hosts, its quota's figures and default limits),
/// all of which the admission policies read.
pub fn namespace(t: &Tenant, zone: &NetworkZone) -> Namespace {
    let tname = t.name_any();
    let zname = zone.name_any();
    let ns = namespace_name(&tname, &zname);
    let level = mlps_level(zone, t);
    let mut ns_labels = tenant_labels(&tname, &zname);
    let psa = pod_security_level(level);
    ns_labels.insert(labels::ZONE_KIND.into(), zone.spec.kind.to_string());
    ns_labels.insert(labels::MLPS_LEVEL.into(), level.to_string());
    ns_labels.insert(labels::PSA_ENFORCE.into(), psa.into());
    ns_labels.insert(labels::PSA_ENFORCE_VERSION.into(), "latest".into());
    ns_labels.insert(labels::PSA_AUDIT.into(), "restricted".into());
    ns_labels.insert(labels::PSA_WARN.into(), "restricted".into());
    if t.spec.cordoned {
        ns_labels.insert(labels::CORDONED.into(), "true".into());
    }
    let mut ns_meta = meta(&ns, None, ns_labels);
    let mut annotations = BTreeMap::from([
        (labels::DISPLAY_NAME_ZH.to_string(), t.spec.display_name.zh.clone()),
        (labels::DISPLAY_NAME_EN.to_string(), t.spec.display_name.en.clone()),
    ]);
    // What the admission policies read: the tenant's own narrower lists.
    if !t.spec.allowed_registries.is_empty() {
        annotations.insert(labels::ALLOWED_REGISTRIES.into(), t.spec.allowed_registries.join(","));
    }
    // Who may answer the sharing requests made to the tenant's apps (GC-SHR-001).
    for (kind, key) in [(OwnerKind::User, labels::ADMIN_USERS), (OwnerKind::Group, labels::ADMIN_GROUPS)] {
        let mut names: Vec<&str> = t
            .spec
            .owners
            .iter()
            .filter(|o| o.role == OwnerRole::Admin && o.kind == kind)
            .map(|o| o.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        if !names.is_empty() {
            annotations.insert(key.into(), names.join("\n"));
        }
    }
    if !t.spec.allowed_hosts.is_empty() {
        annotations.insert(labels::ALLOWED_HOSTS.into(), t.spec.allowed_hosts.join(","));
    }
    // What GC-RES-004 bounds autoscaling by: the quota's figures in this
    // zone (the effective tenant's, approved requests included) and the
    // limits a container gets when it sets none.
    if let Some(tz) = t.spec.zones.iter().find(|z| z.name == zname) {
        annotations.insert(labels::QUOTA_PODS.into(), tz.quota.pods.to_string());
        annotations.insert(labels::QUOTA_CPU.into(), tz.quota.cpu.clone());
        annotations.insert(labels::QUOTA_MEMORY.into(), tz.quota.memory.clone());
    }
    let default_limit = t.spec.limits.as_ref().and_then(|l| l.default_limit.as_ref());
    let pick = |v: Option<&String>, fallback: &str| v.cloned().unwrap_or_else(|| fallback.to_string());
    annotations.insert(
        labels::DEFAULT_LIMIT_CPU.into(),
        pick(default_limit.and_then(|l| l.cpu.as_ref()), crate::defaults::DEFAULT_LIMIT.0),
    );
    annotations.insert(
        labels::DEFAULT_LIMIT_MEMORY.into(),
        pick(default_limit.and_then(|l| l.memory.as_ref()), crate::defaults::DEFAULT_LIMIT.1),
    );
    ns_meta.annotations = Some(annotations);
    Namespace { metadata: ns_meta, ..Default::default() }
}
