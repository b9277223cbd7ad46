//! What each change should re-reconcile: a zone change re-renders its
//! tenants and apps, an app change its callers and callees, an owned object's
//! change its owner, a node change the zones.

use std::sync::{Arc, OnceLock};

use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::Node;
use kube::ResourceExt;
use kube::api::DynamicObject;
use kube::runtime::reflector::{ObjectRef, Store};

use crate::api::{DepartmentApp, NetworkZone, Tenant};
use crate::render::labels::{OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE};

struct Stores {
    zones: Store<NetworkZone>,
    tenants: Store<Tenant>,
    apps: Store<DepartmentApp>,
}

struct Channel<K: kube::Resource> {
    tx: UnboundedSender<ObjectRef<K>>,
    rx: std::sync::Mutex<Option<UnboundedReceiver<ObjectRef<K>>>>,
}

impl<K: kube::Resource<DynamicType = ()>> Channel<K> {
    fn new() -> Self {
        let (tx, rx) = unbounded();
        Channel { tx, rx: std::sync::Mutex::new(Some(rx)) }
    }
    fn send(&self, r: ObjectRef<K>) {
        // A closed channel means the controller stopped; nothing to do.
        let _ = self.tx.unbounded_send(r);
    }
    fn stream(&self) -> impl Stream<Item = ObjectRef<K>> + Send + 'static
    where
        K: 'static,
    {
        let rx = self.rx.lock().ok().and_then(|mut g| g.take());
        futures::stream::iter(rx).flatten()
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
}

impl Triggers {
    /// New triggers; [`Triggers::attach`] gives them the caches once ready.
    pub fn new() -> Self {
        Triggers(Arc::new(Inner { stores: OnceLock::new(), zones: Channel::new(), tenants: Channel::new(), apps: Channel::new() }))
    }

    /// Gives the triggers the caches they map through.
    pub fn attach(&self, zones: Store<NetworkZone>, tenants: Store<Tenant>, apps: Store<DepartmentApp>) {
        let _ = self.0.stores.set(Stores { zones, tenants, apps });
    }

    /// Zone reconcile requests (once).
    pub fn zone_stream(&self) -> impl Stream<Item = ObjectRef<NetworkZone>> + Send + 'static {
        self.0.zones.stream()
    }
    /// Tenant reconcile requests (once).
    pub fn tenant_stream(&self) -> impl Stream<Item = ObjectRef<Tenant>> + Send + 'static {
        self.0.tenants.stream()
    }
    /// App reconcile requests (once).
    pub fn app_stream(&self) -> impl Stream<Item = ObjectRef<DepartmentApp>> + Send + 'static {
        self.0.apps.stream()
    }

    fn apps_where(&self, f: impl Fn(&DepartmentApp) -> bool) {
        if let Some(s) = self.0.stores.get() {
            for a in s.apps.state() {
                if f(&a) {
                    self.0.apps.send(ObjectRef::from_obj(a.as_ref()));
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
                    self.0.tenants.send(ObjectRef::from_obj(t.as_ref()));
                }
            }
        }
        // Exchange endpoints change which cross-zone flows exist: every app may be affected.
        self.apps_where(|_| true);
    }

    /// A tenant changed: its apps, the zones it uses, and apps that call it.
    pub fn tenant_changed(&self, t: &Tenant) {
        let name = t.name_any();
        let prefix = format!("{name}-");
        self.apps_where(|a| {
            a.namespace().is_some_and(|ns| ns.strip_prefix(&prefix) == Some(a.spec.zone.as_str()))
                || a.spec.flows.calls.iter().any(|c| c.tenant.as_deref() == Some(name.as_str()))
        });
        if let Some(s) = self.0.stores.get() {
            for z in s.zones.state() {
                if t.spec.zones.iter().any(|tz| tz.name == z.name_any()) {
                    self.0.zones.send(ObjectRef::from_obj(z.as_ref()));
                }
            }
        }
    }

    /// An app changed: itself is the controller's business; its callers, the
    /// apps it calls, its tenant and its zone are ours.
    pub fn app_changed(&self, a: &DepartmentApp) {
        let ns = a.namespace().unwrap_or_default();
        let tenant = ns.strip_suffix(&format!("-{}", a.spec.zone)).unwrap_or_default().to_string();
        let name = a.name_any();
        let called: Vec<(String, String)> = a.spec.flows.calls.iter().map(|c| (c.tenant.clone().unwrap_or_else(|| tenant.clone()), c.app.clone())).collect();
        self.apps_where(|other| {
            let ons = other.namespace().unwrap_or_default();
            let otenant = ons.strip_suffix(&format!("-{}", other.spec.zone)).unwrap_or_default();
            let calls_me = other.spec.flows.calls.iter().any(|c| c.app == name && c.tenant.as_deref().unwrap_or(otenant) == tenant);
            let called_by_me = called.iter().any(|(t, n)| *t == otenant && *n == other.name_any());
            calls_me || called_by_me
        });
        self.0.tenants.send(ObjectRef::new(&tenant));
        self.0.zones.send(ObjectRef::new(&a.spec.zone));
    }

    /// A node changed: every zone recounts its nodes.
    pub fn node_changed(&self, _n: &Node) {
        if let Some(s) = self.0.stores.get() {
            for z in s.zones.state() {
                self.0.zones.send(ObjectRef::from_obj(z.as_ref()));
            }
        }
    }

    /// An owned object changed (or was deleted): its owner repairs it. A
    /// namespace's isolation appearing also wakes the apps waiting for it.
    pub fn owned_changed(&self, kind: &str, o: &DynamicObject) {
        let labels = o.metadata.labels.clone().unwrap_or_default();
        let owner = labels.get(OWNER_NAME).cloned().unwrap_or_default();
        match labels.get(OWNER_KIND).map(String::as_str) {
            Some("Tenant") => {
                self.0.tenants.send(ObjectRef::new(&owner));
                if kind == "NetworkPolicy" || kind == "Namespace" {
                    let ns = if kind == "Namespace" { o.name_any() } else { o.namespace().unwrap_or_default() };
                    self.apps_where(|a| a.namespace().as_deref() == Some(ns.as_str()));
                }
            }
            Some("NetworkZone") => self.0.zones.send(ObjectRef::new(&owner)),
            Some("DepartmentApp") => {
                if let Some(ns) = labels.get(OWNER_NAMESPACE) {
                    self.0.apps.send(ObjectRef::new(&owner).within(ns));
                }
            }
            _ => {}
        }
    }
}
