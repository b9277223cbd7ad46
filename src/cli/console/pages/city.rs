//! The city, for platform engineers and the audit bureau (whoever the API
//! server lets list NetworkZones, Tenants and Nodes): each zone with its
//! nodes (count, Ready, architectures), its capacity against the quota
//! granted and its tenants; the topology picture the audit page draws
//! ([`crate::audit::output::topology::svg`], from the live inventory); the
//! latest failures of the compliance reports, most severe first.

use std::collections::BTreeMap;

use kube::ResourceExt;
use maud::html;
use serde_json::Value;

use super::compliance::{ResultRow, refusals, result_cells, result_head};
use super::{Chrome, Refusal, Word, num, page, w};
use crate::api::{NetworkZone, Tenant, ZoneCapacity};
use crate::audit::Audit;
use crate::audit::output::{Lang, zone_kind_name};

/// One zone as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ZoneRow {
    /// Its name.
    pub name: String,
    /// Its kind (`extranet`, `private`, `internet`).
    pub kind: String,
    /// Its MLPS level.
    pub level: u8,
    /// The nodes of its pool (its labels and taint).
    pub nodes: usize,
    /// Those Ready.
    pub ready: usize,
    /// Its nodes by architecture (`amd64`, `arm64` ...).
    pub arches: BTreeMap<String, usize>,
    /// Its capacity against the quota granted, as the operator wrote it in its status.
    pub capacity: Option<ZoneCapacity>,
    /// The tenants with a namespace in it.
    pub tenants: Vec<String>,
}

/// A node's architecture: its `kubernetes.io/arch` label, else what its kubelet reports.
fn arch(node: &Value) -> String {
    node["metadata"]["labels"]["kubernetes.io/arch"]
        .as_str()
        .or_else(|| node["status"]["nodeInfo"]["architecture"].as_str())
        .unwrap_or("?")
        .to_string()
}

/// The zones' rows, from the zones, the Nodes (as JSON) and the tenants read.
pub fn zone_rows(zones: &[NetworkZone], nodes: &[Value], tenants: &[Tenant]) -> Vec<ZoneRow> {
    let mut rows: Vec<ZoneRow> = zones
        .iter()
        .map(|z| {
            let pool: Vec<&Value> = nodes.iter().filter(|n| crate::render::capacity::in_pool(z, n)).collect();
            let mut arches = BTreeMap::new();
            for n in &pool {
                *arches.entry(arch(n)).or_default() += 1;
            }
            let mut in_zone: Vec<String> = tenants
                .iter()
                .filter(|t| t.spec.zones.iter().any(|tz| tz.name == z.name_any()))
                .map(ResourceExt::name_any)
                .collect();
            in_zone.sort();
            ZoneRow {
                name: z.name_any(),
                kind: z.spec.kind.to_string(),
                level: z.spec.mlps_level,
                nodes: pool.len(),
                ready: pool.iter().filter(|n| crate::render::capacity::ready(n)).count(),
                arches,
                capacity: z.status.as_ref().and_then(|s| s.capacity.clone()),
                tenants: in_zone,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

/// Failures shown at most on the city page.
pub const LATEST: usize = 20;

/// What the city page shows.
#[derive(Clone, Debug)]
pub struct City {
    /// The zones.
    pub zones: Vec<ZoneRow>,
    /// The picture's content (zones, tenants, apps, flows).
    pub picture: Audit,
    /// Namespaces whose apps the API server would not list (not in the picture).
    pub unread: Vec<Refusal>,
    /// The latest failures, most severe first (at most [`LATEST`]), or why none could be read.
    pub failures: Vec<ResultRow>,
    /// The reports the API server refused.
    pub refused: Vec<Refusal>,
}

const TITLE: Word = ("全市政务云", "the city");
const ZONES: Word = ("网络区", "zones");
const ZONE: Word = ("网络区", "zone");
const KIND: Word = ("类型", "kind");
const NODES: Word = ("节点（就绪/总数）", "nodes (ready/all)");
const ARCH: Word = ("架构", "architecture");
const CPU: Word = ("CPU（已分配/容量）", "CPU (granted/capacity)");
const MEMORY: Word = ("内存（已分配/容量）", "memory (granted/capacity)");
const TENANTS: Word = ("租户", "tenants");
const TOPOLOGY: Word = ("网络区、租户应用与数据流", "zones, apps and flows");
const LATEST_H: Word = ("最新不通过项（最严重的在前）", "latest failures (most severe first)");
const NO_FAILURES: Word = ("可读的报告中没有不通过项", "no failure in the reports you may read");
const REFUSED_READS: Word = ("API 服务器拒绝读取的报告", "reports the API server refused to show you");
const UNREAD: Word = ("未能读取应用的命名空间（图中未画出）", "namespaces whose apps could not be read (not drawn)");

/// A capacity cell: granted against capacity, as text and as a bar.
fn capacity_cell(id: &str, granted: &str, capacity: &str) -> maud::Markup {
    html! {
        td { label for=(id) { (granted) " / " (capacity) } " "
            meter id=(id) min="0" max=(num(capacity)) value=(num(granted)) {} }
    }
}

/// The city page.
pub fn city(c: &Chrome, m: &City) -> String {
    let lang = c.lang;
    let body = html! {
        h2 { (w(lang, ZONES)) " (" (m.zones.len()) ")" }
        table.zones {
            tr {
                th { (w(lang, ZONE)) } th { (w(lang, KIND)) } th { (w(lang, NODES)) } th { (w(lang, ARCH)) }
                th { (w(lang, CPU)) } th { (w(lang, MEMORY)) } th { (w(lang, TENANTS)) }
            }
            @for z in &m.zones {
                tr id={ "zone-" (z.name) } {
                    th { (z.name) }
                    td { (zone_kind_name(&z.kind, lang)) " · " @if lang == Lang::Zh { "等保" (z.level) "级" } @else { "MLPS " (z.level) } }
                    td class=(if z.ready < z.nodes || z.nodes == 0 { "warn" } else { "" }) { (z.ready) "/" (z.nodes) }
                    td { (z.arches.iter().map(|(a, n)| format!("{a} {n}")).collect::<Vec<_>>().join(", ")) }
                    @match &z.capacity {
                        None => { td { "-" } td { "-" } }
                        Some(k) => {
                            (capacity_cell(&format!("cpu-{}", z.name), &k.granted_cpu, &k.cpu))
                            (capacity_cell(&format!("mem-{}", z.name), &k.granted_memory, &k.memory))
                        }
                    }
                    td { (z.tenants.len()) ": " (z.tenants.join(", ")) }
                }
            }
        }
        h2 { (w(lang, TOPOLOGY)) }
        figure.topology { (crate::audit::output::topology::svg(&m.picture, lang)) }
        (refusals(lang, UNREAD, &m.unread, false))
        h2 { (w(lang, LATEST_H)) }
        @if m.failures.is_empty() { p { (w(lang, NO_FAILURES)) } } @else {
            table.results {
                (result_head(lang))
                @for x in &m.failures { tr { (result_cells(lang, x)) } }
            }
        }
        (refusals(lang, REFUSED_READS, &m.refused, false))
    };
    page(c, w(lang, TITLE), body)
}

#[cfg(test)]
mod tests;
