//! The operator's own wake-ups that are not a resource's watch: whether the
//! cluster serves the Admin tier (discovery, asked again and again), and the
//! audited kinds, whose changes wake the compliance reports and fill the
//! kept [`Inventory`](super::inventory::Inventory).

use std::sync::Arc;

use kube::ResourceExt;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use tracing::{info, warn};

use super::admin_tier::{CHECK_INTERVAL, served};
use super::context::Context;

/// Asks discovery again every [`CHECK_INTERVAL`] for as long as the operator
/// runs; when the API appears or goes, starts or stops the watch, re-plans
/// the model and reconciles every zone (which applies or prunes its
/// ClusterNetworkPolicies).
pub(super) fn follow_admin_tier(ctx: &Arc<Context>) {
    let weak = Arc::downgrade(ctx);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(CHECK_INTERVAL).await;
            let Some(ctx) = weak.upgrade() else { return };
            let now = match served(&ctx.client).await {
                Ok(now) => now,
                Err(e) => {
                    warn!(error = %e, "cannot ask discovery for ClusterNetworkPolicy; checking again later");
                    continue;
                }
            };
            if now == ctx.admin_tier.served() {
                continue;
            }
            if now {
                ctx.admin_tier.begin().await;
                info!("the cluster now serves ClusterNetworkPolicy: zones get Admin-tier isolation");
            } else {
                ctx.admin_tier.end().await;
                info!("the cluster no longer serves ClusterNetworkPolicy: isolation by NetworkPolicies only");
            }
            ctx.triggers.zones_changed();
        }
    });
}

/// Wakes the reports on changes to the audited kinds (pods, workloads,
/// bindings, govcloud's own objects and others'): only a fingerprint per
/// object is kept, of everything but its status, resourceVersion and field
/// ownership ([`super::triggers::fingerprint`], the one the owners' wake-ups
/// use), so a status update (a pod's conditions, a quota's usage, a
/// Deployment's replicas) wakes nothing, while any change of what the audit
/// reads does, whether or not the API server bumps a generation for it (a
/// pod's binding to a node does not). Nodes wake the reports from the
/// operator's node watch, when their labels, taints or readiness change
/// (not on heartbeats); zones, tenants and apps when the model changes.
pub(crate) fn watch_audited(ctx: &std::sync::Arc<Context>) {
    use futures::StreamExt;
    use kube::runtime::watcher::watcher;
    for (group, version, kind, sel) in super::inventory::watched() {
        let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
        let api: Api<DynamicObject> = Api::all_with(ctx.client.clone(), &ar);
        let cfg = if sel.is_empty() { crate::watch::config() } else { crate::watch::config().labels(sel) };
        let t = ctx.triggers.clone();
        let stream = kube::runtime::WatchStreamExt::backoff(watcher(api, cfg), crate::watch::backoff());
        let mut seen = Seen::default();
        let fingerprint = move |o: &DynamicObject| super::triggers::fingerprint(kind, o).0;
        let inventory = ctx.audited.clone();
        inventory.watch(kind);
        let api_version = ar.api_version.clone();
        tokio::spawn(async move {
            stream
                .for_each(|ev| {
                    // Kept before the reports are woken: the round reads it.
                    match &ev {
                        Ok(ev) => inventory.event(kind, ev, &api_version),
                        // What is kept may be missing changes from now on
                        // (until the watch lists again): rounds list.
                        Err(e) => {
                            warn!(error = %e, kind, "watch of an audited kind failed; compliance rounds list the cluster until it recovers");
                            inventory.unsure(kind);
                        }
                    }
                    if let Ok(ev) = ev
                        && seen.changed(&ev, fingerprint)
                    {
                        t.wake_reports();
                    }
                    futures::future::ready(())
                })
                .await;
        });
    }
}

/// What the audit reads of each object of one audited kind, as last seen
/// (a fingerprint by namespace and name): which events change it.
#[derive(Default)]
pub(crate) struct Seen(std::collections::HashMap<(String, String), u64>);

impl Seen {
    /// Records `ev`; whether it changed what the audit reads (an object
    /// changed as the audit reads it, or deleted). What is kept (its keys,
    /// its table) is made on the pages of what lasts, not among the
    /// events' short-lived allocations, whose pages it kept resident.
    pub(crate) fn changed(
        &mut self,
        ev: &kube::runtime::watcher::Event<DynamicObject>,
        fingerprint: impl Fn(&DynamicObject) -> u64,
    ) -> bool {
        use kube::runtime::watcher::Event;
        let key = |o: &DynamicObject| (o.namespace().unwrap_or_default(), o.name_any());
        let mut keep = |o: &DynamicObject, fp: u64| govcloud_core::memory::lasting(|| self.0.insert(key(o), fp));
        match ev {
            Event::InitApply(o) => {
                keep(o, fingerprint(o));
                false
            }
            Event::Apply(o) => {
                let now = fingerprint(o);
                keep(o, now) != Some(now)
            }
            Event::Delete(o) => {
                self.0.remove(&key(o));
                true
            }
            Event::Init | Event::InitDone => false,
        }
    }
}

#[cfg(test)]
mod tests;
