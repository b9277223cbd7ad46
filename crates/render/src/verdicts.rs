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
use govcloud_core::controls::eval::{Evaluator, Failure};

/// The public host names each tenant owns: its `allowedHosts`, which for a
/// granted model ([`crate::grant_requests`]) include its approved
/// Hostname requests. A host two tenants name is listed for both (neither
/// gets it from the other; the audit reports it).
pub fn host_owners<'t>(tenants: impl IntoIterator<Item = &'t Tenant>) -> Vec<HostOwner> {
    let mut out: Vec<HostOwner> =
        tenants.into_iter().flat_map(|t| t.spec.allowed_hosts.iter().map(move |h| HostOwner { host: h.to_ascii_lowercase(), tenant: t.name_any() })).collect();
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
    /// zone.
    ///
    /// The app is judged as a request creating it carries it: without status
    /// or the server's bookkeeping (resourceVersion, field ownership, ...).
    pub fn failures(&self, evaluator: &Evaluator, app: &DepartmentApp, tenant: &Tenant, zone: &NetworkZone, owners: &[HostOwner]) -> Vec<Failure> {
        let json = |v: Result<serde_json::Value, serde_json::Error>| v.unwrap_or_default();
        let mut object = controls::eval::judged(json(serde_json::to_value(app)));
        object["kind"] = "DepartmentApp".into();
        // Nor what a request creating it does not carry.
        if let Some(m) = object["metadata"].as_object_mut() {
            for absent in ["finalizers", "ownerReferences"] {
                m.remove(absent);
            }
        }
        let namespace = json(serde_json::to_value(namespace(tenant, zone)));
        let zone = zone_param(zone, owners);
        let mut digest = Sha256::new();
        for part in [&object, &namespace, &zone] {
            digest.update(part.to_string().as_bytes());
            digest.update([0]);
        }
        let key: [u8; 32] = digest.finalize().into();
        if let Some(known) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return known.clone();
        }
        let found = controls::eval::failures(evaluator, &object, Some(&namespace), Some(&zone));
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= Self::KEPT {
            kept.clear();
        }
        kept.insert(key, found.clone());
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use govcloud_core::api::{Exposure, ZoneKind};

    #[test]
    fn kept_verdicts_follow_what_was_judged() {
        let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("examples/chifeng");
        let model = govcloud_core::model::load_paths(&[dir]).expect("chifeng").model;
        let (evaluator, verdicts) = (Evaluator::new(), Verdicts::default());
        let app = model.apps.first().expect("an app");
        let ns = app.namespace().unwrap_or_default();
        let (tenant, zone) = govcloud_core::meta::names::split_namespace(&ns).expect("a tenant namespace");
        let tenant = model.tenants.iter().find(|t| t.name_any() == tenant).expect("its tenant");
        let zone = model.zones.iter().find(|z| z.name_any() == zone).expect("its zone");
        let ids = |f: &[Failure]| f.iter().map(|f| f.check.control).collect::<Vec<_>>();
        let first = verdicts.failures(&evaluator, app, tenant, zone, &[]);
        assert_eq!(ids(&verdicts.failures(&evaluator, app, tenant, zone, &[])), ids(&first), "the same inputs, the same verdict");
        // Bookkeeping does not change the verdict; the spec does.
        let mut touched = app.clone();
        touched.metadata.resource_version = Some("12345".into());
        assert_eq!(ids(&verdicts.failures(&evaluator, &touched, tenant, zone, &[])), ids(&first));
        let mut foreign = app.clone();
        foreign.spec.image = "docker.io/library/nginx:1".into();
        let verdict = verdicts.failures(&evaluator, &foreign, tenant, zone, &[]);
        assert!(ids(&verdict).contains(&controls::IMAGE_REGISTRY), "a foreign image fails GC-IMG-001: {:?}", ids(&verdict));
        assert!(!ids(&first).contains(&controls::IMAGE_REGISTRY), "{:?}", ids(&first));
        assert_eq!(verdicts.len(), 2, "kept by what was judged: the app as first seen, and the foreign image");
    }

    #[test]
    fn a_host_a_tenant_owns_is_refused_to_every_other_tenants_app() {
        let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("examples/chifeng");
        let mut model = govcloud_core::model::load_paths(&[dir]).expect("chifeng").model;
        let zone = model.zones.iter().find(|z| z.spec.kind == ZoneKind::Internet).expect("an internet zone").clone();
        let domain = zone.spec.public_domain.clone().expect("a public domain");
        let public: Vec<&DepartmentApp> = model.apps.iter().filter(|a| a.spec.zone == zone.name_any() && a.spec.exposure == Exposure::Public).collect();
        let (mine, theirs) =
            (public[0].clone(), public.iter().find(|a| a.namespace() != public[0].namespace()).copied().expect("two tenants' public apps").clone());
        let owner = govcloud_core::meta::names::split_namespace(&mine.namespace().unwrap_or_default()).expect("tenant namespace").0.to_string();
        let other = govcloud_core::meta::names::split_namespace(&theirs.namespace().unwrap_or_default()).expect("tenant namespace").0.to_string();
        let host = format!("owned.{domain}");
        if let Some(t) = model.tenants.iter_mut().find(|t| t.name_any() == owner) {
            t.spec.allowed_hosts.push(host.clone());
        }
        let owners = host_owners(&model.tenants);
        assert!(owners.contains(&HostOwner { host: host.clone(), tenant: owner.clone() }), "{owners:?}");
        let param = zone_param(&zone, &owners);
        assert_eq!(param["status"]["hostOwners"].as_array().map(Vec::len), Some(owners.len()));
        let (evaluator, verdicts) = (Evaluator::new(), Verdicts::default());
        let tenant = |n: &str| model.tenants.iter().find(|t| t.name_any() == n).expect("tenant").clone();
        let with_host = |a: &DepartmentApp| {
            let mut a = a.clone();
            a.spec.host = Some(host.clone());
            a
        };
        let refused = |a: &DepartmentApp, t: &str| {
            verdicts.failures(&evaluator, &with_host(a), &tenant(t), &zone, &owners).iter().any(|f| f.check.control == controls::PUBLIC_HOSTS)
        };
        assert!(refused(&theirs, &other), "another tenant's app is refused the host {host}");
        assert!(!refused(&mine, &owner), "the owner's app may use it");
        // Without the owners (an old status), only the domain rule judges.
        assert!(verdicts.failures(&evaluator, &with_host(&theirs), &tenant(&other), &zone, &[]).iter().all(|f| f.check.control != controls::PUBLIC_HOSTS));
    }
}
