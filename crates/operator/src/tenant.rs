//! Tenant controller: the tenant's namespaces and their isolation, quota,
//! limits and bindings; status; ordered teardown on deletion.

use govcloud_core::messages::Code;
use govcloud_core::msg;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DeleteParams, ListParams};
use kube::runtime::controller::Action;
use kube::runtime::events::EventType;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::{Resource, ResourceExt};
use tracing::info;

use super::apply::{CONFLICT_RETRY, apply_owned, desired_json};
use super::controller::Reconciled;
use super::status::{Cond, conditions, degraded, write_status};
use super::triggers::Triggers;
use super::{Context, Result, Step, Wait};
use govcloud_core::api::{DepartmentApp, FlowState, Tenant, TenantStatus, ZoneUsage};
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_render::{Owned, Rendered};

/// Finalizer that tears a tenant down in order.
pub use govcloud_core::meta::labels::TENANT_FINALIZER as FINALIZER;

impl Reconciled for Tenant {
    const KIND: &'static str = OwnerKind::Tenant.as_str();
    const FINALIZER: Option<&'static str> = Some(FINALIZER);
    /// A teardown step is short: look again soon.
    const WAIT: Option<Duration> = Some(Duration::from_secs(2));

    async fn apply(t: Arc<Self>, ctx: Arc<Context>) -> Step<Action> {
        apply(&t, &ctx).await
    }

    async fn cleanup(t: Arc<Self>, ctx: Arc<Context>) -> Step<Action> {
        cleanup(&t, &ctx).await
    }

    fn refresh_status(t: Arc<Self>, ctx: Arc<Context>) -> impl Future<Output = Result<()>> + Send {
        refresh_status(t, ctx)
    }

    fn store(ctx: &Context) -> &Store<Self> {
        &ctx.tenants
    }

    fn evaluated(t: &Self) -> u64 {
        govcloud_evaluate::tenant_status_read(t)
    }

    fn model_changed(triggers: &Triggers, t: &Self, _deleted: bool) {
        triggers.tenant_changed(t)
    }

    fn queue(triggers: &Triggers, t: &Self) {
        triggers.reconcile_tenant(t)
    }

    fn requests(triggers: &Triggers) -> BoxStream<'static, ObjectRef<Self>> {
        triggers.tenant_stream().boxed()
    }

    fn status_requests(triggers: &Triggers) -> BoxStream<'static, ObjectRef<Self>> {
        triggers.tenant_status_stream().boxed()
    }
}

fn owner_ref<K: Resource<DynamicType = ()>>(o: &K) -> Option<OwnerReference> {
    o.controller_owner_ref(&())
}

/// The objects a tenant owns, as rendered.
pub fn owned_objects<'r>(rendered: &'r Rendered, tenant: &str) -> Vec<&'r Owned> {
    rendered.owned_by(OwnerKind::Tenant, "", tenant)
}

async fn apply(t: &Tenant, ctx: &Context) -> Step<Action> {
    let name = t.name_any();
    // This tenant's objects only, rendered now from the plan of the model;
    // a plan without the tenant renders nothing for it, which must not
    // prune what it owns.
    let plan = ctx.plan_for(OwnerKind::Tenant, "", &name).await;
    if !plan.get().knows(OwnerKind::Tenant, "", &name) {
        return Err(Wait::NotPlanned { object: format!("Tenant/{name}") }.into());
    }
    let rendered = plan.get().owner(OwnerKind::Tenant, "", &name);
    let owner = owner_ref(t);
    let desired: Vec<(Owned, serde_json::Value)> = owned_objects(&rendered, &name)
        .into_iter()
        .map(|o| Ok((o.clone(), desired_json(o, owner.as_ref(), &ctx.scope)?)))
        .collect::<Result<_>>()?;
    let report =
        apply_owned(&ctx.client, &ctx.owned, &ctx.inflight, &desired, (OwnerKind::Tenant, None, &name)).await?;
    let previous = t.status.as_ref().map(|s| s.conditions.as_slice()).unwrap_or_default();
    let conflict = ctx.announce_applied(t, previous, &report, true).await;
    update_status(t, ctx, &rendered, conflict.as_deref()).await?;
    if report.in_flight {
        return Ok(Action::requeue(Duration::from_secs(2)));
    }
    if conflict.is_some() {
        return Ok(Action::requeue(CONFLICT_RETRY));
    }
    Ok(ctx.resynced(None))
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
    ctx.metrics.status_refresh(OwnerKind::Tenant);
    let name = t.name_any();
    let rendered = ctx.rendered_for(OwnerKind::Tenant, "", &name).await;
    let conflict = t.status.as_ref().and_then(|s| super::status::standing_conflict(&s.conditions));
    update_status(&t, &ctx, &rendered, conflict.as_deref()).await
}

/// What a tenant's status is computed from.
#[derive(Debug, Clone, Default)]
pub struct TenantFigures<'a> {
    /// The status the tenant has now.
    pub previous: Option<&'a TenantStatus>,
    /// The tenant's `metadata.generation`.
    pub generation: Option<i64>,
    /// Its namespaces, one per zone.
    pub namespaces: Vec<String>,
    /// Quota granted and used, per zone.
    pub quota: Vec<ZoneUsage>,
    /// `department` or `district` ([`govcloud_core::meta::labels::tenant_kind`]).
    pub kind: &'static str,
    /// Its apps.
    pub apps: usize,
    /// Flows in effect from its apps to other tenants' apps.
    pub flows_given: usize,
    /// Flows in effect from other tenants' apps to its apps.
    pub flows_received: usize,
    /// What the plan finds wrong with it (`field: message`).
    pub problems: Vec<String>,
    /// Objects it owns that do not exist yet (`Kind/namespace/name`).
    pub missing: Vec<String>,
    /// The conflict its last apply met (an object in the way), if any.
    pub conflict: Option<&'a str>,
}

/// A tenant's status (never its `compliance`: the report loop's).
pub fn tenant_status(f: TenantFigures<'_>, now: Timestamp) -> TenantStatus {
    let (problems, conflict) = (&f.problems, f.conflict);
    let mut missing: Vec<govcloud_core::messages::Arg> = f.missing.into_iter().map(Into::into).collect();
    // Until the quota controller has counted every limited resource, the API
    // server refuses to create those resources ("status unknown for quota"):
    // the namespace is not usable yet.
    for z in &f.quota {
        if !z.granted.is_empty() && z.granted.keys().any(|k| !z.used.contains_key(k)) {
            missing.push(
                msg!(Code::QuotaUsageCount, format!("{}/{}", z.namespace, govcloud_core::meta::names::QUOTA)).into(),
            );
        }
    }
    let ready = problems.is_empty() && missing.is_empty() && conflict.is_none();
    let previous = f.previous.map(|p| p.conditions.as_slice()).unwrap_or_default();
    let conds = conditions(
        previous,
        f.generation,
        now,
        vec![
            Cond {
                type_: "Ready",
                ok: ready,
                reason: if !problems.is_empty() {
                    Code::Invalid
                } else if conflict.is_some() {
                    Code::Conflict
                } else if missing.is_empty() {
                    Code::Provisioned
                } else {
                    Code::Provisioning
                },
                message: if ready {
                    msg!(Code::NamespacesProvisioned, f.namespaces.len().to_string()).to_string()
                } else if !problems.is_empty() {
                    problems.join("; ")
                } else if let Some(c) = conflict {
                    c.to_string()
                } else {
                    msg!(Code::WaitingFor, govcloud_core::messages::Arg::List(missing)).to_string()
                },
            },
            degraded(problems, Code::Invalid, conflict),
        ],
    );
    TenantStatus {
        observed_generation: f.generation,
        namespaces: f.namespaces,
        kind: (!f.kind.is_empty()).then(|| f.kind.to_string()),
        cpu_summary: used_of_granted(&f.quota, "requests.cpu"),
        memory_summary: used_of_granted(&f.quota, "requests.memory"),
        quota: f.quota,
        apps: f.apps as i32,
        flows_given: f.flows_given as i32,
        flows_received: f.flows_received as i32,
        compliance: None,
        conditions: conds,
    }
}

/// `used/granted` of one quota resource summed over the zones (`1500m/8`);
/// none when no zone grants it. A value the quota does not count yet is 0.
pub fn used_of_granted(quota: &[ZoneUsage], key: &str) -> Option<String> {
    use govcloud_core::meta::quantity::Quantity;
    let sum = |pick: fn(&ZoneUsage) -> &BTreeMap<String, String>| -> Quantity {
        quota.iter().filter_map(|z| pick(z).get(key)).filter_map(|v| Quantity::parse(v).ok()).sum()
    };
    if !quota.iter().any(|z| z.granted.contains_key(key)) {
        return None;
    }
    Some(format!("{}/{}", sum(|z| &z.used), sum(|z| &z.granted)))
}

/// Gathers a tenant's figures from the caches and the rendering, and writes
/// its status if it changed.
async fn update_status(t: &Tenant, ctx: &Context, rendered: &Rendered, conflict: Option<&str>) -> Result<()> {
    let name = t.name_any();
    // Under the tenant's status slot (see `status::Written`).
    let mut slot = ctx.written.hold(OwnerKind::Tenant.as_str(), "", &name).await;
    let owned = owned_objects(rendered, &name);
    let namespaces: Vec<String> =
        owned.iter().filter(|o| o.kind() == "Namespace").map(|o| o.name().to_string()).collect();
    let mut quota = Vec::new();
    for ns in &namespaces {
        let zone = govcloud_core::meta::names::zone_of_namespace(&name, ns).unwrap_or_default().to_string();
        let rq = ctx.owned.get("ResourceQuota", ns, govcloud_core::meta::names::QUOTA);
        let q = rq.as_ref().and_then(|o| o.read().quota.as_deref());
        let (granted, used) = q.map(|q| (q.hard.clone(), q.used.clone())).unwrap_or_default();
        quota.push(ZoneUsage { zone, namespace: ns.clone(), granted, used });
    }
    let apps = ctx
        .apps
        .state()
        .iter()
        .filter(|a| namespaces.iter().any(|ns| a.namespace().as_deref() == Some(ns.as_str())))
        .count();
    let granted =
        |f: &&govcloud_render::FlowDecision| f.state == FlowState::Granted && f.consumer.tenant != f.provider.tenant;
    let figures = TenantFigures {
        previous: t.status.as_ref(),
        generation: t.metadata.generation,
        namespaces,
        quota,
        kind: govcloud_core::meta::labels::tenant_kind(t.labels()),
        apps,
        flows_given: rendered.flows.iter().filter(granted).filter(|f| f.provider.tenant == name).count(),
        flows_received: rendered.flows.iter().filter(granted).filter(|f| f.consumer.tenant == name).count(),
        problems: rendered
            .problems
            .iter()
            .filter(|p| p.object.kind == OwnerKind::Tenant.as_str() && p.object.name == name)
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect(),
        missing: owned
            .iter()
            .filter(|o| ctx.owned.get(o.kind(), o.namespace(), o.name()).is_none())
            .map(|o| o.id())
            .collect(),
        conflict,
    };
    let status = tenant_status(figures, Timestamp::now());
    write_status(ctx, &mut slot, t, t.status.as_ref(), &status).await?;
    Ok(())
}

/// Ordered teardown: apps first, then (once their pods are gone) the
/// namespaces with their policies, so no pod ever runs without its policies.
/// Each step not done yet is a [`Wait`]: the finalizer stays.
async fn cleanup(t: &Tenant, ctx: &Context) -> Step<Action> {
    let name = t.name_any();
    if t.spec.prevent_deletion {
        let message = msg!(Code::PreventDeletion, &name).to_string();
        ctx.publish(t, EventType::Warning, Code::DeletionPrevented, "Delete", message.clone()).await;
        return Err(Wait::DeletionPrevented { message }.into());
    }
    let namespaces: Vec<String> = ctx
        .owned
        .owned_by(OwnerKind::Tenant, None, &name)
        .into_iter()
        .filter(|(kind, _)| kind == "Namespace")
        .map(|(_, o)| o.name().to_string())
        .collect();
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
        return Err(Wait::AppsDeleting { apps: waiting }.into());
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
            return Err(Wait::PodsStopping { namespace: ns.clone(), pods: list.items.len() }.into());
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
        return Err(Wait::NamespacesDeleting { namespaces: remaining }.into());
    }
    info!("tenant torn down");
    Ok(Action::await_change())
}

#[cfg(test)]
mod tests;
