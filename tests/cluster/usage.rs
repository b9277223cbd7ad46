//! Usage on the local control plane (issue 28 item 4): testenv serves the
//! metrics API (metrics-server reading the usage kwok emulates), so a
//! Chifeng tenant's pods have usage there, and `govcloud evaluate` live has
//! usage figures. A department's self-evaluation, which RBAC refuses the
//! metrics API, says so (not "no metrics API").

use std::time::Duration;

use kube::ResourceExt;
use serde_json::Value;

use crate::support;
use support::offline::repo;
use support::{Operator, client, eventually};

const CONVERGE: Duration = Duration::from_secs(180);

/// The Chifeng zones, the culture tenant and its apps (the cultural
/// resources database, 2 replicas of 250m and 256Mi in culture-extranet).
fn culture() -> govcloud::model::Model {
    let mut m = govcloud::model::load_paths(&[repo().join("examples/chifeng")]).expect("chifeng").model;
    m.tenants.retain(|t| t.name_any() == "culture");
    m.apps.retain(|a| a.namespace().is_some_and(|ns| ns.starts_with("culture-")));
    m.requests.clear();
    m
}

/// `govcloud evaluate --format json` with `kubeconfig`: the evaluation's culture tenant.
fn evaluate_culture(kubeconfig: &std::path::Path) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args(["evaluate", "--format", "json"])
        .env("KUBECONFIG", kubeconfig)
        .output()
        .expect("govcloud evaluate");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let e: Value = serde_json::from_slice(&out.stdout).expect("json");
    e["tenants"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == "culture").cloned())
        .unwrap_or_else(|| panic!("culture in {e}"))
}

#[tokio::test]
async fn the_metrics_api_gives_a_chifeng_tenants_pods_usage_and_the_live_evaluation_counts_it() {
    let c = client().await;
    let scope = "usage-chifeng";
    let _op = Operator::start(scope, 300).await;
    let labels = [("govcloud.io/scope".to_string(), scope.to_string())];
    govcloud::dev::apply_model(&c, &culture(), &labels, CONVERGE).await.expect("apply culture");

    // The metrics API lists the tenant's pods with what kwok emulates for them: nonzero.
    let path = "/apis/metrics.k8s.io/v1beta1/namespaces/culture-extranet/pods";
    let list = eventually("usage of culture's pods in the metrics API", CONVERGE, || async {
        let req = http::Request::get(path).body(Vec::new()).ok()?;
        let list: Value = c.request(req).await.ok()?;
        let items = list["items"].as_array()?;
        let running = items
            .iter()
            .filter(|p| p["metadata"]["name"].as_str().is_some_and(|n| n.starts_with("cultural-resources-db-")))
            .count();
        (running == 2).then_some(list)
    })
    .await;
    assert_eq!(list["kind"], "PodMetricsList", "{list}");
    let usage = govcloud::evaluate::usage::from_list(path, &list, &Default::default()).expect("a PodMetricsList");
    for p in usage.iter().filter(|p| p.name.starts_with("cultural-resources-db-")) {
        // Emulated: a share of the requests (250m, 256Mi), 15-65% and 30-70%.
        // CPU is a rate metrics-server computes from a cumulative counter
        // between two scrapes, so it strays a little outside the share
        // (14.8 % seen in CI): 10 % of slack on either side.
        let (cpu, mem) = (p.cpu.to_f64(), p.memory.to_f64());
        let mib = 1024.0 * 1024.0;
        assert!((0.25 * 0.15 * 0.9..=0.25 * 0.65 * 1.1).contains(&cpu), "{p:?}");
        assert!((256.0 * mib * 0.3 * 0.9..=256.0 * mib * 0.7 * 1.1).contains(&mem), "{p:?}");
    }

    // `govcloud evaluate` live (the admin: the city) has usage figures.
    let t = evaluate_culture(support::kubeconfig());
    let cpu_used = t["figures"]["cpu_used"]["value"].as_f64();
    assert!(cpu_used.is_some_and(|v| v > 0.0), "cpu_used has a value: {}", t["figures"]);
    assert!(t["figures"]["memory_used"]["value"].as_f64().is_some_and(|v| v > 0.0), "{}", t["figures"]);
    // No earlier evaluation: no period, said so.
    assert_eq!(t["figures"]["availability_period"]["missing"], "noPeriod", "{}", t["figures"]);

    // The department's own admins: a self-evaluation, which RBAC refuses the
    // metrics API (govcloud's roles grant no pods.metrics.k8s.io): said so.
    let own = support::kubeconfig_as("culture-admin", &["culture:admins"]);
    let t = evaluate_culture(&own);
    assert_eq!(t["figures"]["cpu_used"]["missing"], "usageForbidden", "{}", t["figures"]);
}
