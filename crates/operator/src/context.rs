//! The controllers' shared state ([`Context`]): the caches, the client, the
//! recorder, the metrics; the plan of the model, single-flight and cached
//! per model version; Events; and the failure backoff ([`Retries`]).

use govcloud_core::messages::Code;
use govcloud_core::msg;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::{ConfigMap, Node};
use kube::runtime::events::Recorder;
use kube::runtime::reflector::Store;
use kube::{Client, Resource};
use tracing::{info, warn};

use super::apply::{ApplyReport, InFlight};
use super::cache::OwnedCaches;
use super::metrics::Metrics;
use super::triggers;
use govcloud_core::api::{DepartmentApp, NetworkZone, ResourceRequest, Tenant};
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_core::model::Model;
use govcloud_render::{self as render, Rendered};

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
    /// Departments' requests in scope.
    pub requests: Store<ResourceRequest>,
    /// Nodes.
    pub nodes: Store<Node>,
    /// ConfigMaps, each as its name and the digest of its data
    /// ([`super::watch::slim_config_map`]).
    pub config_maps: Store<ConfigMap>,
    /// Owned objects, by kind.
    pub owned: OwnedCaches,
    /// Recently applied objects.
    pub inflight: Arc<InFlight>,
    /// Event recorder.
    pub recorder: Recorder,
    /// Scope labels added to owned objects.
    pub scope: Vec<(String, String)>,
    /// Counters.
    pub metrics: Metrics,
    /// Period of the full resync.
    pub resync: Duration,
    /// When conditional sharing requests must be answered.
    pub deadline: crate::deadline::Deadline,
    /// How long a decided ResourceRequest is kept before the operator removes it.
    pub request_retention: Duration,
    /// The cluster's pod and service ranges, put in every model.
    pub cluster_cidrs: Vec<String>,
    /// The cluster this operator materialises ([`Model::cluster`]).
    pub cluster: Option<String>,
    /// The routing of changes, and the model version.
    pub(crate) triggers: triggers::Triggers,
    /// The latest plan, with the model version it holds at least.
    pub(super) render_cache: PlanCache<Plan>,
    /// The status each object was last written with, and the lock under
    /// which its status is computed and written.
    pub(crate) written: super::status::Written,
    /// The flows by state of the last plan let go ([`Context::forget_idle_plan`]),
    /// for the gauges.
    pub(super) idle_flows: Mutex<Vec<(String, u64)>>,
    /// The admission verdicts on apps, kept across plans and compliance
    /// audits (the model changes an object at a time).
    pub(crate) verdicts: render::Verdicts,
    /// Failures in a row per object (the backoff of the error policies).
    pub(crate) retries: Retries,
    /// Which failures were logged lately ([`FailureLog`]).
    pub(crate) failure_log: FailureLog,
    /// Single-flight plans; when the last one started.
    pub(super) render_lock: tokio::sync::Mutex<Option<tokio::time::Instant>>,
    /// The audited objects the report loop's watches keep.
    pub(crate) audited: super::inventory::Inventory,
    /// Whether the cluster serves ClusterNetworkPolicy, and its watch.
    pub(crate) admin_tier: super::admin_tier::AdminTier,
    /// Where the API server listens (its watched EndpointSlices, and the
    /// addresses given): the model's `api_server`.
    pub api_server: super::api_server::ApiServer,
}

/// See [`Context::resynced`].
pub(super) fn resynced(
    resync: std::time::Duration,
    wake: Option<std::time::Duration>,
) -> kube::runtime::controller::Action {
    use kube::runtime::controller::Action;
    wake.filter(|w| *w < resync).map_or_else(Action::await_change, Action::requeue)
}

/// Reconciles every zone, tenant, app and request once every `resync`
/// (the first a resync after the start, which reconciles them all
/// itself), together: one plan of the model serves them all and is let go
/// once idle.
pub(super) async fn resync_every(triggers: &super::triggers::Triggers, resync: std::time::Duration) {
    let mut every = tokio::time::interval_at(tokio::time::Instant::now() + resync, resync);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        triggers.reconcile_all();
    }
}

/// The shortest time between two plans of the model (see [`Context::plan_for`]).
pub const PLAN_INTERVAL: Duration = Duration::from_millis(500);

/// Whether a model copy keeps the tenants' and apps' statuses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Statuses {
    Kept,
    LeftOut,
}

impl Context {
    /// Publishes an Event on `obj`; a failure to publish is logged, never fatal.
    pub async fn publish<K: Resource<DynamicType = ()>>(
        &self,
        obj: &K,
        type_: kube::runtime::events::EventType,
        reason: Code,
        action: &str,
        note: String,
    ) {
        let ev = kube::runtime::events::Event {
            type_,
            reason: reason.as_str().into(),
            note: Some(note),
            action: action.into(),
            secondary: None,
        };
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
            let related = k8s_openapi::api::core::v1::ObjectReference {
                kind: Some(kind),
                namespace,
                name: Some(name),
                ..Default::default()
            };
            let ev = kube::runtime::events::Event {
                type_: kube::runtime::events::EventType::Warning,
                reason: Code::Repaired.as_str().into(),
                note: Some(msg!(Code::Restored, r).to_string()),
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
        if super::status::conflict_is_new(previous, message) {
            self.publish(
                obj,
                kube::runtime::events::EventType::Warning,
                Code::Conflict,
                "Reconcile",
                message.to_string(),
            )
            .await;
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
                let note =
                    msg!(Code::AppliedCounts, created.to_string(), updated.to_string(), pruned.to_string()).to_string();
                self.publish(obj, kube::runtime::events::EventType::Normal, Code::Applied, "Reconcile", note).await;
            }
        }
        conflict
    }

    /// The cluster that hosts zone `zone`, when the zone is declared and it
    /// is not this one (see [`Model::cluster`]), as people read it.
    pub fn hosted_elsewhere(&self, zone: &str) -> Option<String> {
        let z = self.zones.get(&kube::runtime::reflector::ObjectRef::new(zone))?;
        (!govcloud_core::model::hosted_by(&z, self.cluster.as_deref()))
            .then(|| render::cluster_label(z.spec.cluster.as_deref()))
    }

    /// The model as the caches hold it now, without objects being deleted,
    /// with the tenants as granted now (declared plus approved requests in
    /// effect: [`render::grant_requests`]).
    pub fn model(&self) -> Model {
        self.model_with(Statuses::Kept)
    }

    /// [`Context::model`], the tenants' and apps' statuses kept or left out.
    fn model_with(&self, statuses: Statuses) -> Model {
        let live = |m: &kube::api::ObjectMeta| m.deletion_timestamp.is_none();
        let kept = statuses == Statuses::Kept;
        let tenant = |t: &Tenant| Tenant {
            metadata: t.metadata.clone(),
            spec: t.spec.clone(),
            status: if kept { t.status.clone() } else { None },
        };
        let app = |a: &DepartmentApp| DepartmentApp {
            metadata: a.metadata.clone(),
            spec: a.spec.clone(),
            status: if kept { a.status.clone() } else { None },
        };
        let mut model = Model {
            zones: self.zones.state().iter().map(|z| (**z).clone()).collect(),
            tenants: self.tenants.state().iter().filter(|t| live(&t.metadata)).map(|t| tenant(t)).collect(),
            apps: self.apps.state().iter().filter(|a| live(&a.metadata)).map(|a| app(a)).collect(),
            requests: self.requests.state().iter().filter(|r| live(&r.metadata)).map(|r| (**r).clone()).collect(),
            cluster_cidrs: self.cluster_cidrs.clone(),
            api_server: self.api_server.addresses(),
            cluster: self.cluster.clone(),
            config_map_digests: Default::default(),
            admin_tier: self.admin_tier.served(),
        };
        model.config_map_digests = self.config_map_digests(&model.apps);
        render::grant_requests(&mut model, k8s_openapi::jiff::Timestamp::now());
        model
    }

    /// The digests of the ConfigMaps `apps` read, as the ConfigMap cache holds
    /// them (one missing there is absent from the map).
    fn config_map_digests(&self, apps: &[DepartmentApp]) -> std::collections::BTreeMap<String, String> {
        use kube::ResourceExt;
        let mut out = std::collections::BTreeMap::new();
        for a in apps {
            let ns = a.namespace().unwrap_or_default();
            for name in a.spec.config_maps() {
                let at = kube::runtime::reflector::ObjectRef::new(name).within(&ns);
                if let Some(d) = self.config_maps.get(&at).as_deref().and_then(triggers::digest_of) {
                    out.insert(govcloud_core::model::config_map_key(&ns, name), d.to_string());
                }
            }
        }
        out
    }

    /// The plan of the model as fresh as a reconcile of `kind`
    /// `namespace/name` needs it: the cached one when it is at least as new
    /// as the change that sent the reconcile, else a new one. Plans are
    /// single-flight, and a burst of changes costs one plan for all the
    /// reconciles it sends, not one each.
    pub async fn plan_for(&self, kind: OwnerKind, namespace: &str, name: &str) -> Arc<Plan> {
        let need = self.triggers.needed_version(kind.as_str(), namespace, name);
        if let Some(r) = self.render_cache.fresh(need) {
            return r;
        }
        let mut last_plan = self.render_lock.lock().await;
        if let Some(r) = self.render_cache.fresh(need) {
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
        // Planning reads no tenant's or app's status (`render`'s test
        // `a_plan_reads_no_tenant_or_app_status`): the plan's copy of the
        // model leaves them out (at a province's size about 6 MiB of the
        // copy's 15, held as long as the plan).
        let model = self.model_with(Statuses::LeftOut);
        let r = Arc::new(Plan::attach_to_cart(Arc::new(model), |model| render::plan(model, &self.verdicts)));
        self.metrics.rendered();
        self.render_cache.put(version, r.clone());
        r
    }

    /// The flows of the latest plan by state (lowercase), for the gauges:
    /// of the plan kept, else of the last one let go.
    pub(super) fn flows_by_state(&self) -> Vec<(String, u64)> {
        match self.render_cache.latest() {
            Some(plan) => flows_by_state(&plan),
            None => self.idle_flows.lock().map(|f| f.clone()).unwrap_or_default(),
        }
    }

    /// What a reconcile that went through asks of the controller: to be
    /// woken at `wake` when that comes before the next resync (an answer
    /// falling due, a surge ending), else nothing. The resync reconciles
    /// every zone, tenant, app and request together ([`resync_every`]),
    /// not each object one resync after its own last reconcile: those
    /// came one after another all the time at a province's size (about 10
    /// a second), and each served the plan of the model, so that it was
    /// never let go at rest (at x10 the heap fell 119.0 → 106.4 MiB when
    /// it went, in the cluster bench's idle window).
    pub(super) fn resynced(&self, wake: Option<std::time::Duration>) -> kube::runtime::controller::Action {
        resynced(self.resync, wake)
    }

    /// Lets go of the latest plan once no reconcile has needed a newer one
    /// for [`PLAN_KEPT`] and none holds it (at rest it is the model's copy);
    /// whether it did.
    pub(super) fn forget_idle_plan(&self) -> bool {
        let Some(plan) = self.render_cache.take_idle(PLAN_KEPT, std::time::Instant::now()) else { return false };
        if let Ok(mut f) = self.idle_flows.lock() {
            *f = flows_by_state(&plan);
        }
        true
    }

    /// Forgets the written statuses of objects no longer in the caches.
    pub(super) fn forget_gone_statuses(&self) {
        use govcloud_core::meta::kinds::OwnerKind;
        use kube::runtime::reflector::ObjectRef;
        self.written.retain(|kind, ns, name| {
            if kind == OwnerKind::DepartmentApp.as_str() {
                self.apps.get(&ObjectRef::new(name).within(ns)).is_some()
            } else if kind == OwnerKind::Tenant.as_str() {
                self.tenants.get(&ObjectRef::new(name)).is_some()
            } else if kind == OwnerKind::NetworkZone.as_str() {
                self.zones.get(&ObjectRef::new(name)).is_some()
            } else {
                true
            }
        });
    }
}

/// The flows of `plan` by state (lowercase).
fn flows_by_state(plan: &Plan) -> Vec<(String, u64)> {
    use govcloud_core::api::FlowState;
    [FlowState::Granted, FlowState::Pending, FlowState::Refused]
        .into_iter()
        .map(|state| {
            let n = plan.get().flows.iter().filter(|f| f.state == state).count();
            (state.as_str().to_lowercase(), n as u64)
        })
        .collect()
}

impl Context {
    /// What the reconcile of `kind` `namespace/name` reads of the model's
    /// rendering: its own objects, rendered now from a fresh enough plan, and
    /// the flows and problems that concern it.
    pub async fn rendered_for(&self, kind: OwnerKind, namespace: &str, name: &str) -> Rendered {
        self.plan_for(kind, namespace, name).await.get().owner(kind, namespace, name)
    }
}

/// A plan of the model, with the model it borrows from.
pub type Plan = yoke::Yoke<render::Planned<'static>, Arc<Model>>;

/// How often one kind of failure is logged: when many objects fail alike (an
/// admission policy the API server cannot configure yet after a restart,
/// every write refused the same way), one line per window says so and how
/// many were not logged, instead of a line per object and retry. Failures
/// are still counted, per object, in the metrics.
pub(crate) const FAILURE_LOG_WINDOW: Duration = Duration::from_secs(10);

/// The failures logged recently, by their shape ([`failure_shape`]): when
/// each shape was last logged and how many alike were left out since.
#[derive(Default)]
pub(crate) struct FailureLog(Mutex<std::collections::HashMap<String, (std::time::Instant, u64)>>);

impl FailureLog {
    /// Whether to log a failure of this shape now; if so, how many alike were
    /// left out since the last line.
    pub(crate) fn admit(&self, shape: String) -> Option<u64> {
        let Ok(mut m) = self.0.lock() else { return Some(0) };
        if m.len() > 10_000 {
            m.retain(|_, (t, _)| t.elapsed() < FAILURE_LOG_WINDOW);
        }
        match m.get_mut(&shape) {
            Some((t, left_out)) if t.elapsed() < FAILURE_LOG_WINDOW => {
                *left_out += 1;
                None
            }
            Some((t, left_out)) => {
                let n = *left_out;
                (*t, *left_out) = (std::time::Instant::now(), 0);
                Some(n)
            }
            None => {
                m.insert(shape, (std::time::Instant::now(), 0));
                Some(0)
            }
        }
    }
}

/// A failure's shape: its kind and error with quoted names and numbers
/// blanked, so that the same refusal of different objects is one shape.
pub(crate) fn failure_shape(kind: &str, error: &str) -> String {
    let mut out = String::with_capacity(error.len().min(400) + kind.len() + 1);
    out.push_str(kind);
    out.push(' ');
    let mut quoted = false;
    for c in error.chars().take(400) {
        match c {
            '"' => {
                quoted = !quoted;
                out.push('"');
            }
            _ if quoted => {}
            '0'..='9' => {
                if !out.ends_with('#') {
                    out.push('#');
                }
            }
            _ => out.push(c),
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

mod plan_cache;
pub(crate) use plan_cache::{PLAN_KEPT, PlanCache};

#[cfg(test)]
mod tests;
