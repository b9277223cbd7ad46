//! Isolation semantics of the rendered Chifeng model, checked with a small
//! evaluator of NetworkPolicy semantics (not just the presence of policies).
//!
//! The evaluator below is an independent oracle, written straight from the
//! NetworkPolicy API reference over the typed objects: it shares no code with
//! the audit's evaluator (`govcloud::audit::netpol`, over JSON, by classes of
//! alike workloads). `the_audit_evaluator_agrees_with_this_oracle` checks the
//! two against each other on every pair of apps and on the internet probes.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::PathBuf;

use govcloud::render::{self, Owned};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

// === NetworkPolicy evaluator ===

#[derive(Clone, Debug)]
struct Pod {
    name: String,
    namespace: String,
    labels: BTreeMap<String, String>,
    ports: Vec<(i32, String)>,
}

enum Target<'a> {
    Pod(&'a Pod),
    Ip(IpAddr),
}

struct Cluster {
    policies: Vec<NetworkPolicy>,
    namespaces: BTreeMap<String, BTreeMap<String, String>>,
    pods: Vec<Pod>,
}

fn selects(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let ml = sel.match_labels.clone().unwrap_or_default().iter().all(|(k, v)| labels.get(k) == Some(v));
    let me = sel.match_expressions.clone().unwrap_or_default().iter().all(|e| {
        let vals = e.values.clone().unwrap_or_default();
        match e.operator.as_str() {
            "In" => labels.get(&e.key).is_some_and(|v| vals.contains(v)),
            "NotIn" => labels.get(&e.key).is_none_or(|v| !vals.contains(v)),
            "Exists" => labels.contains_key(&e.key),
            "DoesNotExist" => !labels.contains_key(&e.key),
            other => panic!("unknown operator {other}"),
        }
    });
    ml && me
}

fn in_block(peer: &NetworkPolicyPeer, ip: IpAddr) -> bool {
    let Some(b) = &peer.ip_block else { return false };
    let cidr: ipnet::IpNet = b.cidr.parse().expect("cidr");
    cidr.contains(&ip)
        && !b
            .except
            .clone()
            .unwrap_or_default()
            .iter()
            .any(|e| e.parse::<ipnet::IpNet>().expect("except").contains(&ip))
}

impl Cluster {
    fn ns_labels(&self, ns: &str) -> BTreeMap<String, String> {
        let mut l = self.namespaces.get(ns).cloned().unwrap_or_default();
        l.insert("kubernetes.io/metadata.name".into(), ns.into());
        l
    }

    fn peer_matches(&self, peer: &NetworkPolicyPeer, policy_ns: &str, target: &Target<'_>) -> bool {
        match target {
            Target::Ip(ip) => in_block(peer, *ip),
            Target::Pod(pod) => {
                if peer.ip_block.is_some() {
                    // Pod IPs are not in any zone range in this model; ipBlocks never admit pods.
                    return false;
                }
                let ns_ok = match &peer.namespace_selector {
                    Some(s) => selects(s, &self.ns_labels(&pod.namespace)),
                    None => pod.namespace == policy_ns,
                };
                ns_ok && peer.pod_selector.as_ref().is_none_or(|s| selects(s, &pod.labels))
            }
        }
    }

    fn port_ok(ports: &Option<Vec<NetworkPolicyPort>>, port: i32, proto: &str) -> bool {
        match ports {
            None => true,
            Some(ps) if ps.is_empty() => true,
            Some(ps) => ps.iter().any(|p| {
                p.protocol.as_deref().unwrap_or("TCP") == proto
                    && match &p.port {
                        None => true,
                        Some(IntOrString::Int(n)) => *n == port || p.end_port.is_some_and(|e| port >= *n && port <= e),
                        Some(IntOrString::String(_)) => panic!("named ports are not used by govcloud policies"),
                    }
            }),
        }
    }

    fn selecting<'a>(&'a self, pod: &'a Pod, kind: &'a str) -> impl Iterator<Item = &'a NetworkPolicy> + 'a {
        self.policies.iter().filter(move |p| {
            let spec = p.spec.as_ref().expect("spec");
            p.metadata.namespace.as_deref() == Some(pod.namespace.as_str())
                && selects(spec.pod_selector.as_ref().expect("podSelector"), &pod.labels)
                && spec.policy_types.clone().unwrap_or_default().iter().any(|t| t == kind)
        })
    }

    fn egress_allowed(&self, src: &Pod, dst: &Target<'_>, port: i32, proto: &str) -> bool {
        let mut isolated = false;
        for p in self.selecting(src, "Egress") {
            isolated = true;
            for r in p.spec.as_ref().and_then(|s| s.egress.clone()).unwrap_or_default() {
                let to_ok = r.to.as_ref().is_none_or(|to| {
                    to.is_empty() || to.iter().any(|peer| self.peer_matches(peer, &src.namespace, dst))
                });
                if to_ok && Self::port_ok(&r.ports, port, proto) {
                    return true;
                }
            }
        }
        !isolated
    }

    fn ingress_allowed(&self, dst: &Pod, src: &Target<'_>, port: i32, proto: &str) -> bool {
        let mut isolated = false;
        for p in self.selecting(dst, "Ingress") {
            isolated = true;
            for r in p.spec.as_ref().and_then(|s| s.ingress.clone()).unwrap_or_default() {
                let from_ok = r
                    .from
                    .as_ref()
                    .is_none_or(|f| f.is_empty() || f.iter().any(|peer| self.peer_matches(peer, &dst.namespace, src)));
                if from_ok && Self::port_ok(&r.ports, port, proto) {
                    return true;
                }
            }
        }
        !isolated
    }

    /// Can `a` open a connection to any port of `b`?
    fn reaches(&self, a: &Pod, b: &Pod) -> bool {
        b.ports.iter().any(|(port, proto)| {
            self.egress_allowed(a, &Target::Pod(b), *port, proto)
                && self.ingress_allowed(b, &Target::Pod(a), *port, proto)
        })
    }

    fn reaches_ip(&self, a: &Pod, ip: &str, port: i32) -> bool {
        self.egress_allowed(a, &Target::Ip(ip.parse().expect("ip")), port, "TCP")
    }

    fn reached_from_ip(&self, b: &Pod, ip: &str) -> bool {
        b.ports.iter().any(|(port, proto)| self.ingress_allowed(b, &Target::Ip(ip.parse().expect("ip")), *port, proto))
    }

    fn pod(&self, app: &str) -> &Pod {
        self.pods.iter().find(|p| p.name == app).unwrap_or_else(|| panic!("no app {app}"))
    }
}

fn chifeng() -> Cluster {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/chifeng");
    let loaded = govcloud::model::load_paths(&[dir]).expect("chifeng loads");
    let r = render::render(&loaded.model);
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    let mut c = Cluster { policies: vec![], namespaces: BTreeMap::new(), pods: vec![] };
    for o in r.objects {
        match o {
            Owned::NetworkPolicy(p) => c.policies.push(p),
            Owned::Namespace(n) => {
                c.namespaces
                    .insert(n.metadata.name.clone().expect("name"), n.metadata.labels.clone().unwrap_or_default());
            }
            // Every workload kind an app runs as: its pods' labels and ports.
            Owned::Deployment(_) | Owned::StatefulSet(_) | Owned::CronJob(_) => {
                let (metadata, t) = match o {
                    Owned::Deployment(d) => (d.metadata, d.spec.expect("spec").template),
                    Owned::StatefulSet(d) => (d.metadata, d.spec.expect("spec").template),
                    Owned::CronJob(d) => (d.metadata, d.spec.expect("spec").job_template.spec.expect("job").template),
                    _ => unreachable!(),
                };
                let ports = t.spec.expect("pod").containers[0]
                    .ports
                    .clone()
                    .unwrap_or_default()
                    .iter()
                    .map(|p| (p.container_port, p.protocol.clone().unwrap_or("TCP".into())))
                    .collect();
                c.pods.push(Pod {
                    name: metadata.name.expect("name"),
                    namespace: metadata.namespace.expect("ns"),
                    labels: t.metadata.expect("meta").labels.expect("labels"),
                    ports,
                });
            }
            _ => {}
        }
    }
    c
}

// === What MISSION.md says may talk ===

/// Flows the Chifeng model grants: consumer -> provider.
const GRANTED: &[(&str, &str)] = &[
    ("health-records", "population-db"),
    ("civil-registry", "population-db"),
    ("social-insurance", "population-db"),
    ("student-registry", "population-db"),
    ("health-records", "legal-entity-db"),
    ("civil-registry", "legal-entity-db"),
    ("social-insurance", "legal-entity-db"),
    ("student-registry", "legal-entity-db"),
    ("emergency-command", "population-db"),
    ("service-hall-frontend", "service-hall-backend"),
    ("service-hall-backend", "legal-entity-db"),
    ("service-hall-backend", "credit-sharing"),
    ("open-data-portal", "published-datasets"),
    ("mongolian-website", "mongolian-text-service"),
    ("nightly-census", "legal-entity-db"),
    // Answered by the population database (conditional sharing).
    ("nightly-census", "population-db"),
    // Unconditional sharing: no grant names these consumers.
    ("civil-registry", "credit-sharing"),
    ("published-datasets", "macro-economy-db"),
    // Answered by the cultural resources database (conditional sharing).
    ("mongolian-text-service", "cultural-resources-db"),
];

#[test]
fn every_ordered_pair_of_apps_is_allowed_or_denied_as_the_mission_says() {
    let c = chifeng();
    assert_eq!(c.pods.len(), 25, "every Chifeng app renders a workload (Deployment, StatefulSet or CronJob)");
    let granted: BTreeSet<(&str, &str)> = GRANTED.iter().copied().collect();
    let mut checked = 0;
    for a in &c.pods {
        for b in &c.pods {
            if a.name == b.name || b.ports.is_empty() {
                continue;
            }
            // Same tenant and zone share a namespace, and may talk freely.
            let expected = granted.contains(&(a.name.as_str(), b.name.as_str())) || a.namespace == b.namespace;
            assert_eq!(c.reaches(a, b), expected, "{}/{} -> {}/{}", a.namespace, a.name, b.namespace, b.name);
            checked += 1;
        }
    }
    // Every ordered pair but those towards the batch app, which serves no port.
    assert_eq!(checked, 25 * 24 - 24);
}

#[test]
fn a_requested_but_ungranted_flow_is_denied() {
    let c = chifeng();
    assert!(!c.reaches(c.pod("songshan-services"), c.pod("population-db")));
}

#[test]
fn nothing_in_the_private_zone_reaches_outside_except_its_exchange_endpoint() {
    let c = chifeng();
    let private: Vec<&Pod> =
        c.pods.iter().filter(|p| p.labels.get("govcloud.io/zone").map(String::as_str) == Some("private")).collect();
    assert_eq!(private.len(), 2);
    for p in &private {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "0.0.0.1",
            "203.0.113.9",
            "10.10.0.5",
            "10.10.255.1",
            "172.20.0.5",
            "10.30.255.11",
            "::1",
            "2001:db8::1",
        ] {
            for port in [53, 80, 443, 3128, 8080] {
                assert!(!c.reaches_ip(p, ip, port), "{} reaches {ip}:{port}", p.name);
            }
        }
        // The 网闸 appliance is the one way out, and only on its port.
        assert!(c.reaches_ip(p, "10.30.255.10", 443), "{} cannot reach the exchange appliance", p.name);
        assert!(!c.reaches_ip(p, "10.30.255.10", 80));
    }
    // Every ipBlock a private pod may send to lies inside a registered exchange endpoint.
    for pol in &c.policies {
        if !pol.metadata.namespace.as_deref().unwrap_or_default().ends_with("-private") {
            continue;
        }
        for rule in pol.spec.as_ref().and_then(|s| s.egress.clone()).unwrap_or_default() {
            for peer in rule.to.unwrap_or_default() {
                if let Some(b) = peer.ip_block {
                    assert_eq!(b.cidr, "10.30.255.10/32", "policy {:?} opens {}", pol.metadata.name, b.cidr);
                }
            }
        }
    }
}

#[test]
fn internet_zone_egress_never_opens_other_zones_networks() {
    let c = chifeng();
    let portal = c.pod("open-data-portal");
    assert!(c.reaches_ip(portal, "8.8.8.8", 443));
    for ip in ["10.30.0.9", "10.10.0.9"] {
        assert!(!c.reaches_ip(portal, ip, 443), "internet zone reaches {ip}");
    }
}

#[test]
fn extranet_reaches_the_internet_only_through_its_gateway() {
    let c = chifeng();
    let portal = c.pod("egov-portal");
    assert!(!c.reaches_ip(portal, "8.8.8.8", 443));
    assert!(c.reaches_ip(portal, "10.10.255.1", 3128));
    assert!(!c.reaches_ip(portal, "10.10.255.1", 22));
}

#[test]
fn internet_ingress_reaches_only_public_apps() {
    let c = chifeng();
    for p in &c.pods {
        let public = ["website-cluster", "service-hall-frontend", "open-data-portal", "mongolian-website"]
            .contains(&p.name.as_str());
        assert_eq!(c.reached_from_ip(p, "8.8.8.8"), public, "{} from the internet", p.name);
        // Nothing outside the private zone is reachable from the private network's addresses.
        if !p.namespace.ends_with("-private") {
            assert!(!c.reached_from_ip(p, "10.30.1.1"), "{} from the private network", p.name);
        }
    }
    // Zone exposure admits the zone's own network clients, nobody else's.
    assert!(c.reached_from_ip(c.pod("egov-portal"), "10.10.3.4"));
    assert!(!c.reached_from_ip(c.pod("egov-portal"), "172.20.3.4"));
    assert!(c.reached_from_ip(c.pod("emergency-command"), "10.30.3.4"), "zone exposure in the private zone");
    assert!(!c.reached_from_ip(c.pod("population-db"), "10.30.3.4"), "exposure none admits no network clients");
}

#[test]
fn the_audit_evaluator_agrees_with_this_oracle() {
    use govcloud::audit::netpol::{Network, Target, Workload};
    let c = chifeng();
    let policies: Vec<serde_json::Value> =
        c.policies.iter().map(|p| serde_json::to_value(p).expect("policy as JSON")).collect();
    let net = Network::new(policies.iter(), c.namespaces.clone());
    let workloads: Vec<Workload> = c
        .pods
        .iter()
        .map(|p| Workload {
            id: format!("Deployment/{}/{}", p.namespace, p.name),
            app: p.name.clone(),
            namespace: p.namespace.clone(),
            labels: p.labels.clone(),
            ports: p.ports.iter().map(|(n, proto)| (i64::from(*n), proto.clone())).collect(),
        })
        .collect();
    let reach = net.reachability(&workloads);
    let mut pairs = 0;
    for (i, a) in c.pods.iter().enumerate() {
        for (j, b) in c.pods.iter().enumerate().filter(|(j, _)| *j != i) {
            let oracle = c.reaches(a, b);
            assert_eq!(
                net.reaches(&workloads[i], &workloads[j]).is_some(),
                oracle,
                "{} -> {}: audit (pairwise) and oracle differ",
                a.name,
                b.name
            );
            assert_eq!(
                reach.between(i, j).is_some(),
                oracle,
                "{} -> {}: audit (by class) and oracle differ",
                a.name,
                b.name
            );
            pairs += 1;
        }
        for (ip, port) in
            [("8.8.8.8", 443), ("8.8.8.8", 80), ("10.0.0.1", 443), ("172.16.0.1", 443), ("192.168.0.1", 443)]
        {
            let addr: IpAddr = ip.parse().expect("ip");
            let oracle = c.reaches_ip(a, ip, port);
            assert_eq!(
                net.egress(&workloads[i], &Target::Ip(addr), i64::from(port), "TCP").0,
                oracle,
                "{} -> {ip}:{port}",
                a.name
            );
        }
        let client: IpAddr = "203.0.113.1".parse().expect("ip");
        let oracle = c.reached_from_ip(a, "203.0.113.1");
        let audit = a
            .ports
            .iter()
            .any(|(port, proto)| net.ingress(&workloads[i], &Target::Ip(client), i64::from(*port), proto).0);
        assert_eq!(audit, oracle, "internet -> {}", a.name);
    }
    assert!(pairs > 100, "only {pairs} pairs compared");
}
