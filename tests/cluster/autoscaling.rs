//! Autoscaling on the real control plane (GC-RES-004): an app's
//! HorizontalPodAutoscaler as rendered, the Deployment left to it, and the
//! bound by the tenant's quota that admission keeps with the operator
//! stopped, for DepartmentApps and for HPAs a department writes (v1 and
//! v2, on CREATE and UPDATE); and pods the quota refuses reaching the app's
//! status. kube-controller-manager runs the HPA controller; there is no
//! metrics API, so scaling on CPU itself is not tested, only the objects
//! and their bound (the controller still raises a Deployment to minReplicas).

use crate::support;

use std::time::Duration;

use govcloud::api::DepartmentApp;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Namespace};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use serde_json::{Value, json};
use support::offline::zone_doc;
use support::{Operator, client, eventually, impersonating, short};

const CONVERGE: Duration = Duration::from_secs(120);

/// A zone on the extranet nodes and a tenant whose quota there is 6 pods,
/// 4 CPUs and 8Gi; `apps` (YAML documents) follow.
fn model(zone: &str, tenant: &str, apps: &str) -> String {
    let z = zone_doc(zone, "extranet", "10.93.0.0/16", "");
    format!(
        r#"
{z}---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: {tenant}}}
spec:
  displayName: {{zh: 卫健委, en: Health}}
  owners: [{{kind: Group, name: {tenant}-admins, role: admin}}]
  zones:
    - name: {zone}
      quota: {{cpu: "4", memory: 8Gi, pods: 6, services: 10}}
{apps}"#
    )
}

/// An app of `tenant` in `zone` with `spec` merged over a valid one
/// (limits 1 CPU and 1Gi a pod).
fn app(name: &str, tenant: &str, zone: &str, spec: Value) -> Value {
    let mut base = json!({
        "zone": zone,
        "image": format!("harbor.egov.local/{tenant}/portal:1"),
        "ports": [{"name": "http", "port": 8080}],
        "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
    });
    if let (Some(b), Some(s)) = (base.as_object_mut(), spec.as_object()) {
        b.extend(s.clone());
    }
    json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "DepartmentApp",
           "metadata": {"name": name, "namespace": format!("{tenant}-{zone}")}, "spec": base})
}

fn hpa_resource(version: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("autoscaling", version, "HorizontalPodAutoscaler"),
        "horizontalpodautoscalers",
    )
}

/// A department's own HPA (`version` v1 or v2) of its Deployment `web`.
fn hpa(name: &str, version: &str, max: i32) -> DynamicObject {
    let mut spec = json!({
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 1, "maxReplicas": max,
    });
    if version == "v1" {
        spec["targetCPUUtilizationPercentage"] = json!(80);
    } else {
        spec["metrics"] = json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]);
    }
    serde_json::from_value(json!({"apiVersion": format!("autoscaling/{version}"), "kind": "HorizontalPodAutoscaler",
                                 "metadata": {"name": name}, "spec": spec}))
    .expect("hpa")
}

/// `Ok(())`, or the API server's refusal message (a 422 or 403 from an admission policy).
fn outcome<T>(r: Result<T, kube::Error>) -> Result<(), String> {
    match r {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 422 || s.code == 403 => Err(s.message),
        Err(e) => panic!("request failed: {e}"),
    }
}

/// The namespace's annotation `key`.
async fn annotation(c: &Client, ns: &str, key: &str) -> Option<String> {
    Api::<Namespace>::all(c.clone()).get_opt(ns).await.ok()??.annotations().get(key).cloned()
}

#[tokio::test]
async fn an_apps_autoscaling_is_rendered_as_an_hpa_the_deployment_is_left_to() {
    let c = client().await;
    let scope = short("hpa");
    let (zone, tenant) = (short("z"), short("hpa"));
    let ns = format!("{tenant}-{zone}");
    let _op = Operator::start(&scope, 300).await;
    let portal = app(
        "portal",
        &tenant,
        &zone,
        json!({"replicas": 1, "autoscaling": {"minReplicas": 2, "maxReplicas": 4, "targetCPUUtilization": 60}}),
    );
    let small = json!({"limits": {"cpu": "200m", "memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}});
    let office = app("office", &tenant, &zone, json!({"replicas": 3, "resources": small}));
    let yaml = |v: &Value| serde_norway::to_string(v).expect("yaml");
    let text = model(&zone, &tenant, &format!("---\n{}---\n{}", yaml(&portal), yaml(&office)));
    support::apply_text(&c, &text, &scope).await;

    let hpas: Api<DynamicObject> = Api::namespaced_with(c.clone(), &ns, &hpa_resource("v2"));
    let h = eventually("the app's HorizontalPodAutoscaler", CONVERGE, || async { hpas.get_opt("portal").await.ok()? })
        .await;
    assert_eq!(h.data["spec"]["minReplicas"], 2);
    assert_eq!(h.data["spec"]["maxReplicas"], 4);
    assert_eq!(
        h.data["spec"]["scaleTargetRef"],
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "portal"})
    );
    assert_eq!(h.data["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 60);
    assert_eq!(h.labels().get("app.kubernetes.io/managed-by").map(String::as_str), Some("govcloud"));
    // The namespace carries what admission bounds it by.
    assert_eq!(annotation(&c, &ns, "govcloud.io/quota-pods").await.as_deref(), Some("6"));
    assert_eq!(annotation(&c, &ns, "govcloud.io/quota-cpu").await.as_deref(), Some("4"));

    // The autoscaler raises the Deployment to minReplicas (no metrics are
    // needed for that) and the operator, which renders no spec.replicas,
    // leaves it there.
    let deployments: Api<Deployment> = Api::namespaced(c.clone(), &ns);
    let replicas = || async { deployments.get_opt("portal").await.ok()??.spec?.replicas };
    eventually("the autoscaler to set the Deployment to minReplicas", CONVERGE, || async {
        (replicas().await == Some(2)).then_some(())
    })
    .await;
    let apps: Api<DepartmentApp> = Api::namespaced(c.clone(), &ns);
    eventually("the app's status to count the autoscaler's replicas", CONVERGE, || async {
        (apps.get_opt("portal").await.ok()??.status?.replicas == 2).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(replicas().await, Some(2), "the operator reset the autoscaler's count");

    // Autoscaling turned on for a running app of 3 pods: the count stays
    // (handed to the autoscaler), never the default 1 until it acts.
    let count = || async { deployments.get_opt("office").await.ok()??.spec?.replicas };
    eventually("office's Deployment at 3", CONVERGE, || async { (count().await == Some(3)).then_some(()) }).await;
    let on = json!({"spec": {"autoscaling": {"minReplicas": 2, "maxReplicas": 4, "targetCPUUtilization": 60}}});
    apps.patch("office", &PatchParams::default(), &Patch::Merge(on)).await.expect("turn autoscaling on");
    eventually("office's autoscaler", CONVERGE, || async { hpas.get_opt("office").await.ok()? }).await;
    for _ in 0..20 {
        assert_eq!(count().await, Some(3), "the running app lost pods when autoscaling was turned on");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn autoscaling_beyond_the_quota_is_refused_with_the_operator_stopped() {
    let c = client().await;
    let scope = short("hpq");
    let (zone, tenant) = (short("z"), short("hpq"));
    let ns = format!("{tenant}-{zone}");
    let mut op = Operator::start(&scope, 300).await;
    support::apply_text(&c, &model(&zone, &tenant, ""), &scope).await;
    eventually("the namespace's quota annotations", CONVERGE, || async {
        annotation(&c, &ns, "govcloud.io/quota-pods").await.filter(|p| p == "6")
    })
    .await;
    let dept = impersonating(&format!("alice-{tenant}"), &[&format!("{tenant}-admins"), "system:authenticated"]).await;
    let apps: Api<DepartmentApp> = Api::namespaced(dept.clone(), &ns);
    // The tenant's admins are bound (after the namespace's isolation) before the operator stops.
    eventually("the tenant admins' access to their namespace", CONVERGE, || async {
        apps.list(&ListParams::default()).await.ok()
    })
    .await;
    op.kill();
    let dry = PostParams { dry_run: true, ..Default::default() };
    let create = |spec: Value| {
        let a: DepartmentApp = serde_json::from_value(app(&short("a"), &tenant, &zone, spec)).expect("app");
        let (apps, dry) = (apps.clone(), dry.clone());
        async move { outcome(apps.create(&dry, &a).await) }
    };
    let scaling = |min: i32, max: i32| json!({"minReplicas": min, "maxReplicas": max, "targetCPUUtilization": 70});
    let mut wrong = Vec::new();
    // (what, spec, refused with these words or accepted)
    let cases = [
        ("4 pods at 1 CPU: the whole quota", json!({"autoscaling": scaling(1, 4)}), None),
        ("5 pods at 1 CPU", json!({"autoscaling": scaling(1, 5)}), Some("need more CPU")),
        (
            "7 small pods",
            json!({"autoscaling": scaling(1, 7), "resources": {"limits": {"cpu": "100m", "memory": "128Mi"}}}),
            Some("more pods than the tenant's quota allows"),
        ),
        (
            "3 pods at 3Gi",
            json!({"autoscaling": scaling(1, 3), "resources": {"limits": {"cpu": "1", "memory": "3Gi"}}}),
            Some("need more memory"),
        ),
        // The LimitRange's default limits (500m, 512Mi): 6 fit, by the namespace's annotations.
        ("6 pods at the default limits", json!({"autoscaling": scaling(2, 6), "resources": {}}), None),
        (
            "7 pods at a 500m limit of their own but the default memory limit",
            json!({"autoscaling": scaling(1, 7), "resources": {"limits": {"cpu": "500m"}}}),
            Some("more pods"),
        ),
        ("no autoscaling: replicas are the quota's to refuse", json!({"replicas": 8}), None),
    ];
    for (what, spec, refused) in cases {
        match (create(spec).await, refused) {
            (Ok(()), None) => {}
            (Err(m), Some(words))
                if m.contains("GC-RES-004") && m.contains("spec.autoscaling.maxReplicas") && m.contains(words) => {}
            (got, _) => wrong.push(format!("{what}: {got:?}, expected {refused:?}")),
        }
    }
    // UPDATE: an app within the quota may not be raised beyond it.
    let a: DepartmentApp =
        serde_json::from_value(app("portal", &tenant, &zone, json!({"autoscaling": scaling(1, 2)}))).expect("app");
    apps.create(&PostParams::default(), &a).await.expect("an app within the quota");
    let raise = |max: i32| Patch::Merge(json!({"spec": {"autoscaling": {"maxReplicas": max}}}));
    match outcome(apps.patch("portal", &PatchParams::default(), &raise(5)).await) {
        Err(m) if m.contains("GC-RES-004") => {}
        got => wrong.push(format!("raising the app's maxReplicas to 5: {got:?}")),
    }
    if let Err(m) = outcome(apps.patch("portal", &PatchParams::default(), &raise(3)).await) {
        wrong.push(format!("raising the app's maxReplicas to 3 was refused: {m}"));
    }

    // The figures admission reads are govcloud's: the department cannot raise them.
    let namespaces: Api<Namespace> = Api::all(dept.clone());
    let forged = Patch::Merge(json!({"metadata": {"annotations": {"govcloud.io/quota-pods": "100"}}}));
    if namespaces.patch(&ns, &PatchParams::default(), &forged).await.is_ok() {
        wrong.push("the department raised its namespace's quota-pods annotation".into());
    }

    // A department's own HPAs, v2 and v1: at most the quota's 6 pods.
    for version in ["v2", "v1"] {
        let hpas: Api<DynamicObject> = Api::namespaced_with(dept.clone(), &ns, &hpa_resource(version));
        let name = format!("web-{version}");
        match outcome(hpas.create(&PostParams::default(), &hpa(&name, version, 7)).await) {
            Err(m) if m.contains("GC-RES-004") && m.contains("spec.maxReplicas") => {}
            got => wrong.push(format!("an {version} HPA of 7 pods: {got:?}")),
        }
        if let Err(m) = outcome(hpas.create(&PostParams::default(), &hpa(&name, version, 6)).await) {
            wrong.push(format!("an {version} HPA of 6 pods was refused: {m}"));
            continue;
        }
        let raise = Patch::Merge(json!({"spec": {"maxReplicas": 9}}));
        match outcome(hpas.patch(&name, &PatchParams::default(), &raise).await) {
            Err(m) if m.contains("GC-RES-004") => {}
            got => wrong.push(format!("raising an {version} HPA to 9 pods: {got:?}")),
        }
        let lower = Patch::Merge(json!({"spec": {"maxReplicas": 3}}));
        if let Err(m) = outcome(hpas.patch(&name, &PatchParams::default(), &lower).await) {
            wrong.push(format!("lowering an {version} HPA was refused: {m}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

async fn app_events(c: &Client, ns: &str, name: &str) -> Vec<Event> {
    let events = Api::<Event>::namespaced(c.clone(), ns).list(&ListParams::default()).await.expect("events");
    events
        .items
        .into_iter()
        .filter(|e| {
            e.involved_object.kind.as_deref() == Some("DepartmentApp")
                && e.involved_object.name.as_deref() == Some(name)
        })
        .collect()
}

#[tokio::test]
async fn pods_the_quota_refuses_reach_the_apps_status_and_events() {
    let c = client().await;
    let scope = short("pr");
    let (zone, tenant) = (short("z"), short("pr"));
    let ns = format!("{tenant}-{zone}");
    let _op = Operator::start(&scope, 300).await;
    // 8 pods asked, 6 allowed: the ReplicaSet controller's FailedCreate.
    let portal = app(
        "portal",
        &tenant,
        &zone,
        json!({"replicas": 8, "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}, "requests": {"cpu": "50m", "memory": "32Mi"}}}),
    );
    let text = model(&zone, &tenant, &format!("---\n{}", serde_norway::to_string(&portal).expect("yaml")));
    support::apply_text(&c, &text, &scope).await;
    let apps: Api<DepartmentApp> = Api::namespaced(c.clone(), &ns);
    let ready = eventually("the app's Ready condition to say PodsRefused", CONVERGE, || async {
        let a = apps.get_opt("portal").await.ok()??;
        a.status?.conditions.into_iter().find(|c| c.type_ == "Ready" && c.reason == "PodsRefused")
    })
    .await;
    assert_eq!(ready.status, "False");
    assert!(ready.message.contains("exceeded quota"), "the condition quotes the API server: {}", ready.message);
    let event = eventually("a PodsRefused Warning Event on the app", CONVERGE, || async {
        app_events(&c, &ns, "portal").await.into_iter().find(|e| e.reason.as_deref() == Some("PodsRefused"))
    })
    .await;
    assert_eq!(event.type_.as_deref(), Some("Warning"));
    assert!(event.message.unwrap_or_default().contains("exceeded quota"));
}
