//! The API server as a target of the reachability matrix: where it listens,
//! as a pod on a real cluster is shown it (the `default/kubernetes`
//! Service's EndpointSlices), and whether each workload's egress policies
//! let a connection to it through. A pod's connection to the Service's
//! cluster IP is translated (kube-proxy or its equivalent) to one of these
//! endpoints before a NetworkPolicy implementation decides it, so the
//! policies are read against the endpoint addresses and port: ipBlock rules
//! match them, pod and namespace selectors never do, and a namespace whose
//! egress is isolated reaches it only through such a rule.
//!
//! In: the audited objects (a live audit reads the EndpointSlices) and the
//! model's API server addresses (an offline audit's `--api-server`); with
//! neither, the API server is no target. Out: the endpoints, and per
//! workload class whether one is reached (GC-NET-007 fails where one is).

use std::net::IpAddr;

use serde_json::Value;

use crate::netpol::Reachability;

/// The Service pods reach the API server by, in namespace `default`.
const SERVICE: &str = "kubernetes";
/// The label an EndpointSlice names its Service by.
const SERVICE_NAME: &str = "kubernetes.io/service-name";

/// One address and port the API server listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Endpoint {
    /// The address a pod's connection is translated to.
    pub ip: IpAddr,
    /// The TCP port.
    pub port: i64,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.ip {
            IpAddr::V4(ip) => write!(f, "{ip}:{}", self.port),
            IpAddr::V6(ip) => write!(f, "[{ip}]:{}", self.port),
        }
    }
}

/// The API server's endpoints among `objects`: every address of every
/// endpoint not marked not-ready, on every TCP port, of the EndpointSlices
/// of Service `default/kubernetes`; sorted, without repeats. Empty when no
/// such slice was read.
pub fn endpoints<'a>(objects: impl IntoIterator<Item = &'a Value>) -> Vec<Endpoint> {
    let mut out = Vec::new();
    for s in objects.into_iter().filter(|o| is_api_server_slice(o)) {
        let ports: Vec<i64> = s["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["protocol"].as_str().is_none_or(|p| p == "TCP"))
            .filter_map(|p| p["port"].as_i64())
            .collect();
        for e in s["endpoints"].as_array().into_iter().flatten() {
            if e["conditions"]["ready"] == false {
                continue;
            }
            for ip in e["addresses"].as_array().into_iter().flatten().filter_map(|a| a.as_str()?.parse().ok()) {
                out.extend(ports.iter().map(|port| Endpoint { ip, port: *port }));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The ports an address given without its EndpointSlices (offline:
/// `govcloud audit --api-server`) is judged on: the `kubernetes` Service's
/// port and the API server's default secure port.
pub const GIVEN_PORTS: [i64; 2] = [443, 6443];

/// The endpoints the audit judges: those of the EndpointSlices among
/// `objects` ([`endpoints`]), and each address of `given` (the model's
/// [`govcloud_core::model::Model::api_server`]) that no slice names, on
/// [`GIVEN_PORTS`]; sorted, without repeats.
pub fn targets<'a>(objects: impl IntoIterator<Item = &'a Value>, given: &[String]) -> Vec<Endpoint> {
    let mut out = endpoints(objects);
    let read: Vec<IpAddr> = out.iter().map(|e| e.ip).collect();
    for cidr in govcloud_render::api_server_cidrs(given) {
        let Ok(net) = cidr.parse::<ipnet::IpNet>() else { continue };
        if net.prefix_len() == net.max_prefix_len() && !read.contains(&net.addr()) {
            out.extend(GIVEN_PORTS.iter().map(|port| Endpoint { ip: net.addr(), port: *port }));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The addresses of `endpoints`, without repeats: what a model's
/// `api_server` holds when read from the cluster.
pub fn addresses(endpoints: &[Endpoint]) -> Vec<String> {
    let mut out: Vec<String> = endpoints.iter().map(|e| e.ip.to_string()).collect();
    out.sort();
    out.dedup();
    out
}

fn is_api_server_slice(o: &Value) -> bool {
    o["kind"] == "EndpointSlice"
        && o["apiVersion"] == "discovery.k8s.io/v1"
        && o["metadata"]["namespace"] == "default"
        && o["metadata"]["labels"][SERVICE_NAME] == SERVICE
}

/// Whether the workloads of `class` may open a connection to the API server
/// (to one of its endpoints, as [`crate::netpol::Network::egress`] decides:
/// the Admin tier, then the NetworkPolicies, default deny once isolated),
/// with the evidence; `None` when they reach none.
pub fn reached(
    reach: &Reachability<'_>,
    class: usize,
    endpoints: &[Endpoint],
) -> Option<govcloud_core::messages::Message> {
    endpoints.iter().find_map(|e| reach.reaches_ip(class, e.ip, &[e.port]))
}

#[cfg(test)]
mod tests;
