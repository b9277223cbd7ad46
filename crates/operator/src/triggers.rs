//! What each change should re-reconcile: a zone change re-renders its
//! tenants and apps, an app change its callers and callees, an owned object's
//! change its owner, a node change the zones, a change of the cluster-scope
//! auditors every tenant (each tenant namespace binds them).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::Node;
use kube::ResourceExt;
use kube::api::DynamicObject;
use kube::runtime::reflector::{ObjectRef, Store};

use govcloud_core::api::{AuditScope, DepartmentApp, NetworkZone, OwnerRole, ResourceRequest, Tenant};
use govcloud_core::meta::labels::{OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE};

struct Stores {
    zones: Store<NetworkZone>,
    tenants: Store<Tenant>,
    apps: Store<DepartmentApp>,
    requests: Store<ResourceRequest>,
}

/// Reconcile requests of one kind, to one controller at a time: a replica
/// that stops leading drops its controllers (and their receiver); the next
/// term takes a new receiver ([`Channel::stream`]). Counts what is queued.
struct Channel<K: kube::Resource> {
    tx: std::sync::Mutex<UnboundedSender<ObjectRef<K>>>,
    rx: std::sync::Mutex<Option<UnboundedReceiver<ObjectRef<K>>>>,
    queued: Arc<AtomicU64>,
}

impl<K: kube::Resource<DynamicType = ()>> Channel<K> {
    fn new() -> Self {
        let (tx, rx) = unbounded();
        Channel {
            tx: std::sync::Mutex::new(tx),
            rx: std::sync::Mutex::new(Some(rx)),
            queued: Arc::new(AtomicU64::new(0)),
        }
    }
    fn send(&self, r: ObjectRef<K>) {
        // A closed channel means the controller stopped; nothing to do.
        if let Ok(tx) = self.tx.lock()
            && tx.unbounded_send(r).is_ok()
        {
            self.queued.fetch_add(1, Ordering::Relaxed);
        }
    }
    /// The requests from now on (and those queued before the first call).
    fn stream(&self) -> impl Stream<Item = ObjectRef<K>> + Send + 'static
    where
        K: 'static,
    {
        let rx = match self.rx.lock().ok().and_then(|mut g| g.take()) {
            Some(rx) => rx,
            None => {
                let (tx, rx) = unbounded();
                // What was queued for the previous controller is gone with it.
                self.queued.store(0, Ordering::Relaxed);
                if let Ok(mut old) = self.tx.lock() {
                    *old = tx;
                }
                rx
            }
        };
        let queued = self.queued.clone();
        rx.inspect(move |_| {
            let _ = queued.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| Some(n.saturating_sub(1)));
        })
    }
    fn queued(&self) -> u64 {
        self.queued.load(Ordering::Relaxed)
    }
}

/// Routes changes to the controllers that depend on them.
#[derive(Clone)]
pub struct Triggers(Arc<Inner>);

struct Inner {
    stores: OnceLock<Stores>,
    zones: Channel<NetworkZone>,
    tenants: Channel<Tenant>,
    apps: Channel<DepartmentApp>,
    requests: Channel<ResourceRequest>,
    /// Status refreshes (counts that changed, nothing to apply): not
    /// reconciles, see [`Triggers::refresh_later`].
    zone_status: Channel<NetworkZone>,
    tenant_status: Channel<Tenant>,
    app_status: Channel<DepartmentApp>,
    /// Auditors each tenant contributes to every tenant namespace (its
    /// auditors when `auditScope: cluster` and not being deleted), as last seen.
    cluster_auditors: Mutex<BTreeMap<String, Vec<String>>>,
    /// What each zone, tenant and app last looked like to the model: uid,
    /// generation (bumped by the API server on spec changes only) and whether
    /// it is being deleted. Status writes change none of these.
    seen: Mutex<HashMap<String, (ModelState, u64)>>,
    /// Bumped on every change to the declared model (not on status writes):
    /// the render cache is keyed by it.
    version: AtomicU64,
    /// Wakes the compliance reports when the model or the cluster changed.
    reports: tokio::sync::Notify,
    /// For each object sent to a controller: the model version its reconcile
    /// must see at least (the version when it was sent).
    needs: Mutex<HashMap<String, u64>>,
    /// Who calls whom, kept from the app events.
    graph: Mutex<AppGraph>,
    /// What each owned object and node last looked like to those who
    /// depend on it ([`fingerprint`]): an event that changes none of it
    /// (a status counter, a heartbeat, field ownership) wakes nobody.
    fingerprints: Mutex<HashMap<String, (u64, u64)>>,
    /// Tenants and zones with a status refresh scheduled (their counts
    /// changed): (kind, name).
    refresh_pending: Mutex<BTreeSet<(&'static str, String, String)>>,
    /// The zones each tenant named, as last seen.
    tenant_zones: Mutex<HashMap<String, BTreeSet<String>>>,
    /// The finalizers each zone, tenant and app last had: adding ours
    /// changes no spec, yet its reconcile waits for it.
    finalizers: Mutex<HashMap<String, Vec<String>>>,
    /// What the evaluation read of each zone's, tenant's and app's status
    /// (a fingerprint, [`super::Reconciled::evaluated`]).
    evaluated: Mutex<HashMap<String, u64>>,
}

/// What of an owned object (or a node) the operator reads: everything but
/// its resourceVersion, field ownership and status; then, apart, the parts
/// of the status that statuses report: a Deployment's ready and updated
/// replicas, a namespace's phase, a quota's counts, a node's readiness.
pub fn fingerprint(kind: &str, o: &DynamicObject) -> (u64, u64) {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let m = &o.metadata;
    (&m.uid, &m.labels, &m.annotations, &m.finalizers, m.deletion_timestamp.is_some(), m.generation).hash(&mut h);
    serde_json::to_string(&m.owner_references).unwrap_or_default().hash(&mut h);
    if let Some(data) = o.data.as_object() {
        for (k, v) in data.iter().filter(|(k, _)| k.as_str() != "status") {
            (k, v.to_string()).hash(&mut h);
        }
    }
    let mut st = std::collections::hash_map::DefaultHasher::new();
    let status = |p: &str| o.data.pointer(&format!("/status{p}")).map(|v| v.to_string()).unwrap_or_default();
    match kind {
        "Deployment" => (status("/readyReplicas"), status("/updatedReplicas")).hash(&mut st),
        "Namespace" => status("/phase").hash(&mut st),
        "ResourceQuota" => status("").hash(&mut st),
        "Node" => {
            let ready = o
                .data
                .pointer("/status/conditions")
                .and_then(|c| c.as_array())
                .and_then(|c| c.iter().find(|c| c["type"] == "Ready").map(|c| c["status"].to_string()));
            ready.hash(&mut st)
        }
        _ => {}
    }
    (h.finish(), st.finish())
}

/// What a watch event changed of what the operator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Nothing.
    None,
    /// Only the status parts it reports.
    Status,
    /// The object itself (or it was created or deleted).
    Object,
}

/// How long the counts in a tenant's or zone's status (quota usage, apps,
/// tenants) may lag behind: they change with every pod and app, so their
/// refreshes are gathered.
pub const STATUS_REFRESH: std::time::Duration = std::time::Duration::from_secs(5);

/// The call graph of the apps, as last seen, keyed by (namespace, name) and
/// (tenant, app name).
#[derive(Default)]
struct AppGraph {
    calls: HashMap<(String, String), Vec<(String, String)>>,
    callers: HashMap<(String, String), BTreeSet<(String, String)>>,
    by_name: HashMap<(String, String), BTreeSet<(String, String)>>,
    public: BTreeSet<(String, String)>,
    /// The zone each app is in, as last seen.
    zones: HashMap<(String, String), String>,
    /// A hash of each app's declared flows (calls and grants), as last seen.
    flows: HashMap<(String, String), u64>,
}

/// The tenant an app belongs to: its namespace is `<tenant>-<zone>`.
fn tenant_of(a: &DepartmentApp) -> String {
    a.namespace().and_then(|ns| ns.strip_suffix(&format!("-{}", a.spec.zone)).map(str::to_string)).unwrap_or_default()
}

/// Whether a Deployment has every replica updated and ready.
fn rolled_out(o: &DynamicObject) -> bool {
    let n = |p: &str| o.data.pointer(p).and_then(serde_json::Value::as_i64);
    let want = n("/spec/replicas").unwrap_or(1);
    n("/status/readyReplicas").unwrap_or(0) >= want && n("/status/updatedReplicas").unwrap_or(0) >= want
}

/// Whether a tenant is on its way out (its zones no longer count it).
fn deleted_or_gone(t: &Tenant) -> bool {
    t.metadata.deletion_timestamp.is_some()
}

/// What of an object the model depends on: uid, generation, being deleted.
type ModelState = (String, i64, bool);

fn object_key(kind: &str, namespace: &str, name: &str) -> String {
    format!("{kind}/{namespace}/{name}")
}

/// The auditors a tenant binds in every tenant namespace: its own when its
/// audit scope is the cluster and it is not being deleted.
pub fn cluster_auditors_of(t: &Tenant) -> Vec<String> {
    if t.spec.audit_scope != AuditScope::Cluster || t.metadata.deletion_timestamp.is_some() {
        return Vec::new();
    }
    let mut a: Vec<String> = t
        .spec
        .owners
        .iter()
        .filter(|o| o.role == OwnerRole::Auditor)
        .map(|o| format!("{}/{}", o.kind.as_str(), o.name))
        .collect();
    a.sort();
    a.dedup();
    a
}

impl Triggers {
    /// New triggers; [`Triggers::attach`] gives them the caches once ready.
    pub fn new() -> Self {
        Triggers(Arc::new(Inner {
            stores: OnceLock::new(),
            zones: Channel::new(),
            tenants: Channel::new(),
            apps: Channel::new(),
            requests: Channel::new(),
            zone_status: Channel::new(),
            tenant_status: Channel::new(),
            app_status: Channel::new(),
            cluster_auditors: Mutex::new(BTreeMap::new()),
            seen: Mutex::new(HashMap::new()),
            version: AtomicU64::new(0),
            reports: tokio::sync::Notify::new(),
            needs: Mutex::new(HashMap::new()),
            graph: Mutex::new(AppGraph::default()),
            fingerprints: Mutex::new(HashMap::new()),
            refresh_pending: Mutex::new(BTreeSet::new()),
            tenant_zones: Mutex::new(HashMap::new()),
            finalizers: Mutex::new(HashMap::new()),
            evaluated: Mutex::new(HashMap::new()),
        }))
    }

    /// The model's version: changes whenever a zone, tenant or app is
    /// created, deleted, or changes its spec or deletion state.
    pub fn model_version(&self) -> u64 {
        self.0.version.load(Ordering::SeqCst)
    }

    /// Whether a watch event for `o` changes the declared model (rather than
    /// only its status or metadata); records what it saw. A deleted object
    /// always does.
    pub fn changes_model<K: kube::Resource<DynamicType = ()>>(&self, o: &K, deleted: bool) -> bool {
        let m = o.meta();
        let key = object_key(
            &K::kind(&()),
            m.namespace.as_deref().unwrap_or_default(),
            m.name.as_deref().unwrap_or_default(),
        );
        let now = (m.uid.clone().unwrap_or_default(), m.generation.unwrap_or_default(), m.deletion_timestamp.is_some());
        let Ok(mut seen) = self.0.seen.lock() else { return true };
        let changed = deleted || seen.get(&key).is_none_or(|(before, _)| *before != now);
        if changed {
            let version = self.0.version.fetch_add(1, Ordering::SeqCst) + 1;
            if deleted {
                seen.remove(&key);
            } else {
                seen.insert(key, (now, version));
            }
            drop(seen);
            self.wake_reports();
        }
        changed
    }

    /// A watch event of a zone, tenant or app: whether it changes the model
    /// (see [`Triggers::changes_model`]) and whether the object itself needs
    /// a reconcile (a model change, or its finalizers changed). Its own
    /// status writes need neither.
    pub fn observe<K: kube::Resource<DynamicType = ()>>(&self, o: &K, deleted: bool) -> (bool, bool) {
        let model = self.changes_model(o, deleted);
        let m = o.meta();
        let key = object_key(
            &K::kind(&()),
            m.namespace.as_deref().unwrap_or_default(),
            m.name.as_deref().unwrap_or_default(),
        );
        let finalizers = m.finalizers.clone().unwrap_or_default();
        let moved = self.0.finalizers.lock().is_ok_and(|mut f| {
            if deleted {
                f.remove(&key);
                false
            } else {
                f.insert(key, finalizers.clone()).is_none_or(|before| before != finalizers)
            }
        });
        (model, !deleted && (model || moved))
    }

    /// A watch event of a zone, tenant or app whose status, as the
    /// evaluation reads it, is now `read` (a fingerprint): when that changed
    /// since the last event, the reports run again, so that the evaluation
    /// follows the status (an app Ready again after a repair) rather than
    /// waiting for the resync. First sight and deletion are model changes,
    /// which wake the reports already.
    pub fn status_read<K: kube::Resource<DynamicType = ()>>(&self, o: &K, read: u64, deleted: bool) {
        let m = o.meta();
        let key = object_key(
            &K::kind(&()),
            m.namespace.as_deref().unwrap_or_default(),
            m.name.as_deref().unwrap_or_default(),
        );
        let Ok(mut seen) = self.0.evaluated.lock() else { return };
        if deleted {
            seen.remove(&key);
            return;
        }
        let before = seen.insert(key, read);
        drop(seen);
        if before.is_some_and(|b| b != read) {
            self.wake_reports();
        }
    }

    /// Asks for a reconcile of `o` itself.
    pub fn reconcile_zone(&self, z: &NetworkZone) {
        self.send_zone(ObjectRef::from_obj(z));
    }
    /// Asks for a reconcile of `t` itself.
    pub fn reconcile_tenant(&self, t: &Tenant) {
        self.send_tenant(ObjectRef::from_obj(t));
    }
    /// Asks for a reconcile of `a` itself.
    pub fn reconcile_app(&self, a: &DepartmentApp) {
        self.send_app(ObjectRef::from_obj(a));
    }
    /// Asks for a reconcile of `r` itself.
    pub fn reconcile_request(&self, r: &ResourceRequest) {
        self.0.requests.send(ObjectRef::from_obj(r));
    }
    /// ResourceRequest reconcile requests (one controller at a time).
    pub fn request_stream(&self) -> impl Stream<Item = ObjectRef<ResourceRequest>> + Send + 'static {
        self.0.requests.stream()
    }

    /// A ResourceRequest changed or went. Any of it may change what its
    /// tenant is granted (its spec, its decision, its expiry written into its
    /// status, its withdrawal), so every event is a change of the model:
    /// the request itself, its tenant and the tenant's apps reconcile (a
    /// granted zone or host lets apps waiting for it in). Requests are few
    /// and change rarely.
    pub fn request_changed(&self, r: &ResourceRequest, deleted: bool) {
        self.0.version.fetch_add(1, Ordering::SeqCst);
        self.wake_reports();
        if !deleted {
            self.reconcile_request(r);
        }
        let Some(tenant) = govcloud_render::request_tenant(r) else { return };
        if let Some(s) = self.0.stores.get()
            && let Some(t) = s.tenants.get(&ObjectRef::new(&tenant))
        {
            self.send_tenant(ObjectRef::from_obj(t.as_ref()));
            self.tenant_changed(&t);
        }
    }

    /// The oldest model version a reconcile of `kind` `namespace/name` may
    /// use: the one in which its current spec appeared, or the one current
    /// when a change elsewhere sent it, whichever is newer.
    pub fn needed_version(&self, kind: &str, namespace: &str, name: &str) -> u64 {
        let key = object_key(kind, namespace, name);
        let own = self.0.seen.lock().ok().and_then(|s| s.get(&key).map(|(_, v)| *v)).unwrap_or(0);
        let sent = self.0.needs.lock().ok().and_then(|n| n.get(&key).copied()).unwrap_or(0);
        own.max(sent)
    }

    fn note(&self, key: String) {
        let v = self.model_version();
        if let Ok(mut n) = self.0.needs.lock() {
            let e = n.entry(key).or_insert(0);
            *e = (*e).max(v);
        }
    }
    fn send_app(&self, r: ObjectRef<DepartmentApp>) {
        self.note(object_key("DepartmentApp", r.namespace.as_deref().unwrap_or_default(), &r.name));
        self.0.apps.send(r);
    }
    fn send_tenant(&self, r: ObjectRef<Tenant>) {
        self.note(object_key("Tenant", "", &r.name));
        self.0.tenants.send(r);
    }
    fn send_zone(&self, r: ObjectRef<NetworkZone>) {
        self.note(object_key("NetworkZone", "", &r.name));
        self.0.zones.send(r);
    }

    /// Something the compliance reports look at changed; wakes them (once,
    /// however many changes come before they run).
    pub fn wake_reports(&self) {
        self.0.reports.notify_one();
    }

    /// Resolves when [`Triggers::wake_reports`] was called since the last time.
    pub async fn reports_woken(&self) {
        self.0.reports.notified().await
    }

    /// Gives the triggers the caches they map through.
    pub fn attach(
        &self,
        zones: Store<NetworkZone>,
        tenants: Store<Tenant>,
        apps: Store<DepartmentApp>,
        requests: Store<ResourceRequest>,
    ) {
        let _ = self.0.stores.set(Stores { zones, tenants, apps, requests });
    }

    /// Requests sent and not yet taken by the controllers, per kind.
    pub fn queued(&self) -> [(&'static str, u64); 3] {
        [
            ("NetworkZone", self.0.zones.queued()),
            ("Tenant", self.0.tenants.queued()),
            ("DepartmentApp", self.0.apps.queued()),
        ]
    }

    /// Asks for a reconcile of every zone, tenant, app and request (a replica that
    /// starts leading: what changed while it followed is not known).
    pub fn reconcile_all(&self) {
        if let Some(s) = self.0.stores.get() {
            for z in s.zones.state() {
                self.send_zone(ObjectRef::from_obj(z.as_ref()));
            }
            for t in s.tenants.state() {
                self.send_tenant(ObjectRef::from_obj(t.as_ref()));
            }
            for a in s.apps.state() {
                self.send_app(ObjectRef::from_obj(a.as_ref()));
            }
            // Their expiry timers were the previous leader's.
            for r in s.requests.state() {
                self.reconcile_request(&r);
            }
        }
    }

    /// What every zone renders from changed outside the model (the cluster
    /// began or stopped serving ClusterNetworkPolicy): a new model version,
    /// and every zone reconciled against it.
    pub fn zones_changed(&self) {
        self.0.version.fetch_add(1, Ordering::SeqCst);
        if let Some(s) = self.0.stores.get() {
            for z in s.zones.state() {
                self.send_zone(ObjectRef::from_obj(z.as_ref()));
            }
        }
        self.wake_reports();
    }

    /// Zone reconcile requests (one controller at a time).
    pub fn zone_stream(&self) -> impl Stream<Item = ObjectRef<NetworkZone>> + Send + 'static {
        self.0.zones.stream()
    }
    /// Tenant reconcile requests (one controller at a time).
    pub fn tenant_stream(&self) -> impl Stream<Item = ObjectRef<Tenant>> + Send + 'static {
        self.0.tenants.stream()
    }
    /// App reconcile requests (one controller at a time).
    pub fn app_stream(&self) -> impl Stream<Item = ObjectRef<DepartmentApp>> + Send + 'static {
        self.0.apps.stream()
    }

    fn apps_where(&self, f: impl Fn(&DepartmentApp) -> bool) {
        if let Some(s) = self.0.stores.get() {
            for a in s.apps.state() {
                if f(&a) {
                    self.send_app(ObjectRef::from_obj(a.as_ref()));
                }
            }
        }
    }

    /// A zone changed: its tenants and apps re-render.
    pub fn zone_changed(&self, z: &NetworkZone) {
        let name = z.name_any();
        if let Some(s) = self.0.stores.get() {
            for t in s.tenants.state() {
                if t.spec.zones.iter().any(|tz| tz.name == name) {
                    self.send_tenant(ObjectRef::from_obj(t.as_ref()));
                }
            }
        }
        // Exchange endpoints change which cross-zone flows exist: every app may be affected.
        self.apps_where(|_| true);
    }

    /// A tenant changed: its apps, the zones it uses, and apps that call it;
    /// every tenant when the auditors it binds cluster-wide changed.
    pub fn tenant_changed(&self, t: &Tenant) {
        let name = t.name_any();
        let auditors = cluster_auditors_of(t);
        let changed = self.0.cluster_auditors.lock().is_ok_and(|mut m| {
            let before = if auditors.is_empty() { m.remove(&name) } else { m.insert(name.clone(), auditors.clone()) };
            before.unwrap_or_default() != auditors
        });
        if changed && let Some(s) = self.0.stores.get() {
            for other in s.tenants.state() {
                if other.name_any() != name {
                    self.send_tenant(ObjectRef::from_obj(other.as_ref()));
                }
            }
        }
        let prefix = format!("{name}-");
        self.apps_where(|a| {
            let calls_it = a.spec.flows.calls.iter().any(|c| c.tenant.as_deref() == Some(name.as_str()));
            if calls_it {
                // The caller's tenant counts the flows it receives from this one.
                self.refresh_later("Tenant", "", &tenant_of(a));
            }
            a.namespace().is_some_and(|ns| ns.strip_prefix(&prefix) == Some(a.spec.zone.as_str())) || calls_it
        });
        // Zones count their tenants (and hold their deletion for them);
        // nothing they own depends on a tenant. Every zone the tenant names
        // now, and the zones it named before.
        let zones: BTreeSet<String> = t.spec.zones.iter().map(|tz| tz.name.clone()).collect();
        let before =
            self.0.tenant_zones.lock().ok().and_then(|mut m| {
                if deleted_or_gone(t) { m.remove(&name) } else { m.insert(name.clone(), zones.clone()) }
            });
        for z in zones.iter().chain(before.iter().flatten()) {
            self.refresh_later("NetworkZone", "", z);
        }
        // Internet zones list the hosts every tenant owns (its allowedHosts, its
        // approved Hostname requests), whether it uses the zone or not.
        if let Some(s) = self.0.stores.get() {
            for z in s
                .zones
                .state()
                .iter()
                .filter(|z| z.spec.kind == govcloud_core::api::ZoneKind::Internet && !zones.contains(&z.name_any()))
            {
                self.refresh_later("NetworkZone", "", &z.name_any());
            }
        }
    }

    /// An app changed (or was deleted): itself is the controller's business;
    /// the apps that call it, the apps it calls and called before, its tenant
    /// and its zone (when it appears, leaves or moves: they count it) are ours, and for a public app the other public apps (a
    /// host goes to the next claimant when it leaves). Found through an
    /// index of who calls whom, not by scanning every app.
    pub fn app_changed(&self, a: &DepartmentApp, deleted: bool) {
        let ns = a.namespace().unwrap_or_default();
        let tenant = ns.strip_suffix(&format!("-{}", a.spec.zone)).unwrap_or_default().to_string();
        let name = a.name_any();
        let me = (ns.clone(), name.clone());
        let calls: Vec<(String, String)> = a
            .spec
            .flows
            .calls
            .iter()
            .map(|c| (c.tenant.clone().unwrap_or_else(|| tenant.clone()), c.app.clone()))
            .collect();
        let public = a.spec.exposure == govcloud_core::api::Exposure::Public;
        let mut targets: BTreeSet<(String, String)> = BTreeSet::new();
        // Whether the app was already counted in its tenant's and zone's status.
        let mut counted = false;
        // Whether its declared calls or grants changed (or it came or went).
        let mut flows_changed = true;
        if let Ok(mut g) = self.0.graph.lock() {
            let old = g.calls.remove(&me).unwrap_or_default();
            for c in &old {
                if let Some(set) = g.callers.get_mut(c) {
                    set.remove(&me);
                }
            }
            let was_public = g.public.remove(&me);
            let flows_hash = {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                serde_json::to_string(&a.spec.flows).unwrap_or_default().hash(&mut h);
                h.finish()
            };
            let flows_before = if deleted { g.flows.remove(&me) } else { g.flows.insert(me.clone(), flows_hash) };
            flows_changed = deleted || flows_before != Some(flows_hash);
            let zone_before =
                if deleted { g.zones.remove(&me) } else { g.zones.insert(me.clone(), a.spec.zone.clone()) };
            counted = zone_before.as_deref() == Some(a.spec.zone.as_str()) && !deleted;
            if let Some(set) = g.by_name.get_mut(&(tenant.clone(), name.clone())) {
                set.remove(&me);
            }
            if !deleted {
                for c in &calls {
                    g.callers.entry(c.clone()).or_default().insert(me.clone());
                }
                g.calls.insert(me.clone(), calls.clone());
                if public {
                    g.public.insert(me.clone());
                }
                g.by_name.entry((tenant.clone(), name.clone())).or_default().insert(me.clone());
            }
            targets.extend(g.callers.get(&(tenant.clone(), name.clone())).into_iter().flatten().cloned());
            for c in old.iter().chain(calls.iter()) {
                targets.extend(g.by_name.get(c).into_iter().flatten().cloned());
            }
            if public || was_public {
                targets.extend(g.public.iter().cloned());
            }
        }
        targets.remove(&me);
        // The tenants at the other end of its flows count them (granted flows
        // given and received), and so does its own.
        let other_tenants: BTreeSet<String> = match self.0.graph.lock() {
            Ok(g) => targets
                .iter()
                .filter_map(|t| g.zones.get(t).and_then(|z| t.0.strip_suffix(&format!("-{z}")).map(str::to_string)))
                .collect(),
            Err(_) => BTreeSet::new(),
        };
        for (ons, oname) in targets {
            self.send_app(ObjectRef::new(&oname).within(&ons));
        }
        if flows_changed {
            for t in other_tenants {
                self.refresh_later("Tenant", "", &t);
            }
        }
        // The tenant and the zone count apps, and the tenant its flows;
        // nothing they own depends on an app's spec.
        if !counted || flows_changed {
            self.refresh_later("Tenant", "", &tenant);
        }
        if !counted {
            self.refresh_later("NetworkZone", "", &a.spec.zone);
        }
    }

    /// A node changed: every zone recounts its nodes, unless nothing the
    /// zones read changed (heartbeats, images, addresses).
    pub fn node_changed(&self, n: &Node, deleted: bool) {
        let Ok(o) = serde_json::to_value(n).and_then(serde_json::from_value::<DynamicObject>) else { return };
        if !self.relevant("Node", &o, deleted) {
            return;
        }
        // The audit reads nodes' zone labels and taints.
        self.wake_reports();
        if let Some(s) = self.0.stores.get() {
            for z in s.zones.state() {
                self.send_zone(ObjectRef::from_obj(z.as_ref()));
            }
        }
    }

    /// Records `o`'s fingerprint; whether it changed (a deletion always does).
    fn relevant(&self, kind: &str, o: &DynamicObject, deleted: bool) -> bool {
        self.change(kind, o, deleted) != Change::None
    }

    /// Records `o`'s fingerprint; what changed.
    fn change(&self, kind: &str, o: &DynamicObject, deleted: bool) -> Change {
        let key = object_key(
            kind,
            o.metadata.namespace.as_deref().unwrap_or_default(),
            o.metadata.name.as_deref().unwrap_or_default(),
        );
        let Ok(mut f) = self.0.fingerprints.lock() else { return Change::Object };
        if deleted {
            f.remove(&key);
            return Change::Object;
        }
        let fp = fingerprint(kind, o);
        match f.insert(key, fp) {
            Some(before) if before == fp => Change::None,
            Some(before) if before.0 == fp.0 => Change::Status,
            _ => Change::Object,
        }
    }

    /// What a tenant's, zone's or app's status counts changed (quota usage,
    /// apps, tenants, flows, ready replicas): its status is refreshed within
    /// [`STATUS_REFRESH`], once however many changes come meanwhile. A
    /// refresh recomputes the status from the caches and writes it if it
    /// changed; it applies nothing, so it is not a reconcile. Outside a
    /// runtime (tests), at once.
    fn refresh_later(&self, kind: &'static str, ns: &str, name: &str) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return self.refresh_now(kind, ns, name);
        };
        let key = (kind, ns.to_string(), name.to_string());
        if !self.0.refresh_pending.lock().is_ok_and(|mut p| p.insert(key.clone())) {
            return;
        }
        let me = self.clone();
        handle.spawn(async move {
            tokio::time::sleep(STATUS_REFRESH).await;
            if let Ok(mut p) = me.0.refresh_pending.lock() {
                p.remove(&key);
            }
            me.refresh_now(key.0, &key.1, &key.2);
        });
    }

    /// Asks for a status refresh of `kind` `ns/name` now.
    fn refresh_now(&self, kind: &'static str, ns: &str, name: &str) {
        self.note(object_key(kind, ns, name));
        match kind {
            "Tenant" => self.0.tenant_status.send(ObjectRef::new(name)),
            "DepartmentApp" => self.0.app_status.send(ObjectRef::new(name).within(ns)),
            _ => self.0.zone_status.send(ObjectRef::new(name)),
        }
    }

    /// Zone status refreshes (one consumer at a time).
    pub fn zone_status_stream(&self) -> impl Stream<Item = ObjectRef<NetworkZone>> + Send + 'static {
        self.0.zone_status.stream()
    }
    /// Tenant status refreshes (one consumer at a time).
    pub fn tenant_status_stream(&self) -> impl Stream<Item = ObjectRef<Tenant>> + Send + 'static {
        self.0.tenant_status.stream()
    }
    /// App status refreshes (one consumer at a time).
    pub fn app_status_stream(&self) -> impl Stream<Item = ObjectRef<DepartmentApp>> + Send + 'static {
        self.0.app_status.stream()
    }

    /// An owned object as first listed: remembered, nobody woken (every
    /// owner reconciles at start anyway).
    pub fn owned_listed(&self, kind: &str, o: &DynamicObject) {
        self.relevant(kind, o, false);
    }

    /// An owned object changed (or was deleted): its owner repairs it,
    /// unless nothing it reads changed or the event is the echo of the
    /// owner's own write (`echo`). A namespace's isolation appearing also
    /// wakes the apps waiting for it. Returns whether anything was woken.
    pub fn owned_changed(&self, kind: &str, o: &DynamicObject, deleted: bool, echo: bool) -> bool {
        let change = self.change(kind, o, deleted);
        if change == Change::None {
            return false;
        }
        let labels = o.metadata.labels.clone().unwrap_or_default();
        let owner = labels.get(OWNER_NAME).cloned().unwrap_or_default();
        match labels.get(OWNER_KIND).map(String::as_str) {
            Some("Tenant") if kind == "ResourceQuota" && change == Change::Status => {
                self.refresh_later("Tenant", "", &owner)
            }
            Some("Tenant") => {
                if (kind == "NetworkPolicy" && o.name_any() == govcloud_core::meta::names::DEFAULT_DENY)
                    || kind == "Namespace"
                {
                    let ns = if kind == "Namespace" { o.name_any() } else { o.namespace().unwrap_or_default() };
                    self.apps_where(|a| a.namespace().as_deref() == Some(ns.as_str()));
                }
                if !echo {
                    self.send_tenant(ObjectRef::new(&owner));
                }
            }
            Some("NetworkZone") if !echo => self.send_zone(ObjectRef::new(&owner)),
            // Replicas becoming ready one by one: the app's count follows
            // within the refresh; the rollout completing, at once. Either is
            // a status refresh, not a reconcile: nothing to apply.
            Some("DepartmentApp") if kind == "Deployment" && change == Change::Status => {
                if let Some(ns) = labels.get(OWNER_NAMESPACE) {
                    if rolled_out(o) {
                        self.refresh_now("DepartmentApp", ns, &owner);
                    } else {
                        self.refresh_later("DepartmentApp", ns, &owner);
                    }
                }
            }
            Some("DepartmentApp") if !echo => {
                if let Some(ns) = labels.get(OWNER_NAMESPACE) {
                    self.send_app(ObjectRef::new(&owner).within(ns));
                }
            }
            _ => {}
        }
        true
    }
}

#[cfg(test)]
mod tests;
