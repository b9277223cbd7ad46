//! Zones (`AuditBy::ZoneRanges`, `AuditBy::ZoneNodes`): address ranges, capacity and the nodes each zone's workloads run on.

use govcloud_core::controls;
use govcloud_core::messages::{Arg, Code, Message};
use govcloud_core::msg;

use govcloud_core::model::Model;
use serde_json::Value;

use crate::Outcome;
use crate::ctx::{Ctx, id_of, kind_of, label, name_of, ns_of};
use kube::ResourceExt;
use std::collections::{BTreeMap, BTreeSet};

/// GC-NET-004: every exchange endpoint address lies inside its zone's or a
/// peer zone's ranges (the renderer's own verdict); GC-NET-005: every ipBlock
/// in a tenant namespace that spans the cluster's pod or service range
/// excepts it.
pub(crate) fn zone_ranges(
    ctx: &mut Ctx<'_>,
    model: &Model,
    index: &govcloud_render::Index<'_>,
    objects: &[&Value],
    tenant_ns: &BTreeSet<String>,
    remote: &BTreeMap<String, String>,
) {
    endpoint_ranges(ctx, model, index, remote);
    policy_ranges(ctx, model, objects, tenant_ns);
}

/// GC-NET-004, from the model and the renderer's verdicts alone.
pub(crate) fn endpoint_ranges(
    ctx: &mut Ctx<'_>,
    model: &Model,
    index: &govcloud_render::Index<'_>,
    remote: &BTreeMap<String, String>,
) {
    for z in model.zones.iter().filter(|z| !remote.contains_key(&z.name_any())) {
        for (i, ep) in z.spec.exchange_endpoints.iter().enumerate() {
            let Some(cidr) = &ep.cidr else { continue };
            let rejected = index.rejected_endpoints.contains(&(z.name_any(), i));
            ctx.add(
                controls::ENDPOINT_RANGES,
                if rejected { Outcome::Fail } else { Outcome::Pass },
                &format!("NetworkZone/{}", z.name_any()),
                None,
                &format!("spec.exchangeEndpoints[{i}].cidr"),
                format!("{} = {cidr}", ep.name),
                msg!(Code::EndpointInsideRanges),
            );
        }
    }
}

/// GC-NET-005, the half of [`zone_ranges`] that reads the NetworkPolicies: one policy at a time
/// (a few namespaces at a time, in the audit by namespaces).
pub(crate) fn policy_ranges(ctx: &mut Ctx<'_>, model: &Model, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
    let cluster: Vec<ipnet::IpNet> = model.cluster_cidrs.iter().filter_map(|c| c.parse().ok()).collect();
    for np in objects.iter().filter(|o| kind_of(o) == "NetworkPolicy" && tenant_ns.contains(ns_of(o))) {
        let peers = ["ingress", "egress"].iter().flat_map(|dir| {
            let side = if *dir == "ingress" { "from" } else { "to" };
            np["spec"][dir].as_array().into_iter().flatten().flat_map(move |r| r[side].as_array().into_iter().flatten())
        });
        for block in peers.filter_map(|p| p.get("ipBlock")) {
            let Some(net) = block["cidr"].as_str().and_then(|c| c.parse::<ipnet::IpNet>().ok()) else { continue };
            let except: Vec<ipnet::IpNet> =
                block["except"].as_array().into_iter().flatten().filter_map(|e| e.as_str()?.parse().ok()).collect();
            let open: Vec<String> = cluster
                .iter()
                .filter(|c| net.contains(*c) && net != **c && !except.iter().any(|e| e.contains(*c)))
                .map(|c| c.to_string())
                .collect();
            if cluster.iter().all(|c| !net.contains(c)) {
                continue;
            }
            ctx.add(
                controls::CLUSTER_RANGES,
                if open.is_empty() { Outcome::Pass } else { Outcome::Fail },
                &id_of(np),
                Some(ns_of(np)),
                "ipBlock.except",
                if open.is_empty() {
                    msg!(Code::EvidenceExceptsRanges, net.to_string())
                } else {
                    msg!(Code::EvidenceSpansRanges, net.to_string(), open.join(", "))
                },
                msg!(Code::WideRangesExcept),
            );
        }
    }
}

/// GC-ZONE-004: nodes of a zone carry its taint (skipped when no nodes are in
/// scope); GC-ZONE-006: a node that matches the pool of a zone another cluster
/// hosts matches one this cluster hosts too (zones of different clusters may
/// share pool labels), else it is that zone's machine in the wrong cluster.
/// GC-ZONE-007: the CPU and memory granted in a zone fit what its Ready
/// nodes give, times its over-commit ratio (skipped without Ready nodes in scope).
pub(crate) fn zone_capacity(ctx: &mut Ctx<'_>, model: &Model, z: &govcloud_core::api::NetworkZone, nodes: &[&Value]) {
    use govcloud_render::capacity;
    let id = format!("NetworkZone/{}", z.name_any());
    let why = msg!(Code::ZoneCapacityFits);
    let Some(cap) = capacity::capacity(z, nodes.iter().copied()) else {
        ctx.add(
            controls::ZONE_CAPACITY,
            Outcome::Skip,
            &id,
            None,
            "spec.nodePool",
            msg!(Code::EvidenceNoReadyNode),
            why,
        );
        return;
    };
    let granted = capacity::granted(&z.name_any(), &model.tenants);
    let over = capacity::over(z, cap, granted);
    let (outcome, evidence) = if over.is_empty() {
        (
            Outcome::Pass,
            msg!(
                Code::EvidenceCapacity,
                govcloud_render::format_quantity(granted.cpu),
                govcloud_render::format_quantity(cap.cpu),
                govcloud_render::format_quantity(granted.memory),
                govcloud_render::format_quantity(cap.memory)
            ),
        )
    } else {
        (Outcome::Fail, Message::joined(over).unwrap_or_else(|| msg!(Code::EvidenceDiffers)))
    };
    ctx.add(controls::ZONE_CAPACITY, outcome, &id, None, "spec.zones[].quota", evidence, why);
}

pub(crate) fn zone_nodes(ctx: &mut Ctx<'_>, model: &Model, objects: &[&Value], remote: &BTreeMap<String, String>) {
    let nodes: Vec<&Value> = objects.iter().filter(|o| kind_of(o) == "Node").copied().collect();
    let in_pool = |n: &Value, z: &govcloud_core::api::NetworkZone| {
        z.spec.node_pool.selector.iter().all(|(k, v)| label(n, k) == Some(v.as_str()))
    };
    for n in &nodes {
        let (elsewhere, here): (Vec<&govcloud_core::api::NetworkZone>, Vec<&govcloud_core::api::NetworkZone>) =
            model.zones.iter().filter(|z| in_pool(n, z)).partition(|z| remote.contains_key(&z.name_any()));
        if elsewhere.is_empty() {
            continue;
        }
        let theirs = Arg::list(elsewhere.iter().map(|z| {
            let host = remote.get(&z.name_any()).map(String::as_str).unwrap_or_default();
            msg!(
                Code::EvidenceZoneRunsIn,
                z.name_any(),
                govcloud_render::cluster_message((!host.is_empty()).then_some(host))
            )
        }));
        let (outcome, evidence) = if here.is_empty() {
            (Outcome::Fail, msg!(Code::EvidencePoolNoneHere, theirs))
        } else {
            let ours: Vec<String> = here.iter().map(|z| z.name_any()).collect();
            (Outcome::Pass, msg!(Code::EvidencePoolAlsoHere, theirs, ours.join(", ")))
        };
        ctx.add(
            controls::FOREIGN_NODES,
            outcome,
            &format!("Node/{}", name_of(n)),
            None,
            "metadata.labels",
            evidence,
            msg!(Code::NodeOneCluster),
        );
    }
    // A zone another cluster hosts has no nodes here, and is no finding.
    for z in model.zones.iter().filter(|z| !remote.contains_key(&z.name_any())) {
        zone_capacity(ctx, model, z, &nodes);
        let pool = &z.spec.node_pool;
        let id = format!("NetworkZone/{}", z.name_any());
        let matched: Vec<&&Value> =
            nodes.iter().filter(|n| pool.selector.iter().all(|(k, v)| label(n, k) == Some(v.as_str()))).collect();
        if matched.is_empty() {
            ctx.add(
                controls::ZONE_TAINT,
                Outcome::Skip,
                &id,
                None,
                "spec.nodePool",
                msg!(Code::EvidenceNoNode),
                msg!(Code::LiveNodesOnly),
            );
        }
        for n in matched {
            let tainted = n["spec"]["taints"].as_array().is_some_and(|ts| {
                ts.iter().any(|t| {
                    t["key"] == pool.taint.key.as_str()
                        && t["value"].as_str().unwrap_or("") == pool.taint.value
                        && t["effect"] == pool.taint.effect.as_str()
                })
            });
            ctx.add(
                controls::ZONE_TAINT,
                if tainted { Outcome::Pass } else { Outcome::Fail },
                &format!("Node/{}", name_of(n)),
                None,
                "spec.taints",
                n["spec"]["taints"].to_string(),
                msg!(Code::NodeTaint, z.name_any(), &pool.taint.key, &pool.taint.value, pool.taint.effect.as_str()),
            );
        }
    }
}
