//! The operator killed mid-convergence (SIGKILL, as a crash or an evicted
//! node would): what exists then is probed, and it must fail closed; the
//! operator is started again, and once converged the packets give what the
//! model's policies give, as an undisturbed operator writes them.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::ResourceExt;
use kube::api::{Api, ListParams};

use crate::probe::{DataplanePod, Dp, Report, audit_open, probe_all, settled};
use crate::support::Operator;
use crate::{CONVERGE, Live, live_objects, running_pods};
use k8s_openapi::api::core::v1::Pod;

/// The workloads (Deployments and StatefulSets) the model's apps have.
pub const WORKLOADS: usize = 24;

/// What the model's own policies decide: the NetworkPolicies and namespaces
/// govcloud renders from it (pure, no cluster), with the live namespaces it
/// does not render and the live API server endpoints (rendered with their
/// addresses, as the operator renders them).
pub fn model_policies(model: &govcloud::model::Model, live: &Live) -> Live {
    let mut model = model.clone();
    model.api_server = govcloud::audit::api_server::addresses(&live.api);
    let rendered = govcloud::render::render(&model).objects;
    let mut namespaces = live.namespaces.clone();
    let mut policies = Vec::new();
    for o in &rendered {
        match o {
            govcloud::render::Owned::NetworkPolicy(p) => policies.push(serde_json::to_value(p).expect("json")),
            govcloud::render::Owned::Namespace(n) => {
                namespaces.insert(n.name_any(), n.labels().clone());
            }
            _ => {}
        }
    }
    assert!(!policies.is_empty(), "the model renders NetworkPolicies");
    Live { policies, namespaces, api: live.api.clone() }
}

/// Waits until the operator has written some of the model's workloads but
/// not all (its progress, read from the API server every 100 ms), kills it
/// (SIGKILL), and probes what exists once the dataplane has it: a
/// connection the audit of the live policies says is closed must be closed,
/// and nothing the model's policies forbid may be open (each such
/// connection is named, and fails the test). Then starts the operator again
/// and returns it.
pub async fn killed_mid_convergence(
    c: &kube::Client,
    kc: &Path,
    dp: &Dp,
    mut op: Operator,
    model: &govcloud::model::Model,
) -> Operator {
    let scope = ListParams::default().labels("govcloud.io/scope=chifeng");
    let (deployments, sets) = (Api::<Deployment>::all(c.clone()), Api::<StatefulSet>::all(c.clone()));
    let nps = Api::<NetworkPolicy>::all(c.clone());
    let start = Instant::now();
    let (written, policies) = loop {
        assert!(start.elapsed() < CONVERGE, "the operator wrote no workload within {CONVERGE:?}");
        let w = deployments.list_metadata(&scope).await.map_or(0, |l| l.items.len())
            + sets.list_metadata(&scope).await.map_or(0, |l| l.items.len());
        assert!(
            w < WORKLOADS,
            "the operator wrote all {WORKLOADS} workloads before a poll saw it midway: nothing to kill mid-convergence"
        );
        // A quarter of the workloads: enough pods to probe, far from done.
        if w >= WORKLOADS / 4 {
            op.kill();
            let p = nps.list_metadata(&ListParams::default()).await.map_or(0, |l| l.items.len());
            break (w, p);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!(
        "operator killed (SIGKILL) mid-convergence {:.1}s after the model was applied: {written} of {WORKLOADS} workloads and {policies} NetworkPolicies written",
        start.elapsed().as_secs_f64()
    );
    // What exists: the pods of the workloads written, Running with their namespaces.
    let pods = running_pods(c, dp, None).await;
    settled(dp, &pods, CONVERGE).await;
    let live = live_objects(c).await;
    let report = probe_all(&live.network(), &pods, &live.api);
    let model_open = audit_open(&model_policies(model, &live).network(), &pods, &live.api);
    let must_not: Vec<&String> = report.open_set.difference(&model_open).collect();
    // Closed by the audit of what exists, open by the packets.
    let leaks: Vec<&String> = report
        .disagreements
        .iter()
        .filter(|d| d.contains("the audit says blocked") && d.ends_with("say open"))
        .collect();
    println!(
        "mid-convergence probe: {} pods, {} connections, {} open, {} disagreements with the audit of what exists ({} open where it says closed); {} open that the model's policies forbid",
        pods.len(),
        report.tried,
        report.open,
        report.disagreements.len(),
        leaks.len(),
        must_not.len()
    );
    for d in &report.disagreements {
        println!("MID-CONVERGENCE DISAGREEMENT {d}");
    }
    for m in &must_not {
        println!("OPEN BUT FORBIDDEN BY THE MODEL {m}");
    }
    assert!(report.tried > 0 && pods.len() > 1, "pods to probe mid-convergence");
    assert!(leaks.is_empty(), "{} connections open that the audit of what exists says are closed", leaks.len());
    assert!(must_not.is_empty(), "{} connections open that the model's policies forbid (above)", must_not.len());
    let t = Instant::now();
    let op = Operator::start_at(kc, "chifeng", 3, &[], "-after-kill").await;
    println!("operator started again {:.1}s after the probe began", t.elapsed().as_secs_f64());
    op
}

/// After the restart and convergence: the open set is what the model's
/// policies give for these pods, which is what an operator never killed
/// writes (it renders the same model), connection by connection.
pub fn same_as_undisturbed(model: &govcloud::model::Model, live: &Live, pods: &[(Pod, DataplanePod)], report: &Report) {
    let undisturbed = audit_open(&model_policies(model, live).network(), pods, &live.api);
    let extra: Vec<&String> = report.open_set.difference(&undisturbed).collect();
    let missing: Vec<&String> = undisturbed.difference(&report.open_set).collect();
    println!(
        "after the restart: {} open, as the model's policies give {} ({} more, {} fewer)",
        report.open,
        undisturbed.len(),
        extra.len(),
        missing.len()
    );
    let by_kind: BTreeMap<&str, usize> = [("more", extra.len()), ("fewer", missing.len())].into_iter().collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "open set differs from the model's: {by_kind:?}; more {extra:?}; fewer {missing:?}"
    );
}
