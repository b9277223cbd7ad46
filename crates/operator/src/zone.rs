//! NetworkZone controller: node counts, placement figures, and holding
//! deletion while tenants still use the zone.
//!
//! The status is computed by [`zone_status`] from plain figures; the rest
//! only gathers them (caches, plan) and writes.

use govcloud_core::messages::{Arg, Code, Message};
use govcloud_core::msg;
use std::future::Future;
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::BoxStream;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::jiff::Timestamp;
use kube::runtime::controller::Action;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::{Resource, ResourceExt};

use super::controller::Reconciled;
use super::status::{Cond, conditions, patch_status, write_status};
use super::triggers::Triggers;
use super::{Context, Result, Step, Wait};
use govcloud_core::api::{HostOwner, NetworkZone, NetworkZoneStatus, NodePool, ZoneKind, ZoneTaint};
use govcloud_core::meta::kinds::OwnerKind;

/// Finalizer that holds a zone's deletion while tenants use it.
pub use govcloud_core::meta::labels::ZONE_FINALIZER as FINALIZER;

impl Reconciled for NetworkZone {
    const KIND: &'static str = OwnerKind::NetworkZone.as_str();
    const FINALIZER: Option<&'static str> = Some(FINALIZER);

    async fn apply(z: Arc<Self>, ctx: Arc<Context>) -> Step<Action> {
        apply(&z, &ctx).await
    }

    async fn cleanup(z: Arc<Self>, ctx: Arc<Context>) -> Step<Action> {
        cleanup(&z, &ctx).await
    }

    fn refresh_status(z: Arc<Self>, ctx: Arc<Context>) -> impl Future<Output = Result<()>> + Send {
        refresh_status(z, ctx)
    }

    fn store(ctx: &Context) -> &Store<Self> {
        &ctx.zones
    }

    fn model_changed(triggers: &Triggers, z: &Self, _deleted: bool) {
        triggers.zone_changed(z)
    }

    fn queue(triggers: &Triggers, z: &Self) {
        triggers.reconcile_zone(z)
    }

    fn requests(triggers: &Triggers) -> BoxStream<'static, ObjectRef<Self>> {
        triggers.zone_stream().boxed()
    }

    fn status_requests(triggers: &Triggers) -> BoxStream<'static, ObjectRef<Self>> {
        triggers.zone_status_stream().boxed()
    }
}

/// The tenants that use the zone: those that declare it, and those an
/// approved ZoneAccess request grants it to.
fn users(z: &NetworkZone, ctx: &Context) -> Vec<String> {
    let mut v: Vec<String> = holds(z, ctx).into_iter().map(|h| h.tenant).collect();
    v.sort();
    v.dedup();
    v
}

/// Why a tenant uses a zone.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hold {
    /// The tenant.
    pub tenant: String,
    /// The approved ZoneAccess request (`namespace/name`) that grants it; `None`: its spec.zones.
    pub request: Option<String>,
}

/// Every reason a tenant uses the zone, sorted.
fn holds(z: &NetworkZone, ctx: &Context) -> Vec<Hold> {
    let name = z.name_any();
    let tenants = ctx.tenants.state();
    let mut v: Vec<Hold> = tenants
        .iter()
        .filter(|t| t.spec.zones.iter().any(|tz| tz.name == name))
        .map(|t| Hold { tenant: t.name_any(), request: None })
        .collect();
    let requests = ctx.requests.state();
    let all: Vec<&govcloud_core::api::ResourceRequest> = requests.iter().map(|r| r.as_ref()).collect();
    let zones: std::collections::BTreeSet<String> = ctx.zones.state().iter().map(|z| z.name_any()).collect();
    let now = Timestamp::now();
    for r in all.iter().filter(|r| {
        r.spec.kind == govcloud_core::api::RequestKind::ZoneAccess && r.spec.zone.as_deref() == Some(name.as_str())
    }) {
        let tenant =
            govcloud_render::request_tenant(r).and_then(|t| tenants.iter().find(|d| d.name_any() == t).cloned());
        if let Some(t) = tenant
            && govcloud_render::judge(r, Some(t.as_ref()), &all, &zones, now) == govcloud_render::Verdict::Approved
        {
            v.push(Hold {
                tenant: t.name_any(),
                request: Some(format!("{}/{}", r.namespace().unwrap_or_default(), r.name_any())),
            });
        }
    }
    v.sort();
    v.dedup();
    v
}

async fn apply(z: &NetworkZone, ctx: &Context) -> Step<Action> {
    let name = z.name_any();
    // What the zone reads of the plan (counts and problems), taken before any
    // request: the plan is not held across requests.
    let (apps, problems) = plan_figures(z, ctx).await;
    let owner = z.controller_owner_ref(&());
    let desired: Vec<(govcloud_render::Owned, serde_json::Value)> = zone_objects(&name, ctx)
        .await
        .into_iter()
        .map(|o| {
            let v = super::apply::desired_json(&o, owner.as_ref(), &ctx.scope)?;
            Ok((o, v))
        })
        .collect::<Result<_>>()?;
    if !catch_all::binds_bundles(&desired) {
        // Its bundles' bindings are about to go (another cluster hosts it):
        // its namespaces go back to the catch-all first.
        catch_all::sync(ctx, Some(&name)).await?;
    }
    let report = super::apply::apply_owned(
        &ctx.client,
        &ctx.owned,
        &ctx.inflight,
        &desired,
        (OwnerKind::NetworkZone, None, &name),
    )
    .await?;
    ctx.metrics.record(&report);
    // The bundles' binding for namespaces no zone binding covers leaves this
    // zone out once its bindings are seen in place (catch_all.rs).
    let left_out = catch_all::sync(ctx, None).await?;
    update_status(z, ctx, apps, problems).await?;
    if (report.wrote() || report.in_flight) && catch_all::narrows(ctx) && !left_out.contains(&name) {
        // Its bindings are new: look again when the cache has them.
        return Ok(Action::requeue(std::time::Duration::from_secs(2)));
    }
    Ok(ctx.resynced(None))
}

/// The zone's objects as the plan renders them (its admission bindings and,
/// where the cluster serves ClusterNetworkPolicy, its Admin-tier policies);
/// none for a zone another cluster hosts (and none are left behind).
async fn zone_objects(name: &str, ctx: &Context) -> Vec<govcloud_render::Owned> {
    let plan = ctx.plan_for(OwnerKind::NetworkZone, "", name).await;
    let plan = plan.get();
    if plan.knows(OwnerKind::NetworkZone, "", name) {
        plan.owner(OwnerKind::NetworkZone, "", name).objects
    } else if ctx.hosted_elsewhere(name).is_none() {
        govcloud_render::render_zone(name)
    } else {
        vec![]
    }
}

/// What the zone's status reads of the plan: its apps and its problems.
async fn plan_figures(z: &NetworkZone, ctx: &Context) -> (usize, Vec<String>) {
    let name = z.name_any();
    let plan = ctx.plan_for(OwnerKind::NetworkZone, "", &name).await;
    let plan = plan.get();
    let problems: Vec<String> = plan
        .problems
        .iter()
        .filter(|p| p.object.kind == OwnerKind::NetworkZone.as_str() && p.object.name == name)
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect();
    (plan.apps_in_zone(&name), problems)
}

/// Refreshes a zone's status from the caches (its counts changed: apps,
/// tenants); applies nothing. A zone being deleted reconciles instead (its
/// deletion waits for the tenants the refresh was about).
pub async fn refresh_status(z: Arc<NetworkZone>, ctx: Arc<Context>) -> Result<()> {
    if z.metadata.deletion_timestamp.is_some() {
        ctx.triggers.reconcile_zone(&z);
        return Ok(());
    }
    ctx.metrics.status_refresh(OwnerKind::NetworkZone);
    let (apps, problems) = plan_figures(&z, &ctx).await;
    update_status(&z, &ctx, apps, problems).await
}

/// The zone's nodes, as its status counts them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct NodeCount {
    /// Nodes whose labels match the pool's selector.
    pub matched: i32,
    /// Matched nodes that carry the zone taint and are Ready.
    pub ready: i32,
    /// Matched nodes without the zone taint, sorted.
    pub untainted: Vec<String>,
    /// Matched nodes by platform ([`platforms::platforms`]).
    pub platforms: Vec<govcloud_core::api::NodePlatform>,
}

/// Counts the nodes of `pool` among `nodes`.
pub fn count_nodes<'n>(pool: &NodePool, nodes: impl IntoIterator<Item = &'n Node>) -> NodeCount {
    let (sel, taint) = (&pool.selector, &pool.taint);
    let mut count = NodeCount::default();
    let mut matched = Vec::new();
    for n in nodes {
        let labels = n.metadata.labels.as_ref();
        if !sel.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v)) {
            continue;
        }
        count.matched += 1;
        matched.push(n);
        let has_taint = n.spec.as_ref().and_then(|s| s.taints.as_ref()).is_some_and(|ts| {
            ts.iter().any(|t| {
                t.key == taint.key
                    && t.value.as_deref().unwrap_or("") == taint.value
                    && t.effect == taint.effect.as_str()
            })
        });
        let is_ready = n
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        if !has_taint {
            count.untainted.push(n.name_any());
        } else if is_ready {
            count.ready += 1;
        }
    }
    count.untainted.sort();
    count.platforms = platforms::platforms(matched);
    count
}

/// What a zone's status is computed from.
#[derive(Debug, Clone)]
pub struct ZoneFigures<'a> {
    /// The status the zone has now.
    pub previous: Option<&'a NetworkZoneStatus>,
    /// The zone's `metadata.generation`.
    pub generation: Option<i64>,
    /// The zone's taint, as its nodes should carry it.
    pub taint: &'a ZoneTaint,
    /// Its nodes.
    pub nodes: NodeCount,
    /// Tenants allowed to use it.
    pub tenants: usize,
    /// Apps placed in it.
    pub apps: usize,
    /// What the plan finds wrong with it (`field: message`).
    pub problems: Vec<String>,
    /// The cluster that hosts it, when it is not this one.
    pub elsewhere: Option<String>,
    /// The public hosts tenants own (internet zones; empty elsewhere).
    pub host_owners: Vec<HostOwner>,
    /// What the zone's nodes can give and what is granted (GC-ZONE-007); capacity `None` while unknown.
    pub capacity: (Option<govcloud_render::capacity::CpuMemory>, govcloud_render::capacity::CpuMemory),
    /// The zone's over-commit ratios, for the condition's message.
    pub zone: Option<&'a NetworkZone>,
}

/// A zone's status (never its `compliance`: the report loop's).
pub fn zone_status(f: ZoneFigures<'_>, now: Timestamp) -> NetworkZoneStatus {
    let (matched, ready) = (f.nodes.matched, f.nodes.ready);
    let taint = f.taint;
    let mut degraded = f.problems;
    if !f.nodes.untainted.is_empty() {
        degraded.push(
            msg!(
                Code::ProblemUntainted,
                format!("{}={}:{}", taint.key, taint.value, taint.effect.as_str()),
                f.nodes.untainted.join(", ")
            )
            .to_string(),
        );
    }
    let over = match (f.zone, f.capacity.0) {
        (Some(z), Some(c)) => govcloud_render::capacity::over(z, c, f.capacity.1),
        _ => Vec::new(),
    };
    let previous = f.previous.map(|p| p.conditions.as_slice()).unwrap_or_default();
    let conds = conditions(
        previous,
        f.generation,
        now,
        vec![
            Cond {
                type_: "Ready",
                ok: f.elsewhere.is_some() || (ready > 0 && degraded.is_empty()),
                reason: if f.elsewhere.is_some() {
                    Code::HostedElsewhere
                } else if ready == 0 {
                    Code::NoReadyNodes
                } else if degraded.is_empty() {
                    Code::Ready
                } else {
                    Code::Degraded
                },
                message: if let Some(c) = &f.elsewhere {
                    msg!(Code::ZoneRunsElsewhere, c).to_string()
                } else if ready == 0 {
                    msg!(Code::NoNodeCarries, matched.to_string()).to_string()
                } else {
                    msg!(Code::NodesReadyOf, ready.to_string(), matched.to_string()).to_string()
                },
            },
            Cond {
                type_: "Degraded",
                ok: !degraded.is_empty(),
                reason: if degraded.is_empty() { Code::AsDeclared } else { Code::Inconsistent },
                message: degraded.join("; "),
            },
            // Apart from Ready: what runs still runs; approvals that would add are refused.
            Cond {
                type_: "OverCommitted",
                ok: !over.is_empty(),
                reason: if over.is_empty() { Code::WithinCapacity } else { Code::GrantedExceedsCapacity },
                message: Message::joined(over).unwrap_or_else(|| msg!(Code::QuotasFit)).to_string(),
            },
        ],
    );
    NetworkZoneStatus {
        observed_generation: f.generation,
        nodes_matched: matched,
        nodes_ready: ready,
        nodes_summary: Some(if f.elsewhere.is_some() { "elsewhere".to_string() } else { format!("{ready}/{matched}") }),
        tenants: f.tenants as i32,
        apps: f.apps as i32,
        compliance: None,
        conditions: conds,
        host_owners: f.host_owners,
        capacity: govcloud_render::capacity::status(f.capacity.0, f.capacity.1),
        platforms: if f.elsewhere.is_some() { Vec::new() } else { f.nodes.platforms },
    }
}

async fn update_status(z: &NetworkZone, ctx: &Context, apps: usize, problems: Vec<String>) -> Result<()> {
    // Under the zone's status slot (see `status::Written`).
    let mut slot = ctx.written.hold(OwnerKind::NetworkZone.as_str(), "", &z.name_any()).await;
    let nodes = ctx.nodes.state();
    let node_values: Vec<serde_json::Value> =
        nodes.iter().filter_map(|n| serde_json::to_value(n.as_ref()).ok()).collect();
    let granted = granted_tenants(ctx);
    let figures = ZoneFigures {
        previous: z.status.as_ref(),
        generation: z.metadata.generation,
        taint: &z.spec.node_pool.taint,
        nodes: count_nodes(&z.spec.node_pool, nodes.iter().map(|n| n.as_ref())),
        tenants: users(z, ctx).len(),
        apps,
        problems,
        elsewhere: ctx.hosted_elsewhere(&z.name_any()),
        host_owners: if z.spec.kind == ZoneKind::Internet {
            govcloud_render::host_owners(&granted)
        } else {
            Vec::new()
        },
        capacity: (
            govcloud_render::capacity::capacity(z, node_values.iter()),
            govcloud_render::capacity::granted(&z.name_any(), &granted),
        ),
        zone: Some(z),
    };
    let status = zone_status(figures, Timestamp::now());
    if write_status(ctx, &mut slot, z, z.status.as_ref(), &status).await?
        && z.status.as_ref().map(|s| s.nodes_ready) != Some(status.nodes_ready)
    {
        let note =
            msg!(Code::ZoneNodesReady, status.nodes_ready.to_string(), status.nodes_matched.to_string()).to_string();
        ctx.publish(z, kube::runtime::events::EventType::Normal, Code::NodesChanged, "Reconcile", note).await;
    }
    Ok(())
}

/// The tenants as granted now (their approved requests folded in): the hosts
/// they own (admission reads them from an internet zone's status to keep a
/// tenant's host from every other tenant's apps) and the quota they hold in
/// each zone (against its capacity).
fn granted_tenants(ctx: &Context) -> Vec<govcloud_core::api::Tenant> {
    let requests = ctx.requests.state();
    let requests: Vec<&govcloud_core::api::ResourceRequest> =
        requests.iter().map(|r| r.as_ref()).filter(|r| r.metadata.deletion_timestamp.is_none()).collect();
    let zones: std::collections::BTreeSet<String> = ctx.zones.state().iter().map(|z| z.name_any()).collect();
    let now = Timestamp::now();
    ctx.tenants
        .state()
        .iter()
        .filter(|t| t.metadata.deletion_timestamp.is_none())
        .map(|t| govcloud_render::effective_tenant(t, &requests, &zones, now))
        .collect()
}

/// Why a zone's deletion is held: the tenants that still use it.
pub fn deletion_held_message(zone: &str, holds: &[Hold]) -> String {
    let (declared, requested): (Vec<&Hold>, Vec<&Hold>) = holds.iter().partition(|h| h.request.is_none());
    let mut tenants: Vec<&str> = holds.iter().map(|h| h.tenant.as_str()).collect();
    tenants.dedup();
    let mut fixes = Vec::new();
    if !declared.is_empty() {
        fixes.push(msg!(
            Code::HeldRemoveZone,
            declared.iter().map(|h| h.tenant.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    if !requested.is_empty() {
        fixes.push(msg!(
            Code::HeldDeleteRequests,
            Arg::list(requested.iter().filter_map(|h| Some(msg!(
                Code::HeldRequestOf,
                h.request.as_deref()?,
                &h.tenant
            ))))
        ));
    }
    let fixes = fixes.into_iter().reduce(|a, b| msg!(Code::HeldAndThen, a, b)).unwrap_or_else(|| msg!(Code::NoneGiven));
    msg!(Code::ZoneDeletionHeld, tenants.join(", "), zone, fixes).to_string()
}

/// A zone's status while its deletion is held: as it was, `Ready` saying why
/// (never its `compliance`: the report loop's). `None` when it says so already.
pub fn deletion_held_status(
    previous: Option<&NetworkZoneStatus>,
    generation: Option<i64>,
    message: &str,
    now: Timestamp,
) -> Option<NetworkZoneStatus> {
    let prev = previous.cloned().unwrap_or_default();
    if prev.conditions.iter().any(|c| c.type_ == "Ready" && c.reason == "DeletionHeld" && c.message == message) {
        return None;
    }
    let conds = conditions(
        &prev.conditions,
        generation,
        now,
        vec![Cond { type_: "Ready", ok: false, reason: Code::DeletionHeld, message: message.to_string() }],
    );
    Some(NetworkZoneStatus { compliance: None, conditions: conds, ..prev })
}

async fn cleanup(z: &NetworkZone, ctx: &Context) -> Step<Action> {
    let holds = holds(z, ctx);
    if holds.is_empty() {
        // Its bindings go with it (garbage collection): its namespaces, if
        // any are left, go back to the bundles' catch-all binding first.
        catch_all::sync(ctx, Some(&z.name_any())).await?;
        return Ok(Action::await_change());
    }
    let message = deletion_held_message(&z.name_any(), &holds);
    // Say it once per distinct message, in status and as an event, not on every retry.
    if let Some(status) = deletion_held_status(z.status.as_ref(), z.metadata.generation, &message, Timestamp::now()) {
        let mut slot = ctx.written.hold(OwnerKind::NetworkZone.as_str(), "", &z.name_any()).await;
        // Not the status `update_status` computes: the next one compares with the read.
        *slot = None;
        patch_status(ctx, z, &status).await?;
        ctx.publish(z, kube::runtime::events::EventType::Warning, Code::DeletionHeld, "Delete", message.clone()).await;
    }
    Err(Wait::ZoneInUse { message }.into())
}

mod catch_all;
mod platforms;

#[cfg(test)]
mod tests;
