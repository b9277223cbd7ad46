//! The admin tier on real control planes.
//!
//! One control plane of this test's own (`testenv up --network-policy-api`,
//! any free port block, always brought down, also on a panic) serves
//! ClusterNetworkPolicy: the API server accepts what govcloud renders, the
//! operator creates and repairs it, and the live audit counts it, so a
//! NetworkPolicy that allows everything in a private namespace opens no path
//! out of the private zone. The shared test cluster, which does not serve
//! the API, gets nothing new and no errors from the operator.

use crate::support;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use govcloud::audit::{Audit, Outcome};
use govcloud::meta::names;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::{Client, ResourceExt};
use support::offline::{repo, zone_doc};
use support::{Operator, client, client_at, eventually, short};

const CONVERGE: Duration = Duration::from_secs(120);

/// A control plane of this test's own, with the network-policy API; down when dropped.
struct OwnControlPlane {
    dir: tempfile::TempDir,
}

impl OwnControlPlane {
    fn up() -> OwnControlPlane {
        let dir = tempfile::Builder::new().prefix("govcloud-admin-tier-").tempdir().expect("tempdir");
        let cp = OwnControlPlane { dir };
        let out = Command::new(repo().join("testenv/testenv"))
            .args(["up", "--dir"])
            .arg(cp.dir.path())
            .args(["--network-policy-api", "--model"])
            .arg(repo().join("examples/chifeng"))
            .output()
            .expect("run testenv");
        assert!(
            out.status.success(),
            "testenv up --network-policy-api failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        cp
    }

    fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }
}

impl Drop for OwnControlPlane {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("testenv/testenv")).args(["down", "--dir"]).arg(self.dir.path()).output();
    }
}

fn cnp_resource() -> ApiResource {
    ApiResource::erase::<govcloud::meta::cluster_policy::ClusterNetworkPolicy>(&())
}

fn chifeng(admin_tier: bool) -> govcloud::model::Model {
    let mut m = govcloud::model::load_paths(&[repo().join("examples/chifeng")]).expect("chifeng").model;
    m.admin_tier = admin_tier;
    m
}

/// Errors in an operator's log, and warnings about the network-policy API
/// or a watch (others, such as a conflict under load, are not this test's).
fn complaints(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains("\"level\":\"ERROR\"")
                || (l.contains("\"level\":\"WARN\"")
                    // A watch of another kind that the busy shared API server restarts is no complaint about this one.
                    && ["ClusterNetworkPolicy", "clusternetworkpolicies", "policy.networking.k8s.io"].iter().any(|w| l.contains(w)))
        })
        .collect()
}

async fn cnp_names(c: &Client) -> Vec<String> {
    let api: Api<DynamicObject> = Api::all_with(c.clone(), &cnp_resource());
    let mut names: Vec<String> = api
        .list(&ListParams::default().labels("govcloud.io/scope=chifeng"))
        .await
        .expect("list")
        .items
        .iter()
        .map(|o| o.name_any())
        .collect();
    names.sort();
    names
}

/// Findings of the private namespace's GC-NET-003 that fail, and the private <-> internet paths.
fn escapes(a: &Audit) -> (Vec<String>, usize) {
    let failing = a
        .findings
        .iter()
        .filter(|f| {
            f.control == govcloud::controls::PRIVATE_EGRESS
                && f.subject.namespace.as_deref() == Some("public-security-private")
                && f.outcome == Outcome::Fail
        })
        .map(|f| f.evidence.to_string())
        .collect();
    let c = &a.connectivity;
    let mut paths = 0;
    for (i, (_, zi)) in c.apps.iter().enumerate() {
        for (j, (_, zj)) in c.apps.iter().enumerate() {
            paths += usize::from(
                c.reach[i][j] && ((zi == "private" && zj == "internet") || (zi == "internet" && zj == "private")),
            );
        }
        paths += usize::from(zi == "private" && c.internet_out[i]);
    }
    (failing, paths)
}

#[tokio::test]
async fn the_admin_tier_is_applied_repaired_and_audited_where_the_api_is_served() {
    let cp = OwnControlPlane::up();
    let kc = cp.kubeconfig();
    let c = client_at(&kc).await;
    assert!(govcloud::operator::admin_tier_served(&c).await.expect("discovery"), "the CRD is served");
    govcloud::operator::install_crds(&c, "govcloud-system").await.expect("install CRDs");

    // Every zone's objects, with the admin tier, pass the API server's validation (dry run).
    let model = chifeng(true);
    let planned = govcloud::render::plan(&model, &Default::default());
    let mut dry_run = 0;
    for z in model.zones.iter().map(|z| z.name_any()) {
        for o in planned.owner(govcloud::meta::kinds::OwnerKind::NetworkZone, "", &z).objects {
            let kind = govcloud::meta::kinds::owned_kind(o.kind()).expect("owned kind");
            let api: Api<DynamicObject> = Api::all_with(c.clone(), &kind.api_resource());
            let v = serde_json::to_value(&o).expect("json");
            api.patch(o.name(), &PatchParams::apply("govcloud").dry_run(), &Patch::Apply(&v))
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", o.id()));
            dry_run += usize::from(o.kind() == "ClusterNetworkPolicy");
        }
    }
    assert_eq!(dry_run, 9, "the Chifeng zones render 9 ClusterNetworkPolicies");

    // The operator finds the API and creates every zone's policies.
    let op = Operator::start_at(&kc, "chifeng", 3, &[], "").await;
    let labels = [("govcloud.io/scope".to_string(), "chifeng".to_string())];
    govcloud::dev::apply_model(&c, &chifeng(false), &labels, CONVERGE).await.expect("apply the model");
    let mut want: Vec<String> = govcloud::render::render(&model)
        .objects
        .iter()
        .filter(|o| o.kind() == "ClusterNetworkPolicy")
        .map(|o| o.name().to_string())
        .collect();
    want.sort();
    eventually("the operator's ClusterNetworkPolicies", CONVERGE, || async {
        (cnp_names(&c).await == want).then_some(())
    })
    .await;

    // A govcloud policy deleted by hand comes back.
    let api: Api<DynamicObject> = Api::all_with(c.clone(), &cnp_resource());
    let private = names::zone_admin_policy("private");
    let before = api.get(&private).await.expect("get").uid();
    api.delete(&private, &DeleteParams::default()).await.expect("delete");
    eventually("the deleted policy restored", CONVERGE, || async {
        api.get_opt(&private).await.ok().flatten().filter(|o| o.uid() != before).map(|_| ())
    })
    .await;

    // Every namespace and workload is there before the audit looks (the
    // Chifeng model runs 21 Deployments, 3 StatefulSets and a CronJob).
    let deployments: Api<k8s_openapi::api::apps::v1::Deployment> = Api::all(c.clone());
    let sets: Api<k8s_openapi::api::apps::v1::StatefulSet> = Api::all(c.clone());
    let crons: Api<k8s_openapi::api::batch::v1::CronJob> = Api::all(c.clone());
    eventually("the Chifeng workloads", CONVERGE, || async {
        let scope = ListParams::default().labels("govcloud.io/scope=chifeng");
        let n = deployments.list(&scope).await.ok()?.items.len()
            + sets.list(&scope).await.ok()?.items.len()
            + crons.list(&scope).await.ok()?.items.len();
        (n == 25).then_some(())
    })
    .await;

    // An allow-all NetworkPolicy in a private namespace: the live audit sees no path out.
    let nps: Api<DynamicObject> = Api::namespaced_with(
        c.clone(),
        "public-security-private",
        &ApiResource::erase::<k8s_openapi::api::networking::v1::NetworkPolicy>(&()),
    );
    let allow_all = serde_json::json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "allow-all", "namespace": "public-security-private"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}], "egress": [{}]}});
    nps.patch("allow-all", &PatchParams::apply("someone-else"), &Patch::Apply(&allow_all))
        .await
        .expect("allow-all policy");
    let cidrs: Vec<String> = govcloud::model::DEFAULT_CLUSTER_CIDRS.map(String::from).to_vec();
    let (live_model, objects) = govcloud::operator::live_inventory(&c, "", &cidrs, None).await.expect("live inventory");
    assert!(live_model.admin_tier, "the live audit finds the API");
    let listed = objects.iter().filter(|o| o["kind"] == "ClusterNetworkPolicy").count();
    assert_eq!(listed, 9, "the live audit reads the ClusterNetworkPolicies");
    let audit = govcloud::audit::audit(&live_model, &objects);
    assert_eq!(escapes(&audit), (vec![], 0), "the admin tier denies what the allow-all policy opens");
    // The audit bureau (the cluster auditor role) reads them too, and writes none.
    let bureau = support::impersonating_at(&kc, "auditor@audit.chifeng.gov.cn", &["audit-bureau"]).await;
    let as_bureau: Api<DynamicObject> = Api::all_with(bureau, &cnp_resource());
    let read = eventually("the audit bureau to read the ClusterNetworkPolicies", CONVERGE, || async {
        as_bureau.list(&ListParams::default()).await.ok()
    })
    .await;
    assert_eq!(read.items.len(), 9);
    let forbidden = as_bureau
        .delete(&names::zone_admin_policy("private"), &DeleteParams::default())
        .await
        .expect_err("an auditor deletes nothing");
    assert!(matches!(&forbidden, kube::Error::Api(s) if s.code == 403), "{forbidden:?}");
    let cnp_drift: Vec<(String, Outcome)> = audit
        .findings
        .iter()
        .filter(|f| {
            f.control == govcloud::controls::MANAGED_OBJECTS && f.subject.object.starts_with("ClusterNetworkPolicy/")
        })
        .map(|f| (f.subject.object.to_string(), f.outcome))
        .collect();
    assert_eq!(cnp_drift.len(), 9, "{cnp_drift:?}");
    assert!(cnp_drift.iter().all(|(_, o)| *o == Outcome::Pass), "{cnp_drift:?}");
    // The same cluster judged by its NetworkPolicies alone: the widening shows.
    let mut without = live_model.clone();
    without.admin_tier = false;
    let np_only: Vec<serde_json::Value> =
        objects.iter().filter(|o| o["kind"] != "ClusterNetworkPolicy").cloned().collect();
    let (failing, paths) = escapes(&govcloud::audit::audit(&without, &np_only));
    assert!(!failing.is_empty() && paths > 0, "without the admin tier the allow-all policy opens paths");

    // A policy changed by hand is restored.
    let internet = names::zone_isolation_policy("internet");
    let edit = serde_json::json!({"apiVersion": "policy.networking.k8s.io/v1beta1", "kind": "ClusterNetworkPolicy", "metadata": {"name": internet}, "spec": {"priority": 999}});
    api.patch(&internet, &PatchParams::apply("someone-else").force(), &Patch::Apply(&edit))
        .await
        .expect("edit by hand");
    eventually("the edited policy restored", CONVERGE, || async {
        (api.get(&internet).await.ok()?.data["spec"]["priority"].as_i64()
            == Some(i64::from(govcloud::render::ISOLATION_PRIORITY)))
        .then_some(())
    })
    .await;
    // An exchange endpoint taken off its zone: its policy is pruned with it.
    let mongolian = names::exchange_admin_policy("extranet", "ethnic-affairs", "mongolian-text-service");
    assert!(api.get_opt(&mongolian).await.expect("get").is_some());
    let zones: Api<govcloud::api::NetworkZone> = Api::all(c.clone());
    let extranet = zones.get("extranet").await.expect("extranet");
    let kept: Vec<serde_json::Value> = extranet
        .spec
        .exchange_endpoints
        .iter()
        .filter(|e| e.name != "mongolian-text")
        .map(|e| serde_json::to_value(e).expect("endpoint"))
        .collect();
    assert_eq!(kept.len() + 1, extranet.spec.exchange_endpoints.len(), "the Chifeng extranet registers mongolian-text");
    zones
        .patch(
            "extranet",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"spec": {"exchangeEndpoints": kept}})),
        )
        .await
        .expect("patch the zone");
    eventually("the endpoint's policy pruned", CONVERGE, || async {
        api.get_opt(&mongolian).await.ok()?.is_none().then_some(())
    })
    .await;

    let log = op.log();
    assert!(log.contains("the cluster serves ClusterNetworkPolicy"), "{log}");
    let complaints = complaints(&log);
    assert!(complaints.is_empty(), "the operator complained:\n{}", complaints.join("\n"));
}

#[tokio::test]
async fn without_the_api_the_operator_creates_nothing_new_and_logs_no_errors() {
    let c = client().await;
    assert!(
        !govcloud::operator::admin_tier_served(&c).await.expect("discovery"),
        "the shared test cluster must stay without the network-policy API"
    );
    let scope = short("nocnp");
    let zone = short("nocnpz");
    let tenant = short("nocnpt");
    let offset = support::audit_offset();
    let op = Operator::start(&scope, 3).await;
    let text = format!(
        "{}---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {tenant}}}\nspec: {{displayName: {{zh: 测试, en: {tenant}}}, zones: [{{name: {zone}}}]}}\n",
        zone_doc(&zone, "extranet", "10.98.0.0/16", "")
    );
    let loaded = govcloud::model::load_str("nocnp.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}"));
    govcloud::dev::apply_model(&c, &loaded.model, &[("govcloud.io/scope".into(), scope.clone())], CONVERGE)
        .await
        .expect("apply");
    let ns = names::namespace_name(&tenant, &zone);
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(c.clone());
    eventually("the tenant namespace", CONVERGE, || async { namespaces.get_opt(&ns).await.ok().flatten().map(|_| ()) })
        .await;
    // A resync and a discovery check later: still nothing of the admin tier.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let user = support::operator_user(&scope);
    let writes = support::writes_since(offset, &user);
    assert!(!writes.is_empty(), "the operator wrote its objects");
    assert!(writes.iter().all(|w| !w.contains("clusternetworkpolicies")), "{writes:#?}");
    let log = op.log();
    assert!(log.contains("does not serve ClusterNetworkPolicy"), "{log}");
    let complaints = complaints(&log);
    assert!(complaints.is_empty(), "the operator complained:\n{}", complaints.join("\n"));
    // Cleanup: the zone and tenant of this test.
    let _ = Api::<govcloud::api::Tenant>::all(c.clone()).delete(&tenant, &DeleteParams::default()).await;
    let _ = Api::<govcloud::api::NetworkZone>::all(c.clone()).delete(&zone, &DeleteParams::default()).await;
}

/// `govcloud render --admin-tier` adds the zones' ClusterNetworkPolicies and
/// nothing else; the offline audit of that output counts them.
#[test]
fn render_admin_tier_adds_the_policies_and_the_offline_audit_reads_them() {
    let bin = env!("CARGO_BIN_EXE_govcloud");
    let chifeng = repo().join("examples/chifeng");
    let render = |extra: &[&str]| {
        let out =
            Command::new(bin).args(["render", "-f"]).arg(&chifeng).args(extra).output().expect("run govcloud render");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let (plain, with) = (render(&[]), render(&["--admin-tier"]));
    let docs =
        |text: &str| text.split("---\n").filter(|d| !d.trim().is_empty()).map(str::to_string).collect::<Vec<_>>();
    let (plain_docs, with_docs) = (docs(&plain), docs(&with));
    let cnps: Vec<&String> = with_docs.iter().filter(|d| d.contains("kind: ClusterNetworkPolicy")).collect();
    assert_eq!(cnps.len(), 9);
    assert!(
        cnps.iter().all(|d| d.contains("apiVersion: policy.networking.k8s.io/v1beta1") && d.contains("tier: Admin"))
    );
    let rest: Vec<&String> = with_docs.iter().filter(|d| !d.contains("kind: ClusterNetworkPolicy")).collect();
    assert_eq!(rest, plain_docs.iter().collect::<Vec<_>>(), "the admin tier only adds policies");
    assert!(plain_docs.iter().all(|d| !d.contains("ClusterNetworkPolicy")));

    let dir = tempfile::tempdir().expect("tempdir");
    let rendered = dir.path().join("rendered.yaml");
    std::fs::write(&rendered, &with).expect("write");
    let out = Command::new(bin)
        .args(["audit", "--format", "json", "-f"])
        .arg(&chifeng)
        .arg("-f")
        .arg(&rendered)
        .output()
        .expect("run govcloud audit");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let audit: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = audit["findings"].as_array().expect("findings");
    let cnp_drift: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| {
            f["control"] == "GC-MGD-001" && f["object"].as_str().is_some_and(|o| o.starts_with("ClusterNetworkPolicy/"))
        })
        .collect();
    assert_eq!(cnp_drift.len(), 9);
    assert!(
        cnp_drift.iter().all(|f| f["outcome"].as_str().is_some_and(|o| o.eq_ignore_ascii_case("pass"))),
        "{cnp_drift:?}"
    );
}
