//! The catalogue (目录) of shared information resources: every placed app
//! that declares `spec.sharing` (of all three classes), with its owner,
//! class, classification and catalogue entry, and what the flow decisions
//! say of its use: how many apps of other departments it serves, and how
//! many calls wait for its answer. Never where it is: no Service name,
//! endpoint, address or port is read into an entry.
//!
//! In the cluster each entry is a `SharedResource` the provider's Tenant
//! owns ([`render`]), which every department's users may read.

use std::collections::{BTreeMap, BTreeSet};

use govcloud_core::api::{AppKey, CatalogueEntry, FlowState, SharedResource};
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_core::meta::labels;
use govcloud_core::meta::names::shared_resource;

use super::flows::FlowDecision;
use super::index::Index;
use super::objects::{Owned, meta};

/// The catalogue of a planned model, ordered by tenant, zone and app.
pub fn catalogue(index: &Index<'_>, flows: &[FlowDecision]) -> Vec<CatalogueEntry> {
    // provider -> (consumer apps of other tenants granted, calls awaiting an answer)
    let mut used: BTreeMap<&AppKey, (BTreeSet<&AppKey>, BTreeSet<&AppKey>)> = BTreeMap::new();
    for f in flows.iter().filter(|f| f.consumer.tenant != f.provider.tenant) {
        let (granted, awaiting) = used.entry(&f.provider).or_default();
        if f.state == FlowState::Granted {
            granted.insert(&f.consumer);
        }
        if f.awaiting {
            awaiting.insert(&f.consumer);
        }
    }
    index
        .apps
        .values()
        .filter_map(|p| {
            let sharing = p.app.spec.sharing.as_ref()?;
            let (consumers, pending) =
                used.get(&p.key).map(|(g, a)| (count(g.len()), count(a.len()))).unwrap_or_default();
            let info = &sharing.catalogue;
            Some(CatalogueEntry {
                tenant: p.key.tenant.clone(),
                tenant_names: p.tenant.spec.display_name.clone(),
                zone: p.key.zone.clone(),
                app: p.key.app.clone(),
                names: info.names.clone(),
                class: sharing.class,
                data_classification: p.app.spec.data_classification,
                description: info.description.clone(),
                update_frequency: info.update_frequency,
                contact: info.contact.clone(),
                basis: sharing.basis.clone(),
                consumers,
                pending,
            })
        })
        .collect()
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The `SharedResource` objects of `tenant`'s entries: cluster-scoped,
/// named `<tenant>.<zone>.<app>`, labelled as the Tenant's (so the operator
/// applies, repairs and prunes them with its other objects, and sets the
/// Tenant as their owner: deleting it removes them).
pub(crate) fn render(entries: &[CatalogueEntry], tenant: &str) -> Vec<Owned> {
    entries
        .iter()
        .filter(|e| e.tenant == tenant)
        .map(|e| {
            let name = shared_resource(&e.tenant, &e.zone, &e.app);
            let mut r = SharedResource::new(&name, e.clone());
            r.metadata = meta(&name, None, labels::owned_by(OwnerKind::Tenant, tenant));
            Owned::SharedResource(r)
        })
        .collect()
}

#[cfg(test)]
mod tests;
