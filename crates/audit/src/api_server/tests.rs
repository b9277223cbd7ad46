use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Endpoint, GIVEN_PORTS, addresses, endpoints, reached, targets};
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
    chifeng_audit(address, &[], &[]).connectivity
}

/// The audit of Chifeng as rendered with `rendered_with` as the API server's
/// addresses, with an EndpointSlice of `read` (if any) among the objects and
/// `given` as the audited model's addresses.
fn chifeng_audit(read: Option<&str>, rendered_with: &[&str], given: &[&str]) -> crate::Audit {
    let repo = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let mut model = govcloud_core::model::load_paths(&[repo.join("examples/chifeng")]).expect("chifeng").model;
    model.api_server = rendered_with.iter().map(|a| a.to_string()).collect();
    let mut objects: Vec<Value> =
        govcloud_render::render(&model).objects.iter().map(|o| serde_json::to_value(o).expect("json")).collect();
    if let Some(a) = read {
        objects.push(slice("default", "kubernetes", &[a], Some(true), json!([{"name": "https", "port": 6443}])));
    }
    model.api_server = given.iter().map(|a| a.to_string()).collect();
    crate::audit(&model, &objects)
}

/// GC-NET-007's findings: (failed, passed).
fn api_server_findings(a: &crate::Audit) -> (Vec<String>, usize) {
    let of = || a.findings.iter().filter(|f| f.control == govcloud_core::controls::API_SERVER_EGRESS);
    let failed = of().filter(|f| f.outcome == crate::Outcome::Fail).map(|f| f.subject.object.to_string()).collect();
    (failed, of().filter(|f| f.outcome == crate::Outcome::Pass).count())
}

#[test]
fn addresses_given_without_slices_are_judged_on_the_services_ports() {
    let read = [slice("default", "kubernetes", &["10.0.0.5"], None, json!([{"port": 6443}]))];
    assert_eq!(
        targets(std::iter::empty(), &["192.168.1.10".into(), "fd00::1".into()]),
        vec![
            ep("192.168.1.10", GIVEN_PORTS[0]),
            ep("192.168.1.10", GIVEN_PORTS[1]),
            ep("fd00::1", GIVEN_PORTS[0]),
            ep("fd00::1", GIVEN_PORTS[1])
        ]
    );
    // An address a slice names keeps the slice's ports; another is added.
    assert_eq!(
        targets(read.iter(), &["10.0.0.5".into(), "10.0.0.6".into()]),
        vec![ep("10.0.0.5", 6443), ep("10.0.0.6", 443), ep("10.0.0.6", 6443)]
    );
    assert!(targets(std::iter::empty(), &[]).is_empty());
    assert_eq!(addresses(&[ep("10.0.0.5", 6443), ep("10.0.0.5", 443), ep("fd00::1", 6443)]), ["10.0.0.5", "fd00::1"]);
}

#[test]
fn gc_net_007_fails_where_a_workload_reaches_the_api_server() {
    // Rendered without knowing the API server (as before this control):
    // every internet-zone workload reaches it, and each fails.
    let a = chifeng_audit(Some("10.250.128.1"), &[], &[]);
    let (failed, passed) = api_server_findings(&a);
    let internet = by_zone(&a.connectivity, "internet").len();
    assert!(internet > 0 && failed.len() == internet, "{failed:?}");
    assert!(failed.iter().all(|o| o.contains("-internet/")), "{failed:?}");
    assert_eq!(passed, a.connectivity.apps.len() - internet);
    // Rendered with its address: no zone reaches it, every workload passes.
    let a = chifeng_audit(Some("10.250.128.1"), &["10.250.128.1"], &["10.250.128.1"]);
    assert_eq!(api_server_findings(&a), (vec![], a.connectivity.apps.len()));
    assert!(a.connectivity.api_server_out.iter().all(|r| *r == Some(false)));
    // Offline, the address given (no slice): judged on the Service's ports.
    let a = chifeng_audit(None, &["192.168.1.10"], &["192.168.1.10"]);
    assert_eq!(a.connectivity.api_server, ["192.168.1.10:443", "192.168.1.10:6443"]);
    assert_eq!(api_server_findings(&a), (vec![], a.connectivity.apps.len()));
    let a = chifeng_audit(None, &[], &["192.168.1.10"]);
    assert_eq!(api_server_findings(&a).0.len(), internet);
    // Nothing known of the API server: the control judges nothing.
    assert_eq!(api_server_findings(&chifeng_audit(None, &[], &[])), (vec![], 0));
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
