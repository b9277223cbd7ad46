//! The declared model: every `NetworkZone`, `Tenant` and `DepartmentApp`,
//! read from files (offline) or from the cluster's caches (the operator).
//!
//! ```text
//!   YAML files ──load──► Model + origins ──render──► objects, flows, problems
//! ```
//!
//! Loading checks each object by itself, with the same schema and CEL rules the
//! API server applies (the CRD is the single definition); [`crate::render`]
//! checks what objects say about each other.

mod load;
mod schema;

pub use load::{LoadedModel, load_mixed, load_paths, load_str};

use std::collections::BTreeMap;

use kube::ResourceExt;

use crate::api::{DepartmentApp, NetworkZone, Tenant};

/// Everything declared, in no particular order.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Declared zones.
    pub zones: Vec<NetworkZone>,
    /// Declared tenants.
    pub tenants: Vec<Tenant>,
    /// Declared apps.
    pub apps: Vec<DepartmentApp>,
}

impl Model {
    /// Zones by name.
    pub fn zones_by_name(&self) -> BTreeMap<String, &NetworkZone> {
        self.zones.iter().map(|z| (z.name_any(), z)).collect()
    }

    /// Tenants by name.
    pub fn tenants_by_name(&self) -> BTreeMap<String, &Tenant> {
        self.tenants.iter().map(|t| (t.name_any(), t)).collect()
    }
}
