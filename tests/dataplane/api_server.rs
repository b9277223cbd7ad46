//! Pods to the API server: the full probe tried every pod to the endpoints
//! of `default/kubernetes` and compared each with the audit's semantics;
//! here the same outcomes are held against the live audit's own answer
//! (its connectivity's `api_server_out`, per app, and GC-NET-007) and
//! counted by zone. The operator excepts the endpoints' addresses from
//! every egress range that holds them (the internet zone's 0.0.0.0/0), so
//! no pod of any zone reaches the API server.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;

use crate::Live;
use crate::probe::{DataplanePod, Report};

const TENANT_LABEL: &str = "govcloud.io/tenant";
const ZONE_LABEL: &str = "govcloud.io/zone";

/// Asserts the packets to the API server agree with the live audit, app by
/// app; prints who reaches it by zone; the private zone never does.
pub async fn against_live_audit(c: &kube::Client, live: &Live, pods: &[(Pod, DataplanePod)], report: &Report) {
    assert!(!live.api.is_empty(), "default/kubernetes has endpoints");
    assert!(
        live.api.iter().all(|e| !e.ip.is_loopback()),
        "the API server advertises {:?}: a pod cannot reach a loopback address (testenv up --dataplane advertises the dataplane's host side)",
        live.api
    );
    assert_eq!(report.api_tried, pods.len() * live.api.len(), "every pod tried every API server endpoint");
    let cidrs: Vec<String> = govcloud::model::DEFAULT_CLUSTER_CIDRS.map(String::from).to_vec();
    let (model, objects) = govcloud::operator::live_inventory(c, "", &cidrs, None).await.expect("live inventory");
    let addresses = govcloud::audit::api_server::addresses(&live.api);
    assert_eq!(model.api_server, addresses, "the live model holds the endpoints' addresses");
    let audit = govcloud::audit::audit(&model, &objects);
    let conn = audit.connectivity.clone();
    let endpoints: Vec<String> = live.api.iter().map(ToString::to_string).collect();
    assert_eq!(conn.api_server, endpoints, "the live audit reads the same endpoints");
    // The operator's policies except them where a range holds them.
    let excepted: Vec<String> = govcloud::render::api_server_cidrs(&addresses);
    let wide = objects
        .iter()
        .filter(|o| o["kind"] == "NetworkPolicy" && o["metadata"]["name"] == govcloud::meta::names::ZONE_EGRESS)
        .flat_map(|o| o["spec"]["egress"].as_array().cloned().unwrap_or_default())
        .flat_map(|r| r["to"].as_array().cloned().unwrap_or_default())
        .filter(|p| p["ipBlock"]["cidr"] == "0.0.0.0/0")
        .collect::<Vec<_>>();
    assert!(!wide.is_empty(), "the internet zone's 0.0.0.0/0 egress");
    for p in &wide {
        for e in &excepted {
            assert!(
                p["ipBlock"]["except"].as_array().is_some_and(|ex| ex.iter().any(|x| x == e.as_str())),
                "{p} does not except the API server's {e}"
            );
        }
    }
    let label = |ns: &str, key: &str| live.namespaces.get(ns).and_then(|l| l.get(key)).cloned().unwrap_or_default();
    let mut by_zone: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut disagree = Vec::new();
    for (p, _) in pods {
        let ns = p.namespace().unwrap_or_default();
        let app = p.labels().get(govcloud::meta::labels::APP).cloned().unwrap_or_else(|| p.name_any());
        let (tenant, zone) = (label(&ns, TENANT_LABEL), label(&ns, ZONE_LABEL));
        let key = (format!("{tenant}/{app}"), zone.clone());
        let i = conn.apps.iter().position(|a| *a == key).unwrap_or_else(|| panic!("the audit has no app {key:?}"));
        let id = format!("Pod/{ns}/{}", p.name_any());
        let observed = report.api_open.contains(&id);
        let e = by_zone.entry(zone).or_default();
        e.0 += usize::from(observed);
        e.1 += 1;
        if conn.api_server_out[i] != Some(observed) {
            disagree.push(format!(
                "{id}: the live audit says {:?}, the packets say open={observed}",
                conn.api_server_out[i]
            ));
        }
    }
    let counts: BTreeMap<&String, String> = by_zone.iter().map(|(z, (o, n))| (z, format!("{o} of {n} pods"))).collect();
    println!("the API server ({}) reached, by the source's zone: {counts:?}", endpoints.join(", "));
    for d in &disagree {
        println!("API SERVER DISAGREEMENT {d}");
    }
    assert!(
        disagree.is_empty(),
        "{} pods where the packets and the live audit disagree on the API server",
        disagree.len()
    );
    for (zone, (open, _)) in &by_zone {
        assert_eq!(*open, 0, "no pod of zone {zone} reaches the API server");
    }
    assert!(by_zone.contains_key("internet"), "internet-zone pods were tried: {by_zone:?}");
    // GC-NET-007: judged on every app, failed by none.
    let judged: Vec<_> = audit.findings.iter().filter(|f| f.control == govcloud::controls::API_SERVER_EGRESS).collect();
    assert_eq!(judged.len(), conn.apps.len(), "GC-NET-007 judges every app");
    let failed: Vec<_> =
        judged.iter().filter(|f| f.outcome == govcloud::audit::Outcome::Fail).map(|f| &f.subject.object).collect();
    assert!(failed.is_empty(), "GC-NET-007 fails: {failed:?}");
}
