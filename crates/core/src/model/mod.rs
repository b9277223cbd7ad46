//! The declared model: every `NetworkZone`, `Tenant`, `DepartmentApp` and
//! `ResourceRequest`, read from files (offline) or from the cluster's caches
//! (the operator).
//!
//! ```text
//!   YAML files ──load──► Model + origins ──render──► objects, flows, problems
//! ```
//!
//! Loading checks each object by itself, with the same schema and CEL rules the
//! API server applies (the CRD is the single definition); `govcloud_render`
//! checks what objects say about each other.

mod load;
mod schema;

pub use load::{LoadedModel, load_mixed, load_paths, load_str};

use std::collections::BTreeMap;

use kube::ResourceExt;

use crate::api::{DepartmentApp, NetworkZone, ResourceRequest, Tenant};

/// The cluster's pod and service ranges when nothing else is said: the
/// kubeadm defaults (`--pod-network-cidr` as flannel and many CNIs set it up,
/// `--service-cluster-ip-range`).
pub const DEFAULT_CLUSTER_CIDRS: [&str; 2] = ["10.244.0.0/16", "10.96.0.0/12"];

/// Whether `cluster` (`None`: the cluster without a name) hosts `zone`: the
/// one definition of where a zone's objects live.
pub fn hosted_by(zone: &NetworkZone, cluster: Option<&str>) -> bool {
    zone.spec.cluster.as_deref() == cluster
}

/// Everything declared, in no particular order.
#[derive(Clone, Debug)]
pub struct Model {
    /// Declared zones.
    pub zones: Vec<NetworkZone>,
    /// Declared tenants.
    pub tenants: Vec<Tenant>,
    /// Declared apps.
    pub apps: Vec<DepartmentApp>,
    /// Departments' requests not yet folded into `tenants`:
    /// `govcloud_render::grant_requests` turns the tenants into what is
    /// granted (declared plus approved, unexpired requests) and empties this.
    pub requests: Vec<ResourceRequest>,
    /// The cluster's own pod and service ranges: wide ipBlocks (the internet,
    /// an egress range) except them, so a CNI that matches pod IPs against
    /// ipBlocks opens nothing extra. [`DEFAULT_CLUSTER_CIDRS`] by default.
    pub cluster_cidrs: Vec<String>,
    /// The API server's addresses as a pod is shown them (the endpoints of
    /// Service `default/kubernetes`: the operator watches its
    /// EndpointSlices, `govcloud render --api-server` gives them offline):
    /// every egress ipBlock that holds one excepts it (a /32 or /128), so no
    /// zone's wide egress reaches the API server. Empty by default (then
    /// nothing is excepted for it).
    pub api_server: Vec<String>,
    /// The cluster this model is materialised in (`govcloud run --cluster`):
    /// only the zones whose `spec.cluster` is this one get objects here;
    /// `None` is the cluster without a name, which hosts the zones that name
    /// none. The rest of the model is still planned, so both sides of a
    /// flow between clusters decide it alike.
    pub cluster: Option<String>,
    /// A digest of the data of each ConfigMap apps read, by `namespace/name`
    /// ([`config_map_key`], [`config_map_digest`]): the operator keeps them
    /// from its ConfigMap watch, a live audit reads them; empty offline. An
    /// app's pod template carries a digest of its ConfigMaps', so a change of
    /// their data rolls its pods. A ConfigMap not listed counts as absent.
    pub config_map_digests: BTreeMap<String, String>,
    /// The cluster serves policy.networking.k8s.io ClusterNetworkPolicy:
    /// zones also render Admin-tier isolation (`render::admin`). False by
    /// default, when the rendering is what it always was.
    pub admin_tier: bool,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            zones: Vec::new(),
            tenants: Vec::new(),
            apps: Vec::new(),
            requests: Vec::new(),
            cluster_cidrs: DEFAULT_CLUSTER_CIDRS.iter().map(|c| c.to_string()).collect(),
            api_server: Vec::new(),
            cluster: None,
            config_map_digests: BTreeMap::new(),
            admin_tier: false,
        }
    }
}

/// The key of a ConfigMap in [`Model::config_map_digests`].
pub fn config_map_key(namespace: &str, name: &str) -> String {
    format!("{namespace}/{name}")
}

/// A digest of a ConfigMap's data and binary data (hex sha256, first 16
/// bytes), from the object as JSON; the same whatever the order of its keys.
pub fn config_map_digest(config_map: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    let mut entries: Vec<(&str, &str, String)> = Vec::new();
    for section in ["data", "binaryData"] {
        if let Some(map) = config_map.get(section).and_then(serde_json::Value::as_object) {
            entries.extend(map.iter().map(|(k, v)| (section, k.as_str(), v.to_string())));
        }
    }
    entries.sort();
    let mut h = Sha256::new();
    for (section, key, value) in entries {
        // Lengths first: no two different maps give the same bytes.
        for part in [section, key, value.as_str()] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
    }
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The digests of the ConfigMaps among `objects` (Kubernetes objects as
/// JSON), by [`config_map_key`].
pub fn config_map_digests<'a>(objects: impl IntoIterator<Item = &'a serde_json::Value>) -> BTreeMap<String, String> {
    objects
        .into_iter()
        .filter(|o| o.get("kind").and_then(serde_json::Value::as_str) == Some("ConfigMap"))
        .filter_map(|o| {
            let meta = o.get("metadata")?;
            let (ns, name) = (meta.get("namespace")?.as_str()?, meta.get("name")?.as_str()?);
            Some((config_map_key(ns, name), config_map_digest(o)))
        })
        .collect()
}

impl Model {
    /// Zones by name.
    pub fn zones_by_name(&self) -> BTreeMap<String, &NetworkZone> {
        self.zones.iter().map(|z| (z.name_any(), z)).collect()
    }

    /// The clusters the model's zones name, each once, sorted: `None` (the
    /// cluster without a name) first when a zone names none.
    pub fn clusters(&self) -> Vec<Option<String>> {
        let mut c: Vec<Option<String>> = self.zones.iter().map(|z| z.spec.cluster.clone()).collect();
        c.sort();
        c.dedup();
        c
    }

    /// Whether this model's cluster ([`Model::cluster`]) hosts the zone
    /// named `zone` (an undeclared zone is hosted nowhere).
    pub fn hosts_zone(&self, zone: &str) -> bool {
        self.zones.iter().any(|z| z.name_any() == zone && hosted_by(z, self.cluster.as_deref()))
    }

    /// Tenants by name.
    pub fn tenants_by_name(&self) -> BTreeMap<String, &Tenant> {
        self.tenants.iter().map(|t| (t.name_any(), t)).collect()
    }
}

#[cfg(test)]
mod tests;
