//! A NetworkPolicy as its semantics read it, read once from its JSON and
//! kept compact: what an audit holds of every policy of the cluster through
//! its isolation pass (at a province's size, the policies as JSON were the
//! largest thing that pass held).
//!
//! What the JSON says is what is kept, odd shapes included: a field that is
//! not what the API defines reads as the semantics have always read it
//! (`tests` holds each reading to the JSON's).

use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use crate::selector::Selector;

/// A NetworkPolicy: its namespace and name (the evidence names the deciding
/// policy), whom it selects, the directions it applies to and its rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    namespace: Box<str>,
    name: Option<Box<str>>,
    /// `spec.podSelector`; missing selects nothing.
    pods: Option<Selector>,
    /// Whether it applies to ingress, to egress ([`applies_to`]).
    ingress_type: bool,
    egress_type: bool,
    /// `spec.ingress` (peers: `from`), `spec.egress` (peers: `to`).
    pub(super) ingress: Box<[Rule]>,
    pub(super) egress: Box<[Rule]>,
}

/// One ingress or egress rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Its peers; none listed (or not a list): every peer.
    pub(super) peers: Box<[Peer]>,
    /// Its ports; `None` (not a list) or none listed: every port.
    ports: Option<Box<[Port]>>,
}

/// One peer of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    /// `ipBlock`, when it is there (a peer with one matches no pod).
    pub(super) block: Option<Block>,
    /// `namespaceSelector`; missing: the policy's namespace.
    pub(super) namespaces: Option<Selector>,
    /// `podSelector`; missing: every pod.
    pub(super) pods: Option<Selector>,
}

/// An `ipBlock`: its range (`None`: none that parses, matching nothing) and
/// the exceptions that parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub(super) cidr: Option<IpNet>,
    pub(super) except: Box<[IpNet]>,
}

/// One port of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Port {
    /// `protocol`, TCP when it is not a string.
    protocol: Protocol,
    port: Number,
}

/// A port's protocol: the three the API defines kept without an allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Protocol {
    Tcp,
    Udp,
    Sctp,
    Other(Box<str>),
}

impl Protocol {
    fn read(p: Option<&str>) -> Self {
        match p.unwrap_or("TCP") {
            "TCP" => Protocol::Tcp,
            "UDP" => Protocol::Udp,
            "SCTP" => Protocol::Sctp,
            other => Protocol::Other(other.into()),
        }
    }

    fn is(&self, proto: &str) -> bool {
        match self {
            Protocol::Tcp => proto == "TCP",
            Protocol::Udp => proto == "UDP",
            Protocol::Sctp => proto == "SCTP",
            Protocol::Other(p) => &**p == proto,
        }
    }
}

/// A port's `port`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Number {
    /// None given: every port.
    Any,
    /// A number (`start`: it, when it is an integer) and `endPort`.
    Range { start: Option<i64>, end: Option<i64> },
    /// A name (resolved against the target's ports by name; govcloud uses
    /// numbers) or anything else: no port.
    Named,
}

impl Block {
    fn read(b: &Value) -> Self {
        Block {
            cidr: b["cidr"].as_str().and_then(|c| c.parse().ok()),
            except: b["except"].as_array().into_iter().flatten().filter_map(|e| e.as_str()?.parse().ok()).collect(),
        }
    }

    /// Whether the address is in the range and in none of the exceptions.
    pub(super) fn contains(&self, ip: IpAddr) -> bool {
        self.cidr.is_some_and(|c| c.contains(&ip)) && !self.except.iter().any(|e| e.contains(&ip))
    }
}

impl Rule {
    fn read(r: &Value, side: &str) -> Self {
        Rule {
            peers: r[side]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| Peer {
                    block: (!p["ipBlock"].is_null()).then(|| Block::read(&p["ipBlock"])),
                    namespaces: Selector::read(&p["namespaceSelector"]),
                    pods: Selector::read(&p["podSelector"]),
                })
                .collect(),
            ports: r["ports"].as_array().map(|ps| {
                ps.iter()
                    .map(|p| Port {
                        protocol: Protocol::read(p["protocol"].as_str()),
                        port: match &p["port"] {
                            Value::Null => Number::Any,
                            Value::Number(n) => Number::Range { start: n.as_i64(), end: p["endPort"].as_i64() },
                            _ => Number::Named,
                        },
                    })
                    .collect()
            }),
        }
    }

    /// Whether its ports take in `port` over `proto`.
    pub(super) fn port_ok(&self, port: i64, proto: &str) -> bool {
        let Some(ps) = &self.ports else { return true };
        ps.is_empty()
            || ps.iter().any(|p| {
                p.protocol.is(proto)
                    && match p.port {
                        Number::Any => true,
                        Number::Range { start, end } => {
                            start == Some(port) || end.is_some_and(|e| port >= start.unwrap_or(0) && port <= e)
                        }
                        Number::Named => false,
                    }
            })
    }

    /// Whether its peers take in the address: every peer, or an ipBlock that holds it.
    pub(super) fn takes_ip(&self, ip: IpAddr) -> bool {
        self.peers.is_empty() || self.peers.iter().any(|p| p.block.as_ref().is_some_and(|b| b.contains(ip)))
    }
}

impl Policy {
    /// The NetworkPolicy `p` (its JSON) as its semantics read it.
    pub fn read(p: &Value) -> Self {
        let spec = &p["spec"];
        let rules =
            |dir: &str, side: &str| spec[dir].as_array().into_iter().flatten().map(|r| Rule::read(r, side)).collect();
        Policy {
            namespace: p["metadata"]["namespace"].as_str().unwrap_or_default().into(),
            name: p["metadata"]["name"].as_str().map(Into::into),
            pods: Selector::read(&spec["podSelector"]),
            ingress_type: applies_to(spec, "Ingress"),
            egress_type: applies_to(spec, "Egress"),
            ingress: rules("ingress", "from"),
            egress: rules("egress", "to"),
        }
    }

    /// Its namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Its name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Its podSelector (`None`: missing, selecting nothing).
    pub fn pod_selector(&self) -> Option<&Selector> {
        self.pods.as_ref()
    }

    /// Whether it applies to `kind` (Ingress or Egress).
    pub fn applies(&self, kind: &str) -> bool {
        match kind {
            "Ingress" => self.ingress_type,
            "Egress" => self.egress_type,
            _ => false,
        }
    }

    /// Whether it selects pods labelled `labels` (of its namespace) for `kind`.
    pub fn selects(&self, labels: &std::collections::BTreeMap<String, String>, kind: &str) -> bool {
        self.pods.as_ref().is_some_and(|s| s.selects(labels)) && self.applies(kind)
    }
}

/// Whether a policy's spec applies to `kind` (Ingress or Egress): its
/// policyTypes, or Ingress (plus Egress when it has egress rules) when none
/// are listed.
fn applies_to(spec: &Value, kind: &str) -> bool {
    match spec["policyTypes"].as_array() {
        Some(t) => t.iter().filter_map(Value::as_str).any(|t| t == kind),
        None => kind == "Ingress" || (kind == "Egress" && !spec["egress"].is_null()),
    }
}
