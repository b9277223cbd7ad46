//! ClusterNetworkPolicy semantics for the Admin tier: what the cluster's
//! Admin-tier policies (govcloud's or anyone's) decide about a connection
//! before any NetworkPolicy is consulted. [`super::netpol`] asks it first, so
//! a widening NetworkPolicy that the Admin tier denies is no open path.
//!
//! Policies are taken in priority order (lower first; equal priorities by
//! name, as an implementation may pick either), rules in the order written;
//! the first rule whose peers and protocols match decides: `Deny`, `Accept`,
//! or `Pass` (the NetworkPolicies decide, as when nothing matches).
//!
//! Not modelled: the Baseline tier (after the NetworkPolicies), and
//! `networks` peers matching pod addresses (the audit does not know pod IPs).

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

use super::selector::selects;
use govcloud_core::meta::cluster_policy::{ADMIN_TIER, action};

/// What the Admin tier decides about a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed, the NetworkPolicies not consulted.
    Accept,
    /// Dropped.
    Deny,
    /// For the NetworkPolicies to decide (a `Pass` rule, or no rule matched).
    Pass,
}

/// One end of a connection as the Admin tier sees it.
#[derive(Clone, Copy, Debug)]
pub enum End<'a> {
    /// A pod: its namespace's labels and its own.
    Pod {
        /// Namespace labels (with `kubernetes.io/metadata.name`).
        namespace: &'a BTreeMap<String, String>,
        /// Pod labels.
        labels: &'a BTreeMap<String, String>,
    },
    /// An address outside the cluster's pods.
    Ip(IpAddr),
}

/// The Admin-tier ClusterNetworkPolicies of an inventory.
#[derive(Clone, Debug, Default)]
pub struct AdminTier<'p> {
    policies: Vec<&'p Value>,
}

/// Whether an object is a ClusterNetworkPolicy.
pub fn is_cluster_policy(o: &Value) -> bool {
    o["kind"].as_str()
        == Some(<govcloud_core::meta::cluster_policy::ClusterNetworkPolicy as k8s_openapi::Resource>::KIND)
}

impl<'p> AdminTier<'p> {
    /// The Admin-tier ClusterNetworkPolicies among `objects`, in evaluation order.
    pub fn new(objects: impl IntoIterator<Item = &'p Value>) -> Self {
        let mut policies: Vec<&Value> = objects
            .into_iter()
            .filter(|o| is_cluster_policy(o) && o["spec"]["tier"].as_str() == Some(ADMIN_TIER))
            .collect();
        policies.sort_by_key(|p| {
            (
                p["spec"]["priority"].as_i64().unwrap_or(i64::MAX),
                p["metadata"]["name"].as_str().unwrap_or_default().to_string(),
            )
        });
        AdminTier { policies }
    }

    /// Whether no Admin-tier policy is in force.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// What the Admin tier decides about `src` sending to `dst` on `port`
    /// (checked on `src`'s egress rules), and the deciding policy and rule.
    pub fn egress(&self, src: End<'_>, dst: End<'_>, port: i64, proto: &str) -> (Verdict, Option<String>) {
        self.decide(src, dst, "egress", "to", port, proto)
    }

    /// What the Admin tier decides about `dst` receiving from `src` on `port`
    /// (checked on `dst`'s ingress rules), and the deciding policy and rule.
    pub fn ingress(&self, dst: End<'_>, src: End<'_>, port: i64, proto: &str) -> (Verdict, Option<String>) {
        self.decide(dst, src, "ingress", "from", port, proto)
    }

    /// Whether some Admin-tier policy selecting `subject` has an `Accept`
    /// rule in direction `dir` (`ingress` or `egress`): connections the
    /// NetworkPolicies do not name may then be allowed.
    pub fn may_accept(&self, subject: End<'_>, dir: &str) -> bool {
        let End::Pod { namespace, labels } = subject else { return false };
        self.policies.iter().filter(|p| subject_selects(&p["spec"]["subject"], namespace, labels)).any(|p| {
            p["spec"][dir].as_array().into_iter().flatten().any(|r| r["action"].as_str() == Some(action::ACCEPT))
        })
    }

    fn decide(
        &self,
        subject: End<'_>,
        peer: End<'_>,
        dir: &str,
        side: &str,
        port: i64,
        proto: &str,
    ) -> (Verdict, Option<String>) {
        let End::Pod { namespace, labels } = subject else { return (Verdict::Pass, None) };
        for p in self.policies.iter().filter(|p| subject_selects(&p["spec"]["subject"], namespace, labels)) {
            for r in p["spec"][dir].as_array().into_iter().flatten() {
                let peers_match = r[side].as_array().into_iter().flatten().any(|x| peer_matches(x, peer));
                if !peers_match || !protocols_match(&r["protocols"], port, proto) {
                    continue;
                }
                let verdict = match r["action"].as_str().unwrap_or_default() {
                    action::DENY => Verdict::Deny,
                    action::ACCEPT => Verdict::Accept,
                    _ => Verdict::Pass,
                };
                let by = format!(
                    "{}/{}",
                    p["metadata"]["name"].as_str().unwrap_or_default(),
                    r["name"].as_str().unwrap_or_default()
                );
                return (verdict, Some(by));
            }
        }
        (Verdict::Pass, None)
    }
}

fn subject_selects(subject: &Value, namespace: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    if !subject["namespaces"].is_null() {
        return selects(&subject["namespaces"], namespace);
    }
    let pods = &subject["pods"];
    !pods.is_null() && selects(&pods["namespaceSelector"], namespace) && selects(&pods["podSelector"], labels)
}

fn peer_matches(peer: &Value, end: End<'_>) -> bool {
    match end {
        End::Pod { namespace, labels } => {
            if !peer["namespaces"].is_null() {
                selects(&peer["namespaces"], namespace)
            } else if !peer["pods"].is_null() {
                selects(&peer["pods"]["namespaceSelector"], namespace) && selects(&peer["pods"]["podSelector"], labels)
            } else {
                false
            }
        }
        End::Ip(ip) => peer["networks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str()?.parse::<ipnet::IpNet>().ok())
            .any(|n| n.contains(&ip)),
    }
}

fn protocols_match(protocols: &Value, port: i64, proto: &str) -> bool {
    let Some(list) = protocols.as_array().filter(|l| !l.is_empty()) else { return true };
    list.iter().any(|p| {
        let Some(dp) = p.get(proto.to_lowercase()).map(|x| &x["destinationPort"]) else { return false };
        if let Some(n) = dp["number"].as_i64() {
            return n == port;
        }
        match (dp["range"]["start"].as_i64(), dp["range"]["end"].as_i64()) {
            (Some(s), Some(e)) => (s..=e).contains(&port),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests;
