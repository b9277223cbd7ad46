//! NetworkPolicy semantics: who may reach whom, computed from the policies in
//! scope. The evidence behind the isolation controls.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

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
pub struct Network {
    /// NetworkPolicy objects (JSON), by namespace.
    policies: BTreeMap<String, Vec<Value>>,
    /// namespace -> labels (the API server's `kubernetes.io/metadata.name` is added).
    namespaces: BTreeMap<String, BTreeMap<String, String>>,
}

fn labels_of(v: &Value) -> BTreeMap<String, String> {
    v.as_object().map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect()).unwrap_or_default()
}

/// Whether a label selector (JSON) selects `labels`. A missing selector selects nothing; `{}` everything.
pub fn selects(sel: &Value, labels: &BTreeMap<String, String>) -> bool {
    if sel.is_null() {
        return false;
    }
    let ml = labels_of(&sel["matchLabels"]).iter().all(|(k, v)| labels.get(k) == Some(v));
    let me = sel["matchExpressions"].as_array().map(|es| {
        es.iter().all(|e| {
            let key = e["key"].as_str().unwrap_or_default();
            let vals: Vec<&str> = e["values"].as_array().map(|v| v.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            match e["operator"].as_str().unwrap_or_default() {
                "In" => labels.get(key).is_some_and(|v| vals.contains(&v.as_str())),
                "NotIn" => labels.get(key).is_none_or(|v| !vals.contains(&v.as_str())),
                "Exists" => labels.contains_key(key),
                "DoesNotExist" => !labels.contains_key(key),
                _ => false,
            }
        })
    });
    ml && me.unwrap_or(true)
}

fn in_block(peer: &Value, ip: IpAddr) -> bool {
    let Some(cidr) = peer["ipBlock"]["cidr"].as_str().and_then(|c| c.parse::<ipnet::IpNet>().ok()) else { return false };
    let except = peer["ipBlock"]["except"].as_array().cloned().unwrap_or_default();
    cidr.contains(&ip) && !except.iter().filter_map(|e| e.as_str()?.parse::<ipnet::IpNet>().ok()).any(|e| e.contains(&ip))
}

impl Network {
    /// Indexes the policies by namespace (each check looks at one namespace's).
    pub fn new(policies: Vec<Value>, namespaces: BTreeMap<String, BTreeMap<String, String>>) -> Self {
        let mut by_ns: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for p in policies {
            by_ns.entry(p["metadata"]["namespace"].as_str().unwrap_or_default().to_string()).or_default().push(p);
        }
        Network { policies: by_ns, namespaces }
    }

    fn ns_labels(&self, ns: &str) -> BTreeMap<String, String> {
        let mut l = self.namespaces.get(ns).cloned().unwrap_or_default();
        l.insert("kubernetes.io/metadata.name".into(), ns.into());
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
                        Value::Number(n) => n.as_i64() == Some(port) || p["endPort"].as_i64().is_some_and(|e| port >= n.as_i64().unwrap_or(0) && port <= e),
                        // Named ports are resolved against the target's ports by name; govcloud uses numbers.
                        _ => false,
                    }
            })
    }

    /// Policies in `w`'s namespace that select it for `kind` (Ingress or Egress), with their names.
    pub fn selecting<'a>(&'a self, w: &'a Workload, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.policies.get(&w.namespace).into_iter().flatten().filter(move |p| {
            selects(&p["spec"]["podSelector"], &w.labels) && {
                let types: Vec<&str> = p["spec"]["policyTypes"]
                    .as_array()
                    .map(|t| t.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_else(|| if p["spec"]["egress"].is_null() { vec!["Ingress"] } else { vec!["Ingress", "Egress"] });
                types.contains(&kind)
            }
        })
    }

    /// Whether `src` may send to `dst` on `port`, and the policy that allows it.
    pub fn egress(&self, src: &Workload, dst: &Target<'_>, port: i64, proto: &str) -> (bool, Option<String>) {
        let mut isolated = false;
        for p in self.selecting(src, "Egress") {
            isolated = true;
            for r in p["spec"]["egress"].as_array().into_iter().flatten() {
                let to_ok = r["to"].as_array().is_none_or(|to| to.is_empty() || to.iter().any(|peer| self.peer_matches(peer, &src.namespace, dst)));
                if to_ok && Self::port_ok(&r["ports"], port, proto) {
                    return (true, p["metadata"]["name"].as_str().map(str::to_string));
                }
            }
        }
        (!isolated, None)
    }

    /// Whether `dst` accepts from `src` on `port`, and the policy that allows it.
    pub fn ingress(&self, dst: &Workload, src: &Target<'_>, port: i64, proto: &str) -> (bool, Option<String>) {
        let mut isolated = false;
        for p in self.selecting(dst, "Ingress") {
            isolated = true;
            for r in p["spec"]["ingress"].as_array().into_iter().flatten() {
                let from_ok = r["from"].as_array().is_none_or(|f| f.is_empty() || f.iter().any(|peer| self.peer_matches(peer, &dst.namespace, src)));
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
                return Some(format!(
                    "port {port}/{proto}: egress {} / ingress {}",
                    by_out.unwrap_or_else(|| "(namespace not isolated)".into()),
                    by_in.unwrap_or_else(|| "(namespace not isolated)".into())
                ));
            }
        }
        None
    }

    /// Whether `a` may send to the address `ip` on any of the given ports.
    pub fn reaches_ip(&self, a: &Workload, ip: IpAddr, ports: &[i64]) -> Option<String> {
        ports.iter().find_map(|p| {
            let (ok, by) = self.egress(a, &Target::Ip(ip), *p, "TCP");
            ok.then(|| format!("{ip}:{p} via {}", by.unwrap_or_else(|| "(namespace not isolated)".into())))
        })
    }
}
