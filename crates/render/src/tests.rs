use super::*;
use govcloud_core::meta::kinds::OwnerKind;

#[test]
fn an_owners_slice_holds_what_its_reconcile_reads_and_nothing_else() {
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("examples/chifeng");
    let model = govcloud_core::model::load_paths(&[dir]).expect("chifeng").model;
    let all = render(&model);
    let mut checked = 0;
    for f in all.flows.iter().filter(|f| f.consumer.tenant != f.provider.tenant) {
        let ns = format!("{}-{}", f.consumer.tenant, f.consumer.zone);
        let app = all.slice(OwnerKind::DepartmentApp, &ns, &f.consumer.app);
        let want: Vec<String> =
            all.owned_by(OwnerKind::DepartmentApp, &ns, &f.consumer.app).iter().map(|o| o.id()).collect();
        assert!(!want.is_empty());
        assert_eq!(app.objects.iter().map(Owned::id).collect::<Vec<_>>(), want);
        assert!(
            ["Deployment", "StatefulSet", "CronJob"].iter().any(|k| app.object(k, &ns, &f.consumer.app).is_some()),
            "its workload"
        );
        assert!(app.flows.contains(f), "its own call");
        assert!(app.flows.len() < all.flows.len());
        let tenant = all.slice(OwnerKind::Tenant, "", &f.provider.tenant);
        assert!(tenant.flows.contains(f), "a call it receives");
        assert!(
            tenant
                .objects
                .iter()
                .all(|o| o.meta().labels.as_ref().and_then(|l| l.get(labels::OWNER_NAME)) == Some(&f.provider.tenant))
        );
        assert!(tenant.objects.iter().any(|o| o.kind() == "Namespace"));
        checked += 1;
    }
    assert!(checked > 5, "{checked} cross-tenant flows");
}

/// Apps of the same name in two tenants: each one's share of the flows
/// is its own, found by namespace and name, not the namesake's.
#[test]
fn a_namesake_in_another_tenant_shares_none_of_an_apps_flows() {
    let text = r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: extranet}
spec:
  kind: extranet
  displayName: {zh: 政务外网, en: E-gov extranet}
  nodePool:
    selector: {govcloud.io/zone: extranet}
    taint: {key: govcloud.io/zone, value: extranet, effect: NoSchedule}
  cidrs: [10.10.0.0/16]
  mlpsLevel: 2
  allowedRegistries: [harbor.egov.local]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: a}
spec: {displayName: {zh: 甲, en: A}, zones: [{name: extranet}]}
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: b}
spec: {displayName: {zh: 乙, en: B}, zones: [{name: extranet}]}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {name: portal, namespace: a-extranet}
spec:
  zone: extranet
  displayName: {zh: 门户, en: Portal}
  image: harbor.egov.local/a/portal:1.0.0
  ports: [{name: http, port: 8080}]
  flows: {calls: [{app: db}]}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {name: db, namespace: a-extranet}
spec:
  zone: extranet
  displayName: {zh: 库, en: DB}
  image: harbor.egov.local/a/db:1.0.0
  ports: [{name: sql, port: 5432}]
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {name: portal, namespace: b-extranet}
spec:
  zone: extranet
  displayName: {zh: 门户, en: Portal}
  image: harbor.egov.local/b/portal:1.0.0
  ports: [{name: http, port: 8080}]
"#;
    let model = govcloud_core::model::load_str("namesakes.yaml", text).expect("model").model;
    let planned = plan(&model, &Verdicts::default());
    assert_eq!(planned.flows.len(), 1, "{:?}", planned.flows);
    assert_eq!(planned.owner(OwnerKind::DepartmentApp, "a-extranet", "portal").flows.len(), 1);
    assert!(
        planned.owner(OwnerKind::DepartmentApp, "b-extranet", "portal").flows.is_empty(),
        "b's portal calls nothing and is called by no one"
    );
    assert!(render(&model).slice(OwnerKind::DepartmentApp, "b-extranet", "portal").flows.is_empty());
    assert!(planned.owner(OwnerKind::Tenant, "", "b").flows.is_empty());
    assert!(
        planned.knows(OwnerKind::Tenant, "", "b")
            && planned.knows(OwnerKind::DepartmentApp, "b-extranet", "portal")
            && planned.knows(OwnerKind::NetworkZone, "", "extranet")
    );
    assert!(
        !planned.knows(OwnerKind::Tenant, "", "c")
            && !planned.knows(OwnerKind::DepartmentApp, "a-extranet", "other")
            && !planned.knows(OwnerKind::NetworkZone, "", "private")
    );
    // A tenant the plan leaves out (being deleted) is not known to it.
    let mut without = model.clone();
    without.tenants.retain(|t| kube::ResourceExt::name_any(t) != "b");
    assert!(!plan(&without, &Verdicts::default()).knows(OwnerKind::Tenant, "", "b"));
}

/// Renders per owner equal the slices of the whole rendering, for every
/// owner of Chifeng and of the bad-input fixtures (owners with problems).
#[test]
fn an_owners_render_from_the_plan_is_its_slice_of_the_whole_rendering() {
    let root = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let mut models = vec![govcloud_core::model::load_paths(&[root.join("examples/chifeng")]).expect("chifeng").model];
    let fixtures = std::fs::read_dir(root.join("tests/fixtures/invalid")).expect("fixtures");
    for f in fixtures.flatten() {
        if let Ok(l) = govcloud_core::model::load_paths(&[f.path()]) {
            models.push(l.model);
        }
    }
    assert!(models.len() > 10, "{}", models.len());
    let mut owners = 0;
    for model in &models {
        let all = render(model);
        let planned = plan(model, &Verdicts::default());
        let ids = |r: &Rendered| r.objects.iter().map(|o| serde_json::to_string(o).expect("json")).collect::<Vec<_>>();
        let mut keys: Vec<(OwnerKind, String, String)> = model
            .zones
            .iter()
            .map(|z| (OwnerKind::NetworkZone, String::new(), kube::ResourceExt::name_any(z)))
            .collect();
        keys.extend(model.tenants.iter().map(|t| (OwnerKind::Tenant, String::new(), kube::ResourceExt::name_any(t))));
        keys.extend(model.apps.iter().map(|a| {
            (
                OwnerKind::DepartmentApp,
                kube::ResourceExt::namespace(a).unwrap_or_default(),
                kube::ResourceExt::name_any(a),
            )
        }));
        for (kind, ns, name) in keys {
            let (whole, own) = (all.slice(kind, &ns, &name), planned.owner(kind, &ns, &name));
            assert_eq!(ids(&own), ids(&whole), "{kind} {ns}/{name}");
            assert_eq!(own.flows, whole.flows, "{kind} {ns}/{name}");
            assert_eq!(own.problems, whole.problems, "{kind} {ns}/{name}");
            owners += 1;
        }
        for z in model.zones.iter().map(kube::ResourceExt::name_any) {
            let workloads = all
                .objects
                .iter()
                .filter(|o| {
                    matches!(o.kind(), "Deployment" | "StatefulSet" | "CronJob")
                        && o.meta().labels.as_ref().and_then(|l| l.get(labels::ZONE)) == Some(&z)
                })
                .count();
            assert_eq!(planned.apps_in_zone(&z), workloads, "zone {z}");
        }
    }
    assert!(owners > 50, "{owners}");
}

/// Planning reads no tenant's or app's status: the operator's plan leaves
/// them out of its copy of the model (`Context::plan_for`). Every tenant and
/// app given a full status (counts, flows granted and refused, quota,
/// conditions, violations) plans to the same objects, flows and problems.
#[test]
fn a_plan_reads_no_tenant_or_app_status() {
    use govcloud_core::api::{DepartmentAppStatus, TenantStatus};
    use serde_json::json;
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("examples/chifeng");
    let bare = govcloud_core::model::load_paths(&[dir]).expect("chifeng").model;
    let condition = json!({"type": "Ready", "status": "False", "reason": "Blocked", "message": "m",
        "lastTransitionTime": "2026-12-07T00:00:00Z"});
    let mut full = bare.clone();
    for (i, t) in full.tenants.iter_mut().enumerate() {
        let status = json!({"observedGeneration": 3, "namespaces": [format!("ns-{i}")], "apps": 9,
            "flowsGiven": 2, "flowsReceived": 4, "kind": "department", "cpuSummary": "1/2",
            "quota": [{"zone": "extranet", "namespace": format!("ns-{i}"), "granted": {"pods": "1"}, "used": {"pods": "9"}}],
            "compliance": {"pass": 1, "fail": 2, "warn": 0, "skip": 0, "report": "r"},
            "conditions": [condition]});
        t.status = Some(serde_json::from_value::<TenantStatus>(status).expect("a tenant status"));
    }
    for a in full.apps.iter_mut() {
        let status = json!({"observedGeneration": 2, "replicas": 5, "readyReplicas": 0, "endpoints": ["x"],
            "flows": [{"target": "t/z/a", "state": "Refused", "reason": "no", "since": "2026-12-01T00:00:00Z"},
                      {"target": "t/z/b", "state": "Granted", "reason": "yes", "address": "10.0.0.1"}],
            "flowsGranted": 1, "flowsRefused": 1, "violations": ["spec.image: no"], "conditions": [condition]});
        a.status = Some(serde_json::from_value::<DepartmentAppStatus>(status).expect("an app status"));
    }
    let as_text = |r: &Rendered| {
        (
            r.objects.iter().map(|o| serde_json::to_string(o).expect("json")).collect::<Vec<_>>(),
            format!("{:?}", r.flows),
            format!("{:?}", r.problems),
        )
    };
    let (with, without) = (render(&full), render(&bare));
    assert!(with.objects.len() > 300 && !with.flows.is_empty());
    assert_eq!(as_text(&with), as_text(&without));
    let verdicts = Verdicts::default();
    let (pf, pb) = (plan(&full, &verdicts), plan(&bare, &verdicts));
    assert_eq!(format!("{:?}{:?}", pf.flows, pf.problems), format!("{:?}{:?}", pb.flows, pb.problems));
    assert_eq!(pf.render_all().objects.len(), pb.render_all().objects.len());
}

/// Whether a label selector (as JSON) selects a namespace with `labels`.
fn selects(selector: &serde_json::Value, labels: &[(&str, &str)]) -> bool {
    let get = |k: &str| labels.iter().find(|(l, _)| *l == k).map(|(_, v)| *v);
    let by_label = selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| get(k).is_some_and(|x| Some(x) == v.as_str()));
    let by_expression = selector["matchExpressions"].as_array().into_iter().flatten().all(|e| {
        let key = e["key"].as_str().unwrap_or_default();
        let values: Vec<&str> = e["values"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
        match e["operator"].as_str() {
            Some("Exists") => get(key).is_some(),
            Some("DoesNotExist") => get(key).is_none(),
            Some("In") => get(key).is_some_and(|v| values.contains(&v)),
            Some("NotIn") => get(key).is_none_or(|v| !values.contains(&v)),
            other => panic!("operator {other:?}"),
        }
    });
    by_label && by_expression
}

/// A tenant namespace meets each pod-spec bundle once: through its zone's
/// binding (with the zone as parameter) once the catch-all leaves that zone
/// out, else through the catch-all (no parameter); never through none.
#[test]
fn a_tenant_namespace_meets_each_bundle_once_through_its_zone_or_the_catch_all() {
    use govcloud_core::controls::admission::{catch_all_bindings, static_objects};
    let bindings = |zones: &[&str], bound: &[&str]| -> Vec<serde_json::Value> {
        let mut out: Vec<serde_json::Value> = static_objects(govcloud_core::meta::names::OPERATOR_NAMESPACE)
            .into_iter()
            .filter(|o| o["kind"] == "ValidatingAdmissionPolicyBinding")
            .filter(|o| !catch_all_bindings(&[]).contains(o))
            .collect();
        out.extend(catch_all_bindings(bound));
        for z in zones {
            out.extend(render_zone(z).iter().map(|o| serde_json::to_value(o).expect("binding")));
        }
        out
    };
    let bundles: Vec<String> = ["pods", "workloads", "cronjobs"].iter().map(|s| format!("govcloud-{s}")).collect();
    // (policy, param) of each binding of `policy` that selects the namespace.
    let meeting = |all: &[serde_json::Value], policy: &str, labels: &[(&str, &str)]| -> Vec<Option<String>> {
        all.iter()
            .filter(|b| b["spec"]["policyName"] == policy)
            .filter(|b| selects(&b["spec"]["matchResources"]["namespaceSelector"], labels))
            .map(|b| b["spec"]["paramRef"]["name"].as_str().map(String::from))
            .collect()
    };
    let tenant = labels::TENANT;
    let zone = labels::ZONE;
    // East's bindings seen in place, west's not yet made.
    let all = bindings(&["east"], &["east"]);
    for b in &bundles {
        assert_eq!(meeting(&all, b, &[(tenant, "t"), (zone, "east")]), vec![Some("east".to_string())], "{b}");
        assert_eq!(meeting(&all, b, &[(tenant, "t"), (zone, "west")]), vec![None], "{b}");
        assert_eq!(meeting(&all, b, &[(tenant, "t")]), vec![None], "{b}");
        assert!(meeting(&all, b, &[(zone, "east")]).is_empty(), "{b}: not a tenant namespace");
    }
    // West's bindings made but not yet seen: met twice, never not at all.
    let all = bindings(&["east", "west"], &["east"]);
    for b in &bundles {
        assert_eq!(meeting(&all, b, &[(tenant, "t"), (zone, "west")]).len(), 2, "{b}");
    }
    // No zone policy of a shape is bound on its own any more.
    for o in render_zone("east") {
        let v = serde_json::to_value(&o).expect("binding");
        assert!(!v["spec"]["policyName"].as_str().unwrap_or_default().starts_with("govcloud-zone-pods"), "{v}");
    }
}
