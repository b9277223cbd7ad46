use serde_json::json;

use super::*;
use crate::selector::Selector;

mod reference;

/// A small deterministic generator (an LCG), so a failing seed can be replayed.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.next(xs.len())]
    }
}

const NAMESPACES: &[&str] = &["a", "b", "c", "d", "e"];
pub(crate) const KEYS: &[&str] = &["app", "tier", "team"];
pub(crate) const VALUES: &[&str] = &["x", "y", "z"];

pub(crate) fn labels(r: &mut Rng) -> BTreeMap<String, String> {
    let mut l = BTreeMap::new();
    for k in KEYS {
        if r.next(3) > 0 {
            l.insert(k.to_string(), r.pick(VALUES).to_string());
        }
    }
    l
}

/// A selector of every shape: absent, empty, matchLabels (sometimes with a
/// value that is not a string), matchExpressions of every operator (and one
/// the API does not know), or both.
pub(crate) fn selector(r: &mut Rng, keys: &[&str], values: &[&str]) -> Value {
    let expr = |r: &mut Rng| {
        let op = r.pick(&["In", "NotIn", "Exists", "DoesNotExist", "In", "Gt"]);
        let vals: Vec<&str> = (0..r.next(3)).map(|_| r.pick(values)).collect();
        json!({"key": r.pick(keys), "operator": op, "values": vals})
    };
    match r.next(7) {
        0 => Value::Null,
        1 => json!({}),
        2 => json!({"matchLabels": {r.pick(keys): r.pick(values)}}),
        3 => json!({"matchLabels": {r.pick(keys): r.pick(values), r.pick(keys): 1}}),
        4 => json!({"matchExpressions": [expr(r)]}),
        5 => json!({"matchExpressions": [expr(r), expr(r)]}),
        _ => json!({"matchLabels": {r.pick(keys): r.pick(values)}, "matchExpressions": [expr(r)]}),
    }
}

fn peer(r: &mut Rng) -> Value {
    let mut p = serde_json::Map::new();
    match r.next(5) {
        0 => {
            let block = match r.next(6) {
                0 => json!({"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}),
                1 => json!({"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "bad"]}),
                // Shapes the API rejects, read as the semantics always read them.
                2 => json!(5),
                3 => json!({"cidr": "not a range"}),
                4 => json!({"except": "10.0.0.0/8", "cidr": "10.0.0.0/8"}),
                _ => json!({"cidr": "10.10.0.0/16"}),
            };
            p.insert("ipBlock".into(), block);
        }
        1 => {
            p.insert("podSelector".into(), selector(r, KEYS, VALUES));
        }
        _ => {
            let ns_sel = match r.next(3) {
                0 => json!({"matchLabels": {"kubernetes.io/metadata.name": r.pick(NAMESPACES)}}),
                1 => {
                    json!({"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": r.pick(&["In", "NotIn"]), "values": [r.pick(NAMESPACES), r.pick(NAMESPACES)]}]})
                }
                _ => selector(r, &["env", "zone"], &["prod", "dev", "private"]),
            };
            p.insert("namespaceSelector".into(), ns_sel);
            if r.next(2) == 0 {
                p.insert("podSelector".into(), selector(r, KEYS, VALUES));
            }
        }
    }
    Value::Object(p)
}

fn ports(r: &mut Rng) -> Value {
    match r.next(4) {
        0 => Value::Null,
        1 => json!([]),
        _ => Value::Array(
            (0..1 + r.next(2))
                .map(|_| match r.next(9) {
                    0 => json!({"port": "http"}),
                    6 => json!({"port": 53.5, "endPort": 90, "protocol": 17}),
                    7 => json!({"protocol": "SCTP", "port": 80, "endPort": "x"}),
                    8 => json!({"protocol": "udp", "endPort": 100}),
                    1 => json!({"port": 8000, "endPort": 8443}),
                    2 => json!({"protocol": "UDP", "port": 53}),
                    3 => json!({"protocol": "TCP"}),
                    4 => json!({"port": 443}),
                    _ => json!({"port": 80, "protocol": "TCP"}),
                })
                .collect(),
        ),
    }
}

fn rules(r: &mut Rng, side: &str) -> Value {
    Value::Array(
        (0..r.next(3))
            .map(|_| {
                let mut rule = serde_json::Map::new();
                match r.next(6) {
                    0 => {}
                    1 => {
                        rule.insert(side.into(), json!([]));
                    }
                    2 => {
                        rule.insert(side.into(), json!("everyone"));
                    }
                    _ => {
                        rule.insert(side.into(), Value::Array((0..1 + r.next(2)).map(|_| peer(r)).collect()));
                    }
                }
                let p = ports(r);
                if !p.is_null() {
                    rule.insert("ports".into(), p);
                }
                Value::Object(rule)
            })
            .collect(),
    )
}

/// Namespaces, workloads (some alike, some without ports) and policies of every shape.
fn adversarial(seed: u64) -> (Network<'static>, Vec<Workload>) {
    let (policies, namespaces, ws) = adversarial_parts(seed);
    (Network::new(policies.iter(), namespaces), ws)
}

/// The namespace labels and policies (as JSON) of [`adversarial`].
type Parts = (Vec<Value>, BTreeMap<String, BTreeMap<String, String>>, Vec<Workload>);

/// [`adversarial`]'s policies, namespaces and workloads.
fn adversarial_parts(seed: u64) -> Parts {
    let mut r = Rng(seed);
    let namespaces = NAMESPACES
        .iter()
        .map(|ns| {
            let mut l = BTreeMap::new();
            if r.next(3) > 0 {
                l.insert("env".to_string(), r.pick(&["prod", "dev"]).to_string());
            }
            if r.next(2) == 0 {
                l.insert("zone".to_string(), "private".to_string());
            }
            (ns.to_string(), l)
        })
        .collect();
    let mut ws: Vec<Workload> = Vec::new();
    for i in 0..30 {
        if i > 0 && r.next(5) == 0 {
            // Alike another workload: same class, another id.
            let mut w = ws[r.next(ws.len())].clone();
            w.id = format!("Deployment/{}/w{i}", w.namespace);
            ws.push(w);
            continue;
        }
        let namespace = r.pick(NAMESPACES).to_string();
        let ports = (0..r.next(3))
            .map(|_| [(80, "TCP"), (443, "TCP"), (53, "UDP"), (8080, "TCP")][r.next(4)])
            .map(|(p, t)| (p, t.to_string()))
            .collect();
        ws.push(Workload {
            id: format!("Deployment/{namespace}/w{i}"),
            app: format!("w{i}"),
            namespace,
            labels: labels(&mut r),
            ports,
        });
    }
    let mut policies = Vec::new();
    for i in 0..12 {
        let mut spec = serde_json::Map::new();
        spec.insert("podSelector".into(), selector(&mut r, KEYS, VALUES));
        match r.next(6) {
            0 => {}
            1 => {
                spec.insert("policyTypes".into(), json!(["Ingress"]));
            }
            4 => {
                spec.insert("policyTypes".into(), json!("Egress"));
            }
            5 => {
                spec.insert("policyTypes".into(), json!([1, "Egress"]));
            }
            2 => {
                spec.insert("policyTypes".into(), json!(["Egress"]));
            }
            _ => {
                spec.insert("policyTypes".into(), json!(["Ingress", "Egress"]));
            }
        }
        if r.next(4) > 0 {
            spec.insert("ingress".into(), rules(&mut r, "from"));
        }
        if r.next(3) > 0 {
            spec.insert("egress".into(), rules(&mut r, "to"));
        }
        let mut metadata = json!({"namespace": r.pick(NAMESPACES)});
        if r.next(6) > 0 {
            metadata["name"] = json!(format!("p{i}"));
        }
        policies.push(json!({"kind": "NetworkPolicy", "metadata": metadata, "spec": spec}));
    }
    (policies, namespaces, ws)
}

/// The labels of a JSON labels map whose values are strings.
pub(crate) fn string_labels(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

/// Class-based reachability equals the pairwise one on every pair,
/// evidence included, and so do the answers for addresses (inside a
/// block, inside its exception, outside).
pub(crate) fn assert_same_as_pairwise(net: &Network<'_>, ws: &[Workload]) -> usize {
    let r = net.reachability(ws);
    let mut reachable = 0;
    let ips: Vec<IpAddr> = ["10.2.0.1", "10.1.2.3", "8.8.8.8", "10.10.0.5", "203.0.113.1"]
        .iter()
        .map(|ip| ip.parse().expect("ip"))
        .collect();
    for (i, a) in ws.iter().enumerate() {
        for ip in &ips {
            assert_eq!(
                r.reaches_ip(r.class_of[i], *ip, &[22, 53, 80, 443, 8000]),
                net.reaches_ip(a, *ip, &[22, 53, 80, 443, 8000]),
                "{} -> {ip}",
                a.id
            );
            for (port, proto) in [(80, "TCP"), (443, "TCP"), (53, "UDP"), (8443, "TCP")] {
                let want = net.ingress(a, &Target::Ip(*ip), port, proto).0;
                assert_eq!(r.accepts_ip(r.class_of[i], *ip, port, proto), want, "{ip} -> {} {port}/{proto}", a.id);
            }
        }
        for (j, b) in ws.iter().enumerate() {
            let want = net.reaches(a, b);
            assert_eq!(r.between(i, j), want.as_ref(), "{} -> {}", a.id, b.id);
            reachable += usize::from(want.is_some());
        }
    }
    reachable
}

#[test]
fn class_reachability_equals_pairwise_on_adversarial_policies() {
    let (mut pairs, mut reachable) = (0, 0);
    for seed in 0..300 {
        let (net, ws) = adversarial(seed);
        reachable += assert_same_as_pairwise(&net, &ws);
        pairs += ws.len() * ws.len();
    }
    // The generator makes both outcomes common, so neither side is tested vacuously.
    assert!(reachable > pairs / 20 && reachable < pairs * 19 / 20, "{reachable} of {pairs}");
}

/// Admin-tier ClusterNetworkPolicies of every shape over the same
/// namespaces: subjects by namespace or pod, Accept, Deny and Pass rules
/// in both directions, peers by namespace, pod or network, with and
/// without protocols.
fn adversarial_admin_tier(seed: u64) -> Vec<Value> {
    let mut r = Rng(seed.wrapping_mul(31).wrapping_add(7));
    let ns_sel = |r: &mut Rng| match r.next(3) {
        0 => json!({"matchLabels": {"kubernetes.io/metadata.name": r.pick(NAMESPACES)}}),
        1 => json!({}),
        _ => selector(r, &["env", "zone"], &["prod", "dev", "private"]),
    };
    (0..1 + r.next(3))
            .map(|i| {
                let subject = if r.next(2) == 0 {
                    json!({"namespaces": ns_sel(&mut r)})
                } else {
                    json!({"pods": {"namespaceSelector": ns_sel(&mut r), "podSelector": selector(&mut r, KEYS, VALUES)}})
                };
                let rules = |r: &mut Rng, side: &str| -> Value {
                    (0..r.next(3))
                        .map(|k| {
                            let peer = match r.next(if side == "to" { 3 } else { 2 }) {
                                0 => json!({"namespaces": ns_sel(r)}),
                                1 => json!({"pods": {"namespaceSelector": ns_sel(r), "podSelector": selector(r, KEYS, VALUES)}}),
                                _ => json!({"networks": [r.pick(&["0.0.0.0/0", "10.0.0.0/8", "8.8.8.0/24"])]}),
                            };
                            let mut rule = json!({"name": format!("r{k}"), "action": r.pick(&["Accept", "Deny", "Pass"]), side: [peer]});
                            if r.next(3) == 0 {
                                rule["protocols"] = json!([{"tcp": {"destinationPort": {"number": r.pick(&["80", "443"]).parse::<i64>().unwrap_or(80)}}}]);
                            }
                            rule
                        })
                        .collect()
                };
                let ingress = rules(&mut r, "from");
                let egress = rules(&mut r, "to");
                json!({"apiVersion": "policy.networking.k8s.io/v1beta1", "kind": "ClusterNetworkPolicy", "metadata": {"name": format!("c{i}")},
                       "spec": {"tier": "Admin", "priority": r.next(5), "subject": subject, "ingress": ingress, "egress": egress}})
            })
            .collect()
}

#[test]
fn class_reachability_equals_pairwise_under_an_adversarial_admin_tier() {
    let (mut reachable, mut pairs) = (0, 0);
    for seed in 0..200 {
        let (net, ws) = adversarial(seed);
        let cnps: &'static [Value] = adversarial_admin_tier(seed).leak();
        let net = net.with_admin_tier(cnps.iter());
        reachable += assert_same_as_pairwise(&net, &ws);
        pairs += ws.len() * ws.len();
    }
    assert!(reachable > pairs / 20 && reachable < pairs * 19 / 20, "{reachable} of {pairs}");
}

#[test]
fn alike_workloads_share_a_class() {
    let (net, mut ws) = adversarial(7);
    let mut twin = ws[0].clone();
    twin.id = "Deployment/x/twin".into();
    ws.push(twin);
    let r = net.reachability(&ws);
    assert_eq!(r.class_of[0], r.class_of[ws.len() - 1]);
    assert!(r.members.len() < ws.len());
    assert!(r.members.iter().all(|m| m.windows(2).all(|w| w[0] < w[1])));
}

#[test]
fn only_labels_a_selector_requires_index_it() {
    let required = |sel: Value| {
        Selector::read(&sel).and_then(|s| {
            s.required_labels().map(|v| v.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
        })
    };
    let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
    assert_eq!(required(json!({"matchLabels": {"a": "1"}})), Some(vec![pair("a", "1")]));
    // The first by key, whatever the order written.
    assert_eq!(required(json!({"matchLabels": {"b": "2", "a": "1"}})), Some(vec![pair("a", "1")]));
    // A value that is not a string constrains nothing (as `selects` reads it).
    assert_eq!(required(json!({"matchLabels": {"a": 1}})), None);
    assert_eq!(
        required(
            json!({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}, {"key": "b", "operator": "In", "values": ["2", "3"]}]})
        ),
        Some(vec![pair("b", "2"), pair("b", "3")])
    );
    assert_eq!(required(json!({"matchExpressions": [{"key": "a", "operator": "Exists"}]})), None);
    assert_eq!(required(json!({})), None);
    assert_eq!(required(Value::Null), None);
}

/// Whatever a selector's shape, the one read ([`Selector`]) and the one
/// read where it lies ([`crate::selector::selects`], the Admin tier's)
/// select what the JSON reading of the reference selects; and the labels
/// one requires are the reference's.
#[test]
fn a_selector_read_selects_what_its_json_selects() {
    let mut r = Rng(11);
    for _ in 0..4000 {
        let sel = selector(&mut r, KEYS, VALUES);
        let l = labels(&mut r);
        let read = Selector::read(&sel);
        assert_eq!(read.as_ref().is_some_and(|s| s.selects(&l)), reference::selects(&sel, &l), "{sel} on {l:?}");
        assert_eq!(crate::selector::selects(&sel, &l), reference::selects(&sel, &l), "{sel} on {l:?} where it lies");
        assert_eq!(
            read.as_ref()
                .and_then(Selector::required_labels)
                .map(|v| v.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>()),
            reference::required_labels(&sel),
            "{sel}"
        );
    }
}

/// The policies read ([`Policy`]) decide every connection as the policies
/// as JSON did (the semantics before the policies were read into a compact
/// form, kept in `reference`), over policies of every shape (odd ones the
/// API would reject included), workloads, addresses, ports and protocols.
#[test]
fn policies_read_decide_as_their_json_decided() {
    let ips: Vec<IpAddr> = ["10.0.0.1", "10.1.2.3", "10.10.0.9", "8.8.8.8", "192.168.1.1"]
        .iter()
        .map(|i| i.parse().expect("an address"))
        .collect();
    let mut decided = 0;
    for seed in 0..60 {
        let (policies, namespaces, ws) = adversarial_parts(seed);
        let net = Network::new(policies.iter(), namespaces.clone());
        let json = reference::Network::new(policies.iter(), namespaces);
        for a in &ws {
            for kind in ["Ingress", "Egress"] {
                let names = |ps: Vec<Option<&str>>| ps.into_iter().map(|n| n.map(str::to_string)).collect::<Vec<_>>();
                assert_eq!(
                    names(net.selecting(a, kind).map(Policy::name).collect()),
                    names(json.selecting(a, kind).map(|p| p["metadata"]["name"].as_str()).collect()),
                    "seed {seed}: {} {kind}",
                    a.id
                );
            }
            for (port, proto) in [(80, "TCP"), (443, "TCP"), (53, "UDP"), (8100, "TCP"), (80, "SCTP"), (53, "udp")] {
                for b in &ws {
                    let to = Target::Pod(b);
                    assert_eq!(net.egress(a, &to, port, proto), json.egress(a, &to, port, proto), "seed {seed}");
                    assert_eq!(net.ingress(a, &to, port, proto), json.ingress(a, &to, port, proto), "seed {seed}");
                    decided += 2;
                }
                for ip in &ips {
                    let to = Target::Ip(*ip);
                    assert_eq!(net.egress(a, &to, port, proto), json.egress(a, &to, port, proto), "seed {seed}");
                    assert_eq!(net.ingress(a, &to, port, proto), json.ingress(a, &to, port, proto), "seed {seed}");
                    decided += 2;
                }
            }
        }
    }
    assert!(decided > 100_000, "{decided} decisions");
}
