//! The queues to the controllers: one channel per kind (and per status
//! refresh), each read by one controller at a time, counting what waits.

use futures::StreamExt;

use futures::Stream;

use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use govcloud_core::api::{DepartmentApp, NetworkZone, ResourceRequest, Tenant};
use govcloud_core::meta::kinds::OwnerKind;
use kube::runtime::reflector::{ObjectRef, Store};

use crate::triggers::version::object_key;
use crate::triggers::{Stores, Triggers};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Reconcile requests of one kind, to one controller at a time: a replica
/// that stops leading drops its controllers (and their receiver); the next
/// term takes a new receiver ([`Channel::stream`]). Counts what is queued.
pub(super) struct Channel<K: kube::Resource> {
    tx: std::sync::Mutex<UnboundedSender<ObjectRef<K>>>,
    rx: std::sync::Mutex<Option<UnboundedReceiver<ObjectRef<K>>>>,
    queued: Arc<AtomicU64>,
}

impl<K: kube::Resource<DynamicType = ()>> Channel<K> {
    pub(super) fn new() -> Self {
        let (tx, rx) = unbounded();
        Channel {
            tx: std::sync::Mutex::new(tx),
            rx: std::sync::Mutex::new(Some(rx)),
            queued: Arc::new(AtomicU64::new(0)),
        }
    }
    pub(super) fn send(&self, r: ObjectRef<K>) {
        // A closed channel means the controller stopped; nothing to do.
        if let Ok(tx) = self.tx.lock()
            && tx.unbounded_send(r).is_ok()
        {
            self.queued.fetch_add(1, Ordering::Relaxed);
        }
    }
    /// The requests from now on (and those queued before the first call).
    pub(super) fn stream(&self) -> impl Stream<Item = ObjectRef<K>> + Send + 'static
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
    pub(super) fn queued(&self) -> u64 {
        self.queued.load(Ordering::Relaxed)
    }
}

impl Triggers {
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

    pub(super) fn note(&self, key: String) {
        let v = self.model_version();
        if let Ok(mut n) = self.0.needs.lock() {
            let e = n.entry(key).or_insert(0);
            *e = (*e).max(v);
        }
    }
    pub(super) fn send_app(&self, r: ObjectRef<DepartmentApp>) {
        self.note(object_key(OwnerKind::DepartmentApp.as_str(), r.namespace.as_deref().unwrap_or_default(), &r.name));
        self.0.apps.send(r);
    }
    pub(super) fn send_tenant(&self, r: ObjectRef<Tenant>) {
        self.note(object_key(OwnerKind::Tenant.as_str(), "", &r.name));
        self.0.tenants.send(r);
    }
    pub(super) fn send_zone(&self, r: ObjectRef<NetworkZone>) {
        self.note(object_key(OwnerKind::NetworkZone.as_str(), "", &r.name));
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
            (OwnerKind::NetworkZone.as_str(), self.0.zones.queued()),
            (OwnerKind::Tenant.as_str(), self.0.tenants.queued()),
            (OwnerKind::DepartmentApp.as_str(), self.0.apps.queued()),
        ]
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
}
