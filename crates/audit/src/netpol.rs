//! NetworkPolicy semantics: who may reach whom, computed from the policies in
//! scope. The evidence behind the isolation controls.
//!
//! Here the semantics, one pair at a time ([`Network::reaches`], as the API
//! describes NetworkPolicy); in `classes` the same answer for every pair at
//! once, by classes of alike workloads ([`Network::reachability`]).

use govcloud_core::messages::{Arg, Code, Message};
use govcloud_core::msg;
use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

use super::admin_tier::{AdminTier, End, Verdict};
use super::selector::selects;

mod classes;
pub use classes::Reachability;

/// A workload: its namespace and pod labels, and the ports it serves.
#[derive(Clone, Debug)]
pub struct Workload {
    /// `Kind/namespace/name` of the workload.
    pub id: String,
    /// govcloud app name, when it is one.
    pub app: String,
    /// Namespace.
    pub namespace: String,
    /// Pod labels.
    pub labels: BTreeMap<String, String>,
    /// (port, protocol) it serves.
    pub ports: Vec<(i64, String)>,
}

/// What a connection goes to.
pub enum Target<'a> {
    /// A workload in the cluster.
    Pod(&'a Workload),
    /// An address outside the cluster's pods.
    Ip(IpAddr),
}

/// The policies and namespace labels in scope.
pub struct Network<'p> {
    /// NetworkPolicy objects (JSON), by namespace.
    policies: BTreeMap<String, Vec<&'p Value>>,
    /// namespace -> labels (the API server's `kubernetes.io/metadata.name` is added).
    namespaces: BTreeMap<String, BTreeMap<String, String>>,
    /// The Admin-tier ClusterNetworkPolicies, decided before the NetworkPolicies.
    admin: AdminTier<'p>,
}

fn labels_of(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

/// Whether a policy applies to `kind` (Ingress or Egress): its policyTypes,
/// or Ingress (plus Egress when it has egress rules) when none are listed.
fn has_type(p: &Value, kind: &str) -> bool {
    match p["spec"]["policyTypes"].as_array() {
        Some(t) => t.iter().filter_map(Value::as_str).any(|t| t == kind),
        None => kind == "Ingress" || (kind == "Egress" && !p["spec"]["egress"].is_null()),
    }
}

fn in_block(peer: &Value, ip: IpAddr) -> bool {
    let Some(cidr) = peer["ipBlock"]["cidr"].as_str().and_then(|c| c.parse::<ipnet::IpNet>().ok()) else {
        return false;
    };
    let except = peer["ipBlock"]["except"].as_array().cloned().unwrap_or_default();
    cidr.contains(&ip)
        && !except.iter().filter_map(|e| e.as_str()?.parse::<ipnet::IpNet>().ok()).any(|e| e.contains(&ip))
}

impl<'p> Network<'p> {
    /// Indexes the policies by namespace (each check looks at one namespace's).
    pub fn new(
        policies: impl IntoIterator<Item = &'p Value>,
        namespaces: BTreeMap<String, BTreeMap<String, String>>,
    ) -> Self {
        let mut by_ns: BTreeMap<String, Vec<&'p Value>> = BTreeMap::new();
        for p in policies {
            by_ns.entry(p["metadata"]["namespace"].as_str().unwrap_or_default().to_string()).or_default().push(p);
        }
        Network { policies: by_ns, namespaces, admin: AdminTier::default() }
    }

    /// The same, with the Admin-tier ClusterNetworkPolicies among `objects` decided first.
    pub fn with_admin_tier(mut self, objects: impl IntoIterator<Item = &'p Value>) -> Self {
        self.admin = AdminTier::new(objects);
        self
    }

    /// What the Admin tier decides about `src` sending to `dst` (egress) and
    /// `dst` receiving it (ingress); `None` when no Admin-tier policy exists.
    fn admin_verdicts(
        &self,
        src: &Workload,
        dst: &Target<'_>,
        port: i64,
        proto: &str,
    ) -> Option<[(Verdict, Option<String>); 2]> {
        if self.admin.is_empty() {
            return None;
        }
        let src_ns = self.ns_labels(&src.namespace);
        let from = End::Pod { namespace: &src_ns, labels: &src.labels };
        match dst {
            Target::Ip(ip) => Some([self.admin.egress(from, End::Ip(*ip), port, proto), (Verdict::Pass, None)]),
            Target::Pod(w) => {
                let dst_ns = self.ns_labels(&w.namespace);
                let to = End::Pod { namespace: &dst_ns, labels: &w.labels };
                Some([self.admin.egress(from, to, port, proto), self.admin.ingress(to, from, port, proto)])
            }
        }
    }

    /// A NetworkPolicy decision `(allowed, by)` as the Admin tier's verdict leaves it.
    fn under_admin(verdict: &(Verdict, Option<String>), np: (bool, Option<String>)) -> (bool, Option<String>) {
        match verdict {
            (Verdict::Deny, _) => (false, None),
            (Verdict::Accept, by) => (true, by.clone()),
            (Verdict::Pass, _) => np,
        }
    }

    fn ns_labels(&self, ns: &str) -> BTreeMap<String, String> {
        let mut l = self.namespaces.get(ns).cloned().unwrap_or_default();
        l.insert(govcloud_core::meta::labels::NAMESPACE_NAME.into(), ns.into());
        l
    }

    fn peer_matches(&self, peer: &Value, policy_ns: &str, target: &Target<'_>) -> bool {
        match target {
            Target::Ip(ip) => in_block(peer, *ip),
            Target::Pod(w) => {
                if !peer["ipBlock"].is_null() {
                    return false;
                }
                let ns_ok = if peer["namespaceSelector"].is_null() {
                    w.namespace == policy_ns
                } else {
                    selects(&peer["namespaceSelector"], &self.ns_labels(&w.namespace))
                };
                ns_ok && (peer["podSelector"].is_null() || selects(&peer["podSelector"], &w.labels))
            }
        }
    }

    fn port_ok(ports: &Value, port: i64, proto: &str) -> bool {
        let Some(ps) = ports.as_array() else { return true };
        ps.is_empty()
            || ps.iter().any(|p| {
                p["protocol"].as_str().unwrap_or("TCP") == proto
                    && match &p["port"] {
                        Value::Null => true,
                        Value::Number(n) => {
                            n.as_i64() == Some(port)
                                || p["endPort"].as_i64().is_some_and(|e| port >= n.as_i64().unwrap_or(0) && port <= e)
                        }
                        // Named ports are resolved against the target's ports by name; govcloud uses numbers.
                        _ => false,
                    }
            })
    }

    /// Policies in `w`'s namespace that select it for `kind` (Ingress or Egress), with their names.
    pub fn selecting<'a>(&'a self, w: &'a Workload, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.policies
            .get(&w.namespace)
            .into_iter()
            .flatten()
            .copied()
            .filter(move |p| selects(&p["spec"]["podSelector"], &w.labels) && has_type(p, kind))
    }

    /// Whether `src` may send to `dst` on `port`, and the policy that allows it.
    pub fn egress(&self, src: &Workload, dst: &Target<'_>, port: i64, proto: &str) -> (bool, Option<String>) {
        let np = self.egress_by_policies(src, dst, port, proto);
        match self.admin_verdicts(src, dst, port, proto) {
            Some([out, _]) => Self::under_admin(&out, np),
            None => np,
        }
    }

    fn egress_by_policies(&self, src: &Workload, dst: &Target<'_>, port: i64, proto: &str) -> (bool, Option<String>) {
        let mut isolated = false;
        for p in self.selecting(src, "Egress") {
            isolated = true;
            for r in p["spec"]["egress"].as_array().into_iter().flatten() {
                let to_ok = r["to"].as_array().is_none_or(|to| {
                    to.is_empty() || to.iter().any(|peer| self.peer_matches(peer, &src.namespace, dst))
                });
                if to_ok && Self::port_ok(&r["ports"], port, proto) {
                    return (true, p["metadata"]["name"].as_str().map(str::to_string));
                }
            }
        }
        (!isolated, None)
    }

    /// Whether `dst` accepts from `src` on `port`, and the policy that allows it.
    pub fn ingress(&self, dst: &Workload, src: &Target<'_>, port: i64, proto: &str) -> (bool, Option<String>) {
        let np = self.ingress_by_policies(dst, src, port, proto);
        match src {
            Target::Pod(a) => match self.admin_verdicts(a, &Target::Pod(dst), port, proto) {
                Some([_, inn]) => Self::under_admin(&inn, np),
                None => np,
            },
            // Ingress from addresses: the standard Admin tier has no networks peers for ingress.
            Target::Ip(_) => np,
        }
    }

    fn ingress_by_policies(&self, dst: &Workload, src: &Target<'_>, port: i64, proto: &str) -> (bool, Option<String>) {
        let mut isolated = false;
        for p in self.selecting(dst, "Ingress") {
            isolated = true;
            for r in p["spec"]["ingress"].as_array().into_iter().flatten() {
                let from_ok = r["from"]
                    .as_array()
                    .is_none_or(|f| f.is_empty() || f.iter().any(|peer| self.peer_matches(peer, &dst.namespace, src)));
                if from_ok && Self::port_ok(&r["ports"], port, proto) {
                    return (true, p["metadata"]["name"].as_str().map(str::to_string));
                }
            }
        }
        (!isolated, None)
    }

    /// Whether `a` may open a connection to any port of `b`; the evidence names the allowing policies.
    pub fn reaches(&self, a: &Workload, b: &Workload) -> Option<Message> {
        for (port, proto) in &b.ports {
            let (out, by_out) = self.egress(a, &Target::Pod(b), *port, proto);
            let (inn, by_in) = self.ingress(b, &Target::Pod(a), *port, proto);
            if out && inn {
                return Some(evidence(*port, proto, by_out.as_deref(), by_in.as_deref()));
            }
        }
        None
    }

    /// Whether `a` may send to the address `ip` on any of the given ports.
    pub fn reaches_ip(&self, a: &Workload, ip: IpAddr, ports: &[i64]) -> Option<Message> {
        ports.iter().find_map(|p| {
            let (ok, by) = self.egress(a, &Target::Ip(ip), *p, "TCP");
            ok.then(|| ip_evidence(ip, *p, by.as_deref()))
        })
    }
}

/// The policy that allows a connection, or words saying no policy isolates its side.
fn allowed_by(by: Option<&str>) -> Arg {
    by.map_or_else(|| Code::EvidenceNotIsolated.into(), Arg::from)
}

/// How a connection to an address is allowed: the port and the policy.
fn ip_evidence(ip: IpAddr, port: i64, by: Option<&str>) -> Message {
    msg!(Code::EvidenceAddressVia, ip.to_string(), port.to_string(), allowed_by(by))
}

/// How a connection is allowed: the port and the policies of both sides.
fn evidence(port: i64, proto: &str, by_out: Option<&str>, by_in: Option<&str>) -> Message {
    msg!(Code::EvidencePortVia, port.to_string(), proto, allowed_by(by_out), allowed_by(by_in))
}

#[cfg(test)]
pub(crate) mod tests;
