//! Provenance of a live report (issue 29 item 1): `govcloud audit` and
//! `govcloud catalogue` read from a cluster name its kubeconfig context and
//! API server, the language and the filters.

use crate::support;

use std::process::Command;

fn govcloud_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args(args)
        .env("KUBECONFIG", support::kubeconfig())
        .output()
        .expect("govcloud");
    assert!(out.status.success(), "govcloud {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[tokio::test]
async fn a_live_report_names_the_context_and_the_api_server() {
    support::install().await;
    let kc: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(support::kubeconfig()).expect("kubeconfig")).expect("yaml");
    let context = kc["current-context"].as_str().expect("current-context").to_string();
    let cluster = kc["contexts"]
        .as_sequence()
        .and_then(|cs| cs.iter().find(|c| c["name"].as_str() == Some(&context)))
        .and_then(|c| c["context"]["cluster"].as_str())
        .expect("the context's cluster");
    let server = kc["clusters"]
        .as_sequence()
        .and_then(|cs| cs.iter().find(|c| c["name"].as_str() == Some(cluster)))
        .and_then(|c| c["cluster"]["server"].as_str())
        .expect("the cluster's server")
        .to_string();
    for (args, lang) in [
        (&["audit", "--format", "json", "--control", "GC-NET-001", "--lang", "zh"][..], "zh"),
        (&["catalogue", "--format", "json", "--lang", "en"][..], "en"),
    ] {
        let v = govcloud_json(args);
        let p = &v["provenance"];
        assert_eq!(p["source"]["kind"], "live", "{p}");
        assert_eq!(p["source"]["clusters"][0]["context"], context.as_str(), "{p}");
        assert_eq!(p["source"]["clusters"][0]["server"], server.as_str(), "{p}");
        assert_eq!(p["lang"], lang);
        assert_eq!(p["govcloudVersion"], env!("CARGO_PKG_VERSION"));
        if args[0] == "audit" {
            assert_eq!(p["filters"], serde_json::json!({"control": "GC-NET-001"}));
        }
    }
}
