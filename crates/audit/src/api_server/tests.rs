use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Endpoint, endpoints, reached};
use crate::netpol::{Network, Workload};

fn slice(ns: &str, service: &str, addresses: &[&str], ready: Option<bool>, ports: Value) -> Value {
    let mut endpoint = json!({"addresses": addresses});
    if let Some(r) = ready {
        endpoint["conditions"] = json!({"ready": r});
    }
    json!({
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"name": service, "namespace": ns, "labels": {"kubernetes.io/service-name": service}},
        "addressType": "IPv4",
        "endpoints": [endpoint],
        "ports": ports,
    })
}

fn ep(ip: &str, port: i64) -> Endpoint {
    Endpoint { ip: ip.parse().expect("ip"), port }
}

#[test]
fn endpoints_are_the_default_kubernetes_slices_ready_tcp_addresses() {
    let objects = [
        slice(
            "default",
            "kubernetes",
            &["10.0.0.5", "10.0.0.6"],
            Some(true),
            json!([{"name": "https", "port": 6443, "protocol": "TCP"}]),
        ),
        // A second slice of the same Service; no protocol means TCP.
        slice("default", "kubernetes", &["10.0.0.7"], None, json!([{"port": 6443}])),
        // Not ready: not an endpoint a connection is sent to.
        slice("default", "kubernetes", &["10.0.0.8"], Some(false), json!([{"port": 6443}])),
        // UDP is not where the API server listens.
        slice("default", "kubernetes", &["10.0.0.9"], None, json!([{"port": 53, "protocol": "UDP"}])),
        // Another Service, and a `kubernetes` Service in a tenant's namespace: not the API server.
        slice("default", "web", &["10.0.1.1"], None, json!([{"port": 443}])),
        slice("tenant-a", "kubernetes", &["10.0.1.2"], None, json!([{"port": 443}])),
    ];
    assert_eq!(endpoints(objects.iter()), vec![ep("10.0.0.5", 6443), ep("10.0.0.6", 6443), ep("10.0.0.7", 6443)]);
    assert_eq!(ep("10.0.0.5", 6443).to_string(), "10.0.0.5:6443");
    assert!(endpoints(std::iter::empty()).is_empty(), "an offline audit has no API server target");
}

fn workload(ns: &str) -> Workload {
    Workload {
        id: format!("Deployment/{ns}/app"),
        app: "app".into(),
        namespace: ns.into(),
        labels: BTreeMap::from([("app".to_string(), "app".to_string())]),
        ports: vec![(8080, "TCP".into())],
    }
}

fn egress(ns: &str, name: &str, rules: Value) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": rules},
    })
}

/// Whether the one workload of namespace `ns` reaches the API server at 10.0.0.5:6443 under `policies`.
fn reaches(ns: &str, policies: &[Value]) -> Option<String> {
    let namespaces = BTreeMap::from([(ns.to_string(), BTreeMap::new())]);
    let net = Network::new(policies.iter(), namespaces);
    let ws = [workload(ns)];
    let reach = net.reachability(&ws);
    reached(&reach, reach.class_of[0], &[ep("10.0.0.5", 6443)]).map(|m| m.to_string())
}

#[test]
fn the_api_server_is_reached_by_ip_block_rules_only_and_denied_by_default() {
    // Not isolated for egress: everything is open, the API server too.
    assert!(reaches("a", &[]).is_some());
    // The default deny: closed.
    assert_eq!(reaches("a", &[egress("a", "deny", json!([]))]), None);
    // A rule to every pod of every namespace does not match an address that is no pod.
    let pods = egress("a", "pods", json!([{"to": [{"namespaceSelector": {}}]}]));
    assert_eq!(reaches("a", std::slice::from_ref(&pods)), None);
    // An ipBlock holding the endpoint, on its port: open, and the policy is named.
    let block =
        egress("a", "to-api", json!([{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}], "ports": [{"port": 6443}]}]));
    assert_eq!(reaches("a", &[pods.clone(), block]).as_deref(), Some("10.0.0.5:6443 via to-api"));
    // The same ipBlock on another port: closed.
    let other_port =
        egress("a", "web", json!([{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}], "ports": [{"port": 443}]}]));
    assert_eq!(reaches("a", &[other_port]), None);
    // A wide ipBlock that excepts the endpoint's range (as govcloud's internet
    // egress excepts the cluster's ranges): closed.
    let except = egress("a", "wide", json!([{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}]}]));
    assert_eq!(reaches("a", std::slice::from_ref(&except)), None);
    // ... and one that does not except it: open.
    let wide = egress("a", "wide", json!([{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.244.0.0/16"]}}]}]));
    assert!(reaches("a", &[wide]).is_some());
    // Another namespace's policy decides nothing for this one.
    assert!(reaches("a", &[egress("b", "deny", json!([]))]).is_some());
}

fn chifeng_with_api_server(address: Option<&str>) -> crate::Connectivity {
    let repo = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let model = govcloud_core::model::load_paths(&[repo.join("examples/chifeng")]).expect("chifeng").model;
    let mut objects: Vec<Value> =
        govcloud_render::render(&model).objects.iter().map(|o| serde_json::to_value(o).expect("json")).collect();
    if let Some(a) = address {
        objects.push(slice("default", "kubernetes", &[a], Some(true), json!([{"name": "https", "port": 6443}])));
    }
    crate::audit(&model, &objects).connectivity
}

/// Whether each app of `zone` reaches the API server, as the audit's connectivity says.
fn by_zone(c: &crate::Connectivity, zone: &str) -> Vec<Option<bool>> {
    c.apps.iter().zip(&c.api_server_out).filter(|((_, z), _)| z == zone).map(|(_, r)| *r).collect()
}

#[test]
fn chifeng_s_zones_reach_the_api_server_as_their_egress_rules_say() {
    // Offline: no endpoints, no target.
    let c = chifeng_with_api_server(None);
    assert!(c.api_server.is_empty() && c.api_server_out.is_empty());
    // An API server outside the cluster's pod and service ranges (as the
    // dataplane's is): the internet zone's wide egress takes it; the private
    // zone and the extranet, whose egress is only to declared ranges, do not.
    let c = chifeng_with_api_server(Some("10.250.128.1"));
    assert_eq!(c.api_server, vec!["10.250.128.1:6443".to_string()]);
    assert_eq!(c.api_server_out.len(), c.apps.len());
    let (private, extranet, internet) = (by_zone(&c, "private"), by_zone(&c, "extranet"), by_zone(&c, "internet"));
    assert!(!private.is_empty() && private.iter().all(|r| *r == Some(false)), "{private:?}");
    assert!(!extranet.is_empty() && extranet.iter().all(|r| *r == Some(false)), "{extranet:?}");
    assert!(!internet.is_empty() && internet.iter().all(|r| *r == Some(true)), "{internet:?}");
    // An API server inside the cluster's ranges (the service range's first
    // address): excepted from the internet zone's egress too, so no zone reaches it.
    let c = chifeng_with_api_server(Some("10.96.0.1"));
    assert!(c.api_server_out.iter().all(|r| *r == Some(false)), "{:?}", c.api_server_out);
}
