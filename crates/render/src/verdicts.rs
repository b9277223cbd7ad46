//! What the admission policies judge an app by, offline, and their verdicts:
//! the zone as the policies' parameter (with the hosts tenants own), and the
//! checks each app fails, kept by the digest of exactly what was judged.
//!
//! The kept verdicts belong to whoever plans: the operator keeps one
//! [`Verdicts`] for its life (the model changes an object at a time, so most
//! apps are judged on the same inputs again), an audit or a one-shot render
//! keeps one for its own run.

use std::collections::HashMap;
use std::sync::Mutex;

use kube::ResourceExt;
use sha2::{Digest, Sha256};

use super::namespaces::namespace;
use govcloud_core::api::{DepartmentApp, HostOwner, NetworkZone, Tenant};
use govcloud_core::controls;
use govcloud_core::controls::eval::{Evaluator, Failure, NamespaceScope};

/// The public host names each tenant owns: its `allowedHosts`, which for a
/// granted model ([`crate::grant_requests`]) include its approved
/// Hostname requests. A host two tenants name is listed for both (neither
/// gets it from the other; the audit reports it).
pub fn host_owners<'t>(tenants: impl IntoIterator<Item = &'t Tenant>) -> Vec<HostOwner> {
    let mut out: Vec<HostOwner> = tenants
        .into_iter()
        .flat_map(|t| {
            t.spec.allowed_hosts.iter().map(move |h| HostOwner { host: h.to_ascii_lowercase(), tenant: t.name_any() })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A zone as the admission policies take it for parameter, offline: as
/// judged ([`controls::eval::judged`]), with the hosts tenants own in its
/// status, as the operator writes them for internet zones.
pub fn zone_param(zone: &NetworkZone, owners: &[HostOwner]) -> serde_json::Value {
    let mut v = controls::eval::judged(serde_json::to_value(zone).unwrap_or_default());
    if zone.spec.kind == govcloud_core::api::ZoneKind::Internet && !owners.is_empty() {
        v["status"] = serde_json::json!({"hostOwners": owners});
    }
    v
}

/// The admission verdicts on apps, by the digest of what was judged (app,
/// namespace and zone as JSON): the same inputs, the same verdict. At most
/// [`Verdicts::KEPT`] are kept; past that the store starts again.
#[derive(Default)]
pub struct Verdicts(Mutex<HashMap<[u8; 32], Vec<Failure>>>);

impl std::fmt::Debug for Verdicts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Verdicts({} kept)", self.len())
    }
}

impl Verdicts {
    /// The most verdicts kept (a province's apps several times over).
    pub const KEPT: usize = 50_000;

    /// How many verdicts are kept.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The checks of the admission policies on DepartmentApps
    /// (`govcloud-apps`, `govcloud-zone-apps`) that `app` fails, judged by the
    /// one evaluator on the app, the namespace render creates for it and its
    /// zone. [`Verdicts::failures_in`] does the same with the namespace and
    /// zone made once for all the apps of a namespace.
    pub fn failures(
        &self,
        evaluator: &Evaluator,
        app: &DepartmentApp,
        tenant: &Tenant,
        zone: &NetworkZone,
        owners: &[HostOwner],
    ) -> Vec<Failure> {
        self.failures_in(evaluator, app, &Setting::new(tenant, zone, owners), &mut None)
    }

    /// The checks `app` fails in `setting` (its namespace and zone as the
    /// policies see them). `scope` keeps the setting's evaluation scope,
    /// made on the first verdict not kept: pass the same one for every app
    /// of the setting, a new one (`&mut None`) for each setting.
    ///
    /// The app is judged as a request creating it carries it: without status
    /// or the server's bookkeeping (resourceVersion, field ownership, ...).
    pub fn failures_in<'e>(
        &self,
        evaluator: &'e Evaluator,
        app: &DepartmentApp,
        setting: &Setting,
        scope: &mut Option<NamespaceScope<'e>>,
    ) -> Vec<Failure> {
        let mut object = controls::eval::judged(serde_json::to_value(app).unwrap_or_default());
        object["kind"] = "DepartmentApp".into();
        // Nor what a request creating it does not carry.
        if let Some(m) = object["metadata"].as_object_mut() {
            for absent in ["finalizers", "ownerReferences"] {
                m.remove(absent);
            }
        }
        let mut digest = Sha256::new();
        digest.update(setting.digest);
        digest.update(object.to_string().as_bytes());
        let key: [u8; 32] = digest.finalize().into();
        if let Some(known) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return known.clone();
        }
        let scope = scope.get_or_insert_with(|| evaluator.namespace(Some(&setting.namespace), Some(&setting.zone)));
        let found = controls::eval::failures_in(scope, &object);
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= Self::KEPT {
            kept.clear();
        }
        // Kept for the operator's life, made amid a plan's short-lived
        // allocations: on the pages of what lasts.
        govcloud_core::memory::lasting(|| kept.insert(key, found.clone()));
        found
    }
}

/// Where apps are judged: the namespace render creates for a tenant in a
/// zone and the zone as the policies' parameter, as JSON, with the digest
/// of both. Made once per namespace, shared by all of its apps.
#[derive(Debug, Clone)]
pub struct Setting {
    namespace: serde_json::Value,
    zone: serde_json::Value,
    digest: [u8; 32],
}

impl Setting {
    /// The setting of `tenant`'s apps in `zone`, with the hosts tenants own.
    pub fn new(tenant: &Tenant, zone: &NetworkZone, owners: &[HostOwner]) -> Setting {
        let namespace = serde_json::to_value(namespace(tenant, zone)).unwrap_or_default();
        let zone = zone_param(zone, owners);
        let mut digest = Sha256::new();
        for part in [&namespace, &zone] {
            digest.update(part.to_string().as_bytes());
            digest.update([0]);
        }
        Setting { namespace, zone, digest: digest.finalize().into() }
    }
}

#[cfg(test)]
mod tests;
