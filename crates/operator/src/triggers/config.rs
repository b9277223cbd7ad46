//! ConfigMaps the apps read: a change of one's data is a change of the
//! model (the apps' pod templates carry a digest of it), and the apps that
//! read it reconcile, which rolls their pods.
//!
//! The watch is cluster-wide (the API selects no object by its namespace's
//! labels) and keeps only a digest per ConfigMap
//! ([`crate::watch::slim_config_map`]); only the ConfigMaps an app in scope
//! reads, in its own namespace, wake anything.

use std::sync::atomic::Ordering;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::ResourceExt;
use kube::runtime::reflector::ObjectRef;

use crate::triggers::Triggers;
use govcloud_core::meta::labels::CONFIG_DIGEST;
use govcloud_core::model::config_map_key;

/// The data digest a slimmed ConfigMap carries.
pub fn digest_of(cm: &ConfigMap) -> Option<&str> {
    cm.metadata.annotations.as_ref()?.get(CONFIG_DIGEST).map(String::as_str)
}

impl Triggers {
    /// A ConfigMap (slimmed to its digest) changed or went: when an app of
    /// its namespace reads it and its digest is not the one last seen, the
    /// model changes and those apps reconcile. Returns how many apps were sent.
    pub fn config_map_changed(&self, cm: &ConfigMap, deleted: bool) -> usize {
        let (ns, name) = (cm.namespace().unwrap_or_default(), cm.name_any());
        let Some(stores) = self.0.stores.get() else { return 0 };
        // Only a namespace of a tenant in scope holds apps (kube-system's and
        // the like go no further). Any of its zones: a zone granted by a
        // request is not in the Tenant's spec.
        let tenant_in_scope = govcloud_core::meta::names::split_namespace(&ns)
            .is_some_and(|(t, _)| stores.tenants.get(&ObjectRef::<govcloud_core::api::Tenant>::new(t)).is_some());
        if !tenant_in_scope {
            return 0;
        }
        let readers: Vec<ObjectRef<govcloud_core::api::DepartmentApp>> = stores
            .apps
            .state()
            .iter()
            .filter(|a| a.namespace().as_deref() == Some(ns.as_str()) && a.spec.config_maps().contains(name.as_str()))
            .map(|a| ObjectRef::from_obj(a.as_ref()))
            .collect();
        let key = config_map_key(&ns, &name);
        let now = if deleted { None } else { digest_of(cm).map(str::to_string) };
        let changed = self.0.config_digests.lock().is_ok_and(|mut seen| {
            if readers.is_empty() {
                // Nobody reads it: nothing to remember (an app that starts
                // reading it reconciles for its own change).
                seen.remove(&key);
                return false;
            }
            let before = match &now {
                Some(d) => seen.insert(key, d.clone()),
                None => seen.remove(&key),
            };
            before != now
        });
        if !changed {
            return 0;
        }
        // The caches hold the new digest already: a plan from now on has it.
        self.0.version.fetch_add(1, Ordering::SeqCst);
        self.wake_reports();
        let n = readers.len();
        for r in readers {
            self.send_app(r);
        }
        n
    }
}
