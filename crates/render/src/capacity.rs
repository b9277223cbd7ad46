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
use govcloud_core::meta::quantity::Quantity;

/// CPU (cores) and memory (bytes), exact.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CpuMemory {
    /// Cores.
    pub cpu: Quantity,
    /// Bytes.
    pub memory: Quantity,
}

/// A quantity as a Node or a quota writes it; none or unreadable: zero.
fn quantity(q: Option<&str>) -> Quantity {
    q.and_then(|q| Quantity::parse(q).ok()).unwrap_or_default()
}

/// Whether `node` (a Node as JSON) is one of `zone`'s: its pool's labels,
/// its taint, Ready.
fn serves(zone: &NetworkZone, node: &Value) -> bool {
    in_pool(zone, node) && ready(node)
}

/// Whether `node` (a Node as JSON) is in `zone`'s pool: its labels and its taint.
pub fn in_pool(zone: &NetworkZone, node: &Value) -> bool {
    let pool = &zone.spec.node_pool;
    let labelled = pool.selector.iter().all(|(k, v)| node["metadata"]["labels"][k].as_str() == Some(v.as_str()));
    let tainted = node["spec"]["taints"].as_array().into_iter().flatten().any(|t| {
        t["key"].as_str() == Some(pool.taint.key.as_str())
            && t["value"].as_str().unwrap_or_default() == pool.taint.value
            && t["effect"].as_str() == Some(pool.taint.effect.as_str())
    });
    labelled && tainted
}

/// Whether `node` (a Node as JSON) is Ready.
pub fn ready(node: &Value) -> bool {
    node["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// What `zone`'s Ready nodes can give, times its over-commit ratio; `None`
/// when none is Ready (the capacity is unknown, never taken for zero).
pub fn capacity<'n>(zone: &NetworkZone, nodes: impl IntoIterator<Item = &'n Value>) -> Option<CpuMemory> {
    let mut sum = CpuMemory::default();
    let mut any = false;
    for n in nodes.into_iter().filter(|n| serves(zone, n)) {
        any = true;
        sum.cpu += quantity(n["status"]["allocatable"]["cpu"].as_str());
        sum.memory += quantity(n["status"]["allocatable"]["memory"].as_str());
    }
    let ratio = zone.spec.overcommit.unwrap_or_default();
    any.then(|| CpuMemory { cpu: sum.cpu.percent(ratio.cpu_percent), memory: sum.memory.percent(ratio.memory_percent) })
}

/// The CPU and memory `tenants` (as granted: [`crate::grant_requests`])
/// hold in `zone`'s quota.
pub fn granted<'t>(zone: &str, tenants: impl IntoIterator<Item = &'t Tenant>) -> CpuMemory {
    let mut sum = CpuMemory::default();
    for tz in tenants.into_iter().flat_map(|t| t.spec.zones.iter()).filter(|tz| tz.name == zone) {
        sum.cpu += quantity(Some(&tz.quota.cpu));
        sum.memory += quantity(Some(&tz.quota.memory));
    }
    sum
}

/// What the granted quotas exceed, each as `cpu 224 granted > 64 (…)`; empty when they fit.
pub fn over(zone: &NetworkZone, capacity: CpuMemory, granted: CpuMemory) -> Vec<govcloud_core::messages::Message> {
    let ratio: Overcommit = zone.spec.overcommit.unwrap_or_default();
    [
        ("cpu", granted.cpu, capacity.cpu, ratio.cpu_percent),
        ("memory", granted.memory, capacity.memory, ratio.memory_percent),
    ]
    .into_iter()
    .filter(|(_, granted, capacity, _)| granted > capacity)
    .map(|(what, granted, capacity, percent)| {
        let q = crate::format_quantity;
        govcloud_core::msg!(
            govcloud_core::messages::Code::GrantedOverCapacity,
            what,
            q(granted),
            q(capacity),
            percent.to_string()
        )
    })
    .collect()
}

/// The zone's status figures, for admission of approvals; `None` while the capacity is unknown.
pub fn status(capacity: Option<CpuMemory>, granted: CpuMemory) -> Option<ZoneCapacity> {
    let c = capacity?;
    let q = crate::format_quantity;
    Some(ZoneCapacity {
        cpu: q(c.cpu),
        memory: q(c.memory),
        granted_cpu: q(granted.cpu),
        granted_memory: q(granted.memory),
    })
}

#[cfg(test)]
mod tests;
