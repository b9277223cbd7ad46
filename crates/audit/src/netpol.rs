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

mod classes;
mod policy;
pub use classes::Reachability;
use policy::Peer;
pub use policy::Policy;

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
    /// NetworkPolicies, by namespace, each in its namespace's order.
    policies: BTreeMap<String, Vec<Policy>>,
    /// namespace -> labels (the API server's `kubernetes.io/metadata.name` is added).
    namespaces: BTreeMap<String, BTreeMap<String, String>>,
    /// The Admin-tier ClusterNetworkPolicies, decided before the NetworkPolicies.
    admin: AdminTier<'p>,
}

/// The NetworkPolicies among `objects`, read ([`Policy::read`]), in their order.
pub fn policies_in<'v>(objects: impl IntoIterator<Item = &'v Value>) -> Vec<Policy> {
    objects.into_iter().filter(|o| o["kind"] == "NetworkPolicy").map(Policy::read).collect()
}

impl<'p> Network<'p> {
    /// Indexes the NetworkPolicies (JSON) by namespace (each check looks at one namespace's).
    pub fn new<'v>(
        policies: impl IntoIterator<Item = &'v Value>,
        namespaces: BTreeMap<String, BTreeMap<String, String>>,
    ) -> Self {
        Self::of(policies.into_iter().map(Policy::read), namespaces)
    }

    /// [`Network::new`] of policies already read.
    pub fn of(
        policies: impl IntoIterator<Item = Policy>,
        namespaces: BTreeMap<String, BTreeMap<String, String>>,
    ) -> Self {
        let mut by_ns: BTreeMap<String, Vec<Policy>> = BTreeMap::new();
        for p in policies {
            match by_ns.get_mut(p.namespace()) {
                Some(v) => v.push(p),
                None => {
                    by_ns.insert(p.namespace().to_string(), vec![p]);
                }
            }
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

    fn peer_matches(&self, peer: &Peer, policy_ns: &str, target: &Target<'_>) -> bool {
        match target {
            Target::Ip(ip) => peer.block.as_ref().is_some_and(|b| b.contains(*ip)),
            Target::Pod(w) => {
                if peer.block.is_some() {
                    return false;
                }
                let ns_ok = match &peer.namespaces {
                    None => w.namespace == policy_ns,
                    Some(sel) => sel.selects(&self.ns_labels(&w.namespace)),
                };
                ns_ok && peer.pods.as_ref().is_none_or(|sel| sel.selects(&w.labels))
            }
        }
    }

    /// Policies in `w`'s namespace that select it for `kind` (Ingress or Egress).
    pub fn selecting<'a>(&'a self, w: &'a Workload, kind: &'a str) -> impl Iterator<Item = &'a Policy> + 'a {
        self.policies.get(&w.namespace).into_iter().flatten().filter(move |p| p.selects(&w.labels, kind))
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
            for r in &p.egress {
                let to_ok =
                    r.peers.is_empty() || r.peers.iter().any(|peer| self.peer_matches(peer, &src.namespace, dst));
                if to_ok && r.port_ok(port, proto) {
                    return (true, p.name().map(str::to_string));
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
            for r in &p.ingress {
                let from_ok =
                    r.peers.is_empty() || r.peers.iter().any(|peer| self.peer_matches(peer, &dst.namespace, src));
                if from_ok && r.port_ok(port, proto) {
                    return (true, p.name().map(str::to_string));
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
