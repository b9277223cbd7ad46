//! GC-ZONE-007: the CPU and memory granted in a zone (its tenants' quotas,
//! approved requests included) against what its Ready nodes can give, times
//! the zone's over-commit ratio. One rule for the zone's status (the
//! operator), the audit, and, through that status, admission of an approval.
//!
//! ```text
//!   zone + its nodes (as JSON) ──capacity()──► cores, bytes (None: no Ready node, unknown)
//!   zone + granted tenants ─────granted()───► cores, bytes
//!   both ───────────────────────over()──────► what exceeds, for a condition or a finding
//! ```

use serde_json::Value;

use govcloud_core::api::{NetworkZone, Overcommit, Tenant, ZoneCapacity};
use govcloud_core::meta::compare::parse_quantity;

/// CPU in cores and memory in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CpuMemory {
    /// Cores.
    pub cpu: f64,
    /// Bytes.
    pub memory: f64,
}

/// Whether `node` (a Node as JSON) is one of `zone`'s: its pool's labels,
/// its taint, Ready.
fn serves(zone: &NetworkZone, node: &Value) -> bool {
    let pool = &zone.spec.node_pool;
    let labelled = pool.selector.iter().all(|(k, v)| node["metadata"]["labels"][k].as_str() == Some(v.as_str()));
    let tainted = node["spec"]["taints"].as_array().into_iter().flatten().any(|t| {
        t["key"].as_str() == Some(pool.taint.key.as_str())
            && t["value"].as_str().unwrap_or_default() == pool.taint.value
            && t["effect"].as_str() == Some(pool.taint.effect.as_str())
    });
    let ready = node["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True");
    labelled && tainted && ready
}

/// What `zone`'s Ready nodes can give, times its over-commit ratio; `None`
/// when none is Ready (the capacity is unknown, never taken for zero).
pub fn capacity<'n>(zone: &NetworkZone, nodes: impl IntoIterator<Item = &'n Value>) -> Option<CpuMemory> {
    let mut sum = CpuMemory::default();
    let mut any = false;
    for n in nodes.into_iter().filter(|n| serves(zone, n)) {
        any = true;
        sum.cpu += n["status"]["allocatable"]["cpu"].as_str().and_then(parse_quantity).unwrap_or_default();
        sum.memory += n["status"]["allocatable"]["memory"].as_str().and_then(parse_quantity).unwrap_or_default();
    }
    let ratio = zone.spec.overcommit.unwrap_or_default();
    any.then(|| CpuMemory { cpu: sum.cpu * f64::from(ratio.cpu_percent) / 100.0, memory: sum.memory * f64::from(ratio.memory_percent) / 100.0 })
}

/// The CPU and memory `tenants` (as granted: [`crate::grant_requests`])
/// hold in `zone`'s quota.
pub fn granted<'t>(zone: &str, tenants: impl IntoIterator<Item = &'t Tenant>) -> CpuMemory {
    let mut sum = CpuMemory::default();
    for tz in tenants.into_iter().flat_map(|t| t.spec.zones.iter()).filter(|tz| tz.name == zone) {
        sum.cpu += parse_quantity(&tz.quota.cpu).unwrap_or_default();
        sum.memory += parse_quantity(&tz.quota.memory).unwrap_or_default();
    }
    sum
}

/// What the granted quotas exceed, each as `cpu 224 granted > 64 (…)`; empty when they fit.
pub fn over(zone: &NetworkZone, capacity: CpuMemory, granted: CpuMemory) -> Vec<String> {
    let ratio: Overcommit = zone.spec.overcommit.unwrap_or_default();
    [("cpu", granted.cpu, capacity.cpu, ratio.cpu_percent), ("memory", granted.memory, capacity.memory, ratio.memory_percent)]
        .into_iter()
        .filter(|(_, granted, capacity, _)| granted > capacity)
        .map(|(what, granted, capacity, percent)| {
            let q = crate::format_quantity;
            format!("{what} {} granted > {} ({percent} % of the Ready nodes' allocatable)", q(granted), q(capacity))
        })
        .collect()
}

/// The zone's status figures, for admission of approvals; `None` while the capacity is unknown.
pub fn status(capacity: Option<CpuMemory>, granted: CpuMemory) -> Option<ZoneCapacity> {
    let c = capacity?;
    let q = crate::format_quantity;
    Some(ZoneCapacity { cpu: q(c.cpu), memory: q(c.memory), granted_cpu: q(granted.cpu), granted_memory: q(granted.memory) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn zone(overcommit: Option<(i32, i32)>) -> NetworkZone {
        let mut z: NetworkZone = serde_yaml::from_str(
            "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: ext}\nspec:\n  kind: extranet\n  displayName: {zh: 外网, en: Extranet}\n  nodePool: {selector: {govcloud.io/zone: extranet}, taint: {key: govcloud.io/zone, value: extranet}}\n  cidrs: [10.10.0.0/16]\n  allowedRegistries: [harbor.egov.local]\n",
        )
        .expect("zone");
        z.spec.overcommit = overcommit.map(|(cpu_percent, memory_percent)| Overcommit { cpu_percent, memory_percent });
        z
    }

    fn node(zone: &str, cpu: &str, memory: &str, ready: bool, tainted: bool) -> Value {
        json!({"kind": "Node", "metadata": {"name": format!("n-{zone}-{cpu}"), "labels": {"govcloud.io/zone": zone}},
            "spec": {"taints": if tainted { json!([{"key": "govcloud.io/zone", "value": zone, "effect": "NoSchedule"}]) } else { json!([]) }},
            "status": {"allocatable": {"cpu": cpu, "memory": memory}, "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" } }]}})
    }

    fn tenant(zone: &str, cpu: &str, memory: &str) -> Tenant {
        serde_yaml::from_str(&format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: t{cpu}}}\nspec:\n  displayName: {{zh: 甲, en: A}}\n  owners: [{{kind: Group, name: a, role: admin}}]\n  zones: [{{name: {zone}, quota: {{cpu: '{cpu}', memory: {memory}, pods: 10, services: 5}}}}]\n"
        ))
        .expect("tenant")
    }

    #[test]
    fn only_ready_tainted_nodes_of_the_pool_count_times_the_ratio() {
        let nodes = [
            node("extranet", "16", "64Gi", true, true),
            node("extranet", "16", "64Gi", true, true),
            node("extranet", "16", "64Gi", false, true),
            node("extranet", "16", "64Gi", true, false),
            node("private", "16", "64Gi", true, true),
        ];
        let c = capacity(&zone(None), &nodes).expect("known");
        assert_eq!((c.cpu, c.memory), (64.0, 128.0 * 1024f64.powi(3)), "2 nodes, cpu 200 %, memory 100 %");
        let c = capacity(&zone(Some((100, 150))), &nodes).expect("known");
        assert_eq!((c.cpu, c.memory), (32.0, 192.0 * 1024f64.powi(3)));
        assert_eq!(capacity(&zone(None), &nodes[2..3]), None, "no Ready node: unknown, not zero");
    }

    #[test]
    fn the_chifeng_sized_extranet_on_two_small_nodes_is_over_committed() {
        let z = zone(None);
        let tenants: Vec<Tenant> = (0..14).map(|_| tenant("ext", "16", "32Gi")).collect();
        let g = granted("ext", &tenants);
        assert_eq!(g.cpu, 224.0);
        let small = [node("extranet", "16", "64Gi", true, true), node("extranet", "16", "64Gi", true, true)];
        let over_small = over(&z, capacity(&z, &small).expect("known"), g);
        assert_eq!(over_small.len(), 2, "{over_small:?}");
        assert!(over_small[0].starts_with("cpu 224 granted > 64"), "{over_small:?}");
        let big = [node("extranet", "64", "256Gi", true, true), node("extranet", "64", "256Gi", true, true)];
        assert!(over(&z, capacity(&z, &big).expect("known"), g).is_empty());
        assert_eq!(granted("other", &tenants), CpuMemory::default());
        let s = status(capacity(&z, &big), g).expect("status");
        assert_eq!((s.cpu.as_str(), s.granted_cpu.as_str(), s.granted_memory.as_str()), ("256", "224", "448Gi"));
    }
}
