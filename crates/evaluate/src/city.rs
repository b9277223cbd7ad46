//! The evaluation of a city whose zones run in several clusters: what each
//! cluster knows of the zones it hosts, put together as one model, so that
//! every tenant is evaluated once over all its zones. Pure: the clusters
//! have been read already.
//!
//! Each cluster holds the whole model (GitOps), but only the cluster that
//! hosts a zone runs its apps and counts its quota: an app's status is taken
//! from the cluster hosting the app's zone, a tenant's quota from the
//! clusters hosting its zones, and a request from the cluster hosting its
//! namespace's zone. Where the copies of the model differ (the city audit's
//! GC-CITY-001), the first cluster's declarations are the ones evaluated.

use std::collections::BTreeMap;

use kube::ResourceExt;

use govcloud_core::meta::names;
use govcloud_core::model::{Model, hosted_by};

/// One cluster of the city as read: its name (`None`: the cluster without
/// one) and its model, statuses included.
pub type ClusterModel<'a> = (Option<&'a str>, &'a Model);

/// The city's model: the first cluster's declarations, every zone counted
/// as hosted, each app's status from the cluster hosting its zone (none
/// when that cluster was not read), each tenant's quota from the clusters
/// hosting its zones. `None` without clusters.
pub fn city_model(clusters: &[ClusterModel<'_>]) -> Option<Model> {
    let (_, first) = clusters.first()?;
    let mut city = (*first).clone();
    let host: BTreeMap<String, Option<String>> =
        first.zones.iter().map(|z| (z.name_any(), z.spec.cluster.clone())).collect();
    let read = |zone: &str| -> Option<&Model> {
        let cluster = host.get(zone)?;
        clusters.iter().find(|(name, _)| name.map(str::to_string) == *cluster).map(|(_, m)| *m)
    };
    for a in &mut city.apps {
        let (ns, name) = (a.namespace().unwrap_or_default(), a.name_any());
        a.status = read(&a.spec.zone)
            .and_then(|m| m.apps.iter().find(|x| x.namespace().as_deref() == Some(ns.as_str()) && x.name_any() == name))
            .and_then(|x| x.status.clone());
    }
    for t in &mut city.tenants {
        let name = t.name_any();
        let mut quota = Vec::new();
        for z in &t.spec.zones {
            let Some(m) = read(&z.name) else { continue };
            let hosted = m.zones.iter().any(|mz| mz.name_any() == z.name && hosted_by(mz, m.cluster.as_deref()));
            let theirs = m.tenants.iter().find(|x| x.name_any() == name).and_then(|x| x.status.as_ref());
            if let Some(u) = theirs.filter(|_| hosted).and_then(|s| s.quota.iter().find(|u| u.zone == z.name)) {
                quota.push(u.clone());
            }
        }
        let status = t.status.get_or_insert_with(Default::default);
        status.quota = quota;
    }
    for z in &mut city.zones {
        z.spec.cluster = None;
    }
    city.cluster = None;
    Some(city)
}

/// Whether `cluster` hosts the namespace `namespace` of the city's model
/// (a tenant namespace of a zone it hosts): where a ResourceRequest filed
/// there is read from.
pub fn hosts_namespace(model: &Model, cluster: Option<&str>, namespace: &str) -> bool {
    let zones = model.zones_by_name();
    model.tenants.iter().any(|t| {
        t.spec.zones.iter().any(|z| {
            names::namespace_name(&t.name_any(), &z.name) == namespace
                && zones.get(&z.name).is_some_and(|mz| hosted_by(mz, cluster))
        })
    })
}

#[cfg(test)]
mod tests;
