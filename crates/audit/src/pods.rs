//! Running pods (`AuditBy::RunningPods`): what the kubelet would run, judged where it runs.

use govcloud_core::controls;
use govcloud_core::messages::Code;
use govcloud_core::msg;

use kube::ResourceExt;

use govcloud_core::model::Model;
use serde_json::Value;

use crate::Outcome;
use crate::ctx::{Ctx, id_of, kind_of, label, name_of, ns_of};
use govcloud_core::meta::labels::ZONE;
use std::collections::{BTreeMap, BTreeSet};

/// GC-ZONE-001 for what runs: a scheduled pod in a zone's namespace is on a
/// node of that zone (checked when the nodes are in scope).
pub(crate) fn running_pods(ctx: &mut Ctx<'_>, model: &Model, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
    let nodes: BTreeMap<&str, &Value> =
        objects.iter().filter(|o| kind_of(o) == "Node").map(|n| (name_of(n), *n)).collect();
    if nodes.is_empty() {
        return;
    }
    for p in objects.iter().filter(|o| kind_of(o) == "Pod" && tenant_ns.contains(ns_of(o))) {
        let Some(node) = p["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) else { continue };
        let ns = ns_of(p);
        let Some(zone) = ctx
            .namespaces
            .get(ns)
            .and_then(|o| label(o, ZONE))
            .and_then(|z| model.zones.iter().find(|m| m.name_any() == z))
        else {
            continue;
        };
        let on_zone_node = nodes
            .get(node)
            .is_some_and(|n| zone.spec.node_pool.selector.iter().all(|(k, v)| label(n, k) == Some(v.as_str())));
        ctx.add(
            controls::ZONE_NODES,
            if on_zone_node { Outcome::Pass } else { Outcome::Fail },
            &id_of(p),
            Some(ns),
            "spec.nodeName",
            msg!(
                if nodes.contains_key(node) { Code::EvidenceRunsOnNode } else { Code::EvidenceRunsOnUnknownNode },
                node
            ),
            msg!(Code::PodOnZonePool, zone.name_any()),
        );
    }
}
