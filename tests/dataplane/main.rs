//! Isolation proven by packets (issue 30): a control plane of its own with
//! the real dataplane (`testenv up --dataplane`: every node a network
//! namespace running kube-router's network policy controller, every Running
//! pod a namespace with its IP; testenv/dataplane/README.md), the operator,
//! the Chifeng model; then a TCP connection is tried from every pod to every
//! other pod, on each port it declares and on one it does not, and each
//! outcome is compared with what the audit's NetworkPolicy semantics
//! (`govcloud::audit::netpol::Network`, the rules behind its reachability
//! matrix) say. 0 disagreements, or the test fails naming the policies that
//! should have decided each one.
//!
//! A test helper and not `govcloud verify`: probing needs root on the
//! machine that holds the pods' network namespaces, which only this local
//! dataplane has; on a real cluster a command would have to run probe pods,
//! which govcloud's users did not ask for and its RBAC would have to allow.
//!
//! Skipped, with the reason printed, only where the kernel refuses what it
//! needs: network namespaces, veth pairs, iptables and ipsets in a namespace.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup is a failed test

#[path = "../support/mod.rs"]
mod support;

mod probe;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Namespace, Pod};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use support::offline::repo;
use support::{Operator, OwnPlane, eventually};

mod api_server;
mod converge;
mod faults;

use faults::{exchange_figures, new_pod_window, node_restart};
use probe::{DataplanePod, Dp, INTERNET, kernel_refuses, probe_all, rules, settled};

pub const CONVERGE: Duration = Duration::from_secs(240);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chifeng_isolation_holds_packet_by_packet() {
    if let Some(why) = kernel_refuses() {
        println!("SKIPPED dataplane test: this kernel does not give what the dataplane needs: {why}");
        return;
    }
    let t0 = Instant::now();
    let chifeng = repo().join("examples/chifeng");
    let chifeng_s = chifeng.to_str().expect("utf-8 path");
    let plane = OwnPlane::up(&["--model", chifeng_s, "--nodes-per-zone", "1", "--dataplane"]).await;
    let kc = plane.kubeconfig();
    let c = plane.client().await;
    let dp = Dp::at(kc.parent().expect("dir").join("dataplane"));

    println!("dataplane test: control plane and dataplane up after {:.1}s", t0.elapsed().as_secs_f64());
    let op = Operator::start_at(&kc, "chifeng", 3, &[], "").await;
    let model = govcloud::model::load_paths(std::slice::from_ref(&chifeng)).expect("chifeng").model;
    let labels = vec![("govcloud.io/scope".to_string(), "chifeng".to_string())];
    // The model applied while the operator converges; it is killed midway
    // (converge.rs), what exists is probed, and it is started again.
    let apply = {
        let (c, model) = (c.clone(), model.clone());
        tokio::spawn(async move { govcloud::dev::apply_model(&c, &model, &labels, CONVERGE).await })
    };
    let mut op = converge::killed_mid_convergence(&c, &kc, &dp, op, &model).await;
    apply.await.expect("apply task").expect("apply the model");

    // Every Deployment and StatefulSet of the model has its pods Running,
    // each Running pod has its namespace, and no namespace is left of a pod gone.
    let pods = running_pods(&c, &dp, Some(converge::WORKLOADS)).await;
    println!(
        "dataplane test: {} replicas Running with their namespaces after {:.1}s",
        pods.len(),
        t0.elapsed().as_secs_f64()
    );
    settled(&dp, &pods, CONVERGE).await;
    println!(
        "dataplane test: {} pod namespaces listening, kube-router settled after {:.1}s",
        pods.len(),
        t0.elapsed().as_secs_f64()
    );

    // The audit's semantics, on the live objects.
    let live = live_objects(&c).await;
    let net = live.network();
    let t_probe = Instant::now();
    let report = probe_all(&net, &pods, &live.api);
    println!(
        "dataplane probe: {} pods, {} ordered pod pairs, {} workload pairs, {} connections tried ({} open, {} blocked), {} agreements, {} disagreements; probing {:.1}s, whole test {:.1}s",
        pods.len(),
        report.pod_pairs,
        report.workload_pairs.len(),
        report.tried,
        report.open,
        report.tried - report.open,
        report.tried - report.disagreements.len(),
        report.disagreements.len(),
        t_probe.elapsed().as_secs_f64(),
        t0.elapsed().as_secs_f64()
    );
    for d in &report.disagreements {
        println!("DISAGREEMENT {d}");
    }
    println!(
        "dataplane probe: {} pods reach the API server ({:?}) of {} tried",
        report.api_open.len(),
        live.api.iter().map(ToString::to_string).collect::<Vec<_>>(),
        report.api_tried
    );
    // Both outcomes occur: a dataplane that drops or passes everything fails here too.
    assert!(report.open > 0 && report.open < report.tried, "open {} of {}", report.open, report.tried);
    let zones: BTreeSet<&str> = pods.iter().map(|(_, d)| d.node.as_str()).collect();
    assert!(zones.len() >= 3, "pods on nodes of at least three zones: {zones:?}");
    assert!(report.disagreements.is_empty(), "{} disagreements (above)", report.disagreements.len());
    let private = |r: &probe::Report| r.internet_open.iter().filter(|id| id.starts_with(PRIVATE_PODS)).count();
    assert_eq!(private(&report), 0, "no private pod reaches the internet: {:?}", report.internet_open);
    assert!(!report.internet_open.is_empty(), "the internet zone's pods reach the internet");
    assert!(private_escapes(&c).await.is_empty(), "the live audit finds no private pod reaching out");

    exchange_figures(&live, &pods, &report);
    api_server::against_live_audit(&c, &live, &pods, &report).await;
    converge::same_as_undisturbed(&model, &live, &pods, &report);

    // A hole made in govcloud's own policy while the operator is down: the
    // private zone's default deny edited by hand (as cluster admin) into an
    // allow-all. The packets find it, the live audit finds it, kube-router
    // and the audit agree on it; the operator, started again, puts the
    // policy back, and the same connections are open as before.
    let nps: Api<NetworkPolicy> = Api::namespaced(c.clone(), "public-security-private");
    op.kill();
    let before = rules(&dp);
    let edit = serde_json::json!({"spec": {"ingress": [{}], "egress": [{}]}});
    let by_hand = PatchParams { field_manager: Some("kubectl-edit".into()), ..Default::default() };
    nps.patch("govcloud-default-deny", &by_hand, &Patch::Merge(&edit)).await.expect("edit the default deny by hand");
    eventually("kube-router to take the edited policy in", CONVERGE, || async { (rules(&dp) != before).then_some(()) })
        .await;
    settled(&dp, &pods, CONVERGE).await;
    let live = live_objects(&c).await;
    let holed = probe_all(&live.network(), &pods, &live.api);
    println!(
        "default deny edited into an allow-all, operator stopped: {} connections, {} open, {} disagreements; private pods reaching {INTERNET}: {}; newly open: {}",
        holed.tried,
        holed.open,
        holed.disagreements.len(),
        private(&holed),
        holed.open_set.difference(&report.open_set).count()
    );
    for d in &holed.disagreements {
        println!("DISAGREEMENT {d}");
    }
    let private_pods = pods.iter().filter(|(p, _)| p.namespace().as_deref() == Some("public-security-private")).count();
    assert!(
        private_pods > 0 && private(&holed) == private_pods,
        "every private pod reaches the internet through the hole"
    );
    assert!(holed.disagreements.is_empty(), "kube-router enforces the hole as the audit reads it");
    let escapes = private_escapes(&c).await;
    println!("the live audit: {} GC-NET-003 failures, e.g. {:?}", escapes.len(), escapes.first());
    assert!(!escapes.is_empty(), "the live audit finds the hole");

    let before = rules(&dp);
    let t_restart = Instant::now();
    op = Operator::start_at(&kc, "chifeng", 3, &[], "-restarted").await;
    eventually("the operator to repair the default deny", CONVERGE, || async {
        let p = nps.get_opt("govcloud-default-deny").await.ok().flatten()?;
        let spec = p.spec?;
        (spec.ingress.is_none() && spec.egress.is_none()).then_some(())
    })
    .await;
    let repaired_after = t_restart.elapsed();
    eventually("kube-router to take the repaired policy in", CONVERGE, || async {
        (rules(&dp) != before).then_some(())
    })
    .await;
    settled(&dp, &pods, CONVERGE).await;
    let live = live_objects(&c).await;
    let repaired = probe_all(&live.network(), &pods, &live.api);
    println!(
        "operator started again, policy repaired after {:.1}s: {} connections, {} open, {} disagreements, private pods reaching {INTERNET}: {}; open set as before: {}; whole test {:.1}s",
        repaired_after.as_secs_f64(),
        repaired.tried,
        repaired.open,
        repaired.disagreements.len(),
        private(&repaired),
        repaired.open_set == report.open_set,
        t0.elapsed().as_secs_f64()
    );
    for d in &repaired.disagreements {
        println!("DISAGREEMENT {d}");
    }
    assert!(repaired.disagreements.is_empty() && private(&repaired) == 0);
    assert_eq!(repaired.open_set, report.open_set, "the same connections open as before the hole");
    assert!(private_escapes(&c).await.is_empty(), "the live audit finds no private pod reaching out after the repair");

    // A govcloud policy deleted: the operator writes it again, and the
    // packets are as before.
    let deny = nps.get("govcloud-default-deny").await.expect("the private namespace's default deny");
    nps.delete("govcloud-default-deny", &DeleteParams::default()).await.expect("delete the default deny");
    let t_delete = Instant::now();
    eventually("the operator to restore the default deny", CONVERGE, || async {
        nps.get_opt("govcloud-default-deny").await.ok().flatten().filter(|p| p.uid() != deny.uid()).map(|_| ())
    })
    .await;
    let restored_after = t_delete.elapsed();
    settled(&dp, &pods, CONVERGE).await;
    let live = live_objects(&c).await;
    let again = probe_all(&live.network(), &pods, &live.api);
    println!(
        "default deny deleted, restored by the operator after {:.1}s: {} connections, {} open, {} disagreements; whole test {:.1}s",
        restored_after.as_secs_f64(),
        again.tried,
        again.open,
        again.disagreements.len(),
        t0.elapsed().as_secs_f64()
    );
    for d in &again.disagreements {
        println!("DISAGREEMENT {d}");
    }
    assert!(again.disagreements.is_empty());
    assert_eq!(again.open_set, report.open_set, "the same connections open as before the deletion");
    node_restart(&c, &dp, &pods, &report).await;
    new_pod_window(&c, &dp, &pods, &report).await;
    println!("dataplane test: whole test {:.1}s", t0.elapsed().as_secs_f64());
    drop(op);
}

const PRIVATE_PODS: &str = "Pod/public-security-private/";

/// The Running pods of the model's workloads, each joined with the
/// namespace the dataplane made for it, once the replicas of every
/// Deployment and StatefulSet (exactly `workloads` of them, if given) are
/// Running with their namespaces and no namespace is left of a pod gone.
pub async fn running_pods(c: &kube::Client, dp: &Dp, workloads: Option<usize>) -> Vec<(Pod, DataplanePod)> {
    let deployments: Api<Deployment> = Api::all(c.clone());
    let sets: Api<StatefulSet> = Api::all(c.clone());
    let pods_api: Api<Pod> = Api::all(c.clone());
    let scope = ListParams::default().labels("govcloud.io/scope=chifeng");
    eventually("every replica Running, each with its namespace", CONVERGE, || async {
        let d = deployments.list(&scope).await.ok()?.items;
        let s = sets.list(&scope).await.ok()?.items;
        let replicas: i32 = d.iter().map(|d| d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)).sum::<i32>()
            + s.iter().map(|s| s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)).sum::<i32>();
        let running: Vec<Pod> = pods_api
            .list(&ListParams::default())
            .await
            .ok()?
            .items
            .into_iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            .collect();
        let made = dp.pods();
        let joined: Vec<(Pod, DataplanePod)> = running
            .iter()
            .filter_map(|p| {
                let key = format!("{}/{}", p.namespace().unwrap_or_default(), p.name_any());
                made.get(&key).cloned().map(|d| (p.clone(), d))
            })
            .collect();
        let complete = workloads.is_none_or(|w| d.len() + s.len() == w)
            && usize::try_from(replicas).ok() == Some(running.len())
            && joined.len() == running.len()
            && made.len() == running.len();
        complete.then_some(joined)
    })
    .await
}

/// The live NetworkPolicies and namespace labels, which the audit's semantics read.
pub struct Live {
    policies: Vec<serde_json::Value>,
    pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
    /// The API server's endpoints, as `default/kubernetes`'s EndpointSlices give them.
    pub api: Vec<govcloud::audit::api_server::Endpoint>,
}

impl Live {
    fn network(&self) -> govcloud::audit::netpol::Network<'_> {
        govcloud::audit::netpol::Network::new(self.policies.iter(), self.namespaces.clone())
    }
}

pub async fn live_objects(c: &kube::Client) -> Live {
    let policies = Api::<NetworkPolicy>::all(c.clone())
        .list(&ListParams::default())
        .await
        .expect("list NetworkPolicies")
        .items
        .iter()
        .map(|p| serde_json::to_value(p).expect("json"))
        .collect();
    let namespaces = Api::<Namespace>::all(c.clone())
        .list(&ListParams::default())
        .await
        .expect("list namespaces")
        .items
        .into_iter()
        .map(|n| (n.name_any(), n.labels().clone()))
        .collect();
    let slices: Vec<serde_json::Value> = Api::<EndpointSlice>::namespaced(c.clone(), "default")
        .list(&ListParams::default().labels("kubernetes.io/service-name=kubernetes"))
        .await
        .expect("list the EndpointSlices of default/kubernetes")
        .items
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).expect("json");
            govcloud::operator::as_audited(&mut v, "discovery.k8s.io/v1", "EndpointSlice");
            v
        })
        .collect();
    let api = govcloud::audit::api_server::endpoints(slices.iter());
    Live { policies, namespaces, api }
}

/// The live audit's failing GC-NET-003 findings (a private zone's workload reaching out).
async fn private_escapes(c: &kube::Client) -> Vec<String> {
    let cidrs: Vec<String> = govcloud::model::DEFAULT_CLUSTER_CIDRS.map(String::from).to_vec();
    let (model, objects) = govcloud::operator::live_inventory(c, "", &cidrs, None).await.expect("live inventory");
    govcloud::audit::audit(&model, &objects)
        .findings
        .iter()
        .filter(|f| f.control == govcloud::controls::PRIVATE_EGRESS && f.outcome == govcloud::audit::Outcome::Fail)
        .map(|f| format!("{}: {}", f.subject.object, f.evidence))
        .collect()
}
