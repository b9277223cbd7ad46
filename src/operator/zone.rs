//! NetworkZone controller: node counts, placement figures, and holding
//! deletion while tenants still use the zone.

use std::sync::Arc;

use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event as Finalizer, finalizer};
use kube::{Resource, ResourceExt};
use serde_json::json;
use tracing::{instrument, warn};

use super::status::{Cond, conditions, differs};
use super::{Context, Error, Result};
use crate::api::{NetworkZone, NetworkZoneStatus};
use crate::meta::labels::MANAGER;

/// Finalizer that holds a zone's deletion while tenants use it.
pub use crate::meta::labels::ZONE_FINALIZER as FINALIZER;

/// Reconciles one zone.
#[instrument(skip_all, fields(zone = %z.name_any()))]
pub async fn reconcile(z: Arc<NetworkZone>, ctx: Arc<Context>) -> Result<Action> {
    let _timer = ctx.metrics.reconcile("NetworkZone");
    let api: Api<NetworkZone> = Api::all(ctx.client.clone());
    let c = ctx.clone();
    finalizer(&api, FINALIZER, z, |ev| async move {
        match ev {
            Finalizer::Apply(z) => apply(&z, &c).await,
            Finalizer::Cleanup(z) => cleanup(&z, &c).await,
        }
    })
    .await
    .map_err(super::finalizer_error)
}

/// Requeues failures with a short delay; counts them.
pub fn error_policy(z: Arc<NetworkZone>, e: &Error, ctx: Arc<Context>) -> Action {
    ctx.metrics.failed("NetworkZone", e.metric_label());
    let (ns, name) = (z.namespace().unwrap_or_default(), z.name_any());
    let (delay, n) = ctx.retries.failed("NetworkZone", &ns, &name);
    if !matches!(e, Error::Waiting(_)) {
        warn!(error = %e, zone = %name, failures = n, retry_in = ?delay, "zone reconcile failed");
    }
    Action::requeue(delay)
}

fn users(z: &NetworkZone, ctx: &Context) -> Vec<String> {
    let name = z.name_any();
    let mut v: Vec<String> = ctx.tenants.state().iter().filter(|t| t.spec.zones.iter().any(|tz| tz.name == name)).map(|t| t.name_any()).collect();
    v.sort();
    v
}

async fn apply(z: &NetworkZone, ctx: &Context) -> Result<Action> {
    let name = z.name_any();
    // What the zone reads of the plan (counts and problems), taken before any
    // request: the plan is not held across requests.
    let (apps, problems) = plan_figures(z, ctx).await;
    let owner = z.controller_owner_ref(&());
    let desired: Vec<(crate::render::Owned, serde_json::Value)> = crate::render::render_zone(&name)
        .into_iter()
        .map(|o| {
            let v = super::apply::desired_json(&o, owner.as_ref(), &ctx.scope)?;
            Ok((o, v))
        })
        .collect::<Result<_>>()?;
    let report = super::apply::apply_owned(&ctx.client, &ctx.owned, &ctx.inflight, &desired, ("NetworkZone", None, &name)).await?;
    ctx.metrics.wrote("created", report.created.len());
    ctx.metrics.wrote("updated", report.updated.len());
    ctx.metrics.wrote("repaired", report.repaired.len());
    update_status(z, ctx, apps, problems).await?;
    Ok(Action::requeue(ctx.resync))
}

/// What the zone's status reads of the plan: its apps and its problems.
async fn plan_figures(z: &NetworkZone, ctx: &Context) -> (usize, Vec<String>) {
    let name = z.name_any();
    let plan = ctx.plan_for("NetworkZone", "", &name).await;
    let plan = plan.get();
    let problems: Vec<String> =
        plan.problems.iter().filter(|p| p.object.kind == "NetworkZone" && p.object.name == name).map(|p| format!("{}: {}", p.field, p.message)).collect();
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
    ctx.metrics.status_refresh("NetworkZone");
    let (apps, problems) = plan_figures(&z, &ctx).await;
    update_status(&z, &ctx, apps, problems).await
}

async fn update_status(z: &NetworkZone, ctx: &Context, apps: usize, problems: Vec<String>) -> Result<()> {
    let name = z.name_any();
    let sel = &z.spec.node_pool.selector;
    let taint = &z.spec.node_pool.taint;
    let (mut matched, mut ready, mut untainted) = (0, 0, Vec::new());
    for n in ctx.nodes.state() {
        let labels = n.metadata.labels.clone().unwrap_or_default();
        if !sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            continue;
        }
        matched += 1;
        let has_taint =
            n.spec.as_ref().and_then(|s| s.taints.as_ref()).is_some_and(|ts| {
                ts.iter().any(|t| t.key == taint.key && t.value.as_deref().unwrap_or("") == taint.value && t.effect == taint.effect.as_str())
            });
        let is_ready = n.status.as_ref().and_then(|s| s.conditions.as_ref()).is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        if !has_taint {
            untainted.push(n.name_any());
        } else if is_ready {
            ready += 1;
        }
    }
    let tenants = users(z, ctx);
    untainted.sort();
    let mut degraded = problems.clone();
    if !untainted.is_empty() {
        degraded.push(format!("nodes without the zone taint {}={}:{}: {}", taint.key, taint.value, taint.effect.as_str(), untainted.join(", ")));
    }
    let prev = z.status.clone().unwrap_or_default();
    let conds = conditions(
        &prev.conditions,
        z.metadata.generation,
        Timestamp::now(),
        vec![
            Cond {
                type_: "Ready",
                ok: ready > 0 && degraded.is_empty(),
                reason: if ready == 0 {
                    "NoReadyNodes"
                } else if degraded.is_empty() {
                    "Ready"
                } else {
                    "Degraded"
                },
                message: if ready == 0 {
                    format!("no Ready node carries the zone's labels and taint (matched {matched})")
                } else {
                    format!("{ready} of {matched} nodes ready")
                },
            },
            Cond {
                type_: "Degraded",
                ok: !degraded.is_empty(),
                reason: if degraded.is_empty() { "AsDeclared" } else { "Inconsistent" },
                message: degraded.join("; "),
            },
        ],
    );
    let status = NetworkZoneStatus {
        observed_generation: z.metadata.generation,
        nodes_matched: matched,
        nodes_ready: ready,
        nodes_summary: Some(format!("{ready}/{matched}")),
        tenants: tenants.len() as i32,
        apps: apps as i32,
        compliance: prev.compliance.clone(),
        conditions: conds,
    };
    if differs(&z.status, &status) {
        let api: Api<NetworkZone> = Api::all(ctx.client.clone());
        api.patch_status(
            &name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(json!({"apiVersion": crate::meta::API_VERSION, "kind": "NetworkZone", "status": status})),
        )
        .await?;
        if z.status.as_ref().map(|s| s.nodes_ready) != Some(ready) {
            ctx.publish(z, kube::runtime::events::EventType::Normal, "NodesChanged", "Reconcile", format!("{ready} of {matched} zone nodes ready")).await;
        }
    }
    Ok(())
}

async fn cleanup(z: &NetworkZone, ctx: &Context) -> Result<Action> {
    let tenants = users(z, ctx);
    if tenants.is_empty() {
        return Ok(Action::await_change());
    }
    let msg = format!("deletion held: tenants {} still use zone {}; remove the zone from their spec.zones first", tenants.join(", "), z.name_any());
    // Say it once per distinct message, in status and as an event, not on every retry.
    let prev = z.status.clone().unwrap_or_default();
    if prev.conditions.iter().any(|c| c.type_ == "Ready" && c.reason == "DeletionHeld" && c.message == msg) {
        return Err(Error::Waiting(msg));
    }
    let mut status = prev.clone();
    status.conditions = conditions(
        &prev.conditions,
        z.metadata.generation,
        Timestamp::now(),
        vec![Cond { type_: "Ready", ok: false, reason: "DeletionHeld", message: msg.clone() }],
    );
    let api: Api<NetworkZone> = Api::all(ctx.client.clone());
    api.patch_status(
        &z.name_any(),
        &PatchParams::apply(MANAGER).force(),
        &Patch::Apply(json!({"apiVersion": crate::meta::API_VERSION, "kind": "NetworkZone", "status": status})),
    )
    .await?;
    ctx.publish(z, kube::runtime::events::EventType::Warning, "DeletionHeld", "Delete", msg.clone()).await;
    Err(Error::Waiting(msg))
}
