//! What each change should re-reconcile: a zone change re-renders its
//! tenants and apps, an app change its callers and callees, an owned object's
//! change its owner, a node change the zones, a change of the cluster-scope
//! auditors every tenant (each tenant namespace binds them).
//!
//! The change detection is kept here by hand, not by kube-runtime's
//! predicates (`predicate_filter`): a predicate filters a stream of objects,
//! while each watch here is one stream of events feeding the cache, `/readyz`
//! and these triggers together; deletions and the first list need their own
//! handling (a delete always counts, a listed object wakes nobody); what
//! changed decides between a reconcile, a status refresh and nothing
//! ([`fingerprint`]'s two parts, the echo of our own writes); and the model
//! version is kept per object ([`Triggers::needed_version`]). A predicate's
//! cache also forgets an object after its TTL and lets its next unchanged
//! event through.

use crate::triggers::graph::AppGraph;
use crate::triggers::queue::Channel;
use crate::triggers::version::ModelState;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, OnceLock};

use kube::runtime::reflector::Store;

use govcloud_core::api::{DepartmentApp, NetworkZone, ResourceRequest, Tenant};
use govcloud_core::meta::kinds::OwnerKind;

mod config;
mod graph;
mod queue;
mod refresh;
mod version;

pub use config::digest_of;
pub use refresh::STATUS_REFRESH;
pub use version::{fingerprint, replica_failure};

struct Stores {
    zones: Store<NetworkZone>,
    tenants: Store<Tenant>,
    apps: Store<DepartmentApp>,
    requests: Store<ResourceRequest>,
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
    refresh_pending: Mutex<BTreeSet<(OwnerKind, String, String)>>,
    /// The zones each tenant named, as last seen.
    tenant_zones: Mutex<HashMap<String, BTreeSet<String>>>,
    /// The finalizers each zone, tenant and app last had: adding ours
    /// changes no spec, yet its reconcile waits for it.
    finalizers: Mutex<HashMap<String, Vec<String>>>,
    /// What the evaluation read of each zone's, tenant's and app's status
    /// (a fingerprint, [`super::Reconciled::evaluated`]).
    evaluated: Mutex<HashMap<String, u64>>,
    /// The data digest of each ConfigMap an app reads, as last seen
    /// (`namespace/name`): a change rolls the apps that read it.
    config_digests: Mutex<HashMap<String, String>>,
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
            config_digests: Mutex::new(HashMap::new()),
        }))
    }
}

#[cfg(test)]
mod tests;
