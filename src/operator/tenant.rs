//! Tenant controller: the tenant's namespaces and their isolation, quota,
//! limits and bindings; status; ordered teardown on deletion.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::events::EventType;
use kube::runtime::finalizer::{Event as Finalizer, finalizer};
use kube::{Resource, ResourceExt};
use serde_json::json;
use tracing::{info, instrument, warn};

use super::apply::{CONFLICT_RETRY, apply_owned, desired_json};
use super::status::{Cond, conditions, differs};
use super::{Context, Error, Result};
use crate::api::{DepartmentApp, FlowState, Tenant, TenantStatus, ZoneUsage};
use crate::meta::labels::MANAGER;
use crate::render::{Owned, Rendered};

/// Finalizer that tears a tenant down in order.
pub use crate::meta::labels::TENANT_FINALIZER as FINALIZER;

/// Reconciles one tenant.
#[instrument(skip_all, fields(tenant = %t.name_any()))]
pub async fn reconcile(t: Arc<Tenant>, ctx: Arc<Context>) -> Result<Action> {
    let _timer = ctx.metrics.reconcile("Tenant");
    let api: Api<Tenant> = Api::all(ctx.client.clone());
    let c = ctx.clone();
    finalizer(&api, FINALIZER, t, |ev| async move {
        match ev {
            Finalizer::Apply(t) => apply(&t, &c).await,
            Finalizer::Cleanup(t) => cleanup(&t, &c).await,
        }
    })
    .await
    .map_err(super::finalizer_error)
}

/// Requeues failures with a short delay; counts them.
pub fn error_policy(t: Arc<Tenant>, e: &Error, ctx: Arc<Context>) -> Action {
    ctx.metrics.failed("Tenant", e.metric_label());
    let (ns, name) = (t.namespace().unwrap_or_default(), t.name_any());
    if matches!(e, Error::Waiting(_)) {
        return Action::requeue(Duration::from_secs(2));
    }
    let (delay, n) = ctx.retries.failed("Tenant", &ns, &name);
    if !matches!(e, Error::Waiting(_)) {
        warn!(error = %e, tenant = %name, failures = n, retry_in = ?delay, "tenant reconcile failed");
    }
    Action::requeue(delay)
}

fn owner_ref<K: Resource<DynamicType = ()>>(o: &K) -> Option<OwnerReference> {
    o.controller_owner_ref(&())
}

/// The objects a tenant owns, as rendered.
pub fn owned_objects<'r>(rendered: &'r Rendered, tenant: &str) -> Vec<&'r Owned> {
    rendered.owned_by("Tenant", "", tenant)
}

async fn apply(t: &Tenant, ctx: &Context) -> Result<Action> {
    let name = t.name_any();
    // This tenant's objects only, rendered now from the plan of the model.
    let rendered = ctx.rendered_for("Tenant", "", &name).await;
    let owner = owner_ref(t);
    let desired: Vec<(Owned, serde_json::Value)> =
        owned_objects(&rendered, &name).into_iter().map(|o| Ok((o.clone(), desired_json(o, owner.as_ref(), &ctx.scope)?))).collect::<Result<_>>()?;
    let report = apply_owned(&ctx.client, &ctx.owned, &ctx.inflight, &desired, ("Tenant", None, &name)).await?;
    ctx.metrics.wrote("created", report.created.len());
    ctx.metrics.wrote("updated", report.updated.len());
    ctx.metrics.wrote("repaired", report.repaired.len());
    ctx.metrics.wrote("pruned", report.pruned.len());
    if !report.repaired.is_empty() {
        ctx.publish_repaired(t, &report.repaired).await;
    }
    let conflict = report.conflict_message();
    if let Some(m) = &conflict {
        ctx.announce_conflict(t, t.status.as_ref().map(|s| s.conditions.as_slice()).unwrap_or_default(), m).await;
    }
    if !report.created.is_empty() || !report.updated.is_empty() || !report.pruned.is_empty() {
        info!(created = report.created.len(), updated = report.updated.len(), pruned = report.pruned.len(), "applied");
        ctx.publish(
            t,
            EventType::Normal,
            "Applied",
            "Reconcile",
            format!("{} created, {} updated, {} removed", report.created.len(), report.updated.len(), report.pruned.len()),
        )
        .await;
    }
    update_status(t, ctx, &rendered, conflict.as_deref()).await?;
    if report.in_flight {
        return Ok(Action::requeue(Duration::from_secs(2)));
    }
    if conflict.is_some() {
        return Ok(Action::requeue(CONFLICT_RETRY));
    }
    Ok(Action::requeue(ctx.resync))
}

/// Refreshes a tenant's status from the caches (its counts changed: quota
/// usage, apps, flows); applies nothing. A conflict reported stays until a
/// reconcile settles it. A tenant being deleted reconciles instead (its
/// teardown waits on what the refresh was about).
pub async fn refresh_status(t: Arc<Tenant>, ctx: Arc<Context>) -> Result<()> {
    if t.metadata.deletion_timestamp.is_some() {
        ctx.triggers.reconcile_tenant(&t);
        return Ok(());
    }
    ctx.metrics.status_refresh("Tenant");
    let name = t.name_any();
    let rendered = ctx.rendered_for("Tenant", "", &name).await;
    let conflict = t.status.as_ref().and_then(|s| super::status::standing_conflict(&s.conditions));
    update_status(&t, &ctx, &rendered, conflict.as_deref()).await
}

async fn update_status(t: &Tenant, ctx: &Context, rendered: &Rendered, conflict: Option<&str>) -> Result<()> {
    let name = t.name_any();
    let namespaces: Vec<String> = owned_objects(rendered, &name).iter().filter(|o| o.kind() == "Namespace").map(|o| o.name().to_string()).collect();
    let mut quota = Vec::new();
    for ns in &namespaces {
        let zone = crate::meta::names::zone_of_namespace(&name, ns).unwrap_or_default().to_string();
        let rq = ctx.owned.get("ResourceQuota", ns, crate::meta::names::QUOTA);
        let read = |field: &str| -> BTreeMap<String, String> {
            rq.as_ref()
                .and_then(|o| o.data.pointer(&format!("/status/{field}")).cloned())
                .and_then(|v| serde_json::from_value::<BTreeMap<String, String>>(v).ok())
                .unwrap_or_default()
        };
        quota.push(ZoneUsage { zone, namespace: ns.clone(), granted: read("hard"), used: read("used") });
    }
    let apps = ctx.apps.state().iter().filter(|a| namespaces.iter().any(|ns| a.namespace().as_deref() == Some(ns.as_str()))).count();
    let granted = |f: &&crate::render::FlowDecision| f.state == FlowState::Granted && f.consumer.tenant != f.provider.tenant;
    let flows_given = rendered.flows.iter().filter(granted).filter(|f| f.provider.tenant == name).count();
    let flows_received = rendered.flows.iter().filter(granted).filter(|f| f.consumer.tenant == name).count();
    let problems: Vec<String> =
        rendered.problems.iter().filter(|p| p.object.kind == "Tenant" && p.object.name == name).map(|p| format!("{}: {}", p.field, p.message)).collect();
    let mut missing: Vec<String> =
        owned_objects(rendered, &name).iter().filter(|o| ctx.owned.get(o.kind(), o.namespace(), o.name()).is_none()).map(|o| o.id()).collect();
    // Until the quota controller has counted every limited resource, the API
    // server refuses to create those resources ("status unknown for quota"):
    // the namespace is not usable yet.
    for z in &quota {
        if !z.granted.is_empty() && z.granted.keys().any(|k| !z.used.contains_key(k)) {
            missing.push(format!("the usage count of ResourceQuota {}/govcloud-quota", z.namespace));
        }
    }
    let prev = t.status.clone().unwrap_or_default();
    let ready = problems.is_empty() && missing.is_empty() && conflict.is_none();
    let conds = conditions(
        &prev.conditions,
        t.metadata.generation,
        Timestamp::now(),
        vec![
            Cond {
                type_: "Ready",
                ok: ready,
                reason: if !problems.is_empty() {
                    "Invalid"
                } else if conflict.is_some() {
                    "Conflict"
                } else if missing.is_empty() {
                    "Provisioned"
                } else {
                    "Provisioning"
                },
                message: if ready {
                    format!("{} namespaces isolated and provisioned", namespaces.len())
                } else if !problems.is_empty() {
                    problems.join("; ")
                } else if let Some(c) = conflict {
                    c.to_string()
                } else {
                    format!("waiting for {}", missing.join(", "))
                },
            },
            Cond {
                type_: "Degraded",
                ok: !problems.is_empty() || conflict.is_some(),
                reason: if !problems.is_empty() {
                    "Invalid"
                } else if conflict.is_some() {
                    "Conflict"
                } else {
                    "AsDeclared"
                },
                message: problems.iter().map(String::as_str).chain(conflict).collect::<Vec<_>>().join("; "),
            },
        ],
    );
    let status = TenantStatus {
        observed_generation: t.metadata.generation,
        namespaces,
        quota,
        apps: apps as i32,
        flows_given: flows_given as i32,
        flows_received: flows_received as i32,
        compliance: prev.compliance.clone(),
        conditions: conds,
    };
    if differs(&t.status, &status) {
        let api: Api<Tenant> = Api::all(ctx.client.clone());
        api.patch_status(
            &name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(json!({"apiVersion": crate::meta::API_VERSION, "kind": "Tenant", "status": status})),
        )
        .await?;
    }
    Ok(())
}

/// Ordered teardown: apps first, then (once their pods are gone) the
/// namespaces with their policies, so no pod ever runs without its policies.
async fn cleanup(t: &Tenant, ctx: &Context) -> Result<Action> {
    let name = t.name_any();
    if t.spec.prevent_deletion {
        let msg = format!("tenant {name} has preventDeletion: true; set it to false to allow deletion");
        ctx.publish(t, EventType::Warning, "DeletionPrevented", "Delete", msg.clone()).await;
        return Err(Error::Waiting(msg));
    }
    let namespaces: Vec<String> =
        ctx.owned.owned_by("Tenant", None, &name).into_iter().filter(|(kind, _)| kind == "Namespace").map(|(_, o)| o.name_any()).collect();
    // 1. apps
    let mut waiting = Vec::new();
    for ns in &namespaces {
        let apps: Api<DepartmentApp> = Api::namespaced(ctx.client.clone(), ns);
        for a in apps.list(&ListParams::default()).await?.items {
            if a.metadata.deletion_timestamp.is_none() {
                apps.delete(&a.name_any(), &DeleteParams::foreground()).await?;
            }
            waiting.push(format!("DepartmentApp/{ns}/{}", a.name_any()));
        }
    }
    if !waiting.is_empty() {
        return Err(Error::Waiting(format!("deleting apps: {}", waiting.join(", "))));
    }
    // 2. pods (whoever made them) must be gone before the policies go
    for ns in &namespaces {
        let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), ns);
        let list = pods.list(&ListParams::default()).await?;
        if !list.items.is_empty() {
            for p in &list.items {
                if p.metadata.deletion_timestamp.is_none() {
                    pods.delete(&p.name_any(), &DeleteParams::default()).await?;
                }
            }
            return Err(Error::Waiting(format!("waiting for {} pods in {ns} to stop", list.items.len())));
        }
    }
    // 3. namespaces (with their policies, quota, bindings)
    let ar = super::cache::api_resource("", "v1", "Namespace");
    let api: Api<kube::api::DynamicObject> = Api::all_with(ctx.client.clone(), &ar);
    let mut remaining = Vec::new();
    for ns in &namespaces {
        if let Some(o) = api.get_opt(ns).await? {
            if o.metadata.deletion_timestamp.is_none() {
                api.delete(ns, &DeleteParams::background()).await?;
            }
            remaining.push(ns.clone());
        }
    }
    if !remaining.is_empty() {
        return Err(Error::Waiting(format!("deleting namespaces {}", remaining.join(", "))));
    }
    info!("tenant torn down");
    Ok(Action::await_change())
}
