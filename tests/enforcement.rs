//! Enforcement that holds without the operator: with the operator stopped,
//! department users, viewers and auditors (impersonated) are denied every
//! forbidden action — by RBAC, Pod Security or the generated admission
//! policies, with messages naming the control — and allowed the matching
//! legitimate ones.

mod support;

use std::time::Duration;

use govcloud::api::{DepartmentApp, Tenant};
use kube::Client;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use support::{Operator, client, eventually, impersonating, short};

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
    api(c, obj["apiVersion"].as_str().unwrap_or_default(), obj["kind"].as_str().unwrap_or_default(), ns).create(&PostParams::default(), &o).await.map(|_| ())
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
    format!(
        r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {{name: {ext}}}
spec: {{kind: extranet, displayName: {{zh: 外网, en: ext}}, nodePool: {{selector: {{govcloud.io/zone: extranet}}, taint: {{key: govcloud.io/zone, value: extranet}}}}, cidrs: [10.91.0.0/16], allowedRegistries: [harbor.egov.local]}}
---
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {{name: {prv}}}
spec: {{kind: private, mlpsLevel: 3, displayName: {{zh: 专网, en: prv}}, nodePool: {{selector: {{govcloud.io/zone: private}}, taint: {{key: govcloud.io/zone, value: private, effect: NoExecute}}}}, cidrs: [10.93.0.0/16], allowedRegistries: [harbor.egov.local]}}
---
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {{name: {dmz}}}
spec: {{kind: internet, internetIngress: true, publicDomain: example.gov, displayName: {{zh: 互联网区, en: dmz}}, nodePool: {{selector: {{govcloud.io/zone: internet}}, taint: {{key: govcloud.io/zone, value: internet}}}}, cidrs: [172.29.0.0/16], allowedRegistries: [harbor.egov.local]}}
---
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

/// A pod that satisfies every control in an extranet namespace; `f` breaks it.
fn pod(name: &str, f: impl FnOnce(&mut Value)) -> Value {
    let mut p = json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
        "spec": {
            "nodeSelector": {"govcloud.io/zone": "extranet"},
            "tolerations": [{"key": "govcloud.io/zone", "operator": "Equal", "value": "extranet", "effect": "NoSchedule"}],
            "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{
                "name": "c", "image": "harbor.egov.local/a/c:1",
                "resources": {"requests": {"cpu": "50m", "memory": "32Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}},
                "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
            }]
        }
    });
    f(&mut p);
    p
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
    let users =
        Users { admin: format!("alice-{a}"), dev: format!("bob-{a}"), viewer: format!("carol-{a}"), auditor: format!("dave-{a}"), other: format!("erin-{b}") };
    let (aext, aprv, admz, bext) = (format!("{a}-{}", zones.0), format!("{a}-{}", zones.1), format!("{a}-{}", zones.2), format!("{b}-{}", zones.0));

    // Provision with the operator, then stop it: everything below is the API server alone.
    let mut op = Operator::start(&scope, 3).await;
    let loaded = govcloud::model::load_str("enforcement.yaml", &model(&zones, &a, &b, &users)).expect("model");
    govcloud::operator::apply_model(&admin_client, &loaded.model, &[("govcloud.io/scope".into(), scope.clone())], Duration::from_secs(60))
        .await
        .expect("apply");
    let tenants: Api<Tenant> = Api::all(admin_client.clone());
    eventually("both tenants Ready", Duration::from_secs(120), || async {
        let ok = |t: Option<Tenant>| t.and_then(|t| t.status).is_some_and(|s| s.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        (ok(tenants.get_opt(&a).await.ok()?) && ok(tenants.get_opt(&b).await.ok()?)).then_some(())
    })
    .await;
    let apps: Api<DepartmentApp> = Api::namespaced(admin_client.clone(), &aext);
    eventually("the app Ready", Duration::from_secs(120), || async {
        apps.get("portal").await.ok()?.status?.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True").then_some(())
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
    create(&admin_client, Some(&bext), json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b-secret"}, "stringData": {"k": "v"}}))
        .await
        .expect("seed secret");
    create(&admin_client, Some(&aext), json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a-secret"}, "stringData": {"k": "v"}}))
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
        api(&dev, "networking.k8s.io/v1", "NetworkPolicy", Some(&aext)).delete("govcloud-default-deny", &DeleteParams::default()).await.map(|_| ()),
        "networkpolicies",
    );
    t.denied(
        "developer creates a ResourceQuota",
        create(&dev, Some(&aext), json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "more"}, "spec": {"hard": {"pods": "1000"}}})).await,
        "resourcequotas",
    );
    t.denied(
        "developer deletes the LimitRange",
        api(&dev, "v1", "LimitRange", Some(&aext)).delete("govcloud-limits", &DeleteParams::default()).await.map(|_| ()),
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
            .patch(&aext, &PatchParams::default(), &Patch::Merge(json!({"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "privileged"}}})))
            .await
            .map(|_| ()),
        "namespaces",
    );
    t.denied("developer creates a pod in another tenant's namespace", create(&dev, Some(&bext), pod("x", |_| {})).await, "pods");
    t.denied("developer lists another tenant's Secrets", api(&dev, "v1", "Secret", Some(&bext)).list(&ListParams::default()).await.map(|_| ()), "secrets");
    t.denied("developer reads another tenant's Secret", api(&dev, "v1", "Secret", Some(&bext)).get("b-secret").await.map(|_| ()), "secrets");
    t.denied("developer creates an app in another tenant's namespace", create(&dev, Some(&bext), app("intruder", &zones.0, json!({}))).await, "departmentapps");
    t.denied("developer deletes its Tenant", tenants_as(&dev).delete(&a, &DeleteParams::default()).await.map(|_| ()), "tenants");
    t.denied(
        "developer edits its Tenant",
        tenants_as(&dev).patch(&a, &PatchParams::default(), &Patch::Merge(json!({"spec": {"cordoned": true}}))).await.map(|_| ()),
        "tenants",
    );
    t.denied("developer lists all Tenants", tenants_as(&dev).list(&ListParams::default()).await.map(|_| ()), "tenants");
    t.denied(
        "developer creates a NetworkZone",
        create(&dev, None, json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "NetworkZone", "metadata": {"name": short("evil")}, "spec": {}})).await,
        "networkzones",
    );

    // --- Pod Security (GC-POD-001) is the first line for host access ---
    t.denied("developer runs a hostNetwork pod", create(&dev, Some(&aext), pod("hn", |p| p["spec"]["hostNetwork"] = json!(true))).await, "PodSecurity");
    t.denied(
        "developer runs a privileged pod",
        create(&dev, Some(&aext), pod("priv", |p| p["spec"]["containers"][0]["securityContext"] = json!({"privileged": true}))).await,
        "PodSecurity",
    );

    // --- zone placement, images, resources (generated admission policies) ---
    t.denied("pod without the zone's nodeSelector", create(&dev, Some(&aext), pod("nosel", |p| p["spec"]["nodeSelector"] = json!({}))).await, "[GC-ZONE-001]");
    t.denied(
        "pod selecting another zone's nodes",
        create(&dev, Some(&aext), pod("other", |p| p["spec"]["nodeSelector"] = json!({"govcloud.io/zone": "private"}))).await,
        "[GC-ZONE-001]",
    );
    t.denied(
        "pod tolerating another zone's taint",
        create(
            &dev,
            Some(&aext),
            pod("tol", |p| p["spec"]["tolerations"] = json!([{"key": "govcloud.io/zone", "operator": "Equal", "value": "private", "effect": "NoExecute"}])),
        )
        .await,
        "[GC-ZONE-002]",
    );
    t.denied(
        "pod tolerating every taint",
        create(&dev, Some(&aext), pod("tolall", |p| p["spec"]["tolerations"] = json!([{"operator": "Exists"}]))).await,
        "[GC-ZONE-002]",
    );
    t.denied("pod naming its node", create(&dev, Some(&aext), pod("pinned", |p| p["spec"]["nodeName"] = json!("private-node-1"))).await, "[GC-ZONE-003]");
    t.denied(
        "pod from a public registry",
        create(&dev, Some(&aext), pod("pub", |p| p["spec"]["containers"][0]["image"] = json!("docker.io/library/nginx:latest"))).await,
        "[GC-IMG-001]",
    );
    t.denied(
        "pod from a look-alike registry host",
        create(&dev, Some(&aext), pod("look", |p| p["spec"]["containers"][0]["image"] = json!("harbor.egov.local.evil.com/a/c:1"))).await,
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
        create(&dev, Some(&aext), service("eip", json!({"ports": [{"port": 80}], "externalIPs": ["203.0.113.7"]}))).await,
        "[GC-SVC-001]",
    );
    t.denied("app declaring another zone than its namespace's", create(&dev, Some(&aext), app("wrongzone", &zones.2, json!({}))).await, "[GC-APP-001]");
    t.denied(
        "public app in the extranet",
        create(&dev, Some(&aext), app("pubapp", &zones.0, json!({"exposure": "public", "host": "a.example.gov"}))).await,
        "[GC-APP-001]",
    );
    t.denied("app image from a public registry", create(&dev, Some(&aext), app("pubimg", &zones.0, json!({"image": "quay.io/x/y:1"}))).await, "[GC-IMG-001]");

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
            &Patch::Merge(json!({"subjects": [{"kind": "User", "name": "mallory", "apiGroup": "rbac.authorization.k8s.io"}]})),
        )
        .await
        .map(|_| ()),
        "[GC-MGD-001]",
    );
    t.denied("admin deletes govcloud's developer binding", rbs.delete("govcloud-developer", &DeleteParams::default()).await.map(|_| ()), "[GC-MGD-001]");

    // --- viewers and auditors change nothing; auditors read no Secrets ---
    t.denied("viewer creates a Deployment", create(&viewer, Some(&aext), json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "harbor.egov.local/a/c:1"}]}}}})).await, "deployments");
    t.denied(
        "viewer deletes an app",
        Api::<DepartmentApp>::namespaced(viewer.clone(), &aext).delete("portal", &DeleteParams::default()).await.map(|_| ()),
        "departmentapps",
    );
    t.denied("viewer reads a Secret", api(&viewer, "v1", "Secret", Some(&aext)).get("a-secret").await.map(|_| ()), "secrets");
    t.denied("auditor reads a Secret", api(&auditor, "v1", "Secret", Some(&aext)).get("a-secret").await.map(|_| ()), "secrets");
    t.denied(
        "auditor deletes a NetworkPolicy",
        api(&auditor, "networking.k8s.io/v1", "NetworkPolicy", Some(&aext)).delete("govcloud-default-deny", &DeleteParams::default()).await.map(|_| ()),
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
        .patch(&aext, &PatchParams::default(), &Patch::Merge(json!({"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "privileged"}}})))
        .await
        .expect("cluster admin may relabel (break-glass)");
    api(&admin_client, "v1", "LimitRange", Some(&aext)).delete("govcloud-limits", &DeleteParams::default()).await.expect("cluster admin may delete");
    tokio::time::sleep(Duration::from_secs(1)).await;
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
        create(&dev, Some(&aext), pod("hpath", |p| p["spec"]["volumes"] = json!([{"name": "h", "hostPath": {"path": "/etc"}}]))).await,
        "[GC-HOST-002]",
    );
    t.denied(
        "hostPort with Pod Security relaxed",
        create(&dev, Some(&aext), pod("hport", |p| p["spec"]["containers"][0]["ports"] = json!([{"containerPort": 80, "hostPort": 80}]))).await,
        "[GC-HOST-003]",
    );
    t.denied(
        "privileged with Pod Security relaxed",
        create(&dev, Some(&aext), pod("priv2", |p| p["spec"]["containers"][0]["securityContext"] = json!({"privileged": true}))).await,
        "[GC-POD-002]",
    );
    t.denied(
        "container without limits once the LimitRange is gone",
        create(&dev, Some(&aext), pod("nolim", |p| p["spec"]["containers"][0].as_object_mut().map(|c| c.remove("resources")).map(|_| ()).unwrap_or(()))).await,
        "[GC-RES-001]",
    );

    // --- and what is legitimate is allowed ---
    t.allowed("developer creates a compliant pod", create(&dev, Some(&aext), pod("ok", |_| {})).await);
    t.allowed("developer creates a compliant app", create(&dev, Some(&aext), app("okapp", &zones.0, json!({}))).await);
    t.allowed("developer creates a ClusterIP service", create(&dev, Some(&aext), service("ok", json!({"ports": [{"port": 80}]}))).await);
    t.allowed(
        "developer creates a NodePort service in the internet zone",
        create(&dev, Some(&admz), service("np", json!({"type": "NodePort", "ports": [{"port": 80}]}))).await,
    );
    t.allowed("developer reads its own Tenant", tenants_as(&dev).get(&a).await.map(|_| ()));
    t.allowed(
        "admin grants a colleague the viewer role",
        create(&adm, Some(&aext), json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "colleague"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "govcloud-tenant-viewer"}, "subjects": [{"kind": "User", "name": "frank", "apiGroup": "rbac.authorization.k8s.io"}]})).await,
    );
    t.allowed("viewer lists pods", api(&viewer, "v1", "Pod", Some(&aext)).list(&ListParams::default()).await.map(|_| ()));
    t.allowed(
        "auditor lists NetworkPolicies",
        api(&auditor, "networking.k8s.io/v1", "NetworkPolicy", Some(&aext)).list(&ListParams::default()).await.map(|_| ()),
    );
    t.allowed("auditor reads quotas", api(&auditor, "v1", "ResourceQuota", Some(&aext)).list(&ListParams::default()).await.map(|_| ()));
    t.allowed(
        "auditor reads role bindings",
        api(&auditor, "rbac.authorization.k8s.io/v1", "RoleBinding", Some(&aext)).list(&ListParams::default()).await.map(|_| ()),
    );
    t.allowed(
        "auditor reads the compliance reports",
        api(&auditor, "openreports.io/v1alpha1", "Report", Some(&aext)).list(&ListParams::default()).await.map(|_| ()),
    );
    t.allowed(
        "developer reads its namespace's compliance report",
        api(&dev, "openreports.io/v1alpha1", "Report", Some(&aext)).list(&ListParams::default()).await.map(|_| ()),
    );
    t.allowed("auditor reads an app", Api::<DepartmentApp>::namespaced(auditor.clone(), &aext).get("portal").await.map(|_| ()));

    let distinct: std::collections::BTreeSet<&String> = t.denied.iter().collect();
    assert!(distinct.len() >= 30, "only {} distinct forbidden actions", distinct.len());
    eprintln!("{} forbidden actions denied, {} legitimate ones allowed, operator stopped", distinct.len(), t.allowed.len());
}

fn tenants_as(c: &Client) -> Api<Tenant> {
    Api::all(c.clone())
}
