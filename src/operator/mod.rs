//! The operator: `govcloud run`.
//!
//! ```text
//!   watches (reflector caches) ──► triggers ──► Controller<NetworkZone | Tenant | DepartmentApp>
//!                                                   │ reconcile: model from caches
//!                                                   ▼
//!                      render (pure, cached per model version) ──► apply (SSA, skip unchanged, prune)
//!                                                   │
//!                                                   ▼
//!                                       status + events (only on change)
//! ```
//!
//! Every decision comes from [`crate::render`]; this module only reads caches,
//! writes what differs, and reports.

mod app;
mod apply;
mod cache;
mod controller;
mod error;
pub mod install;
pub mod leader;
pub mod memory;
mod metrics;
mod report;
mod status;
mod tenant;
mod triggers;
pub use triggers::STATUS_REFRESH;
mod zone;

pub use apply::ApplyReport;
pub use error::{Error, Halt, Result, StartError, Step, Wait};
pub use leader::LeaderElection;
pub use metrics::{CountRequests, Metrics};
pub use report::{live_audit, live_inventory};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher::{self, Config as WatchConfig};
use kube::runtime::{Controller, WatchStreamExt};
use kube::{Client, Resource, ResourceExt};
use tracing::{info, warn};

use crate::api::{DepartmentApp, NetworkZone, Tenant};
use crate::meta::labels::{MANAGED_BY, MANAGER};
use crate::model::Model;
use crate::render::{self, Rendered};
use cache::{OwnedCaches, OwnedKind, api_resource};

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
    pub reports: Option<crate::audit::output::ReportApi>,
    /// The cluster's pod and service ranges; [`crate::model::DEFAULT_CLUSTER_CIDRS`] when `None`.
    pub cluster_cidrs: Option<Vec<String>>,
    /// Leader election; `None`: this replica always leads (one replica, or tests).
    pub leader: Option<Leader>,
    /// Where the metrics go (the client's request counter may share it).
    pub metrics: Option<Metrics>,
}

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

/// Shared state of the controllers.
pub struct Context {
    /// Client acting as the operator's identity.
    pub client: Client,
    /// Zones in scope.
    pub zones: Store<NetworkZone>,
    /// Tenants in scope.
    pub tenants: Store<Tenant>,
    /// Apps in scope.
    pub apps: Store<DepartmentApp>,
    /// Nodes.
    pub nodes: Store<Node>,
    /// Owned objects, by kind.
    pub owned: OwnedCaches,
    /// Recently applied objects.
    pub inflight: Arc<apply::InFlight>,
    /// Event recorder.
    pub recorder: Recorder,
    /// Scope labels added to owned objects.
    pub scope: Vec<(String, String)>,
    /// Counters.
    pub metrics: Metrics,
    /// Period of the full resync.
    pub resync: Duration,
    /// The cluster's pod and service ranges, put in every model.
    pub cluster_cidrs: Vec<String>,
    /// The routing of changes, and the model version.
    pub(crate) triggers: triggers::Triggers,
    render_cache: Mutex<Option<(u64, Arc<Plan>)>>,
    /// Failures in a row per object (the backoff of the error policies).
    pub(crate) retries: Retries,
    /// Single-flight plans; when the last one started.
    render_lock: tokio::sync::Mutex<Option<tokio::time::Instant>>,
}

/// The shortest time between two plans of the model (see [`Context::plan_for`]).
pub const PLAN_INTERVAL: Duration = Duration::from_millis(500);

impl Context {
    /// Publishes an Event on `obj`; a failure to publish is logged, never fatal.
    pub async fn publish<K: Resource<DynamicType = ()>>(&self, obj: &K, type_: kube::runtime::events::EventType, reason: &str, action: &str, note: String) {
        let ev = kube::runtime::events::Event { type_, reason: reason.into(), note: Some(note), action: action.into(), secondary: None };
        if let Err(e) = self.recorder.publish(&ev, &obj.object_ref(&())).await {
            warn!(error = %e, "cannot publish event");
        }
    }

    /// Publishes one Warning `Repaired` Event on `obj` per object repaired
    /// (`Kind/namespace/name (how)`, as [`ApplyReport::repaired`] lists them),
    /// naming it as the Event's related object: Events are grouped by
    /// regarding and related object, so a second repair of another object of
    /// the same owner is an Event of its own, not a count on the first.
    pub async fn publish_repaired<K: Resource<DynamicType = ()>>(&self, obj: &K, repaired: &[String]) {
        for r in repaired {
            let id = r.split(" (").next().unwrap_or(r);
            let parts: Vec<&str> = id.split('/').collect();
            let (kind, namespace, name) = match parts.as_slice() {
                [k, ns, n] => (k.to_string(), Some(ns.to_string()), n.to_string()),
                [k, n] => (k.to_string(), None, n.to_string()),
                _ => (String::new(), None, id.to_string()),
            };
            let related = k8s_openapi::api::core::v1::ObjectReference { kind: Some(kind), namespace, name: Some(name), ..Default::default() };
            let ev = kube::runtime::events::Event {
                type_: kube::runtime::events::EventType::Warning,
                reason: "Repaired".into(),
                note: Some(format!("restored {r}")),
                action: "Reconcile".into(),
                secondary: Some(related),
            };
            if let Err(e) = self.recorder.publish(&ev, &obj.object_ref(&())).await {
                warn!(error = %e, "cannot publish event");
            }
        }
    }

    /// Publishes a Warning `Conflict` Event on `obj` with `message`, unless its
    /// `Degraded` condition (in `previous`) already says so.
    pub async fn announce_conflict<K: Resource<DynamicType = ()>>(
        &self,
        obj: &K,
        previous: &[k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition],
        message: &str,
    ) {
        if status::conflict_is_new(previous, message) {
            self.publish(obj, kube::runtime::events::EventType::Warning, "Conflict", "Reconcile", message.to_string()).await;
        }
    }

    /// Says what an apply of `obj`'s objects did: counts its writes, an
    /// Event per object repaired, a Warning on a new conflict (`previous`:
    /// `obj`'s conditions now), a log line on writes and, with
    /// `applied_event`, an `Applied` Event. The conflict message, if any.
    pub async fn announce_applied<K: Resource<DynamicType = ()>>(
        &self,
        obj: &K,
        previous: &[k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition],
        report: &ApplyReport,
        applied_event: bool,
    ) -> Option<String> {
        self.metrics.record(report);
        if !report.repaired.is_empty() {
            self.publish_repaired(obj, &report.repaired).await;
        }
        let conflict = report.conflict_message();
        if let Some(m) = &conflict {
            self.announce_conflict(obj, previous, m).await;
        }
        let (created, updated, pruned) = (report.created.len(), report.updated.len(), report.pruned.len());
        if created + updated + pruned > 0 {
            info!(created, updated, pruned, "applied");
            if applied_event {
                let note = format!("{created} created, {updated} updated, {pruned} removed");
                self.publish(obj, kube::runtime::events::EventType::Normal, "Applied", "Reconcile", note).await;
            }
        }
        conflict
    }

    /// The model as the caches hold it now, without objects being deleted.
    pub fn model(&self) -> Model {
        let live = |m: &kube::api::ObjectMeta| m.deletion_timestamp.is_none();
        Model {
            zones: self.zones.state().iter().map(|z| (**z).clone()).collect(),
            tenants: self.tenants.state().iter().filter(|t| live(&t.metadata)).map(|t| (**t).clone()).collect(),
            apps: self.apps.state().iter().filter(|a| live(&a.metadata)).map(|a| (**a).clone()).collect(),
            cluster_cidrs: self.cluster_cidrs.clone(),
        }
    }

    /// The plan of the model as fresh as a reconcile of `kind`
    /// `namespace/name` needs it: the cached one when it is at least as new
    /// as the change that sent the reconcile, else a new one. Plans are
    /// single-flight, and a burst of changes costs one plan for all the
    /// reconciles it sends, not one each.
    pub async fn plan_for(&self, kind: &str, namespace: &str, name: &str) -> Arc<Plan> {
        let need = self.triggers.needed_version(kind, namespace, name);
        let fresh = |c: &Option<(u64, Arc<Plan>)>| c.as_ref().filter(|(v, _)| *v >= need).map(|(_, r)| r.clone());
        if let Some(r) = self.render_cache.lock().ok().and_then(|c| fresh(&c)) {
            return r;
        }
        let mut last_plan = self.render_lock.lock().await;
        if let Some(r) = self.render_cache.lock().ok().and_then(|c| fresh(&c)) {
            return r;
        }
        // While the model keeps changing (a province applying thousands of
        // apps), at most one plan per PLAN_INTERVAL: the reconciles that
        // wait meanwhile share the next plan, which holds every change so
        // far. A change after a quiet spell is planned at once.
        if let Some(at) = *last_plan {
            tokio::time::sleep_until(at + PLAN_INTERVAL).await;
        }
        *last_plan = Some(tokio::time::Instant::now());
        // The version is read before the caches: the plan holds at least that.
        let version = self.triggers.model_version();
        let r = Arc::new(Plan::attach_to_cart(Arc::new(self.model()), render::plan));
        self.metrics.rendered();
        if let Ok(mut cache) = self.render_cache.lock()
            && cache.as_ref().is_none_or(|(v, _)| *v <= version)
        {
            *cache = Some((version, r.clone()));
        }
        r
    }

    /// What the reconcile of `kind` `namespace/name` reads of the model's
    /// rendering: its own objects, rendered now from a fresh enough plan, and
    /// the flows and problems that concern it.
    pub async fn rendered_for(&self, kind: &str, namespace: &str, name: &str) -> Rendered {
        self.plan_for(kind, namespace, name).await.get().owner(kind, namespace, name)
    }
}

/// A plan of the model, with the model it borrows from.
pub type Plan = yoke::Yoke<render::Planned<'static>, Arc<Model>>;

/// Parses an equality label selector (`a=b,c=d`) into pairs.
pub fn parse_selector(s: &str) -> std::result::Result<Vec<(String, String)>, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !k.contains('!') => Ok((k.trim().to_string(), v.trim().trim_start_matches('=').to_string())),
            _ => Err(format!("selector {s:?}: only key=value pairs are supported, got {p:?}")),
        })
        .collect()
}

/// The admission policies that must hold even while the operator is down:
/// tenant deletion protection, and the policies generated from the control
/// catalogue (see [`crate::controls::admission`]).
pub fn admission_policies(operator_namespace: &str) -> Vec<serde_json::Value> {
    let mut out = vec![
        serde_json::json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": crate::meta::names::PREVENT_DELETION_POLICY, "labels": {MANAGED_BY: MANAGER}},
            "spec": {
                "failurePolicy": "Fail",
                "matchConstraints": {"resourceRules": [{"apiGroups": [crate::meta::GROUP], "apiVersions": ["*"], "operations": ["DELETE"], "resources": ["tenants"]}]},
                "validations": [{
                    "expression": "!has(oldObject.spec.preventDeletion) || !oldObject.spec.preventDeletion",
                    "messageExpression": "'tenant ' + oldObject.metadata.name + ' has spec.preventDeletion: true; set it to false before deleting the tenant'",
                    "reason": "Forbidden"
                }]
            }
        }),
        serde_json::json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": crate::meta::names::PREVENT_DELETION_POLICY, "labels": {MANAGED_BY: MANAGER}},
            "spec": {"policyName": crate::meta::names::PREVENT_DELETION_POLICY, "validationActions": ["Deny"]}
        }),
    ];
    out.extend(crate::controls::admission::static_objects(operator_namespace));
    out
}

/// How long [`install_crds`] waits for each CRD to be established.
pub const CRD_ESTABLISHED: Duration = Duration::from_secs(60);

/// Installs (server-side applies) the three CRDs and govcloud's admission
/// policies, and waits until the CRDs are served.
pub async fn install_crds(client: &Client, operator_namespace: &str) -> Result<()> {
    for p in admission_policies(operator_namespace) {
        let kind = p["kind"].as_str().unwrap_or_default();
        let ar = api_resource("admissionregistration.k8s.io", "v1", kind);
        let name = p["metadata"]["name"].as_str().unwrap_or_default().to_string();
        Api::<DynamicObject>::all_with(client.clone(), &ar).patch(&name, &PatchParams::apply(MANAGER).force(), &Patch::Apply(&p)).await?;
    }
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in crate::api::crds() {
        let name = crd.name_any();
        api.patch(&name, &PatchParams::apply(MANAGER).force(), &Patch::Apply(&crd)).await?;
    }
    for crd in crate::api::crds() {
        let name = crd.name_any();
        let cond = kube::runtime::wait::conditions::is_crd_established();
        tokio::time::timeout(CRD_ESTABLISHED, kube::runtime::wait::await_condition(api.clone(), &name, cond))
            .await
            .map_err(|_| Error::CrdTimeout { crd: name.clone(), after: CRD_ESTABLISHED })?
            .map_err(|source| Error::CrdWait { crd: name.clone(), source })?;
    }
    Ok(())
}

/// Applies the platform cluster roles when they differ from what is rendered.
async fn apply_platform(client: &Client) -> Result<()> {
    let ar = api_resource("rbac.authorization.k8s.io", "v1", "ClusterRole");
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    for o in render::render_platform() {
        let v = apply::desired_json(&o, None, &[])?;
        let current = api.get_opt(o.name()).await?;
        let same = current
            .map(|c| {
                serde_json::to_value(c).map(|j| {
                    crate::meta::compare::object_contains(&j, &v)
                        && j.pointer("/rules").map(|r| r.as_array().map(Vec::len)) == v.pointer("/rules").map(|r| r.as_array().map(Vec::len))
                })
            })
            .transpose()
            .map_err(|e| Error::serialize(o.id(), e))?
            .unwrap_or(false);
        if !same {
            api.patch(o.name(), &PatchParams::apply(MANAGER).force(), &Patch::Apply(&v)).await?;
        }
    }
    Ok(())
}

fn spawn_reflector<K>(api: Api<K>, cfg: WatchConfig, metrics: &Metrics, on_event: impl Fn(&K, bool) + Send + Sync + 'static) -> Store<K>
where
    K: Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + Sync + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone + Send + Sync,
{
    let (store, writer) = reflector::store();
    // Nothing reads the field ownership of these (often as large as the rest).
    let stream = reflector(writer, watcher(api, cfg).default_backoff().modify(|o: &mut K| o.meta_mut().managed_fields = None));
    let (metrics, watch_name) = (metrics.clone(), K::kind(&K::DynamicType::default()).to_string());
    tokio::spawn(async move {
        stream
            .for_each(|ev| {
                metrics.watch_event(&watch_name, &ev);
                match ev {
                    Ok(watcher::Event::Apply(o) | watcher::Event::InitApply(o)) => on_event(&o, false),
                    Ok(watcher::Event::Delete(o)) => on_event(&o, true),
                    Ok(_) => {}
                    Err(e) => warn!(error = %e, "watch error"),
                }
                futures::future::ready(())
            })
            .await;
    });
    store
}

use kube::runtime::{reflector::reflector, watcher::watcher};

/// What the owned-object caches keep of an object: everything but the
/// status (except where it is read) and the field ownership records (often the larger part of an object), except bare
/// marks (no field lists) of govcloud's own create-time entry, which apply
/// removes ([`apply::has_update_entry`]), and of others' entries on the
/// object's content: hand edits, repaired ([`apply::foreign_content_entry`]).
fn slim(kind: &str, o: &mut DynamicObject) {
    // Statuses are read of these only (see `triggers::fingerprint` and the
    // status of apps and tenants).
    if !matches!(kind, "Deployment" | "Namespace" | "ResourceQuota")
        && let Some(data) = o.data.as_object_mut()
    {
        data.remove("status");
    }
    if let Some(entries) = o.metadata.managed_fields.as_mut() {
        entries.retain(|e| {
            (e.manager.as_deref() == Some(MANAGER) && e.operation.as_deref() == Some("Update") && e.subresource.is_none()) || apply::foreign_content_entry(e)
        });
        for e in entries.iter_mut() {
            e.fields_v1 = None;
        }
    }
}

/// Runs the operator until a shutdown signal.
pub async fn run(client: Client, opts: Options) -> std::result::Result<(), StartError> {
    let scope = match &opts.selector {
        Some(s) => parse_selector(s).map_err(StartError::msg)?,
        None => vec![],
    };
    let scope_sel = scope.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
    let primary_cfg = || if scope_sel.is_empty() { WatchConfig::default() } else { WatchConfig::default().labels(&scope_sel) };
    let owned_sel = if scope_sel.is_empty() { format!("{MANAGED_BY}={MANAGER}") } else { format!("{MANAGED_BY}={MANAGER},{scope_sel}") };

    let triggers = triggers::Triggers::new();
    let inflight = Arc::new(apply::InFlight::default());
    // Made before the watches, which report their caches' sync to /readyz.
    let metrics = opts.metrics.clone().unwrap_or_default();
    metrics.set_leader(false);
    // Served from the start: alive while the caches fill, ready once they are.
    if let Some(addr) = &opts.metrics_address {
        metrics::serve(addr.clone(), metrics.clone()).await.map_err(|e| StartError::msg(format!("metrics address {addr}: {e}")))?;
    }
    let t = triggers.clone();
    // Status writes (the operator's own, mostly) change nothing others depend
    // on, nor need a reconcile: only spec, creation, deletion and finalizer
    // changes go anywhere.
    let zones = spawn_reflector(Api::<NetworkZone>::all(client.clone()), primary_cfg(), &metrics, move |z, deleted| {
        let (model, me) = t.observe(z, deleted);
        if model {
            t.zone_changed(z)
        }
        if me {
            t.reconcile_zone(z)
        }
    });
    let t = triggers.clone();
    let tenants = spawn_reflector(Api::<Tenant>::all(client.clone()), primary_cfg(), &metrics, move |x, deleted| {
        let (model, me) = t.observe(x, deleted);
        if model {
            t.tenant_changed(x)
        }
        if me {
            t.reconcile_tenant(x)
        }
    });
    let t = triggers.clone();
    let apps = spawn_reflector(Api::<DepartmentApp>::all(client.clone()), primary_cfg(), &metrics, move |a, deleted| {
        let (model, me) = t.observe(a, deleted);
        if model {
            t.app_changed(a, deleted)
        }
        if me {
            t.reconcile_app(a)
        }
    });
    let t = triggers.clone();
    let nodes = spawn_reflector(Api::<Node>::all(client.clone()), WatchConfig::default(), &metrics, move |n, deleted| t.node_changed(n, deleted));
    let mut owned = OwnedCaches::default();
    for owned_kind in crate::meta::kinds::OWNED {
        let (kind, namespaced, ar) = (owned_kind.kind, owned_kind.namespaced, owned_kind.api_resource());
        let writer = reflector::store::Writer::<DynamicObject>::new(ar.clone());
        let store = writer.as_reader();
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
        let stream = reflector(writer, watcher(api, WatchConfig::default().labels(&owned_sel)).default_backoff().modify(move |o| slim(kind, o)));
        let t = triggers.clone();
        let kind_name = kind.to_string();
        let index = owned.index.clone();
        let inflight = inflight.clone();
        let metrics = metrics.clone();
        tokio::spawn(async move {
            stream
                .for_each(|ev| {
                    use cache::IndexEvent;
                    metrics.watch_event(&kind_name, &ev);
                    match ev {
                        Ok(watcher::Event::Apply(o)) => {
                            index.event(&kind_name, IndexEvent::Apply(&o));
                            let echo = inflight.is_echo(&kind_name, &o, false);
                            t.owned_changed(&kind_name, &o, false, echo);
                        }
                        Ok(watcher::Event::Delete(o)) => {
                            index.event(&kind_name, IndexEvent::Delete(&o));
                            let echo = inflight.is_echo(&kind_name, &o, true);
                            t.owned_changed(&kind_name, &o, true, echo);
                        }
                        Ok(watcher::Event::Init) => index.event(&kind_name, IndexEvent::Init),
                        Ok(watcher::Event::InitApply(o)) => {
                            index.event(&kind_name, IndexEvent::InitApply(&o));
                            t.owned_listed(&kind_name, &o);
                        }
                        Ok(watcher::Event::InitDone) => index.event(&kind_name, IndexEvent::InitDone),
                        Err(e) => warn!(error = %e, kind = %kind_name, "watch error"),
                    }
                    futures::future::ready(())
                })
                .await;
        });
        owned.kinds.insert(kind.to_string(), OwnedKind { resource: ar, namespaced, store });
    }
    for s in owned.kinds.values() {
        s.store.wait_until_ready().await.map_err(|e| StartError::msg(e.to_string()))?;
    }
    zones.wait_until_ready().await.map_err(|e| StartError::msg(e.to_string()))?;
    tenants.wait_until_ready().await.map_err(|e| StartError::msg(e.to_string()))?;
    apps.wait_until_ready().await.map_err(|e| StartError::msg(e.to_string()))?;
    nodes.wait_until_ready().await.map_err(|e| StartError::msg(e.to_string()))?;
    triggers.attach(zones.clone(), tenants.clone(), apps.clone());

    let reporter = Reporter { controller: "govcloud".into(), instance: std::env::var("POD_NAME").ok() };
    let ctx = Arc::new(Context {
        client: client.clone(),
        zones,
        tenants,
        apps,
        nodes,
        owned,
        inflight,
        recorder: Recorder::new(client.clone(), reporter),
        scope,
        metrics,
        resync: opts.resync.unwrap_or(RESYNC),
        cluster_cidrs: opts.cluster_cidrs.unwrap_or_else(|| Model::default().cluster_cidrs),
        triggers: triggers.clone(),
        render_cache: Mutex::new(None),
        retries: Retries::default(),
        render_lock: tokio::sync::Mutex::new(None),
    });
    info!(scope = %scope_sel, "govcloud operator started");
    let weak = Arc::downgrade(&ctx);
    ctx.metrics.set_collector(Box::new(move || weak.upgrade().map(|ctx| gauges(&ctx)).unwrap_or_default()));
    ctx.metrics.set_ready();
    if opts.reports.is_some() {
        report::watch_audited(&ctx);
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
fn gauges(ctx: &Context) -> Vec<(&'static str, String, f64)> {
    let mut out = Vec::new();
    for (kind, n) in ctx.triggers.queued() {
        out.push(("govcloud_reconcile_queue_depth", format!("kind=\"{kind}\""), n as f64));
    }
    for (kind, k) in &ctx.owned.kinds {
        out.push(("govcloud_managed_objects", format!("kind=\"{kind}\""), k.store.state().len() as f64));
    }
    if let Some(plan) = ctx.render_cache.lock().ok().and_then(|c| c.as_ref().map(|(_, r)| r.clone())) {
        for state in [crate::api::FlowState::Granted, crate::api::FlowState::Pending, crate::api::FlowState::Refused] {
            let n = plan.get().flows.iter().filter(|f| f.state == state).count();
            out.push(("govcloud_flows", format!("state=\"{}\"", state.as_str().to_lowercase()), n as f64));
        }
    }
    out
}

/// Failures per object, for the wait before the next try: 5 s, doubling up
/// to 5 minutes while the failures follow each other; a failure long after
/// the last one starts again at 5 s. During an outage of the API server every
/// object fails: with the doubling, each logs a few lines, not one every 5 s.
#[derive(Default)]
pub(crate) struct Retries(Mutex<std::collections::HashMap<String, (u32, std::time::Instant)>>);

impl Retries {
    /// Records a failure of `kind` `namespace/name`; how long to wait, and
    /// which failure in a row this is (1 for the first).
    pub(crate) fn failed(&self, kind: &str, namespace: &str, name: &str) -> (Duration, u32) {
        let delay = |n: u32| Duration::from_secs(5).saturating_mul(1u32 << n.min(6)).min(Duration::from_secs(300));
        let Ok(mut m) = self.0.lock() else { return (delay(0), 1) };
        if m.len() > 100_000 {
            m.retain(|_, (n, t)| t.elapsed() < delay(*n) * 2);
        }
        let e = m.entry(format!("{kind}/{namespace}/{name}")).or_insert((0, std::time::Instant::now()));
        if e.0 > 0 && e.1.elapsed() > delay(e.0 - 1) * 2 + Duration::from_secs(10) {
            e.0 = 0;
        }
        e.0 += 1;
        e.1 = std::time::Instant::now();
        (delay(e.0 - 1), e.0)
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
async fn lead(ctx: Arc<Context>, reports: Option<crate::audit::output::ReportApi>, scope_sel: String, stop: tokio::sync::watch::Receiver<bool>) {
    // The platform roles, applied by each new leader (tried again until they are).
    let mut delay = Duration::from_secs(1);
    while let Err(e) = apply_platform(&ctx.client).await {
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
    let zone_ctrl = Controller::for_stream(futures::stream::pending::<std::result::Result<NetworkZone, watcher::Error>>(), ctx.zones.clone())
        .with_config(cfg.clone())
        .reconcile_on(ctx.triggers.zone_stream())
        .graceful_shutdown_on(stopped(&stop))
        .run(controller::reconcile::<NetworkZone>, controller::error_policy::<NetworkZone>, ctx.clone())
        .for_each(|_| futures::future::ready(()));
    let tenant_ctrl = Controller::for_stream(futures::stream::pending::<std::result::Result<Tenant, watcher::Error>>(), ctx.tenants.clone())
        .with_config(cfg.clone())
        .reconcile_on(ctx.triggers.tenant_stream())
        .graceful_shutdown_on(stopped(&stop))
        .run(controller::reconcile::<Tenant>, controller::error_policy::<Tenant>, ctx.clone())
        .for_each(|_| futures::future::ready(()));
    let app_ctrl = Controller::for_stream(futures::stream::pending::<std::result::Result<DepartmentApp, watcher::Error>>(), ctx.apps.clone())
        .with_config(cfg)
        .reconcile_on(ctx.triggers.app_stream())
        .graceful_shutdown_on(stopped(&stop))
        .run(controller::reconcile::<DepartmentApp>, controller::error_policy::<DepartmentApp>, ctx.clone())
        .for_each(|_| futures::future::ready(()));
    // What changed while this replica followed is not known: everything once.
    ctx.triggers.reconcile_all();
    // The reports on a task of their own (an audit is long and synchronous:
    // it must not hold up the controllers), stopped on shutdown and when
    // this term ends, whichever way.
    let reports = reports.map(|api| AbortOnDrop(tokio::spawn(report::report_loop(ctx.clone(), api, scope_sel))));
    // Status refreshes beside the controllers, ended the same ways.
    let statuses = AbortOnDrop(tokio::spawn(refresh_statuses(ctx.clone())));
    let stop_reports = async {
        stopped(&stop).await;
        drop(reports);
        drop(statuses);
    };
    tokio::join!(zone_ctrl, tenant_ctrl, app_ctrl, stop_reports);
}

/// Status refreshes as the triggers ask for them (counts that changed:
/// nothing to apply, so not reconciles), four at a time, until the term
/// ends. A failed one is logged and counted; the next change or the resync
/// refreshes it again.
async fn refresh_statuses(ctx: Arc<Context>) {
    use kube::runtime::reflector::ObjectRef;
    enum Ref {
        Zone(ObjectRef<NetworkZone>),
        Tenant(ObjectRef<Tenant>),
        App(ObjectRef<DepartmentApp>),
    }
    let t = &ctx.triggers;
    let refs = futures::stream::select(
        t.zone_status_stream().map(Ref::Zone),
        futures::stream::select(t.tenant_status_stream().map(Ref::Tenant), t.app_status_stream().map(Ref::App)),
    );
    refs.for_each_concurrent(4, |r| {
        let ctx = ctx.clone();
        async move {
            let (kind, result) = match r {
                Ref::Zone(r) => (
                    "NetworkZone",
                    match ctx.zones.get(&r) {
                        Some(z) => zone::refresh_status(z, ctx.clone()).await,
                        None => Ok(()),
                    },
                ),
                Ref::Tenant(r) => (
                    "Tenant",
                    match ctx.tenants.get(&r) {
                        Some(o) => tenant::refresh_status(o, ctx.clone()).await,
                        None => Ok(()),
                    },
                ),
                Ref::App(r) => (
                    "DepartmentApp",
                    match ctx.apps.get(&r) {
                        Some(o) => app::refresh_status(o, ctx.clone()).await,
                        None => Ok(()),
                    },
                ),
            };
            if let Err(e) = result {
                ctx.metrics.failed(kind, e.metric_label());
                warn!(error = %e, kind, "status refresh failed");
            }
        }
    })
    .await;
}

/// Server-side applies a model's zones, tenants and apps (with `labels`
/// added), retrying apps until their tenant namespaces exist.
pub async fn apply_model(client: &Client, model: &Model, labels: &[(String, String)], timeout: Duration) -> Result<()> {
    fn with_labels<K: serde::Serialize>(o: &K, labels: &[(String, String)]) -> Result<serde_json::Value> {
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
        Api::<NetworkZone>::all(client.clone()).patch(&z.name_any(), &pp, &Patch::Apply(with_labels(z, labels)?)).await?;
    }
    for t in &model.tenants {
        Api::<Tenant>::all(client.clone()).patch(&t.name_any(), &pp, &Patch::Apply(with_labels(t, labels)?)).await?;
    }
    let deadline = std::time::Instant::now() + timeout;
    let mut pending: Vec<&DepartmentApp> = model.apps.iter().collect();
    while !pending.is_empty() {
        let mut later = Vec::new();
        for a in pending {
            let api: Api<DepartmentApp> = Api::namespaced(client.clone(), &a.namespace().unwrap_or_default());
            match api.patch(&a.name_any(), &pp, &Patch::Apply(with_labels(a, labels)?)).await {
                Ok(_) => {}
                // The namespace is not there yet, or its quota's usage is not computed yet.
                Err(kube::Error::Api(s))
                    if (s.code == 404 || (s.code == 403 && s.message.contains("status unknown for quota"))) && std::time::Instant::now() < deadline =>
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
