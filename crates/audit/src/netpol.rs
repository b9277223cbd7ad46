//! NetworkPolicy semantics: who may reach whom, computed from the policies in
//! scope. The evidence behind the isolation controls.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use serde_json::Value;

use super::admin_tier::{AdminTier, End, Verdict};
use super::selector::selects;

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
    pub fn reaches(&self, a: &Workload, b: &Workload) -> Option<String> {
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
    pub fn reaches_ip(&self, a: &Workload, ip: IpAddr, ports: &[i64]) -> Option<String> {
        ports.iter().find_map(|p| {
            let (ok, by) = self.egress(a, &Target::Ip(ip), *p, "TCP");
            ok.then(|| ip_evidence(ip, *p, by.as_deref()))
        })
    }
}

/// How a connection to an address is allowed: the port and the policy.
fn ip_evidence(ip: IpAddr, port: i64, by: Option<&str>) -> String {
    format!("{ip}:{port} via {}", by.unwrap_or("(namespace not isolated)"))
}

/// How a connection is allowed: the port and the policies of both sides.
fn evidence(port: i64, proto: &str, by_out: Option<&str>, by_in: Option<&str>) -> String {
    format!(
        "port {port}/{proto}: egress {} / ingress {}",
        by_out.unwrap_or("(namespace not isolated)"),
        by_in.unwrap_or("(namespace not isolated)")
    )
}

// === Reachability between every pair of workloads, near-linear ===
//
// Workloads with the same namespace, pod labels and ports behave alike under
// NetworkPolicy: they form one class, and reachability is decided per pair of
// classes. Each rule's peers are resolved once to the classes they match,
// through indexes of classes by namespace label and by pod label; each class
// looks only at the policies of its namespace that can select it (by a label
// their podSelector requires). For a destination class, the candidates are
// the classes its ingress rules admit on one of its ports (or, when nothing
// isolates its ingress, the classes whose egress can reach it), and each
// candidate pair is decided exactly as [`Network::reaches`] decides it, with
// the same evidence. The work grows with the candidate pairs, not with the
// square of the number of workloads.

/// The classes a rule's peers match: every class (no peers listed), or these, ascending.
enum Peers {
    All,
    Some(Vec<usize>),
}

impl Peers {
    fn contains(&self, class: usize) -> bool {
        match self {
            Peers::All => true,
            Peers::Some(v) => v.binary_search(&class).is_ok(),
        }
    }
}

struct Rule<'a> {
    peers: Peers,
    /// The peers' ipBlocks: range and exceptions.
    blocks: Vec<(ipnet::IpNet, Vec<ipnet::IpNet>)>,
    ports: &'a Value,
}

impl Rule<'_> {
    /// Whether the rule's peers take in the address (as `peer_matches` decides for an address).
    fn takes_ip(&self, ip: IpAddr) -> bool {
        matches!(self.peers, Peers::All)
            || self.blocks.iter().any(|(cidr, except)| cidr.contains(&ip) && !except.iter().any(|e| e.contains(&ip)))
    }
}

/// A policy with its rules' peers resolved to classes.
struct Compiled<'a> {
    policy: &'a Value,
    name: Option<&'a str>,
    ingress: Vec<Rule<'a>>,
    egress: Vec<Rule<'a>>,
}

/// Labels of which an object must carry one for `sel` to select it: a pair of
/// its matchLabels, or the values of its first `In` expression; None when the
/// selector requires no particular label.
fn required_labels(sel: &Value) -> Option<Vec<(String, String)>> {
    if let Some(kv) = labels_of(&sel["matchLabels"]).into_iter().next() {
        return Some(vec![kv]);
    }
    sel["matchExpressions"].as_array()?.iter().find(|e| e["operator"] == "In").map(|e| {
        let key = e["key"].as_str().unwrap_or_default();
        e["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|v| (key.to_string(), v.to_string()))
            .collect()
    })
}

/// What `sel` may select among `all`, through an index by label: a superset, ascending.
fn candidates<'x, T: Copy + Ord + 'x>(
    sel: &Value,
    all: &[T],
    index: impl Fn(&str, &str) -> Option<&'x Vec<T>>,
) -> Vec<T> {
    match required_labels(sel) {
        None => all.to_vec(),
        Some(alternatives) => {
            let mut v: Vec<T> = alternatives.iter().filter_map(|(k, v)| index(k, v)).flatten().copied().collect();
            v.sort_unstable();
            v.dedup();
            v
        }
    }
}

/// What makes workloads alike: namespace, pod labels, ports.
type ClassKey<'w> = (&'w str, &'w BTreeMap<String, String>, &'w [(i64, String)]);

/// A namespace's policies (indices): those whose podSelector requires no
/// label, and the others by a label it requires.
type PolicyIndex = (Vec<usize>, HashMap<String, HashMap<String, Vec<usize>>>);

/// Workloads grouped into classes (same namespace, pod labels and ports), and
/// which classes reach which.
pub struct Reachability<'p> {
    /// Class of each workload.
    pub class_of: Vec<usize>,
    /// Workloads of each class, ascending.
    pub members: Vec<Vec<usize>>,
    /// Per class: the classes it may open a connection to, ascending, with the
    /// evidence [`Network::reaches`] gives for their workloads.
    pub reaches: Vec<Vec<(usize, String)>>,
    policies: Selected<'p>,
    /// One workload of each class, and the network, for the Admin tier's verdicts.
    reps: Vec<Workload>,
    net: &'p Network<'p>,
}

/// The policies with their rules resolved, and per class those that select it.
struct Selected<'p> {
    compiled: Vec<Compiled<'p>>,
    ingress: Vec<Vec<usize>>,
    egress: Vec<Vec<usize>>,
}

impl Selected<'_> {
    /// As [`Network::ingress`] or [`Network::egress`] decide for `class`, on
    /// the peer the rules take in by `takes`: allowed, and by which policy.
    fn allows(
        &self,
        class: usize,
        ingress: bool,
        takes: impl Fn(&Rule<'_>) -> bool,
        port: i64,
        proto: &str,
    ) -> (bool, Option<&str>) {
        let policies = if ingress { &self.ingress[class] } else { &self.egress[class] };
        if policies.is_empty() {
            return (true, None);
        }
        for &p in policies {
            let rules = if ingress { &self.compiled[p].ingress } else { &self.compiled[p].egress };
            if rules.iter().any(|r| takes(r) && Network::port_ok(r.ports, port, proto)) {
                return (true, self.compiled[p].name);
            }
        }
        (false, None)
    }
}

impl Reachability<'_> {
    /// [`Network::reaches_ip`] for the workloads of `class`.
    pub fn reaches_ip(&self, class: usize, ip: IpAddr, ports: &[i64]) -> Option<String> {
        ports.iter().find_map(|p| {
            let (ok, by) = self.policies.allows(class, false, |r| r.takes_ip(ip), *p, "TCP");
            let (ok, by) = match self.net.admin_verdicts(&self.reps[class], &Target::Ip(ip), *p, "TCP") {
                Some([out, _]) => Network::under_admin(&out, (ok, by.map(str::to_string))),
                None => (ok, by.map(str::to_string)),
            };
            ok.then(|| ip_evidence(ip, *p, by.as_deref()))
        })
    }

    /// Whether the workloads of `class` accept a connection from the address
    /// `ip` on the port (as [`Network::ingress`] decides).
    pub fn accepts_ip(&self, class: usize, ip: IpAddr, port: i64, proto: &str) -> bool {
        self.policies.allows(class, true, |r| r.takes_ip(ip), port, proto).0
    }

    /// Whether workload `i` may reach workload `j` (of the slice given to
    /// [`Network::reachability`]), as [`Network::reaches`] says.
    pub fn between(&self, i: usize, j: usize) -> Option<&str> {
        let row = &self.reaches[self.class_of[i]];
        row.binary_search_by_key(&self.class_of[j], |(c, _)| *c).ok().map(|k| row[k].1.as_str())
    }
}

impl Network<'_> {
    /// Reachability between every pair of `ws`, equal to [`Network::reaches`]
    /// on each pair, computed per class pair and only for candidate pairs.
    pub fn reachability(&self, ws: &[Workload]) -> Reachability<'_> {
        // Classes, with one representative each.
        let mut ids: HashMap<ClassKey<'_>, usize> = HashMap::new();
        let mut class_of = Vec::with_capacity(ws.len());
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (i, w) in ws.iter().enumerate() {
            let next = members.len();
            let c = *ids.entry((w.namespace.as_str(), &w.labels, w.ports.as_slice())).or_insert(next);
            if c == next {
                members.push(Vec::new());
            }
            members[c].push(i);
            class_of.push(c);
        }
        let rep: Vec<&Workload> = members.iter().map(|m| &ws[m[0]]).collect();
        let n = rep.len();

        // Classes by namespace and by (namespace, pod label); namespaces by label.
        let mut in_ns: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut by_pod_label: HashMap<(&str, String, String), Vec<usize>> = HashMap::new();
        for (c, w) in rep.iter().enumerate() {
            in_ns.entry(w.namespace.as_str()).or_default().push(c);
            for (k, v) in &w.labels {
                by_pod_label.entry((w.namespace.as_str(), k.clone(), v.clone())).or_default().push(c);
            }
        }
        let ns_labels: BTreeMap<&str, BTreeMap<String, String>> =
            in_ns.keys().map(|ns| (*ns, self.ns_labels(ns))).collect();
        let all_ns: Vec<&str> = in_ns.keys().copied().collect();
        let mut by_ns_label: HashMap<(String, String), Vec<&str>> = HashMap::new();
        for (ns, labels) in &ns_labels {
            for (k, v) in labels {
                by_ns_label.entry((k.clone(), v.clone())).or_default().push(ns);
            }
        }
        // The classes one peer matches (as `peer_matches` decides for a pod), ascending per namespace.
        let peer_classes = |peer: &Value, policy_ns: &str| -> Vec<usize> {
            if !peer["ipBlock"].is_null() {
                return Vec::new();
            }
            let nss: Vec<&str> = match &peer["namespaceSelector"] {
                Value::Null => all_ns.iter().copied().filter(|ns| *ns == policy_ns).collect(),
                sel => candidates(sel, &all_ns, |k, v| by_ns_label.get(&(k.to_string(), v.to_string())))
                    .into_iter()
                    .filter(|ns| selects(sel, &ns_labels[ns]))
                    .collect(),
            };
            let mut out = Vec::new();
            for ns in nss {
                let here = &in_ns[ns];
                match &peer["podSelector"] {
                    Value::Null => out.extend(here),
                    sel => out.extend(
                        candidates(sel, here, |k, v| by_pod_label.get(&(ns, k.to_string(), v.to_string())))
                            .into_iter()
                            .filter(|c| selects(sel, &rep[*c].labels)),
                    ),
                }
            }
            out
        };

        // Policies of namespaces with workloads, their peers resolved, indexed
        // per namespace by a label their podSelector requires.
        let mut compiled: Vec<Compiled<'_>> = Vec::new();
        let mut by_ns: HashMap<&str, PolicyIndex> = HashMap::new();
        for (ns, policies) in &self.policies {
            if !in_ns.contains_key(ns.as_str()) {
                continue;
            }
            let (unindexed, by_label) = by_ns.entry(ns.as_str()).or_default();
            for p in policies {
                let rules = |dir: &str, side: &str| -> Vec<Rule<'_>> {
                    p["spec"][dir]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|r| Rule {
                            peers: match r[side].as_array() {
                                Some(list) if !list.is_empty() => {
                                    let mut v: Vec<usize> =
                                        list.iter().flat_map(|peer| peer_classes(peer, ns)).collect();
                                    v.sort_unstable();
                                    v.dedup();
                                    Peers::Some(v)
                                }
                                _ => Peers::All,
                            },
                            blocks: r[side]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(|peer| {
                                    let cidr = peer["ipBlock"]["cidr"].as_str()?.parse::<ipnet::IpNet>().ok()?;
                                    let except = peer["ipBlock"]["except"]
                                        .as_array()
                                        .into_iter()
                                        .flatten()
                                        .filter_map(|e| e.as_str()?.parse().ok())
                                        .collect();
                                    Some((cidr, except))
                                })
                                .collect(),
                            ports: &r["ports"],
                        })
                        .collect()
                };
                let i = compiled.len();
                compiled.push(Compiled {
                    policy: p,
                    name: p["metadata"]["name"].as_str(),
                    ingress: rules("ingress", "from"),
                    egress: rules("egress", "to"),
                });
                match required_labels(&p["spec"]["podSelector"]) {
                    None => unindexed.push(i),
                    Some(alternatives) => alternatives
                        .into_iter()
                        .for_each(|(k, v)| by_label.entry(k).or_default().entry(v).or_default().push(i)),
                }
            }
        }
        // Per class, the policies that select it for a direction, in the order `selecting` gives.
        let selected = |c: usize, kind: &str| -> Vec<usize> {
            let w = rep[c];
            let Some((unindexed, by_label)) = by_ns.get(w.namespace.as_str()) else { return Vec::new() };
            let mut v = unindexed.clone();
            for (k, l) in &w.labels {
                if let Some(ps) = by_label.get(k).and_then(|by_value| by_value.get(l)) {
                    v.extend(ps);
                }
            }
            v.sort_unstable();
            v.dedup();
            v.retain(|i| {
                selects(&compiled[*i].policy["spec"]["podSelector"], &w.labels) && has_type(compiled[*i].policy, kind)
            });
            v
        };
        let ingress: Vec<Vec<usize>> = (0..n).map(|c| selected(c, "Ingress")).collect();
        let egress: Vec<Vec<usize>> = (0..n).map(|c| selected(c, "Egress")).collect();
        let policies = Selected { compiled, ingress, egress };
        let decide = |a: usize, b: usize| -> Option<String> {
            rep[b].ports.iter().find_map(|(port, proto)| {
                let (out, by_out) = policies.allows(a, false, |r| r.peers.contains(b), *port, proto);
                let (inn, by_in) =
                    if out { policies.allows(b, true, |r| r.peers.contains(a), *port, proto) } else { (false, None) };
                let (mut out, mut by_out, mut inn, mut by_in) =
                    (out, by_out.map(str::to_string), inn, by_in.map(str::to_string));
                // The Admin tier first: what it denies, no NetworkPolicy opens.
                if let Some([e, i]) = self.admin_verdicts(rep[a], &Target::Pod(rep[b]), *port, proto) {
                    let np_in = policies.allows(b, true, |r| r.peers.contains(a), *port, proto);
                    (out, by_out) = Self::under_admin(&e, (out, by_out));
                    (inn, by_in) = Self::under_admin(&i, (np_in.0, np_in.1.map(str::to_string)));
                }
                (out && inn).then(|| evidence(*port, proto, by_out.as_deref(), by_in.as_deref()))
            })
        };
        let (compiled, ingress, egress) = (&policies.compiled, &policies.ingress, &policies.egress);
        // For destinations nothing isolates: who can send to them. Egress
        // policies by the classes their rules name, and the classes each selects.
        let mut egress_selected: Vec<Vec<usize>> = vec![Vec::new(); compiled.len()];
        for (c, ps) in egress.iter().enumerate() {
            for p in ps {
                egress_selected[*p].push(c);
            }
        }
        let mut egress_to: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut egress_to_all: Vec<usize> = Vec::new();
        for (p, cp) in compiled.iter().enumerate().filter(|(p, _)| !egress_selected[*p].is_empty()) {
            for r in &cp.egress {
                match &r.peers {
                    Peers::All => egress_to_all.push(p),
                    Peers::Some(v) => v.iter().for_each(|c| egress_to[*c].push(p)),
                }
            }
        }
        egress_to_all.dedup();
        let egress_open: Vec<usize> = (0..n).filter(|c| egress[*c].is_empty()).collect();
        // The Admin tier's Accept rules allow what no NetworkPolicy names:
        // a class it may accept into is a candidate destination of every
        // class, a class it may accept out of a candidate source of every one.
        let (accept_in, accept_out): (Vec<bool>, Vec<usize>) = if self.admin.is_empty() {
            (vec![false; n], Vec::new())
        } else {
            let may = |c: usize, dir: &str| {
                self.admin.may_accept(
                    End::Pod { namespace: &ns_labels[rep[c].namespace.as_str()], labels: &rep[c].labels },
                    dir,
                )
            };
            ((0..n).map(|c| may(c, "ingress")).collect(), (0..n).filter(|c| may(*c, "egress")).collect())
        };

        let mut reaches: Vec<Vec<(usize, String)>> = vec![Vec::new(); n];
        for b in (0..n).filter(|b| !rep[*b].ports.is_empty()) {
            let mut every = ingress[b].is_empty();
            let mut cands: Vec<usize> = Vec::new();
            for r in ingress[b].iter().flat_map(|p| &compiled[*p].ingress) {
                if !rep[b].ports.iter().any(|(port, proto)| Self::port_ok(r.ports, *port, proto)) {
                    continue;
                }
                match &r.peers {
                    Peers::All => every = true,
                    Peers::Some(v) => cands.extend(v),
                }
            }
            if every {
                cands = egress_open.clone();
                for p in egress_to_all.iter().chain(&egress_to[b]) {
                    cands.extend(&egress_selected[*p]);
                }
            }
            if accept_in[b] {
                cands = (0..n).collect();
            } else {
                cands.extend(&accept_out);
            }
            cands.sort_unstable();
            cands.dedup();
            for a in cands {
                if let Some(e) = decide(a, b) {
                    reaches[a].push((b, e));
                }
            }
        }
        let reps = rep.iter().map(|w| (*w).clone()).collect();
        Reachability { class_of, members, reaches, policies, reps, net: self }
    }
}

#[cfg(test)]
pub(crate) mod tests;
