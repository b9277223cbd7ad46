//! The admin tier: whether the cluster serves the network-policy API's
//! ClusterNetworkPolicy, found by discovery at start and checked again every
//! [`CHECK_INTERVAL`], and the cache of govcloud's ClusterNetworkPolicies,
//! watched only while the API is served.
//!
//! ```text
//!   discovery ──► served? ──yes──► watch CNPs into the owned cache, Model.admin_tier = true
//!       ▲             └────no───► no watch, empty cache,            Model.admin_tier = false
//!       └── every CHECK_INTERVAL; a change re-plans the model and reconciles every zone
//! ```
//!
//! A watch of a kind the API server does not serve is never started, so a
//! cluster without the CRD runs the operator as it always did.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use kube::Client;
use kube::api::{Api, DynamicObject};
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher::{self, watcher};
use kube::runtime::{WatchStreamExt, reflector::Store};
use tracing::{info, warn};

use super::cache::{KeptWriter, OwnedCaches, OwnedKind};
use super::error::StartError;
use super::watch::{OwnedEvents, slim};
use govcloud_core::meta::cluster_policy::{GROUP, PLURAL, VERSION};

/// How often discovery is asked again whether the API is served.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(10);

/// Whether the cluster serves ClusterNetworkPolicy (`policy.networking.k8s.io`, the version govcloud writes).
pub async fn served(client: &Client) -> Result<bool, kube::Error> {
    match client.list_api_group_resources(&format!("{GROUP}/{VERSION}")).await {
        Ok(list) => Ok(list.resources.iter().any(|r| r.name == PLURAL)),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(false),
        Err(e) => Err(e),
    }
}

/// The state of the admin tier and the watch that fills its cache.
pub struct AdminTier {
    served: AtomicBool,
    client: Client,
    selector: String,
    /// Whole, for the audit (a few objects: one per zone).
    store: Store<DynamicObject>,
    /// The whole objects' cache, and the owned-object cache's.
    writer: Arc<tokio::sync::Mutex<(Writer<DynamicObject>, KeptWriter)>>,
    events: Arc<OwnedEvents>,
    watch: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl AdminTier {
    /// Whether the cluster serves the API (as last found).
    pub fn served(&self) -> bool {
        self.served.load(Ordering::SeqCst)
    }

    /// The cached ClusterNetworkPolicies of govcloud (empty while not served).
    pub fn cached(&self) -> Vec<Arc<DynamicObject>> {
        if self.served() { self.store.state() } else { Vec::new() }
    }

    /// Adds the kind's (empty) cache to `owned` and, when discovery finds
    /// the API, starts its watch and waits for its first list.
    pub(super) async fn start(
        client: &Client,
        selector: &str,
        owned: &mut OwnedCaches,
        events: OwnedEvents,
    ) -> Result<AdminTier, StartError> {
        let kind = govcloud_core::meta::kinds::owned_kind(
            <govcloud_core::meta::cluster_policy::ClusterNetworkPolicy as k8s_openapi::Resource>::KIND,
        )
        .ok_or(StartError::NoClusterPolicyKind)?;
        let ar = kind.api_resource();
        let writer = Writer::<DynamicObject>::new(ar.clone());
        let store = writer.as_reader();
        let kept = KeptWriter::new();
        owned
            .kinds
            .insert(kind.kind.to_string(), OwnedKind { resource: ar, namespaced: false, store: kept.as_reader() });
        let writer = (writer, kept);
        let tier = AdminTier {
            served: AtomicBool::new(false),
            client: client.clone(),
            selector: selector.to_string(),
            store,
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            events: Arc::new(events),
            watch: Mutex::new(None),
        };
        match served(client).await {
            Ok(true) => {
                tier.begin().await;
                info!("the cluster serves ClusterNetworkPolicy: zones get Admin-tier isolation");
            }
            Ok(false) => info!("the cluster does not serve ClusterNetworkPolicy: isolation by NetworkPolicies only"),
            Err(e) => warn!(error = %e, "cannot ask discovery for ClusterNetworkPolicy; checking again later"),
        }
        Ok(tier)
    }

    /// Starts the watch and waits (bounded) for its first list; marks the API served.
    pub(super) async fn begin(&self) {
        let api: Api<DynamicObject> = Api::all_with(self.client.clone(), &self.store_resource());
        let stream = watcher(api, crate::watch::config().labels(&self.selector))
            .backoff(super::watch::backoff())
            .modify(|o| slim("ClusterNetworkPolicy", o));
        let (writer, events) = (self.writer.clone(), self.events.clone());
        let task = tokio::spawn(async move {
            let mut writer = writer.lock_owned().await;
            let mut stream = std::pin::pin!(stream);
            while let Some(ev) = stream.next().await {
                if let Ok(e) = &ev {
                    govcloud_core::memory::lasting(|| writer.0.apply_watcher_event(e));
                    writer.1.event(e);
                }
                events.on(&ev);
            }
        });
        if let Ok(mut w) = self.watch.lock()
            && let Some(old) = w.replace(task)
        {
            old.abort();
        }
        if tokio::time::timeout(Duration::from_secs(30), self.store.wait_until_ready()).await.is_err() {
            warn!("ClusterNetworkPolicy: the first list takes more than 30 s; going on");
        }
        self.served.store(true, Ordering::SeqCst);
    }

    /// Stops the watch and empties the cache; marks the API not served.
    pub(super) async fn end(&self) {
        self.served.store(false, Ordering::SeqCst);
        if let Some(task) = self.watch.lock().ok().and_then(|mut w| w.take()) {
            task.abort();
            let _ = task.await;
        }
        // An empty relist: the caches (and the owner index in the kept one) forget every object.
        let mut writer = self.writer.lock().await;
        for ev in [watcher::Event::Init, watcher::Event::InitDone] {
            writer.0.apply_watcher_event(&ev);
            writer.1.event(&ev);
            self.events.on(&Ok(ev));
        }
    }

    fn store_resource(&self) -> kube::api::ApiResource {
        govcloud_core::meta::kinds::owned_kind(
            <govcloud_core::meta::cluster_policy::ClusterNetworkPolicy as k8s_openapi::Resource>::KIND,
        )
        .map(|k| k.api_resource())
        .unwrap_or_else(|| {
            kube::api::ApiResource::erase::<govcloud_core::meta::cluster_policy::ClusterNetworkPolicy>(&())
        })
    }
}

impl Drop for AdminTier {
    fn drop(&mut self) {
        if let Some(task) = self.watch.lock().ok().and_then(|mut w| w.take()) {
            task.abort();
        }
    }
}
