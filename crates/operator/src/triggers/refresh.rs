//! Status refreshes: counts that changed with nothing to apply, written
//! soon (debounced) and apart from the reconciles.

use futures::Stream;

use govcloud_core::api::{DepartmentApp, NetworkZone, Tenant};
use govcloud_core::meta::kinds::OwnerKind;
use kube::runtime::reflector::ObjectRef;

use crate::triggers::Triggers;
use crate::triggers::version::object_key;

/// How long the counts in a tenant's or zone's status (quota usage, apps,
/// tenants) may lag behind: they change with every pod and app, so their
/// refreshes are gathered.
pub const STATUS_REFRESH: std::time::Duration = std::time::Duration::from_secs(5);

impl Triggers {
    /// What a tenant's, zone's or app's status counts changed (quota usage,
    /// apps, tenants, flows, ready replicas): its status is refreshed within
    /// [`STATUS_REFRESH`], once however many changes come meanwhile. A
    /// refresh recomputes the status from the caches and writes it if it
    /// changed; it applies nothing, so it is not a reconcile. Outside a
    /// runtime (tests), at once.
    pub(super) fn refresh_later(&self, kind: OwnerKind, ns: &str, name: &str) {
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
    pub(super) fn refresh_now(&self, kind: OwnerKind, ns: &str, name: &str) {
        self.note(object_key(kind.as_str(), ns, name));
        match kind {
            OwnerKind::Tenant => self.0.tenant_status.send(ObjectRef::new(name)),
            OwnerKind::DepartmentApp => self.0.app_status.send(ObjectRef::new(name).within(ns)),
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
}
