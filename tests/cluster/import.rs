//! `govcloud import --live` on a real control plane: a department's
//! namespace with a Deployment and a Service made through the API (as they
//! run today, outside govcloud) comes back, with the Chifeng zones given as
//! files, as drafts and a report naming the
//! controls that would refuse it; nothing in the cluster changes (every
//! object keeps its resourceVersion, nothing is created). A user who may only
//! view the namespace imports it as well; without -n the cluster-wide read is
//! refused with what to do.

use crate::support;

use std::process::Command;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::ResourceExt;
use kube::api::{Api, ListParams, PostParams};
use serde_json::{Value, json};

use govcloud::api::Tenant;

#[tokio::test]
async fn live_import_reads_and_changes_nothing() {
    let c = support::client().await;
    let ns = support::short("legacy");
    let tenant = support::short("imp");
    let namespaces: Api<Namespace> = Api::all(c.clone());
    namespaces
        .create(&PostParams::default(), &serde_json::from_value(json!({"metadata": {"name": ns}})).unwrap())
        .await
        .unwrap();
    let deployments: Api<Deployment> = Api::namespaced(c.clone(), &ns);
    let services: Api<Service> = Api::namespaced(c.clone(), &ns);
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "portal"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "portal"}},
            "template": {"metadata": {"labels": {"app": "portal"}}, "spec": {"containers": [{
                "name": "web", "image": "docker.io/library/nginx:1.25",
                "ports": [{"name": "http", "containerPort": 8080, "hostPort": 8080}],
                "env": [{"name": "MODE", "value": "production"}],
            }]}},
        },
    }))
    .unwrap();
    deployments.create(&PostParams::default(), &d).await.unwrap();
    let s: Service = serde_json::from_value(json!({
        "metadata": {"name": "portal"},
        "spec": {"selector": {"app": "portal"}, "ports": [{"name": "http", "port": 8080, "targetPort": "http"}]},
    }))
    .unwrap();
    services.create(&PostParams::default(), &s).await.unwrap();
    // A department user who may only view the namespace (its binding made before the import).
    let user = format!("{ns}-viewer");
    let rb: RoleBinding = serde_json::from_value(json!({
        "metadata": {"name": "viewer"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }))
    .unwrap();
    Api::<RoleBinding>::namespaced(c.clone(), &ns).create(&PostParams::default(), &rb).await.unwrap();
    let versions = || async {
        let mut v: Vec<(String, String)> = Vec::new();
        v.push(("ns".into(), namespaces.get(&ns).await.unwrap().resource_version().unwrap_or_default()));
        for o in deployments.list(&ListParams::default()).await.unwrap() {
            // Its controller writes its status (a new resourceVersion); its spec's generation is ours to keep.
            v.push((format!("deploy/{}", o.name_any()), format!("{:?}", o.metadata.generation)));
        }
        for o in services.list(&ListParams::default()).await.unwrap() {
            v.push((format!("svc/{}", o.name_any()), o.resource_version().unwrap_or_default()));
        }
        v
    };
    let before = versions().await;
    let offset = support::audit_offset();

    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args([
            "import",
            "--live",
            "-n",
            &ns,
            "-f",
            "examples/chifeng/zones.yaml",
            "--map",
            &format!("{ns}={tenant}/extranet"),
            "--output",
            "json",
            "--out-dir",
        ])
        .arg(dir.path())
        .env("KUBECONFIG", support::kubeconfig())
        .current_dir(support::offline::repo())
        .output()
        .unwrap();
    // A department user who may only view its namespace can import it too.
    let mut kc: Value = serde_norway::from_str(&std::fs::read_to_string(support::kubeconfig()).unwrap()).unwrap();
    for u in kc["users"].as_array_mut().unwrap() {
        u["user"]["as"] = Value::String(user.clone());
    }
    let viewer_kubeconfig = dir.path().join("viewer.kubeconfig");
    std::fs::write(&viewer_kubeconfig, serde_norway::to_string(&kc).unwrap()).unwrap();
    let as_viewer = Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args(["import", "--live", "-n", &ns, "-f", "examples/chifeng/zones.yaml", "--map"])
        .arg(format!("{ns}={tenant}/extranet"))
        .env("KUBECONFIG", &viewer_kubeconfig)
        .current_dir(support::offline::repo())
        .output()
        .unwrap();
    let all = Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args(["import", "--live", "--default-zone", "extranet"])
        .env("KUBECONFIG", &viewer_kubeconfig)
        .output()
        .unwrap();

    // What the cluster holds after the import, read before any assertion so the namespace always goes.
    let after = versions().await;
    let writes = writes_about(offset, &ns, &[&ns, &tenant]);
    // The detector sees writes: this test's own, before the import.
    let own = writes_about(0, &ns, &[&ns]);
    // (Where govcloud is not installed there is no Tenant API: no Tenant either.)
    let tenant_made = Api::<Tenant>::all(c.clone()).get_opt(&tenant).await.is_ok_and(|t| t.is_some());
    let namespace_made = namespaces.get_opt(&format!("{tenant}-extranet")).await.unwrap().is_some();
    namespaces.delete(&ns, &Default::default()).await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));

    // The draft: the Deployment as a DepartmentApp of the tenant's extranet namespace.
    let app = std::fs::read_to_string(dir.path().join(format!("apps/{tenant}-extranet/portal.yaml"))).unwrap();
    for expected in
        ["kind: DepartmentApp", "zone: extranet", "image: docker.io/library/nginx:1.25", "replicas: 2", "name: MODE"]
    {
        assert!(app.contains(expected), "{expected} in\n{app}");
    }
    assert!(dir.path().join(format!("tenants/{tenant}.yaml")).is_file());
    // The report: with the zones given, the zone's registry rule is judged too.
    let entry = report["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["object"] == format!("Deployment {ns}/portal"))
        .unwrap_or_else(|| panic!("{report:#}"));
    let controls: Vec<&str> =
        entry["changes"].as_array().unwrap().iter().filter_map(|c| c["control"].as_str()).collect();
    for control in [govcloud::controls::IMAGE_REGISTRY, govcloud::controls::HOST_PORTS, govcloud::controls::RESOURCES] {
        assert!(controls.contains(&control), "{control} in {controls:?}");
    }

    // The viewer's drafts are the admin's; reading the whole cluster is refused, saying what to do.
    let viewer_stderr = String::from_utf8_lossy(&as_viewer.stderr);
    assert!(as_viewer.status.success(), "{viewer_stderr}");
    assert!(
        String::from_utf8_lossy(&as_viewer.stdout).contains("image: docker.io/library/nginx:1.25"),
        "{viewer_stderr}"
    );
    let all_stderr = String::from_utf8_lossy(&all.stderr);
    assert!(!all.status.success() && all_stderr.contains("give -n for the namespaces you may read"), "{all_stderr}");

    // Nothing changed: same objects, same versions; no tenant, no namespace made.
    assert_eq!(after, before);
    assert!(own.iter().any(|w| w.starts_with("create") && w.contains("deployments")), "{own:?}");
    assert!(writes.is_empty(), "the import wrote: {writes:?}");
    assert!(!tenant_made && !namespace_made);
}

/// Write requests since `offset` by whoever created namespace `ns` (the
/// admin the tests and the import share) whose URI names one of `names`.
fn writes_about(offset: u64, ns: &str, names: &[&str]) -> Vec<String> {
    let entries: Vec<Value> = std::fs::read_to_string(support::audit_log())
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["stage"] == "ResponseComplete")
        .collect();
    let admin = entries
        .iter()
        .find(|e| e["verb"] == "create" && e["objectRef"]["resource"] == "namespaces" && e["objectRef"]["name"] == ns)
        .map(|e| e["user"]["username"].clone())
        .expect("the namespace's creation is in the audit log");
    support::writes_since(offset, admin.as_str().unwrap_or_default())
        .into_iter()
        .filter(|w| names.iter().any(|n| w.contains(n)))
        .collect()
}
