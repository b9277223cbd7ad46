//! `govcloud run`: the watches and their caches, leader election, and each
//! term as leader ([`lead`]: the platform roles, the three controllers, the
//! status refreshes and the compliance reports), until a shutdown signal.

use std::sync::Arc;
use std::time::Duration;

use std::future::Future;

use futures::future::BoxFuture;
use futures::{FutureExt, Stream, StreamExt};
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, DynamicObject};
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector::Store;
use kube::runtime::watcher::{self, Config as WatchConfig, watcher};
use kube::runtime::{Controller, WatchStreamExt};
use kube::{Client, ResourceExt};
use tracing::{info, warn};

use super::cache::{self, OwnedCaches, OwnedKind};
use super::context::{Context, Retries};
use super::controller::{self, Reconciled};
use super::error::{SelectorError, StartError, WrongCluster};
use super::leader::{self, LeaderElection};
use super::metrics::{self, Metrics};
use super::triggers::{self, Triggers};
use super::watch::{OwnedEvents, slim, spawn_reflector, watch_config_maps};
use super::{apply, install};
use govcloud_core::api::{DepartmentApp, NetworkZone, ResourceRequest, Tenant};
use govcloud_core::meta::labels::{MANAGED_BY, MANAGER};
use govcloud_core::model::Model;

/// Why an operator for `cluster` must not start here: the workloads it
/// finds (their zone labels, `running`) are of zones another cluster hosts,
/// so it would remove them. `None` when they all belong here.
pub fn wrong_cluster(zones: &[NetworkZone], running: &[String], cluster: Option<&str>) -> Option<WrongCluster> {
    let mut stranded: Vec<(String, Option<String>)> = zones
        .iter()
        .filter(|z| !govcloud_core::model::hosted_by(z, cluster) && running.contains(&z.name_any()))
        .map(|z| (z.name_any(), z.spec.cluster.clone()))
        .collect();
    stranded.sort();
    let (zone, host) = stranded.into_iter().next()?;
    Some(WrongCluster { zone, host, cluster: cluster.map(str::to_string) })
}

/// A warning when the zones declared name clusters, none of them this one
/// (a mistyped `--cluster`, or the model not yet applied here in full): the
/// operator then runs nothing but declaration namespaces.
pub fn hosts_nothing(zones: &[NetworkZone], cluster: Option<&str>) -> Option<String> {
    if zones.is_empty() || zones.iter().any(|z| govcloud_core::model::hosted_by(z, cluster)) {
        return None;
    }
    let mut named: Vec<String> =
        zones.iter().map(|z| govcloud_render::cluster_label(z.spec.cluster.as_deref())).collect();
    named.sort();
    named.dedup();
    Some(format!(
        "no NetworkZone is hosted by {}: the zones name {}; nothing will run here but declaration namespaces. Check --cluster",
        govcloud_render::cluster_label(cluster),
        named.join(", ")
    ))
}

/// Periodic resync of every object (costs cache reads only when nothing changed).
pub const RESYNC: Duration = Duration::from_secs(300);

/// Options of `govcloud run`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Manage only govcloud resources matching this equality label selector
    /// (`key=value,...`); the labels are also put on every owned object.
    pub selector: Option<String>,
    /// Address for `/metrics`, `/healthz` and `/readyz`; `None` disables it.
    pub metrics_address: Option<String>,
    /// Period of the full resync; [`RESYNC`] when `None`.
    pub resync: Option<Duration>,
    /// Where compliance reports go; `None` turns them off.
    pub reports: Option<govcloud_audit::output::ReportApi>,
    /// The cluster's pod and service ranges; [`govcloud_core::model::DEFAULT_CLUSTER_CIDRS`] when `None`.
    pub cluster_cidrs: Option<Vec<String>>,
    /// The API server's addresses besides those its EndpointSlices give
    /// (`--api-server`): excepted from egress ranges alike.
    pub api_server: Vec<String>,
    /// The cluster this operator materialises: the zones whose `spec.cluster`
    /// is this name (`None`: the zones that name no cluster).
    pub cluster: Option<String>,
    /// Leader election; `None`: this replica always leads (one replica, or tests).
    pub leader: Option<Leader>,
    /// Where the metrics go (the client's request counter may share it).
    pub metrics: Option<Metrics>,
    /// How long a decided ResourceRequest is kept for the record before the
    /// operator removes it; [`REQUEST_RETENTION`] when `None`.
    pub request_retention: Option<Duration>,
    /// When conditional sharing requests must be answered; 10 working days
    /// with no holidays when `None`.
    pub answer_deadline: Option<crate::deadline::Deadline>,
}

/// How long decided ResourceRequests are kept by default: a year, twice the
/// six months the Cybersecurity Law (网络安全法 第二十一条) asks for logs;
/// their Events and the API server's audit log keep the record beyond.
pub const REQUEST_RETENTION: Duration = Duration::from_secs(365 * 24 * 3600);

/// Leader election settings and the client it uses (its requests must time
/// out within [`LeaderElection::request_timeout`]).
#[derive(Clone)]
pub struct Leader {
    /// The election.
    pub election: LeaderElection,
    /// Client with short timeouts.
    pub client: Client,
}

impl std::fmt::Debug for Leader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leader").field("election", &self.election).finish_non_exhaustive()
    }
}

/// Parses an equality label selector (`a=b,c=d`) into pairs.
pub fn parse_selector(s: &str) -> std::result::Result<Vec<(String, String)>, SelectorError> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !k.contains('!') => {
                Ok((k.trim().to_string(), v.trim().trim_start_matches('=').to_string()))
            }
            _ => Err(SelectorError { selector: s.to_string(), pair: p.to_string() }),
        })
        .collect()
}

/// Runs the operator until a shutdown signal.
pub async fn run(client: Client, opts: Options) -> std::result::Result<(), StartError> {
    let scope = match &opts.selector {
        Some(s) => parse_selector(s)?,
        None => vec![],
    };
    let scope_sel = scope.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
    let primary_cfg =
        || if scope_sel.is_empty() { crate::watch::config() } else { crate::watch::config().labels(&scope_sel) };
    let owned_sel = if scope_sel.is_empty() {
        format!("{MANAGED_BY}={MANAGER}")
    } else {
        format!("{MANAGED_BY}={MANAGER},{scope_sel}")
    };

    let triggers = triggers::Triggers::new();
    let inflight = Arc::new(apply::InFlight::default());
    // Made before the watches, which report their caches' sync to /readyz.
    let metrics = opts.metrics.clone().unwrap_or_default();
    metrics.set_leader(false);
    // Served from the start: alive while the caches fill, ready once they are.
    if let Some(addr) = &opts.metrics_address {
        metrics::serve(addr.clone(), metrics.clone())
            .await
            .map_err(|source| StartError::MetricsAddress { address: addr.clone(), source })?;
    }
    // Status writes (the operator's own, mostly) change nothing others depend
    // on, nor need a reconcile: only spec, creation, deletion and finalizer
    // changes go anywhere.
    let zones = watch_primary::<NetworkZone>(&client, primary_cfg(), &metrics, &triggers);
    let tenants = watch_primary::<Tenant>(&client, primary_cfg(), &metrics, &triggers);
    let apps = watch_primary::<DepartmentApp>(&client, primary_cfg(), &metrics, &triggers);
    // Every event of a request (its decision and expiry are in its status) may change what its tenant is granted.
    let t = triggers.clone();
    let requests =
        spawn_reflector(Api::<ResourceRequest>::all(client.clone()), primary_cfg(), &metrics, move |r, deleted| {
            <ResourceRequest as Reconciled>::model_changed(&t, r, deleted)
        });
    let t = triggers.clone();
    let nodes =
        spawn_reflector(Api::<Node>::all(client.clone()), crate::watch::config(), &metrics, move |n, deleted| {
            t.node_changed(n, deleted)
        });
    let mut owned = OwnedCaches::default();
    for owned_kind in govcloud_core::meta::kinds::always_served() {
        let (kind, namespaced, ar) = (owned_kind.kind, owned_kind.namespaced, owned_kind.api_resource());
        // The cache keeps each object compact (`cache::Kept`) and indexes it
        // by owner; the events carry it whole to the echo filter and the triggers.
        let mut writer = cache::KeptWriter::new();
        let store = writer.as_reader();
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
        let stream = watcher(api, crate::watch::config().labels(&owned_sel))
            .backoff(crate::watch::backoff())
            .modify(move |o| slim(kind, o));
        let events = OwnedEvents {
            kind: kind.to_string(),
            inflight: inflight.clone(),
            triggers: triggers.clone(),
            metrics: metrics.clone(),
        };
        tokio::spawn(async move {
            stream
                .for_each(|ev| {
                    if let Ok(e) = &ev {
                        writer.event(e);
                    }
                    events.on(&ev);
                    futures::future::ready(())
                })
                .await;
        });
        owned.kinds.insert(kind.to_string(), OwnedKind { resource: ar, namespaced, store });
    }
    for s in owned.kinds.values() {
        s.store.wait_until_ready().await;
    }
    // ClusterNetworkPolicy: cached and watched only while the cluster serves it.
    let events = OwnedEvents {
        kind: <govcloud_core::meta::cluster_policy::ClusterNetworkPolicy as k8s_openapi::Resource>::KIND.to_string(),
        inflight: inflight.clone(),
        triggers: triggers.clone(),
        metrics: metrics.clone(),
    };
    let admin_tier = super::admin_tier::AdminTier::start(&client, &owned_sel, &mut owned, events).await?;
    zones.wait_until_ready().await?;
    tenants.wait_until_ready().await?;
    apps.wait_until_ready().await?;
    requests.wait_until_ready().await?;
    nodes.wait_until_ready().await?;
    // Started with the wrong --cluster, the operator would remove the
    // workloads of the zones this cluster runs: it refuses instead.
    {
        let zones_now: Vec<NetworkZone> = zones.state().iter().map(|z| (**z).clone()).collect();
        let running = govcloud_core::api::WorkloadKind::ALL
            .iter()
            .filter_map(|k| owned.kinds.get(k.as_str()))
            .flat_map(|d| d.store.state())
            .filter_map(|o| o.label(govcloud_core::meta::labels::ZONE).map(str::to_string))
            .collect::<Vec<_>>();
        if let Some(wrong) = wrong_cluster(&zones_now, &running, opts.cluster.as_deref()) {
            return Err(wrong.into());
        }
        if let Some(message) = hosts_nothing(&zones_now, opts.cluster.as_deref()) {
            warn!("{message}");
        }
    }
    triggers.attach(zones.clone(), tenants.clone(), apps.clone(), requests.clone());
    // After the apps' cache: a ConfigMap wakes the apps that read it. Before
    // the controllers: a plan reads every digest from the start.
    let config_maps = watch_config_maps(&client, &metrics, &triggers);
    config_maps.wait_until_ready().await?;
    // Where the API server listens: its addresses are excepted from egress.
    let api_server = super::api_server::ApiServer::watch(&client, &metrics, &triggers, opts.api_server.clone());
    api_server.wait().await;

    let reporter = Reporter { controller: "govcloud".into(), instance: std::env::var("POD_NAME").ok() };
    let ctx = Arc::new(Context {
        client: client.clone(),
        zones,
        tenants,
        apps,
        requests,
        nodes,
        config_maps,
        owned,
        inflight,
        recorder: Recorder::new(client.clone(), reporter),
        scope,
        metrics,
        resync: opts.resync.unwrap_or(RESYNC),
        request_retention: opts.request_retention.unwrap_or(REQUEST_RETENTION),
        deadline: opts.answer_deadline.clone().unwrap_or_default(),
        cluster_cidrs: opts.cluster_cidrs.unwrap_or_else(|| Model::default().cluster_cidrs),
        cluster: opts.cluster.clone(),
        triggers: triggers.clone(),
        render_cache: Default::default(),
        written: Default::default(),
        idle_flows: Default::default(),
        verdicts: Default::default(),
        retries: Retries::default(),
        failure_log: Default::default(),
        render_lock: tokio::sync::Mutex::new(None),
        audited: Default::default(),
        admin_tier,
        api_server,
    });
    super::wakeups::follow_admin_tier(&ctx);
    info!(scope = %scope_sel, "govcloud operator started");
    let weak = Arc::downgrade(&ctx);
    ctx.metrics.set_collector(Box::new(move || weak.upgrade().map(|ctx| gauges(&ctx)).unwrap_or_default()));
    ctx.metrics.set_ready();
    if opts.reports.is_some() {
        super::wakeups::watch_audited(&ctx);
    }

    // SIGTERM or Ctrl-C: stop taking work, let what runs finish (bounded),
    // then give the lease back.
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        info!("shutdown requested: finishing the reconciles in flight");
        stop_tx.send_replace(true);
    });
    let (leading_tx, mut leading) = tokio::sync::watch::channel(opts.leader.is_none());
    let (release_tx, release) = tokio::sync::watch::channel(false);
    // Without an election the sender is kept, so this replica leads until shutdown.
    let _always = opts.leader.is_none().then(|| leading_tx.clone());
    let election = opts.leader.map(|l| {
        info!(lease = %l.election.lease, namespace = %l.election.namespace, identity = %l.election.identity, "leader election: waiting for the lease");
        tokio::spawn(leader::elect(l.client, client.clone(), l.election, leading_tx.clone(), release))
    });

    // Kept open without an election too: a closed channel would end every term at once.
    let _leading_tx = leading_tx;
    let mut stop_wait = stop.clone();
    loop {
        tokio::select! {
            // The election ended (it only does on shutdown): nothing more to lead.
            l = leading.wait_for(|l| *l) => if l.is_err() { break },
            _ = stop_wait.wait_for(|s| *s) => break,
        }
        if *stop.borrow() {
            break;
        }
        ctx.metrics.set_leader(true);
        let term = lead(ctx.clone(), opts.reports, scope_sel.clone(), stop.clone());
        let finished = tokio::select! {
            _ = term => true,
            // Lost (without an election, `leading` is never false: the sender stays).
            _ = leading.wait_for(|l| !*l) => false,
            // Shutdown: the reconciles in flight have SHUTDOWN_GRACE to finish.
            _ = async { let _ = stop.clone().wait_for(|s| *s).await; tokio::time::sleep(SHUTDOWN_GRACE).await } => {
                warn!(grace = ?SHUTDOWN_GRACE, "shutdown: reconciles still running after the grace period are abandoned");
                true
            }
        };
        ctx.metrics.set_leader(false);
        if finished {
            break;
        }
        // The term's future is dropped: its reconciles stop at their next step.
        warn!("leader election: the lease is lost; stopped reconciling and writing");
    }
    release_tx.send_replace(true);
    if let Some(e) = election {
        let _ = tokio::time::timeout(Duration::from_secs(10), e).await;
    }
    info!("govcloud operator stopped");
    Ok(())
}

/// The gauges computed when `/metrics` is scraped: queue depth, managed
/// objects by kind (cache sizes), flows by state (latest rendering).
fn gauges(ctx: &Context) -> metrics::Scraped {
    let mut out = metrics::Scraped::default();
    for (kind, n) in ctx.triggers.queued() {
        out.queue_depth.push((kind.to_string(), n));
    }
    for (kind, k) in &ctx.owned.kinds {
        out.managed_objects.push((kind.clone(), k.store.len() as u64));
    }
    out.flows = ctx.flows_by_state();
    out
}

/// How often the controllers' thread looks whether a release came
/// ([`super::memory::settle`]).
const SETTLE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Lets go of the latest plan of the model once idle, checked every half
/// [`PLAN_KEPT`](super::context::PLAN_KEPT), and gives the memory back; and
/// forgets the written statuses of objects that are gone.
async fn forget_idle_plans(ctx: Arc<Context>) {
    loop {
        tokio::time::sleep(super::context::PLAN_KEPT / 2).await;
        ctx.forget_gone_statuses();
        if ctx.forget_idle_plan() {
            super::memory::release();
        }
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How long in-flight reconciles may run after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// SIGTERM (what the kubelet sends) or Ctrl-C.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                warn!(error = %e, "cannot listen for SIGTERM");
                futures::future::pending::<()>().await
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

/// One term as leader: the platform roles, the three controllers and the
/// compliance reports, until `stop` (the controllers then finish what they
/// run) or until the future is dropped (the lease was lost).
async fn lead(
    ctx: Arc<Context>,
    reports: Option<govcloud_audit::output::ReportApi>,
    scope_sel: String,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    // The platform roles, applied by each new leader (tried again until they are).
    let mut delay = Duration::from_secs(1);
    while let Err(e) = install::apply_platform(&ctx.client).await {
        warn!(error = %e, "cannot apply the platform roles; trying again");
        let mut s = stop.clone();
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = s.wait_for(|s| *s) => return,
        }
        delay = (delay * 2).min(Duration::from_secs(30));
    }
    let stopped = |s: &tokio::sync::watch::Receiver<bool>| {
        let mut s = s.clone();
        async move {
            let _ = s.wait_for(|s| *s).await;
        }
    };
    let cfg = kube::runtime::controller::Config::default().concurrency(4);
    let zone_ctrl = run_controller::<NetworkZone>(&ctx, cfg.clone(), stopped(&stop));
    let tenant_ctrl = run_controller::<Tenant>(&ctx, cfg.clone(), stopped(&stop));
    let app_ctrl = run_controller::<DepartmentApp>(&ctx, cfg.clone(), stopped(&stop));
    let request_ctrl = run_controller::<ResourceRequest>(&ctx, cfg, stopped(&stop));
    // What changed while this replica followed is not known: everything once.
    ctx.triggers.reconcile_all();
    // The reports on a task of their own (an audit is long and synchronous:
    // it must not hold up the controllers), stopped on shutdown and when
    // this term ends, whichever way.
    let reports =
        reports.map(|api| AbortOnDrop(tokio::spawn(super::report_loop::report_loop(ctx.clone(), api, scope_sel))));
    // Status refreshes beside the controllers, ended the same ways.
    let statuses = AbortOnDrop(tokio::spawn(refresh_statuses(ctx.clone())));
    // The plan let go once idle (see `Context::forget_idle_plan`).
    let plans = AbortOnDrop(tokio::spawn(forget_idle_plans(ctx.clone())));
    // Every object reconciled again each resync, together (`Context::resynced`).
    let resyncs = {
        let ctx = ctx.clone();
        AbortOnDrop(tokio::spawn(async move { super::context::resync_every(&ctx.triggers, ctx.resync).await }))
    };
    let stop_reports = async {
        stopped(&stop).await;
        drop(reports);
        drop(statuses);
        drop(plans);
        drop(resyncs);
    };
    // The controllers run on the thread that polls this term (the
    // runtime's `block_on`), which the runtime's idle hook does not reach:
    // it gives back what it holds free after a peak here, every few seconds.
    let settle = async {
        let mut every = tokio::time::interval(SETTLE_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => super::memory::settle(),
                () = stopped(&stop) => break,
            }
        }
    };
    tokio::join!(zone_ctrl, tenant_ctrl, app_ctrl, request_ctrl, stop_reports, settle);
}

/// The controller of kind `K`: reconciles as the triggers ask (its cache is
/// watched once, in [`run`]), four at a time, until `stop`.
fn run_controller<K: Reconciled>(
    ctx: &Arc<Context>,
    cfg: kube::runtime::controller::Config,
    stop: impl Future<Output = ()> + Send + Sync + 'static,
) -> impl Future<Output = ()> {
    Controller::for_stream(futures::stream::pending::<std::result::Result<K, watcher::Error>>(), K::store(ctx).clone())
        .with_config(cfg)
        .reconcile_on(K::requests(&ctx.triggers))
        .graceful_shutdown_on(stop)
        .run(controller::reconcile::<K>, controller::error_policy::<K>, ctx.clone())
        .for_each(|_| futures::future::ready(()))
}

/// Watches the objects of kind `K` in scope: a change of the model goes to
/// the triggers (whoever reads the object looks again), a change of the
/// object's own spec, finalizers or deletion queues its reconcile.
fn watch_primary<K: Reconciled>(client: &Client, cfg: WatchConfig, metrics: &Metrics, triggers: &Triggers) -> Store<K> {
    let t = triggers.clone();
    spawn_reflector(Api::<K>::all(client.clone()), cfg, metrics, move |o, deleted| {
        let (model, me) = t.observe(o, deleted);
        t.status_read(o, K::evaluated(o), deleted);
        if model {
            K::model_changed(&t, o, deleted)
        }
        if me {
            K::queue(&t, o)
        }
    })
}

/// The status refreshes of kind `K` as the triggers ask for them, each a
/// future; a failed one is logged and counted.
fn status_refreshes<K: Reconciled>(ctx: &Arc<Context>) -> impl Stream<Item = BoxFuture<'static, ()>> + Send + 'static {
    let ctx = ctx.clone();
    K::status_requests(&ctx.triggers).map(move |r| {
        let ctx = ctx.clone();
        async move {
            let Some(obj) = K::store(&ctx).get(&r) else { return };
            if let Err(e) = K::refresh_status(obj, ctx.clone()).await {
                ctx.metrics.failed(K::KIND, e.metric_label());
                warn!(error = %e, kind = K::KIND, "status refresh failed");
            }
        }
        .boxed()
    })
}

/// Status refreshes as the triggers ask for them (counts that changed:
/// nothing to apply, so not reconciles), four at a time, until the term
/// ends. A failed one is logged and counted; the next change or the resync
/// refreshes it again.
async fn refresh_statuses(ctx: Arc<Context>) {
    let refreshes = futures::stream::select(
        status_refreshes::<NetworkZone>(&ctx),
        futures::stream::select(status_refreshes::<Tenant>(&ctx), status_refreshes::<DepartmentApp>(&ctx)),
    );
    refreshes.for_each_concurrent(4, |refresh| refresh).await;
}

#[cfg(test)]
mod tests;
