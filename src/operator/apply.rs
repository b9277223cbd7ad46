//! The only place that writes owned objects: server-side apply under one
//! field manager, skipped when the cache already holds the desired state;
//! deletion of what is ours but no longer desired.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use kube::{Client, ResourceExt};
use serde_json::Value;

use super::cache::OwnedCaches;
use super::compare::{APPLIED_HASH, desired_hash, object_contains};
use super::error::{Error, Result};
use crate::render::Owned;
use crate::render::labels::MANAGER;

/// What applying an owner's objects did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    /// Objects created.
    pub created: Vec<String>,
    /// Objects changed because the desired state changed.
    pub updated: Vec<String>,
    /// Objects restored after someone changed or deleted them.
    pub repaired: Vec<String>,
    /// Objects deleted because they are no longer desired.
    pub pruned: Vec<String>,
    /// Objects already as desired.
    pub unchanged: usize,
    /// Some objects were just applied and are not in the cache yet: look again soon.
    pub in_flight: bool,
}

impl ApplyReport {
    /// Whether any write happened.
    pub fn wrote(&self) -> bool {
        !(self.created.is_empty() && self.updated.is_empty() && self.repaired.is_empty() && self.pruned.is_empty())
    }
}

/// Remembers what was applied recently, so an object whose watch event has
/// not arrived yet is not mistaken for one deleted by hand.
#[derive(Default)]
pub struct InFlight {
    /// key -> (hash applied, when, seen in the cache since)
    applied: Mutex<HashMap<String, (String, Instant, bool)>>,
}

/// How long an applied object may be missing from the cache before we
/// believe it is really gone.
const IN_FLIGHT: Duration = Duration::from_secs(10);

impl InFlight {
    fn recent(&self, key: &str, hash: &str) -> bool {
        self.applied.lock().map(|m| m.get(key).is_some_and(|(h, t, seen)| h == hash && !seen && t.elapsed() < IN_FLIGHT)).unwrap_or(false)
    }
    fn seen(&self, key: &str) {
        if let Ok(mut m) = self.applied.lock()
            && let Some(e) = m.get_mut(key)
        {
            e.2 = true;
        }
    }
    fn known(&self, key: &str) -> bool {
        self.applied.lock().map(|m| m.contains_key(key)).unwrap_or(false)
    }
    fn record(&self, key: &str, hash: &str) {
        if let Ok(mut m) = self.applied.lock() {
            m.insert(key.to_string(), (hash.to_string(), Instant::now(), false));
        }
    }
    fn forget(&self, key: &str) {
        if let Ok(mut m) = self.applied.lock() {
            m.remove(key);
        }
    }
}

/// The desired JSON of an owned object, with owner reference, scope labels and hash annotation.
pub fn desired_json(
    o: &Owned,
    owner: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference>,
    extra_labels: &[(String, String)],
) -> Result<Value> {
    let mut v = serde_json::to_value(o).map_err(|e| Error::Serialize(o.id(), e))?;
    let meta = v.get_mut("metadata").and_then(Value::as_object_mut).ok_or_else(|| Error::Waiting(format!("{} has no metadata", o.id())))?;
    if let Some(owner) = owner {
        meta.insert("ownerReferences".into(), serde_json::to_value(vec![owner]).map_err(|e| Error::Serialize(o.id(), e))?);
    }
    let labels = meta.entry("labels").or_insert_with(|| Value::Object(Default::default()));
    if let Some(l) = labels.as_object_mut() {
        for (k, val) in extra_labels {
            l.insert(k.clone(), Value::String(val.clone()));
        }
    }
    let hash = desired_hash(&v);
    let meta = v.get_mut("metadata").and_then(Value::as_object_mut).ok_or_else(|| Error::Waiting(o.id()))?;
    let ann = meta.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
    if let Some(a) = ann.as_object_mut() {
        a.insert(APPLIED_HASH.into(), Value::String(hash));
    }
    Ok(v)
}

fn hash_of(v: &Value) -> String {
    v.pointer(&format!("/metadata/annotations/{}", APPLIED_HASH.replace('/', "~1"))).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// Applies `desired` (in order, stopping at the first failure so isolation
/// always precedes use), then deletes objects owned by `owner` that are not desired.
pub async fn apply_owned(
    client: &Client,
    caches: &OwnedCaches,
    inflight: &InFlight,
    desired: &[(Owned, Value)],
    owner: (&str, Option<&str>, &str),
) -> Result<ApplyReport> {
    let mut report = ApplyReport::default();
    let mut wanted: BTreeSet<(String, String, String)> = BTreeSet::new();
    for (o, v) in desired {
        let (kind, ns, name) = (o.kind(), o.namespace(), o.name());
        wanted.insert((kind.to_string(), ns.to_string(), name.to_string()));
        let Some(k) = caches.kinds.get(kind) else { continue };
        let key = o.id();
        let hash = hash_of(v);
        let actual = caches.get(kind, ns, name);
        match &actual {
            Some(a) => {
                inflight.seen(&key);
                let actual_json = serde_json::to_value(a.as_ref()).map_err(|e| Error::Serialize(key.clone(), e))?;
                if hash_of(&actual_json) == hash && object_contains(&actual_json, v) {
                    report.unchanged += 1;
                    continue;
                }
                if hash_of(&actual_json) == hash {
                    report.repaired.push(format!("{key} (changed by hand)"));
                } else {
                    report.updated.push(key.clone());
                }
            }
            None if inflight.recent(&key, &hash) => {
                report.unchanged += 1;
                report.in_flight = true;
                continue;
            }
            None if inflight.known(&key) => report.repaired.push(format!("{key} (deleted by hand)")),
            None => report.created.push(key.clone()),
        }
        let api: Api<DynamicObject> =
            if k.namespaced { Api::namespaced_with(client.clone(), ns, &k.resource) } else { Api::all_with(client.clone(), &k.resource) };
        api.patch(name, &PatchParams::apply(MANAGER).force(), &Patch::Apply(v)).await?;
        inflight.record(&key, &hash);
    }
    // Prune: ours, owned by this owner, no longer desired.
    for (kind, obj) in caches.owned_by(owner.0, owner.1, owner.2) {
        let ns = obj.namespace().unwrap_or_default();
        let name = obj.name_any();
        if wanted.contains(&(kind.clone(), ns.clone(), name.clone())) || obj.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let Some(k) = caches.kinds.get(&kind) else { continue };
        let api: Api<DynamicObject> =
            if k.namespaced { Api::namespaced_with(client.clone(), &ns, &k.resource) } else { Api::all_with(client.clone(), &k.resource) };
        match api.delete(&name, &DeleteParams::background()).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(e.into()),
        }
        let key = if ns.is_empty() { format!("{kind}/{name}") } else { format!("{kind}/{ns}/{name}") };
        inflight.forget(&key);
        report.pruned.push(key);
    }
    Ok(report)
}
