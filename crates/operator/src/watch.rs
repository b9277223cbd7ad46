//! The watches' plumbing, with no operator state: reflectors of the kinds
//! the operator reads, where an owned kind's watch events go, and what the
//! owned-object caches keep of an object.

use std::sync::Arc;

use futures::StreamExt;
use kube::Resource;
use kube::api::{Api, DynamicObject};
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher::{self, Config as WatchConfig, watcher};
use tracing::warn;

use super::apply;
use super::metrics::Metrics;
use super::triggers::Triggers;
use govcloud_core::meta::labels::{CONFIG_DIGEST, MANAGER};
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The configuration every watch of the operator starts from (kube's
/// default pages of 500: smaller pages were tried and not measured, and a
/// control-plane fault test did not converge with them; see BENCHMARKS).
pub(crate) fn config() -> WatchConfig {
    WatchConfig::default()
}

/// The backoff of every watch the operator runs: kube's default (0.8 s
/// doubling to 30 s, with jitter; back to 0.8 s once 120 s pass without an
/// error), except that an item read does not reset it. kube's
/// `StreamBackoff` resets its backoff on every `Ok`, and the watcher yields
/// `Ok(Event::Init)` before each initial list, so a list that kept failing
/// (a 403 for a missing Role, an API server down) was retried about once a
/// second for as long as it failed, a LIST and a warning each time.
pub(crate) fn backoff() -> Patient {
    Patient(watcher::DefaultBackoff::default())
}

/// See [`backoff`].
pub(crate) struct Patient(watcher::DefaultBackoff);

impl Iterator for Patient {
    type Item = std::time::Duration;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }
}

impl kube::runtime::utils::Backoff for Patient {
    /// Only the 120 s without an error resets it (inside the default backoff).
    fn reset(&mut self) {}
}

pub(super) fn spawn_reflector<K>(
    api: Api<K>,
    cfg: WatchConfig,
    metrics: &Metrics,
    on_event: impl Fn(&K, bool) + Send + Sync + 'static,
) -> Store<K>
where
    K: Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + Sync + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone + Send + Sync,
{
    spawn_reflector_of(api, cfg, metrics, |o: &mut K| slim_meta(o.meta_mut()), on_event)
}

/// What the typed stores (zones, tenants, apps, requests, nodes) do not
/// keep of an object's metadata, as nothing reads it: its field ownership
/// (often as large as the rest) and `kubectl apply`'s copy of what was last
/// applied (the whole object again, on every object a department applies
/// with kubectl; the audit leaves it out too).
pub(crate) fn slim_meta(meta: &mut kube::api::ObjectMeta) {
    meta.managed_fields = None;
    if let Some(a) = meta.annotations.as_mut() {
        a.remove(govcloud_core::meta::labels::LAST_APPLIED);
        if a.is_empty() {
            meta.annotations = None;
        }
    }
}

/// The ConfigMaps of the cluster, each kept as its name and the digest of
/// its data ([`slim_config_map`]): the apps that read one roll when it changes.
pub(super) fn watch_config_maps(client: &kube::Client, metrics: &Metrics, triggers: &Triggers) -> Store<ConfigMap> {
    let t = triggers.clone();
    spawn_reflector_of(Api::<ConfigMap>::all(client.clone()), config(), metrics, slim_config_map, move |cm, deleted| {
        t.config_map_changed(cm, deleted);
    })
}

/// What the ConfigMap cache keeps of one: its name, namespace, uid, version
/// and the digest of its data (annotation [`CONFIG_DIGEST`]); never the data.
pub(crate) fn slim_config_map(cm: &mut ConfigMap) {
    let digest =
        govcloud_core::model::config_map_digest(&serde_json::json!({"data": &cm.data, "binaryData": &cm.binary_data}));
    let m = std::mem::take(&mut cm.metadata);
    *cm = ConfigMap {
        metadata: ObjectMeta {
            name: m.name,
            namespace: m.namespace,
            uid: m.uid,
            resource_version: m.resource_version,
            annotations: Some(std::collections::BTreeMap::from([(CONFIG_DIGEST.to_string(), digest)])),
            ..Default::default()
        },
        ..Default::default()
    };
}

fn spawn_reflector_of<K>(
    api: Api<K>,
    cfg: WatchConfig,
    metrics: &Metrics,
    slim: impl FnMut(&mut K) + Send + 'static,
    on_event: impl Fn(&K, bool) + Send + Sync + 'static,
) -> Store<K>
where
    K: Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + Sync + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone + Send + Sync,
{
    let (store, mut writer) = reflector::store();
    // As kube's `reflector` (a store made by `reflector::store` has no
    // subscribers to tell), the store's copies on the pages of what lasts.
    let stream = watcher(api, cfg).backoff(backoff()).modify(slim).map(move |ev| {
        if let Ok(ev) = &ev {
            govcloud_core::memory::lasting(|| writer.apply_watcher_event(ev));
        }
        ev
    });
    let (metrics, watch_name) = (metrics.clone(), K::kind(&K::DynamicType::default()).to_string());
    tokio::spawn(async move {
        stream
            .for_each(|ev| {
                metrics.watch_event(&watch_name, &ev);
                deliver(&ev, &on_event, &watch_name);
                futures::future::ready(())
            })
            .await;
    });
    store
}

/// Gives an object's event to `on_event` (deleted or not). What the
/// triggers keep of it (its keys, the app graph, the fingerprints) lasts as
/// the caches' copies do, so it is allocated as they are
/// ([`govcloud_core::memory::lasting`]), not on the pages of the
/// reconciles' and rounds' short-lived allocations, which it would keep
/// resident after they are freed.
fn deliver<K>(ev: &watcher::Result<watcher::Event<K>>, on_event: &impl Fn(&K, bool), kind: &str) {
    match ev {
        Ok(watcher::Event::Apply(o) | watcher::Event::InitApply(o)) => {
            govcloud_core::memory::lasting(|| on_event(o, false))
        }
        Ok(watcher::Event::Delete(o)) => govcloud_core::memory::lasting(|| on_event(o, true)),
        Ok(_) => {}
        Err(e) => warn!(error = %e, kind = %kind, "watch error"),
    }
}

/// Where the watch events of an owned kind go (after its cache, which
/// indexes them by owner, has taken them): the echo filter of the
/// operator's own writes, the triggers and the metrics.
pub(super) struct OwnedEvents {
    pub(super) kind: String,
    pub(super) inflight: Arc<apply::InFlight>,
    pub(super) triggers: Triggers,
    pub(super) metrics: Metrics,
}

impl OwnedEvents {
    /// Records one watch event (after the cache has taken it). What the
    /// triggers keep of it lasts as the cache's copy does, so it is
    /// allocated as that is ([`govcloud_core::memory::lasting`]).
    pub(super) fn on(&self, ev: &std::result::Result<watcher::Event<DynamicObject>, watcher::Error>) {
        govcloud_core::memory::lasting(|| self.record(ev))
    }

    fn record(&self, ev: &std::result::Result<watcher::Event<DynamicObject>, watcher::Error>) {
        let (kind_name, t, inflight) = (&self.kind, &self.triggers, &self.inflight);
        self.metrics.watch_event(kind_name, ev);
        match ev {
            Ok(watcher::Event::Apply(o)) => {
                let echo = inflight.is_echo(kind_name, o, false);
                t.owned_changed(kind_name, o, false, echo);
            }
            Ok(watcher::Event::Delete(o)) => {
                let echo = inflight.is_echo(kind_name, o, true);
                t.owned_changed(kind_name, o, true, echo);
            }
            Ok(watcher::Event::InitApply(o)) => t.owned_listed(kind_name, o),
            Ok(watcher::Event::Init | watcher::Event::InitDone) => {}
            Err(e) => warn!(error = %e, kind = %kind_name, "watch error"),
        }
    }
}

/// What the owned-object caches keep of an object: everything but the
/// status (except where it is read) and the field ownership records (often the larger part of an object), except bare
/// marks (no field lists) of govcloud's own create-time entry, which apply
/// removes ([`crate::ownership::has_update_entry`]), and of others' entries on the
/// object's content: hand edits, repaired ([`crate::ownership::foreign_content_entry`]).
pub(super) fn slim(kind: &str, o: &mut DynamicObject) {
    // Statuses are read of these only (see `triggers::fingerprint` and the
    // status of apps and tenants).
    if !matches!(kind, "Deployment" | "StatefulSet" | "CronJob" | "Namespace" | "ResourceQuota")
        && let Some(data) = o.data.as_object_mut()
    {
        data.remove("status");
    }
    if let Some(entries) = o.metadata.managed_fields.as_mut() {
        entries.retain(|e| {
            (e.manager.as_deref() == Some(MANAGER)
                && e.operation.as_deref() == Some("Update")
                && e.subresource.is_none())
                || crate::ownership::foreign_content_entry(e)
        });
        for e in entries.iter_mut() {
            e.fields_v1 = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use kube::runtime::utils::Backoff;
    use std::time::Duration;

    /// What kube's `StreamBackoff` does with a relist that fails each time:
    /// the watcher's `Init` (an `Ok`, so a reset) before every error.
    fn delays(b: &mut impl Backoff, errors: usize) -> Vec<Duration> {
        (0..errors)
            .map(|_| {
                b.reset();
                b.next().unwrap_or_default()
            })
            .collect()
    }

    /// Every object event reaches `on_event` inside `lasting` (what it
    /// keeps is placed with the caches), with its deletion mark; the
    /// list's bounds and errors reach nobody.
    #[test]
    fn object_events_are_delivered_as_lasting() {
        use kube::runtime::watcher::Event;
        let seen = std::sync::Mutex::new(Vec::new());
        let on = |o: &String, deleted: bool| {
            seen.lock().expect("lock").push((o.clone(), deleted, govcloud_core::memory::is_lasting()))
        };
        let events: Vec<kube::runtime::watcher::Result<Event<String>>> = vec![
            Ok(Event::Init),
            Ok(Event::InitApply("listed".into())),
            Ok(Event::InitDone),
            Ok(Event::Apply("changed".into())),
            Ok(Event::Delete("gone".into())),
            Err(kube::runtime::watcher::Error::NoResourceVersion),
        ];
        for ev in &events {
            super::deliver(ev, &on, "Test");
        }
        assert!(!govcloud_core::memory::is_lasting(), "the mark is put back");
        let got = seen.into_inner().expect("lock");
        let want: Vec<(String, bool, bool)> =
            [("listed", false), ("changed", false), ("gone", true)].map(|(o, d)| (o.to_string(), d, true)).into();
        assert_eq!(got, want);
    }

    /// The typed stores keep neither field ownership nor kubectl's copy of
    /// what was last applied; every other annotation is kept.
    #[test]
    fn typed_stores_keep_no_field_ownership_and_no_last_applied_copy() {
        use govcloud_core::meta::labels::LAST_APPLIED;
        let mut meta: kube::api::ObjectMeta = serde_json::from_value(serde_json::json!({
            "name": "portal", "namespace": "a-ext",
            "annotations": {LAST_APPLIED: "{\"spec\":{}}", "govcloud.io/keep": "me"},
            "managedFields": [{"manager": "kubectl", "operation": "Apply", "fieldsType": "FieldsV1", "fieldsV1": {}}]
        }))
        .expect("meta");
        super::slim_meta(&mut meta);
        assert!(meta.managed_fields.is_none());
        let kept: Vec<&str> = meta.annotations.iter().flatten().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kept, ["govcloud.io/keep"]);
        let mut only: kube::api::ObjectMeta =
            serde_json::from_value(serde_json::json!({"name": "x", "annotations": {LAST_APPLIED: "{}"}}))
                .expect("meta");
        super::slim_meta(&mut only);
        assert_eq!(only.annotations, None);
        assert_eq!(only.name.as_deref(), Some("x"));
    }

    #[test]
    fn a_list_that_keeps_failing_waits_longer_each_time_up_to_30_s() {
        let d = delays(&mut super::backoff(), 10);
        // 0.8 s doubling, jitter adding up to as much again, at most 30 s (plus jitter).
        for (i, d) in d.iter().enumerate() {
            let floor = Duration::from_millis(800).saturating_mul(1 << i.min(5)).min(Duration::from_secs(30));
            assert!(*d >= floor, "error {}: waited {d:?}, less than {floor:?}", i + 1);
            assert!(*d <= Duration::from_secs(60), "error {}: waited {d:?}", i + 1);
        }
        let total: Duration = d.iter().sum();
        assert!(total >= Duration::from_secs(100), "10 failed lists in {total:?}");
    }
}
