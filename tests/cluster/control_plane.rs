//! Proof that the test control plane is real: the scheduler places pods on
//! kwok nodes by labels and taints, RBAC denies, `/version` is the pinned release.

use crate::support;

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Secret};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use support::{client, eventually, impersonating, unique};

const WAIT: Duration = Duration::from_secs(60);

async fn namespace(client: &kube::Client) -> String {
    let name = unique("cp");
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).expect("ns");
    Api::<Namespace>::all(client.clone()).create(&PostParams::default(), &ns).await.expect("create namespace");
    name
}

fn pod(name: &str, node_selector: serde_json::Value, tolerations: serde_json::Value) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": name},
        "spec": {
            "nodeSelector": node_selector,
            "tolerations": tolerations,
            "containers": [{"name": "c", "image": "harbor.egov.local/test/c:1"}]
        }
    }))
    .expect("pod")
}

async fn stays_unscheduled(pods: &Api<Pod>, name: &str) -> String {
    let message = eventually("the scheduler to report the pod unschedulable", WAIT, || async {
        let p = pods.get(name).await.ok()?;
        let status = p.status?;
        let cond = status.conditions?.into_iter().find(|c| c.type_ == "PodScheduled")?;
        (cond.status == "False" && cond.reason.as_deref() == Some("Unschedulable"))
            .then(|| cond.message.unwrap_or_default())
    })
    .await;
    // Still not bound a little later: it really stays Pending.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let p = pods.get(name).await.expect("pod");
    assert!(p.spec.and_then(|s| s.node_name).is_none(), "pod {name} was bound");
    assert_eq!(p.status.and_then(|s| s.phase).as_deref(), Some("Pending"));
    message
}

#[tokio::test]
async fn a_deployment_gets_running_pods_on_a_kwok_node_of_its_zone() {
    let client = client().await;
    let ns = namespace(&client).await;
    let deploy: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "nodeSelector": {"govcloud.io/zone": "extranet"},
                    "tolerations": [{"key": "govcloud.io/zone", "operator": "Equal", "value": "extranet", "effect": "NoSchedule"}],
                    "containers": [{"name": "web", "image": "harbor.egov.local/test/web:1"}]
                }
            }
        }
    }))
    .expect("deployment");
    Api::<Deployment>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &deploy)
        .await
        .expect("create deployment");
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let running = eventually("2 Running pods", WAIT, || async {
        let list = pods.list(&ListParams::default().labels("app=web")).await.ok()?;
        let running: Vec<Pod> = list
            .items
            .into_iter()
            .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            .collect();
        (running.len() == 2).then_some(running)
    })
    .await;
    let nodes: Api<Node> = Api::all(client.clone());
    for p in running {
        let node_name = p.spec.and_then(|s| s.node_name).expect("bound to a node");
        let node = nodes.get(&node_name).await.expect("node");
        let labels = node.metadata.labels.unwrap_or_default();
        assert_eq!(labels.get("govcloud.io/zone").map(String::as_str), Some("extranet"), "pod on {node_name}");
        assert_eq!(labels.get("type").map(String::as_str), Some("kwok"), "{node_name} is a kwok node");
    }
    let d = eventually("deployment status to count ready replicas", WAIT, || async {
        let d = Api::<Deployment>::namespaced(client.clone(), &ns).get("web").await.ok()?;
        (d.status.as_ref()?.ready_replicas == Some(2)).then_some(d)
    })
    .await;
    assert_eq!(d.status.and_then(|s| s.available_replicas), Some(2));

    // A pod marked not ready the way the node lifecycle controller marks the
    // pods of a node whose lease it did not see renewed (kwok stopped, or the
    // API server or etcd down long enough) is Ready again, as a kubelet that
    // is back reports it (testenv's `pod-ready-again` stage; without it such
    // pods stayed not ready for ever).
    let name = d.metadata.name.clone().unwrap_or_default();
    let marked = pods.list(&ListParams::default().labels("app=web")).await.expect("pods").items.remove(0);
    let marked_name = marked.metadata.name.clone().unwrap_or_default();
    let not_ready = json!({"status": {"conditions": [{"type": "Ready", "status": "False", "reason": "NodeNotReady"}]}});
    let p = pods
        .patch_status(&marked_name, &PatchParams::default(), &Patch::Strategic(not_ready))
        .await
        .expect("mark the pod not ready");
    let ready_of = |p: &Pod| {
        p.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
            .map(|c| c.status.clone())
    };
    assert_eq!(ready_of(&p).as_deref(), Some("False"));
    eventually("the pod marked not ready to be Ready again, its Deployment with it", WAIT, || async {
        let p = pods.get(&marked_name).await.ok()?;
        let d = Api::<Deployment>::namespaced(client.clone(), &ns).get(&name).await.ok()?;
        (ready_of(&p).as_deref() == Some("True") && d.status?.ready_replicas == Some(2)).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_pod_whose_node_selector_matches_no_node_stays_pending() {
    let client = client().await;
    let ns = namespace(&client).await;
    let pods: Api<Pod> = Api::namespaced(client, &ns);
    pods.create(&PostParams::default(), &pod("nowhere", json!({"govcloud.io/zone": "no-such-zone"}), json!([])))
        .await
        .expect("create pod");
    let msg = stays_unscheduled(&pods, "nowhere").await;
    assert!(msg.contains("node affinity/selector"), "{msg}");
}

#[tokio::test]
async fn a_pod_that_does_not_tolerate_the_zone_taint_is_not_scheduled_there() {
    let client = client().await;
    let ns = namespace(&client).await;
    let pods: Api<Pod> = Api::namespaced(client, &ns);
    pods.create(&PostParams::default(), &pod("intruder", json!({"govcloud.io/zone": "private"}), json!([])))
        .await
        .expect("create pod");
    let msg = stays_unscheduled(&pods, "intruder").await;
    assert!(msg.contains("untolerated taint"), "{msg}");
    // The same pod with the toleration is scheduled onto the private zone.
    pods.create(
        &PostParams::default(),
        &pod(
            "insider",
            json!({"govcloud.io/zone": "private"}),
            json!([{"key": "govcloud.io/zone", "operator": "Equal", "value": "private", "effect": "NoExecute"}]),
        ),
    )
    .await
    .expect("create pod");
    eventually("the tolerating pod to run", WAIT, || async {
        let p = pods.get("insider").await.ok()?;
        (p.status?.phase.as_deref() == Some("Running")).then_some(())
    })
    .await;
}

#[tokio::test]
async fn version_reports_the_pinned_release() {
    let client = client().await;
    let v = client.apiserver_version().await.expect("/version");
    assert_eq!(v.git_version, support::pinned_kube_version());
}

#[tokio::test]
async fn an_rbac_denied_request_by_an_impersonated_user_gets_403() {
    let as_user = impersonating("mallory@example.gov", &["system:authenticated"]).await;
    let err = Api::<Secret>::namespaced(as_user, "kube-system").list(&ListParams::default()).await.expect_err("denied");
    match err {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 403, "{s:?}");
            assert!(s.message.contains("mallory@example.gov"), "{}", s.message);
        }
        other => panic!("expected a 403, got {other:?}"),
    }
}
