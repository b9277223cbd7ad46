//! A city in two clusters, each with its own real control plane: the
//! extranet and internet zones in cluster `egov`, the private network in
//! cluster `private`. The same model is applied to both (as GitOps would);
//! each cluster's operator (`govcloud run --cluster NAME`) materialises only
//! its own zones, and both decide every flow alike.

use crate::support;

use std::collections::BTreeSet;
use std::time::Duration;

use govcloud::api::{DepartmentApp, FlowState};
use govcloud::meta::labels;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, PostParams};
use kube::{Client, ResourceExt};
use serde_json::Value;
use support::{Operator, OwnPlane, eventually};

const SCOPE: &str = "city";
const WAIT: Duration = Duration::from_secs(120);

/// Three zones in two clusters, three tenants: the population database in
/// the private cluster, granted to an extranet app and to an internet app;
/// isolation lets only the extranet one through, at the exchange's address.
const MODEL: &str = r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: extranet}
spec:
  kind: extranet
  cluster: egov
  displayName: {zh: 政务外网, en: E-gov extranet}
  nodePool:
    selector: {govcloud.io/zone: extranet}
    taint: {key: govcloud.io/zone, value: extranet, effect: NoSchedule}
  cidrs: [10.10.0.0/16]
  mlpsLevel: 2
  allowedRegistries: [harbor.egov.local]
---
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: internet}
spec:
  kind: internet
  cluster: egov
  displayName: {zh: 互联网区, en: Internet zone}
  nodePool:
    selector: {govcloud.io/zone: internet}
    taint: {key: govcloud.io/zone, value: internet, effect: NoSchedule}
  cidrs: [10.20.0.0/16]
  mlpsLevel: 2
  allowedRegistries: [harbor.egov.local]
---
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: private}
spec:
  kind: private
  cluster: private
  displayName: {zh: 政务专网, en: Dedicated private network}
  nodePool:
    selector: {govcloud.io/zone: private}
    taint: {key: govcloud.io/zone, value: private, effect: NoExecute}
  cidrs: [10.30.0.0/16]
  mlpsLevel: 3
  allowedRegistries: [harbor.egov.local]
  exchangeEndpoints:
  - name: population-exchange
    peerZones: [extranet]
    app: {tenant: ps, app: population-db}
    ports: [8443]
    address: 10.30.255.20/32
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: ps}
spec:
  displayName: {zh: 公安局, en: Public Security}
  owners: [{kind: Group, name: ps-admins, role: admin}]
  zones: [{name: private}]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: health}
spec:
  displayName: {zh: 卫健委, en: Health}
  owners: [{kind: Group, name: health-admins, role: admin}]
  zones: [{name: extranet}]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: tourism}
spec:
  displayName: {zh: 文旅局, en: Tourism}
  owners: [{kind: Group, name: tourism-admins, role: admin}]
  zones: [{name: internet}]
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {name: population-db, namespace: ps-private}
spec:
  zone: private
  displayName: {zh: 人口库, en: Population database}
  image: harbor.egov.local/ps/population-db@sha256:9ad634d6055f699464e5fcdb35885c87546adb2b94aab4cb437c58098f193da2
  ports: [{name: api, port: 8443}]
  dataClassification: sensitive
  flows:
    allowFrom:
    - {tenant: health, zones: [extranet]}
    - {tenant: tourism, zones: [internet]}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {name: records, namespace: health-extranet}
spec:
  zone: extranet
  displayName: {zh: 健康档案, en: Health records}
  image: harbor.egov.local/health/records:1.0.0
  ports: [{name: http, port: 8080}]
  flows: {calls: [{tenant: ps, zone: private, app: population-db}]}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {name: portal, namespace: tourism-internet}
spec:
  zone: internet
  displayName: {zh: 旅游门户, en: Tourism portal}
  image: harbor.egov.local/tourism/portal:1.0.0
  ports: [{name: http, port: 8080}]
  flows: {calls: [{tenant: ps, zone: private, app: population-db}]}
"#;

async fn apply(c: &Client) {
    let loaded = govcloud::model::load_str("city.yaml", MODEL).unwrap_or_else(|e| panic!("{e:#?}"));
    govcloud::dev::apply_model(c, &loaded.model, &[("govcloud.io/scope".into(), SCOPE.into())], WAIT)
        .await
        .expect("apply the model");
}

/// Every object govcloud manages in the cluster, as (kind, namespace, name, zone label).
async fn managed(c: &Client) -> Vec<(String, String, String, String)> {
    let lp = ListParams::default().labels(labels::MANAGED_SELECTOR);
    let mut out = Vec::new();
    for k in govcloud::meta::kinds::always_served() {
        let ar = kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(k.group, k.version, k.kind));
        let api: Api<DynamicObject> = Api::all_with(c.clone(), &ar);
        for o in api.list(&lp).await.expect("list managed objects").items {
            let zone = o.labels().get(labels::ZONE).cloned().unwrap_or_default();
            out.push((k.kind.to_string(), o.namespace().unwrap_or_default(), o.name_any(), zone));
        }
    }
    out
}

/// The status of an app's call to `target` in the cluster of `c`, once it is in `state`.
async fn flow(c: &Client, ns: &str, app: &str, target: &str, state: FlowState) -> govcloud::api::FlowStatus {
    let api: Api<DepartmentApp> = Api::namespaced(c.clone(), ns);
    eventually(&format!("{ns}/{app}'s call to {target} {state:?}"), WAIT, || async {
        let a = api.get(app).await.ok()?;
        a.status?.flows.into_iter().find(|f| f.target == target && f.state == state)
    })
    .await
}

fn ready_reason(a: &DepartmentApp) -> Option<String> {
    a.status.as_ref()?.conditions.iter().find(|c| c.type_ == "Ready").map(|c| format!("{} {}", c.status, c.reason))
}

fn policy_peers(p: &NetworkPolicy) -> Value {
    serde_json::to_value(p.spec.as_ref().expect("spec")).expect("json")
}

#[tokio::test]
async fn each_cluster_materialises_only_its_zones_and_both_decide_every_flow_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("city.yaml");
    std::fs::write(&model, MODEL).expect("write the model");
    let model = model.to_str().expect("path");
    let egov = OwnPlane::up(&["--model", model, "--cluster", "egov"]).await;
    let private = OwnPlane::up(&["--model", model, "--cluster", "private"]).await;
    let (e, p) = (egov.client().await, private.client().await);

    // testenv gave each cluster the nodes of its own zones only.
    let nodes = |c: Client| async move {
        let nodes: Api<k8s_openapi::api::core::v1::Node> = Api::all(c);
        nodes
            .list(&ListParams::default())
            .await
            .expect("nodes")
            .items
            .iter()
            .filter_map(|n| n.labels().get(labels::ZONE).cloned())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(nodes(e.clone()).await, BTreeSet::from(["extranet".to_string(), "internet".to_string()]));
    assert_eq!(nodes(p.clone()).await, BTreeSet::from(["private".to_string()]));

    let mut egov_op = Operator::start_at(&egov.kubeconfig(), SCOPE, 300, &["--cluster", "egov"], "").await;
    let private_op = Operator::start_at(&private.kubeconfig(), SCOPE, 300, &["--cluster", "private"], "").await;
    tokio::join!(apply(&e), apply(&p));

    // Each runs its own apps.
    for (c, ns, app) in
        [(&e, "health-extranet", "records"), (&e, "tourism-internet", "portal"), (&p, "ps-private", "population-db")]
    {
        let api: Api<DepartmentApp> = Api::namespaced(c.clone(), ns);
        eventually(&format!("{ns}/{app} Running"), WAIT, || async {
            (ready_reason(&api.get(app).await.ok()?)? == "True Running").then_some(())
        })
        .await;
    }
    // ... and only declares the others'.
    for (c, ns, app) in
        [(&p, "health-extranet", "records"), (&p, "tourism-internet", "portal"), (&e, "ps-private", "population-db")]
    {
        let api: Api<DepartmentApp> = Api::namespaced(c.clone(), ns);
        eventually(&format!("{ns}/{app} HostedElsewhere"), WAIT, || async {
            (ready_reason(&api.get(app).await.ok()?)? == "True HostedElsewhere").then_some(())
        })
        .await;
    }

    // The evaluation of the city: every tenant once, each app counted where it
    // runs; a cluster alone has no app of the zones it does not host.
    let evaluate = |args: &[String]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_govcloud"))
            .arg("evaluate")
            .args(args)
            .args(["--format", "json"])
            .env("KUBECONFIG", egov.kubeconfig())
            .output()
            .expect("evaluate");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let e: Value = serde_json::from_slice(&out.stdout).expect("json");
        let figure = |t: &str, f: &str| {
            e["tenants"].as_array().and_then(|ts| ts.iter().find(|x| x["name"] == t)).map(|x| x["figures"][f].clone())
        };
        ["ps", "health", "tourism"].map(|t| {
            (
                figure(t, "apps_ready").unwrap_or_default()["value"].clone(),
                figure(t, "apps").unwrap_or_default()["value"].clone(),
            )
        })
    };
    let at = |name: &str, plane: &OwnPlane| format!("{name}={}", plane.kubeconfig().display());
    let city = [
        "--cluster-kubeconfig".to_string(),
        at("egov", &egov),
        "--cluster-kubeconfig".to_string(),
        at("private", &private),
    ];
    let one = serde_json::json!(1.0);
    assert_eq!(evaluate(&city), [(one.clone(), one.clone()), (one.clone(), one.clone()), (one.clone(), one.clone())]);
    let egov_alone = evaluate(&["--cluster".to_string(), "egov".to_string()]);
    assert_eq!(
        egov_alone[0],
        (Value::Null, serde_json::json!(0.0)),
        "ps runs in the private cluster only: {egov_alone:?}"
    );
    assert_eq!(egov_alone[1], (one.clone(), one.clone()));
    // A city read in part: the apps of the cluster not read have no status, and no figure is made up.
    let part = evaluate(&["--cluster-kubeconfig".to_string(), at("egov", &egov)]);
    assert_eq!(part[0], (Value::Null, one.clone()), "{part:?}");

    // A flow between clusters: decided alike on both sides, granted at the exchange's address.
    let here = flow(&e, "health-extranet", "records", "ps/private/population-db", FlowState::Granted).await;
    let there = flow(&p, "health-extranet", "records", "ps/private/population-db", FlowState::Granted).await;
    assert_eq!(here, there, "both clusters say the same of the flow");
    assert_eq!(here.address.as_deref(), Some("10.30.255.20/32"));
    assert!(
        here.reason.contains("population-exchange")
            && here.reason.contains("cluster egov")
            && here.reason.contains("cluster private"),
        "{}",
        here.reason
    );
    // A flow isolation forbids: refused on both sides, for the same reason.
    let here = flow(&e, "tourism-internet", "portal", "ps/private/population-db", FlowState::Refused).await;
    let there = flow(&p, "tourism-internet", "portal", "ps/private/population-db", FlowState::Refused).await;
    assert_eq!(here, there);
    assert!(here.reason.contains("no path exists between a private zone and an internet zone"), "{}", here.reason);
    assert_eq!(here.address, None);

    // The consumer's side sends to the exchange's address on the flow's port, nothing else leaves for the provider.
    let policies = |c: &Client, ns: &str| Api::<NetworkPolicy>::namespaced(c.clone(), ns);
    let egress = eventually("the consumer's egress policy", WAIT, || async {
        policies(&e, "health-extranet").get("govcloud-app-records-egress").await.ok()
    })
    .await;
    assert_eq!(
        policy_peers(&egress)["egress"],
        serde_json::json!([{"ports": [{"port": 8443, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "10.30.255.20/32"}}]}])
    );
    assert!(
        policies(&e, "tourism-internet").get_opt("govcloud-app-portal-egress").await.expect("get").is_none(),
        "a refused flow opens nothing"
    );
    // The provider's side admits the consumer zone's ranges on that port, and not the internet zone's.
    let ingress = eventually("the provider's ingress policy", WAIT, || async {
        policies(&p, "ps-private").get("govcloud-app-population-db-ingress").await.ok()
    })
    .await;
    assert_eq!(
        policy_peers(&ingress)["ingress"],
        serde_json::json!([{"from": [{"ipBlock": {"cidr": "10.10.0.0/16"}}], "ports": [{"port": 8443, "protocol": "TCP"}]}])
    );

    // Each operator created only its zones' objects: of another cluster's zone
    // nothing but the tenants' declaration namespaces and their zero quota.
    for (c, own, theirs) in
        [(&e, ["extranet", "internet"].as_slice(), "private"), (&p, ["private"].as_slice(), "extranet")]
    {
        let objects = managed(c).await;
        assert!(objects.iter().any(|(k, _, _, z)| k == "Deployment" && own.contains(&z.as_str())), "{objects:?}");
        for (kind, ns, name, zone) in &objects {
            if zone.is_empty() || own.contains(&zone.as_str()) {
                continue;
            }
            assert!(
                matches!(kind.as_str(), "Namespace" | "ResourceQuota"),
                "{kind} {ns}/{name} of zone {zone}, hosted in another cluster"
            );
        }
        let remote: Vec<_> = objects.iter().filter(|(k, _, _, z)| k == "Namespace" && z == theirs).collect();
        assert!(!remote.is_empty(), "the declarations of zone {theirs} have a namespace");
        for (_, _, ns, _) in remote {
            let n = Api::<k8s_openapi::api::core::v1::Namespace>::all(c.clone()).get(ns).await.expect("namespace");
            assert!(n.labels().contains_key(labels::HOSTED_IN), "{ns} says which cluster hosts its zone");
            let q = Api::<k8s_openapi::api::core::v1::ResourceQuota>::namespaced(c.clone(), ns)
                .get(govcloud::meta::names::QUOTA)
                .await
                .expect("quota");
            let hard = q.spec.and_then(|s| s.hard).unwrap_or_default();
            assert_eq!(
                hard.get("pods").map(|q| q.0.as_str()),
                Some("0"),
                "{ns}: nothing runs in a declaration namespace"
            );
        }
    }
    // No department works in a declaration namespace: its admins there are refused.
    let health = support::impersonating_at(&private.kubeconfig(), "dr-li", &["health-admins"]).await;
    let copy = Api::<DepartmentApp>::namespaced(e.clone(), "health-extranet").get("records").await.expect("the app");
    let mut sneak = copy.clone();
    sneak.metadata = kube::api::ObjectMeta {
        name: Some("sneak".into()),
        namespace: Some("health-extranet".into()),
        ..Default::default()
    };
    sneak.status = None;
    let denied = Api::<DepartmentApp>::namespaced(health.clone(), "health-extranet")
        .create(&PostParams::default(), &sneak)
        .await
        .expect_err("refused");
    assert!(matches!(&denied, kube::Error::Api(s) if s.code == 403), "{denied}");
    let binding: k8s_openapi::api::rbac::v1::RoleBinding = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "everyone", "namespace": "health-extranet"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"}]
    }))
    .expect("binding");
    let denied = Api::<k8s_openapi::api::rbac::v1::RoleBinding>::namespaced(health.clone(), "health-extranet")
        .create(&PostParams::default(), &binding)
        .await
        .expect_err("a binding to a broad group");
    assert!(matches!(&denied, kube::Error::Api(s) if s.code == 403), "{denied}");
    let allowed = Api::<DepartmentApp>::namespaced(
        support::impersonating_at(&egov.kubeconfig(), "dr-li", &["health-admins"]).await,
        "health-extranet",
    )
    .create(&PostParams { dry_run: true, ..Default::default() }, &sneak)
    .await;
    assert!(allowed.is_ok(), "where the zone runs, the department declares its apps: {allowed:?}");

    // Zone admission bindings: only for the zones a cluster hosts.
    let bindings = managed(&e)
        .await
        .into_iter()
        .filter(|(k, ..)| k == "ValidatingAdmissionPolicyBinding")
        .map(|(_, _, n, _)| n)
        .collect::<Vec<_>>();
    assert!(!bindings.is_empty() && bindings.iter().all(|n| !n.ends_with("private")), "{bindings:?}");

    // Started with the wrong --cluster, an operator would remove what this cluster runs: it refuses to start.
    let mut wrong = Operator::start_at(&private.kubeconfig(), SCOPE, 300, &["--cluster", "egov"], "-wrong").await;
    let status = wrong.exited(Duration::from_secs(60)).expect("the misconfigured operator exits");
    assert!(!status.success());
    assert!(
        wrong.log().contains("runs workloads of zone private") && wrong.log().contains("--cluster private"),
        "{}",
        wrong.log()
    );
    assert!(
        Api::<Deployment>::namespaced(p.clone(), "ps-private").get_opt("population-db").await.expect("get").is_some(),
        "nothing was removed"
    );

    // With the operator stopped, nothing runs in a declaration namespace, even for cluster-admin.
    egov_op.kill();
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(e.clone(), "ps-private");
    // A pod every other control of a private-zone namespace admits: only the quota stands in its way.
    let pod = support::pod("sneak", |p| {
        p["spec"]["nodeSelector"] = serde_json::json!({"govcloud.io/zone": "private"});
        p["spec"]["tolerations"] = serde_json::json!([{"key": "govcloud.io/zone", "operator": "Equal", "value": "private", "effect": "NoExecute"}]);
        p["spec"]["containers"][0]["image"] = serde_json::json!(
            "harbor.egov.local/ps/c@sha256:9ad634d6055f699464e5fcdb35885c87546adb2b94aab4cb437c58098f193da2"
        );
    });
    let typed: k8s_openapi::api::core::v1::Pod = serde_json::from_value(pod.clone()).expect("pod");
    let err = pods.create(&PostParams::default(), &typed).await.expect_err("a pod in a declaration namespace");
    assert!(err.to_string().contains("quota"), "{err}");
    // ... nor a workload template, a Service or a claim (UPDATE needs one to exist first).
    let refused = |kind: &str, api_version: &str, plural: &str, body: Value| {
        let (c, kind, api_version, plural) = (e.clone(), kind.to_string(), api_version.to_string(), plural.to_string());
        async move {
            let (group, version) = api_version.rsplit_once('/').unwrap_or(("", &api_version));
            let ar = kube::api::ApiResource {
                group: group.into(),
                version: version.into(),
                api_version: api_version.clone(),
                kind: kind.clone(),
                plural,
            };
            let mut o: DynamicObject = serde_json::from_value(body).expect("object");
            o.types = Some(kube::api::TypeMeta { api_version, kind: kind.clone() });
            o.metadata = kube::api::ObjectMeta {
                name: Some("sneak".into()),
                namespace: Some("ps-private".into()),
                ..Default::default()
            };
            let err = Api::<DynamicObject>::namespaced_with(c, "ps-private", &ar)
                .create(&PostParams::default(), &o)
                .await
                .expect_err(&kind);
            assert!(err.to_string().contains("quota"), "{kind}: {err}");
        }
    };
    let template = serde_json::json!({"metadata": {"labels": {"app": "sneak"}}, "spec": pod["spec"]});
    refused(
        "Deployment",
        "apps/v1",
        "deployments",
        serde_json::json!({"spec": {"selector": {"matchLabels": {"app": "sneak"}}, "template": template}}),
    )
    .await;
    let mut job = template.clone();
    job["spec"]["restartPolicy"] = "Never".into();
    refused(
        "CronJob",
        "batch/v1",
        "cronjobs",
        serde_json::json!({"spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": job}}}}),
    )
    .await;
    refused("Service", "v1", "services", serde_json::json!({"spec": {"ports": [{"port": 80}]}})).await;
    refused(
        "PersistentVolumeClaim",
        "v1",
        "persistentvolumeclaims",
        serde_json::json!({"spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}),
    )
    .await;
    let egov_op = Operator::start_at(&egov.kubeconfig(), SCOPE, 300, &["--cluster", "egov"], "-again").await;

    // The provider app is deleted (from the model, so from both clusters):
    // the consumer's flow turns Pending on both sides, and its way out closes.
    for c in [&e, &p] {
        Api::<DepartmentApp>::namespaced(c.clone(), "ps-private")
            .delete("population-db", &DeleteParams::default())
            .await
            .expect("delete the provider");
    }
    let here = flow(&e, "health-extranet", "records", "ps/private/population-db", FlowState::Pending).await;
    let there = flow(&p, "health-extranet", "records", "ps/private/population-db", FlowState::Pending).await;
    assert_eq!(here, there);
    eventually("the provider's Deployment gone", WAIT, || async {
        Api::<Deployment>::namespaced(p.clone(), "ps-private")
            .get_opt("population-db")
            .await
            .ok()?
            .is_none()
            .then_some(())
    })
    .await;
    eventually("the consumer's egress closed", WAIT, || async {
        policies(&e, "health-extranet").get_opt("govcloud-app-records-egress").await.ok()?.is_none().then_some(())
    })
    .await;
    for op in [&egov_op, &private_op] {
        let log = op.log();
        assert!(!log.contains("\"level\":\"ERROR\""), "{log}");
    }
}

/// The model with the population exchange's address replaced by `address`
/// (`None`: removed).
fn with_address(address: Option<&str>) -> String {
    let line = "    address: 10.30.255.20/32\n";
    assert!(MODEL.contains(line), "the model this test edits has changed");
    MODEL.replace(line, &address.map(|a| format!("    address: {a}\n")).unwrap_or_default())
}

fn planned_flow(text: &str, cluster: &str, consumer: &str) -> (FlowState, String, Vec<String>) {
    let mut model = govcloud::model::load_str("city.yaml", text).unwrap_or_else(|e| panic!("{e:#?}")).model;
    model.cluster = Some(cluster.to_string());
    let rendered = govcloud::render::render(&model);
    let f = rendered.flows.iter().find(|f| f.consumer.app == consumer).expect("the flow");
    (
        f.state,
        f.reason.to_string(),
        rendered.problems.iter().map(|p| format!("{} {}: {}", p.object, p.field, p.message)).collect(),
    )
}

#[test]
fn a_flow_between_clusters_crosses_only_at_an_address_inside_the_provider_zone() {
    // Without an address, nothing crosses: refused on both sides, for the same reason.
    let text = with_address(None);
    let (state, reason, _) = planned_flow(&text, "egov", "records");
    assert_eq!(state, FlowState::Refused);
    assert!(reason.contains("declares no address"), "{reason}");
    assert_eq!(planned_flow(&text, "private", "records").1, reason);
    // An address outside the provider zone's ranges would send the consumer elsewhere: refused, and said where.
    let (state, _, problems) = planned_flow(&with_address(Some("10.99.0.1/32")), "egov", "records");
    assert_eq!(state, FlowState::Refused);
    assert!(
        problems.iter().any(|p| p.contains("spec.exchangeEndpoints[0].address") && p.contains("outside zone private")),
        "{problems:?}"
    );
    // Within one cluster the address is not needed: the same zones in one cluster grant the flow pod to pod.
    let one = text.replace("  cluster: private\n", "  cluster: egov\n");
    let (state, reason, _) = planned_flow(&one, "egov", "records");
    assert_eq!(state, FlowState::Granted, "{reason}");
}

#[test]
fn render_renders_one_cluster_or_every_cluster_in_turn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("city.yaml");
    std::fs::write(&model, MODEL).expect("write the model");
    let model = model.to_str().expect("path");
    let (code, out, err) = support::offline::govcloud(&["render", "-f", model]);
    assert_eq!(code, 0, "{err}");
    let egov_at = out.find("# cluster egov:").expect("the egov part is headed");
    let private_at = out.find("# cluster private:").expect("the private part is headed");
    assert!(egov_at < private_at && err.contains("cluster egov:") && err.contains("cluster private:"), "{err}");
    let deployments = |text: &str| {
        support::offline::docs(text)
            .iter()
            .filter(|d| d["kind"] == "Deployment")
            .map(|d| d["metadata"]["name"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(deployments(&out[egov_at..private_at]), ["records", "portal"]);
    assert_eq!(deployments(&out[private_at..]), ["population-db"]);
    let (code, only, _) = support::offline::govcloud(&["render", "-f", model, "--cluster", "private"]);
    assert_eq!(code, 0);
    assert!(!only.contains("# cluster"), "one cluster: no headings");
    assert_eq!(deployments(&only), ["population-db"]);
    // A cluster no zone names, or a name that is no cluster name: said, with the fix.
    let (code, _, err) = support::offline::govcloud(&["render", "-f", model, "--cluster", "egvo"]);
    assert_ne!(code, 0);
    assert!(err.contains("--cluster \"egvo\"") && err.contains("cluster egov, cluster private"), "{err}");
    let (code, _, err) = support::offline::govcloud(&["render", "-f", model, "--cluster", "Egov"]);
    assert_ne!(code, 0);
    assert!(err.contains("not a cluster name"), "{err}");
}
