//! Enforcement that holds without the operator: with the operator stopped,
//! department users, viewers and auditors (impersonated) are denied every
//! forbidden action — by RBAC, Pod Security or the generated admission
//! policies, with messages naming the control — and allowed the matching
//! legitimate ones.

use crate::support;

use std::time::Duration;

use govcloud::api::{DepartmentApp, Tenant};
use kube::Client;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams, PostParams,
};
use serde_json::{Value, json};
use support::offline::zone_doc;
use support::{Operator, client, eventually, impersonating, pod, short};

fn ar(api_version: &str, kind: &str) -> ApiResource {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind))
}

fn api(c: &Client, api_version: &str, kind: &str, ns: Option<&str>) -> Api<DynamicObject> {
    match ns {
        Some(ns) => Api::namespaced_with(c.clone(), ns, &ar(api_version, kind)),
        None => Api::all_with(c.clone(), &ar(api_version, kind)),
    }
}

async fn create(c: &Client, ns: Option<&str>, obj: Value) -> Result<(), kube::Error> {
    let o: DynamicObject = serde_json::from_value(obj.clone()).expect("object");
    api(c, obj["apiVersion"].as_str().unwrap_or_default(), obj["kind"].as_str().unwrap_or_default(), ns)
        .create(&PostParams::default(), &o)
        .await
        .map(|_| ())
}

/// Tallies denials and allowances.
#[derive(Default)]
struct Tally {
    denied: Vec<String>,
    allowed: Vec<String>,
}

impl Tally {
    fn denied(&mut self, what: &str, r: Result<(), kube::Error>, needle: &str) {
        match r {
            Err(kube::Error::Api(s)) if s.code == 403 || s.code == 422 => {
                assert!(s.message.contains(needle), "{what}: expected {needle:?} in the denial, got: {}", s.message);
                self.denied.push(what.to_string());
            }
            other => panic!("{what}: expected a denial naming {needle:?}, got {other:?}"),
        }
    }
    /// Denied by any one of `needles` (several policies refuse the request; the API server reports the first).
    fn denied_by(&mut self, what: &str, r: Result<(), kube::Error>, needles: &[&str]) {
        match r {
            Err(kube::Error::Api(s))
                if (s.code == 403 || s.code == 422) && needles.iter().any(|n| s.message.contains(n)) =>
            {
                self.denied.push(what.to_string())
            }
            other => panic!("{what}: expected a denial naming one of {needles:?}, got {other:?}"),
        }
    }
    /// A forbidden effect that did not happen, observed from the cluster's state.
    fn held(&mut self, what: &str) {
        self.denied.push(what.to_string());
    }
    fn allowed(&mut self, what: &str, r: Result<(), kube::Error>) {
        if let Err(e) = r {
            panic!("{what}: expected to be allowed, got {e}");
        }
        self.allowed.push(what.to_string());
    }
}

fn model(zones: &(String, String, String), a: &str, b: &str, users: &Users) -> String {
    let (ext, prv, dmz) = zones;
    let digest = "0".repeat(64);
    let ext_zone = zone_doc(ext, "extranet", "10.91.0.0/16", "");
    let dmz_zone = zone_doc(dmz, "internet", "172.29.0.0/16", "internetIngress: true\npublicDomain: example.gov");
    let prv_zone = zone_doc(prv, "private", "10.93.0.0/16", "mlpsLevel: 3");
    format!(
        r#"
{ext_zone}---
{prv_zone}---
{dmz_zone}---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: {a}}}
spec:
  displayName: {{zh: 甲局, en: Bureau A}}
  owners:
    - {{kind: User, name: {admin}, role: admin}}
    - {{kind: User, name: {dev}, role: developer}}
    - {{kind: User, name: {viewer}, role: viewer}}
    - {{kind: User, name: {auditor}, role: auditor}}
  zones: [{{name: {ext}}}, {{name: {prv}}}, {{name: {dmz}}}]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: {b}}}
spec:
  displayName: {{zh: 乙局, en: Bureau B}}
  owners: [{{kind: User, name: {other}, role: developer}}]
  zones: [{{name: {ext}}}]
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: portal, namespace: {a}-{ext}}}
spec: {{zone: {ext}, image: harbor.egov.local/a/portal:1, ports: [{{name: http, port: 8080}}]}}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: vault, namespace: {a}-{prv}}}
spec: {{zone: {prv}, image: "harbor.egov.local/a/vault@sha256:{digest}", ports: [{{name: api, port: 8443}}]}}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: db, namespace: {b}-{ext}}}
spec: {{zone: {ext}, image: harbor.egov.local/b/db:1, ports: [{{name: api, port: 8443}}]}}
"#,
        admin = users.admin,
        dev = users.dev,
        viewer = users.viewer,
        auditor = users.auditor,
        other = users.other,
    )
}

struct Users {
    admin: String,
    dev: String,
    viewer: String,
    auditor: String,
    other: String,
}

fn app(name: &str, zone: &str, extra: Value) -> Value {
    let mut spec = json!({"zone": zone, "image": "harbor.egov.local/a/x:1", "ports": [{"name": "http", "port": 8080}]});
    if let (Some(s), Some(e)) = (spec.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            s.insert(k.clone(), v.clone());
        }
    }
    json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "DepartmentApp", "metadata": {"name": name}, "spec": spec})
}

fn service(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec})
}

#[tokio::test]
async fn forbidden_actions_are_denied_with_the_operator_stopped() {
    let admin_client = client().await;
    let scope = short("e");
    let zones = (short("x"), short("p"), short("d"));
    let (a, b) = (short("ta"), short("tb"));
    let users = Users {
        admin: format!("alice-{a}"),
        dev: format!("bob-{a}"),
        viewer: format!("carol-{a}"),
        auditor: format!("dave-{a}"),
        other: format!("erin-{b}"),
    };
    let (aext, aprv, admz, bext) = (
        format!("{a}-{}", zones.0),
        format!("{a}-{}", zones.1),
        format!("{a}-{}", zones.2),
        format!("{b}-{}", zones.0),
    );

    // Provision with the operator, then stop it: everything below is the API server alone.
    let mut op = Operator::start(&scope, 3).await;
    let loaded = govcloud::model::load_str("enforcement.yaml", &model(&zones, &a, &b, &users)).expect("model");
    govcloud::dev::apply_model(
        &admin_client,
        &loaded.model,
        &[("govcloud.io/scope".into(), scope.clone())],
        Duration::from_secs(60),
    )
    .await
    .expect("apply");
    let tenants: Api<Tenant> = Api::all(admin_client.clone());
    eventually("both tenants Ready", Duration::from_secs(120), || async {
        let ok = |t: Option<Tenant>| {
            t.and_then(|t| t.status)
                .is_some_and(|s| s.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        };
        (ok(tenants.get_opt(&a).await.ok()?) && ok(tenants.get_opt(&b).await.ok()?)).then_some(())
    })
    .await;
    let apps: Api<DepartmentApp> = Api::namespaced(admin_client.clone(), &aext);
    eventually("the app Ready", Duration::from_secs(120), || async {
        apps.get("portal")
            .await
            .ok()?
            .status?
            .conditions
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True")
            .then_some(())
    })
    .await;
    eventually("the zone admission bindings", Duration::from_secs(60), || async {
        api(&admin_client, "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", None)
            .get_opt(&format!("govcloud-zone-pods-{}", zones.0))
            .await
            .ok()
            .flatten()
    })
    .await;
    eventually("the tenant namespace's compliance Report", Duration::from_secs(60), || async {
        api(&admin_client, "openreports.io/v1alpha1", "Report", Some(&aext)).get_opt("govcloud").await.ok().flatten()
    })
    .await;
    op.kill();
    create(
        &admin_client,
        Some(&bext),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b-secret"}, "stringData": {"k": "v"}}),
    )
    .await
    .expect("seed secret");
    create(
        &admin_client,
        Some(&aext),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a-secret"}, "stringData": {"k": "v"}}),
    )
    .await
    .expect("seed secret");
    // Policies take a moment to be observed by the admission plugin.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let dev = impersonating(&users.dev, &["system:authenticated"]).await;
    let adm = impersonating(&users.admin, &["system:authenticated"]).await;
    let viewer = impersonating(&users.viewer, &["system:authenticated"]).await;
    let auditor = impersonating(&users.auditor, &["system:authenticated"]).await;
    let mut t = Tally::default();
    let np = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "open"}, "spec": {"podSelector": {}, "ingress": [{}]}});

    // --- RBAC: a developer stays inside its own workloads ---
    t.denied("developer creates a NetworkPolicy", create(&dev, Some(&aext), np.clone()).await, "networkpolicies");
    t.denied(
        "developer deletes the default-deny policy",
        api(&dev, "networking.k8s.io/v1", "NetworkPolicy", Some(&aext))
            .delete("govcloud-default-deny", &DeleteParams::default())
            .await
            .map(|_| ()),
        "networkpolicies",
    );
    t.denied(
        "developer creates a ResourceQuota",
        create(&dev, Some(&aext), json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "more"}, "spec": {"hard": {"pods": "1000"}}})).await,
        "resourcequotas",
    );
    t.denied(
        "developer deletes the LimitRange",
        api(&dev, "v1", "LimitRange", Some(&aext))
            .delete("govcloud-limits", &DeleteParams::default())
            .await
            .map(|_| ()),
        "limitranges",
    );
    t.denied(
        "developer creates a RoleBinding",
        create(&dev, Some(&aext), json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "x"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "govcloud-tenant-viewer"}, "subjects": [{"kind": "User", "name": "x", "apiGroup": "rbac.authorization.k8s.io"}]})).await,
        "rolebindings",
    );
    t.denied(
        "developer relabels its namespace",
        api(&dev, "v1", "Namespace", None)
            .patch(
                &aext,
                &PatchParams::default(),
                &Patch::Merge(json!({"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "privileged"}}})),
            )
            .await
            .map(|_| ()),
        "namespaces",
    );
    t.denied(
        "developer creates a pod in another tenant's namespace",
        create(&dev, Some(&bext), pod("x", |_| {})).await,
        "pods",
    );
    t.denied(
        "developer lists another tenant's Secrets",
        api(&dev, "v1", "Secret", Some(&bext)).list(&ListParams::default()).await.map(|_| ()),
        "secrets",
    );
    t.denied(
        "developer reads another tenant's Secret",
        api(&dev, "v1", "Secret", Some(&bext)).get("b-secret").await.map(|_| ()),
        "secrets",
    );
    t.denied(
        "developer creates an app in another tenant's namespace",
        create(&dev, Some(&bext), app("intruder", &zones.0, json!({}))).await,
        "departmentapps",
    );
    t.denied(
        "developer deletes its Tenant",
        tenants_as(&dev).delete(&a, &DeleteParams::default()).await.map(|_| ()),
        "tenants",
    );
    t.denied(
        "developer edits its Tenant",
        tenants_as(&dev)
            .patch(&a, &PatchParams::default(), &Patch::Merge(json!({"spec": {"cordoned": true}})))
            .await
            .map(|_| ()),
        "tenants",
    );
    t.denied("developer lists all Tenants", tenants_as(&dev).list(&ListParams::default()).await.map(|_| ()), "tenants");
    t.denied(
        "developer creates a NetworkZone",
        create(&dev, None, json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "NetworkZone", "metadata": {"name": short("evil")}, "spec": {}})).await,
        "networkzones",
    );

    // --- Pod Security (GC-POD-001) is the first line for host access ---
    t.denied(
        "developer runs a hostNetwork pod",
        create(&dev, Some(&aext), pod("hn", |p| p["spec"]["hostNetwork"] = json!(true))).await,
        "PodSecurity",
    );
    t.denied(
        "developer runs a privileged pod",
        create(
            &dev,
            Some(&aext),
            pod("priv", |p| p["spec"]["containers"][0]["securityContext"] = json!({"privileged": true})),
        )
        .await,
        "PodSecurity",
    );

    // --- zone placement, images, resources (generated admission policies) ---
    t.denied(
        "pod without the zone's nodeSelector",
        create(&dev, Some(&aext), pod("nosel", |p| p["spec"]["nodeSelector"] = json!({}))).await,
        "[GC-ZONE-001]",
    );
    t.denied(
        "pod selecting another zone's nodes",
        create(&dev, Some(&aext), pod("other", |p| p["spec"]["nodeSelector"] = json!({"govcloud.io/zone": "private"})))
            .await,
        "[GC-ZONE-001]",
    );
    t.denied(
        "pod tolerating another zone's taint",
        create(
            &dev,
            Some(&aext),
            pod("tol", |p| {
                p["spec"]["tolerations"] =
                    json!([{"key": "govcloud.io/zone", "operator": "Equal", "value": "private", "effect": "NoExecute"}])
            }),
        )
        .await,
        "[GC-ZONE-002]",
    );
    t.denied(
        "pod tolerating every taint",
        create(&dev, Some(&aext), pod("tolall", |p| p["spec"]["tolerations"] = json!([{"operator": "Exists"}]))).await,
        "[GC-ZONE-002]",
    );
    t.denied(
        "pod naming its node",
        create(&dev, Some(&aext), pod("pinned", |p| p["spec"]["nodeName"] = json!("private-node-1"))).await,
        "[GC-ZONE-003]",
    );
    t.denied(
        "pod from a public registry",
        create(
            &dev,
            Some(&aext),
            pod("pub", |p| p["spec"]["containers"][0]["image"] = json!("docker.io/library/nginx:latest")),
        )
        .await,
        "[GC-IMG-001]",
    );
    t.denied(
        "pod from a look-alike registry host",
        create(
            &dev,
            Some(&aext),
            pod("look", |p| p["spec"]["containers"][0]["image"] = json!("harbor.egov.local.evil.com/a/c:1")),
        )
        .await,
        "[GC-IMG-001]",
    );
    t.denied(
        "unpinned image at MLPS level 3",
        create(
            &dev,
            Some(&aprv),
            pod("tag", |p| {
                p["spec"]["nodeSelector"] = json!({"govcloud.io/zone": "private"});
                p["spec"]["tolerations"] = json!([{"key": "govcloud.io/zone", "operator": "Equal", "value": "private", "effect": "NoExecute"}]);
                p["spec"]["containers"][0]["imagePullPolicy"] = json!("Always");
            }),
        )
        .await,
        "[GC-IMG-002]",
    );
    t.denied(
        "NodePort service outside the internet zone",
        create(&dev, Some(&aext), service("np", json!({"type": "NodePort", "ports": [{"port": 80}]}))).await,
        "[GC-SVC-001]",
    );
    t.denied(
        "LoadBalancer service outside the internet zone",
        create(&dev, Some(&aext), service("lb", json!({"type": "LoadBalancer", "ports": [{"port": 80}]}))).await,
        "[GC-SVC-001]",
    );
    t.denied(
        "externalIPs outside the internet zone",
        create(&dev, Some(&aext), service("eip", json!({"ports": [{"port": 80}], "externalIPs": ["203.0.113.7"]})))
            .await,
        "[GC-SVC-001] spec.externalIPs",
    );
    t.denied(
        "app declaring another zone than its namespace's",
        create(&dev, Some(&aext), app("wrongzone", &zones.2, json!({}))).await,
        "[GC-APP-001]",
    );
    t.denied(
        "public app in the extranet",
        create(&dev, Some(&aext), app("pubapp", &zones.0, json!({"exposure": "public", "host": "a.example.gov"})))
            .await,
        "[GC-APP-001]",
    );
    t.denied(
        "app image from a public registry",
        create(&dev, Some(&aext), app("pubimg", &zones.0, json!({"image": "quay.io/x/y:1"}))).await,
        "[GC-IMG-001]",
    );

    // --- a tenant admin cannot escalate, nor touch what govcloud manages ---
    t.denied(
        "admin binds cluster-admin",
        create(&adm, Some(&aext), json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "root"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}, "subjects": [{"kind": "User", "name": users.admin.clone(), "apiGroup": "rbac.authorization.k8s.io"}]})).await,
        "forbidden",
    );
    let rbs = api(&adm, "rbac.authorization.k8s.io/v1", "RoleBinding", Some(&aext));
    t.denied(
        "admin adds a subject to govcloud's admin binding",
        rbs.patch(
            "govcloud-admin",
            &PatchParams::default(),
            &Patch::Merge(
                json!({"subjects": [{"kind": "User", "name": "mallory", "apiGroup": "rbac.authorization.k8s.io"}]}),
            ),
        )
        .await
        .map(|_| ()),
        "[GC-MGD-001]",
    );
    t.denied(
        "admin deletes govcloud's developer binding",
        rbs.delete("govcloud-developer", &DeleteParams::default()).await.map(|_| ()),
        "[GC-MGD-001]",
    );

    // --- viewers and auditors change nothing; auditors read no Secrets ---
    t.denied("viewer creates a Deployment", create(&viewer, Some(&aext), json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "harbor.egov.local/a/c:1"}]}}}})).await, "deployments");
    t.denied(
        "viewer deletes an app",
        Api::<DepartmentApp>::namespaced(viewer.clone(), &aext)
            .delete("portal", &DeleteParams::default())
            .await
            .map(|_| ()),
        "departmentapps",
    );
    t.denied(
        "viewer reads a Secret",
        api(&viewer, "v1", "Secret", Some(&aext)).get("a-secret").await.map(|_| ()),
        "secrets",
    );
    t.denied(
        "auditor reads a Secret",
        api(&auditor, "v1", "Secret", Some(&aext)).get("a-secret").await.map(|_| ()),
        "secrets",
    );
    t.denied(
        "auditor deletes a NetworkPolicy",
        api(&auditor, "networking.k8s.io/v1", "NetworkPolicy", Some(&aext))
            .delete("govcloud-default-deny", &DeleteParams::default())
            .await
            .map(|_| ()),
        "networkpolicies",
    );
    t.denied("auditor creates a pod", create(&auditor, Some(&aext), pod("aud", |_| {})).await, "pods");
    t.denied(
        "auditor reads another tenant's report",
        api(&auditor, "openreports.io/v1alpha1", "Report", Some(&bext)).list(&ListParams::default()).await.map(|_| ()),
        "reports",
    );
    t.denied(
        "auditor edits an app",
        Api::<DepartmentApp>::namespaced(auditor.clone(), &aext)
            .patch("portal", &PatchParams::default(), &Patch::Merge(json!({"spec": {"replicas": 5}})))
            .await
            .map(|_| ()),
        "departmentapps",
    );

    // --- the second line: admission policies hold even if Pod Security or limits are removed ---
    // A cluster administrator (exempt, break-glass) weakens the namespace; the generated policies still deny.
    api(&admin_client, "v1", "Namespace", None)
        .patch(
            &aext,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "privileged"}}})),
        )
        .await
        .expect("cluster admin may relabel (break-glass)");
    api(&admin_client, "v1", "LimitRange", Some(&aext))
        .delete("govcloud-limits", &DeleteParams::default())
        .await
        .expect("cluster admin may delete");
    // Pod Security and the LimitRanger read from caches: wait until both see
    // the change (a dry run is denied by the policies, not by Pod Security,
    // and a pod without limits gets no default ones), however loaded the machine.
    let dry_run = |obj: Value| {
        let dev = dev.clone();
        let ns = aext.clone();
        async move {
            let o: DynamicObject = serde_json::from_value(obj).expect("pod");
            match api(&dev, "v1", "Pod", Some(&ns))
                .create(&PostParams { dry_run: true, ..Default::default() }, &o)
                .await
            {
                Err(kube::Error::Api(s)) => Some(s.message),
                _ => None,
            }
        }
    };
    eventually("Pod Security and the LimitRanger to see the weakened namespace", Duration::from_secs(60), || async {
        let host = dry_run(pod("probe-hn", |p| p["spec"]["hostNetwork"] = json!(true))).await?;
        let unlimited = dry_run(pod("probe-nolim", |p| {
            p["spec"]["containers"][0].as_object_mut().map(|c| c.remove("resources")).map(|_| ()).unwrap_or(())
        }))
        .await?;
        (!host.contains("violates PodSecurity") && unlimited.contains("[GC-RES-001]")).then_some(())
    })
    .await;
    t.denied(
        "hostNetwork with Pod Security relaxed",
        create(&dev, Some(&aext), pod("hn2", |p| p["spec"]["hostNetwork"] = json!(true))).await,
        "[GC-HOST-001] spec.hostNetwork",
    );
    t.denied(
        "hostPID with Pod Security relaxed",
        create(&dev, Some(&aext), pod("hp2", |p| p["spec"]["hostPID"] = json!(true))).await,
        "[GC-HOST-001] spec.hostPID",
    );
    t.denied(
        "hostIPC with Pod Security relaxed",
        create(&dev, Some(&aext), pod("hi2", |p| p["spec"]["hostIPC"] = json!(true))).await,
        "[GC-HOST-001] spec.hostIPC",
    );
    t.denied(
        "hostPath with Pod Security relaxed",
        create(
            &dev,
            Some(&aext),
            pod("hpath", |p| p["spec"]["volumes"] = json!([{"name": "h", "hostPath": {"path": "/etc"}}])),
        )
        .await,
        "[GC-HOST-002]",
    );
    t.denied(
        "hostPort with Pod Security relaxed",
        create(
            &dev,
            Some(&aext),
            pod("hport", |p| p["spec"]["containers"][0]["ports"] = json!([{"containerPort": 80, "hostPort": 80}])),
        )
        .await,
        "[GC-HOST-003]",
    );
    t.denied(
        "privileged with Pod Security relaxed",
        create(
            &dev,
            Some(&aext),
            pod("priv2", |p| p["spec"]["containers"][0]["securityContext"] = json!({"privileged": true})),
        )
        .await,
        "[GC-POD-002]",
    );
    t.denied(
        "container without limits once the LimitRange is gone",
        create(
            &dev,
            Some(&aext),
            pod("nolim", |p| {
                p["spec"]["containers"][0].as_object_mut().map(|c| c.remove("resources")).map(|_| ()).unwrap_or(())
            }),
        )
        .await,
        "[GC-RES-001]",
    );

    // --- and what is legitimate is allowed ---
    t.allowed("developer creates a compliant pod", create(&dev, Some(&aext), pod("ok", |_| {})).await);
    t.allowed("developer creates a compliant app", create(&dev, Some(&aext), app("okapp", &zones.0, json!({}))).await);
    t.allowed(
        "developer creates a ClusterIP service",
        create(&dev, Some(&aext), service("ok", json!({"ports": [{"port": 80}]}))).await,
    );
    t.denied(
        "developer creates a NodePort service in the internet zone (its exposure is the Ingress)",
        create(&dev, Some(&admz), service("np", json!({"type": "NodePort", "ports": [{"port": 80}]}))).await,
        "[GC-SVC-001]",
    );
    t.allowed("developer reads its own Tenant", tenants_as(&dev).get(&a).await.map(|_| ()));
    t.allowed(
        "admin grants a colleague the viewer role",
        create(&adm, Some(&aext), json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "colleague"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "govcloud-tenant-viewer"}, "subjects": [{"kind": "User", "name": "frank", "apiGroup": "rbac.authorization.k8s.io"}]})).await,
    );
    t.allowed(
        "viewer lists pods",
        api(&viewer, "v1", "Pod", Some(&aext)).list(&ListParams::default()).await.map(|_| ()),
    );
    t.allowed(
        "auditor lists NetworkPolicies",
        api(&auditor, "networking.k8s.io/v1", "NetworkPolicy", Some(&aext))
            .list(&ListParams::default())
            .await
            .map(|_| ()),
    );
    t.allowed(
        "auditor reads quotas",
        api(&auditor, "v1", "ResourceQuota", Some(&aext)).list(&ListParams::default()).await.map(|_| ()),
    );
    t.allowed(
        "auditor reads role bindings",
        api(&auditor, "rbac.authorization.k8s.io/v1", "RoleBinding", Some(&aext))
            .list(&ListParams::default())
            .await
            .map(|_| ()),
    );
    t.allowed(
        "auditor reads the compliance reports",
        api(&auditor, "openreports.io/v1alpha1", "Report", Some(&aext)).list(&ListParams::default()).await.map(|_| ()),
    );
    t.allowed(
        "developer reads its namespace's compliance report",
        api(&dev, "openreports.io/v1alpha1", "Report", Some(&aext)).list(&ListParams::default()).await.map(|_| ()),
    );
    t.allowed(
        "auditor reads an app",
        Api::<DepartmentApp>::namespaced(auditor.clone(), &aext).get("portal").await.map(|_| ()),
    );

    let distinct: std::collections::BTreeSet<&String> = t.denied.iter().collect();
    assert!(distinct.len() >= 30, "only {} distinct forbidden actions", distinct.len());
    eprintln!(
        "{} forbidden actions denied, {} legitimate ones allowed, operator stopped",
        distinct.len(),
        t.allowed.len()
    );
}

fn tenants_as(c: &Client) -> Api<Tenant> {
    Api::all(c.clone())
}

// === every path: updates, templates, subresources, volumes, bindings, tokens, quota, names ===

fn paths_model(z: &(String, String, String), a: &str, b: &str, c: &str, u: &Users, frank: &str) -> String {
    let (ext, prv, dmz) = z;
    let digest = "0".repeat(64);
    let ext_zone = zone_doc(ext, "extranet", "10.91.0.0/16", "");
    let dmz_zone = zone_doc(dmz, "internet", "172.29.0.0/16", "internetIngress: true\npublicDomain: example.gov");
    let endpoint = format!(
        "exchangeEndpoints: [{{name: records-exchange, peerZones: [{ext}], app: {{tenant: {b}, app: records}}, ports: [8443]}}]"
    );
    let prv_zone =
        zone_doc(prv, "private", "10.93.0.0/16", &format!("mlpsLevel: 3\nallowedVolumeTypes: [image]\n{endpoint}"));
    format!(
        r#"
{ext_zone}---
{prv_zone}---
{dmz_zone}---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: {a}}}
spec:
  displayName: {{zh: 甲局, en: Bureau A}}
  auditScope: cluster
  owners:
    - {{kind: User, name: {admin}, role: admin}}
    - {{kind: User, name: {dev}, role: developer}}
    - {{kind: User, name: {auditor}, role: auditor}}
  zones: [{{name: {ext}}}, {{name: {prv}}}, {{name: {dmz}}}]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: {b}}}
spec:
  displayName: {{zh: 乙局, en: Bureau B}}
  owners: [{{kind: User, name: {other}, role: developer}}]
  allowedRegistries: [harbor.egov.local/b]
  zones: [{{name: {ext}}}, {{name: {prv}}}]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: {c}}}
spec:
  displayName: {{zh: 丙局, en: Bureau C}}
  owners: [{{kind: User, name: {frank}, role: developer}}]
  zones: [{{name: {ext}}}]
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: portal, namespace: {a}-{ext}}}
spec:
  zone: {ext}
  image: harbor.egov.local/a/portal:1
  ports: [{{name: http, port: 8080}}]
  flows: {{calls: [{{tenant: {b}, app: db}}, {{tenant: {b}, app: ghost}}]}}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: emergency, namespace: {a}-{prv}}}
spec:
  zone: {prv}
  image: "harbor.egov.local/a/emergency@sha256:{digest}"
  flows: {{calls: [{{tenant: {b}, app: records}}]}}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: records, namespace: {b}-{prv}}}
spec:
  zone: {prv}
  image: "harbor.egov.local/b/records@sha256:{digest}"
  ports: [{{name: api, port: 8443}}]
  flows: {{allowFrom: [{{tenant: {a}, apps: [emergency]}}]}}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: db, namespace: {b}-{ext}}}
spec: {{zone: {ext}, image: harbor.egov.local/b/db:1, ports: [{{name: api, port: 8443}}]}}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: site, namespace: {a}-{dmz}}}
spec: {{zone: {dmz}, image: harbor.egov.local/a/site:1, ports: [{{name: http, port: 8080}}], exposure: public, host: www.example.gov}}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: site2, namespace: {a}-{dmz}}}
spec: {{zone: {dmz}, image: harbor.egov.local/a/site:2, ports: [{{name: http, port: 8080}}], exposure: public, host: www.example.gov}}
"#,
        admin = u.admin,
        dev = u.dev,
        auditor = u.auditor,
        other = u.other,
    )
}

fn workload(kind: &str, name: &str, f: impl FnOnce(&mut Value)) -> Value {
    let mut template = pod(name, |_| {});
    template["metadata"] = json!({"labels": {"w": name}});
    f(&mut template);
    let tpl = json!({"metadata": template["metadata"], "spec": template["spec"]});
    let (api_version, spec) = match kind {
        "CronJob" => ("batch/v1", json!({"schedule": "0 0 * * *", "jobTemplate": {"spec": {"template": tpl}}})),
        "Job" => ("batch/v1", json!({"template": tpl})),
        "ReplicationController" => ("v1", json!({"selector": {"w": name}, "template": tpl})),
        _ => ("apps/v1", json!({"selector": {"matchLabels": {"w": name}}, "template": tpl})),
    };
    let mut o = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}, "spec": spec});
    if kind == "Job" || kind == "CronJob" {
        let p = if kind == "Job" { "/spec/template/spec" } else { "/spec/jobTemplate/spec/template/spec" };
        if let Some(s) = o.pointer_mut(p) {
            s["restartPolicy"] = json!("Never");
        }
    }
    o
}

fn on_private(p: &mut Value) {
    p["spec"]["nodeSelector"] = json!({"govcloud.io/zone": "private"});
    p["spec"]["tolerations"] =
        json!([{"key": "govcloud.io/zone", "operator": "Equal", "value": "private", "effect": "NoExecute"}]);
    p["spec"]["containers"][0]["image"] = json!(format!("harbor.egov.local/a/c@sha256:{}", "0".repeat(64)));
    // MLPS level 3: pulled on every start (GC-IMG-003); the API server would set IfNotPresent for a digest.
    p["spec"]["containers"][0]["imagePullPolicy"] = json!("Always");
}

fn binding_to(name: &str, role: &str, subject: Value) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": name}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}, "subjects": [subject]})
}

/// Gets an object, changes it, and writes it back (an UPDATE), again while
/// someone else (the scheduler, kwok) changed it in between.
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
        let o = a.get(name).await?;
        let mut v = serde_json::to_value(&o).expect("json");
        f(&mut v);
        let o: DynamicObject = serde_json::from_value(v).expect("object");
        match a.replace(name, &PostParams::default(), &o).await {
            Err(kube::Error::Api(s)) if s.code == 409 => tokio::time::sleep(Duration::from_millis(100)).await,
            r => return r.map(|_| ()),
        }
    }
    panic!("{kind} {ns}/{name}: kept conflicting");
}

async fn may(c: &Client, user: &str, ns: &str, resource: &str, subresource: &str, verb: &str) -> bool {
    use k8s_openapi::api::authorization::v1::SubjectAccessReview;
    let sar: SubjectAccessReview = serde_json::from_value(json!({
        "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
        "spec": {"user": user, "groups": ["system:authenticated"], "resourceAttributes": {"namespace": ns, "resource": resource, "subresource": subresource, "verb": verb}}
    }))
    .expect("sar");
    Api::<SubjectAccessReview>::all(c.clone())
        .create(&PostParams::default(), &sar)
        .await
        .expect("sar")
        .status
        .is_some_and(|s| s.allowed)
}

fn condition(a: &DepartmentApp, type_: &str) -> Option<(String, String, String)> {
    a.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| (c.status.clone(), c.reason.clone(), c.message.clone()))
}

#[tokio::test]
async fn isolation_holds_on_every_path_with_the_operator_stopped() {
    let admin_client = client().await;
    let scope = short("paths");
    let zones = (short("x"), short("p"), short("d"));
    let (a, b, c) = (short("ta"), short("tb"), short("tc"));
    let users = Users {
        admin: format!("alice-{a}"),
        dev: format!("bob-{a}"),
        viewer: format!("carol-{a}"),
        auditor: format!("dave-{a}"),
        other: format!("erin-{b}"),
    };
    let frank = format!("frank-{c}");
    let ns = |t: &str, z: &str| format!("{t}-{z}");
    let (aext, aprv, admz, bext, bprv, cext) =
        (ns(&a, &zones.0), ns(&a, &zones.1), ns(&a, &zones.2), ns(&b, &zones.0), ns(&b, &zones.1), ns(&c, &zones.0));

    let mut op = Operator::start(&scope, 3).await;
    let loaded =
        govcloud::model::load_str("paths.yaml", &paths_model(&zones, &a, &b, &c, &users, &frank)).expect("model");
    govcloud::dev::apply_model(
        &admin_client,
        &loaded.model,
        &[("govcloud.io/scope".into(), scope.clone())],
        Duration::from_secs(60),
    )
    .await
    .expect("apply");
    let labels = vec![("govcloud.io/scope".to_string(), scope.clone())];
    let dev = impersonating(&users.dev, &["system:authenticated"]).await;
    let adm = impersonating(&users.admin, &["system:authenticated"]).await;
    let auditor = impersonating(&users.auditor, &["system:authenticated"]).await;
    let erin = impersonating(&users.other, &["system:authenticated"]).await;
    let frank_c = impersonating(&frank, &["system:authenticated"]).await;
    let apps = |n: &str| Api::<DepartmentApp>::namespaced(admin_client.clone(), n);
    let ready = |a: Option<DepartmentApp>| a.and_then(|a| condition(&a, "Ready")).is_some_and(|c| c.0 == "True");
    let tenants: Api<Tenant> = Api::all(admin_client.clone());
    eventually("the tenants Ready", Duration::from_secs(120), || async {
        let ok = |t: Option<Tenant>| {
            t.and_then(|t| t.status)
                .is_some_and(|s| s.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        };
        (ok(tenants.get_opt(&a).await.ok()?)
            && ok(tenants.get_opt(&b).await.ok()?)
            && ok(tenants.get_opt(&c).await.ok()?))
        .then_some(())
    })
    .await;
    eventually("the granted private app and the first site Ready", Duration::from_secs(120), || async {
        (ready(apps(&aprv).get_opt("emergency").await.ok()?) && ready(apps(&admz).get_opt("site").await.ok()?))
            .then_some(())
    })
    .await;
    let mut t = Tally::default();

    // --- with the operator running: identity of apps, hosts, leaks, adoption ---
    // The granted flow is Granted (the legitimate counterpart).
    let granted = apps(&aprv).get("emergency").await.expect("emergency").status.expect("status").flows;
    assert_eq!(granted.first().map(|f| f.state), Some(govcloud::api::FlowState::Granted), "{granted:?}");
    // A same-named app in another zone does not inherit the grant.
    let mut impostor =
        app("emergency", &zones.0, json!({"flows": {"calls": [{"tenant": b, "zone": zones.1, "app": "records"}]}}));
    impostor["metadata"]["labels"] = json!({"govcloud.io/scope": scope});
    t.allowed("developer creates a same-named app in the extranet", create(&dev, Some(&aext), impostor).await);
    let flows = eventually("the impostor's flow decided", Duration::from_secs(60), || async {
        let f = apps(&aext).get("emergency").await.ok()?.status?.flows;
        (!f.is_empty()).then_some(f)
    })
    .await;
    assert_ne!(flows[0].state, govcloud::api::FlowState::Granted, "{flows:?}");
    t.held("an app of the same name in another zone inherits a grant");
    let ingress = api(&admin_client, "networking.k8s.io/v1", "NetworkPolicy", Some(&bprv))
        .get("govcloud-app-records-ingress")
        .await
        .expect("records ingress");
    let text = serde_json::to_string(&ingress.data).expect("json");
    assert!(text.contains(&aprv) && !text.contains(&aext), "records admits only the granted zone's app: {text}");
    // A second claimant of a public host is refused, and only one Ingress serves it.
    let site2 = eventually("site2 refused", Duration::from_secs(60), || async {
        let a = apps(&admz).get("site2").await.ok()?;
        condition(&a, "Ready").filter(|c| c.0 == "False")
    })
    .await;
    assert!(site2.2.contains("www.example.gov"), "{site2:?}");
    let ingresses = api(&admin_client, "networking.k8s.io/v1", "Ingress", Some(&admz))
        .list(&ListParams::default())
        .await
        .expect("ingresses");
    assert_eq!(ingresses.items.len(), 1, "one Ingress for www.example.gov");
    t.held("a second app claims another's public host");
    // A call to a guessed app reveals nothing: same reason for an existing ungranted app and a missing one.
    let portal = eventually("portal's flows decided", Duration::from_secs(60), || async {
        let f = apps(&aext).get("portal").await.ok()?.status?.flows;
        (f.len() == 2).then_some(f)
    })
    .await;
    let redact = |r: &str| r.replace("/db", "/X").replace("/ghost", "/X");
    assert_eq!(redact(&portal[0].reason), redact(&portal[1].reason), "{portal:?}");
    assert!(!portal.iter().any(|f| f.reason.contains("does not exist") || f.reason.contains("8443")), "{portal:?}");
    t.held("a call to a guessed app reveals whether it exists");
    // Adoption: a Deployment the tenant created first is never taken over.
    let mut implant = workload("Deployment", "adopted", |p| {
        let sidecar = p["spec"]["containers"][0].clone();
        p["spec"]["containers"].as_array_mut().expect("containers").push(json!({"name": "sidecar", "image": "harbor.egov.local/a/sidecar:1", "resources": sidecar["resources"], "securityContext": sidecar["securityContext"]}));
    });
    implant["metadata"]["labels"] = json!({"govcloud.io/scope": scope});
    t.allowed("developer creates a Deployment of its own", create(&dev, Some(&aext), implant).await);
    let mut adopt = app("adopted", &zones.0, json!({}));
    adopt["metadata"]["labels"] = json!({"govcloud.io/scope": scope});
    t.allowed("developer creates an app with the same name", create(&dev, Some(&aext), adopt).await);
    let conflict = eventually("the app reports the conflict", Duration::from_secs(60), || async {
        let a = apps(&aext).get("adopted").await.ok()?;
        condition(&a, "Ready").filter(|c| c.1 == "Conflict")
    })
    .await;
    assert!(conflict.2.contains("adopted"), "{conflict:?}");
    let d = api(&admin_client, "apps/v1", "Deployment", Some(&aext)).get("adopted").await.expect("deployment");
    assert_eq!(d.data["spec"]["template"]["spec"]["containers"].as_array().map(Vec::len), Some(2));
    assert!(
        d.metadata.labels.as_ref().is_none_or(|l| !l.contains_key("app.kubernetes.io/managed-by")),
        "{:?}",
        d.metadata.labels
    );
    assert!(d.metadata.owner_references.as_ref().is_none_or(|r| r.is_empty()));
    t.held("the operator adopts a Deployment the tenant created first");
    // Cordon tenant c; wait for its namespace to say so.
    Api::<Tenant>::all(admin_client.clone())
        .patch(&c, &PatchParams::apply("govcloud-tests"), &Patch::Merge(json!({"spec": {"cordoned": true}})))
        .await
        .expect("cordon");
    eventually("c's namespace cordoned", Duration::from_secs(60), || async {
        let n = api(&admin_client, "v1", "Namespace", None).get(&cext).await.ok()?;
        (n.metadata.labels?.get("govcloud.io/cordoned")? == "true").then_some(())
    })
    .await;
    eventually("b's quota covers storage and object counts", Duration::from_secs(60), || async {
        let q = api(&admin_client, "v1", "ResourceQuota", Some(&bext)).get("govcloud-quota").await.ok()?;
        let hard = q.data["spec"]["hard"].as_object()?.clone();
        [
            "requests.storage",
            "persistentvolumeclaims",
            "requests.ephemeral-storage",
            "count/configmaps",
            "count/secrets",
            "count/departmentapps.govcloud.io",
        ]
        .iter()
        .all(|k| hard.contains_key(*k))
        .then_some(())
    })
    .await;
    op.kill();
    drop(labels);
    tokio::time::sleep(Duration::from_secs(1)).await;

    // --- pods: UPDATE and the ephemeralcontainers subresource ---
    t.allowed("developer creates a compliant pod", create(&dev, Some(&aext), pod("upd", |_| {})).await);
    t.denied(
        "developer sets a public image on a running pod",
        update(&dev, "v1", "Pod", &aext, "upd", |p| {
            p["spec"]["containers"][0]["image"] = json!("docker.io/library/busybox:latest")
        })
        .await,
        "[GC-IMG-001]",
    );
    t.denied(
        "developer adds a wildcard toleration to a running pod",
        update(&dev, "v1", "Pod", &aext, "upd", |p| {
            p["spec"]["tolerations"].as_array_mut().expect("tolerations").push(json!({"operator": "Exists"}))
        })
        .await,
        "[GC-ZONE-002]",
    );
    t.allowed(
        "developer updates a pod to another allowed image",
        update(&dev, "v1", "Pod", &aext, "upd", |p| {
            p["spec"]["containers"][0]["image"] = json!("harbor.egov.local/a/c:2")
        })
        .await,
    );
    let eph = json!({"spec": {"ephemeralContainers": [{"name": "dbg", "image": "docker.io/library/busybox:latest", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}});
    t.denied(
        "developer adds a debug container",
        api(&dev, "v1", "Pod", Some(&aext))
            .patch_subresource("ephemeralcontainers", "upd", &PatchParams::default(), &Patch::Strategic(eph.clone()))
            .await
            .map(|_| ()),
        "ephemeralcontainers",
    );
    t.denied(
        "a public image in an ephemeral container (even by a cluster administrator)",
        api(&admin_client, "v1", "Pod", Some(&aext))
            .patch_subresource("ephemeralcontainers", "upd", &PatchParams::default(), &Patch::Strategic(eph))
            .await
            .map(|_| ()),
        "[GC-IMG-001]",
    );
    t.denied(
        "developer's pod pulls only if the node has the image, at MLPS level 3",
        create(
            &dev,
            Some(&aprv),
            pod("cached", |p| {
                on_private(p);
                p["spec"]["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
            }),
        )
        .await,
        "[GC-IMG-003]",
    );
    t.denied(
        "developer's pod leaves the pull policy to the API server's default (IfNotPresent for a digest), at MLPS level 3",
        create(
            &dev,
            Some(&aprv),
            pod("defaulted", |p| {
                on_private(p);
                if let Some(c) = p["spec"]["containers"][0].as_object_mut() {
                    c.remove("imagePullPolicy");
                }
            }),
        )
        .await,
        "[GC-IMG-003]",
    );
    t.denied(
        "developer's Deployment pulls only if the node has the image, at MLPS level 3",
        create(
            &dev,
            Some(&aprv),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "cached"}, "spec": {
                "selector": {"matchLabels": {"x": "cached"}},
                "template": {"metadata": {"labels": {"x": "cached"}}, "spec": pod("c", |p| {
                    on_private(p);
                    p["spec"]["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
                })["spec"].clone()}}}),
        )
        .await,
        "[GC-IMG-003]",
    );
    t.allowed(
        "developer creates a pinned pod in the private zone",
        create(&dev, Some(&aprv), pod("pinned", on_private)).await,
    );
    // A debug container on a shared node could start another tenant's cached image.
    let cached_debug = json!({"spec": {"ephemeralContainers": [{"name": "dbg", "image": format!("harbor.egov.local/a/c@sha256:{}", "0".repeat(64)), "imagePullPolicy": "IfNotPresent", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}});
    t.denied(
        "an ephemeral container that pulls only if the node has the image, at MLPS level 3 (even by a cluster administrator)",
        api(&admin_client, "v1", "Pod", Some(&aprv))
            .patch_subresource("ephemeralcontainers", "pinned", &PatchParams::default(), &Patch::Strategic(cached_debug))
            .await
            .map(|_| ()),
        "[GC-IMG-003]",
    );
    t.denied(
        "developer unpins a private-zone pod's image",
        update(&dev, "v1", "Pod", &aprv, "pinned", |p| {
            p["spec"]["containers"][0]["image"] = json!("harbor.egov.local/a/c:latest")
        })
        .await,
        "[GC-IMG-002]",
    );
    t.denied(
        "a truncated digest",
        update(&dev, "v1", "Pod", &aprv, "pinned", |p| {
            p["spec"]["containers"][0]["image"] = json!("harbor.egov.local/a/c@sha256:abc")
        })
        .await,
        "[GC-IMG-002]",
    );
    t.denied(
        "developer puts a public image on a private-zone pod",
        update(&dev, "v1", "Pod", &aprv, "pinned", |p| {
            p["spec"]["containers"][0]["image"] = json!(format!("docker.io/library/busybox@sha256:{}", "0".repeat(64)))
        })
        .await,
        "[GC-IMG-001]",
    );

    // --- the app identity label NetworkPolicies select by ---
    t.denied(
        "developer labels a pod as another app",
        create(&dev, Some(&aext), pod("forged", |p| p["metadata"]["labels"] = json!({"govcloud.io/app": "portal"})))
            .await,
        "[GC-NET-006]",
    );
    t.denied(
        "developer relabels a running pod as another app",
        update(&dev, "v1", "Pod", &aext, "upd", |p| p["metadata"]["labels"] = json!({"govcloud.io/app": "portal"}))
            .await,
        "[GC-NET-006]",
    );
    t.denied(
        "Deployment template labelled as another app",
        create(
            &dev,
            Some(&aext),
            workload("Deployment", "d-forged", |p| p["metadata"]["labels"]["govcloud.io/app"] = json!("portal")),
        )
        .await,
        "[GC-NET-006]",
    );

    // --- workload templates ---
    t.denied(
        "Deployment template on the host network",
        create(&dev, Some(&aext), workload("Deployment", "d-hn", |p| p["spec"]["hostNetwork"] = json!(true))).await,
        "[GC-HOST-001] spec.template.spec.hostNetwork",
    );
    t.denied(
        "StatefulSet template with a public image",
        create(
            &dev,
            Some(&aext),
            workload("StatefulSet", "s-img", |p| {
                p["spec"]["containers"][0]["image"] = json!("docker.io/library/nginx:1")
            }),
        )
        .await,
        "[GC-IMG-001]",
    );
    t.denied(
        "DaemonSet template without the zone's nodeSelector",
        create(
            &admin_client,
            Some(&aext),
            workload("DaemonSet", "ds-nosel", |p| p["spec"]["nodeSelector"] = json!({})),
        )
        .await,
        "[GC-ZONE-001]",
    );
    t.denied(
        "Job template with a privileged container",
        create(
            &dev,
            Some(&aext),
            workload("Job", "j-priv", |p| p["spec"]["containers"][0]["securityContext"] = json!({"privileged": true})),
        )
        .await,
        "[GC-POD-002]",
    );
    t.denied(
        "CronJob template with a hostPath volume",
        create(
            &dev,
            Some(&aext),
            workload("CronJob", "cj-hp", |p| p["spec"]["volumes"] = json!([{"name": "h", "hostPath": {"path": "/"}}])),
        )
        .await,
        "[GC-HOST-002]",
    );
    t.denied(
        "ReplicaSet template naming a node",
        create(
            &dev,
            Some(&aext),
            workload("ReplicaSet", "rs-node", |p| p["spec"]["nodeName"] = json!("private-node-1")),
        )
        .await,
        "[GC-ZONE-003]",
    );
    t.denied(
        "ReplicationController template tolerating every taint",
        create(
            &admin_client,
            Some(&aext),
            workload("ReplicationController", "rc-tol", |p| p["spec"]["tolerations"] = json!([{"operator": "Exists"}])),
        )
        .await,
        "[GC-ZONE-002]",
    );
    t.denied(
        "Deployment template with a privileged init container",
        create(
            &dev,
            Some(&aext),
            workload("Deployment", "d-init", |p| {
                let mut init = p["spec"]["containers"][0].clone();
                init["name"] = json!("init");
                init["securityContext"] = json!({"privileged": true});
                p["spec"]["initContainers"] = json!([init]);
            }),
        )
        .await,
        "[GC-POD-002]",
    );
    t.denied(
        "Deployment template with a system priority class",
        create(
            &dev,
            Some(&aext),
            workload("Deployment", "d-prio", |p| p["spec"]["priorityClassName"] = json!("system-cluster-critical")),
        )
        .await,
        "[GC-PRI-001]",
    );
    t.allowed(
        "developer creates a compliant Deployment",
        create(&dev, Some(&aext), workload("Deployment", "d-ok", |_| {})).await,
    );
    t.denied(
        "developer changes a Deployment's image to a public one",
        update(&dev, "apps/v1", "Deployment", &aext, "d-ok", |d| {
            d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("docker.io/library/nginx:1")
        })
        .await,
        "[GC-IMG-001]",
    );

    // --- volumes the kubelet mounts from the node network, and claims ---
    let vol = |v: Value| move |p: &mut Value| p["spec"]["volumes"] = json!([v]);
    t.denied(
        "NFS volume to a private-zone address",
        create(&dev, Some(&aext), pod("nfs", vol(json!({"name": "v", "nfs": {"server": "10.93.0.5", "path": "/"}}))))
            .await,
        "[GC-VOL-001]",
    );
    t.denied(
        "iSCSI volume",
        create(
            &dev,
            Some(&aext),
            pod("iscsi", vol(json!({"name": "v", "iscsi": {"targetPortal": "10.93.0.6:3260", "iqn": "iqn.2001-04.com.example:x", "lun": 0}}))),
        )
        .await,
        "[GC-VOL-001]",
    );
    t.denied(
        "CSI inline volume",
        create(&dev, Some(&aext), pod("csi", vol(json!({"name": "v", "csi": {"driver": "evil.csi.example.com"}}))))
            .await,
        "[GC-VOL-001]",
    );
    t.denied(
        "image volume where the zone does not allow them",
        create(
            &dev,
            Some(&aext),
            pod("imgvol", vol(json!({"name": "v", "image": {"reference": "harbor.egov.local/a/data:1"}}))),
        )
        .await,
        "[GC-VOL-001]",
    );
    t.denied(
        "image volume from a public registry in the private zone",
        create(
            &dev,
            Some(&aprv),
            pod("imgpub", |p| {
                on_private(p);
                p["spec"]["volumes"] = json!([{"name": "v", "image": {"reference": format!("docker.io/library/busybox@sha256:{}", "0".repeat(64))}}]);
            }),
        )
        .await,
        "[GC-IMG-001]",
    );
    t.denied(
        "unpinned image volume in the private zone",
        create(
            &dev,
            Some(&aprv),
            pod("imgtag", |p| {
                on_private(p);
                p["spec"]["volumes"] = json!([{"name": "v", "image": {"reference": "harbor.egov.local/a/data:1"}}]);
            }),
        )
        .await,
        "[GC-IMG-002]",
    );
    t.denied(
        "claim naming a volume",
        create(&dev, Some(&aext), json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "steal"}, "spec": {"volumeName": "platform-hostpath", "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})).await,
        "[GC-VOL-002]",
    );
    t.denied(
        "ephemeral volume claim template naming a volume",
        create(&dev, Some(&aext), pod("ephpv", vol(json!({"name": "v", "ephemeral": {"volumeClaimTemplate": {"spec": {"volumeName": "platform-hostpath", "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}}})))).await,
        "[GC-VOL-002]",
    );
    t.denied(
        "a 1Pi claim",
        create(&dev, Some(&aext), json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "huge"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Pi"}}}})).await,
        "requests.storage",
    );
    t.allowed(
        "developer creates a claim without a volume name",
        create(&dev, Some(&aext), json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})).await,
    );
    t.allowed(
        "developer uses configMap, secret, projected, downwardAPI, emptyDir, claim and ephemeral volumes",
        create(
            &dev,
            Some(&aext),
            pod("vols", |p| {
                p["spec"]["volumes"] = json!([
                    {"name": "a", "configMap": {"name": "x"}}, {"name": "b", "secret": {"secretName": "x"}},
                    {"name": "c", "projected": {"sources": [{"serviceAccountToken": {"path": "t", "expirationSeconds": 3600}}]}},
                    {"name": "d", "downwardAPI": {"items": [{"path": "l", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
                    {"name": "e", "emptyDir": {"sizeLimit": "10Mi"}}, {"name": "f", "persistentVolumeClaim": {"claimName": "data"}},
                    {"name": "g", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}}}
                ]);
            }),
        )
        .await,
    );
    t.allowed(
        "developer uses a pinned image volume where the zone allows them",
        create(
            &dev,
            Some(&aprv),
            pod("imgok", |p| {
                on_private(p);
                p["spec"]["volumes"] = json!([{"name": "v", "image": {"reference": format!("harbor.egov.local/a/data@sha256:{}", "0".repeat(64))}}]);
            }),
        )
        .await,
    );

    t.denied(
        "developer names a volume on an unbound claim by UPDATE",
        update(&dev, "v1", "PersistentVolumeClaim", &aext, "data", |c| {
            c["spec"]["volumeName"] = json!("platform-hostpath")
        })
        .await,
        "[GC-VOL-002]",
    );
    t.denied(
        "Deployment template with a host port",
        create(
            &dev,
            Some(&aext),
            workload("Deployment", "d-hport", |p| {
                p["spec"]["containers"][0]["ports"] = json!([{"containerPort": 80, "hostPort": 80}])
            }),
        )
        .await,
        "[GC-HOST-003]",
    );
    t.denied(
        "developer adds a wildcard toleration to a Deployment's template",
        update(&dev, "apps/v1", "Deployment", &aext, "d-ok", |d| {
            d["spec"]["template"]["spec"]["tolerations"] = json!([{"operator": "Exists"}])
        })
        .await,
        "[GC-ZONE-002]",
    );
    t.denied(
        "a privileged ephemeral container (Pod Security first, then GC-POD-002)",
        api(&admin_client, "v1", "Pod", Some(&aext))
            .patch_subresource(
                "ephemeralcontainers",
                "upd",
                &PatchParams::default(),
                &Patch::Strategic(json!({"spec": {"ephemeralContainers": [{"name": "root", "image": "harbor.egov.local/a/debug:1", "securityContext": {"privileged": true}}]}})),
            )
            .await
            .map(|_| ()),
        "privileged",
    );
    t.denied(
        "an image outside the tenant's own registry path (app)",
        create(&erin, Some(&bext), app("foreign", &zones.0, json!({"image": "harbor.egov.local/a/x:1"}))).await,
        "[GC-IMG-001] spec.image must come from a registry the tenant allows",
    );
    t.denied(
        "an image outside the tenant's own registry path (pod)",
        create(&erin, Some(&bext), pod("foreign", |_| {})).await,
        "[GC-IMG-001] spec.containers[].image must come from a registry the tenant allows",
    );

    // --- priority, services, tokens ---
    t.denied(
        "pod with system-node-critical priority",
        create(&dev, Some(&aext), pod("prio", |p| p["spec"]["priorityClassName"] = json!("system-node-critical")))
            .await,
        "[GC-PRI-001]",
    );
    t.denied(
        "externalIPs in the internet zone",
        create(
            &dev,
            Some(&admz),
            service("eip", json!({"ports": [{"port": 80}], "externalIPs": ["172.29.255.1", "10.91.255.1"]})),
        )
        .await,
        "[GC-SVC-001] spec.externalIPs",
    );
    t.allowed(
        "developer creates a ClusterIP service in the internet zone",
        create(&dev, Some(&admz), service("plain", json!({"ports": [{"port": 80}]}))).await,
    );
    t.denied(
        "developer adds externalIPs to a service by UPDATE",
        update(&dev, "v1", "Service", &admz, "plain", |v| v["spec"]["externalIPs"] = json!(["10.91.0.10"])).await,
        "[GC-SVC-001] spec.externalIPs",
    );
    t.denied(
        "developer creates a service-account token Secret",
        create(&dev, Some(&aext), json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tok", "annotations": {"kubernetes.io/service-account.name": "default"}}, "type": "kubernetes.io/service-account-token"})).await,
        "[GC-RBAC-003]",
    );

    // --- bindings ---
    let user = |n: &str| json!({"kind": "User", "name": n, "apiGroup": "rbac.authorization.k8s.io"});
    let group = |n: &str| json!({"kind": "Group", "name": n, "apiGroup": "rbac.authorization.k8s.io"});
    t.denied(
        "admin binds the admin role to system:authenticated",
        create(&adm, Some(&aext), binding_to("everyone", "govcloud-tenant-admin", group("system:authenticated"))).await,
        "[GC-RBAC-002]",
    );
    t.denied(
        "admin binds the viewer role to system:unauthenticated",
        create(&adm, Some(&aext), binding_to("anon", "govcloud-tenant-viewer", group("system:unauthenticated"))).await,
        "[GC-RBAC-002]",
    );
    t.denied(
        "admin binds a role to another tenant's service account",
        create(
            &adm,
            Some(&aext),
            binding_to(
                "foreign-sa",
                "govcloud-tenant-viewer",
                json!({"kind": "ServiceAccount", "name": "default", "namespace": bext}),
            ),
        )
        .await,
        "[GC-RBAC-002]",
    );
    t.denied(
        "admin binds a role to a service account by its user name",
        create(
            &adm,
            Some(&aext),
            binding_to("sa-user", "govcloud-tenant-viewer", user(&format!("system:serviceaccount:{bext}:default"))),
        )
        .await,
        "[GC-RBAC-002]",
    );
    t.denied(
        "admin binds a role to its own tenant's service account in another zone",
        create(
            &adm,
            Some(&aext),
            binding_to(
                "own-sa",
                "govcloud-tenant-viewer",
                json!({"kind": "ServiceAccount", "name": "default", "namespace": aprv}),
            ),
        )
        .await,
        "[GC-RBAC-002]",
    );
    t.allowed(
        "admin binds the viewer role to a service account of the same namespace",
        create(
            &adm,
            Some(&aext),
            binding_to(
                "own-sa",
                "govcloud-tenant-viewer",
                json!({"kind": "ServiceAccount", "name": "default", "namespace": aext}),
            ),
        )
        .await,
    );
    t.allowed(
        "admin binds the viewer role to a named colleague",
        create(&adm, Some(&aext), binding_to("colleague", "govcloud-tenant-viewer", user("frank"))).await,
    );
    t.denied(
        "admin widens a binding by UPDATE",
        update(&adm, "rbac.authorization.k8s.io/v1", "RoleBinding", &aext, "colleague", |r| {
            r["subjects"] = json!([group("system:authenticated")])
        })
        .await,
        "[GC-RBAC-002]",
    );

    // --- auditor scope, exec ---
    t.denied(
        "cluster auditor reads kube-system ConfigMaps",
        api(&auditor, "v1", "ConfigMap", Some("kube-system")).list(&ListParams::default()).await.map(|_| ()),
        "configmaps",
    );
    t.denied(
        "cluster auditor reads pods in govcloud-system",
        api(&auditor, "v1", "Pod", Some("govcloud-system")).list(&ListParams::default()).await.map(|_| ()),
        "pods",
    );
    t.allowed(
        "cluster auditor reads another tenant's pods",
        api(&auditor, "v1", "Pod", Some(&bext)).list(&ListParams::default()).await.map(|_| ()),
    );
    assert!(!may(&admin_client, &users.dev, &aprv, "pods", "exec", "create").await, "no exec at MLPS level 3");
    assert!(
        !may(&admin_client, &users.dev, &aprv, "pods", "portforward", "create").await,
        "no port-forward at MLPS level 3"
    );
    assert!(!may(&admin_client, &users.admin, &aprv, "pods", "attach", "create").await, "no attach at MLPS level 3");
    t.held("developer execs into a level-3 pod");
    assert!(may(&admin_client, &users.dev, &aext, "pods", "exec", "create").await, "exec at MLPS level 2");
    t.allowed("developer may exec at MLPS level 2", Ok(()));

    // --- public hosts, names, cordon ---
    t.denied(
        "app claiming a host outside the zone's domain",
        create(&dev, Some(&admz), app("gov", &zones.2, json!({"exposure": "public", "host": "www.gov.cn"}))).await,
        "[GC-SVC-003]",
    );
    t.denied(
        "a Tenant named like a system namespace",
        create(
            &admin_client,
            None,
            json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "Tenant", "metadata": {"name": "kube"}, "spec": {"displayName": {"zh": "x", "en": "x"}}}),
        )
        .await,
        "reserved",
    );
    t.denied(
        "a Tenant owned by system:authenticated",
        create(&admin_client, None, json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "Tenant", "metadata": {"name": short("own")}, "spec": {"displayName": {"zh": "x", "en": "x"}, "owners": [{"kind": "Group", "name": "system:authenticated", "role": "viewer"}]}})).await,
        "system:",
    );
    t.denied(
        "cordoned tenant creates an app",
        create(&frank_c, Some(&cext), app("new", &zones.0, json!({}))).await,
        "[GC-TEN-001]",
    );
    t.denied(
        "cordoned tenant creates a Deployment",
        create(&frank_c, Some(&cext), workload("Deployment", "new", |_| {})).await,
        "[GC-TEN-001]",
    );
    t.denied("cordoned tenant creates a pod", create(&frank_c, Some(&cext), pod("new", |_| {})).await, "[GC-TEN-001]");
    t.allowed(
        "an uncordoned tenant's developer creates an app",
        create(&erin, Some(&bext), app("fresh", &zones.0, json!({"image": "harbor.egov.local/b/x:1"}))).await,
    );

    let distinct: std::collections::BTreeSet<&String> = t.denied.iter().collect();
    eprintln!(
        "every path: {} distinct forbidden actions denied, {} legitimate ones allowed, operator stopped",
        distinct.len(),
        t.allowed.len()
    );
    assert!(distinct.len() >= 52, "only {} distinct forbidden actions", distinct.len());
}

/// The offline evaluator (render-time validation and the audit judge by it)
/// gives the API server's verdict: objects submitted (server dry-run) to a
/// tenant namespace of a level-3 zone are denied exactly when the evaluator,
/// on the namespace and zone as the API server holds them, finds a failed check.
#[tokio::test]
async fn the_offline_evaluator_agrees_with_the_api_server() {
    use govcloud::meta::labels::{ALLOWED_REGISTRIES, MLPS_LEVEL, TENANT, ZONE, ZONE_KIND};
    support::install().await;
    let admin = client().await;
    let (z, t) = (short("v"), short("vt"));
    let ns = format!("{t}-{z}");
    let zone = json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "NetworkZone", "metadata": {"name": z}, "spec": {
        "kind": "extranet", "mlpsLevel": 3, "displayName": {"zh": "核验区", "en": "verify"},
        "nodePool": {"selector": {ZONE: z}, "taint": {"key": ZONE, "value": z}},
        "cidrs": ["172.31.250.0/24"], "allowedRegistries": ["harbor.egov.local"], "allowedVolumeTypes": ["nfs"]}});
    create(&admin, None, zone).await.expect("zone");
    create(
        &admin,
        None,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns,
        "labels": {TENANT: t, ZONE: z, ZONE_KIND: "extranet", MLPS_LEVEL: "3"},
        "annotations": {ALLOWED_REGISTRIES: "harbor.egov.local/a"}}}),
    )
    .await
    .expect("namespace");
    for b in govcloud::render::render_zone(&z) {
        let (name, b) = (b.name().to_string(), serde_json::to_value(&b).expect("a binding as JSON"));
        api(&admin, "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", None)
            .patch(&name, &PatchParams::apply("govcloud-test").force(), &Patch::Apply(&b))
            .await
            .expect("zone binding");
    }
    let digest = format!("@sha256:{}", "0".repeat(64));
    let image = format!("harbor.egov.local/a/c{digest}");
    let on_zone = |p: &mut Value| {
        p["metadata"]["namespace"] = json!(ns);
        p["spec"]["nodeSelector"] = json!({ZONE: z});
        p["spec"]["tolerations"] = json!([{"key": ZONE, "operator": "Equal", "value": z, "effect": "NoSchedule"}]);
        p["spec"]["containers"][0]["image"] = json!(image);
    };
    let zoned = |name: &str, f: &dyn Fn(&mut Value)| {
        pod(name, |p| {
            on_zone(p);
            f(p);
        })
    };
    let dry_run = |o: Value| {
        let admin = admin.clone();
        let ns = ns.clone();
        async move {
            let d: DynamicObject = serde_json::from_value(o.clone()).expect("object");
            let pp = PostParams { dry_run: true, ..Default::default() };
            api(&admin, o["apiVersion"].as_str().unwrap_or_default(), o["kind"].as_str().unwrap_or_default(), Some(&ns))
                .create(&pp, &d)
                .await
                .map(|_| ())
        }
    };
    // Each binding takes effect on its own: they are live once a pod off the
    // zone's nodes and an app of another zone are both denied.
    eventually("the zone's admission bindings in force", Duration::from_secs(30), || async {
        let mut probe_app = app("probe", "elsewhere", json!({"image": image}));
        probe_app["metadata"]["namespace"] = json!(ns);
        (dry_run(zoned("probe", &|p| p["spec"]["nodeSelector"] = json!({}))).await.is_err()
            && dry_run(probe_app).await.is_err())
        .then_some(())
    })
    .await;
    let cases: Vec<(&str, Value)> = vec![
        ("compliant", zoned("ok", &|_| {})),
        ("privileged", zoned("priv", &|p| p["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true))),
        ("hostPath", zoned("hp", &|p| p["spec"]["volumes"] = json!([{"name": "h", "hostPath": {"path": "/"}}]))),
        (
            "hostPort",
            zoned("hport", &|p| {
                p["spec"]["containers"][0]["ports"] = json!([{"containerPort": 8080, "hostPort": 8080}])
            }),
        ),
        (
            "no digest at level 3",
            zoned("tag", &|p| p["spec"]["containers"][0]["image"] = json!("harbor.egov.local/a/c:1")),
        ),
        (
            "a public registry",
            zoned("pub", &|p| p["spec"]["containers"][0]["image"] = json!(format!("docker.io/library/nginx{digest}"))),
        ),
        (
            "a look-alike registry",
            zoned("alike", &|p| {
                p["spec"]["containers"][0]["image"] = json!(format!("harbor.egov.local.evil.com/a/c{digest}"))
            }),
        ),
        (
            "outside the tenant's path",
            zoned("path", &|p| p["spec"]["containers"][0]["image"] = json!(format!("harbor.egov.local/b/c{digest}"))),
        ),
        ("no node selector", zoned("nosel", &|p| p["spec"]["nodeSelector"] = json!({}))),
        ("another zone's nodes", zoned("other", &|p| p["spec"]["nodeSelector"] = json!({ZONE: "elsewhere"}))),
        (
            "a foreign toleration",
            zoned("tol", &|p| p["spec"]["tolerations"] = json!([{"key": "dedicated", "operator": "Exists"}])),
        ),
        (
            "a node lifecycle toleration",
            zoned("tolnode", &|p| {
                p["spec"]["tolerations"] =
                    json!([{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}])
            }),
        ),
        (
            "no limits",
            zoned("nolim", &|p| {
                p["spec"]["containers"][0]["resources"] = json!({"requests": {"cpu": "50m", "memory": "32Mi"}})
            }),
        ),
        (
            "an allowed nfs volume",
            zoned("nfs", &|p| {
                p["spec"]["volumes"] = json!([{"name": "n", "nfs": {"server": "10.0.0.1", "path": "/x"}}])
            }),
        ),
        (
            "an iscsi volume",
            zoned(
                "iscsi",
                &|p| p["spec"]["volumes"] = json!([{"name": "n", "iscsi": {"targetPortal": "10.0.0.1:3260", "iqn": "iqn.2001-04.com.example:storage", "lun": 0}}]),
            ),
        ),
        (
            "a deployment template on the zone",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": ns}, "spec": {
                "selector": {"matchLabels": {"x": "d"}},
                "template": {"metadata": {"labels": {"x": "d"}}, "spec": zoned("t", &|_| {})["spec"].clone()}}}),
        ),
        (
            "a deployment template naming a node",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "dn", "namespace": ns}, "spec": {
                "selector": {"matchLabels": {"x": "d"}},
                "template": {"metadata": {"labels": {"x": "d"}}, "spec": zoned("t", &|p| p["spec"]["nodeName"] = json!("n1"))["spec"].clone()}}}),
        ),
        ("an app", {
            let mut a = app("app-ok", &z, json!({"image": image}));
            a["metadata"]["namespace"] = json!(ns);
            a
        }),
        ("an app without digest", {
            let mut a = app("app-tag", &z, json!({}));
            a["metadata"]["namespace"] = json!(ns);
            a
        }),
        ("an app of another zone", {
            let mut a = app("app-zone", "elsewhere", json!({"image": image}));
            a["metadata"]["namespace"] = json!(ns);
            a
        }),
        ("a LoadBalancer outside the internet zone", {
            let mut s = service("lb", json!({"type": "LoadBalancer", "ports": [{"port": 80}]}));
            s["metadata"]["namespace"] = json!(ns);
            s
        }),
    ];
    // The namespace and zone as the API server holds them.
    let held = |kind: &str, ns_name: Option<&str>, name: &str| {
        let admin = admin.clone();
        let (kind, ns_name, name) = (kind.to_string(), ns_name.map(str::to_string), name.to_string());
        async move {
            let api_version = if kind == "Namespace" { "v1" } else { "govcloud.io/v1alpha1" };
            serde_json::to_value(api(&admin, api_version, &kind, ns_name.as_deref()).get(&name).await.expect("get"))
                .expect("json")
        }
    };
    let namespace = held("Namespace", None, &ns).await;
    let zone = held("NetworkZone", None, &z).await;
    let evaluator = govcloud::controls::eval::Evaluator::new();
    let mut disagreements = Vec::new();
    let mut denied = 0;
    for (what, o) in cases {
        let offline: Vec<String> = govcloud::controls::eval::failures(&evaluator, &o, Some(&namespace), Some(&zone))
            .iter()
            .map(|f| format!("[{}] {}", f.check.control, f.check.message))
            .collect();
        let server = dry_run(o).await;
        denied += usize::from(server.is_err());
        if server.is_err() == offline.is_empty() {
            disagreements.push(format!("{what}: API server {server:?}, offline {offline:?}"));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(denied >= 10, "{denied} denied");
}

fn custody_model(z: &(String, String, String), a: &str, b: &str, u: &Users) -> String {
    let (ext, prv, dmz) = z;
    let ext_zone = zone_doc(ext, "extranet", "10.91.0.0/16", "");
    let dmz_zone = zone_doc(dmz, "internet", "172.29.0.0/16", "internetIngress: true\npublicDomain: example.gov");
    let prv_zone = zone_doc(prv, "private", "10.93.0.0/16", "mlpsLevel: 3");
    format!(
        r#"
{ext_zone}---
{prv_zone}---
{dmz_zone}---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: {a}}}
spec:
  displayName: {{zh: 甲局, en: Bureau A}}
  owners:
    - {{kind: User, name: {admin}, role: admin}}
    - {{kind: User, name: {dev}, role: developer}}
  allowedHosts: [own-{a}.example.gov]
  zones: [{{name: {ext}}}, {{name: {prv}}}, {{name: {dmz}}}]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: {b}}}
spec:
  displayName: {{zh: 乙局, en: Bureau B}}
  owners: [{{kind: User, name: {other}, role: developer}}]
  zones: [{{name: {ext}}}, {{name: {dmz}}}]
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: portal, namespace: {a}-{ext}}}
spec: {{zone: {ext}, image: harbor.egov.local/a/portal:1, ports: [{{name: http, port: 8080}}]}}
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: db, namespace: {b}-{ext}}}
spec: {{zone: {ext}, image: harbor.egov.local/b/db:1, ports: [{{name: api, port: 8443}}], flows: {{allowFrom: [{{tenant: {a}, apps: [portal]}}]}}}}
"#,
        admin = u.admin,
        dev = u.dev,
        other = u.other,
    )
}

/// Issue 23's escapes E1–E13 (E4 and E11, on requests, are in tests/cluster/requests.rs):
/// each is tried as a department would, with the operator stopped, and
/// refused by who makes the request, not by what the object says; the
/// legitimate path beside each still works.
#[tokio::test]
async fn custody_decides_not_labels_with_the_operator_stopped() {
    let admin_client = client().await;
    let scope = short("cust");
    let zones = (short("x"), short("p"), short("d"));
    let (a, b) = (short("ta"), short("tb"));
    let users = Users {
        admin: format!("alice-{a}"),
        dev: format!("bob-{a}"),
        viewer: format!("carol-{a}"),
        auditor: format!("dave-{a}"),
        other: format!("erin-{b}"),
    };
    let ns = |t: &str, z: &str| format!("{t}-{z}");
    let (aext, aprv, admz) = (ns(&a, &zones.0), ns(&a, &zones.1), ns(&a, &zones.2));
    let dev = impersonating(&users.dev, &["system:authenticated"]).await;
    let adm = impersonating(&users.admin, &["system:authenticated"]).await;
    let mut t = Tally::default();

    let mut op = Operator::start(&scope, 3).await;
    let loaded = govcloud::model::load_str("custody.yaml", &custody_model(&zones, &a, &b, &users)).expect("model");
    govcloud::dev::apply_model(
        &admin_client,
        &loaded.model,
        &[("govcloud.io/scope".into(), scope.clone())],
        Duration::from_secs(60),
    )
    .await
    .expect("apply");
    let apps = |n: &str| Api::<DepartmentApp>::namespaced(admin_client.clone(), n);
    eventually("portal Ready", Duration::from_secs(120), || async {
        condition(&apps(&aext).get_opt("portal").await.ok()??, "Ready").filter(|c| c.0 == "True")
    })
    .await;

    // E3, with the operator running: a department's Service named like its
    // public app puts the app in Conflict, and nothing publishes it.
    t.denied(
        "developer creates an ExternalName Service",
        create(
            &dev,
            Some(&admz),
            service("site", json!({"type": "ExternalName", "externalName": "kubernetes.default.svc.cluster.local"})),
        )
        .await,
        "[GC-SVC-001]",
    );
    t.allowed(
        "developer creates its own ClusterIP Service (named like the app it will declare)",
        create(&dev, Some(&admz), service("site", json!({"ports": [{"port": 80}], "selector": {"w": "mine"}}))).await,
    );
    let mut site = app("site", &zones.2, json!({"exposure": "public", "host": "www.example.gov"}));
    site["metadata"]["labels"] = json!({"govcloud.io/scope": scope});
    t.allowed("developer declares the public app", create(&dev, Some(&admz), site).await);
    let conflict = eventually("site in Conflict", Duration::from_secs(60), || async {
        condition(&apps(&admz).get_opt("site").await.ok()??, "Ready").filter(|c| c.1 == "Conflict")
    })
    .await;
    assert!(conflict.2.contains("Service"), "{conflict:?}");
    let ingresses = api(&admin_client, "networking.k8s.io/v1", "Ingress", Some(&admz))
        .list(&ListParams::default())
        .await
        .expect("ingresses");
    assert!(ingresses.items.is_empty(), "an app in conflict is published by no Ingress: {:?}", ingresses.items);
    t.held("an Ingress publishes a Service govcloud did not make");
    let pdbs = api(&admin_client, "policy/v1", "PodDisruptionBudget", Some(&admz))
        .list(&ListParams::default())
        .await
        .expect("pdbs");
    assert!(pdbs.items.is_empty(), "{:?}", pdbs.items);

    // The operator's own pods exist: the controllers' path for labelled pods works.
    let portal_pod = eventually("portal's pod", Duration::from_secs(60), || async {
        let pods = api(&admin_client, "v1", "Pod", Some(&aext))
            .list(&ListParams::default().labels("govcloud.io/app=portal"))
            .await
            .ok()?;
        pods.items.first().map(|p| p.metadata.name.clone().unwrap_or_default())
    })
    .await;
    let portal_rs = api(&admin_client, "apps/v1", "ReplicaSet", Some(&aext))
        .list(&ListParams::default().labels("govcloud.io/app=portal"))
        .await
        .expect("replicasets")
        .items
        .first()
        .and_then(|r| r.metadata.name.clone())
        .expect("portal's ReplicaSet");
    let quota = api(&admin_client, "v1", "ResourceQuota", Some(&admz)).get("govcloud-quota").await.expect("quota");
    for key in ["services.nodeports", "services.loadbalancers"] {
        assert_eq!(quota.data["spec"]["hard"][key], json!("0"), "{key} in the internet zone's quota");
    }
    for key in [
        "count/deployments.apps",
        "count/replicasets.apps",
        "count/statefulsets.apps",
        "count/jobs.batch",
        "count/cronjobs.batch",
        "count/serviceaccounts",
    ] {
        assert!(quota.data["spec"]["hard"].get(key).is_some(), "E9: {key} counted");
    }
    // E5: the internet zone lists the hosts tenants own, for admission.
    let owned = format!("own-{a}.example.gov");
    eventually("the internet zone's host owners", Duration::from_secs(60), || async {
        let z = api(&admin_client, "govcloud.io/v1alpha1", "NetworkZone", None).get(&zones.2).await.ok()?;
        z.data["status"]["hostOwners"]
            .as_array()?
            .iter()
            .any(|o| o["host"] == owned.as_str() && o["tenant"] == a.as_str())
            .then_some(())
    })
    .await;
    op.kill();

    // --- E5: a host another tenant owns ---
    let erin = impersonating(&users.other, &["system:authenticated"]).await;
    let mut theirs = app("theirs", &zones.2, json!({"exposure": "public", "host": owned}));
    theirs["spec"]["image"] = json!("harbor.egov.local/b/x:1");
    // The zone's status reaches the API server's parameter cache a moment after it is written.
    let dry = PostParams { dry_run: true, ..Default::default() };
    eventually("the host owners in force", Duration::from_secs(30), || async {
        let o: DynamicObject = serde_json::from_value(theirs.clone()).ok()?;
        api(&erin, "govcloud.io/v1alpha1", "DepartmentApp", Some(&ns(&b, &zones.2))).create(&dry, &o).await.err()
    })
    .await;
    t.denied(
        "another tenant's app takes a host tenant a owns",
        create(&erin, Some(&ns(&b, &zones.2)), theirs).await,
        "[GC-SVC-003]",
    );
    t.allowed(
        "the owner's app takes its own host",
        create(&dev, Some(&admz), app("mine", &zones.2, json!({"exposure": "public", "host": owned}))).await,
    );

    // --- E9: sizes ---
    let config_map = |name: &str, bytes: usize| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"f": "x".repeat(bytes)}});
    t.denied("a 300 KiB ConfigMap", create(&dev, Some(&aext), config_map("big", 300 * 1024)).await, "[GC-RES-003]");
    t.allowed("a 100 KiB ConfigMap", create(&dev, Some(&aext), config_map("fits", 100 * 1024)).await);
    let mut annotated = config_map("annotated", 10);
    annotated["metadata"]["annotations"] = json!({"note": "y".repeat(70 * 1024)});
    t.denied("70 KiB of annotations", create(&dev, Some(&aext), annotated).await, "[GC-RES-003]");
    t.denied(
        "a 70 KiB Secret",
        create(&dev, Some(&aext), json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "big"}, "stringData": {"k": "z".repeat(70 * 1024)}})).await,
        "[GC-RES-003]",
    );

    // --- E1: the app identity by custody ---
    let forged = |p: &mut Value| {
        p["metadata"]["labels"] = json!({"govcloud.io/app": "portal", "app.kubernetes.io/managed-by": "govcloud"})
    };
    let identity = ["[GC-NET-006]", "[GC-MGD-001]"];
    t.denied_by(
        "a bare pod labelled as portal and as managed",
        create(&dev, Some(&aext), pod("bare", forged)).await,
        &identity,
    );
    t.denied(
        "a bare pod labelled as managed only",
        create(
            &dev,
            Some(&aext),
            pod("bare2", |p| p["metadata"]["labels"] = json!({"app.kubernetes.io/managed-by": "govcloud"})),
        )
        .await,
        "[GC-MGD-001]",
    );
    for kind in ["Job", "ReplicaSet", "StatefulSet", "CronJob", "Deployment"] {
        let name = format!("{}-forged", kind.to_lowercase());
        let o = workload(kind, &name, |p| {
            p["metadata"]["labels"]["govcloud.io/app"] = json!("portal");
            p["metadata"]["labels"]["app.kubernetes.io/managed-by"] = json!("govcloud");
        });
        t.denied_by(
            &format!("a {kind} template labelled as portal and managed"),
            create(&dev, Some(&aext), o).await,
            &identity,
        );
        let o =
            workload(kind, &format!("{name}-app"), |p| p["metadata"]["labels"]["govcloud.io/app"] = json!("portal"));
        t.denied(&format!("a {kind} template labelled as portal"), create(&dev, Some(&aext), o).await, "[GC-NET-006]");
    }
    t.denied(
        "a Deployment template labelled as managed only",
        create(
            &dev,
            Some(&aext),
            workload("Deployment", "d-managed", |p| {
                p["metadata"]["labels"]["app.kubernetes.io/managed-by"] = json!("govcloud")
            }),
        )
        .await,
        "[GC-MGD-001]",
    );
    t.denied_by(
        "developer relabels govcloud's running pod",
        update(&dev, "v1", "Pod", &aext, &portal_pod, |p| p["metadata"]["labels"]["govcloud.io/app"] = json!("db"))
            .await,
        &identity,
    );
    t.denied(
        "developer adds a label to govcloud's running pod",
        update(&dev, "v1", "Pod", &aext, &portal_pod, |p| p["metadata"]["labels"]["x"] = json!("y")).await,
        "[GC-MGD-001]",
    );
    t.denied(
        "developer deletes govcloud's pod",
        api(&dev, "v1", "Pod", Some(&aext)).delete(&portal_pod, &DeleteParams::default()).await.map(|_| ()),
        "[GC-MGD-001]",
    );
    // E12: the operator-made ReplicaSet is not the department's to relabel or scale.
    t.denied(
        "developer scales govcloud's ReplicaSet",
        update(&dev, "apps/v1", "ReplicaSet", &aext, &portal_rs, |r| r["spec"]["replicas"] = json!(5)).await,
        "[GC-MGD-001]",
    );
    t.denied(
        "developer relabels govcloud's ReplicaSet",
        update(&dev, "apps/v1", "ReplicaSet", &aext, &portal_rs, |r| r["metadata"]["labels"]["x"] = json!("y")).await,
        "[GC-MGD-001]",
    );
    // Subresources that would reach govcloud's workloads without an UPDATE of them: no right to them at all.
    for (resource, sub, verb) in [
        ("replicasets", "scale", "update"),
        ("deployments", "scale", "update"),
        ("pods", "ephemeralcontainers", "patch"),
        ("pods", "binding", "create"),
    ] {
        assert!(!may(&admin_client, &users.dev, &aext, resource, sub, verb).await, "{resource}/{sub} {verb}");
        t.held(&format!("developer {verb}s {resource}/{sub}"));
    }
    // The legitimate path: a department's own Deployment, without govcloud's labels, runs its pods.
    t.allowed(
        "developer creates its own Deployment",
        create(&dev, Some(&aext), workload("Deployment", "mine", |_| {})).await,
    );
    eventually("the department's own pods, made by the ReplicaSet controller", Duration::from_secs(60), || async {
        let pods =
            api(&admin_client, "v1", "Pod", Some(&aext)).list(&ListParams::default().labels("w=mine")).await.ok()?;
        (!pods.items.is_empty()).then_some(())
    })
    .await;

    // --- E2: a StatefulSet's claim template naming a platform volume ---
    t.denied(
        "a StatefulSet whose claim template names a volume",
        create(
            &dev,
            Some(&aext),
            {
                let mut s = workload("StatefulSet", "steal", |_| {});
                s["spec"]["serviceName"] = json!("steal");
                s["spec"]["volumeClaimTemplates"] = json!([{"metadata": {"name": "data"}, "spec": {"volumeName": "etcd-data", "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]);
                s
            },
        )
        .await,
        "[GC-VOL-002]",
    );

    // --- E5: the city's own domain ---
    t.denied(
        "a public app at the zone's apex",
        create(&dev, Some(&admz), app("apex", &zones.2, json!({"exposure": "public", "host": "example.gov"}))).await,
        "[GC-SVC-003]",
    );
    t.allowed(
        "a public app strictly under the zone's domain",
        create(&dev, Some(&admz), app("under", &zones.2, json!({"exposure": "public", "host": "under.example.gov"})))
            .await,
    );

    // --- E6: ports on every node ---
    for ty in ["NodePort", "LoadBalancer"] {
        t.denied(
            &format!("a {ty} Service in the internet zone"),
            create(
                &dev,
                Some(&admz),
                service(&format!("{}-svc", ty.to_lowercase()), json!({"type": ty, "ports": [{"port": 80}]})),
            )
            .await,
            "[GC-SVC-001]",
        );
    }

    t.denied(
        "developer turns its ClusterIP Service into a NodePort by UPDATE",
        update(&dev, "v1", "Service", &admz, "site", |s| s["spec"]["type"] = json!("NodePort")).await,
        "[GC-SVC-001]",
    );

    // --- E7: bindings stay in their namespace ---
    t.denied(
        "the private namespace's binding to the internet namespace's service account",
        create(
            &adm,
            Some(&aprv),
            binding_to(
                "dmz-sa",
                "govcloud-tenant-developer",
                json!({"kind": "ServiceAccount", "name": "default", "namespace": admz}),
            ),
        )
        .await,
        "[GC-RBAC-002]",
    );
    t.allowed(
        "a binding to a service account of the same namespace",
        create(
            &adm,
            Some(&aprv),
            binding_to(
                "own-sa",
                "govcloud-tenant-viewer",
                json!({"kind": "ServiceAccount", "name": "default", "namespace": aprv}),
            ),
        )
        .await,
    );

    t.denied(
        "the same-namespace binding widened to the internet namespace's service account by UPDATE",
        update(&adm, "rbac.authorization.k8s.io/v1", "RoleBinding", &aprv, "own-sa", |r| {
            r["subjects"] = json!([{"kind": "ServiceAccount", "name": "default", "namespace": admz}])
        })
        .await,
        "[GC-RBAC-002]",
    );

    // --- what admission reads from a zone's status is the operator's ---
    let tool = format!("zone-tool-{scope}");
    create(
        &admin_client,
        None,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": tool},
        "rules": [{"apiGroups": ["govcloud.io"], "resources": ["networkzones", "networkzones/status"], "verbs": ["get", "update", "patch"]}]}),
    )
    .await
    .expect("a platform tool's role");
    create(
        &admin_client,
        None,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": tool},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": tool},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": tool}]}),
    )
    .await
    .expect("its binding");
    let tool_c = impersonating(&tool, &["system:authenticated"]).await;
    let zone_status = |c: &Client, status: Value| {
        let api = api(c, "govcloud.io/v1alpha1", "NetworkZone", None);
        let name = zones.2.clone();
        async move {
            api.patch_status(&name, &PatchParams::default(), &Patch::Merge(json!({"status": status}))).await.map(|_| ())
        }
    };
    let grab = json!({"hostOwners": [{"host": owned, "tenant": b}]});
    // The tool's right reaches the API server's authorizer cache a moment after the binding exists.
    let forbidden_by_rbac = |r: &Result<(), kube::Error>| matches!(r, Err(kube::Error::Api(s)) if s.code == 403 && !s.message.contains("GC-"));
    let r = eventually("the tool's role in force", Duration::from_secs(30), || async {
        let r = zone_status(&tool_c, grab.clone()).await;
        (!forbidden_by_rbac(&r)).then_some(r)
    })
    .await;
    t.denied("a platform tool hands a tenant's host to another in the zone's status", r, "[GC-SVC-003]");
    t.denied(
        "a platform tool raises the zone's capacity in its status",
        zone_status(
            &tool_c,
            json!({"capacity": {"cpu": "100000", "memory": "1Pi", "grantedCpu": "0", "grantedMemory": "0"}}),
        )
        .await,
        "[GC-ZONE-007]",
    );
    t.allowed(
        "the same tool writes the zone's other status fields",
        zone_status(&tool_c, json!({"nodesSummary": "2/2"})).await,
    );

    // --- E10: fixed cluster addresses ---
    t.denied(
        "a Service at the cluster DNS address",
        create(
            &dev,
            Some(&aext),
            service("dns", json!({"clusterIP": "10.96.0.10", "ports": [{"port": 53, "protocol": "UDP"}]})),
        )
        .await,
        "[GC-SVC-001]",
    );
    t.allowed(
        "a headless Service",
        create(&dev, Some(&aext), service("headless", json!({"clusterIP": "None", "ports": [{"port": 80}]}))).await,
    );
    t.allowed(
        "an UPDATE of a Service keeps its allocated address",
        update(&dev, "v1", "Service", &aext, "headless", |s| s["metadata"]["labels"] = json!({"tier": "web"})).await,
    );

    // --- E13: an unmasked /proc ---
    t.denied(
        "a pod with procMount Unmasked and its own user namespace",
        create(
            &dev,
            Some(&aext),
            pod("proc", |p| {
                p["spec"]["hostUsers"] = json!(false);
                p["spec"]["containers"][0]["securityContext"]["procMount"] = json!("Unmasked");
            }),
        )
        .await,
        "[GC-POD-002]",
    );

    // The audit sees what runs: a pod a cluster administrator labelled as portal
    // (break-glass) is judged by its owner chain, not its labels.
    create(&admin_client, Some(&aext), pod("planted", forged)).await.expect("a break-glass pod");
    let audit =
        govcloud::operator::live_audit(&admin_client, &govcloud::model::Model::default().cluster_cidrs, &[], None)
            .await
            .expect("live audit");
    let verdict = |name: &str| {
        let id = format!("Pod/{aext}/{name}");
        audit
            .findings
            .iter()
            .find(|f| f.control == "GC-NET-006" && f.subject.object.as_ref() == id)
            .map(|f| (f.outcome, f.severity))
    };
    assert_eq!(
        verdict("planted"),
        Some((govcloud::audit::Outcome::Fail, govcloud::controls::Severity::Critical)),
        "a planted pod is a critical finding"
    );
    assert_eq!(
        verdict(&portal_pod).map(|v| v.0),
        Some(govcloud::audit::Outcome::Pass),
        "govcloud's own pod passes by its owner chain"
    );
    t.held("a planted pod counted as the app it claims to be");

    println!("custody: {} denied or held, {} allowed", t.denied.len(), t.allowed.len());
    assert!(t.denied.len() >= 40 && t.allowed.len() >= 10, "denied {:?}, allowed {:?}", t.denied, t.allowed);
}
