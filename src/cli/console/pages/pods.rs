//! Pods and where they run, on a department's home and an app's page: each
//! pod's phase and readiness, its node, and the node's zone (the node's
//! `govcloud.io/zone` label), all read as the user: a list or a node the
//! API server refuses the user is shown refused, not left out.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::ResourceExt;
use maud::{Markup, html};

use super::{Refusal, Word, w};
use crate::audit::output::Lang;

/// One pod as a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodRow {
    /// `namespace/name`.
    pub pod: String,
    /// Its phase (`Pending` until the kubelet says otherwise).
    pub phase: String,
    /// Ready containers / containers.
    pub ready: String,
    /// Its node (empty until scheduled).
    pub node: String,
    /// The node's zone: its label, none when unlabelled, or the API server's
    /// refusal to let the user read the node.
    pub zone: Result<Option<String>, Refusal>,
}

/// The pods of one namespace, or why they could not be listed.
#[derive(Clone, Debug)]
pub struct PodsIn {
    /// The namespace.
    pub namespace: String,
    /// Its pods as rows.
    pub rows: Result<Vec<PodRow>, Refusal>,
}

/// A node's zone as read: the node's `govcloud.io/zone` label.
pub fn node_zone(node: &Node) -> Option<String> {
    node.labels().get(crate::meta::labels::ZONE).cloned()
}

/// The rows of `pods`, sorted by name, each with its node's zone from
/// `zones` (node name → what reading the node gave).
pub fn rows(pods: &[Pod], zones: &BTreeMap<String, Result<Option<String>, Refusal>>) -> Vec<PodRow> {
    let mut out: Vec<PodRow> = pods
        .iter()
        .map(|p| {
            let st = p.status.clone().unwrap_or_default();
            let cs = st.container_statuses.unwrap_or_default();
            let containers = p.spec.as_ref().map_or(cs.len(), |s| s.containers.len());
            let node = p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
            let zone = if node.is_empty() { Ok(None) } else { zones.get(&node).cloned().unwrap_or(Ok(None)) };
            PodRow {
                pod: format!("{}/{}", p.namespace().unwrap_or_default(), p.name_any()),
                phase: st.phase.unwrap_or_else(|| "Pending".into()),
                ready: format!("{}/{containers}", cs.iter().filter(|c| c.ready).count()),
                node,
                zone,
            }
        })
        .collect();
    out.sort_by(|a, b| a.pod.cmp(&b.pod));
    out
}

const PODS: Word = ("Pod 及其运行位置", "pods and where they run");
const POD: Word = ("Pod", "pod");
const PHASE: Word = ("阶段", "phase");
const READY: Word = ("就绪容器", "ready containers");
const NODE: Word = ("节点", "node");
const ZONE: Word = ("节点所在网络区", "node's zone");
const UNSCHEDULED: Word = ("未调度", "not scheduled");
const NONE: Word = ("无", "none");

/// The table of pods (`mn`: the zones' Mongolian names, shown beside them).
pub fn table(lang: Lang, pods: &[PodsIn], mn: &BTreeMap<String, String>) -> Markup {
    let rows: Vec<&PodRow> = pods.iter().filter_map(|p| p.rows.as_ref().ok()).flatten().collect();
    // Each refusal once: the lists refused, then the nodes.
    let mut refused: Vec<&Refusal> = pods.iter().filter_map(|p| p.rows.as_ref().err()).collect();
    for r in rows.iter().filter_map(|r| r.zone.as_ref().err()) {
        if !refused.iter().any(|x| x.doing == r.doing) {
            refused.push(r);
        }
    }
    html! {
        h3 { (w(lang, PODS)) " (" (rows.len()) ")" }
        @if rows.is_empty() && refused.is_empty() { p { (w(lang, NONE)) } }
        @if !rows.is_empty() {
            table.pods {
                tr { th { (w(lang, POD)) } th { (w(lang, PHASE)) } th { (w(lang, READY)) } th { (w(lang, NODE)) } th { (w(lang, ZONE)) } }
                @for r in &rows {
                    tr {
                        td { (r.pod) }
                        td { (r.phase) }
                        td { (r.ready) }
                        td { @if r.node.is_empty() { (w(lang, UNSCHEDULED)) } @else { (r.node) } }
                        td.zone {
                            @match &r.zone {
                                Ok(Some(z)) => { (z) @if let Some(m) = mn.get(z) { " " (super::mongolian(m)) } },
                                Ok(None) => { "-" },
                                Err(e) => { span.warn { (e.code) " " (e.reason) } },
                            }
                        }
                    }
                }
            }
        }
        @for r in &refused { (super::refusal(lang, r)) }
    }
}
