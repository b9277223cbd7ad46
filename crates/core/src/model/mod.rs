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
    /// The cluster this model is materialised in (`govcloud run --cluster`):
    /// only the zones whose `spec.cluster` is this one get objects here;
    /// `None` is the cluster without a name, which hosts the zones that name
    /// none. The rest of the model is still planned, so both sides of a
    /// flow between clusters decide it alike.
    pub cluster: Option<String>,
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
            cluster: None,
            admin_tier: false,
        }
    }
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
