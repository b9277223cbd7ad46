use serde_json::json;

use super::*;
use govcloud_core::api::{Exposure, FlowCall, FlowGrant};

const ZONES: &str = r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: ext}
spec:
  kind: extranet
  displayName: {zh: 外网, en: Extranet}
  nodePool: {selector: {zone: ext}, taint: {key: govcloud.io/zone, value: ext}}
  cidrs: [10.10.0.0/16]
  allowedRegistries: [reg.local]
---
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: priv}
spec:
  kind: private
  displayName: {zh: 专网, en: Private}
  nodePool: {selector: {zone: priv}, taint: {key: govcloud.io/zone, value: priv}}
  cidrs: [10.30.0.0/16]
  mlpsLevel: 3
  allowedRegistries: [reg.local]
"#;

fn model() -> Model {
    govcloud_core::model::load_str("zones.yaml", ZONES).map(|l| l.model).unwrap_or_else(|p| panic!("{p:?}"))
}

fn deployment(ns: &str, name: &str, image: &str, extra: Value) -> Value {
    let mut d = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"template": {"metadata": {"labels": {"run": name}}, "spec": {"containers": [{
            "name": name, "image": image,
            "ports": [{"containerPort": 8080}],
            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": 1, "memory": "128Mi"}},
            "securityContext": {"readOnlyRootFilesystem": true},
        }]}}},
    });
    if let (Some(spec), Some(extra)) = (d["spec"]["template"]["spec"].as_object_mut(), extra.as_object()) {
        spec.extend(extra.clone());
    }
    d
}

fn options(map: &[(&str, Option<&str>, &str)], default_zone: Option<&str>) -> Options {
    Options {
        map: map
            .iter()
            .map(|(ns, t, z)| (ns.to_string(), Target { tenant: t.map(String::from), zone: z.to_string() }))
            .collect(),
        default_zone: default_zone.map(String::from),
    }
}

#[test]
fn namespaces_map_to_tenant_and_zone_by_flag_label_or_default() {
    let labelled = json!({"kind": "Namespace", "metadata": {"name": "legacy", "labels": {(labels::TENANT): "health", (labels::ZONE): "priv"}}});
    let objects = vec![
        labelled,
        deployment(
            "legacy",
            "records",
            "reg.local/a@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            json!({}),
        ),
        deployment("portal-ext", "web", "reg.local/web:1", json!({})),
        deployment("mapped", "api", "reg.local/api:1", json!({})),
        deployment("unmapped", "x", "reg.local/x:1", json!({})),
    ];
    let r = import(&objects, &model(), &options(&[("mapped", Some("culture"), "ext")], None));
    let keys: Vec<String> = r.entries.iter().filter_map(|e| e.app.clone()).collect();
    // govcloud's labels; the flag; the namespace's name without its zone needs a zone, and there is none.
    assert_eq!(keys, ["health/priv/records", "culture/ext/api"]);
    assert!(r.skipped.iter().any(|s| s.object == "Namespace unmapped" && s.reason.contains("--map unmapped=")));
    // A tenant drafted from a namespace govcloud never ran has no owners: said.
    let culture =
        r.entries.iter().find(|e| e.object == "Tenant culture (draft)").unwrap_or_else(|| panic!("{:?}", r.entries));
    assert!(culture.changes.iter().any(|c| c.field == "spec.owners"));
    let r = import(&objects, &model(), &options(&[], Some("ext")));
    let keys: Vec<String> = r.entries.iter().filter_map(|e| e.app.clone()).collect();
    assert!(keys.contains(&"portal/ext/web".to_string()), "{keys:?}");
    assert!(keys.contains(&"mapped/ext/api".to_string()), "{keys:?}");
    let apps: Vec<String> = r.apps.iter().map(|a| a.namespace().unwrap_or_default()).collect();
    assert!(apps.contains(&"portal-ext".to_string()), "the tenant of portal-ext in ext is portal: {apps:?}");
}

#[test]
fn reserved_or_invalid_tenant_names_are_refused_with_the_flag_to_fix_them() {
    assert!(tenant_name_ok("health") && tenant_name_ok("a-b1"));
    for bad in ["default", "kube-system", "govcloud-x", "Upper", "-a", "", &"a".repeat(41)] {
        assert!(!tenant_name_ok(bad), "{bad}");
    }
    let r = import(&[deployment("default", "x", "reg.local/x:1", json!({}))], &model(), &options(&[], Some("ext")));
    assert!(r.apps.is_empty());
    assert!(r.skipped[0].reason.contains("--map default=TENANT/ext"), "{:?}", r.skipped);
    let r = import(
        &[deployment("a", "x", "reg.local/x:1", json!({}))],
        &model(),
        &options(&[("a", None, "Bad-Zone")], None),
    );
    assert!(r.skipped[0].reason.contains("not a zone name"), "{:?}", r.skipped);
}

#[test]
fn the_zone_decides_what_is_refused() {
    // Same workload: an unpinned image passes in ext, is refused at MLPS level 3 (priv).
    let d = deployment("a", "x", "reg.local/x:1", json!({}));
    let ext = import(std::slice::from_ref(&d), &model(), &options(&[("a", Some("t"), "ext")], None));
    let priv_ = import(&[d], &model(), &options(&[("a", Some("t"), "priv")], None));
    let controls =
        |r: &Import| -> Vec<String> { r.entries[0].changes.iter().filter_map(|c| c.control.clone()).collect() };
    assert!(!controls(&ext).contains(&govcloud_core::controls::IMAGE_DIGEST.to_string()), "{:?}", controls(&ext));
    assert!(controls(&priv_).contains(&govcloud_core::controls::IMAGE_DIGEST.to_string()), "{:?}", controls(&priv_));
    // An undeclared zone: said so, not silently passed.
    let r =
        import(&[deployment("a", "x", "reg.local/x:1", json!({}))], &model(), &options(&[("a", None, "dmz")], None));
    assert!(r.entries[0].changes.iter().any(|c| c.reason.contains("zone dmz is not declared")));
}

#[test]
fn flows_come_from_network_policies_between_imported_workloads() {
    let np = |ns: &str, name: &str, selector: &str, spec: Value| {
        let mut v = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": ns}, "spec": {"podSelector": {"matchLabels": {"run": selector}}}});
        if let (Some(s), Some(extra)) = (v["spec"].as_object_mut(), spec.as_object()) {
            s.extend(extra.clone());
        }
        v
    };
    let peer = |ns: &str, run: &str| json!({"namespaceSelector": {"matchLabels": {(labels::NAMESPACE_NAME): ns}}, "podSelector": {"matchLabels": {"run": run}}});
    let objects = vec![
        deployment("shop", "web", "reg.local/web:1", json!({})),
        deployment("stock", "db", "reg.local/db:1", json!({})),
        np("shop", "web-out", "web", json!({"egress": [{"to": [peer("stock", "db")], "ports": [{"port": 8080}]}]})),
        np(
            "stock",
            "db-in",
            "db",
            json!({"ingress": [{"from": [peer("shop", "web")]}, {"from": [{"ipBlock": {"cidr": "10.10.0.0/16"}}]}]}),
        ),
        // Whole namespaces are not apps: said, not guessed.
        np("stock", "db-any", "db", json!({"ingress": [{"from": [{"namespaceSelector": {}}]}]})),
    ];
    let r =
        import(&objects, &model(), &options(&[("shop", Some("shop"), "ext"), ("stock", Some("stock"), "ext")], None));
    let app = |n: &str| r.apps.iter().find(|a| a.name_any() == n).unwrap_or_else(|| panic!("{n}"));
    assert_eq!(
        app("web").spec.flows.calls,
        [FlowCall { tenant: Some("stock".into()), app: "db".into(), zone: None, ports: vec![], purpose: None }]
    );
    assert_eq!(
        app("db").spec.flows.allow_from,
        [FlowGrant { tenant: "shop".into(), zones: vec![], apps: vec!["web".into()] }]
    );
    assert_eq!(app("db").spec.exposure, Exposure::Zone, "ingress from the zone's ranges");
    let db = r.entries.iter().find(|e| e.object == "Deployment stock/db").unwrap_or_else(|| panic!("db"));
    assert!(db.changes.iter().any(|c| c.field == "NetworkPolicy db-any" && c.reason.contains("no imported app")));
}

#[test]
fn probes_by_port_number_and_owned_objects() {
    let mut d = deployment("a", "x", "reg.local/x:1", json!({}));
    d["spec"]["template"]["spec"]["containers"][0]["livenessProbe"] = json!({"tcpSocket": {"port": 8080}});
    d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = json!({"httpGet": {"port": 9999}});
    let rs = json!({"kind": "ReplicaSet", "apiVersion": "apps/v1",
        "metadata": {"name": "x-1", "namespace": "a", "ownerReferences": [{"kind": "Deployment", "name": "x"}]}});
    let r = import(&[d, rs], &model(), &options(&[("a", Some("t"), "ext")], None));
    let spec = &r.apps[0].spec;
    assert_eq!(spec.ports[0].name, "tcp-8080");
    assert_eq!(
        spec.liveness_probe.as_ref().and_then(|p| p.tcp_socket.as_ref()).map(|t| t.port.as_str()),
        Some("tcp-8080")
    );
    assert!(spec.readiness_probe.is_none());
    assert!(r.entries[0].changes.iter().any(|c| c.field.ends_with("readinessProbe") && c.reason.contains("9999")));
    assert!(r.skipped.iter().any(|s| s.object == "ReplicaSet a/x-1" && s.reason.contains("made by its Deployment")));
}

#[test]
fn objects_without_kind_or_name_are_listed_not_fatal() {
    let r =
        import(&[json!({"metadata": {"name": "x"}}), json!(42), json!({"kind": "Pod"})], &model(), &Options::default());
    assert_eq!(r.skipped.len(), 3);
    assert!(r.skipped.iter().all(|s| s.reason.contains("not a Kubernetes object")));
}

#[test]
fn a_workload_name_that_is_no_app_name_is_a_change() {
    assert!(app_name_ok("portal") && !app_name_ok("9lives") && !app_name_ok("govcloud-x") && !app_name_ok("a.b"));
    let r = import(
        &[deployment("a", "Web.Portal", "reg.local/x:1", json!({}))],
        &model(),
        &options(&[("a", Some("t"), "ext")], None),
    );
    assert!(r.entries[0].changes.iter().any(|c| c.field == "metadata.name" && c.reason.contains("not an app name")));
}

#[test]
fn an_ingress_to_another_port_than_the_first_is_a_change() {
    let mut d = deployment("a", "web", "reg.local/x:1", json!({}));
    d["spec"]["template"]["spec"]["containers"][0]["ports"] =
        json!([{"name": "http", "containerPort": 8080}, {"name": "admin", "containerPort": 9090}]);
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "a"},
        "spec": {"selector": {"run": "web"}, "ports": [{"name": "http", "port": 8080, "targetPort": "http"}, {"name": "admin", "port": 9090, "targetPort": "admin"}]}});
    let ing = |port: &str| {
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "a"},
        "spec": {"rules": [{"host": "web.example.gov", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"name": port}}}}]}}]}})
    };
    let changed = |port: &str| {
        let r = import(&[d.clone(), svc.clone(), ing(port)], &model(), &options(&[("a", Some("t"), "ext")], None));
        assert_eq!(r.apps[0].spec.exposure, Exposure::Public);
        r.entries[0].changes.iter().any(|c| c.field.ends_with("backend.service.port"))
    };
    assert!(changed("admin"));
    assert!(!changed("http"));
}

#[test]
fn what_the_model_declares_already_gets_no_draft() {
    let mut m = model();
    let text = "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: t}\nspec: {displayName: {zh: 甲, en: T}, zones: [{name: ext}]}\n---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: x, namespace: t-ext}\nspec: {zone: ext, image: reg.local/x:1}\n";
    let loaded = govcloud_core::model::load_str("t.yaml", text).unwrap_or_else(|p| panic!("{p:?}"));
    m.tenants = loaded.model.tenants;
    m.apps = loaded.model.apps;
    let objects =
        [deployment("t-ext", "x", "reg.local/x:1", json!({})), deployment("t-ext", "y", "reg.local/y:1", json!({}))];
    let r = import(&objects, &m, &options(&[("t-ext", Some("t"), "ext")], None));
    assert!(r.tenants.is_empty());
    assert_eq!(r.apps.iter().map(|a| a.name_any()).collect::<Vec<_>>(), ["y"]);
    assert!(r.skipped.iter().any(|s| s.object == "Tenant t" && s.reason.contains("declared already")));
    assert!(r.skipped.iter().any(|s| s.object == "Deployment t-ext/x" && s.reason.contains("declared already")));
}
