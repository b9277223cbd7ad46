//! The Helm chart on the real control plane: `helm install` of charts/govcloud
//! into a namespace of its own, its Deployment Available on fake nodes (kwok
//! makes scheduled pods Running; no image is pulled), the PodDisruptionBudget
//! counting both replicas, `helm upgrade` with a changed value rolling it to a
//! new ReplicaSet, `helm uninstall` removing what the release created.
//!
//! With `console.enabled=true` the web console comes up too: its Deployment
//! Available, its Service, and its ServiceAccount allowed exactly what the
//! console needs (create TokenReviews, impersonate) and not to read Secrets
//! or list pods as itself (`kubectl auth can-i --as`, the API server's RBAC).
//!
//! Other tests share the cluster, so the release touches nothing cluster-wide
//! that they use: the CRDs are already there (`--skip-crds`), the admission
//! policies are the tests' own install (`admissionPolicies.install=false`), and
//! the operator's ClusterRole and binding get a name of their own
//! (`rbac.clusterRoleName`).

use crate::support;
use support::offline::repo;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::ClusterRole;
use kube::api::{Api, ListParams};
use support::{client, eventually, unique};

const WAIT: Duration = Duration::from_secs(120);

/// A binary testenv builds (in `component`, built when missing).
fn testenv_binary(name: &str, component: &str) -> PathBuf {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("source testenv/lib.sh && binary_path {name}"))
        .current_dir(repo())
        .output()
        .expect("lib.sh");
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if !path.exists() {
        assert!(
            Command::new(repo().join("testenv/build.sh")).arg(component).status().expect("testenv/build.sh").success()
        );
    }
    path
}

/// Runs helm against the test cluster, with its own config and cache folders.
fn helm(home: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(testenv_binary("helm", "helm"))
        .args(args)
        .env("KUBECONFIG", support::kubeconfig())
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .current_dir(repo())
        .output()
        .map_err(|e| format!("helm: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("helm {args:?}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

/// Uninstalls the release and deletes its namespace, also when the test fails.
struct Release {
    home: tempfile::TempDir,
    name: String,
    namespace: String,
}

impl Drop for Release {
    fn drop(&mut self) {
        let _ =
            helm(self.home.path(), &["uninstall", &self.name, "--namespace", &self.namespace, "--ignore-not-found"]);
        let _ = Command::new(testenv_binary("kubectl", "kube"))
            .args(["delete", "namespace", &self.namespace, "--ignore-not-found", "--wait=false"])
            .env("KUBECONFIG", support::kubeconfig())
            .output();
    }
}

/// The Deployment once every replica of `generation` is updated and available,
/// with its ReplicaSet of that rollout.
async fn rolled_out(
    deployments: &Api<Deployment>,
    replica_sets: &Api<ReplicaSet>,
    generation: i64,
) -> (Deployment, ReplicaSet) {
    let what = format!("Deployment govcloud generation {generation} Available with 2 updated replicas");
    let d = eventually(&what, WAIT, || async {
        let d = deployments.get("govcloud").await.ok()?;
        let status = d.status.clone()?;
        let available =
            status.conditions.unwrap_or_default().iter().any(|c| c.type_ == "Available" && c.status == "True");
        let done = d.metadata.generation == Some(generation)
            && status.observed_generation == Some(generation)
            && status.updated_replicas == Some(2)
            && status.available_replicas == Some(2)
            && status.replicas == Some(2);
        (available && done).then_some(d)
    })
    .await;
    let revision = d
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .cloned()
        .expect("revision");
    let rs = replica_sets
        .list(&ListParams::default().labels("app.kubernetes.io/name=govcloud"))
        .await
        .expect("replica sets")
        .items
        .into_iter()
        .find(|rs| {
            rs.metadata.annotations.as_ref().and_then(|a| a.get("deployment.kubernetes.io/revision")) == Some(&revision)
        })
        .expect("the rollout's ReplicaSet");
    (d, rs)
}

#[tokio::test]
async fn helm_installs_the_chart_and_an_upgrade_rolls_it() {
    support::install().await; // the CRDs the chart's --skip-crds relies on
    let c = client().await;
    let release =
        Release { home: tempfile::tempdir().expect("tempdir"), name: unique("gc"), namespace: unique("helm-govcloud") };
    let (home, ns) = (release.home.path(), release.namespace.as_str());
    let role = format!("govcloud-operator-{ns}");
    let role_value = format!("rbac.clusterRoleName={role}");
    let console_role = format!("govcloud-console-{ns}");
    let console_value = format!("console.clusterRoleName={console_role}");
    let installed = helm(
        home,
        &[
            "install",
            &release.name,
            "charts/govcloud",
            "--namespace",
            ns,
            "--create-namespace",
            "--skip-crds",
            "--set",
            "admissionPolicies.install=false",
            "--set",
            &role_value,
            "--set",
            "console.enabled=true",
            "--set",
            &console_value,
        ],
    );
    installed.unwrap_or_else(|e| panic!("{e}"));

    let deployments: Api<Deployment> = Api::namespaced(c.clone(), ns);
    let replica_sets: Api<ReplicaSet> = Api::namespaced(c.clone(), ns);
    let (_, first) = rolled_out(&deployments, &replica_sets, 1).await;
    let pods: Api<Pod> = Api::namespaced(c.clone(), ns);
    let running =
        pods.list(&ListParams::default().labels("app.kubernetes.io/name=govcloud")).await.expect("pods").items;
    assert!(
        running.iter().filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some()).count() >= 2,
        "pods not scheduled"
    );
    // The PodDisruptionBudget sees both replicas and allows one disruption.
    let pdbs: Api<PodDisruptionBudget> = Api::namespaced(c.clone(), ns);
    eventually("the PodDisruptionBudget to count 2 healthy pods and allow 1 disruption", WAIT, || async {
        let s = pdbs.get("govcloud").await.ok()?.status?;
        (s.current_healthy == 2 && s.disruptions_allowed == 1).then_some(())
    })
    .await;
    let roles: Api<ClusterRole> = Api::all(c.clone());
    assert!(roles.get_opt(&role).await.expect("cluster role").is_some(), "the release's ClusterRole {role}");

    // The console: its Deployment Available (one replica), its Service, and
    // its ServiceAccount's rights as the API server decides them.
    eventually("Deployment govcloud-console Available with 1 replica", WAIT, || async {
        let s = deployments.get("govcloud-console").await.ok()?.status?;
        let available = s.conditions.unwrap_or_default().iter().any(|c| c.type_ == "Available" && c.status == "True");
        (available && s.available_replicas == Some(1)).then_some(())
    })
    .await;
    let services: Api<Service> = Api::namespaced(c.clone(), ns);
    let svc = services.get("govcloud-console").await.expect("the console's Service");
    assert_eq!(
        svc.spec.and_then(|s| s.selector).and_then(|s| s.get("app.kubernetes.io/name").cloned()).as_deref(),
        Some("govcloud-console")
    );
    let sa = format!("system:serviceaccount:{ns}:govcloud-console");
    let can_i = |args: &[&str]| -> String {
        let out = Command::new(testenv_binary("kubectl", "kube"))
            .args(["auth", "can-i", "--as", &sa])
            .args(args)
            .env("KUBECONFIG", support::kubeconfig())
            .output()
            .expect("kubectl auth can-i");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    for (args, want) in [
        (&["create", "tokenreviews.authentication.k8s.io"][..], "yes"),
        (&["impersonate", "users"][..], "yes"),
        (&["impersonate", "groups"][..], "yes"),
        (&["get", "secrets", "-n", ns][..], "no"),
        (&["list", "secrets", "--all-namespaces"][..], "no"),
        (&["list", "pods", "--all-namespaces"][..], "no"),
        (&["list", "pods", "-n", ns][..], "no"),
        (&["list", "departmentapps.govcloud.io", "--all-namespaces"][..], "no"),
    ] {
        assert_eq!(can_i(args), want, "kubectl auth can-i --as {sa} {args:?}");
    }

    // A changed value rolls the Deployment: a new ReplicaSet, Available again, the old one scaled down.
    helm(
        home,
        &[
            "upgrade",
            &release.name,
            "charts/govcloud",
            "--namespace",
            ns,
            "--skip-crds",
            "--reuse-values",
            "--set",
            "logLevel=debug",
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (d, second) = rolled_out(&deployments, &replica_sets, 2).await;
    assert_ne!(second.metadata.name, first.metadata.name, "no new ReplicaSet");
    let env = d
        .spec
        .and_then(|s| s.template.spec)
        .map(|s| s.containers[0].env.clone().unwrap_or_default())
        .unwrap_or_default();
    assert!(env.iter().any(|e| e.name == "RUST_LOG" && e.value.as_deref() == Some("debug")), "{env:?}");
    let first_name = first.metadata.name.clone().expect("name");
    eventually("the first ReplicaSet scaled to 0", WAIT, || async {
        let rs = replica_sets.get(&first_name).await.ok()?;
        (rs.spec?.replicas == Some(0)).then_some(())
    })
    .await;

    // Uninstall removes the release's objects, cluster-scoped ones included.
    helm(home, &["uninstall", &release.name, "--namespace", ns, "--wait", "--timeout", "120s"])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(deployments.get_opt("govcloud").await.expect("deployment").is_none(), "Deployment left after uninstall");
    assert!(roles.get_opt(&role).await.expect("cluster role").is_none(), "ClusterRole {role} left after uninstall");
    assert!(
        roles.get_opt(&console_role).await.expect("cluster role").is_none(),
        "ClusterRole {console_role} left after uninstall"
    );
}
