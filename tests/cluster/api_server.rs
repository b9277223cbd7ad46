//! The API server's endpoints as the operator's render input, on a control
//! plane of this test's own (its EndpointSlices are changed here; the shared
//! plane's other operators would re-render for them). testenv's API server
//! (without `--dataplane`) publishes no endpoints, so the test writes the
//! `kubernetes` Service's slices itself, as the API server's endpoint
//! reconciler would: the internet zone's 0.0.0.0/0 egress excepts their
//! addresses; a slice added (the API server moved or grew) is excepted
//! too, and forgotten once deleted; a hand edit that opens the path, made
//! while the operator is down, fails GC-NET-007 in the live audit, and the
//! operator, started again, closes it.

use crate::support;

use std::time::Duration;

use govcloud::audit::Outcome;
use govcloud::meta::names::ZONE_EGRESS;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use support::offline::{repo, zone_doc};
use support::{Operator, OwnPlane, eventually, short};

const CONVERGE: Duration = Duration::from_secs(120);
const FIRST: &str = "192.0.2.10";
const MOVED: &str = "192.0.2.77";

/// An EndpointSlice of Service `default/kubernetes` named `name` with `address` on 6443.
fn slice(name: &str, address: &str) -> EndpointSlice {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": name, "labels": {"kubernetes.io/service-name": "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [address], "conditions": {"ready": true}}],
        "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
    }))
    .expect("slice")
}

/// The excepts of the 0.0.0.0/0 block of `ns`'s zone egress policy.
async fn excepts(c: &Client, ns: &str) -> Option<Vec<String>> {
    let p = Api::<NetworkPolicy>::namespaced(c.clone(), ns).get_opt(ZONE_EGRESS).await.ok()??;
    let rules = p.spec?.egress?;
    let block = rules
        .iter()
        .flat_map(|r| r.to.iter().flatten())
        .find_map(|peer| peer.ip_block.as_ref().filter(|b| b.cidr == "0.0.0.0/0").cloned())?;
    Some(block.except.unwrap_or_default())
}

/// The addresses the `kubernetes` Service's EndpointSlices give, as the audit reads them.
async fn read_addresses(c: &Client) -> Vec<String> {
    let lp = ListParams::default().labels("kubernetes.io/service-name=kubernetes");
    let slices = Api::<EndpointSlice>::namespaced(c.clone(), "default").list(&lp).await.expect("slices").items;
    let values: Vec<serde_json::Value> = slices
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).expect("json");
            govcloud::operator::as_audited(&mut v, "discovery.k8s.io/v1", "EndpointSlice");
            v
        })
        .collect();
    govcloud::audit::api_server::addresses(&govcloud::audit::api_server::endpoints(&values))
}

/// GC-NET-007's failed findings in the live audit, by object.
async fn gc_net_007_failures(c: &Client) -> (Vec<String>, usize) {
    let cidrs = govcloud::model::Model::default().cluster_cidrs;
    let audit = govcloud::operator::live_audit(c, &cidrs, &[], None).await.expect("live audit");
    let judged: Vec<_> = audit.findings.iter().filter(|f| f.control == govcloud::controls::API_SERVER_EGRESS).collect();
    let failed = judged.iter().filter(|f| f.outcome == Outcome::Fail).map(|f| f.subject.object.to_string()).collect();
    (failed, judged.len())
}

#[tokio::test]
async fn the_operator_excepts_the_api_servers_endpoints_and_follows_them() {
    let chifeng = repo().join("examples/chifeng");
    let plane = OwnPlane::up(&["--model", chifeng.to_str().expect("utf-8"), "--nodes-per-zone", "1"]).await;
    let (kc, c) = (plane.kubeconfig(), plane.client().await);
    let slices: Api<EndpointSlice> = Api::namespaced(c.clone(), "default");
    slices.create(&PostParams::default(), &slice("kubernetes-first", FIRST)).await.expect("create the slice");
    let scope = short("api");
    let (zone, tenant) = (short("net"), short("web"));
    let mut op = Operator::start_at(&kc, &scope, 300, &[], "").await;
    let model = format!(
        "{}---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {tenant}}}\nspec:\n  displayName: {{zh: 网站, en: Web}}\n  zones: [{{name: {zone}}}]\n---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: portal, namespace: {tenant}-{zone}}}\nspec:\n  zone: {zone}\n  image: harbor.egov.local/{tenant}/portal:1\n  ports: [{{name: http, port: 8080}}]\n",
        zone_doc(&zone, "internet", "172.31.0.0/16", "egress: {allowedCidrs: [0.0.0.0/0]}")
    );
    support::apply_text(&c, &model, &scope).await;
    let ns = format!("{tenant}-{zone}");

    // The API server's endpoints, read from its EndpointSlices.
    let read = read_addresses(&c).await;
    assert!(read.contains(&FIRST.to_string()), "{read:?}");
    let want: Vec<String> = govcloud::render::api_server_cidrs(&read);
    eventually("the internet egress excepts the API server's endpoints", CONVERGE, || async {
        let ex = excepts(&c, &ns).await?;
        want.iter().all(|w| ex.contains(w)).then_some(())
    })
    .await;

    // The API server at a new address as well: a slice of the Service added.
    slices.create(&PostParams::default(), &slice("kubernetes-moved", MOVED)).await.expect("create the slice");
    let moved_cidr = format!("{MOVED}/32");
    eventually("the new address excepted", CONVERGE, || async {
        excepts(&c, &ns).await?.contains(&moved_cidr).then_some(())
    })
    .await;
    let (failed, judged) = gc_net_007_failures(&c).await;
    assert!(judged > 0 && failed.is_empty(), "GC-NET-007 judged {judged}, failed {failed:?}");
    slices.delete("kubernetes-moved", &DeleteParams::default()).await.expect("delete the slice");
    eventually("the old address forgotten", CONVERGE, || async {
        let ex = excepts(&c, &ns).await?;
        (!ex.contains(&moved_cidr) && want.iter().all(|w| ex.contains(w))).then_some(())
    })
    .await;

    // A hole by hand while the operator is down: the 0.0.0.0/0 block without
    // the API server's excepts. The live audit fails GC-NET-007 for the app.
    op.kill();
    let policies: Api<NetworkPolicy> = Api::namespaced(c.clone(), &ns);
    let mut p = policies.get(ZONE_EGRESS).await.expect("policy");
    for rule in p.spec.as_mut().and_then(|s| s.egress.as_mut()).expect("egress") {
        for peer in rule.to.iter_mut().flatten() {
            if let Some(b) = peer.ip_block.as_mut() {
                b.except = b.except.take().map(|ex| ex.into_iter().filter(|e| !want.contains(e)).collect());
            }
        }
    }
    p.metadata.managed_fields = None;
    let by_hand = PatchParams { field_manager: Some("kubectl-edit".into()), ..Default::default() };
    policies.patch(ZONE_EGRESS, &by_hand, &Patch::Merge(&p)).await.expect("edit by hand");
    let ex = excepts(&c, &ns).await.expect("edited policy");
    assert!(want.iter().all(|w| !ex.contains(w)), "the edit opened the path: {ex:?}");
    let (failed, _) = gc_net_007_failures(&c).await;
    assert!(!failed.is_empty() && failed.iter().all(|o| o.contains(&format!("/{ns}/"))), "{failed:?}");

    // Started again, the operator closes it.
    let _op = Operator::start_at(&kc, &scope, 300, &[], "-2").await;
    eventually("the hole closed", CONVERGE, || async {
        let ex = excepts(&c, &ns).await?;
        want.iter().all(|w| ex.contains(w)).then_some(())
    })
    .await;
    let (failed, judged) = gc_net_007_failures(&c).await;
    assert!(judged > 0 && failed.is_empty(), "GC-NET-007 after the repair: {failed:?}");
}
