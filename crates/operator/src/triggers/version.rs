//! The model version: bumped on every change to the declared model (never
//! on a status write), and what each reconcile must see at least; what an
//! object looked like to the model and to those depending on it.

use kube::api::DynamicObject;

use crate::triggers::Triggers;
use std::sync::atomic::Ordering;

/// What of an owned object (or a node) the operator reads: everything but
/// its resourceVersion, field ownership and status; then, apart, the parts
/// of the status that statuses report: a Deployment's or StatefulSet's ready and updated
/// replicas and the refusal of its pods, a CronJob's runs, a namespace's phase, a quota's counts, a node's readiness.
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
        // A refusal of its pods (quota, limits) is in the app's status too.
        "Deployment" | "StatefulSet" => {
            (status("/readyReplicas"), status("/updatedReplicas"), replica_failure(&o.data)).hash(&mut st)
        }
        "CronJob" => (status("/lastScheduleTime"), status("/lastSuccessfulTime"), status("/active")).hash(&mut st),
        "Namespace" => status("/phase").hash(&mut st),
        "ResourceQuota" => status("").hash(&mut st),
        "Node" => {
            let ready = o
                .data
                .pointer("/status/conditions")
                .and_then(|c| c.as_array())
                .and_then(|c| c.iter().find(|c| c["type"] == "Ready").map(|c| c["status"].to_string()));
            // The zone's status reads its nodes' platform and cores too.
            (ready, status("/nodeInfo/architecture"), status("/nodeInfo/osImage"), status("/nodeInfo/kernelVersion"))
                .hash(&mut st);
            status("/capacity/cpu").hash(&mut st)
        }
        _ => {}
    }
    (h.finish(), st.finish())
}

/// The message of a workload's `ReplicaFailure` condition when it holds: the
/// deployment controller copies it from the ReplicaSet that cannot create
/// its pods (`FailedCreate`: `pods "…" is forbidden: exceeded quota: …`).
pub fn replica_failure(workload: &serde_json::Value) -> Option<String> {
    workload
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == "ReplicaFailure" && c["status"] == "True")
        .map(|c| c["message"].as_str().unwrap_or_default().to_string())
}

/// What of an object the model depends on: uid, generation, being deleted.
pub(super) type ModelState = (String, i64, bool);

pub(super) fn object_key(kind: &str, namespace: &str, name: &str) -> String {
    format!("{kind}/{namespace}/{name}")
}

impl Triggers {
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

    /// The oldest model version a reconcile of `kind` `namespace/name` may
    /// use: the one in which its current spec appeared, or the one current
    /// when a change elsewhere sent it, whichever is newer.
    pub fn needed_version(&self, kind: &str, namespace: &str, name: &str) -> u64 {
        let key = object_key(kind, namespace, name);
        let own = self.0.seen.lock().ok().and_then(|s| s.get(&key).map(|(_, v)| *v)).unwrap_or(0);
        let sent = self.0.needs.lock().ok().and_then(|n| n.get(&key).copied()).unwrap_or(0);
        own.max(sent)
    }
}
