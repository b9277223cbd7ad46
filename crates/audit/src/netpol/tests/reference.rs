//! NetworkPolicy semantics over the policies as JSON, as the audit read
//! them before it kept each policy read ([`super::Policy`]): the reference
//! the compact reading is held to. Test-only; the Admin tier (unchanged,
//! still read as JSON) is left out.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

use super::{Target, Workload};

/// Whether a label selector (JSON) selects `labels`. A missing selector selects nothing; `{}` everything.
pub(super) fn selects(sel: &Value, labels: &BTreeMap<String, String>) -> bool {
    if sel.is_null() {
        return false;
    }
    let ml = sel["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k, v.as_str()?)))
        .all(|(k, v)| labels.get(k).map(String::as_str) == Some(v));
    let me = sel["matchExpressions"].as_array().map(|es| {
        es.iter().all(|e| {
            let key = e["key"].as_str().unwrap_or_default();
            let listed =
                |v: &str| e["values"].as_array().into_iter().flatten().filter_map(Value::as_str).any(|x| x == v);
            match e["operator"].as_str().unwrap_or_default() {
                "In" => labels.get(key).is_some_and(|v| listed(v)),
                "NotIn" => labels.get(key).is_none_or(|v| !listed(v)),
                "Exists" => labels.contains_key(key),
                "DoesNotExist" => !labels.contains_key(key),
                _ => false,
            }
        })
    });
    ml && me.unwrap_or(true)
}

/// Labels of which an object must carry one for `sel` to select it.
pub(super) fn required_labels(sel: &Value) -> Option<Vec<(String, String)>> {
    if let Some(kv) = super::string_labels(&sel["matchLabels"]).into_iter().next() {
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

/// The policies (JSON) by namespace, and the namespaces' labels.
pub(super) struct Network<'p> {
    policies: BTreeMap<String, Vec<&'p Value>>,
    namespaces: BTreeMap<String, BTreeMap<String, String>>,
}

impl<'p> Network<'p> {
    pub(super) fn new(
        policies: impl IntoIterator<Item = &'p Value>,
        namespaces: BTreeMap<String, BTreeMap<String, String>>,
    ) -> Self {
        let mut by_ns: BTreeMap<String, Vec<&'p Value>> = BTreeMap::new();
        for p in policies {
            by_ns.entry(p["metadata"]["namespace"].as_str().unwrap_or_default().to_string()).or_default().push(p);
        }
        Network { policies: by_ns, namespaces }
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
                        _ => false,
                    }
            })
    }

    pub(super) fn selecting<'a>(&'a self, w: &'a Workload, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.policies
            .get(&w.namespace)
            .into_iter()
            .flatten()
            .copied()
            .filter(move |p| selects(&p["spec"]["podSelector"], &w.labels) && has_type(p, kind))
    }

    pub(super) fn egress(&self, src: &Workload, dst: &Target<'_>, port: i64, proto: &str) -> (bool, Option<String>) {
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

    pub(super) fn ingress(&self, dst: &Workload, src: &Target<'_>, port: i64, proto: &str) -> (bool, Option<String>) {
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
}
