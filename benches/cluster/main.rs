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

#[path = "../../tests/support/offline.rs"]
#[allow(dead_code)]
mod offline;

mod audit_log;
mod city;
mod drift;
mod floor;
mod phase;
mod plane;
mod pods;
mod process;
mod results;

use audit_log::*;
use city::*;
use drift::*;
use floor::*;
use phase::*;
use plane::*;
use pods::*;
use process::*;
use results::*;

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
