//! Reachability between every pair of workloads, near-linear.
//!
//! Workloads with the same namespace, pod labels and ports behave alike under
//! NetworkPolicy: they form one class, and reachability is decided per pair of
//! classes. Each rule's peers are resolved once to the classes they match,
//! through indexes of classes by namespace label and by pod label; each class
//! looks only at the policies of its namespace that can select it (by a label
//! their podSelector requires). For a destination class, the candidates are
//! the classes its ingress rules admit on one of its ports (or, when nothing
//! isolates its ingress, the classes whose egress can reach it), and each
//! candidate pair is decided exactly as [`Network::reaches`] decides it, with
//! the same evidence. The work grows with the candidate pairs, not with the
//! square of the number of workloads.

use super::policy::{Peer, Policy, Rule as Written};
use crate::netpol::{End, Network, Target, Workload, evidence, ip_evidence};
use crate::selector::Selector;
use govcloud_core::messages::Message;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

/// The classes a rule's peers match: every class (no peers listed), or these, ascending.
pub(super) enum Peers {
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

/// A rule as written, with its peers resolved to classes.
pub(super) struct Rule<'a> {
    peers: Peers,
    written: &'a Written,
}

/// A policy with its rules' peers resolved to classes.
pub(super) struct Compiled<'a> {
    policy: &'a Policy,
    ingress: Vec<Rule<'a>>,
    egress: Vec<Rule<'a>>,
}

/// The rules `written`, each with the classes its peers match (by `classes`).
fn resolved(written: &[Written], classes: impl Fn(&Peer) -> Vec<usize>) -> Vec<Rule<'_>> {
    written
        .iter()
        .map(|r| Rule {
            peers: if r.peers.is_empty() {
                Peers::All
            } else {
                let mut v: Vec<usize> = r.peers.iter().flat_map(&classes).collect();
                v.sort_unstable();
                v.dedup();
                Peers::Some(v)
            },
            written: r,
        })
        .collect()
}

/// What `sel` may select among `all`, through an index by label (a label
/// it requires, [`Selector::required_labels`]): a superset, ascending.
pub(super) fn candidates<'x, T: Copy + Ord + 'x>(
    sel: &Selector,
    all: &[T],
    index: impl Fn(&str, &str) -> Option<&'x Vec<T>>,
) -> Vec<T> {
    match sel.required_labels() {
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
pub(super) type ClassKey<'w> = (&'w str, &'w BTreeMap<String, String>, &'w [(i64, String)]);

/// A namespace's policies (indices): those whose podSelector requires no
/// label, and the others by a label it requires.
pub(super) type PolicyIndex = (Vec<usize>, HashMap<String, HashMap<String, Vec<usize>>>);

/// Workloads grouped into classes (same namespace, pod labels and ports), and
/// which classes reach which.
pub struct Reachability<'p> {
    /// Class of each workload.
    pub class_of: Vec<usize>,
    /// Workloads of each class, ascending.
    pub members: Vec<Vec<usize>>,
    /// Per class: the classes it may open a connection to, ascending, with the
    /// evidence [`Network::reaches`] gives for their workloads.
    pub reaches: Vec<Vec<(usize, Message)>>,
    policies: Selected<'p>,
    /// One workload of each class, and the network, for the Admin tier's verdicts.
    reps: Vec<Workload>,
    net: &'p Network<'p>,
}

/// The policies with their rules resolved, and per class those that select it.
pub(super) struct Selected<'p> {
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
            if rules.iter().any(|r| takes(r) && r.written.port_ok(port, proto)) {
                return (true, self.compiled[p].policy.name());
            }
        }
        (false, None)
    }
}

impl Reachability<'_> {
    /// [`Network::reaches_ip`] for the workloads of `class`.
    pub fn reaches_ip(&self, class: usize, ip: IpAddr, ports: &[i64]) -> Option<Message> {
        ports.iter().find_map(|p| {
            let (ok, by) = self.policies.allows(class, false, |r| r.written.takes_ip(ip), *p, "TCP");
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
        self.policies.allows(class, true, |r| r.written.takes_ip(ip), port, proto).0
    }

    /// Whether workload `i` may reach workload `j` (of the slice given to
    /// [`Network::reachability`]), as [`Network::reaches`] says.
    pub fn between(&self, i: usize, j: usize) -> Option<&Message> {
        let row = &self.reaches[self.class_of[i]];
        row.binary_search_by_key(&self.class_of[j], |(c, _)| *c).ok().map(|k| &row[k].1)
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
        let peer_classes = |peer: &Peer, policy_ns: &str| -> Vec<usize> {
            if peer.block.is_some() {
                return Vec::new();
            }
            let nss: Vec<&str> = match &peer.namespaces {
                None => all_ns.iter().copied().filter(|ns| *ns == policy_ns).collect(),
                Some(sel) => candidates(sel, &all_ns, |k, v| by_ns_label.get(&(k.to_string(), v.to_string())))
                    .into_iter()
                    .filter(|ns| sel.selects(&ns_labels[ns]))
                    .collect(),
            };
            let mut out = Vec::new();
            for ns in nss {
                let here = &in_ns[ns];
                match &peer.pods {
                    None => out.extend(here),
                    Some(sel) => out.extend(
                        candidates(sel, here, |k, v| by_pod_label.get(&(ns, k.to_string(), v.to_string())))
                            .into_iter()
                            .filter(|c| sel.selects(&rep[*c].labels)),
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
                let rules = |written| resolved(written, |peer| peer_classes(peer, ns));
                let i = compiled.len();
                compiled.push(Compiled { policy: p, ingress: rules(&p.ingress), egress: rules(&p.egress) });
                match p.pod_selector().and_then(Selector::required_labels) {
                    None => unindexed.push(i),
                    Some(alternatives) => alternatives.into_iter().for_each(|(k, v)| {
                        by_label.entry(k.to_string()).or_default().entry(v.to_string()).or_default().push(i)
                    }),
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
            v.retain(|i| compiled[*i].policy.selects(&w.labels, kind));
            v
        };
        let ingress: Vec<Vec<usize>> = (0..n).map(|c| selected(c, "Ingress")).collect();
        let egress: Vec<Vec<usize>> = (0..n).map(|c| selected(c, "Egress")).collect();
        let policies = Selected { compiled, ingress, egress };
        let decide = |a: usize, b: usize| -> Option<Message> {
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

        let mut reaches: Vec<Vec<(usize, Message)>> = vec![Vec::new(); n];
        for b in (0..n).filter(|b| !rep[*b].ports.is_empty()) {
            let mut every = ingress[b].is_empty();
            let mut cands: Vec<usize> = Vec::new();
            for r in ingress[b].iter().flat_map(|p| &compiled[*p].ingress) {
                if !rep[b].ports.iter().any(|(port, proto)| r.written.port_ok(*port, proto)) {
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
