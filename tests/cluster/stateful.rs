//! Stateful and scheduled apps on the real control plane: an app with
//! storage runs as a StatefulSet whose claims are bound (testenv backs the
//! model's storage classes with pre-made volumes), a scheduled app as a
//! CronJob whose runs Kubernetes' own controllers start under govcloud's
//! custody rules; and GC-VOL-003 refuses a storage class off the zone's
//! list on every path, with the operator stopped.

use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Service};
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::{Client, ResourceExt};
use serde_json::{Value, json};

use crate::support::{self, Operator, client, eventually, impersonating, pod, short};
use govcloud::api::DepartmentApp;

const CONVERGE: Duration = Duration::from_secs(120);

/// A zone on the extranet nodes that allows the class testenv backs
/// (`extranet-ssd`, from the Chifeng model the shared plane starts with), a
/// tenant with a developer, a stateful app and an app that runs every minute.
fn model(zone: &str, tenant: &str, dev: &str) -> String {
    let zone_text =
        support::offline::zone_doc(zone, "extranet", "10.97.0.0/16", "allowedStorageClasses: [extranet-ssd]");
    format!(
        r#"
{zone_text}---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: {tenant}}}
spec:
  displayName: {{zh: 甲, en: Tenant}}
  owners: [{{kind: User, name: {dev}, role: developer}}]
  zones: [{{name: {zone}}}]
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: db, namespace: {tenant}-{zone}}}
spec:
  zone: {zone}
  image: harbor.egov.local/{tenant}/db:1
  replicas: 2
  ports: [{{name: sql, port: 5432}}]
  storage: [{{name: data, size: 1Gi, mountPath: /var/lib/db}}]
  readinessProbe: {{tcpSocket: {{port: sql}}}}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: nightly, namespace: {tenant}-{zone}}}
spec:
  zone: {zone}
  image: harbor.egov.local/{tenant}/nightly:1
  schedule: {{cron: "* * * * *", backoffLimit: 0}}
  flows: {{calls: [{{app: db}}]}}
"#
    )
}

fn condition(a: &DepartmentApp, type_: &str) -> Option<(String, String, String)> {
    let c = a.status.as_ref()?.conditions.iter().find(|c| c.type_ == type_)?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}

fn dynamic(c: &Client, api_version: &str, kind: &str, ns: &str) -> Api<DynamicObject> {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    Api::namespaced_with(c.clone(), ns, &ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind)))
}

async fn create(c: &Client, ns: &str, obj: Value) -> Result<(), kube::Error> {
    let api_version = obj["apiVersion"].as_str().unwrap_or_default().to_string();
    let kind = obj["kind"].as_str().unwrap_or_default().to_string();
    let o: DynamicObject = serde_json::from_value(obj).expect("object");
    dynamic(c, &api_version, &kind, ns).create(&PostParams::default(), &o).await.map(|_| ())
}

/// A claim of 1Gi, of `class` when given (else the cluster default applies).
fn claim(name: &str, class: Option<&str>) -> Value {
    let mut spec = json!({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}});
    if let Some(c) = class {
        spec["storageClassName"] = json!(c);
    }
    json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": spec})
}

fn denied(what: &str, r: Result<(), kube::Error>, control: &str) {
    match r {
        Err(kube::Error::Api(e)) if e.message.contains(control) => {}
        other => panic!("{what}: expected a refusal with {control}, got {other:?}"),
    }
}

#[tokio::test]
async fn stateful_and_scheduled_apps_run_and_storage_classes_hold_with_the_operator_stopped() {
    let c = client().await;
    let scope = short("st");
    let (zone, tenant) = (short("z"), short("st"));
    let dev = format!("dana-{tenant}");
    let ns = format!("{tenant}-{zone}");
    let mut op = Operator::start(&scope, 300).await;
    support::apply_text(&c, &model(&zone, &tenant, &dev), &scope).await;
    let apps: Api<DepartmentApp> = Api::namespaced(c.clone(), &ns);

    // The stateful app: a StatefulSet with its claim template and headless Service, claims Bound, Ready.
    let sets: Api<StatefulSet> = Api::namespaced(c.clone(), &ns);
    let set = eventually("the app's StatefulSet", CONVERGE, || async { sets.get_opt("db").await.ok()? }).await;
    let spec = set.spec.expect("spec");
    assert_eq!(spec.service_name.as_deref(), Some("govcloud-db-pods"));
    let mounts = spec.template.spec.as_ref().map(|p| p.containers[0].volume_mounts.clone().unwrap_or_default());
    assert!(mounts.unwrap_or_default().iter().any(|m| m.name == "data" && m.mount_path == "/var/lib/db"));
    let templates = spec.volume_claim_templates.unwrap_or_default();
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].spec.as_ref().and_then(|s| s.storage_class_name.as_deref()), Some("extranet-ssd"));
    let headless = Api::<Service>::namespaced(c.clone(), &ns).get("govcloud-db-pods").await.expect("headless service");
    assert_eq!(headless.spec.and_then(|s| s.cluster_ip).as_deref(), Some("None"));
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(c.clone(), &ns);
    for name in ["data-db-0", "data-db-1"] {
        eventually(&format!("claim {name} Bound"), CONVERGE, || async {
            let phase = claims.get_opt(name).await.ok()??.status?.phase?;
            (phase == "Bound").then_some(())
        })
        .await;
    }
    let ready = eventually("the stateful app Ready", CONVERGE, || async {
        let a = apps.get_opt("db").await.ok()??;
        condition(&a, "Ready").filter(|c| c.0 == "True")
    })
    .await;
    assert_eq!(ready.1, "Running", "{ready:?}");

    // The scheduled app: a CronJob; its first run's Job and pod are made by
    // Kubernetes' controllers, admitted under the custody rules (GC-NET-006,
    // GC-MGD-001), and the app reports its schedule.
    let cron = eventually("the app's CronJob", CONVERGE, || async {
        Api::<CronJob>::namespaced(c.clone(), &ns).get_opt("nightly").await.ok()?
    })
    .await;
    assert_eq!(cron.spec.as_ref().map(|s| s.schedule.as_str()), Some("* * * * *"));
    let scheduled = eventually("the scheduled app Ready", CONVERGE, || async {
        let a = apps.get_opt("nightly").await.ok()??;
        condition(&a, "Ready").filter(|c| c.0 == "True")
    })
    .await;
    assert!(scheduled.2.contains("* * * * *"), "{scheduled:?}");
    let jobs: Api<Job> = Api::namespaced(c.clone(), &ns);
    eventually("a run's Job and its pod", Duration::from_secs(150), || async {
        let job = jobs.list(&ListParams::default()).await.ok()?.items.into_iter().next()?;
        let pods = Api::<Pod>::namespaced(c.clone(), &ns)
            .list(&ListParams::default().labels(&format!("batch.kubernetes.io/job-name={}", job.name_any())))
            .await
            .ok()?;
        let pod = pods.items.into_iter().next()?;
        (pod.labels().get("govcloud.io/app").map(String::as_str) == Some("nightly")).then_some(())
    })
    .await;

    // --- the operator stopped: GC-VOL-003 on every path ---
    op.kill();
    let dana = impersonating(&dev, &["system:authenticated"]).await;
    denied(
        "a claim of another zone's class",
        create(&dana, &ns, claim("c-other", Some("private-ssd"))).await,
        "[GC-VOL-003]",
    );
    create(&dana, &ns, claim("c-ok", Some("extranet-ssd"))).await.expect("a claim of the zone's class is allowed");
    let mut set = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s-other"},
        "spec": {"selector": {"matchLabels": {"w": "s"}}, "serviceName": "s",
                 "template": {"metadata": {"labels": {"w": "s"}}, "spec": pod("s", |_| {})["spec"].clone()},
                 "volumeClaimTemplates": [claim("data", Some("private-ssd"))]}});
    set["spec"]["template"]["spec"]["nodeSelector"] = json!({"govcloud.io/zone": "extranet"});
    denied("a StatefulSet's claim template of another class", create(&dana, &ns, set).await, "[GC-VOL-003]");
    let eph = pod("eph", |p| {
        p["spec"]["volumes"] = json!([{"name": "e", "ephemeral": {"volumeClaimTemplate": {"spec": claim("x", Some("private-ssd"))["spec"].clone()}}}]);
    });
    denied("a pod's ephemeral claim of another class", create(&dana, &ns, eph).await, "[GC-VOL-003]");
    let app = json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "DepartmentApp", "metadata": {"name": "db2"},
        "spec": {"zone": zone, "image": format!("harbor.egov.local/{tenant}/db:1"),
                 "storage": [{"name": "data", "size": "1Gi", "mountPath": "/data", "storageClass": "private-ssd"}]}});
    denied("an app's storage of another class", create(&dana, &ns, app).await, "[GC-VOL-003]");
    // UPDATE: the running app's storage moved to another class.
    let r = Api::<DepartmentApp>::namespaced(dana.clone(), &ns)
        .patch(
            "db",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"storage": [{"name": "data", "size": "1Gi", "mountPath": "/var/lib/db", "storageClass": "private-ssd"}]}})),
        )
        .await
        .map(|_| ());
    denied("an app's storage changed to another class", r, "[GC-VOL-003]");
}
