//! Public apps with the operator stopped: the zone's runtime classes
//! (GC-POD-003) on bare pods, every workload kind's template and the
//! `ephemeralcontainers` subresource; its ingress classes and TLS issuers
//! (GC-SVC-004, GC-SVC-005) on Ingresses, CREATE and UPDATE, whoever gets
//! past custody; and all three on DepartmentApps at `kubectl apply` time.

use crate::support;

use std::time::Duration;

use kube::Client;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use support::offline::zone_doc;
use support::{Operator, client, eventually, impersonating, pod, short};

fn api(c: &Client, api_version: &str, kind: &str, ns: Option<&str>) -> Api<DynamicObject> {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
    match ns {
        Some(ns) => Api::namespaced_with(c.clone(), ns, &ar),
        None => Api::all_with(c.clone(), &ar),
    }
}

async fn create(c: &Client, ns: Option<&str>, obj: Value) -> Result<(), kube::Error> {
    let o: DynamicObject = serde_json::from_value(obj.clone()).expect("object");
    api(c, obj["apiVersion"].as_str().unwrap_or_default(), obj["kind"].as_str().unwrap_or_default(), ns)
        .create(&PostParams::default(), &o)
        .await
        .map(|_| ())
}

/// Replaces `kind` `ns/name` with `f` applied (retrying conflicts).
async fn update(
    c: &Client,
    api_version: &str,
    kind: &str,
    ns: &str,
    name: &str,
    f: impl Fn(&mut Value),
) -> Result<(), kube::Error> {
    let a = api(c, api_version, kind, Some(ns));
    for _ in 0..20 {
        let mut v = serde_json::to_value(a.get(name).await?).expect("json");
        f(&mut v);
        let o: DynamicObject = serde_json::from_value(v).expect("object");
        match a.replace(name, &PostParams::default(), &o).await {
            Err(kube::Error::Api(s)) if s.code == 409 => tokio::time::sleep(Duration::from_millis(100)).await,
            r => return r.map(|_| ()),
        }
    }
    panic!("{kind} {ns}/{name}: kept conflicting");
}

#[track_caller]
fn denied(what: &str, r: Result<(), kube::Error>, needle: &str) {
    match r {
        Err(kube::Error::Api(s)) if s.code == 403 || s.code == 422 => {
            assert!(s.message.contains(needle), "{what}: expected {needle:?} in the denial, got: {}", s.message)
        }
        other => panic!("{what}: expected a denial naming {needle:?}, got {other:?}"),
    }
}

#[track_caller]
fn allowed(what: &str, r: Result<(), kube::Error>) {
    if let Err(e) = r {
        panic!("{what}: expected to be allowed, got {e}");
    }
}

fn workload(kind: &str, name: &str, runtime: &str) -> Value {
    let mut template = pod(name, |p| p["spec"]["runtimeClassName"] = json!(runtime));
    template["metadata"] = json!({"labels": {"w": name}});
    let tpl = json!({"metadata": template["metadata"], "spec": template["spec"]});
    let (api_version, spec) = match kind {
        "CronJob" => ("batch/v1", json!({"schedule": "0 0 * * *", "jobTemplate": {"spec": {"template": tpl}}})),
        "Job" => ("batch/v1", json!({"template": tpl})),
        "ReplicationController" => ("v1", json!({"selector": {"w": name}, "template": tpl})),
        _ => ("apps/v1", json!({"selector": {"matchLabels": {"w": name}}, "template": tpl})),
    };
    let mut o = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}, "spec": spec});
    for p in ["/spec/template/spec", "/spec/jobTemplate/spec/template/spec"] {
        if let (true, Some(s)) = (kind == "Job" || kind == "CronJob", o.pointer_mut(p)) {
            s["restartPolicy"] = json!("Never");
        }
    }
    o
}

fn app(name: &str, zone: &str, extra: Value) -> Value {
    let mut spec = json!({"zone": zone, "image": "harbor.egov.local/a/x:1", "ports": [{"name": "http", "port": 8080}]});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        spec[k] = v;
    }
    json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "DepartmentApp", "metadata": {"name": name}, "spec": spec})
}

#[tokio::test]
async fn public_app_classes_and_tls_hold_with_the_operator_stopped() {
    let admin = client().await;
    let scope = short("pub");
    let (ext, dmz, sbx, a) = (short("x"), short("d"), short("s"), short("ta"));
    let (aext, admz, asbx) = (format!("{a}-{ext}"), format!("{a}-{dmz}"), format!("{a}-{sbx}"));
    // RuntimeClasses must exist, or the API server's RuntimeClass plugin refuses the pod before our policies see it.
    let (gvisor, kata, runc) = (short("gvisor"), short("kata"), short("runc"));
    for rc in [&gvisor, &kata, &runc] {
        create(&admin, None, json!({"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": rc}, "handler": "runc"}))
            .await
            .expect("runtime class");
    }
    let (class, issuer) = (short("nginx"), short("acme"));
    let dev = format!("bob-{a}");
    let text = format!(
        "{}---\n{}---\n{}---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {a}}}\nspec:\n  displayName: {{zh: 甲局, en: Bureau A}}\n  owners: [{{kind: User, name: {dev}, role: developer}}]\n  zones: [{{name: {ext}}}, {{name: {dmz}}}, {{name: {sbx}}}]\n---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: site, namespace: {admz}}}\nspec: {{zone: {dmz}, image: harbor.egov.local/a/site:1, ports: [{{name: http, port: 8080}}], exposure: public, tls: {{issuer: {issuer}}}}}\n",
        zone_doc(&ext, "extranet", "10.71.0.0/16", &format!("allowedRuntimeClasses: [{gvisor}]")),
        zone_doc(
            &dmz,
            "internet",
            "172.71.0.0/16",
            &format!(
                "internetIngress: true\npublicDomain: example.gov\nallowedIngressClasses: [{class}]\ntlsIssuers: [{issuer}]"
            ),
        ),
        zone_doc(
            &sbx,
            "extranet",
            "10.72.0.0/16",
            &format!("allowedRuntimeClasses: [{gvisor}, {kata}]\nrequiredRuntimeClass: {gvisor}")
        ),
    );

    // Provision with the operator, then stop it: everything below is the API server alone.
    let mut op = Operator::start(&scope, 3).await;
    support::apply_text(&admin, &text, &scope).await;
    let ingresses = api(&admin, "networking.k8s.io/v1", "Ingress", Some(&admz));
    let rendered = eventually("the public app's Ingress", Duration::from_secs(120), || async {
        ingresses.get_opt("site").await.ok().flatten()
    })
    .await;
    let bindings = api(&admin, "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", None);
    for (policy, zone) in [
        ("pods", &ext),
        ("workloads", &ext),
        ("cronjobs", &ext),
        ("pods", &sbx),
        ("ingresses", &dmz),
        ("apps", &dmz),
        ("apps", &sbx),
    ] {
        let name = format!("govcloud-zone-{policy}-{zone}");
        eventually(&name, Duration::from_secs(60), || async { bindings.get_opt(&name).await.ok().flatten() }).await;
    }
    // And the developer's RoleBindings: what the developer is refused below
    // must be the policies' refusal, not RBAC's (on a loaded machine the
    // tenant's bindings may come after the zones').
    for ns in [&aext, &admz, &asbx] {
        let role_bindings = api(&admin, "rbac.authorization.k8s.io/v1", "RoleBinding", Some(ns));
        eventually(&format!("{ns}'s developer binding"), Duration::from_secs(120), || async {
            role_bindings.get_opt("govcloud-developer").await.ok().flatten()
        })
        .await;
    }
    op.kill();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let r = serde_json::to_value(&rendered).expect("json");
    assert_eq!(r["spec"]["ingressClassName"], json!(class), "the zone's first class: {r}");
    assert_eq!(r["spec"]["tls"][0]["secretName"], json!("site-tls"), "{r}");
    assert_eq!(r["metadata"]["annotations"]["cert-manager.io/cluster-issuer"], json!(issuer), "{r}");

    let dev = impersonating(&dev, &["system:authenticated"]).await;
    // --- GC-POD-003: bare pods, every workload kind's template ---
    denied(
        "developer's pod names a runtime class the zone does not list",
        create(&dev, Some(&aext), pod("rc", |p| p["spec"]["runtimeClassName"] = json!(runc))).await,
        "[GC-POD-003]",
    );
    denied(
        "developer's Deployment template names a runtime class the zone does not list",
        create(&dev, Some(&aext), workload("Deployment", "dep", &runc)).await,
        "[GC-POD-003]",
    );
    // Every kind's template (some only a cluster administrator may create: the policy holds for them too).
    for kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"] {
        denied(
            &format!("a {kind} template names a runtime class the zone does not list"),
            create(&admin, Some(&aext), workload(kind, &kind.to_lowercase(), &runc)).await,
            "[GC-POD-003]",
        );
    }
    allowed(
        "developer's Deployment names the zone's runtime class",
        create(&dev, Some(&aext), workload("Deployment", "sandboxed", &gvisor)).await,
    );
    denied(
        "developer moves its Deployment's template to a runtime class the zone does not list (UPDATE)",
        update(&dev, "apps/v1", "Deployment", &aext, "sandboxed", |o| {
            o["spec"]["template"]["spec"]["runtimeClassName"] = json!(runc)
        })
        .await,
        "[GC-POD-003]",
    );
    allowed(
        "developer's pod names the zone's runtime class",
        create(&dev, Some(&aext), pod("sandboxed", |p| p["spec"]["runtimeClassName"] = json!(gvisor))).await,
    );
    // A zone requiring a sandbox: none named, or another allowed one, is refused.
    denied(
        "developer's pod names no runtime class where one is required",
        create(&dev, Some(&asbx), pod("plain", |_| {})).await,
        "[GC-POD-003]",
    );
    denied(
        "developer's Job template runs another allowed runtime where one is required",
        create(&dev, Some(&asbx), workload("Job", "other", &kata)).await,
        "[GC-POD-003]",
    );
    allowed(
        "developer's pod runs the required sandbox",
        create(&dev, Some(&asbx), pod("boxed", |p| p["spec"]["runtimeClassName"] = json!(gvisor))).await,
    );
    // The ephemeralcontainers subresource: once the zone withdraws the class, a
    // debug container joins no pod running it (a cluster administrator included).
    let debug = |name: &str| {
        Patch::Strategic(
            json!({"spec": {"ephemeralContainers": [{"name": name, "image": "harbor.egov.local/a/c:1", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}}),
        )
    };
    let zones = api(&admin, "govcloud.io/v1alpha1", "NetworkZone", None);
    let list = |classes: Vec<&String>| Patch::Merge(json!({"spec": {"allowedRuntimeClasses": classes}}));
    zones.patch(&ext, &PatchParams::default(), &list(vec![&kata])).await.expect("withdraw gvisor");
    let pods = api(&admin, "v1", "Pod", Some(&aext));
    // The policies read the zone from the API server's cache: wait until a
    // (dry-run) pod naming the withdrawn class is refused, so the debug
    // container below meets the same zone (an attempt that passed would
    // stay in the pod for good).
    let probe: DynamicObject =
        serde_json::from_value(pod("probe", |p| p["spec"]["runtimeClassName"] = json!(gvisor))).expect("probe pod");
    eventually("admission sees the class withdrawn", Duration::from_secs(30), || async {
        match pods.create(&PostParams { dry_run: true, ..PostParams::default() }, &probe).await {
            Err(kube::Error::Api(s)) if s.message.contains("[GC-POD-003]") => Some(()),
            _ => None,
        }
    })
    .await;
    eventually("the withdrawn class refused", Duration::from_secs(30), || async {
        match pods.patch_subresource("ephemeralcontainers", "sandboxed", &PatchParams::default(), &debug("dbg")).await {
            Err(kube::Error::Api(s)) if s.message.contains("[GC-POD-003]") => Some(()),
            Err(kube::Error::Api(s)) if s.message.contains("runtimeClassName") => {
                panic!("refused for another reason: {}", s.message)
            }
            Ok(_) => panic!("a debug container joined a pod of a withdrawn runtime class"),
            Err(_) => None,
        }
    })
    .await;
    zones.patch(&ext, &PatchParams::default(), &list(vec![&gvisor])).await.expect("restore gvisor");
    eventually("the restored class allowed", Duration::from_secs(30), || async {
        pods.patch_subresource("ephemeralcontainers", "sandboxed", &PatchParams::default(), &debug("dbg")).await.ok()
    })
    .await;

    // --- GC-SVC-004, GC-SVC-005 on Ingresses: past custody (a cluster administrator), on UPDATE and CREATE ---
    let set = |f: fn(&mut Value, &str), v: String| move |o: &mut Value| f(o, &v);
    denied(
        "the Ingress is moved to another class",
        update(
            &admin,
            "networking.k8s.io/v1",
            "Ingress",
            &admz,
            "site",
            set(|o, v| o["spec"]["ingressClassName"] = json!(v), "nginx-extranet".into()),
        )
        .await,
        "[GC-SVC-004]",
    );
    denied(
        "the Ingress names another class by the deprecated annotation",
        update(
            &admin,
            "networking.k8s.io/v1",
            "Ingress",
            &admz,
            "site",
            set(|o, v| o["metadata"]["annotations"]["kubernetes.io/ingress.class"] = json!(v), "nginx-extranet".into()),
        )
        .await,
        "[GC-SVC-004]",
    );
    denied(
        "the Ingress asks another ClusterIssuer",
        update(
            &admin,
            "networking.k8s.io/v1",
            "Ingress",
            &admz,
            "site",
            set(|o, v| o["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] = json!(v), "evil-ca".into()),
        )
        .await,
        "[GC-SVC-005]",
    );
    denied(
        "the Ingress asks a namespaced Issuer",
        update(
            &admin,
            "networking.k8s.io/v1",
            "Ingress",
            &admz,
            "site",
            set(|o, v| o["metadata"]["annotations"]["cert-manager.io/issuer"] = json!(v), "mine".into()),
        )
        .await,
        "[GC-SVC-005]",
    );
    denied(
        "the Ingress serves another namespace's certificate",
        update(
            &admin,
            "networking.k8s.io/v1",
            "Ingress",
            &admz,
            "site",
            set(|o, v| o["spec"]["tls"][0]["secretName"] = json!(v), format!("{aext}/cert")),
        )
        .await,
        // The API server's own validation: a Secret name, never namespace/name.
        "spec.tls[0].secretName",
    );
    allowed(
        "the deprecated annotation naming the zone's class",
        update(
            &admin,
            "networking.k8s.io/v1",
            "Ingress",
            &admz,
            "site",
            set(|o, v| o["metadata"]["annotations"]["kubernetes.io/ingress.class"] = json!(v), class.clone()),
        )
        .await,
    );
    let ingress = |name: &str, class: &str| {
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name}, "spec": {"ingressClassName": class, "rules": [{"host": format!("{name}.example.gov"),
            "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": name, "port": {"name": "http"}}}}]}}]}})
    };
    denied(
        "an Ingress created with another class",
        create(&admin, Some(&admz), ingress("other", "nginx-extranet")).await,
        "[GC-SVC-004]",
    );

    // --- the DepartmentApp: a department learns at apply time ---
    let public = |extra: Value| {
        let mut e = json!({"exposure": "public"});
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            e[k] = v;
        }
        e
    };
    denied(
        "an app asks an issuer the zone does not offer",
        create(&dev, Some(&admz), app("a1", &dmz, public(json!({"tls": {"issuer": "evil-ca"}})))).await,
        "[GC-SVC-005]",
    );
    denied(
        "an app asks an ingress class off the zone's list",
        create(&dev, Some(&admz), app("a2", &dmz, public(json!({"ingressClass": "nginx-extranet"})))).await,
        "[GC-SVC-004]",
    );
    denied(
        "an app asks a runtime class off the zone's list",
        create(&dev, Some(&aext), app("a3", &ext, json!({"runtimeClass": runc}))).await,
        "[GC-POD-003]",
    );
    denied(
        "an app asks another runtime than the zone requires",
        create(&dev, Some(&asbx), app("a4", &sbx, json!({"runtimeClass": kata}))).await,
        "[GC-POD-003]",
    );
    denied(
        "an app's TLS Secret of another namespace (CRD rule)",
        create(&dev, Some(&admz), app("a5", &dmz, public(json!({"tls": {"secretName": format!("{aext}/cert")}}))))
            .await,
        "no namespace/ prefix",
    );
    allowed(
        "an app with its own Secret",
        create(&dev, Some(&admz), app("a6", &dmz, public(json!({"tls": {"secretName": "a6-cert"}})))).await,
    );
    denied(
        "the app is updated to an issuer the zone does not offer",
        update(&dev, "govcloud.io/v1alpha1", "DepartmentApp", &admz, "site", |o| {
            o["spec"]["tls"] = json!({"issuer": "evil-ca"})
        })
        .await,
        "[GC-SVC-005]",
    );
    denied(
        "the app is updated to an ingress class off the zone's list",
        update(&dev, "govcloud.io/v1alpha1", "DepartmentApp", &admz, "site", |o| {
            o["spec"]["ingressClass"] = json!("nginx-extranet")
        })
        .await,
        "[GC-SVC-004]",
    );

    for rc in [&gvisor, &kata, &runc] {
        let _ = api(&admin, "node.k8s.io/v1", "RuntimeClass", None).delete(rc, &DeleteParams::default()).await;
    }
}
