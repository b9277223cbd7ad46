//! Draft Tenants: what a namespace says about its department. On govcloud's
//! own namespaces (rendered output, or a cluster govcloud runs) that is most
//! of the Tenant: display names, MLPS level, registries and hosts (the
//! namespace's labels and annotations), quota, limit defaults and owners
//! (its ResourceQuota, LimitRange and RoleBindings). Elsewhere: the names,
//! the namespace's quota where it has one, and no owners.

use serde_json::Value;

use govcloud_core::api::{
    CpuMemory, DisplayName, LimitDefaults, NetworkZone, Owner, OwnerKind, OwnerRole, Tenant, TenantSpec, ZoneQuota,
};
use govcloud_core::meta::{self, labels, names};

use super::{kind_of, label, name_of};

/// A draft Tenant, before its zones are added.
pub(crate) fn draft(name: &str, ns: Option<&Value>) -> Tenant {
    let annotation = |key: &str| ns.and_then(|n| n["metadata"]["annotations"][key].as_str()).map(String::from);
    let list = |key: &str| -> Vec<String> {
        annotation(key)
            .map(|a| a.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    };
    let display_name = DisplayName {
        zh: annotation(labels::DISPLAY_NAME_ZH).unwrap_or_else(|| name.to_string()),
        en: annotation(labels::DISPLAY_NAME_EN).unwrap_or_else(|| name.to_string()),
        mn: None,
    };
    Tenant::new(
        name,
        TenantSpec {
            base_databases: Vec::new(),
            public_apps: Vec::new(),
            display_name,
            owners: Vec::new(),
            zones: Vec::new(),
            limits: None,
            prevent_deletion: false,
            cordoned: ns.and_then(|n| label(n, labels::CORDONED)) == Some("true"),
            mlps_level: None,
            allowed_registries: list(labels::ALLOWED_REGISTRIES),
            audit_scope: Default::default(),
            allowed_hosts: list(labels::ALLOWED_HOSTS),
        },
    )
}

/// What one more namespace of the tenant adds: a level above its zone's,
/// limit defaults and owners (from govcloud's LimitRange and RoleBindings).
pub(crate) fn merge(t: &mut Tenant, ns: Option<&Value>, zone: Option<&NetworkZone>, members: &[&Value]) {
    let level = ns.and_then(|n| label(n, labels::MLPS_LEVEL)).and_then(|l| l.parse::<u8>().ok());
    if let (Some(level), Some(zone)) = (level, zone)
        && level > zone.spec.mlps_level
    {
        t.spec.mlps_level = Some(t.spec.mlps_level.unwrap_or(level).max(level));
    }
    for lr in members.iter().filter(|o| kind_of(o) == "LimitRange" && name_of(o) == names::LIMITS) {
        let item = &lr["spec"]["limits"][0];
        let cm = |v: &Value| -> Option<CpuMemory> {
            let cm = CpuMemory { cpu: quantity(&v["cpu"]), memory: quantity(&v["memory"]) };
            (cm.cpu.is_some() || cm.memory.is_some()).then_some(cm)
        };
        let limits = LimitDefaults {
            default_request: cm(&item["defaultRequest"]),
            default_limit: cm(&item["default"]),
            max: cm(&item["max"]),
        };
        if t.spec.limits.is_none() {
            t.spec.limits = Some(limits);
        }
    }
    for role in OwnerRole::ALL {
        let binding = names::tenant_role_binding(role.as_str());
        for rb in members.iter().filter(|o| kind_of(o) == "RoleBinding" && name_of(o) == binding) {
            owners(t, rb, role);
        }
    }
}

/// The auditors of a tenant that reads every tenant, from its cluster-wide binding.
pub(crate) fn auditors(t: &mut Tenant, binding: &Value) {
    owners(t, binding, OwnerRole::Auditor);
}

/// The subjects of a binding, as owners in `role`.
fn owners(t: &mut Tenant, binding: &Value, role: OwnerRole) {
    for s in binding["subjects"].as_array().into_iter().flatten() {
        let kind = match s["kind"].as_str() {
            Some("User") => OwnerKind::User,
            Some("Group") => OwnerKind::Group,
            _ => continue,
        };
        let owner = Owner { kind, name: s["name"].as_str().unwrap_or_default().to_string(), role };
        if !t.spec.owners.contains(&owner) {
            t.spec.owners.push(owner);
        }
    }
}

fn quantity(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The namespace's quota: its ResourceQuota's (govcloud's, else the first),
/// each value it has; govcloud's defaults for the others.
pub(crate) fn quota(members: &[&Value]) -> ZoneQuota {
    let mut q = ZoneQuota::default();
    let quotas: Vec<&&Value> = members.iter().filter(|o| kind_of(o) == "ResourceQuota").collect();
    let Some(rq) = quotas.iter().find(|o| name_of(o) == names::QUOTA).or(quotas.first()) else { return q };
    let hard = &rq["spec"]["hard"];
    let get = |keys: &[&str]| keys.iter().find_map(|k| quantity(&hard[*k]));
    let count = |keys: &[&str]| get(keys).and_then(|p| p.parse::<i32>().ok());
    if let Some(v) = get(&["limits.cpu", "cpu", "requests.cpu"]) {
        q.cpu = v;
    }
    if let Some(v) = get(&["limits.memory", "memory", "requests.memory"]) {
        q.memory = v;
    }
    if let Some(v) = get(&["requests.storage"]) {
        q.storage = v;
    }
    if let Some(v) = get(&["limits.ephemeral-storage", "requests.ephemeral-storage"]) {
        q.ephemeral_storage = v;
    }
    for (keys, field) in [
        (&["pods"][..], &mut q.pods),
        (&["services"][..], &mut q.services),
        (&["persistentvolumeclaims"][..], &mut q.persistent_volume_claims),
        (&["count/configmaps", "configmaps"][..], &mut q.config_maps),
        (&["count/secrets", "secrets"][..], &mut q.secrets),
        (&[meta::APP_COUNT_QUOTA][..], &mut q.apps),
    ] {
        if let Some(v) = count(keys) {
            *field = v;
        }
    }
    q
}
