//! Departments' real systems on the real control plane: what the API server
//! would refuse of an app's Deployment is refused on the DepartmentApp
//! itself (and offline, alike), a ConfigMap's change rolls the apps that read
//! it, and a refusal that still happens reaches the app's status and Events.

use crate::support;

use std::time::Duration;

use govcloud::api::DepartmentApp;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Event};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use serde_json::json;
use support::offline::zone_doc;
use support::{Operator, client, eventually, install, short};

const CONVERGE: Duration = Duration::from_secs(120);

/// An app in `namespace` with `spec` merged over a valid one.
fn app(name: &str, namespace: &str, spec: serde_json::Value) -> serde_json::Value {
    let mut base = json!({
        "zone": "extranet",
        "image": "harbor.egov.local/health/probe:1.0",
        "ports": [{"name": "http", "port": 8080}],
        "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
    });
    if let (Some(b), Some(s)) = (base.as_object_mut(), spec.as_object()) {
        for (k, v) in s {
            b.insert(k.clone(), v.clone());
        }
    }
    json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "DepartmentApp", "metadata": {"name": name, "namespace": namespace}, "spec": base})
}

/// The API server's refusal of `app` (a dry-run create), if any.
async fn refusal(c: &Client, app: &serde_json::Value) -> Option<String> {
    let typed: DepartmentApp = serde_json::from_value(app.clone()).expect("app");
    let ns = typed.namespace().expect("namespace");
    let pp = PostParams { dry_run: true, field_manager: Some("govcloud-tests".into()) };
    match Api::<DepartmentApp>::namespaced(c.clone(), &ns).create(&pp, &typed).await {
        Ok(_) => None,
        Err(kube::Error::Api(s)) => {
            assert_eq!(s.code, 422, "{s:?}");
            Some(s.message)
        }
        Err(e) => panic!("request failed: {e}"),
    }
}

/// `govcloud render`'s loader on `app` alone: its problems as `field: message`.
fn offline_problems(app: &serde_json::Value) -> Vec<String> {
    let text = serde_norway::to_string(app).expect("yaml");
    match govcloud::model::load_str("app.yaml", &text) {
        Ok(_) => vec![],
        Err(problems) => problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect(),
    }
}

#[tokio::test]
async fn the_api_server_and_the_offline_loader_refuse_what_the_deployment_could_not_be() {
    install().await;
    let c = client().await;
    let ns = "default";
    // (what, spec, field offline, words both say)
    let cases = [
        (
            "limits below requests",
            json!({"resources": {"requests": {"cpu": "2", "memory": "256Mi"}, "limits": {"cpu": "1500m", "memory": "1Gi"}}}),
            "spec.resources.limits.cpu",
            "limits.cpu must be at least requests.cpu",
        ),
        (
            "memory limit below its request in other units",
            json!({"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1000Mi"}}}),
            "spec.resources.limits.memory",
            "limits.memory must be at least requests.memory",
        ),
        (
            "a readiness probe on a port the app does not have",
            json!({"readinessProbe": {"httpGet": {"path": "/healthz", "port": "health"}}}),
            "spec.readinessProbe.httpGet.port",
            "readinessProbe.httpGet.port must name one of the app's TCP ports",
        ),
        (
            "a liveness probe on a UDP port",
            json!({"ports": [{"name": "dns", "port": 5353, "protocol": "UDP"}], "livenessProbe": {"tcpSocket": {"port": "dns"}}}),
            "spec.livenessProbe.tcpSocket.port",
            "livenessProbe.tcpSocket.port must name one of the app's TCP ports",
        ),
        (
            "an environment variable with two sources",
            json!({"env": [{"name": "DB_HOST", "value": "a", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}]}),
            "spec.env[0].valueFrom",
            "takes value or valueFrom, not both",
        ),
        (
            "an environment variable name with a hyphen",
            json!({"env": [{"name": "DB-HOST", "value": "a"}]}),
            "spec.env[0].name",
            "name must be letters, digits and underscores",
        ),
        (
            "config files over /tmp",
            json!({"configFiles": [{"mountPath": "/tmp", "configMap": "c"}]}),
            "spec.configFiles[0].mountPath",
            "mountPath may not be /tmp",
        ),
        (
            "config files at a relative path",
            json!({"configFiles": [{"mountPath": "etc/c", "configMap": "c"}]}),
            "spec.configFiles[0].mountPath",
            "mountPath must be an absolute path",
        ),
        (
            "a port name with two hyphens in a row",
            json!({"ports": [{"name": "web--api", "port": 8080}]}),
            "spec.ports[0].name",
            "single hyphens",
        ),
        (
            "a probe period of zero",
            json!({"readinessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 0}}),
            "spec.readinessProbe.periodSeconds",
            "periodSeconds must be between 1 and 300",
        ),
    ];
    let mut wrong = Vec::new();
    for (what, spec, field, words) in cases {
        let a = app(&short("bad"), ns, spec);
        match refusal(&c, &a).await {
            Some(m) if m.contains(words) => {}
            Some(m) => wrong.push(format!("{what}: the API server refused without {words:?}: {m}")),
            None => wrong.push(format!("{what}: accepted by the API server")),
        }
        let offline = offline_problems(&a);
        if !offline.iter().any(|p| p.starts_with(field) && p.contains(words)) {
            wrong.push(format!("{what}: offline problems lack {field}: {words:?}: {offline:?}"));
        }
    }
    // Their valid counterparts, everything at once: accepted by both.
    let good = app(
        &short("good"),
        ns,
        json!({
            "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1000m", "memory": "1024Mi"}},
            "command": ["/app/portal"], "args": ["--config", "/etc/portal/portal.yaml"],
            "env": [
                {"name": "PORTAL_MODE", "value": "production"},
                {"name": "DB_HOST", "valueFrom": {"configMapKeyRef": {"name": "portal-config", "key": "db-host"}}},
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "portal-db", "key": "password"}}}
            ],
            "configFiles": [
                {"mountPath": "/etc/portal", "configMap": "portal-config", "items": [{"key": "portal.yaml", "path": "portal.yaml"}]},
                {"mountPath": "/etc/portal-tls", "secret": "portal-tls"}
            ],
            "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 5},
            "livenessProbe": {"tcpSocket": {"port": "http"}, "initialDelaySeconds": 10, "failureThreshold": 3},
            "startupProbe": {"exec": {"command": ["/app/check"]}, "timeoutSeconds": 2}
        }),
    );
    if let Some(m) = refusal(&c, &good).await {
        wrong.push(format!("the valid app was refused: {m}"));
    }
    let offline = offline_problems(&good);
    if !offline.is_empty() {
        wrong.push(format!("the valid app has offline problems: {offline:?}"));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A zone on the extranet nodes, a tenant, and one app reading the
/// ConfigMap `portal-config` (an environment variable and a file) and the
/// Secret `portal-db` (never read by govcloud).
fn config_model(zone: &str, tenant: &str) -> String {
    let zone_text = zone_doc(zone, "extranet", "10.98.0.0/16", "");
    format!(
        r#"
{zone_text}---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: {tenant}}}
spec:
  displayName: {{zh: 甲, en: Tenant}}
  zones: [{{name: {zone}}}]
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: portal, namespace: {tenant}-{zone}}}
spec:
  zone: {zone}
  image: harbor.egov.local/{tenant}/portal:1
  ports: [{{name: http, port: 8080}}]
  env:
  - name: DB_HOST
    valueFrom: {{configMapKeyRef: {{name: portal-config, key: db-host}}}}
  - name: DB_PASSWORD
    valueFrom: {{secretKeyRef: {{name: portal-db, key: password}}}}
  configFiles:
  - {{mountPath: /etc/portal, configMap: portal-config}}
  readinessProbe:
    httpGet: {{path: /healthz, port: http}}
"#
    )
}

/// The config digest on the app's pod template and the Deployment's generation.
async fn template_digest(deployments: &Api<Deployment>) -> Option<(String, i64)> {
    let d = deployments.get_opt("portal").await.ok()??;
    let digest = d.spec?.template.metadata?.annotations?.get("govcloud.io/config-digest")?.clone();
    Some((digest, d.metadata.generation?))
}

#[tokio::test]
async fn a_config_map_change_rolls_the_app_and_nothing_else_does() {
    let c = client().await;
    let scope = short("cm");
    let (zone, tenant) = (short("z"), short("cm"));
    let ns = format!("{tenant}-{zone}");
    let _op = Operator::start(&scope, 300).await;
    support::apply_text(&c, &config_model(&zone, &tenant), &scope).await;
    let deployments: Api<Deployment> = Api::namespaced(c.clone(), &ns);
    // No ConfigMap yet: the digest of an absent one.
    let (absent, _) = eventually("the app's Deployment", CONVERGE, || template_digest(&deployments)).await;
    let spec = deployments.get("portal").await.expect("deployment").spec.expect("spec").template.spec.expect("pod");
    let container = &spec.containers[0];
    let mounts = container.volume_mounts.clone().unwrap_or_default();
    assert!(mounts.iter().any(|m| m.mount_path == "/etc/portal" && m.read_only == Some(true)), "{mounts:?}");
    assert!(container.readiness_probe.is_some(), "{container:?}");

    let config_maps: Api<ConfigMap> = Api::namespaced(c.clone(), &ns);
    let cm = |host: &str| -> ConfigMap {
        serde_json::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "portal-config"}, "data": {"db-host": host}}))
            .expect("configmap")
    };
    let pp = PatchParams::apply("govcloud-tests").force();
    config_maps.patch("portal-config", &pp, &Patch::Apply(cm("db1.local"))).await.expect("create configmap");
    let (first, generation) = eventually("the template to follow the new ConfigMap", CONVERGE, || async {
        template_digest(&deployments).await.filter(|(d, _)| *d != absent)
    })
    .await;

    // A change of its data rolls the pods: a new template, a new generation.
    let start = std::time::Instant::now();
    config_maps.patch("portal-config", &pp, &Patch::Apply(cm("db2.local"))).await.expect("change configmap");
    let (second, generation2) = eventually("the template to follow the changed data", CONVERGE, || async {
        template_digest(&deployments).await.filter(|(d, _)| *d != first)
    })
    .await;
    let rolled_in = start.elapsed();
    assert!(generation2 > generation, "the Deployment's generation {generation2} after {generation}");
    assert_ne!(second, absent);
    eprintln!("a ConfigMap change reached the app's pod template in {rolled_in:?}");

    // A change that leaves the data alone (a label) does not.
    config_maps
        .patch(
            "portal-config",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"team": "portal"}}})),
        )
        .await
        .expect("label configmap");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(template_digest(&deployments).await, Some((second.clone(), generation2)), "a label rolled the app");

    // A ConfigMap the app does not read changes nothing either.
    let other: ConfigMap = serde_json::from_value(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "unrelated"}, "data": {"a": "b"}}),
    )
    .expect("configmap");
    config_maps.patch("unrelated", &pp, &Patch::Apply(other)).await.expect("unrelated configmap");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(template_digest(&deployments).await, Some((second.clone(), generation2)));

    // Deleted, it is absent again.
    config_maps.delete("portal-config", &DeleteParams::default()).await.expect("delete configmap");
    eventually("the template to say the ConfigMap is absent", CONVERGE, || async {
        template_digest(&deployments).await.filter(|(d, _)| *d == absent)
    })
    .await;
}

async fn app_events(c: &Client, ns: &str, name: &str) -> Vec<Event> {
    Api::<Event>::namespaced(c.clone(), ns)
        .list(&ListParams::default())
        .await
        .map(|l| {
            l.items
                .into_iter()
                .filter(|e| {
                    e.involved_object.kind.as_deref() == Some("DepartmentApp")
                        && e.involved_object.name.as_deref() == Some(name)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_refusal_of_the_apps_deployment_reaches_its_status_and_events() {
    let c = client().await;
    let scope = short("rf");
    let (zone, tenant) = (short("z"), short("rf"));
    let ns = format!("{tenant}-{zone}");
    // A cluster administrator's own policy, in this namespace only: no
    // Deployment may be written there. Nothing in the app can satisfy it.
    let (policy, message) = (short("no-deployments"), "deployments are frozen here by the change board");
    let ar = |kind: &str| {
        kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk("admissionregistration.k8s.io", "v1", kind))
    };
    let policies: Api<DynamicObject> = Api::all_with(c.clone(), &ar("ValidatingAdmissionPolicy"));
    let bindings: Api<DynamicObject> = Api::all_with(c.clone(), &ar("ValidatingAdmissionPolicyBinding"));
    let pp = PatchParams::apply("govcloud-tests").force();
    let p: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy", "metadata": {"name": policy},
        "spec": {"failurePolicy": "Fail",
                 "matchConstraints": {"resourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["deployments"]}]},
                 "validations": [{"expression": "false", "message": message}]}
    }))
    .expect("policy");
    policies.patch(&policy, &pp, &Patch::Apply(p)).await.expect("policy");
    let b: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": policy},
        "spec": {"policyName": policy, "validationActions": ["Deny"],
                 "matchResources": {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}}
    }))
    .expect("binding");
    bindings.patch(&policy, &pp, &Patch::Apply(b)).await.expect("binding");
    // The policy takes a moment to reach the API server's admission.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let _op = Operator::start(&scope, 300).await;
    support::apply_text(&c, &config_model(&zone, &tenant), &scope).await;
    let apps: Api<DepartmentApp> = Api::namespaced(c.clone(), &ns);
    let condition = eventually("the app's Ready condition to say Refused", CONVERGE, || async {
        let a = apps.get_opt("portal").await.ok()??;
        a.status?.conditions.into_iter().find(|c| c.type_ == "Ready" && c.reason == "Refused")
    })
    .await;
    assert_eq!(condition.status, "False");
    assert!(
        condition.message.contains("Deployment") && condition.message.contains(message),
        "the condition quotes the API server: {}",
        condition.message
    );
    let event = eventually("a Refused Warning Event on the app", CONVERGE, || async {
        app_events(&c, &ns, "portal").await.into_iter().find(|e| e.reason.as_deref() == Some("Refused"))
    })
    .await;
    assert_eq!(event.type_.as_deref(), Some("Warning"));
    assert!(event.message.unwrap_or_default().contains(message));

    // The administrator lifts the freeze: the app's Deployment goes through.
    bindings.delete(&policy, &DeleteParams::default()).await.expect("delete binding");
    policies.delete(&policy, &DeleteParams::default()).await.expect("delete policy");
    eventually("the Deployment, once the policy is gone", CONVERGE, || async {
        Api::<Deployment>::namespaced(c.clone(), &ns).get_opt("portal").await.ok()?
    })
    .await;
    eventually("the Refused condition to clear", CONVERGE, || async {
        let a = apps.get_opt("portal").await.ok()??;
        let ready = a.status?.conditions.into_iter().find(|c| c.type_ == "Ready")?;
        (ready.reason != "Refused").then_some(())
    })
    .await;
}
