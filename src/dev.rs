//! `govcloud dev`: the main job on an embedded default. A local real control
//! plane (testenv), the CRDs, the operator, the Chifeng model, then a picture
//! of what landed where.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Node, PersistentVolumeClaim, Pod};
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config, ResourceExt};

use crate::api::{DepartmentApp, NetworkZone, Tenant};
use crate::meta::labels::MANAGED_BY;
use crate::model::Model;
use crate::operator::{Error, Result as OperatorResult};

fn ready(conds: &[k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition]) -> bool {
    conds.iter().any(|c| c.type_ == "Ready" && c.status == "True")
}

/// What the dev job can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    /// The model does not load; each problem is listed.
    #[error("{}", problems.iter().map(|p| format!("error: {p}")).collect::<Vec<_>>().join("\n"))]
    Model {
        /// The model's problems.
        problems: Vec<crate::problem::FileProblem>,
    },
    /// A testenv script is not where the checkout keeps it.
    #[error("{} not found: run `govcloud dev` from the root of the govcloud checkout", path.display())]
    NoScript {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A testenv script could not be started.
    #[error("{}: {source}", path.display())]
    Spawn {
        /// The script.
        path: PathBuf,
        /// Why it did not start.
        source: std::io::Error,
    },
    /// A testenv script exited non-zero (it has printed why).
    #[error("{} {args} failed", path.display())]
    Script {
        /// The script.
        path: PathBuf,
        /// Its arguments.
        args: String,
    },
    /// The --dir path cannot be passed to the scripts.
    #[error("the --dir path is not UTF-8")]
    NotUtf8,
    /// The local plane's kubeconfig cannot be read or used.
    #[error("{}: {source}", path.display())]
    Kubeconfig {
        /// The kubeconfig.
        path: PathBuf,
        /// Why it cannot be used.
        source: kube::config::KubeconfigError,
    },
    /// A request to a local plane failed.
    #[error("{doing}: {source}")]
    Kube {
        /// What was asked.
        doing: String,
        /// The client's or API server's error.
        source: kube::Error,
    },
    /// Installing, applying or running the operator failed on a cluster.
    #[error("{cluster}: {doing}: {source}")]
    Operator {
        /// The cluster.
        cluster: String,
        /// What was being done.
        doing: &'static str,
        /// The operator's error.
        source: Box<Error>,
    },
    /// A cluster's objects did not all become Ready in time.
    #[error(
        "{cluster}: not everything became Ready within 5 minutes; see `kubectl get govcloud -A` and the operator log above"
    )]
    NotReady {
        /// The cluster.
        cluster: String,
    },
    /// An operator stopped with an error.
    #[error("{cluster}: the operator stopped: {source}")]
    Stopped {
        /// The cluster.
        cluster: String,
        /// Why it stopped.
        source: crate::operator::StartError,
    },
    /// An operator's task panicked or was cancelled.
    #[error("an operator task ended abnormally: {0}")]
    Task(#[from] tokio::task::JoinError),
}

fn script(name: &str) -> Result<PathBuf, DevError> {
    let path = PathBuf::from("testenv").join(name);
    if path.exists() { Ok(path) } else { Err(DevError::NoScript { path }) }
}

/// The upstream components `govcloud dev` starts (of testenv's
/// `COMPONENTS`; metrics-server serves the metrics API): built if missing,
/// and nothing else (no helm; the network-policy API CRD is fetched by
/// `testenv up` when asked for).
pub const DEV_COMPONENTS: &[&str] = &["etcd", "kube", "kwok", "metrics-server"];

fn run_script(path: &Path, args: &[&str]) -> Result<(), DevError> {
    let status =
        Command::new(path).args(args).status().map_err(|source| DevError::Spawn { path: path.into(), source })?;
    if status.success() { Ok(()) } else { Err(DevError::Script { path: path.into(), args: args.join(" ") }) }
}

/// Where `govcloud dev` serves the web console (a free port of the host when taken).
pub const DEV_CONSOLE: &str = "127.0.0.1:8480";

/// Runs the dev job: one local control plane, or one per cluster the
/// model's zones name (in `DIR/<cluster>`), each with its own operator, and
/// the web console.
pub async fn run(paths: &[PathBuf], dir: &Path, no_wait: bool) -> Result<(), DevError> {
    let loaded = crate::model::load_paths(paths).map_err(|problems| DevError::Model { problems })?;
    run_script(&script("build.sh")?, DEV_COMPONENTS)?;
    let clusters = loaded.model.clusters();
    let city = clusters.len() > 1;
    let mut planes = Vec::new();
    for cluster in if clusters.is_empty() { vec![None] } else { clusters } {
        let dir = if city { dir.join(cluster.as_deref().unwrap_or("default")) } else { dir.to_path_buf() };
        let client = plane(paths, &dir, cluster.as_deref(), city).await?;
        planes.push((cluster, dir, client));
    }
    let mut operators = Vec::new();
    for (cluster, _, client) in &planes {
        let name = crate::render::cluster_label(cluster.as_deref());
        eprintln!("{name}: installing CRDs, starting its operator");
        crate::operator::install_crds(client, crate::meta::names::OPERATOR_NAMESPACE)
            .await
            .map_err(|e| DevError::Operator { cluster: name.clone(), doing: "installing CRDs", source: Box::new(e) })?;
        let (op_client, cluster) = (client.clone(), cluster.clone());
        operators.push(tokio::spawn(async move {
            crate::operator::run(
                op_client,
                crate::operator::Options {
                    selector: None,
                    metrics_address: Some("127.0.0.1:0".into()),
                    resync: None,
                    reports: Some(crate::audit::output::ReportApi::Openreports),
                    cluster_cidrs: None,
                    cluster,
                    ..Default::default()
                },
            )
            .await
        }));
    }
    eprintln!(
        "applying {} zones, {} tenants, {} apps to {} cluster(s)",
        loaded.model.zones.len(),
        loaded.model.tenants.len(),
        loaded.model.apps.len(),
        planes.len()
    );
    for (cluster, _, client) in &planes {
        apply_model(client, &loaded.model, &[], Duration::from_secs(120)).await.map_err(|e| DevError::Operator {
            cluster: crate::render::cluster_label(cluster.as_deref()),
            doing: "applying the model",
            source: Box::new(e),
        })?;
    }

    let start = Instant::now();
    for (cluster, dir, client) in &planes {
        let name = crate::render::cluster_label(cluster.as_deref());
        loop {
            let (z, t, a) = readiness(client).await?;
            eprintln!("  {name} ready: zones {}/{}, tenants {}/{}, apps {}/{}", z.0, z.1, t.0, t.1, a.0, a.1);
            if z.0 == z.1 && t.0 == t.1 && a.0 == a.1 {
                break;
            }
            if start.elapsed() > Duration::from_secs(300) {
                return Err(DevError::NotReady { cluster: name });
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        if city {
            println!("=== {name} ===");
        }
        println!("{}", summary(client).await?);
        let kubeconfig = dir.join("kubeconfig");
        println!(
            "point kubectl at it:  export KUBECONFIG={}",
            std::fs::canonicalize(&kubeconfig).unwrap_or(kubeconfig).display()
        );
        println!("stop the cluster:     testenv/testenv down --dir {}", dir.display());
    }
    eprintln!("everything Ready after {:.1}s", start.elapsed().as_secs_f64());
    println!("then:                 kubectl get govcloud -A");
    if !no_wait && let Some((_, _, client)) = planes.first() {
        // The web console, as the first plane's admin (`govcloud console` there).
        match crate::cli::console::spawn_local(client.clone(), DEV_CONSOLE).await {
            Ok(addr) => println!("the web console:      http://{addr}/"),
            Err(e) => eprintln!("the web console did not start on {DEV_CONSOLE}: {e}"),
        }
    }
    if no_wait {
        for o in operators {
            o.abort();
        }
        return Ok(());
    }
    println!("the operators keep running here; Ctrl-C stops them (the clusters keep running)");
    for (o, (cluster, ..)) in operators.into_iter().zip(&planes) {
        let cluster = crate::render::cluster_label(cluster.as_deref());
        o.await?.map_err(|source| DevError::Stopped { cluster, source })?;
    }
    Ok(())
}

/// A running control plane in `dir` (started unless one runs there
/// already) with fake nodes for the zones `cluster` hosts (`city`: the model
/// names several clusters), and an admin client of it.
async fn plane(paths: &[PathBuf], dir: &Path, cluster: Option<&str>, city: bool) -> Result<Client, DevError> {
    let dir_s = dir.to_str().ok_or(DevError::NotUtf8)?;
    let testenv = script("testenv")?;
    let healthy = Command::new(&testenv).args(["status", "--dir", dir_s]).output().is_ok_and(|o| o.status.success());
    if !healthy {
        let _ = Command::new(&testenv).args(["down", "--dir", dir_s]).output();
        let mut args = vec!["up", "--dir", dir_s];
        if city {
            args.extend(["--cluster", cluster.unwrap_or_default()]);
        }
        args.push("--model");
        let model_paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        args.extend(model_paths.iter().map(String::as_str));
        run_script(&testenv, &args)?;
    }
    let kubeconfig = dir.join("kubeconfig");
    let bad = |source| DevError::Kubeconfig { path: kubeconfig.clone(), source };
    let kc = Kubeconfig::read_from(&kubeconfig).map_err(bad)?;
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default()).await.map_err(bad)?;
    crate::operator::client::builder(config)
        .map(|b| b.build())
        .map_err(|source| DevError::Kube { doing: "building a client".into(), source })
}

/// Server-side applies a model's zones, tenants and apps (with `labels`
/// added), retrying apps until their tenant namespaces exist: what a person
/// (or `govcloud dev`, the tests, the benchmarks) does, never the operator.
pub async fn apply_model(
    client: &Client,
    model: &Model,
    labels: &[(String, String)],
    timeout: Duration,
) -> OperatorResult<()> {
    fn with_labels<K: serde::Serialize>(o: &K, labels: &[(String, String)]) -> OperatorResult<serde_json::Value> {
        let mut v = serde_json::to_value(o).map_err(|e| Error::serialize("model object", e))?;
        if let Some(meta) = v.get_mut("metadata").and_then(serde_json::Value::as_object_mut) {
            meta.remove("resourceVersion");
            meta.remove("uid");
            meta.remove("managedFields");
            meta.remove("creationTimestamp");
            let l = meta.entry("labels").or_insert_with(|| serde_json::json!({}));
            for (k, val) in labels {
                l[k] = serde_json::Value::String(val.clone());
            }
        }
        if let Some(obj) = v.as_object_mut() {
            obj.remove("status");
        }
        Ok(v)
    }
    let pp = PatchParams::apply(crate::meta::names::MODEL_CONFIGMAP).force();
    for z in &model.zones {
        Api::<NetworkZone>::all(client.clone())
            .patch(&z.name_any(), &pp, &Patch::Apply(with_labels(z, labels)?))
            .await?;
    }
    for t in &model.tenants {
        Api::<Tenant>::all(client.clone()).patch(&t.name_any(), &pp, &Patch::Apply(with_labels(t, labels)?)).await?;
    }
    let deadline = std::time::Instant::now() + timeout;
    let mut pending: Vec<&DepartmentApp> = model.apps.iter().collect();
    while !pending.is_empty() {
        let mut later: Vec<&DepartmentApp> = Vec::new();
        for a in pending {
            let ns = a.namespace().unwrap_or_default();
            // Apps of a namespace are created in the model's order: the first
            // to claim a host keeps it, so one that waits holds back the rest.
            if later.iter().any(|w| w.namespace().as_deref() == Some(ns.as_str())) {
                later.push(a);
                continue;
            }
            let api: Api<DepartmentApp> = Api::namespaced(client.clone(), &ns);
            match api.patch(&a.name_any(), &pp, &Patch::Apply(with_labels(a, labels)?)).await {
                Ok(_) => {}
                // The namespace is not there yet, or its quota's usage is not computed yet.
                Err(kube::Error::Api(s))
                    if (s.code == 404 || (s.code == 403 && s.message.contains("status unknown for quota")))
                        && std::time::Instant::now() < deadline =>
                {
                    later.push(a)
                }
                Err(e) => return Err(e.into()),
            }
        }
        if !later.is_empty() {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        pending = later;
    }
    Ok(())
}

type Count = (usize, usize);

fn listing(what: &'static str) -> impl Fn(kube::Error) -> DevError {
    move |source| DevError::Kube { doing: format!("listing {what}"), source }
}

async fn readiness(client: &Client) -> Result<(Count, Count, Count), DevError> {
    let lp = ListParams::default();
    let zones = Api::<NetworkZone>::all(client.clone()).list(&lp).await.map_err(listing("NetworkZones"))?;
    let tenants = Api::<Tenant>::all(client.clone()).list(&lp).await.map_err(listing("Tenants"))?;
    let apps = Api::<DepartmentApp>::all(client.clone()).list(&lp).await.map_err(listing("DepartmentApps"))?;
    let count = |v: Vec<bool>| (v.iter().filter(|b| **b).count(), v.len());
    Ok((
        count(zones.items.iter().map(|z| z.status.as_ref().is_some_and(|s| ready(&s.conditions))).collect()),
        count(tenants.items.iter().map(|t| t.status.as_ref().is_some_and(|s| ready(&s.conditions))).collect()),
        count(apps.items.iter().map(|a| a.status.as_ref().is_some_and(|s| ready(&s.conditions))).collect()),
    ))
}

/// What a platform engineer wants to see first: zones, tenants, apps, flows, and where pods landed.
pub async fn summary(client: &Client) -> Result<String, DevError> {
    let lp = ListParams::default();
    let zones = Api::<NetworkZone>::all(client.clone()).list(&lp).await.map_err(listing("NetworkZones"))?;
    let tenants = Api::<Tenant>::all(client.clone()).list(&lp).await.map_err(listing("Tenants"))?;
    let apps = Api::<DepartmentApp>::all(client.clone()).list(&lp).await.map_err(listing("DepartmentApps"))?;
    let nodes = Api::<Node>::all(client.clone()).list(&lp).await.map_err(listing("Nodes"))?;
    let pods = Api::<Pod>::all(client.clone())
        .list(&ListParams::default().labels(crate::meta::labels::APP))
        .await
        .map_err(listing("Pods"))?;
    let node_zone: BTreeMap<String, String> = nodes
        .items
        .iter()
        .map(|n| (n.name_any(), n.labels().get(crate::meta::labels::ZONE).cloned().unwrap_or_else(|| "-".into())))
        .collect();
    let mut s = String::from("ZONES\n");
    for z in &zones.items {
        let st = z.status.clone().unwrap_or_default();
        s.push_str(&format!(
            "  {:<10} {:<9} MLPS {}  nodes {:<5} tenants {:<3} apps {}\n",
            z.name_any(),
            z.spec.kind.as_str(),
            z.spec.mlps_level,
            st.nodes_summary.unwrap_or_default(),
            st.tenants,
            st.apps
        ));
    }
    s.push_str("TENANTS\n");
    for t in &tenants.items {
        let st = t.status.clone().unwrap_or_default();
        s.push_str(&format!(
            "  {:<20} {:<12} apps {:<2} flows given {:<2} received {:<2} {}\n",
            t.name_any(),
            t.spec.display_name.zh,
            st.apps,
            st.flows_given,
            st.flows_received,
            st.namespaces.join(",")
        ));
    }
    s.push_str("APPS (namespace/name  zone  exposure  ready  flows granted/pending/refused  pods -> nodes)\n");
    let mut pending = Vec::new();
    for a in &apps.items {
        let st = a.status.clone().unwrap_or_default();
        let ns = a.namespace().unwrap_or_default();
        let placed: Vec<String> = pods
            .items
            .iter()
            .filter(|p| {
                p.namespace().as_deref() == Some(ns.as_str())
                    && p.labels().get(crate::meta::labels::APP) == Some(&a.name_any())
            })
            .filter_map(|p| p.spec.as_ref()?.node_name.clone())
            .map(|n| format!("{n}({})", node_zone.get(&n).cloned().unwrap_or_default()))
            .collect();
        s.push_str(&format!(
            "  {:<45} {:<9} {:<7} {:<5} {:<7} {}\n",
            format!("{ns}/{}", a.name_any()),
            a.spec.zone,
            a.spec.exposure.as_str(),
            st.replicas_summary.unwrap_or_default(),
            st.flows_summary.unwrap_or_default(),
            placed.join(" ")
        ));
        for f in st.flows.iter().filter(|f| f.state != crate::api::FlowState::Granted) {
            pending.push(format!("  {:<8} {}/{} -> {}: {}", f.state.as_str(), ns, a.name_any(), f.target, f.reason));
        }
    }
    // Stateful apps' claims (made by their StatefulSets, labelled with the app).
    let claims = Api::<PersistentVolumeClaim>::all(client.clone())
        .list(&ListParams::default().labels(crate::meta::labels::APP))
        .await
        .map_err(listing("PersistentVolumeClaims"))?;
    s.push_str("CLAIMS (namespace/name  phase  class  size -> volume)\n");
    if claims.items.is_empty() {
        s.push_str("  none\n");
    }
    for c in &claims.items {
        let spec = c.spec.clone().unwrap_or_default();
        let size = spec.resources.and_then(|r| r.requests).and_then(|r| r.get("storage").map(|q| q.0.clone()));
        s.push_str(&format!(
            "  {:<45} {:<8} {:<12} {:<6} -> {}\n",
            format!("{}/{}", c.namespace().unwrap_or_default(), c.name_any()),
            c.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
            spec.storage_class_name.unwrap_or_default(),
            size.unwrap_or_default(),
            spec.volume_name.unwrap_or_else(|| "-".into())
        ));
    }
    s.push_str("FLOWS NOT GRANTED\n");
    if pending.is_empty() {
        s.push_str("  none\n");
    }
    for p in pending {
        s.push_str(&p);
        s.push('\n');
    }
    let owned = pods.items.len();
    s.push_str(&format!("{owned} govcloud pods; every object govcloud owns carries {MANAGED_BY}=govcloud\n"));
    Ok(s)
}
