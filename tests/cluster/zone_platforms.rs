//! 国产化 on the real control plane (issue 28 item 7): the Chifeng model's
//! private zone selects arm64 nodes, testenv makes them (label and the
//! kubelet's `status.nodeInfo.architecture`), the operator lists them by
//! platform in the zone's status, and the live evaluation counts their
//! cores as domestic.

use std::time::Duration;

use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, ListParams};

use crate::support;
use govcloud::api::NetworkZone;
use support::{Operator, client, eventually, short};

const CONVERGE: Duration = Duration::from_secs(120);

fn zone(name: &str, selector: &str, pool: &str, cidr: &str) -> String {
    format!(
        "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {{name: {name}}}\nspec:\n  kind: {pool}\n  displayName: {{zh: 测试区, en: {name}}}\n  nodePool: {{selector: {selector}, taint: {{key: govcloud.io/zone, value: {pool}{}}}}}\n  cidrs: [{cidr}]\n  allowedRegistries: [harbor.egov.local]\n",
        if pool == "private" { ", effect: NoExecute" } else { "" }
    )
}

#[tokio::test]
async fn the_arm64_nodes_of_the_chifeng_private_zone_are_in_its_status_and_count_as_domestic() {
    let c = client().await;
    let scope = short("pf");
    let (arm, x86) = (short("pa"), short("px"));
    let _op = Operator::start(&scope, 300).await;
    let model = format!(
        "{}---\n{}",
        zone(&arm, "{govcloud.io/zone: private, kubernetes.io/arch: arm64}", "private", "10.92.0.0/16"),
        zone(&x86, "{govcloud.io/zone: extranet}", "extranet", "10.91.0.0/16")
    );
    support::apply_text(&c, &model, &scope).await;
    // testenv's private nodes (examples/chifeng): arm64, by label and as their kubelet reports.
    let nodes = Api::<Node>::all(c.clone())
        .list(&ListParams::default().labels("govcloud.io/zone=private,kubernetes.io/arch=arm64"))
        .await
        .expect("nodes")
        .items;
    assert!(!nodes.is_empty(), "testenv up --model examples/chifeng makes arm64 nodes in the private zone");
    let zones: Api<NetworkZone> = Api::all(c.clone());
    let platforms = eventually("the arm64 nodes in the zone's status", CONVERGE, || async {
        let p = zones.get(&arm).await.ok()?.status?.platforms;
        (p.iter().map(|p| p.nodes).sum::<i32>() == nodes.len() as i32
            && p.iter().all(|p| p.architecture == "arm64" && !p.cpu.is_empty()))
        .then_some(p)
    })
    .await;
    assert_eq!(platforms.len(), 1, "one platform: {platforms:?}");
    assert_eq!(platforms[0].operating_system, "linux");
    let cores: i64 =
        nodes.iter().filter_map(|n| n.status.as_ref()?.capacity.as_ref()?.get("cpu")?.0.parse::<i64>().ok()).sum();
    assert_eq!(platforms[0].cpu, cores.to_string(), "the nodes' cores together");
    let amd = eventually("the extranet nodes in the other zone's status", CONVERGE, || async {
        let p = zones.get(&x86).await.ok()?.status?.platforms;
        (!p.is_empty()).then_some(p)
    })
    .await;
    assert!(amd.iter().all(|p| p.architecture == "amd64"), "{amd:?}");

    // The live evaluation: every arm64 core domestic, no amd64 one (no domestic OS image in testenv).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args(["evaluate", "--format", "json"])
        .env("KUBECONFIG", support::kubeconfig())
        .output()
        .expect("govcloud evaluate");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let e: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let d = &e["domestic"]["zones"];
    assert_eq!(d[&arm]["share"], 1.0, "{d}");
    assert_eq!(d[&arm]["domesticCores"].as_f64(), Some(cores as f64), "{d}");
    assert_eq!(d[&x86]["share"], 0.0, "{d}");
}
