//! Where the API server listens as a pod is shown it: the EndpointSlices of
//! Service `default/kubernetes`, watched (a Role in namespace `default`
//! lets the operator, [`super::install::operator_api_server_role`]). Their
//! addresses, with those given by `--api-server`, are the model's
//! [`Model::api_server`](govcloud_core::model::Model::api_server): every
//! egress ipBlock that holds one excepts it. A change of the addresses (the
//! API server moved, a replica added) re-plans the model and reconciles
//! every tenant and app, whose egress policies carry them.
//!
//! ```text
//!   watch default/kubernetes EndpointSlices ──► addresses changed? ──► new model version,
//!                                                                     every tenant and app reconciled
//! ```

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::Api;
use kube::runtime::reflector::Store;
use kube::{Client, ResourceExt};
use serde_json::Value;
use tracing::{info, warn};

use super::inventory::{as_audited, with_given};
use super::metrics::Metrics;
use super::triggers::Triggers;
use super::watch::spawn_reflector;

/// The namespace of the `kubernetes` Service.
pub const NAMESPACE: &str = "default";
/// The label selector of its EndpointSlices.
pub const SELECTOR: &str = "kubernetes.io/service-name=kubernetes";
/// How long the operator waits at start for the first list of the slices.
const FIRST_LIST: Duration = Duration::from_secs(30);

/// The addresses of each slice by name, and their union as last sent.
type Seen = (BTreeMap<String, Vec<String>>, Vec<String>);

/// The watched EndpointSlices and the addresses given besides.
pub struct ApiServer {
    store: Store<EndpointSlice>,
    given: Vec<String>,
}

impl ApiServer {
    /// Starts the watch; a change of the addresses goes to `triggers`
    /// ([`Triggers::api_server_changed`]).
    pub(super) fn watch(client: &Client, metrics: &Metrics, triggers: &Triggers, given: Vec<String>) -> ApiServer {
        let t = triggers.clone();
        // Per slice, its addresses; the union as last sent.
        let seen: Mutex<Seen> = Mutex::default();
        let store = spawn_reflector(
            Api::<EndpointSlice>::namespaced(client.clone(), NAMESPACE),
            crate::watch::config().labels(SELECTOR),
            metrics,
            move |s, deleted| {
                let Ok(mut seen) = seen.lock() else { return };
                let (by_slice, last) = &mut *seen;
                if deleted {
                    by_slice.remove(&s.name_any());
                } else {
                    by_slice.insert(s.name_any(), addresses(std::slice::from_ref(s)));
                }
                let now = with_given(&by_slice.values().flatten().cloned().collect::<Vec<_>>(), &[]);
                if now != *last {
                    info!(addresses = ?now, "the API server's endpoints changed: egress policies re-rendered");
                    *last = now;
                    t.api_server_changed();
                }
            },
        );
        ApiServer { store, given }
    }

    /// Waits (bounded) for the first list, so the first plan holds the addresses.
    pub(super) async fn wait(&self) {
        if tokio::time::timeout(FIRST_LIST, self.store.wait_until_ready()).await.is_err() {
            warn!(
                "the EndpointSlices of Service default/kubernetes are not listed after 30 s (grant list and watch on endpointslices.discovery.k8s.io in namespace default): egress is rendered without the API server's addresses until they are"
            );
        }
    }

    /// The API server's addresses: the watched slices' and the given ones.
    pub fn addresses(&self) -> Vec<String> {
        let slices: Vec<EndpointSlice> = self.store.state().iter().map(|s| (**s).clone()).collect();
        with_given(&addresses(&slices), &self.given)
    }

    /// The addresses given (`--api-server`).
    pub fn given(&self) -> &[String] {
        &self.given
    }

    /// The watched slices as the audit reads objects.
    pub fn audited(&self) -> Vec<Value> {
        self.store.state().iter().filter_map(|s| audited(s)).collect()
    }
}

fn audited(s: &EndpointSlice) -> Option<Value> {
    let mut v = serde_json::to_value(s).ok()?;
    as_audited(&mut v, "discovery.k8s.io/v1", "EndpointSlice");
    Some(v)
}

/// The addresses of `slices`, as the audit reads them
/// ([`govcloud_audit::api_server::endpoints`]: ready, TCP, of Service
/// `default/kubernetes`).
fn addresses(slices: &[EndpointSlice]) -> Vec<String> {
    let values: Vec<Value> = slices.iter().filter_map(audited).collect();
    govcloud_audit::api_server::addresses(&govcloud_audit::api_server::endpoints(&values))
}

#[cfg(test)]
mod tests;
