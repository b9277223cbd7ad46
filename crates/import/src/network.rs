//! What a workload's neighbours say about it: the Services that select its
//! pods (ports, node ports), the Ingresses that route to them (public
//! exposure, host), the NetworkPolicies that select them (flows: a peer that
//! is another imported workload's pods is a call or a grant; the zone's
//! ranges are zone exposure), autoscalers and disruption budgets.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use govcloud_core::api::{AppPort, AppTls, Autoscaling, DepartmentAppSpec, Exposure, FlowCall, FlowGrant, ZoneKind};
use govcloud_core::controls::admission::{CLUSTER_ISSUER_ANNOTATION, INGRESS_CLASS_ANNOTATION};
use govcloud_core::messages::{Code, Message};
use govcloud_core::meta::{labels, names};
use govcloud_core::msg;

use super::workload::{self, pod_labels};
use super::{Change, Entry, Handling, Place, kind_of, label, name_of, ns_of};

/// One imported workload, as a flow's peer.
struct Peer<'a> {
    place: &'a Place<'a>,
    name: String,
    labels: BTreeMap<String, String>,
    ports: Vec<AppPort>,
}

/// The objects of the mapped namespaces, by kind.
pub(crate) struct Network<'a> {
    peers: Vec<Peer<'a>>,
    /// By source namespace: Services, Ingresses, NetworkPolicies, HPAs, PDBs.
    by_ns: BTreeMap<&'a str, Vec<&'a Value>>,
    /// Labels of each source namespace (as the API server sets them, plus its object's).
    ns_labels: BTreeMap<String, BTreeMap<String, String>>,
}

fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object().into_iter().flatten().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect()
}

/// Whether a label selector (`matchLabels` only; expressions are not
/// followed) selects `labels`; an empty selector selects everything.
fn selects(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    if selector.get("matchExpressions").and_then(Value::as_array).is_some_and(|e| !e.is_empty()) {
        return false;
    }
    string_map(&selector["matchLabels"]).iter().all(|(k, v)| labels.get(k) == Some(v))
}

impl<'a> Network<'a> {
    pub(crate) fn new(objects: &[(&'a Place<'a>, &'a Value)], namespaces: &BTreeMap<String, Option<&Value>>) -> Self {
        let mut peers = Vec::new();
        let mut by_ns: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
        for (place, o) in objects {
            let kind = kind_of(o);
            if workload::WORKLOAD_KINDS.contains(&kind) && o["metadata"]["ownerReferences"].as_array().is_none() {
                peers.push(Peer {
                    place,
                    name: name_of(o).to_string(),
                    labels: string_map(pod_labels(o)),
                    ports: workload::container_ports(o),
                });
            } else {
                by_ns.entry(ns_of(o)).or_default().push(o);
            }
        }
        let ns_labels = namespaces
            .iter()
            .map(|(ns, o)| {
                let mut l = o.map(|o| string_map(&o["metadata"]["labels"])).unwrap_or_default();
                l.insert(labels::NAMESPACE_NAME.into(), ns.clone());
                (ns.clone(), l)
            })
            .collect();
        Network { peers, by_ns, ns_labels }
    }

    fn here(&self, ns: &str, kind: &'static str) -> impl Iterator<Item = &&'a Value> {
        self.by_ns.get(ns).into_iter().flatten().filter(move |o| kind_of(o) == kind)
    }

    /// The imported workloads a NetworkPolicy peer stands for (none when it
    /// names no pods: whole namespaces and address ranges are not apps).
    fn resolve(&self, peer: &Value, policy_ns: &str) -> Vec<&Peer<'a>> {
        if !peer["podSelector"].is_object() || string_map(&peer["podSelector"]["matchLabels"]).is_empty() {
            return Vec::new();
        }
        self.peers
            .iter()
            .filter(|p| match peer.get("namespaceSelector") {
                None | Some(Value::Null) => p.place.source_ns == policy_ns,
                Some(sel) => self.ns_labels.get(&p.place.source_ns).is_some_and(|l| selects(sel, l)),
            })
            .filter(|p| selects(&peer["podSelector"], &p.labels))
            .collect()
    }

    /// Fills in exposure, host and flows of `spec` from the neighbours of `o`.
    pub(crate) fn complete(&self, o: &Value, place: &Place<'_>, spec: &mut DepartmentAppSpec, entry: &mut Entry) {
        let ns = ns_of(o);
        let name = name_of(o);
        let pods = string_map(pod_labels(o));
        let mut services = Vec::new();
        for s in self.here(ns, "Service") {
            let sel = string_map(&s["spec"]["selector"]);
            if sel.is_empty() || !sel.iter().all(|(k, v)| pods.get(k) == Some(v)) {
                continue;
            }
            services.push(name_of(s));
            service_ports(s, spec, entry);
        }
        for i in self.here(ns, "Ingress") {
            let mut hosts = BTreeSet::new();
            for rule in i["spec"]["rules"].as_array().into_iter().flatten() {
                let routes = rule["http"]["paths"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["backend"]["service"]["name"].as_str().is_some_and(|b| services.contains(&b)));
                if routes && let Some(h) = rule["host"].as_str() {
                    hosts.insert(h.to_ascii_lowercase());
                }
            }
            let Some(host) = hosts.iter().next() else { continue };
            // govcloud's Ingress routes to the app's first port.
            let first = spec.ports.first().map(|p| (p.name.clone(), p.port));
            for path in i["spec"]["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| r["http"]["paths"].as_array().into_iter().flatten())
            {
                let port = &path["backend"]["service"]["port"];
                let other = match (&first, port["name"].as_str(), port["number"].as_i64()) {
                    (Some((name, _)), Some(n), _) => n != name,
                    (Some((_, number)), None, Some(n)) => n != i64::from(*number),
                    _ => false,
                };
                if other && services.iter().any(|s| path["backend"]["service"]["name"] == *s) {
                    entry.changes.push(change(
                        "spec.rules[].http.paths[].backend.service.port",
                        msg!(Code::ImportIngressPort, name_of(i), port.to_string()),
                        Code::ImportFixFirstPort,
                    ));
                }
            }
            spec.exposure = Exposure::Public;
            let default = place
                .zone_obj
                .and_then(|z| z.spec.public_domain.as_ref())
                .map(|d| format!("{name}.{}.{d}", place.tenant));
            spec.host = (default.as_ref() != Some(host)).then(|| host.clone());
            entry.carry(msg!(Code::ImportCarriedPublic, name_of(i), host));
            public(i, name, spec, entry);
            if hosts.len() > 1 {
                entry.changes.push(change(
                    "spec.rules[].host",
                    msg!(Code::ImportSeveralHosts, name_of(i)),
                    Code::ImportFixMainHost,
                ));
            }
            let internet = place.zone_obj.map(|z| z.spec.kind == ZoneKind::Internet && z.spec.internet_ingress);
            if internet == Some(false) {
                entry.changes.push(change(
                    "spec.exposure",
                    msg!(Code::ImportNotInternet, &place.zone),
                    Code::ImportFixInternetZone,
                ));
            }
        }
        self.flows(o, place, &pods, spec, entry);
        for h in self.here(ns, "HorizontalPodAutoscaler") {
            if h["spec"]["scaleTargetRef"]["name"] == name && h["spec"]["scaleTargetRef"]["kind"] == kind_of(o) {
                autoscaling(h, o, spec, entry);
            }
        }
        for p in self.here(ns, "PodDisruptionBudget") {
            if selects(&p["spec"]["selector"], &pods) && label(p, labels::MANAGED_BY) != Some(labels::MANAGER) {
                entry.changes.push(Change::new(
                    Handling::Rendered,
                    format!("PodDisruptionBudget {}", name_of(p)),
                    msg!(Code::ImportOwnPdb),
                    msg!(Code::ImportFixPdb),
                ));
            }
        }
    }

    /// Calls (egress to another imported workload), grants (ingress from
    /// another tenant's) and zone exposure (ingress from the zone's ranges).
    fn flows(
        &self,
        o: &Value,
        place: &Place<'_>,
        pods: &BTreeMap<String, String>,
        spec: &mut DepartmentAppSpec,
        entry: &mut Entry,
    ) {
        let ns = ns_of(o);
        let me = name_of(o);
        let mut grants: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
        let zone_cidrs: BTreeSet<&str> =
            place.zone_obj.map(|z| z.spec.cidrs.iter().map(String::as_str).collect()).unwrap_or_default();
        for np in self.here(ns, "NetworkPolicy") {
            let sel = &np["spec"]["podSelector"];
            if string_map(&sel["matchLabels"]).is_empty() || !selects(sel, pods) {
                continue;
            }
            let ours = label(np, labels::MANAGED_BY) == Some(labels::MANAGER);
            for rule in np["spec"]["ingress"].as_array().into_iter().flatten() {
                let from = rule["from"].as_array().map(Vec::as_slice).unwrap_or_default();
                let blocks: BTreeSet<&str> = from.iter().filter_map(|p| p["ipBlock"]["cidr"].as_str()).collect();
                if !blocks.is_empty() && blocks == zone_cidrs && spec.exposure == Exposure::None {
                    spec.exposure = Exposure::Zone;
                    entry.carry(msg!(Code::ImportCarriedZoneExposure, name_of(np)));
                    continue;
                }
                for peer in from {
                    let found = self.resolve(peer, ns);
                    for c in found.iter().filter(|c| c.place.tenant != place.tenant) {
                        let g = grants.entry(c.place.tenant.clone()).or_default();
                        g.0.insert(c.place.zone.clone());
                        g.1.insert(c.name.clone());
                    }
                    if found.is_empty() && !ours {
                        entry.changes.push(unmapped(np, Code::ImportAllowsFrom, peer));
                    }
                }
            }
            for rule in np["spec"]["egress"].as_array().into_iter().flatten() {
                let numbers: BTreeSet<i64> =
                    rule["ports"].as_array().into_iter().flatten().filter_map(|p| p["port"].as_i64()).collect();
                for peer in rule["to"].as_array().into_iter().flatten() {
                    let found = self.resolve(peer, ns);
                    if found.is_empty() && !ours {
                        entry.changes.push(unmapped(np, Code::ImportAllowsTo, peer));
                    }
                    for p in found.into_iter().filter(|p| !(p.place.target_ns == place.target_ns && p.name == me)) {
                        let named: Vec<String> = p
                            .ports
                            .iter()
                            .filter(|q| numbers.contains(&i64::from(q.port)))
                            .map(|q| q.name.clone())
                            .collect();
                        let call = FlowCall {
                            tenant: (p.place.tenant != place.tenant).then(|| p.place.tenant.clone()),
                            app: p.name.clone(),
                            zone: (p.place.zone != place.zone).then(|| p.place.zone.clone()),
                            ports: if numbers.is_empty() || named.len() == p.ports.len() { Vec::new() } else { named },
                            purpose: None,
                        };
                        if !spec.flows.calls.contains(&call) {
                            spec.flows.calls.push(call);
                        }
                    }
                }
            }
        }
        for (tenant, (zones, apps)) in grants {
            let zones: Vec<String> =
                if zones.len() == 1 && zones.contains(&place.zone) { Vec::new() } else { zones.into_iter().collect() };
            spec.flows.allow_from.push(FlowGrant { tenant, zones, apps: apps.into_iter().collect() });
        }
        if !spec.flows.is_empty() {
            entry.carry(msg!(
                Code::ImportCarriedFlows,
                spec.flows.calls.len().to_string(),
                spec.flows.allow_from.len().to_string()
            ));
        }
    }
}

/// An autoscaler of the workload: its CPU target carries over; other metrics
/// and behaviour do not.
fn autoscaling(h: &Value, o: &Value, spec: &mut DepartmentAppSpec, entry: &mut Entry) {
    let metrics = h["spec"]["metrics"].as_array().map(Vec::as_slice).unwrap_or_default();
    let cpu = metrics
        .iter()
        .find(|m| {
            m["type"] == "Resource"
                && m["resource"]["name"] == "cpu"
                && m["resource"]["target"]["type"] == "Utilization"
        })
        .and_then(|m| m["resource"]["target"]["averageUtilization"].as_i64())
        .and_then(|v| i32::try_from(v).ok());
    let min = h["spec"]["minReplicas"].as_i64().and_then(|v| i32::try_from(v).ok()).unwrap_or(1);
    let max = h["spec"]["maxReplicas"].as_i64().and_then(|v| i32::try_from(v).ok()).unwrap_or(min);
    let Some(target) = cpu else {
        entry.changes.push(change("spec.replicas", msg!(Code::ImportHpaMetrics, name_of(h)), Code::ImportFixHpa));
        return;
    };
    if metrics.len() > 1 || !h["spec"]["behavior"].is_null() {
        entry.changes.push(change("spec.metrics", msg!(Code::ImportHpaCpuOnly, name_of(h)), Code::ImportFixCpuAlone));
    }
    spec.autoscaling = Some(Autoscaling { min_replicas: min, max_replicas: max, target_cpu_utilization: target });
    if o["spec"]["replicas"].is_null() {
        // The autoscaler owns the count; a template spread over nodes was made for more than one pod.
        let spread = !workload::pod_spec(o)["topologySpreadConstraints"].is_null();
        spec.replicas = if spread { min.max(2) } else { min };
    }
    entry.carry(msg!(Code::ImportCarriedAutoscaling, min.to_string(), max.to_string(), target.to_string(), name_of(h)));
}

/// A public app's Ingress class and TLS, from the Ingress that routes to it.
fn public(i: &Value, app: &str, spec: &mut DepartmentAppSpec, entry: &mut Entry) {
    let annotations = &i["metadata"]["annotations"];
    spec.ingress_class = i["spec"]["ingressClassName"]
        .as_str()
        .or(annotations[INGRESS_CLASS_ANNOTATION].as_str())
        .filter(|c| !c.is_empty())
        .map(String::from);
    if let Some(c) = &spec.ingress_class {
        entry.carry(msg!(Code::ImportCarriedIngressClass, c));
    }
    let tls = i["spec"]["tls"].as_array().map(Vec::as_slice).unwrap_or_default();
    let Some(first) = tls.first() else { return };
    let secret = first["secretName"].as_str().filter(|s| !s.is_empty());
    spec.tls = Some(match annotations[CLUSTER_ISSUER_ANNOTATION].as_str() {
        Some(issuer) => {
            if secret.is_some_and(|s| s != names::app_tls_secret(app)) {
                entry.changes.push(change(
                    "spec.tls[].secretName",
                    msg!(Code::ImportTlsSecret, secret.unwrap_or_default(), names::app_tls_secret(app)),
                    Code::ImportFixOldSecret,
                ));
            }
            AppTls { secret_name: None, issuer: Some(issuer.to_string()) }
        }
        None => AppTls { secret_name: secret.map(String::from), issuer: None },
    });
    if tls.len() > 1 {
        entry.changes.push(change(
            "spec.tls",
            msg!(Code::ImportSeveralCerts, name_of(i), tls.len().to_string()),
            Code::ImportFixHostCert,
        ));
    }
    entry.carry(msg!(Code::ImportCarriedTls));
}

fn change(field: &str, reason: Message, fix: Code) -> Change {
    Change::must(field, reason, msg!(fix))
}

/// A NetworkPolicy peer that is no imported app (`side`: traffic from it, or to it).
fn unmapped(np: &Value, side: Code, peer: &Value) -> Change {
    change(&format!("NetworkPolicy {}", name_of(np)), msg!(side, peer.to_string()), Code::ImportFixFlow)
}

/// The Service's ports against the container's: a port the container does
/// not declare is added; a Service port that differs from its target is a change.
fn service_ports(s: &Value, spec: &mut DepartmentAppSpec, entry: &mut Entry) {
    let stype = s["spec"]["type"].as_str().unwrap_or("ClusterIP");
    if stype == "NodePort" || stype == "LoadBalancer" {
        entry.changes.push(change(
            "spec.type",
            msg!(Code::ImportServiceType, name_of(s), stype),
            Code::ImportFixServiceType,
        ));
        if spec.exposure == Exposure::None {
            spec.exposure = Exposure::Zone;
        }
    }
    for p in s["spec"]["ports"].as_array().into_iter().flatten() {
        let Some(port) = p["port"].as_i64().and_then(|v| i32::try_from(v).ok()) else { continue };
        let target = &p["targetPort"];
        let found = spec.ports.iter().find(|q| match target {
            Value::String(n) => &q.name == n,
            Value::Number(n) => n.as_i64() == Some(i64::from(q.port)),
            _ => q.port == port,
        });
        match found {
            Some(q) if q.port != port => entry.changes.push(change(
                "spec.ports[].port",
                msg!(Code::ImportServicePort, name_of(s), port.to_string(), q.port.to_string()),
                Code::ImportFixServicePort,
            )),
            Some(_) => {}
            None => {
                let number = target.as_i64().and_then(|v| i32::try_from(v).ok()).unwrap_or(port);
                let protocol = if p["protocol"] == "UDP" {
                    govcloud_core::api::PortProtocol::UDP
                } else {
                    govcloud_core::api::PortProtocol::TCP
                };
                let name = p["name"]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .map(String::from)
                    .unwrap_or_else(|| format!("tcp-{number}"));
                if !spec.ports.iter().any(|q| q.name == name || (q.port == number && q.protocol == protocol)) {
                    spec.ports.push(AppPort { name, port: number, protocol });
                }
            }
        }
    }
}
