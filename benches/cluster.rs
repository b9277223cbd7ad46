//! govcloud on the local real control plane (testenv), measured in one run:
//!
//! 1. **floor**: on a fresh control plane, one client server-side-applies
//!    exactly what `govcloud render` produces (platform roles, zone policy
//!    bindings, every tenant and app object; the CRDs, admission policies and
//!    zones installed first as the operator's install would), with bounded
//!    concurrency, until every Deployment is available;
//! 2. **operator**: on another fresh control plane, the release-built
//!    `govcloud run` as a separate process under its own ServiceAccount and
//!    ClusterRole; the model's zones, tenants and apps are applied and the
//!    clock stops when every one of them is Ready;
//! 3. reconciles by kind (the operator's `/metrics`) and API requests by verb
//!    (the API server's audit log, the operator's user only) during
//!    convergence and during an idle period; peak RSS and CPU seconds;
//! 4. time from a bad RoleBinding (by a cluster admin) to a compliance
//!    Report that shows it;
//! 5. drift repair latency of random edits and deletions of managed objects;
//! 6. pod-create latency with govcloud's admission policies bound, then
//!    with their bindings removed.
//!
//! `make bench-cluster PRESET=quick|chifeng|x10` runs it
//! (`cargo bench --bench cluster -- --preset quick`). It prints a Markdown
//! table and writes JSON under `target/bench/`. Timings, not assertions: it is
//! not part of `make test`. The control planes live in
//! `target/bench/<preset>/{floor,operator}` (logs, audit log, the operator's
//! log stay there) on ports 27000-27005 (`--port-base`) and are stopped at
//! the end, also on failure or Ctrl-C.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup is a failed test

#[path = "../tests/support/offline.rs"]
#[allow(dead_code)]
mod offline;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use futures::{StreamExt, TryStreamExt};
use govcloud::api::{DepartmentApp, FlowState, NetworkZone, Tenant, ZoneKind};
use govcloud::meta::compare::object_contains;
use govcloud::meta::labels::{MANAGED_BY, MANAGER};
use govcloud::model::Model;
use govcloud::render::{self, Owned, Rendered};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ResourceQuota;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::jiff::Timestamp;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams, PostParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use kube::{Client, Config, Resource, ResourceExt};
use offline::Rng;
use serde_json::{Value, json};

/// Namespace the operator runs in (its ServiceAccount lives there).
const OPERATOR_NS: &str = "govcloud-system";
/// The operator's identity as the API server's audit log names it.
const OPERATOR_USER: &str = "system:serviceaccount:govcloud-system:govcloud-operator";
/// Field manager of the floor's client.
const FLOOR_MANAGER: &str = "govcloud-floor";
const WRITE_VERBS: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Preset {
    /// A synthetic city of 6 tenants and 24 apps: a 2-3 minute smoke run.
    Quick,
    /// examples/chifeng: 16 tenants, 24 apps.
    Chifeng,
    /// A synthetic province: 300 tenants, 3,000 apps, 2-3 zones per tenant.
    X10,
}

/// The cluster bench of govcloud (see the file's documentation).
#[derive(Parser, Debug)]
#[command(name = "cluster")]
struct Args {
    /// Which model, node sizes and defaults.
    #[arg(long, value_enum, default_value_t = Preset::Quick)]
    preset: Preset,
    /// Seconds of idle measurement after convergence (default: quick 30, chifeng 120, x10 600).
    #[arg(long)]
    idle_seconds: Option<u64>,
    /// The operator's --resync-seconds (default: quick 20, chifeng 60, x10 300).
    #[arg(long)]
    resync_seconds: Option<u64>,
    /// Number of drift edits/deletions (default: quick 20, otherwise 100).
    #[arg(long)]
    drift: Option<usize>,
    /// Number of pods created for each pod-create latency sample set (default: quick 30, otherwise 100).
    #[arg(long)]
    pods: Option<usize>,
    /// Give up waiting for convergence (floor or operator) after this many minutes (default: quick 5, chifeng 10, x10 40).
    #[arg(long)]
    timeout_minutes: Option<u64>,
    /// Concurrent requests of the floor's client (the operator runs 4 reconciles per controller).
    #[arg(long, default_value_t = 8)]
    floor_concurrency: usize,
    /// kube-controller-manager's client rate per controller (testenv
    /// --controller-qps); by default its own 20 QPS, which bounds pod
    /// creation (and so the x10 floor) to about 6 pods per second.
    #[arg(long)]
    controller_qps: Option<u32>,
    /// First of the six ports of the bench's control plane.
    #[arg(long, default_value_t = 27000)]
    port_base: u16,
    /// Where the JSON results and the control plane's state go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// Skip the floor (report the operator only).
    #[arg(long)]
    skip_floor: bool,
    /// Leave the control plane running at the end (to profile the operator
    /// against it, for example); `testenv down --dir DIR` stops it.
    #[arg(long)]
    keep: bool,
    /// Seed of the random drift edits.
    #[arg(long, default_value_t = 10)]
    seed: u64,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// Everything a preset decides.
struct Plan {
    name: &'static str,
    /// Model files (testenv reads the zones from them; `govcloud render -f` them to see the objects).
    model_paths: Vec<PathBuf>,
    nodes_per_zone: u32,
    node_pods: u32,
    node_cpu: u32,
    node_memory: &'static str,
    idle: Duration,
    resync: u64,
    drift: usize,
    pods: usize,
    timeout: Duration,
}

// === the synthetic city ===

/// A synthetic city as multi-document YAML: the three zones of Chifeng
/// (extranet, private at MLPS 3, internet), `tenants` tenants with 2 or 3
/// zones each and `apps_per_tenant` apps spread over them; replicas 1-3,
/// exposures none/zone/public, and flows that end granted (same tenant,
/// granted by another tenant, across zones through exchange endpoints),
/// pending (no grant) and refused (private to internet). Pure: the same
/// arguments give the same text.
fn city(tenants: usize, apps_per_tenant: usize) -> String {
    // Exchange endpoints (at most 32 per zone): the private app a1 of the first
    // tenants with a private zone, for the extranet; the extranet app a0 of
    // the first tenants with an internet zone, for the internet.
    let has_private = |i: usize| i % 3 != 2;
    let has_internet = |i: usize| i % 3 != 1;
    let private_eps: Vec<usize> = (0..tenants).filter(|i| has_private(*i) && apps_per_tenant > 1).take(30).collect();
    let internet_eps: Vec<usize> = (0..tenants).filter(|i| has_internet(*i)).take(30).collect();
    let ep = |name: String, peer: &str, tenant: usize, app: &str, port: u16| {
        format!(
            "\n    - {{name: {name}, peerZones: [{peer}], app: {{tenant: t{tenant:03}, app: {app}}}, ports: [{port}]}}"
        )
    };
    let mut s = String::from("# Generated by benches/cluster.rs city(); do not edit.\n");
    s.push_str(
        "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: extranet}\nspec:\n  kind: extranet\n  displayName: {zh: 政务外网, en: E-gov extranet}\n  nodePool:\n    selector: {govcloud.io/zone: extranet}\n    taint: {key: govcloud.io/zone, value: extranet, effect: NoSchedule}\n  cidrs: [10.10.0.0/16]\n  egress:\n    gateway: {cidr: 10.10.255.1/32, ports: [3128]}\n  mlpsLevel: 2\n  allowedRegistries: [harbor.egov.local]\n",
    );
    if !internet_eps.is_empty() {
        s.push_str("  exchangeEndpoints:");
        for i in &internet_eps {
            s.push_str(&ep(format!("t{i:03}-a0"), "internet", *i, "a0", 8080));
        }
        s.push('\n');
    }
    s.push_str(
        "---\napiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: private}\nspec:\n  kind: private\n  displayName: {zh: 政务专网, en: Dedicated private network}\n  nodePool:\n    selector: {govcloud.io/zone: private}\n    taint: {key: govcloud.io/zone, value: private, effect: NoExecute}\n  cidrs: [10.30.0.0/16]\n  mlpsLevel: 3\n  allowedRegistries: [harbor.egov.local]\n  exchangeEndpoints:\n    - {name: gatekeeper, peerZones: [extranet], cidr: 10.30.255.10/32, ports: [443]}",
    );
    for i in &private_eps {
        s.push_str(&ep(format!("t{i:03}-a1"), "extranet", *i, "a1", 8443));
    }
    s.push('\n');
    s.push_str(
        "---\napiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: internet}\nspec:\n  kind: internet\n  displayName: {zh: 互联网区, en: Internet zone}\n  nodePool:\n    selector: {govcloud.io/zone: internet}\n    taint: {key: govcloud.io/zone, value: internet, effect: NoSchedule}\n  cidrs: [172.20.0.0/16]\n  internetIngress: true\n  publicDomain: bench.gov.cn\n  egress:\n    allowedCidrs: [0.0.0.0/0]\n  mlpsLevel: 2\n  allowedRegistries: [harbor.egov.local]\n",
    );
    let quota = "{cpu: '8', memory: 16Gi, pods: 60, services: 20, ephemeralStorage: 80Gi, apps: 40}";
    for i in 0..tenants {
        let zones: Vec<&str> = match i % 3 {
            0 => vec!["extranet", "private", "internet"],
            1 => vec!["extranet", "private"],
            _ => vec!["extranet", "internet"],
        };
        let zone_list: Vec<String> = zones.iter().map(|z| format!("{{name: {z}, quota: {quota}}}")).collect();
        // The first tenant is the audit bureau: its auditors read every tenant.
        let scope = if i == 0 { "\n  auditScope: cluster" } else { "" };
        s.push_str(&format!(
            "---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: t{i:03}}}\nspec:\n  displayName: {{zh: 局{i}, en: Bureau {i}}}\n  owners:\n    - {{kind: Group, name: t{i:03}-admins, role: admin}}\n    - {{kind: Group, name: t{i:03}-developers, role: developer}}\n    - {{kind: Group, name: audit-bureau, role: auditor}}{scope}\n  zones: [{}]\n",
            zone_list.join(", ")
        ));
        let nz = zones.len();
        for j in 0..apps_per_tenant {
            let zone = zones[j % nz];
            let (port_name, port) = if zone == "private" { ("https", 8443) } else { ("http", 8080) };
            let image = if zone == "private" {
                // MLPS 3: pinned by digest.
                format!("harbor.egov.local/t{i:03}/a{j}@sha256:{:064x}", (i * 1000 + j) as u128 * 0x9e37_79b9_7f4a_7c15)
            } else {
                format!("harbor.egov.local/t{i:03}/a{j}:1.0.{j}")
            };
            let replicas = [1, 2, 2, 3, 1, 2, 3, 1, 2, 1][(i * 7 + j) % 10];
            let (exposure, class) = match zone {
                "internet" if j % 2 == 0 => ("public", "public"),
                "internet" => ("zone", "internal"),
                "private" => ("none", "sensitive"),
                _ if (i + j) % 3 == 0 => ("zone", "internal"),
                _ => ("none", "internal"),
            };
            let mut calls: Vec<String> = Vec::new();
            if j >= nz {
                // The previous app of the tenant in the same zone: granted (same tenant).
                calls.push(format!("{{app: a{}}}", j - nz));
            }
            if j == nz && i > 0 {
                // The first extranet app of the previous tenant, which grants this tenant.
                calls.push(format!("{{tenant: t{:03}, app: a0}}", i - 1));
            }
            if j == 0 && i % 5 == 0 && tenants > 2 {
                // Another tenant's app that grants someone else: pending.
                calls.push(format!("{{tenant: t{:03}, app: a0}}", (i + 2) % tenants));
            }
            if j == 0 && private_eps.contains(&i) {
                // Extranet -> private through the private zone's exchange endpoint: granted.
                calls.push("{app: a1, zone: private}".into());
            }
            if zone == "internet" && j < nz {
                if has_private(i) && apps_per_tenant > 1 {
                    // Internet -> private: refused whatever is granted.
                    calls.push("{app: a1, zone: private}".into());
                }
                if internet_eps.contains(&i) {
                    // Internet -> extranet through the extranet's exchange endpoint: granted.
                    calls.push("{app: a0, zone: extranet}".into());
                }
            }
            let mut flows = Vec::new();
            if !calls.is_empty() {
                flows.push(format!("calls: [{}]", calls.join(", ")));
            }
            if j == 0 && i + 1 < tenants {
                flows.push(format!("allowFrom: [{{tenant: t{:03}}}]", i + 1));
            }
            let flows = if flows.is_empty() { String::new() } else { format!("\n  flows: {{{}}}", flows.join(", ")) };
            s.push_str(&format!(
                "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: a{j}, namespace: t{i:03}-{zone}}}\nspec:\n  zone: {zone}\n  image: {image}\n  replicas: {replicas}\n  resources: {{requests: {{cpu: 50m, memory: 64Mi}}, limits: {{cpu: 200m, memory: 128Mi}}}}\n  ports: [{{name: {port_name}, port: {port}}}]\n  exposure: {exposure}\n  dataClassification: {class}{flows}\n"
            ));
        }
    }
    s
}

fn plan(args: &Args, repo: &Path, out: &Path) -> Result<Plan, String> {
    let write_city = |name: &str, tenants: usize, apps: usize| -> Result<Vec<PathBuf>, String> {
        let dir = out.join(name);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join("model.yaml");
        std::fs::write(&path, city(tenants, apps)).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(vec![path])
    };
    let mut p = match args.preset {
        Preset::Quick => Plan {
            name: "quick",
            model_paths: write_city("quick", 6, 4)?,
            nodes_per_zone: 2,
            node_pods: 110,
            node_cpu: 16,
            node_memory: "64Gi",
            idle: Duration::from_secs(30),
            resync: 20,
            drift: 20,
            pods: 30,
            timeout: Duration::from_secs(300),
        },
        Preset::Chifeng => Plan {
            name: "chifeng",
            model_paths: vec![repo.join("examples/chifeng")],
            nodes_per_zone: 2,
            node_pods: 110,
            node_cpu: 16,
            node_memory: "64Gi",
            idle: Duration::from_secs(120),
            resync: 60,
            drift: 100,
            pods: 100,
            timeout: Duration::from_secs(600),
        },
        // About 2,800 extranet, 1,600 private and 1,600 internet pods of 50m CPU each.
        Preset::X10 => Plan {
            name: "x10",
            model_paths: write_city("x10", 300, 10)?,
            nodes_per_zone: 8,
            node_pods: 500,
            node_cpu: 64,
            node_memory: "256Gi",
            idle: Duration::from_secs(600),
            resync: 300,
            drift: 100,
            pods: 100,
            timeout: Duration::from_secs(40 * 60),
        },
    };
    if let Some(s) = args.idle_seconds {
        p.idle = Duration::from_secs(s);
    }
    if let Some(s) = args.resync_seconds {
        p.resync = s.max(1);
    }
    if let Some(n) = args.drift {
        p.drift = n;
    }
    if let Some(n) = args.pods {
        p.pods = n;
    }
    if let Some(m) = args.timeout_minutes {
        p.timeout = Duration::from_secs(m * 60);
    }
    Ok(p)
}

// === the control plane ===

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn testenv() -> PathBuf {
    repo().join("testenv/testenv")
}

/// A control plane started by the bench; stopped when dropped.
struct Cluster {
    dir: PathBuf,
    client: Client,
}

/// Leave the control planes running at the end (`--keep`).
static KEEP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl Drop for Cluster {
    fn drop(&mut self) {
        if KEEP.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!(
                "[bench] control plane in {} left running (--keep); stop it with testenv down --dir {}",
                self.dir.display(),
                self.dir.display()
            );
            return;
        }
        let _ = Command::new(testenv())
            .arg("down")
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        eprintln!("[bench] control plane in {} stopped", self.dir.display());
    }
}

impl Cluster {
    fn audit_log(&self) -> PathBuf {
        self.dir.join("logs/audit.log")
    }
    fn pid(&self, component: &str) -> Option<u32> {
        std::fs::read_to_string(self.dir.join("pids").join(format!("{component}.pid"))).ok()?.trim().parse().ok()
    }
}

async fn client_for(kubeconfig: &Path) -> Result<Client, String> {
    let kc = Kubeconfig::read_from(kubeconfig).map_err(|e| format!("{}: {e}", kubeconfig.display()))?;
    let mut config =
        Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default()).await.map_err(|e| e.to_string())?;
    // Thousands of objects: the default 295 s read timeout is fine, but lists of them are large.
    config.read_timeout = Some(Duration::from_secs(120));
    Client::try_from(config).map_err(|e| e.to_string())
}

async fn up(plan: &Plan, dir: &Path, args: &Args) -> Result<Cluster, String> {
    let port_base = args.port_base;
    let _ =
        Command::new(testenv()).arg("down").arg("--dir").arg(dir).stdout(Stdio::null()).stderr(Stdio::null()).status();
    eprintln!("[bench] starting a control plane in {} (port base {port_base})", dir.display());
    let status = Command::new(testenv())
        .arg("up")
        .arg("--dir")
        .arg(dir)
        .args(["--port-base", &port_base.to_string()])
        .args(["--nodes-per-zone", &plan.nodes_per_zone.to_string()])
        .args(["--node-pods", &plan.node_pods.to_string()])
        .args(["--node-cpu", &plan.node_cpu.to_string()])
        .args(["--node-memory", plan.node_memory])
        .args(args.controller_qps.into_iter().flat_map(|q| ["--controller-qps".to_string(), q.to_string()]))
        .arg("--model")
        .args(&plan.model_paths)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("testenv up: {e}"))?;
    // From here on the Cluster value stops it, whatever happens.
    let dir = dir.to_path_buf();
    if !status.success() {
        let _ = Command::new(testenv()).arg("down").arg("--dir").arg(&dir).status();
        return Err(format!("testenv up failed; see {}/logs", dir.display()));
    }
    let client = client_for(&dir.join("kubeconfig")).await?;
    Ok(Cluster { dir, client })
}

/// A reflector cache, stopped when dropped.
struct Watched<K: Resource + 'static>
where
    K::DynamicType: std::hash::Hash + Eq + Clone,
{
    store: reflector::Store<K>,
    task: tokio::task::JoinHandle<()>,
}

impl<K: Resource + 'static> Drop for Watched<K>
where
    K::DynamicType: std::hash::Hash + Eq + Clone,
{
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn watch<K>(api: Api<K>, labels: Option<&str>) -> Result<Watched<K>, String>
where
    K: Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + Sync + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone + Send + Sync,
{
    let (store, writer) = reflector::store();
    let cfg = match labels {
        Some(l) => watcher::Config::default().labels(l),
        None => watcher::Config::default(),
    };
    let stream = reflector::reflector(writer, watcher::watcher(api, cfg).default_backoff());
    let task = tokio::spawn(async move {
        stream.for_each(|_| futures::future::ready(())).await;
    });
    tokio::time::timeout(Duration::from_secs(120), store.wait_until_ready())
        .await
        .map_err(|_| "a watch did not sync within 120 s".to_string())?
        .map_err(|e| e.to_string())?;
    Ok(Watched { store, task })
}

fn is_ready(conds: &[Condition]) -> bool {
    conds.iter().any(|c| c.type_ == "Ready" && c.status == "True")
}

fn deployment_available(d: &Deployment) -> bool {
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let st = d.status.clone().unwrap_or_default();
    st.observed_generation >= d.metadata.generation
        && st.ready_replicas.unwrap_or(0) >= want
        && st.updated_replicas.unwrap_or(0) >= want
}

// === applying rendered objects (the floor) ===

fn resource_of(v: &Value) -> Result<(ApiResource, Option<String>, String), String> {
    let api_version = v["apiVersion"].as_str().ok_or("object without apiVersion")?;
    let kind = v["kind"].as_str().ok_or("object without kind")?;
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
    let ns = v["metadata"]["namespace"].as_str().map(str::to_string);
    let name = v["metadata"]["name"].as_str().ok_or("object without name")?.to_string();
    Ok((ar, ns, name))
}

fn dynamic_api(client: &Client, ar: &ApiResource, ns: Option<&str>) -> Api<DynamicObject> {
    match ns {
        Some(ns) => Api::namespaced_with(client.clone(), ns, ar),
        None => Api::all_with(client.clone(), ar),
    }
}

/// Server-side applies one object, retrying transient failures.
async fn ssa(client: &Client, v: &Value, manager: &str) -> Result<(), String> {
    let (ar, ns, name) = resource_of(v)?;
    let api = dynamic_api(client, &ar, ns.as_deref());
    let mut last = String::new();
    for attempt in 0..10 {
        match api.patch(&name, &PatchParams::apply(manager).force(), &Patch::Apply(v)).await {
            Ok(_) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await;
    }
    Err(format!("applying {} {}: {last}", ar.kind, name))
}

fn rendered_values(rendered: &Rendered) -> Result<Vec<(usize, Value)>, String> {
    render::render_platform()
        .iter()
        .chain(rendered.objects.iter())
        .map(|o| serde_json::to_value(o).map(|v| (o.order(), v)).map_err(|e| format!("{}: {e}", o.id())))
        .collect()
}

async fn floor(
    plan: &Plan,
    args: &Args,
    dir: &Path,
    model: &Model,
    rendered: &Rendered,
    results: &mut Results,
) -> Result<(), String> {
    let cluster = up(plan, dir, args).await?;
    let c = cluster.client.clone();
    govcloud::operator::install_crds(&c, OPERATOR_NS).await.map_err(|e| format!("installing CRDs: {e}"))?;
    wait_quota_discovery(&c).await?;
    let deployments = watch(Api::<Deployment>::all(c.clone()), Some(&format!("{MANAGED_BY}={MANAGER}"))).await?;
    let expected = rendered.objects.iter().filter(|o| o.kind() == "Deployment").count();
    let objects = rendered_values(rendered)?;
    let api_cpu0 = cpu_seconds(cluster.pid("kube-apiserver"));
    eprintln!(
        "[bench] floor: applying {} zones and {} objects, {} at a time",
        model.zones.len(),
        objects.len(),
        args.floor_concurrency
    );
    let start = Instant::now();
    // The zones are the parameters of the zone admission policies.
    let zones_only = Model { zones: model.zones.clone(), ..Model::default() };
    govcloud::dev::apply_model(&c, &zones_only, &[], Duration::from_secs(60))
        .await
        .map_err(|e| format!("applying zones: {e}"))?;
    // Kind by kind, in the operator's apply order (namespaces before what lives in them).
    let mut by_order: BTreeMap<usize, Vec<Value>> = BTreeMap::new();
    for (order, v) in objects {
        by_order.entry(order).or_default().push(v);
    }
    for (_, batch) in by_order {
        futures::stream::iter(batch.iter().map(|v| ssa(&c, v, FLOOR_MANAGER)))
            .buffer_unordered(args.floor_concurrency.max(1))
            .try_collect::<Vec<()>>()
            .await?;
    }
    let applied = start.elapsed();
    eprintln!("[bench] floor: applied in {:.1} s; waiting for {expected} Deployments", applied.as_secs_f64());
    let mut last_print = Instant::now();
    let done = loop {
        let state = deployments.store.state();
        let available = state.iter().filter(|d| deployment_available(d)).count();
        if state.len() >= expected && available >= expected {
            break Some(start.elapsed());
        }
        if start.elapsed() > plan.timeout {
            eprintln!(
                "[bench] floor: {available}/{expected} Deployments available after {:.0} s; giving up",
                start.elapsed().as_secs_f64()
            );
            results.set("floor", "available_at_timeout", json!(available));
            break None;
        }
        if last_print.elapsed() > Duration::from_secs(15) {
            eprintln!(
                "[bench] floor: {available}/{expected} Deployments available after {:.0} s",
                start.elapsed().as_secs_f64()
            );
            last_print = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    results.set("floor", "objects", json!(rendered.objects.len() + render::render_platform().len()));
    results.set("floor", "deployments", json!(expected));
    results.set("floor", "concurrency", json!(args.floor_concurrency));
    results.set("floor", "apply_seconds", json!(applied.as_secs_f64()));
    results.set("floor", "seconds", json!(done.map(|d| d.as_secs_f64())));
    results.set(
        "floor",
        "apiserver_cpu_seconds",
        json!(cpu_seconds(cluster.pid("kube-apiserver")).zip(api_cpu0).map(|(a, b)| a - b)),
    );
    if let Some(d) = done {
        eprintln!("[bench] floor: every Deployment available after {:.1} s", d.as_secs_f64());
    }
    drop(deployments);
    drop(cluster);
    Ok(())
}

/// Waits until the quota controller counts DepartmentApps (it discovers a
/// new CRD's resources about every 30 s): until then a quota naming
/// `count/departmentapps.govcloud.io` refuses every DepartmentApp ("status
/// unknown for quota"). A cluster that has had govcloud for more than a minute
/// is past this; the clock starts after it, in both phases.
async fn wait_quota_discovery(c: &Client) -> Result<f64, String> {
    use k8s_openapi::api::core::v1::Namespace;
    let ns = "govcloud-bench-probe";
    let key = "count/departmentapps.govcloud.io";
    let n: Namespace = serde_json::from_value(json!({"metadata": {"name": ns}})).map_err(|e| e.to_string())?;
    Api::<Namespace>::all(c.clone())
        .patch(ns, &PatchParams::apply("govcloud-bench").force(), &Patch::Apply(&n))
        .await
        .map_err(|e| e.to_string())?;
    let q: ResourceQuota = serde_json::from_value(
        json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "probe", "namespace": ns}, "spec": {"hard": {key: "1"}}}),
    )
    .map_err(|e| e.to_string())?;
    let quotas: Api<ResourceQuota> = Api::namespaced(c.clone(), ns);
    quotas
        .patch("probe", &PatchParams::apply("govcloud-bench").force(), &Patch::Apply(&q))
        .await
        .map_err(|e| e.to_string())?;
    let waited = time_until(Duration::from_secs(180), Duration::from_millis(500), || async {
        quotas.get_opt("probe").await.ok().flatten().and_then(|q| q.status?.used).is_some_and(|u| u.contains_key(key))
    })
    .await
    .ok_or("the quota controller did not count DepartmentApps within 180 s")?;
    let _ = Api::<Namespace>::all(c.clone()).delete(ns, &DeleteParams::default()).await;
    eprintln!("[bench] the quota controller counts DepartmentApps (waited {waited:.0} s)");
    Ok(waited)
}

// === the operator process ===

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// `govcloud run` as a child process; killed when dropped.
struct Operator {
    child: Child,
    metrics: String,
    log: PathBuf,
}

impl Drop for Operator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Operator {
    fn start(kubeconfig: &Path, resync: u64, log: &Path) -> Result<Operator, String> {
        let metrics = format!("127.0.0.1:{}", free_port()?);
        let file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let child = Command::new(env!("CARGO_BIN_EXE_govcloud"))
            .args([
                "run",
                "--metrics-address",
                &metrics,
                "--resync-seconds",
                &resync.to_string(),
                "--log-format",
                "json",
            ])
            .env("KUBECONFIG", kubeconfig)
            .env("RUST_LOG", "info,kube=warn")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", env!("CARGO_BIN_EXE_govcloud")))?;
        Ok(Operator { child, metrics, log: log.to_path_buf() })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn get(&self, path: &str) -> Option<(u16, String)> {
        let mut s = std::net::TcpStream::connect(&self.metrics).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        // One write: the operator's server reads the request with a single read.
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.metrics).as_bytes())
            .ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).ok()?;
        let code = body.split_whitespace().nth(1)?.parse().ok()?;
        let text = body.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        Some((code, text))
    }

    async fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("the operator exited ({status}); see {}", self.log.display()));
            }
            if self.get("/readyz").is_some_and(|(code, _)| code == 200) {
                return Ok(());
            }
            if start.elapsed() > timeout {
                return Err(format!("the operator was not ready within {timeout:?}; see {}", self.log.display()));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every counter of `/metrics`, keyed `name{labels}`.
    fn metrics(&self) -> BTreeMap<String, f64> {
        let text = (0..5)
            .find_map(|_| self.get("/metrics").filter(|(code, _)| *code == 200).map(|(_, t)| t))
            .unwrap_or_default();
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let (k, v) = l.rsplit_once(' ')?;
                Some((k.to_string(), v.trim().parse().ok()?))
            })
            .collect()
    }

    /// Stops it with SIGTERM (SIGKILL after 10 s).
    fn stop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The counters of `after` minus `before`, those that moved, as `name{labels}` -> delta.
fn metrics_delta(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    after
        .iter()
        .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0.0)))
        .filter(|(_, d)| *d != 0.0)
        .collect()
}

/// `label="value"` out of `name{...}`.
fn label_of(key: &str, label: &str) -> Option<String> {
    let inner = key.split_once('{')?.1.trim_end_matches('}');
    inner.split(',').find_map(|kv| kv.strip_prefix(&format!("{label}=")).map(|v| v.trim_matches('"').to_string()))
}

fn by_label(delta: &BTreeMap<String, f64>, metric: &str, label: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (k, v) in delta {
        if k.split('{').next() == Some(metric) {
            *out.entry(label_of(k, label).unwrap_or_default()).or_default() += *v as u64;
        }
    }
    out
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After the command: state is field 3, utime 14 and stime 15 (1-based, in proc(5)).
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / clock_ticks())
}

/// A `/proc/<pid>/status` value in KiB (`VmHWM`, `VmRSS`).
fn proc_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

// === the audit log ===

/// One request of the operator, from the audit log.
struct Req {
    /// requestReceivedTimestamp, microseconds since the epoch.
    at: i64,
    verb: String,
    resource: String,
}

/// Follows `DIR/logs/audit.log` (across rotation) and keeps the operator's requests.
struct AuditTail {
    reqs: Arc<Mutex<Vec<Req>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for AuditTail {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn parse_audit_line(line: &str, needle: &str) -> Option<Req> {
    if !line.contains(needle) {
        return None;
    }
    let v: Value = serde_json::from_str(line).ok()?;
    if v["user"]["username"].as_str()? != OPERATOR_USER {
        return None;
    }
    let verb = v["verb"].as_str()?.to_string();
    // A watch is logged when it starts and when it ends; other requests once.
    let stage = v["stage"].as_str()?;
    let counted = if verb == "watch" { stage == "ResponseStarted" } else { stage == "ResponseComplete" };
    if !counted {
        return None;
    }
    let at: Timestamp = v["requestReceivedTimestamp"].as_str()?.parse().ok()?;
    let r = &v["objectRef"];
    let mut resource = r["resource"].as_str().unwrap_or("-").to_string();
    if let Some(sub) = r["subresource"].as_str() {
        resource = format!("{resource}/{sub}");
    }
    Some(Req { at: at.as_microsecond(), verb, resource })
}

impl AuditTail {
    fn start(path: PathBuf) -> AuditTail {
        let reqs = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (reqs.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            use std::os::unix::fs::MetadataExt;
            let needle = format!("\"username\":\"{OPERATOR_USER}\"");
            let mut file: Option<(BufReader<std::fs::File>, u64)> = None;
            let mut partial = String::new();
            loop {
                let stopping = s.load(Ordering::SeqCst);
                if file.is_none()
                    && let Ok(f) = std::fs::File::open(&path)
                {
                    let ino = f.metadata().map(|m| m.ino()).unwrap_or(0);
                    file = Some((BufReader::new(f), ino));
                }
                let mut got = false;
                if let Some((reader, ino)) = file.as_mut() {
                    loop {
                        let mut line = String::new();
                        match reader.read_line(&mut line) {
                            Ok(0) | Err(_) => break,
                            Ok(_) => {
                                got = true;
                                partial.push_str(&line);
                                if !partial.ends_with('\n') {
                                    continue;
                                }
                                if let Some(req) = parse_audit_line(&partial, &needle)
                                    && let Ok(mut v) = r.lock()
                                {
                                    v.push(req);
                                }
                                partial.clear();
                            }
                        }
                    }
                    // Rotated: the old file is read to its end (above), then the new one.
                    let rotated = std::fs::metadata(&path).map(|m| m.ino() != *ino).unwrap_or(false);
                    if rotated {
                        file = None;
                        partial.clear();
                        continue;
                    }
                }
                if stopping {
                    return;
                }
                if !got {
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        });
        AuditTail { reqs, stop, thread: Some(thread) }
    }

    /// Requests received in [from, to): by verb, and writes by `verb resource`.
    fn window(&self, from: Timestamp, to: Timestamp) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
        let (from, to) = (from.as_microsecond(), to.as_microsecond());
        let mut verbs = BTreeMap::new();
        let mut writes = BTreeMap::new();
        if let Ok(reqs) = self.reqs.lock() {
            for r in reqs.iter().filter(|r| r.at >= from && r.at < to) {
                *verbs.entry(r.verb.clone()).or_default() += 1;
                if WRITE_VERBS.contains(&r.verb.as_str()) {
                    *writes.entry(format!("{} {}", r.verb, r.resource)).or_default() += 1;
                }
            }
        }
        (verbs, writes)
    }
}

fn writes_in(verbs: &BTreeMap<String, u64>) -> u64 {
    verbs.iter().filter(|(v, _)| WRITE_VERBS.contains(&v.as_str())).map(|(_, n)| n).sum()
}

// === the operator phase ===

/// The operator's Namespace, ServiceAccount, ClusterRole and binding (as
/// `govcloud manifests` installs them) and a kubeconfig with its token.
async fn operator_kubeconfig(cluster: &Cluster) -> Result<PathBuf, String> {
    use k8s_openapi::api::core::v1::ServiceAccount;
    let c = &cluster.client;
    for m in govcloud::operator::install::manifests("unused", OPERATOR_NS) {
        if matches!(m["kind"].as_str(), Some("Namespace" | "ServiceAccount" | "ClusterRole" | "ClusterRoleBinding")) {
            ssa(c, &m, "govcloud-bench").await?;
        }
    }
    let tr = serde_json::from_value(json!({"spec": {"audiences": [], "expirationSeconds": 86400}}))
        .map_err(|e| e.to_string())?;
    let sas: Api<ServiceAccount> = Api::namespaced(c.clone(), OPERATOR_NS);
    let token = sas
        .create_token_request(govcloud::meta::names::OPERATOR, &PostParams::default(), &tr)
        .await
        .map_err(|e| format!("token for the operator: {e}"))?
        .status
        .ok_or("token request without status")?
        .token;
    let admin: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(cluster.dir.join("kubeconfig")).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let kc = json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "bench", "cluster": serde_json::to_value(&admin["clusters"][0]["cluster"]).map_err(|e| e.to_string())?}],
        "users": [{"name": "operator", "user": {"token": token}}],
        "contexts": [{"name": "operator", "context": {"cluster": "bench", "user": "operator"}}],
        "current-context": "operator"
    });
    let path = cluster.dir.join("operator.kubeconfig");
    std::fs::write(&path, serde_norway::to_string(&kc).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    Ok(path)
}

type Count = (usize, usize);

struct Readiness {
    zones: Watched<NetworkZone>,
    tenants: Watched<Tenant>,
    apps: Watched<DepartmentApp>,
}

impl Readiness {
    fn counts(&self) -> (Count, Count, Count) {
        let z = self.zones.store.state();
        let t = self.tenants.store.state();
        let a = self.apps.store.state();
        (
            (z.iter().filter(|z| z.status.as_ref().is_some_and(|s| is_ready(&s.conditions))).count(), z.len()),
            (t.iter().filter(|t| t.status.as_ref().is_some_and(|s| is_ready(&s.conditions))).count(), t.len()),
            (a.iter().filter(|a| a.status.as_ref().is_some_and(|s| is_ready(&s.conditions))).count(), a.len()),
        )
    }
}

/// Seconds until `check` holds, polled every `every`; `None` after `timeout`.
async fn time_until<F, Fut>(timeout: Duration, every: Duration, mut check: F) -> Option<f64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if check().await {
            return Some(start.elapsed().as_secs_f64());
        }
        if start.elapsed() > timeout {
            return None;
        }
        tokio::time::sleep(every).await;
    }
}

#[allow(clippy::too_many_arguments)]
async fn operator_phase(
    plan: &Plan,
    args: &Args,
    dir: &Path,
    model: &Model,
    rendered: &Rendered,
    results: &mut Results,
    out_json: &Path,
) -> Result<(), String> {
    let cluster = up(plan, dir, args).await?;
    let c = cluster.client.clone();
    govcloud::operator::install_crds(&c, OPERATOR_NS).await.map_err(|e| format!("installing CRDs: {e}"))?;
    let kubeconfig = operator_kubeconfig(&cluster).await?;
    wait_quota_discovery(&c).await?;
    let audit = AuditTail::start(cluster.audit_log());
    let log = dir.join("operator.log");
    let mut op = Operator::start(&kubeconfig, plan.resync, &log)?;
    let t_start = Timestamp::now();
    op.wait_ready(Duration::from_secs(120)).await?;
    eprintln!("[bench] operator: started (pid {}, log {}), caches synced", op.pid(), log.display());
    let readiness = Readiness {
        zones: watch(Api::all(c.clone()), None).await?,
        tenants: watch(Api::all(c.clone()), None).await?,
        apps: watch(Api::all(c.clone()), None).await?,
    };
    let m0 = op.metrics();
    let cpu0 = cpu_seconds(Some(op.pid())).unwrap_or(0.0);
    let api_cpu0 = cpu_seconds(cluster.pid("kube-apiserver"));
    let t0 = Timestamp::now();
    let start = Instant::now();
    eprintln!(
        "[bench] operator: applying {} zones, {} tenants, {} apps",
        model.zones.len(),
        model.tenants.len(),
        model.apps.len()
    );
    // Applying waits for the namespaces the operator creates; progress is shown meanwhile.
    let mut apply = Some(tokio::spawn({
        let (c, m, timeout) = (c.clone(), model.clone(), plan.timeout);
        async move { govcloud::dev::apply_model(&c, &m, &[], timeout).await.map_err(|e| format!("applying the model: {e}")) }
    }));
    let mut applied: Option<Duration> = None;
    let mut last_print = Instant::now();
    let (zn, tn, an) = (model.zones.len(), model.tenants.len(), model.apps.len());
    let converged = loop {
        if apply.as_ref().is_some_and(|h| h.is_finished())
            && let Some(h) = apply.take()
        {
            h.await.map_err(|e| e.to_string())??;
            applied = Some(start.elapsed());
            eprintln!("[bench] operator: model applied after {:.1} s", start.elapsed().as_secs_f64());
        }
        let (z, t, a) = readiness.counts();
        if applied.is_some() && z.0 >= zn && t.0 >= tn && a.0 >= an {
            break Some(start.elapsed());
        }
        if let Ok(Some(status)) = op.child.try_wait() {
            return Err(format!("the operator exited ({status}); see {}", log.display()));
        }
        if start.elapsed() > plan.timeout || last_print.elapsed() > Duration::from_secs(30) {
            let rss = proc_kib(op.pid(), "VmRSS").unwrap_or(0) / 1024;
            eprintln!(
                "[bench] operator: after {:.0} s ready zones {}/{zn}, tenants {}/{tn}, apps {}/{an} ({} applied); RSS {rss} MiB, CPU {:.0} s",
                start.elapsed().as_secs_f64(),
                z.0,
                t.0,
                a.0,
                a.1,
                cpu_seconds(Some(op.pid())).unwrap_or(0.0) - cpu0
            );
            last_print = Instant::now();
            results.set(
                "operator",
                "progress",
                json!({"seconds": start.elapsed().as_secs_f64(), "zones": z.0, "tenants": t.0, "apps": a.0, "apps_applied": a.1, "rss_mib": rss}),
            );
            results.write(out_json);
        }
        if start.elapsed() > plan.timeout {
            if let Some(h) = apply.take() {
                h.abort();
            }
            break None;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let t1 = Timestamp::now();
    let m1 = op.metrics();
    let cpu1 = cpu_seconds(Some(op.pid())).unwrap_or(0.0);
    let hwm1 = proc_kib(op.pid(), "VmHWM").unwrap_or(0);
    let (z, t, a) = readiness.counts();
    results.set("operator", "apply_seconds", json!(applied.map(|d| d.as_secs_f64())));
    results.set("operator", "seconds", json!(converged.map(|d| d.as_secs_f64())));
    results.set("operator", "ready", json!({"zones": [z.0, zn], "tenants": [t.0, tn], "apps": [a.0, an]}));
    results.set("operator", "startup_seconds", json!((t0.as_microsecond() - t_start.as_microsecond()) as f64 / 1e6));
    results.set("operator", "resync_seconds", json!(plan.resync));
    results.set("operator", "cpu_seconds_convergence", json!(cpu1 - cpu0));
    results.set(
        "operator",
        "apiserver_cpu_seconds_convergence",
        json!(cpu_seconds(cluster.pid("kube-apiserver")).zip(api_cpu0).map(|(a, b)| a - b)),
    );
    results.set("operator", "peak_rss_mib_convergence", json!(hwm1 as f64 / 1024.0));
    match converged {
        Some(d) => eprintln!("[bench] operator: everything Ready after {:.1} s", d.as_secs_f64()),
        None => eprintln!(
            "[bench] operator: not converged after {:.0} s (zones {}/{zn}, tenants {}/{tn}, apps {}/{an})",
            start.elapsed().as_secs_f64(),
            z.0,
            t.0,
            a.0
        ),
    }
    tokio::time::sleep(Duration::from_secs(2)).await; // the audit log catches up
    let delta = metrics_delta(&m0, &m1);
    let (verbs, writes) = audit.window(t0, t1);
    results.set("convergence", "reconciles", json!(by_label(&delta, "govcloud_reconciliations_total", "kind")));
    results.set("convergence", "status_refreshes", json!(by_label(&delta, "govcloud_status_refreshes_total", "kind")));
    results.set("convergence", "reconcile_errors", json!(by_label(&delta, "govcloud_reconcile_errors_total", "kind")));
    results.set("convergence", "object_writes", json!(by_label(&delta, "govcloud_object_writes_total", "action")));
    results.set("convergence", "metrics", json!(delta));
    results.set("convergence", "requests", json!(verbs));
    results.set("convergence", "writes", json!(writes_in(&verbs)));
    results.set("convergence", "writes_by_resource", json!(writes));
    results.write(out_json);

    if converged.is_none() {
        eprintln!("[bench] operator: skipping idle, report and drift measurements (not converged)");
    } else {
        // Settle: the compliance reports catch up with the last pods of the
        // convergence; idle starts once a compliance audit has started and
        // ended after Ready (two more audits counted: the first may have
        // listed the cluster before it) and the operator has then written
        // nothing for 15 s (or after 5 minutes).
        let settle_start = Instant::now();
        let ts = Timestamp::now();
        let audits = |m: &BTreeMap<String, f64>| {
            m.iter().filter(|(k, _)| k.starts_with("govcloud_compliance_audits_total")).map(|(_, v)| *v).sum::<f64>()
        };
        let audits_at_ready = audits(&op.metrics());
        loop {
            let quiet_from = Timestamp::now();
            tokio::time::sleep(Duration::from_secs(15)).await;
            let (verbs, _) = audit.window(quiet_from, Timestamp::now());
            let caught_up = audits(&op.metrics()) >= audits_at_ready + 2.0;
            if (caught_up && writes_in(&verbs) == 0) || settle_start.elapsed() > Duration::from_secs(300) {
                break;
            }
        }
        let (verbs, writes) = audit.window(ts, Timestamp::now());
        results.set("settle", "seconds", json!(settle_start.elapsed().as_secs_f64()));
        results.set("settle", "writes", json!(writes_in(&verbs)));
        results.set("settle", "writes_by_resource", json!(writes));
        eprintln!(
            "[bench] settle: {:.0} s, {} writes (reports catching up)",
            settle_start.elapsed().as_secs_f64(),
            writes_in(&verbs)
        );
        // Idle: nothing changes; resyncs happen.
        eprintln!("[bench] idle: {} s (resync every {} s)", plan.idle.as_secs(), plan.resync);
        let ti = Timestamp::now();
        let (cpu_i, m_i) = (cpu_seconds(Some(op.pid())).unwrap_or(0.0), op.metrics());
        tokio::time::sleep(plan.idle).await;
        let tj = Timestamp::now();
        let (cpu_j, m_j) = (cpu_seconds(Some(op.pid())).unwrap_or(0.0), op.metrics());
        tokio::time::sleep(Duration::from_secs(2)).await;
        let delta = metrics_delta(&m_i, &m_j);
        let (verbs, writes) = audit.window(ti, tj);
        results.set("idle", "seconds", json!(plan.idle.as_secs()));
        results.set("idle", "reconciles", json!(by_label(&delta, "govcloud_reconciliations_total", "kind")));
        results.set("idle", "metrics", json!(delta));
        results.set("idle", "requests", json!(verbs));
        results.set("idle", "writes", json!(writes_in(&verbs)));
        results.set("idle", "writes_by_resource", json!(writes));
        results.set("idle", "cpu_seconds", json!(cpu_j - cpu_i));
        eprintln!("[bench] idle: {} writes, {} requests", writes_in(&verbs), verbs.values().sum::<u64>());
        results.write(out_json);

        report_latency(&c, model, plan, results).await;
        results.write(out_json);
        drift(&c, rendered, plan.drift, args.seed, results).await;
        results.write(out_json);
    }
    let hwm = proc_kib(op.pid(), "VmHWM").unwrap_or(hwm1);
    results.set("operator", "peak_rss_mib", json!(hwm as f64 / 1024.0));
    results.set("operator", "cpu_seconds_total", json!(cpu_seconds(Some(op.pid())).unwrap_or(0.0) - cpu0));
    let (verbs, _) = audit.window(t_start, Timestamp::now());
    results.set("operator", "requests_total", json!(verbs));
    op.stop();
    drop(readiness);
    eprintln!("[bench] operator stopped; pod-create latency with and without govcloud's admission policies");
    pod_latency(&c, rendered, plan.pods, results).await;
    results.write(out_json);
    drop(audit);
    drop(cluster);
    Ok(())
}

// === compliance report latency ===

async fn report_latency(c: &Client, model: &Model, plan: &Plan, results: &mut Results) {
    // An exec binding in an MLPS 3 namespace (GC-RBAC-004), by a cluster admin.
    let ns = model.tenants.iter().find_map(|t| {
        t.spec.zones.iter().find_map(|tz| {
            let z = model.zones.iter().find(|z| z.name_any() == tz.name)?;
            let level = t.spec.mlps_level.unwrap_or(0).max(z.spec.mlps_level);
            (z.spec.kind == ZoneKind::Private && level >= 3 && !z.spec.allow_exec)
                .then(|| govcloud::meta::names::namespace_name(&t.name_any(), &tz.name))
        })
    });
    let Some(ns) = ns else {
        results.set("report", "skipped", json!("no MLPS 3 tenant namespace"));
        return;
    };
    let name = "bench-exec";
    let rb = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": ns},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": govcloud::meta::names::EXEC_ROLE},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "bench-intruders"}]
    });
    let rbs = dynamic_api(
        c,
        &ApiResource::from_gvk(&GroupVersionKind::gvk("rbac.authorization.k8s.io", "v1", "RoleBinding")),
        Some(&ns),
    );
    let obj: DynamicObject = match serde_json::from_value(rb) {
        Ok(o) => o,
        Err(e) => return results.set("report", "error", json!(e.to_string())),
    };
    if let Err(e) = rbs.create(&PostParams::default(), &obj).await {
        results.set("report", "error", json!(format!("creating RoleBinding {ns}/{name}: {e}")));
        return;
    }
    eprintln!(
        "[bench] report: RoleBinding {ns}/{name} binds {} at MLPS 3; waiting for Report {ns}/govcloud to show it",
        govcloud::meta::names::EXEC_ROLE
    );
    let reports = dynamic_api(
        c,
        &ApiResource::from_gvk(&GroupVersionKind::gvk("openreports.io", "v1alpha1", "Report")),
        Some(&ns),
    );
    let timeout = Duration::from_secs(plan.resync * 2 + 120);
    let shows_it = || async {
        let Ok(Some(r)) = reports.get_opt("govcloud").await else { return false };
        r.data["results"].as_array().into_iter().flatten().any(|x| {
            x["result"] == "fail"
                && x["resources"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|res| res["name"] == name && res["kind"] == "RoleBinding")
        })
    };
    let appeared = time_until(timeout, Duration::from_millis(250), &shows_it).await;
    results.set(
        "report",
        "change",
        json!(format!(
            "RoleBinding {ns}/{name} to {} at MLPS 3 (GC-RBAC-004), then its deletion",
            govcloud::meta::names::EXEC_ROLE
        )),
    );
    results.set("report", "seconds", json!(appeared));
    results.set("report", "timeout_seconds", json!(timeout.as_secs()));
    let _ = rbs.delete(name, &DeleteParams::default()).await;
    // The second sample: the deletion, until the Report no longer shows it.
    let cleared = if appeared.is_some() {
        time_until(timeout, Duration::from_millis(250), || async { !shows_it().await }).await
    } else {
        None
    };
    results.set("report", "cleared_seconds", json!(cleared));
    let show = |v: Option<f64>| v.map_or(format!("not within {} s", timeout.as_secs()), |s| format!("{s:.1} s"));
    eprintln!(
        "[bench] report: shows the binding after {}, no longer after its deletion after {}",
        show(appeared),
        show(cleared)
    );
}

// === drift repair ===

const DRIFT: &[(&str, &str)] = &[
    ("NetworkPolicy", "delete"),
    ("ResourceQuota", "edit spec.hard.pods"),
    ("Deployment", "scale (spec.replicas + 1)"),
    ("Service", "delete"),
    ("RoleBinding", "delete"),
];

fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    Some(sorted[i])
}

async fn drift(c: &Client, rendered: &Rendered, n: usize, seed: u64, results: &mut Results) {
    let mut rng = Rng(seed);
    let by_kind: Vec<Vec<&Owned>> =
        DRIFT.iter().map(|(k, _)| rendered.objects.iter().filter(|o| o.kind() == *k).collect()).collect();
    let timeout = Duration::from_secs(60);
    let mut samples: Vec<f64> = Vec::new();
    let mut per_kind: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut timeouts = Vec::new();
    eprintln!("[bench] drift: {n} edits and deletions of managed objects, one at a time");
    for i in 0..n {
        let k = i % DRIFT.len();
        let (kind, action) = DRIFT[k];
        if by_kind[k].is_empty() {
            continue;
        }
        let o = by_kind[k][rng.below(by_kind[k].len())];
        let Ok(desired) = serde_json::to_value(o) else { continue };
        let Ok((ar, ns, name)) = resource_of(&desired) else { continue };
        let api = dynamic_api(c, &ar, ns.as_deref());
        let edit = match kind {
            "ResourceQuota" => api
                .patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"hard": {"pods": "999"}}})))
                .await
                .map(|_| ()),
            "Deployment" => {
                let r = desired["spec"]["replicas"].as_i64().unwrap_or(1);
                api.patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"replicas": r + 1}})))
                    .await
                    .map(|_| ())
            }
            _ => api.delete(&name, &DeleteParams::default()).await.map(|_| ()),
        };
        if let Err(e) = edit {
            eprintln!("[bench] drift: {action} {}: {e}", o.id());
            continue;
        }
        let repaired = time_until(timeout, Duration::from_millis(20), || async {
            let Ok(Some(actual)) = api.get_opt(&name).await else { return false };
            let Ok(actual) = serde_json::to_value(&actual) else { return false };
            actual["metadata"]["deletionTimestamp"].is_null() && object_contains(&actual, &desired)
        })
        .await;
        match repaired {
            Some(s) => {
                samples.push(s);
                per_kind.entry(kind).or_default().push(s);
            }
            None => {
                samples.push(timeout.as_secs_f64());
                timeouts.push(o.id());
            }
        }
    }
    samples.sort_by(f64::total_cmp);
    let mut kinds = serde_json::Map::new();
    for (kind, mut v) in per_kind {
        v.sort_by(f64::total_cmp);
        kinds.insert(kind.to_string(), json!({"n": v.len(), "p50": percentile(&v, 0.5), "max": v.last()}));
    }
    results.set("drift", "n", json!(samples.len()));
    results.set("drift", "actions", json!(DRIFT.iter().map(|(k, a)| format!("{k}: {a}")).collect::<Vec<_>>()));
    results.set("drift", "p50_seconds", json!(percentile(&samples, 0.5)));
    results.set("drift", "p99_seconds", json!(percentile(&samples, 0.99)));
    results.set("drift", "max_seconds", json!(samples.last()));
    results.set("drift", "by_kind", Value::Object(kinds));
    results.set("drift", "timeouts", json!(timeouts));
    eprintln!(
        "[bench] drift: p50 {:.3} s, p99 {:.3} s, {} not repaired within {} s",
        percentile(&samples, 0.5).unwrap_or(f64::NAN),
        percentile(&samples, 0.99).unwrap_or(f64::NAN),
        timeouts.len(),
        timeout.as_secs()
    );
}

// === pod-create latency ===

/// One namespace with room in its quota, and a compliant pod spec for it: the
/// pod template of a Deployment govcloud rendered there.
fn pod_target(rendered: &Rendered) -> Option<(String, Value)> {
    let mut used: BTreeMap<&str, i64> = BTreeMap::new();
    for o in &rendered.objects {
        if let Owned::Deployment(d) = o {
            *used.entry(o.namespace()).or_default() += d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1) as i64;
        }
    }
    let headroom = |o: &Owned| {
        let Owned::ResourceQuota(q) = o else { return None };
        let hard = q.spec.as_ref()?.hard.as_ref()?.get("pods")?.0.parse::<i64>().ok()?;
        Some(hard - used.get(o.namespace()).copied().unwrap_or(0))
    };
    let ns = rendered
        .objects
        .iter()
        .filter(|o| used.contains_key(o.namespace()))
        .filter_map(|o| headroom(o).map(|h| (h, o.namespace().to_string())))
        .filter(|(h, _)| *h >= 2)
        .max_by_key(|(h, ns)| (*h, std::cmp::Reverse(ns.clone())))?
        .1;
    let d = rendered.objects.iter().find(|o| o.kind() == "Deployment" && o.namespace() == ns)?;
    let v = serde_json::to_value(d).ok()?;
    Some((ns, v["spec"]["template"]["spec"].clone()))
}

/// Creates (and deletes) pods named `prefix-<i>` one at a time: the create
/// call's round trip, per pod.
async fn create_pods(
    pods: &Api<DynamicObject>,
    ns: &str,
    spec: &Value,
    prefix: &str,
    n: usize,
) -> Result<Vec<f64>, String> {
    let mut out = Vec::new();
    for i in 0..n {
        let name = format!("{prefix}-{i}");
        let pod: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": {"govcloud-bench": "pod-latency"}},
            "spec": spec
        }))
        .map_err(|e| e.to_string())?;
        let start = Instant::now();
        pods.create(&PostParams::default(), &pod).await.map_err(|e| format!("creating pod {ns}/{name}: {e}"))?;
        out.push(start.elapsed().as_secs_f64());
        pods.delete(&name, &DeleteParams { grace_period_seconds: Some(0), ..DeleteParams::default() })
            .await
            .map_err(|e| format!("deleting pod {ns}/{name}: {e}"))?;
    }
    Ok(out)
}

/// Server-side dry-run creates of the compliant pod, one after another on
/// the client's one connection: what admission adds to a create, without
/// etcd, the quota or a delete between samples (issue 27's method).
async fn dry_run_pods(pods: &Api<DynamicObject>, ns: &str, spec: &Value, n: usize) -> Result<Vec<f64>, String> {
    let pod: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "bench-dry-run", "namespace": ns, "labels": {"govcloud-bench": "pod-latency"}},
        "spec": spec
    }))
    .map_err(|e| e.to_string())?;
    let pp = PostParams { dry_run: true, ..PostParams::default() };
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        pods.create(&pp, &pod).await.map_err(|e| format!("dry-run create in {ns}: {e}"))?;
        out.push(start.elapsed().as_secs_f64());
    }
    Ok(out)
}

/// The API server's own time in validating admission policies, summed over
/// its CREATE requests so far (seconds, requests), from its `/metrics`:
/// what the policies cost, without the client's or the network's share.
async fn policy_time(c: &Client) -> Option<(f64, f64)> {
    let req = http::Request::get("/metrics").body(Vec::new()).ok()?;
    let text = c.request_text(req).await.ok()?;
    let (mut sum, mut count) = (0.0, 0.0);
    for line in text.lines() {
        let wanted = |metric: &str| {
            line.strip_prefix(metric).filter(|rest| {
                rest.contains("name=\"ValidatingAdmissionPolicy\"")
                    && rest.contains("operation=\"CREATE\"")
                    && rest.contains("type=\"validate\"")
            })
        };
        let value = |rest: &str| rest.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        if let Some(rest) = wanted("apiserver_admission_controller_admission_duration_seconds_sum{") {
            sum += value(rest);
        } else if let Some(rest) = wanted("apiserver_admission_controller_admission_duration_seconds_count{") {
            count += value(rest);
        }
    }
    Some((sum, count))
}

/// Dry-run creates per round of [`pod_rounds`] (four rounds: 400 with the
/// policies bound and 400 without).
const DRY_RUNS_PER_ROUND: usize = 200;

/// Whether govcloud's policies are in force: a dry-run pod from a registry
/// no zone allows is refused.
async fn policies_enforced(pods: &Api<DynamicObject>, spec: &Value) -> bool {
    let mut spec = spec.clone();
    if let Some(cs) = spec["containers"].as_array_mut() {
        for c in cs {
            c["image"] = json!("docker.io/library/busybox:1.36");
        }
    }
    let Ok(pod) = serde_json::from_value::<DynamicObject>(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bench-probe"}, "spec": spec}),
    ) else {
        return false;
    };
    pods.create(&PostParams { dry_run: true, ..PostParams::default() }, &pod).await.is_err()
}

/// Pod-create latency with govcloud's admission policies bound and with
/// their bindings removed, in rounds (on, off, off, on) so that a machine
/// busy with something else weighs on both sides alike. The operator is
/// stopped, so nothing restores the bindings behind the bench's back.
async fn pod_latency(c: &Client, rendered: &Rendered, n: usize, results: &mut Results) {
    let Some((ns, spec)) = pod_target(rendered) else {
        results.set("pods", "skipped", json!("no namespace with room for more pods"));
        return;
    };
    results.set("pods", "namespace", json!(ns));
    results.set("pods", "n", json!(n));
    let pods: Api<DynamicObject> =
        dynamic_api(c, &ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "Pod")), Some(&ns));
    let bindings = dynamic_api(
        c,
        &ApiResource::from_gvk(&GroupVersionKind::gvk(
            "admissionregistration.k8s.io",
            "v1",
            "ValidatingAdmissionPolicyBinding",
        )),
        None,
    );
    let lp = ListParams::default().labels(&format!("{MANAGED_BY}={MANAGER}"));
    let saved: Vec<Value> = match bindings.list(&lp).await {
        Ok(l) => l
            .items
            .iter()
            .filter_map(|b| {
                let mut v = serde_json::to_value(b).ok()?;
                v["apiVersion"] = json!("admissionregistration.k8s.io/v1");
                v["kind"] = json!("ValidatingAdmissionPolicyBinding");
                let m = v["metadata"].as_object_mut()?;
                for k in ["resourceVersion", "uid", "managedFields", "creationTimestamp", "generation"] {
                    m.remove(k);
                }
                Some(v)
            })
            .collect(),
        Err(e) => return results.set("pods", "error", json!(format!("listing the policy bindings: {e}"))),
    };
    // Each create counts against the namespace's quota until the quota
    // controller sees the pod gone, later than the delete: the quotas are
    // widened for the samples (the operator is stopped) and put back after.
    let quotas: Api<ResourceQuota> = Api::namespaced(c.clone(), &ns);
    let kept = match widen_quotas(&quotas).await {
        Ok(kept) => kept,
        Err(e) => return results.set("pods", "error", json!(e)),
    };
    pod_rounds(c, &ns, &spec, &pods, &bindings, &saved, n, results).await;
    if let Err(e) = restore_quotas(&quotas, kept).await {
        results.set("pods", "error", json!(e));
    }
}

/// Sets every count and resource in the namespace's quotas far above what
/// the samples use; returns each quota's hard limits as they were.
async fn widen_quotas(quotas: &Api<ResourceQuota>) -> Result<Vec<(String, Value)>, String> {
    let list = quotas.list(&ListParams::default()).await.map_err(|e| format!("listing the quotas: {e}"))?;
    let mut kept = Vec::new();
    for q in list.items {
        let name = q.name_any();
        let hard = q.spec.and_then(|s| s.hard).unwrap_or_default();
        let wide: serde_json::Map<String, Value> = hard
            .keys()
            .map(|k| {
                let v = if k.contains("memory") || k.contains("storage") { "1Pi" } else { "100000" };
                (k.clone(), json!(v))
            })
            .collect();
        kept.push((name.clone(), json!(hard)));
        quotas
            .patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"hard": wide}})))
            .await
            .map_err(|e| format!("widening quota {name}: {e}"))?;
    }
    Ok(kept)
}

/// Puts back the hard limits [`widen_quotas`] kept.
async fn restore_quotas(quotas: &Api<ResourceQuota>, kept: Vec<(String, Value)>) -> Result<(), String> {
    for (name, hard) in kept {
        quotas
            .patch(&name, &PatchParams::default(), &Patch::Merge(json!({"spec": {"hard": hard}})))
            .await
            .map_err(|e| format!("restoring quota {name}: {e}"))?;
    }
    Ok(())
}

/// The sample rounds of [`pod_latency`].
#[allow(clippy::too_many_arguments)]
async fn pod_rounds(
    c: &Client,
    ns: &str,
    spec: &Value,
    pods: &Api<DynamicObject>,
    bindings: &Api<DynamicObject>,
    saved: &[Value],
    n: usize,
    results: &mut Results,
) {
    let mut with: Vec<f64> = Vec::new();
    let mut without: Vec<f64> = Vec::new();
    let (mut dry_with, mut dry_without): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    // The API server's time in the policies over the dry runs with them bound.
    let mut in_policies = (0.0, 0.0);
    // Warm connections and caches.
    if let Err(e) = create_pods(pods, ns, spec, "bench-warm", 3).await {
        return results.set("pods", "error", json!(e));
    }
    let per_round = n.div_ceil(4).max(1);
    for (round, on) in [true, false, false, true].into_iter().enumerate() {
        // Bind or unbind, then wait until the API server enforces accordingly.
        for b in saved {
            let name = b["metadata"]["name"].as_str().unwrap_or_default();
            let r = if on {
                ssa(c, b, "govcloud-bench").await
            } else {
                bindings.delete(name, &DeleteParams::default()).await.map(|_| ()).or_else(|e| {
                    if matches!(&e, kube::Error::Api(s) if s.code == 404) { Ok(()) } else { Err(e.to_string()) }
                })
            };
            if let Err(e) = r {
                return results.set(
                    "pods",
                    "error",
                    json!(format!("{} binding {name}: {e}", if on { "restoring" } else { "removing" })),
                );
            }
        }
        let switched = time_until(Duration::from_secs(30), Duration::from_millis(100), || async {
            policies_enforced(pods, spec).await == on
        })
        .await;
        if switched.is_none() {
            return results.set(
                "pods",
                "error",
                json!(format!("the policies were {} still after 30 s", if on { "not enforced" } else { "enforced" })),
            );
        }
        let before = policy_time(c).await;
        let dry = dry_run_pods(pods, ns, spec, DRY_RUNS_PER_ROUND).await;
        if let (true, Some((s0, n0)), Some((s1, n1))) = (on, before, policy_time(c).await) {
            in_policies.0 += s1 - s0;
            in_policies.1 += n1 - n0;
        }
        match dry {
            Ok(v) if on => dry_with.extend(v),
            Ok(v) => dry_without.extend(v),
            Err(e) => return results.set("pods", "error", json!(e)),
        }
        let prefix = format!("bench-{}-{round}", if on { "with" } else { "without" });
        match create_pods(pods, ns, spec, &prefix, per_round).await {
            Ok(v) if on => with.extend(v),
            Ok(v) => without.extend(v),
            Err(e) => return results.set("pods", "error", json!(e)),
        }
    }
    with.sort_by(f64::total_cmp);
    without.sort_by(f64::total_cmp);
    dry_with.sort_by(f64::total_cmp);
    dry_without.sort_by(f64::total_cmp);
    {
        let ms = |v: &[f64], p: f64| percentile(v, p).map(|s| s * 1000.0);
        let added = |p: f64| Some(ms(&dry_with, p)? - ms(&dry_without, p)?);
        results.set("pods", "dry_run_n", json!(dry_with.len()));
        results.set("pods", "dry_run_with_ms", json!({"p50": ms(&dry_with, 0.5), "p99": ms(&dry_with, 0.99)}));
        results.set("pods", "dry_run_without_ms", json!({"p50": ms(&dry_without, 0.5), "p99": ms(&dry_without, 0.99)}));
        results.set("pods", "dry_run_added_ms", json!({"p50": added(0.5), "p99": added(0.99)}));
        // Mean over every CREATE the API server admitted meanwhile (the
        // dry runs, and the few creates of others while they ran).
        let in_policies_ms = (in_policies.1 > 0.0).then(|| in_policies.0 / in_policies.1 * 1000.0);
        results.set("pods", "dry_run_in_policies_ms", json!(in_policies_ms));
        eprintln!(
            "[bench] pods (dry run): the API server's time in the validating policies {:.3} ms a create",
            in_policies_ms.unwrap_or(f64::NAN)
        );
        eprintln!(
            "[bench] pods (dry run): p50/p99 with {:.2}/{:.2} ms, without {:.2}/{:.2} ms",
            ms(&dry_with, 0.5).unwrap_or(f64::NAN),
            ms(&dry_with, 0.99).unwrap_or(f64::NAN),
            ms(&dry_without, 0.5).unwrap_or(f64::NAN),
            ms(&dry_without, 0.99).unwrap_or(f64::NAN),
        );
    }
    results.set("pods", "n", json!(with.len()));
    results.set("pods", "bindings", json!(saved.len()));
    let ms = |v: &[f64], p: f64| percentile(v, p).map(|s| s * 1000.0);
    results.set("pods", "with_policies_ms", json!({"p50": ms(&with, 0.5), "p99": ms(&with, 0.99)}));
    results.set("pods", "without_policies_ms", json!({"p50": ms(&without, 0.5), "p99": ms(&without, 0.99)}));
    let overhead = |p: f64| Some((percentile(&with, p)? / percentile(&without, p)? - 1.0) * 100.0);
    results.set("pods", "overhead_percent", json!({"p50": overhead(0.5), "p99": overhead(0.99)}));
    eprintln!(
        "[bench] pods: p50/p99 with {:.1}/{:.1} ms, without {:.1}/{:.1} ms ({} bindings toggled)",
        ms(&with, 0.5).unwrap_or(f64::NAN),
        ms(&with, 0.99).unwrap_or(f64::NAN),
        ms(&without, 0.5).unwrap_or(f64::NAN),
        ms(&without, 0.99).unwrap_or(f64::NAN),
        saved.len()
    );
}

// === results ===

struct Results(serde_json::Map<String, Value>);

impl Results {
    fn set(&mut self, section: &str, key: &str, v: Value) {
        let s = self.0.entry(section.to_string()).or_insert_with(|| json!({}));
        if let Some(m) = s.as_object_mut() {
            m.insert(key.to_string(), v);
        }
    }
    fn get(&self, path: &str) -> &Value {
        self.0
            .get(path.split('/').next().unwrap_or_default())
            .and_then(|s| s.pointer(&format!("/{}", path.split_once('/').map(|(_, k)| k).unwrap_or_default())))
            .unwrap_or(&Value::Null)
    }
    fn write(&self, path: &Path) {
        if let Ok(text) = serde_json::to_string_pretty(&self.0) {
            let _ = std::fs::write(path, text + "\n");
        }
    }

    fn f(&self, path: &str) -> Option<f64> {
        self.get(path).as_f64()
    }

    /// The Markdown table.
    fn table(&self) -> String {
        let secs = |v: Option<f64>| v.map_or("—".to_string(), |s| format!("{s:.1} s"));
        let ms = |v: Option<f64>| v.map_or("—".to_string(), |s| format!("{s:.1} ms"));
        let counts = |v: &Value| {
            let m = v.as_object().cloned().unwrap_or_default();
            if m.is_empty() {
                "none".to_string()
            } else {
                m.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
            }
        };
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut row = |k: &str, v: String| rows.push((k.to_string(), v));
        row("model", self.get("model/summary").as_str().unwrap_or_default().to_string());
        row("floor: apply (one client, SSA)", secs(self.f("floor/apply_seconds")));
        row("floor: every Deployment available", secs(self.f("floor/seconds")));
        row("operator: model applied", secs(self.f("operator/apply_seconds")));
        let op = self.f("operator/seconds");
        let ready = self.get("operator/ready");
        row(
            "operator: everything Ready",
            match op {
                Some(s) => format!("{s:.1} s"),
                None => format!(
                    "not within {:.0} s (ready: zones {}, tenants {}, apps {})",
                    self.f("operator/progress/seconds").unwrap_or(0.0),
                    ready["zones"],
                    ready["tenants"],
                    ready["apps"]
                ),
            },
        );
        row(
            "ratio operator/floor",
            match (op, self.f("floor/seconds")) {
                (Some(o), Some(f)) if f > 0.0 => format!("{:.2}", o / f),
                _ => "—".into(),
            },
        );
        let per = |kind: &str, n: Option<u64>| {
            let r = self.get("convergence/reconciles")[kind].as_u64().unwrap_or(0);
            match n {
                Some(n) if n > 0 => format!("{kind} {r} ({:.1}/object)", r as f64 / n as f64),
                _ => format!("{kind} {r}"),
            }
        };
        let n = |k: &str| self.get(&format!("model/{k}")).as_u64();
        row(
            "reconciles during convergence",
            [per("NetworkZone", n("zones")), per("Tenant", n("tenants")), per("DepartmentApp", n("apps"))].join(", "),
        );
        row(
            "status refreshes during convergence (counts recomputed, nothing applied)",
            counts(self.get("convergence/status_refreshes")),
        );
        row(
            "plans of the model during convergence",
            self.get("convergence/metrics")["govcloud_model_renders_total"]
                .as_f64()
                .map_or("—".into(), |n| format!("{n:.0}")),
        );
        row("API requests during convergence (operator)", counts(self.get("convergence/requests")));
        row("writes during convergence", self.get("convergence/writes").to_string());
        if let Some(settle) = self.f("settle/seconds") {
            let w = self.get("settle/writes");
            row(
                "settle after Ready (until 15 s without a write)",
                format!(
                    "{settle:.0} s, {w} writes{}",
                    if w.as_u64().unwrap_or(0) > 0 {
                        format!(" ({})", counts(self.get("settle/writes_by_resource")))
                    } else {
                        String::new()
                    }
                ),
            );
        }
        let idle_s = self.get("idle/seconds").as_u64();
        row(&format!("reconciles when idle ({} s)", idle_s.unwrap_or(0)), counts(self.get("idle/reconciles")));
        row("API requests when idle (operator)", counts(self.get("idle/requests")));
        let idle_w = self.get("idle/writes");
        row(
            "writes when idle",
            if idle_w.as_u64().unwrap_or(0) > 0 {
                format!("{idle_w} ({})", counts(self.get("idle/writes_by_resource")))
            } else {
                idle_w.to_string()
            },
        );
        row("operator peak RSS", self.f("operator/peak_rss_mib").map_or("—".into(), |m| format!("{m:.1} MiB")));
        row(
            "operator CPU",
            format!(
                "{} convergence, {} idle",
                self.f("operator/cpu_seconds_convergence").map_or("—".into(), |s| format!("{s:.1} s")),
                self.f("idle/cpu_seconds").map_or("—".into(), |s| format!("{s:.1} s"))
            ),
        );
        row(
            &format!("drift repair p50 / p99 ({} edits)", self.get("drift/n").as_u64().unwrap_or(0)),
            format!(
                "{} / {}",
                ms(self.f("drift/p50_seconds").map(|s| s * 1000.0)),
                ms(self.f("drift/p99_seconds").map(|s| s * 1000.0))
            ),
        );
        row(
            &format!("pod create p50 / p99 with policies ({} pods)", self.get("pods/n").as_u64().unwrap_or(0)),
            format!("{} / {}", ms(self.f("pods/with_policies_ms/p50")), ms(self.f("pods/with_policies_ms/p99"))),
        );
        row(
            "pod create p50 / p99 without",
            format!("{} / {}", ms(self.f("pods/without_policies_ms/p50")), ms(self.f("pods/without_policies_ms/p99"))),
        );
        row(
            &format!(
                "pod dry-run create p50 / p99 with / without policies ({} each)",
                self.get("pods/dry_run_n").as_u64().unwrap_or(0)
            ),
            format!(
                "{} / {} vs {} / {}",
                ms(self.f("pods/dry_run_with_ms/p50")),
                ms(self.f("pods/dry_run_with_ms/p99")),
                ms(self.f("pods/dry_run_without_ms/p50")),
                ms(self.f("pods/dry_run_without_ms/p99"))
            ),
        );
        row(
            "the API server's time in the validating policies, a pod create (mean)",
            ms(self.f("pods/dry_run_in_policies_ms")),
        );
        row(
            "admission overhead p50 / p99",
            match (self.f("pods/overhead_percent/p50"), self.f("pods/overhead_percent/p99")) {
                (Some(a), Some(b)) => format!("{a:+.0} % / {b:+.0} %"),
                _ => "—".into(),
            },
        );
        row(
            &format!(
                "change to current Report: bad RoleBinding / its deletion (resync {} s)",
                self.get("operator/resync_seconds")
            ),
            {
                let one = |k: &str| match self.f(k) {
                    Some(s) => format!("{s:.1} s"),
                    None => match self.get("report/timeout_seconds").as_u64() {
                        Some(t) => format!("not within {t} s"),
                        None => "—".into(),
                    },
                };
                format!("{} / {}", one("report/seconds"), one("report/cleared_seconds"))
            },
        );
        let mut s = String::from("| what | measured |\n|---|---|\n");
        for (k, v) in rows {
            s.push_str(&format!("| {k} | {v} |\n"));
        }
        s
    }
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|t| {
        t.lines().find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_string()))
    });
    let mem = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        t.lines().find_map(|l| l.strip_prefix("MemTotal:")?.split_whitespace().next()?.parse::<u64>().ok())
    });
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let kernel =
        Command::new("uname").arg("-r").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    json!({"cpu": cpu, "cores": cores, "memory_gib": mem.map(|k| (k as f64 / 1024.0 / 1024.0).round()), "kernel": kernel})
}

async fn run(args: Args) -> Result<(), String> {
    let repo = repo();
    let out = if args.out.is_absolute() { args.out.clone() } else { repo.join(&args.out) };
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let plan = plan(&args, &repo, &out)?;
    let loaded = govcloud::model::load_paths(&plan.model_paths)
        .map_err(|ps| ps.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))?;
    let model = loaded.model;
    let rendered = render::render(&model);
    if !rendered.problems.is_empty() {
        return Err(format!(
            "the {} model does not render cleanly: {}",
            plan.name,
            rendered.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ")
        ));
    }
    let pods: i64 = rendered
        .objects
        .iter()
        .filter_map(|o| if let Owned::Deployment(d) = o { d.spec.as_ref()?.replicas.map(i64::from) } else { None })
        .sum();
    let summary = format!(
        "{}: {} zones, {} tenants, {} namespaces, {} apps, {} pods, {} objects; flows {} granted, {} pending, {} refused",
        plan.name,
        model.zones.len(),
        model.tenants.len(),
        rendered.objects.iter().filter(|o| o.kind() == "Namespace").count(),
        model.apps.len(),
        pods,
        rendered.objects.len() + render::render_platform().len(),
        rendered.flows_in(FlowState::Granted),
        rendered.flows_in(FlowState::Pending),
        rendered.flows_in(FlowState::Refused)
    );
    eprintln!("[bench] {summary}");
    let stamp = Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
    let out_json = out.join(format!("{}-{stamp}.json", plan.name));
    let mut results = Results(serde_json::Map::new());
    results.set("run", "preset", json!(plan.name));
    results.set("run", "started", json!(Timestamp::now().to_string()));
    results.set("run", "machine", machine());
    results.set("run", "command", json!(std::env::args().collect::<Vec<_>>().join(" ")));
    results.set("run", "controller_qps", json!(args.controller_qps));
    results.set("run", "nodes", json!({"per_zone": plan.nodes_per_zone, "pods": plan.node_pods, "cpu": plan.node_cpu, "memory": plan.node_memory}));
    results.set("model", "summary", json!(summary));
    results.set("model", "paths", json!(plan.model_paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()));
    results.set("model", "zones", json!(model.zones.len()));
    results.set("model", "tenants", json!(model.tenants.len()));
    results.set("model", "apps", json!(model.apps.len()));
    results.set("model", "pods", json!(pods));
    results.set("model", "objects", json!(rendered.counts().into_iter().collect::<BTreeMap<_, _>>()));
    results.write(&out_json);

    let status = Command::new(repo.join("testenv/build.sh")).status().map_err(|e| format!("testenv/build.sh: {e}"))?;
    if !status.success() {
        return Err("testenv/build.sh failed".into());
    }
    // One state folder per phase, so both phases' logs stay for a look afterwards.
    let dir = out.join(plan.name);
    if !args.skip_floor {
        floor(&plan, &args, &dir.join("floor"), &model, &rendered, &mut results).await?;
        results.write(&out_json);
    }
    let res = operator_phase(&plan, &args, &dir.join("operator"), &model, &rendered, &mut results, &out_json).await;
    results.set("run", "finished", json!(Timestamp::now().to_string()));
    if let Err(e) = &res {
        results.set("run", "error", json!(e));
    }
    results.write(&out_json);
    let _ = std::fs::copy(&out_json, out.join(format!("{}-latest.json", plan.name)));
    println!("\n{}", results.table());
    println!("JSON: {}", out_json.display());
    res
}

async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

fn main() {
    let args = Args::parse();
    KEEP.store(args.keep, std::sync::atomic::Ordering::Relaxed);
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let code = rt.block_on(async {
        tokio::select! {
            r = run(args) => match r {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("[bench] failed: {e}");
                    1
                }
            },
            // Dropping `run` stops the operator and the control plane (their Drop).
            _ = shutdown_signal() => {
                eprintln!("[bench] interrupted; stopping what the bench started");
                130
            }
        }
    });
    drop(rt);
    std::process::exit(code);
}
