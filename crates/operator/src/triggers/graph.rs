//! Who depends on whom: a zone's tenants and apps, an app's callers and
//! callees, an owned object's owner, the nodes' zones, the cluster-scope
//! auditors' tenants; each change sends exactly those to their controllers.

use kube::ResourceExt;

use govcloud_core::api::{AuditScope, DepartmentApp, NetworkZone, OwnerRole, ResourceRequest, Tenant};
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_core::meta::labels::{OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE};
use k8s_openapi::api::core::v1::Node;
use kube::api::DynamicObject;
use kube::runtime::reflector::ObjectRef;

use crate::triggers::version::object_key;
use crate::triggers::{Triggers, fingerprint};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::Ordering;

/// What a watch event changed of what the operator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    /// Nothing.
    None,
    /// Only the status parts it reports.
    Status,
    /// The object itself (or it was created or deleted).
    Object,
}

/// The call graph of the apps, as last seen, keyed by (namespace, name) and
/// (tenant, app name).
#[derive(Default)]
pub(super) struct AppGraph {
    calls: HashMap<(String, String), Vec<(String, String)>>,
    callers: HashMap<(String, String), BTreeSet<(String, String)>>,
    by_name: HashMap<(String, String), BTreeSet<(String, String)>>,
    public: BTreeSet<(String, String)>,
    /// The zone each app is in, as last seen.
    zones: HashMap<(String, String), String>,
    /// A hash of each app's declared flows (calls and grants), as last seen.
    flows: HashMap<(String, String), u64>,
    /// A hash of what each sharing app's catalogue entry is made of (its
    /// sharing and data classification), as last seen.
    sharing: HashMap<(String, String), u64>,
}

/// A hash of `v`'s JSON.
fn hash_of(v: &impl serde::Serialize) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(v).unwrap_or_default().hash(&mut h);
    h.finish()
}

/// The tenant an app belongs to: its namespace is `<tenant>-<zone>`.
pub(super) fn tenant_of(a: &DepartmentApp) -> String {
    a.namespace().and_then(|ns| ns.strip_suffix(&format!("-{}", a.spec.zone)).map(str::to_string)).unwrap_or_default()
}

/// Whether a Deployment (or StatefulSet) has every replica updated and ready.
pub(super) fn rolled_out(o: &DynamicObject) -> bool {
    let n = |p: &str| o.data.pointer(p).and_then(serde_json::Value::as_i64);
    let want = n("/spec/replicas").unwrap_or(1);
    n("/status/readyReplicas").unwrap_or(0) >= want && n("/status/updatedReplicas").unwrap_or(0) >= want
}

/// Whether a tenant is on its way out (its zones no longer count it).
pub(super) fn deleted_or_gone(t: &Tenant) -> bool {
    t.metadata.deletion_timestamp.is_some()
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

    /// The API server's addresses changed (it moved, a replica came or
    /// went): a new model version, and every tenant and app reconciled
    /// against it (their egress policies except the addresses).
    pub fn api_server_changed(&self) {
        self.0.version.fetch_add(1, Ordering::SeqCst);
        if let Some(s) = self.0.stores.get() {
            for t in s.tenants.state() {
                self.send_tenant(ObjectRef::from_obj(t.as_ref()));
            }
            for a in s.apps.state() {
                self.send_app(ObjectRef::from_obj(a.as_ref()));
            }
        }
        self.wake_reports();
    }

    pub(super) fn apps_where(&self, f: impl Fn(&DepartmentApp) -> bool) {
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
                self.refresh_later(OwnerKind::Tenant, "", &tenant_of(a));
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
            self.refresh_later(OwnerKind::NetworkZone, "", z);
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
                self.refresh_later(OwnerKind::NetworkZone, "", &z.name_any());
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
        // Whether its catalogue entry changed (or it came or went with one).
        let mut sharing_changed = a.spec.sharing.is_some();
        // The tenants of the apps it calls and called before (their
        // catalogue entries count its calls).
        let mut callee_tenants: BTreeSet<String> = BTreeSet::new();
        if let Ok(mut g) = self.0.graph.lock() {
            let old = g.calls.remove(&me).unwrap_or_default();
            for c in &old {
                if let Some(set) = g.callers.get_mut(c) {
                    set.remove(&me);
                }
            }
            let was_public = g.public.remove(&me);
            let flows_hash = hash_of(&a.spec.flows);
            let flows_before = if deleted { g.flows.remove(&me) } else { g.flows.insert(me.clone(), flows_hash) };
            flows_changed = deleted || flows_before != Some(flows_hash);
            let sharing_hash = a.spec.sharing.as_ref().map(|s| hash_of(&(s, a.spec.data_classification, &a.spec.zone)));
            let sharing_before = match sharing_hash.filter(|_| !deleted) {
                Some(h) => g.sharing.insert(me.clone(), h),
                None => g.sharing.remove(&me),
            };
            sharing_changed = sharing_before != sharing_hash.filter(|_| !deleted);
            callee_tenants.extend(old.iter().chain(calls.iter()).map(|(t, _)| t.clone()));
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
                self.refresh_later(OwnerKind::Tenant, "", &t);
            }
        }
        // The catalogue: a tenant's SharedResources are its sharing apps'
        // entries (reconciled when one changes, or its grants), with the
        // calls of other tenants' apps counted (reconciled when those change).
        if sharing_changed || (flows_changed && a.spec.sharing.is_some()) {
            self.send_tenant(ObjectRef::new(&tenant));
        }
        if flows_changed {
            for t in callee_tenants.iter().filter(|t| **t != tenant) {
                self.send_tenant(ObjectRef::new(t));
            }
        }
        // The tenant and the zone count apps, and the tenant its flows;
        // nothing else they own depends on an app's spec.
        if !counted || flows_changed {
            self.refresh_later(OwnerKind::Tenant, "", &tenant);
        }
        if !counted {
            self.refresh_later(OwnerKind::NetworkZone, "", &a.spec.zone);
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
    pub(super) fn relevant(&self, kind: &str, o: &DynamicObject, deleted: bool) -> bool {
        self.change(kind, o, deleted) != Change::None
    }

    /// Records `o`'s fingerprint; what changed.
    pub(super) fn change(&self, kind: &str, o: &DynamicObject, deleted: bool) -> Change {
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
        match labels.get(OWNER_KIND).and_then(|k| OwnerKind::parse(k)) {
            Some(OwnerKind::Tenant) if kind == "ResourceQuota" && change == Change::Status => {
                self.refresh_later(OwnerKind::Tenant, "", &owner)
            }
            Some(OwnerKind::Tenant) => {
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
            Some(OwnerKind::NetworkZone) if !echo => self.send_zone(ObjectRef::new(&owner)),
            // Replicas becoming ready one by one: the app's count follows
            // within the refresh; the rollout completing, at once. Either is
            // a status refresh, not a reconcile: nothing to apply.
            Some(OwnerKind::DepartmentApp)
                if matches!(kind, "Deployment" | "StatefulSet" | "CronJob") && change == Change::Status =>
            {
                if let Some(ns) = labels.get(OWNER_NAMESPACE) {
                    if kind == "CronJob" || rolled_out(o) {
                        self.refresh_now(OwnerKind::DepartmentApp, ns, &owner);
                    } else {
                        self.refresh_later(OwnerKind::DepartmentApp, ns, &owner);
                    }
                }
            }
            Some(OwnerKind::DepartmentApp) if !echo => {
                if let Some(ns) = labels.get(OWNER_NAMESPACE) {
                    self.send_app(ObjectRef::new(&owner).within(ns));
                }
            }
            _ => {}
        }
        true
    }
}
