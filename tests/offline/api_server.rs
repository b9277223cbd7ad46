//! The API server's addresses as a render input offline: `govcloud render
//! --api-server ADDR` excepts ADDR from the egress ranges that hold it (the
//! internet zone's 0.0.0.0/0), the audit given the same address passes
//! Chifeng (GC-NET-007 among the rest), and a policy opened to it by hand
//! fails GC-NET-007 for the workloads it lets through.

use crate::support::offline::{docs, govcloud, repo};
use serde_json::{Value, json};

const API: &str = "192.168.1.10";

fn chifeng() -> String {
    repo().join("examples/chifeng").to_str().expect("utf8").to_string()
}

/// The internet zone's `govcloud-zone-egress` policies and the excepts of their 0.0.0.0/0 blocks.
fn internet_excepts(objects: &[Value]) -> Vec<(String, Vec<String>)> {
    objects
        .iter()
        .filter(|o| o["kind"] == "NetworkPolicy" && o["metadata"]["name"] == govcloud::meta::names::ZONE_EGRESS)
        .filter(|o| o["metadata"]["namespace"].as_str().is_some_and(|ns| ns.ends_with("-internet")))
        .flat_map(|o| {
            let ns = o["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
            o["spec"]["egress"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| r["to"].as_array().into_iter().flatten())
                .filter(|p| p["ipBlock"]["cidr"] == "0.0.0.0/0")
                .map(move |p| {
                    let except = p["ipBlock"]["except"].as_array().into_iter().flatten();
                    (ns.clone(), except.filter_map(|e| e.as_str().map(String::from)).collect())
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn failed(audit: &Value, control: &str) -> Vec<String> {
    audit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["control"] == control && f["outcome"] == "fail")
        .map(|f| f["object"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn passed(audit: &Value, control: &str) -> usize {
    audit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["control"] == control && f["outcome"] == "pass")
        .count()
}

#[test]
fn render_excepts_the_api_server_from_the_internet_zones_egress_and_chifeng_still_passes() {
    let (code, plain, err) = govcloud(&["render", "-f", &chifeng()]);
    assert_eq!(code, 0, "{err}");
    let plain = internet_excepts(&docs(&plain));
    assert!(!plain.is_empty(), "the internet zone has a 0.0.0.0/0 egress");
    assert!(plain.iter().all(|(_, ex)| !ex.contains(&format!("{API}/32"))), "{plain:?}");

    let (code, given, err) = govcloud(&["render", "-f", &chifeng(), "--api-server", API]);
    assert_eq!(code, 0, "{err}");
    let given = internet_excepts(&docs(&given));
    assert_eq!(given.len(), plain.len());
    for ((ns, before), (_, after)) in plain.iter().zip(&given) {
        let mut want = before.clone();
        want.push(format!("{API}/32"));
        want.sort();
        assert_eq!(after, &want, "{ns}: the API server's address joins the cluster's ranges");
    }

    // The audit with the same input: every automated control passes, GC-NET-007 on every workload.
    let (code, out, err) = govcloud(&["audit", "-f", &chifeng(), "--api-server", API, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let audit: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(audit["summary"]["fail"], json!(null), "{out}");
    let apps = audit["connectivity"]["apps"].as_array().expect("apps").len();
    assert!(apps > 0);
    assert_eq!(passed(&audit, govcloud::controls::API_SERVER_EGRESS), apps);
    assert_eq!(audit["connectivity"]["api_server"], json!([format!("{API}:443"), format!("{API}:6443")]));
}

#[test]
fn a_policy_opened_to_the_api_server_by_hand_fails_gc_net_007() {
    let (code, rendered, err) = govcloud(&["render", "-f", &chifeng(), "--api-server", API]);
    assert_eq!(code, 0, "{err}");
    let mut objects = docs(&rendered);
    // The internet zone's egress without the API server's except: as a hand edit would leave it.
    let mut edited = Vec::new();
    for o in objects.iter_mut().filter(|o| {
        o["kind"] == "NetworkPolicy"
            && o["metadata"]["name"] == govcloud::meta::names::ZONE_EGRESS
            && o["metadata"]["namespace"].as_str().is_some_and(|ns| ns.ends_with("-internet"))
    }) {
        for rule in o["spec"]["egress"].as_array_mut().expect("egress") {
            for peer in rule["to"].as_array_mut().expect("to") {
                if let Some(ex) = peer["ipBlock"]["except"].as_array_mut() {
                    ex.retain(|e| e != &json!(format!("{API}/32")));
                }
            }
        }
        edited.push(o["metadata"]["namespace"].as_str().expect("ns").to_string());
    }
    assert!(!edited.is_empty());
    let dir = tempfile::tempdir().expect("tmp");
    let text: String = objects.iter().map(|o| format!("---\n{}", serde_norway::to_string(o).expect("yaml"))).collect();
    let path = dir.path().join("objects.yaml");
    std::fs::write(&path, text).expect("write");
    let (code, out, err) = govcloud(&[
        "audit",
        "-f",
        &chifeng(),
        "-f",
        path.to_str().expect("utf8"),
        "--api-server",
        API,
        "--format",
        "json",
    ]);
    assert_ne!(code, -1, "{err}");
    let audit: Value = serde_json::from_str(&out).expect("json");
    let failing = failed(&audit, govcloud::controls::API_SERVER_EGRESS);
    assert!(!failing.is_empty(), "the opened path is found");
    // Exactly the workloads of the edited namespaces fail, and only those.
    for f in &failing {
        assert!(edited.iter().any(|ns| f.contains(&format!("/{ns}/"))), "{f} is not in {edited:?}");
    }
    let internet =
        audit["connectivity"]["apps"].as_array().expect("apps").iter().filter(|a| a[1] == "internet").count();
    assert_eq!(failing.len(), internet, "every internet-zone workload, and nothing else: {failing:?}");
    // The drift of the edited policy is found too (GC-MGD-001).
    assert!(
        failed(&audit, govcloud::controls::MANAGED_OBJECTS)
            .iter()
            .any(|o| o.contains(govcloud::meta::names::ZONE_EGRESS))
    );
}

#[test]
fn an_api_server_that_is_no_address_is_refused_by_name() {
    for bad in ["10.0.0.0/8", "api.local", ""] {
        let (code, out, err) = govcloud(&["render", "-f", &chifeng(), "--api-server", bad]);
        assert_ne!(code, 0, "{bad}");
        assert!(out.is_empty(), "nothing rendered for {bad:?}");
        assert!(err.contains("--api-server") && err.contains("not an IP address"), "{bad}: {err}");
    }
}
