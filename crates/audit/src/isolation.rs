//! Isolation (`AuditBy::Isolation`): who reaches whom by the Admin tier and NetworkPolicy semantics, against the granted flows; private zones reach only their exchange endpoints.

use govcloud_core::controls;
use govcloud_core::messages::{Arg, Code, Message};
use govcloud_core::meta::labels;
use govcloud_core::msg;

use govcloud_core::api::{FlowState, ZoneKind};
use govcloud_core::model::Model;
use serde_json::Value;

use crate::ctx::{Ctx, id_of, kind_of, label, name_of, ns_of, pod_of};
use crate::netpol::{Network, Policy, Workload};
use crate::{Across, Connectivity, Outcome, admin_tier, api_server, netpol};
use govcloud_core::meta::labels::{TENANT, ZONE};
use kube::ResourceExt;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

/// Whether `o` is run by a workload that is itself in `objects` (a pod of a
/// listed ReplicaSet, a ReplicaSet of a listed Deployment): that workload
/// stands for it in the connectivity matrix. An owner reference to anything
/// else (a ConfigMap, a missing object) stands for nothing.
pub(crate) fn run_by_listed_workload(o: &Value, listed: &BTreeSet<(String, String, String)>) -> bool {
    o["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|r| {
        r["controller"] == true
            && listed.contains(&(
                ns_of(o).to_string(),
                r["kind"].as_str().unwrap_or_default().to_string(),
                r["name"].as_str().unwrap_or_default().to_string(),
            ))
    })
}

/// The workloads among `objects` (in their order), for NetworkPolicy semantics.
pub(crate) fn workloads(objects: &[&Value], tenant_ns: &BTreeSet<String>) -> Vec<Workload> {
    workloads_at(objects, tenant_ns).into_iter().map(|(_, w)| w).collect()
}

/// [`workloads`], each with its position in `objects`. What stands for a
/// pod is decided within its namespace (an owner reference names an object
/// of the same namespace), so the workloads of a few namespaces at a time
/// are those of all at once.
pub(crate) fn workloads_at(objects: &[&Value], tenant_ns: &BTreeSet<String>) -> Vec<(usize, Workload)> {
    let listed: BTreeSet<(String, String, String)> = objects
        .iter()
        .filter(|o| kind_of(o) != "Pod" && pod_of(o).is_some())
        .map(|o| (ns_of(o).to_string(), kind_of(o).to_string(), name_of(o).to_string()))
        .collect();
    let mut out = Vec::new();
    for (at, o) in objects.iter().enumerate().filter(|(_, o)| tenant_ns.contains(ns_of(o))) {
        let Some((pod_metadata, pod_spec)) = pod_of(o) else { continue };
        if run_by_listed_workload(o, &listed) {
            continue;
        }
        let labels: BTreeMap<String, String> = pod_metadata["labels"]
            .as_object()
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        let ports = pod_spec["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
            .filter_map(|p| Some((p["containerPort"].as_i64()?, p["protocol"].as_str().unwrap_or("TCP").to_string())))
            .collect();
        let app = labels.get(labels::APP).cloned().unwrap_or_else(|| name_of(o).to_string());
        out.push((at, Workload { id: id_of(o), app, namespace: ns_of(o).to_string(), labels, ports }));
    }
    out
}

/// The NetworkPolicies `policies` over the namespaces' labels, with the
/// Admin-tier policies among `objects`.
pub(crate) fn network<'o>(ctx: &Ctx<'_>, objects: &[&'o Value], policies: Vec<Policy>) -> Network<'o> {
    let namespace_labels = ctx
        .namespaces
        .iter()
        .map(|(n, o)| {
            (
                n.clone(),
                o["metadata"]["labels"]
                    .as_object()
                    .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
                    .unwrap_or_default(),
            )
        })
        .collect();
    Network::of(policies, namespace_labels)
        .with_admin_tier(objects.iter().copied().filter(|o| admin_tier::is_cluster_policy(o)))
}

/// Whether an inventory comes from a cluster that serves the admin tier: it
/// holds ClusterNetworkPolicies (an offline audit's only sign of it).
pub fn serves_admin_tier(objects: &[Value]) -> bool {
    objects.iter().any(admin_tier::is_cluster_policy)
}

/// GC-NET-003's finding for a workload of private zone `zone` and the
/// addresses outside it that it reaches (`escapes`).
pub(crate) fn private_egress(ctx: &mut Ctx<'_>, w: &Workload, zone: &str, escapes: &[Message]) {
    ctx.add(
        controls::PRIVATE_EGRESS,
        if escapes.is_empty() { Outcome::Pass } else { Outcome::Fail },
        &w.id,
        Some(&w.namespace),
        "NetworkPolicy egress",
        Message::joined(escapes.iter().cloned()).unwrap_or_else(|| msg!(Code::EvidenceOnlyEndpoints)),
        msg!(Code::PrivateEgress, zone),
    );
}

/// GC-NET-003's probes for private zone `z`: the ranges its exchange
/// endpoints open (those the renderer rejected, outside every zone's
/// ranges, open nothing), and the addresses nothing of it may reach
/// otherwise: the internet and a host of every other zone.
pub(crate) fn private_zone_probes(
    model: &Model,
    index: &govcloud_render::Index<'_>,
    z: &govcloud_core::api::NetworkZone,
    internet_probe: IpAddr,
) -> (Vec<ipnet::IpNet>, Vec<IpAddr>) {
    let allowed = z
        .spec
        .exchange_endpoints
        .iter()
        .enumerate()
        .filter(|(i, _)| !index.rejected_endpoints.contains(&(z.name_any(), *i)))
        .filter_map(|(_, e)| e.cidr.as_ref()?.parse().ok())
        .collect();
    let mut probes: Vec<IpAddr> = vec![internet_probe, IpAddr::from([1, 1, 1, 1]), IpAddr::from([0, 0, 0, 1])];
    for other in model.zones.iter().filter(|o| o.name_any() != z.name_any()) {
        probes.extend(
            other
                .spec
                .cidrs
                .iter()
                .filter_map(|c| c.parse::<ipnet::IpNet>().ok())
                .map(|n| n.hosts().next().unwrap_or(n.addr())),
        );
    }
    (allowed, probes)
}

/// An internet address a workload must not reach unless its zone allows it.
pub(crate) const INTERNET_PROBE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(8, 8, 8, 8));
/// An internet client (TEST-NET-3) that reaches only public apps.
pub(crate) const INTERNET_CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 1));

/// What a scan of connectivity starts from: the policies, the workloads, the
/// granted (consumer, provider) pairs and the namespaces by name.
pub(crate) struct Scene<'o, 'n> {
    pub(crate) net: Network<'o>,
    pub(crate) ws: Vec<Workload>,
    pub(crate) granted: BTreeSet<(String, String)>,
    pub(crate) nss: BTreeMap<String, &'n Value>,
}

/// The [`Scene`] of the NetworkPolicies `policies` (and the Admin-tier
/// policies among `objects`), the workloads `ws` and the decided `flows`.
pub(crate) fn scene<'o, 'n>(
    ctx: &Ctx<'n>,
    objects: &[&'o Value],
    policies: Vec<Policy>,
    ws: Vec<Workload>,
    flows: &[govcloud_render::FlowDecision],
) -> Scene<'o, 'n> {
    let granted = flows
        .iter()
        .filter(|f| f.state == FlowState::Granted)
        .map(|f| (f.consumer.to_string(), f.provider.to_string()))
        .collect();
    Scene { net: network(ctx, objects, policies), ws, granted, nss: ctx.namespaces.clone() }
}

/// The tenant of a workload's namespace.
pub(crate) fn tenant_of(nss: &BTreeMap<String, &Value>, w: &Workload) -> String {
    nss.get(&w.namespace).and_then(|o| label(o, TENANT)).unwrap_or_default().to_string()
}

/// The zone of a workload's namespace.
pub(crate) fn zone_of(nss: &BTreeMap<String, &Value>, w: &Workload) -> String {
    nss.get(&w.namespace).and_then(|o| label(o, ZONE)).unwrap_or_default().to_string()
}

/// GC-NET-002 and GC-NET-003 from NetworkPolicy semantics; the connectivity
/// matrix. `policies` are the NetworkPolicies ([`crate::netpol::policies_in`]),
/// `objects` hold the Admin-tier policies and the API server's
/// EndpointSlices, `ws` the workloads ([`workloads`]).
// The audit's inputs, each read here; a struct of them would only rename them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn isolation(
    ctx: &mut Ctx<'_>,
    model: &Model,
    planned: &govcloud_render::Planned<'_>,
    objects: &[&Value],
    policies: Vec<Policy>,
    ws: Vec<Workload>,
    remote: &BTreeMap<String, String>,
    matrix_limit: usize,
) -> Connectivity {
    let (index, flows) = (&planned.index, &planned.flows);
    let Scene { net, ws, granted, nss } = scene(ctx, objects, policies, ws, flows);
    let tenant_of = |w: &Workload| tenant_of(&nss, w);
    let zone_of = |w: &Workload| zone_of(&nss, w);
    let mut conn = Connectivity::default();
    let (internet_probe, internet_client) = (INTERNET_PROBE, INTERNET_CLIENT);
    // Reachability per class of alike workloads, for the candidate pairs only
    // (see `netpol`); then per workload, in the order of a pairwise scan.
    let reach = net.reachability(&ws);
    let tenants: Vec<String> = ws.iter().map(&tenant_of).collect();
    let keys: Vec<String> = ws.iter().map(|w| format!("{}/{}/{}", tenant_of(w), zone_of(w), w.app)).collect();
    let matrix = ws.len() <= matrix_limit;
    let mut pairs = Vec::new();
    let mut pending_findings = Vec::new();
    for (i, a) in ws.iter().enumerate() {
        conn.apps.push((format!("{}/{}", tenants[i], a.app), zone_of(a)));
        let mut reached: Vec<(usize, &Message)> = reach.reaches[reach.class_of[i]]
            .iter()
            .flat_map(|(c, e)| reach.members[*c].iter().map(move |j| (*j, e)))
            .filter(|(j, _)| ws[*j].id != a.id)
            .collect();
        reached.sort_unstable_by_key(|(j, _)| *j);
        if matrix {
            let mut row = vec![false; ws.len()];
            reached.iter().for_each(|(j, _)| row[*j] = true);
            conn.reach.push(row);
        } else {
            pairs.extend(reached.iter().map(|(j, _)| (i, *j)));
        }
        for (j, e) in reached.into_iter().filter(|(j, _)| tenants[i] != tenants[*j]) {
            let ok = granted.contains(&(keys[i].clone(), keys[j].clone()));
            pending_findings.push((
                controls::TWO_SIDED_FLOWS,
                if ok { Outcome::Pass } else { Outcome::Fail },
                a.id.clone(),
                a.namespace.clone(),
                msg!(Code::EvidenceReachable, &keys[i], &keys[j], e.clone()),
                if ok { msg!(Code::GrantedBothSides) } else { msg!(Code::ReachableWithoutGrant) },
            ));
        }
    }
    if !matrix {
        conn.reachable = Some(pairs);
        conn.note = Some(format!(
            "{} apps: more than {matrix_limit}, so the matrix `reach` is left empty and `reachable` lists the pairs (i, j) where app i may reach app j",
            ws.len()
        ));
    }
    // Internet in and out, once per class.
    let mut internet: HashMap<usize, (bool, bool)> = HashMap::new();
    for (i, a) in ws.iter().enumerate() {
        let class = reach.class_of[i];
        let (out, inn) = *internet.entry(class).or_insert_with(|| {
            (
                reach.reaches_ip(class, internet_probe, &[80, 443]).is_some(),
                a.ports.iter().any(|(p, proto)| reach.accepts_ip(class, internet_client, *p, proto)),
            )
        });
        conn.internet_out.push(out);
        conn.internet_in.push(inn);
    }
    // The API server, where its endpoints were read: once per class.
    // GC-NET-007: no tenant workload reaches it.
    let endpoints = api_server::targets(objects.iter().copied(), &model.api_server);
    if !endpoints.is_empty() {
        conn.api_server = endpoints.iter().map(ToString::to_string).collect();
        let listed = conn.api_server.join(", ");
        let mut by_class: HashMap<usize, Option<Message>> = HashMap::new();
        conn.api_server_out = Vec::with_capacity(ws.len());
        for (i, w) in ws.iter().enumerate() {
            let class = reach.class_of[i];
            let by = by_class.entry(class).or_insert_with(|| api_server::reached(&reach, class, &endpoints)).clone();
            conn.api_server_out.push(Some(by.is_some()));
            ctx.add(
                controls::API_SERVER_EGRESS,
                if by.is_some() { Outcome::Fail } else { Outcome::Pass },
                &w.id,
                Some(&w.namespace),
                "NetworkPolicy egress",
                by.unwrap_or_else(|| msg!(Code::EvidenceReachesNoneOf, listed.clone())),
                msg!(Code::ApiServerEgress, listed.clone()),
            );
        }
    }
    for (c, o, id, ns, ev, msg) in pending_findings {
        ctx.add(c, o, &id, Some(&ns), "NetworkPolicy", ev, msg);
    }
    // GC-NET-003: a private zone's workloads reach nothing outside but its exchange endpoints.
    for z in model.zones.iter().filter(|z| z.spec.kind == ZoneKind::Private) {
        let (mut allowed, probes) = private_zone_probes(model, index, z, internet_probe);
        // A granted flow to another cluster leaves for its exchange address.
        allowed.extend(
            flows
                .iter()
                .filter(|f| f.state == FlowState::Granted && f.consumer.zone == z.name_any())
                .filter_map(|f| f.address.as_ref()?.parse::<ipnet::IpNet>().ok()),
        );
        let mut by_class: HashMap<usize, Vec<Message>> = HashMap::new();
        for (i, w) in ws.iter().enumerate().filter(|(_, w)| zone_of(w) == z.name_any()) {
            let escapes = by_class
                .entry(reach.class_of[i])
                .or_insert_with(|| {
                    probes
                        .iter()
                        .filter(|ip| !allowed.iter().any(|a| a.contains(*ip)))
                        .filter_map(|ip| reach.reaches_ip(reach.class_of[i], *ip, &[22, 53, 80, 443, 3128, 8080, 8443]))
                        .collect()
                })
                .clone();
            private_egress(ctx, w, &z.name_any(), &escapes);
        }
    }
    // Granted flows between clusters: this cluster's side of each.
    let zones = model.zones_by_name();
    for f in flows.iter().filter(|f| f.state == FlowState::Granted) {
        let consumer_here = !remote.contains_key(&f.consumer.zone);
        if consumer_here != remote.contains_key(&f.provider.zone) {
            continue;
        }
        let (key, peer) = if consumer_here {
            (f.consumer.to_string(), f.provider.to_string())
        } else {
            (f.provider.to_string(), f.consumer.to_string())
        };
        let mut by_class: HashMap<usize, (bool, bool, Message)> = HashMap::new();
        for (i, w) in ws.iter().enumerate().filter(|(i, _)| keys[*i] == key) {
            let (open, narrow, evidence) = by_class
                .entry(reach.class_of[i])
                .or_insert_with(|| {
                    if consumer_here {
                        consumer_side(&reach, reach.class_of[i], f, flows, &zones)
                    } else {
                        provider_side(&reach, reach.class_of[i], f, flows, &zones)
                    }
                })
                .clone();
            let (field, message) = if consumer_here {
                ("NetworkPolicy egress", Code::AcrossEgress)
            } else {
                ("NetworkPolicy ingress", Code::AcrossIngress)
            };
            ctx.add(
                controls::TWO_SIDED_FLOWS,
                if open && narrow { Outcome::Pass } else { Outcome::Fail },
                &w.id,
                Some(&w.namespace),
                field,
                msg!(Code::EvidenceFlowSide, f.consumer.to_string(), f.provider.to_string(), evidence),
                msg!(message),
            );
            conn.across.push(Across { app: i, peer: peer.clone(), consumer: consumer_here, open });
        }
    }
    conn
}

/// Ports probed for what a workload reaches beyond what it is granted.
pub(crate) const PROBE_PORTS: [i64; 7] = [22, 53, 80, 443, 3128, 8080, 8443];

/// A host of `net` to probe with.
pub(crate) fn host_of(net: &ipnet::IpNet) -> IpAddr {
    net.hosts().next().unwrap_or(net.addr())
}

/// The consumer's side of granted flow `f` to another cluster, for the
/// workloads of `class`: (egress to the exchange address on every port of the
/// flow, nothing wider, the evidence). Wider is an address of the provider's
/// zone, or the exchange address on another port, that the consumer reaches
/// though neither its zone's egress, its zone's exchange endpoints nor another
/// granted flow of it opens it. Only TCP is probed.
pub(crate) fn consumer_side(
    reach: &netpol::Reachability<'_>,
    class: usize,
    f: &govcloud_render::FlowDecision,
    flows: &[govcloud_render::FlowDecision],
    zones: &BTreeMap<String, &govcloud_core::api::NetworkZone>,
) -> (bool, bool, Message) {
    let Some(address) = f.address.as_deref().and_then(|a| a.parse::<ipnet::IpNet>().ok()) else {
        return (false, false, msg!(Code::EvidenceNoExchangeAddress));
    };
    let ip = host_of(&address);
    let mut allowed: Vec<(ipnet::IpNet, Vec<i64>)> = Vec::new();
    if let Some(z) = zones.get(&f.consumer.zone) {
        if let Some(egress) = &z.spec.egress {
            allowed.extend(egress.allowed_cidrs.iter().filter_map(|c| Some((c.parse().ok()?, vec![]))));
            allowed.extend(
                egress
                    .gateway
                    .iter()
                    .filter_map(|g| Some((g.cidr.parse().ok()?, g.ports.iter().map(|p| i64::from(*p)).collect()))),
            );
        }
        allowed.extend(
            z.spec.exchange_endpoints.iter().filter_map(|e| {
                Some((e.cidr.as_ref()?.parse().ok()?, e.ports.iter().map(|p| i64::from(*p)).collect()))
            }),
        );
    }
    for g in flows.iter().filter(|g| g.state == FlowState::Granted && g.consumer == f.consumer) {
        if let Some(a) = g.address.as_deref().and_then(|a| a.parse().ok()) {
            allowed.push((a, g.ports.iter().map(|p| i64::from(p.port)).collect()));
        }
    }
    let covered = |ip: IpAddr, port: i64| {
        allowed.iter().any(|(net, ports)| net.contains(&ip) && (ports.is_empty() || ports.contains(&port)))
    };
    let mut through = Vec::new();
    let mut missing = Vec::new();
    for p in f.ports.iter().filter(|p| p.protocol == govcloud_core::api::PortProtocol::TCP) {
        match reach.reaches_ip(class, ip, &[i64::from(p.port)]) {
            Some(e) => through.push(e),
            None => missing.push(format!("{ip}:{}", p.port)),
        }
    }
    let flow_ports: Vec<i64> = f.ports.iter().map(|p| i64::from(p.port)).collect();
    let mut probes: Vec<IpAddr> = vec![ip];
    if let Some(z) = zones.get(&f.provider.zone) {
        probes.extend(z.spec.cidrs.iter().filter_map(|c| c.parse::<ipnet::IpNet>().ok()).map(|n| host_of(&n)));
    }
    let mut wider = Vec::new();
    for probe in probes {
        for port in PROBE_PORTS.iter().chain(&flow_ports) {
            if !covered(probe, *port)
                && let Some(e) = reach.reaches_ip(class, probe, &[*port])
                && !wider.contains(&e)
            {
                wider.push(e);
            }
        }
    }
    let seen = if missing.is_empty() {
        msg!(Code::EvidenceEgress, Arg::list(through))
    } else {
        msg!(Code::EvidenceNoEgressTo, missing.join(", "))
    };
    (missing.is_empty(), wider.is_empty(), with_wider(seen, wider))
}

/// What a side of a flow opens, and what it opens wider (nothing, or `wider`).
fn with_wider<T: Into<Arg>>(seen: Message, wider: Vec<T>) -> Message {
    if wider.is_empty() {
        msg!(Code::EvidenceNothingWider, seen)
    } else {
        msg!(Code::EvidenceWider, seen, Arg::list(wider))
    }
}

/// The provider's side of granted flow `f` from another cluster, for the
/// workloads of `class`: (ingress from a host of each of the consumer zone's
/// ranges on every port of the flow, nothing wider admitted, the evidence).
/// Wider is an address outside what the granted flows from other clusters to
/// this provider admit (their consumer zones' ranges, on their ports) that
/// the workloads accept: a host of every other zone's ranges and an internet
/// client, on the flows' ports and the usual probe ports, and the consumer
/// zone's own hosts on ports no flow grants.
pub(crate) fn provider_side(
    reach: &netpol::Reachability<'_>,
    class: usize,
    f: &govcloud_render::FlowDecision,
    flows: &[govcloud_render::FlowDecision],
    zones: &BTreeMap<String, &govcloud_core::api::NetworkZone>,
) -> (bool, bool, Message) {
    let cidrs = |zone: &str| -> Vec<ipnet::IpNet> {
        zones.get(zone).map(|z| z.spec.cidrs.iter().filter_map(|c| c.parse().ok()).collect()).unwrap_or_default()
    };
    let ranges = cidrs(&f.consumer.zone);
    let mut missing = Vec::new();
    for net in &ranges {
        for p in &f.ports {
            if !reach.accepts_ip(class, host_of(net), i64::from(p.port), p.protocol.as_str()) {
                missing.push(msg!(
                    Code::EvidenceOnPort,
                    host_of(net).to_string(),
                    format!("{}/{}", p.port, p.protocol.as_str())
                ));
            }
        }
    }
    // What the granted flows from other clusters to this provider admit.
    let admitted: Vec<(ipnet::IpNet, i64, &str)> = flows
        .iter()
        .filter(|g| g.state == FlowState::Granted && g.provider == f.provider && g.address.is_some())
        .flat_map(|g| {
            cidrs(&g.consumer.zone)
                .into_iter()
                .flat_map(move |n| g.ports.iter().map(move |p| (n, i64::from(p.port), p.protocol.as_str())))
        })
        .collect();
    let covered = |ip: IpAddr, port: i64, proto: &str| {
        admitted.iter().any(|(n, p, pr)| n.contains(&ip) && *p == port && *pr == proto)
    };
    let mut probes: Vec<IpAddr> = zones
        .values()
        .flat_map(|z| z.spec.cidrs.iter().filter_map(|c| c.parse::<ipnet::IpNet>().ok()))
        .map(|n| host_of(&n))
        .collect();
    probes.push(IpAddr::from([203, 0, 113, 1]));
    probes.sort_unstable();
    probes.dedup();
    let mut ports: Vec<(i64, &str)> = PROBE_PORTS.iter().map(|p| (*p, "TCP")).collect();
    ports.extend(f.ports.iter().map(|p| (i64::from(p.port), p.protocol.as_str())));
    ports.sort_unstable();
    ports.dedup();
    let mut wider = Vec::new();
    for ip in probes {
        for (port, proto) in &ports {
            if !covered(ip, *port, proto) && reach.accepts_ip(class, ip, *port, proto) {
                wider.push(msg!(Code::EvidenceOnPort, ip.to_string(), format!("{port}/{proto}")));
            }
        }
    }
    let flow_ports: Vec<String> = f.ports.iter().map(|p| format!("{}/{}", p.port, p.protocol.as_str())).collect();
    let shown: Vec<String> = ranges.iter().map(ToString::to_string).collect();
    let open = missing.is_empty() && !ranges.is_empty();
    let seen = if missing.is_empty() {
        msg!(Code::EvidenceIngressFrom, &f.consumer.zone, shown.join(", "), flow_ports.join(", "))
    } else {
        msg!(Code::EvidenceNoIngressFrom, Arg::list(missing), &f.consumer.zone)
    };
    (open, wider.is_empty(), with_wider(seen, wider))
}
