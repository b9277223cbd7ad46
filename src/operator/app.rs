//! DepartmentApp controller: the app's workload and flow policies, once its
//! namespace is isolated; status with replicas, endpoints and flows.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::events::EventType;
use kube::{Resource, ResourceExt};
use serde_json::json;
use tracing::{info, instrument, warn};

use super::apply::{apply_owned, desired_json};
use super::status::{Cond, conditions, differs};
use super::{Context, Error, Result};
use crate::api::{AppKey, DepartmentApp, DepartmentAppStatus, FlowState, FlowStatus};
use crate::meta::labels::{self, MANAGER};
use crate::render::{Owned, Rendered};

/// Reconciles one app.
#[instrument(skip_all, fields(app = %format!("{}/{}", a.namespace().unwrap_or_default(), a.name_any())))]
pub async fn reconcile(a: Arc<DepartmentApp>, ctx: Arc<Context>) -> Result<Action> {
    let _timer = ctx.metrics.reconcile("DepartmentApp");
    if a.metadata.deletion_timestamp.is_some() {
        // Owner references let the garbage collector remove what it owns.
        return Ok(Action::await_change());
    }
    let ns = a.namespace().unwrap_or_default();
    let name = a.name_any();
    // This app's objects only, rendered now from the plan of the model.
    let rendered = ctx.rendered_for("DepartmentApp", &ns, &name).await;
    let placed = rendered.object("Deployment", &ns, &name).is_some();
    let isolated = ctx.owned.get("NetworkPolicy", &ns, crate::meta::names::DEFAULT_DENY).is_some();
    let mut in_flight = false;
    let mut conflict = None;
    if placed && isolated {
        let owner = a.controller_owner_ref(&());
        let desired: Vec<(Owned, serde_json::Value)> =
            owned_objects(&rendered, &ns, &name).into_iter().map(|o| Ok((o.clone(), desired_json(o, owner.as_ref(), &ctx.scope)?))).collect::<Result<_>>()?;
        let report = apply_owned(&ctx.client, &ctx.owned, &ctx.inflight, &desired, ("DepartmentApp", Some(&ns), &name)).await?;
        ctx.metrics.wrote("created", report.created.len());
        ctx.metrics.wrote("updated", report.updated.len());
        ctx.metrics.wrote("repaired", report.repaired.len());
        ctx.metrics.wrote("pruned", report.pruned.len());
        if !report.repaired.is_empty() {
            ctx.publish_repaired(a.as_ref(), &report.repaired).await;
        }
        in_flight = report.in_flight;
        conflict = report.conflict_message();
        if let Some(m) = &conflict {
            ctx.announce_conflict(a.as_ref(), a.status.as_ref().map(|s| s.conditions.as_slice()).unwrap_or_default(), m).await;
        }
        if !report.created.is_empty() || !report.updated.is_empty() || !report.pruned.is_empty() {
            info!(created = report.created.len(), updated = report.updated.len(), pruned = report.pruned.len(), "applied");
        }
    }
    // An invalid app keeps what it last had running: nothing is lost on error.
    update_status(&a, &ctx, &rendered, placed, isolated, conflict.as_deref()).await?;
    if in_flight {
        return Ok(Action::requeue(Duration::from_secs(2)));
    }
    // The namespace's default-deny policy appearing wakes the app (see
    // `Triggers::owned_changed`); this is only the fallback.
    if placed && !isolated {
        return Ok(Action::requeue(Duration::from_secs(10)));
    }
    if conflict.is_some() {
        return Ok(Action::requeue(super::apply::CONFLICT_RETRY));
    }
    Ok(Action::requeue(ctx.resync))
}

/// Refreshes an app's status from the caches (replicas became ready, the
/// rollout completed); applies nothing. A conflict reported stays until a
/// reconcile settles it.
pub async fn refresh_status(a: Arc<DepartmentApp>, ctx: Arc<Context>) -> Result<()> {
    if a.metadata.deletion_timestamp.is_some() {
        return Ok(());
    }
    ctx.metrics.status_refresh("DepartmentApp");
    let ns = a.namespace().unwrap_or_default();
    let name = a.name_any();
    let rendered = ctx.rendered_for("DepartmentApp", &ns, &name).await;
    let placed = rendered.object("Deployment", &ns, &name).is_some();
    let isolated = ctx.owned.get("NetworkPolicy", &ns, crate::meta::names::DEFAULT_DENY).is_some();
    let conflict = a.status.as_ref().and_then(|s| super::status::standing_conflict(&s.conditions));
    update_status(&a, &ctx, &rendered, placed, isolated, conflict.as_deref()).await
}

/// Requeues failures with a short delay; counts them.
pub fn error_policy(a: Arc<DepartmentApp>, e: &Error, ctx: Arc<Context>) -> Action {
    ctx.metrics.failed("DepartmentApp", e.metric_label());
    let (ns, name) = (a.namespace().unwrap_or_default(), a.name_any());
    let (delay, n) = ctx.retries.failed("DepartmentApp", &ns, &name);
    if !matches!(e, Error::Waiting(_)) {
        warn!(error = %e, app = %name, failures = n, retry_in = ?delay, "app reconcile failed");
    }
    Action::requeue(delay)
}

/// The objects an app owns, as rendered.
pub fn owned_objects<'r>(rendered: &'r Rendered, ns: &str, app: &str) -> Vec<&'r Owned> {
    rendered.owned_by("DepartmentApp", ns, app)
}

async fn update_status(a: &DepartmentApp, ctx: &Context, rendered: &Rendered, placed: bool, isolated: bool, conflict: Option<&str>) -> Result<()> {
    let ns = a.namespace().unwrap_or_default();
    let name = a.name_any();
    let key = rendered.object("Deployment", &ns, &name).and_then(|o| {
        let l = o.meta().labels.as_ref()?;
        Some(AppKey { tenant: l.get(labels::TENANT)?.clone(), zone: l.get(labels::ZONE)?.clone(), app: name.clone() })
    });
    let flows: Vec<FlowStatus> = rendered
        .flows
        .iter()
        .filter(|f| Some(&f.consumer) == key.as_ref())
        .map(|f| FlowStatus { target: f.provider.to_string(), state: f.state, reason: f.reason.clone() })
        .collect();
    let count = |s: FlowState| flows.iter().filter(|f| f.state == s).count();
    let violations: Vec<String> = rendered
        .problems
        .iter()
        .filter(|p| p.object.kind == "DepartmentApp" && p.object.namespace.as_deref() == Some(ns.as_str()) && p.object.name == name)
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect();
    let deployment = ctx.owned.get("Deployment", &ns, &name);
    let ready_replicas = deployment.as_ref().and_then(|d| d.data.pointer("/status/readyReplicas")).and_then(|v| v.as_i64()).unwrap_or(0) as i32;
    let updated = deployment.as_ref().and_then(|d| d.data.pointer("/status/updatedReplicas")).and_then(|v| v.as_i64()).unwrap_or(0) as i32;
    let replicas = a.spec.replicas;
    let mut endpoints = Vec::new();
    if placed && !a.spec.ports.is_empty() {
        endpoints.push(format!("{name}.{ns}.svc"));
    }
    if let Some(Owned::Ingress(i)) = rendered.object("Ingress", &ns, &name) {
        for r in i.spec.as_ref().and_then(|s| s.rules.clone()).unwrap_or_default() {
            if let Some(h) = r.host {
                endpoints.push(format!("http://{h}/"));
            }
        }
    }
    let running = placed && isolated && ready_replicas >= replicas && updated >= replicas;
    let (ready, reason, message) = if !violations.is_empty() && !placed {
        (false, "Invalid", violations.join("; "))
    } else if !isolated {
        (false, "WaitingForIsolation", format!("namespace {ns} has no default-deny policy yet; nothing runs before its isolation exists"))
    } else if let Some(c) = conflict {
        (false, "Conflict", c.to_string())
    } else if !running {
        (false, "RollingOut", format!("{ready_replicas}/{replicas} replicas ready"))
    } else {
        (true, "Running", format!("{ready_replicas}/{replicas} replicas ready"))
    };
    let pending: Vec<String> =
        flows.iter().filter(|f| f.state != FlowState::Granted).map(|f| format!("{} {}: {}", f.state.as_str(), f.target, f.reason)).collect();
    let prev = a.status.clone().unwrap_or_default();
    let conds = conditions(
        &prev.conditions,
        a.metadata.generation,
        Timestamp::now(),
        vec![
            Cond { type_: "Ready", ok: ready, reason, message },
            Cond {
                type_: "FlowsPending",
                ok: !pending.is_empty(),
                reason: if pending.is_empty() { "AllGranted" } else { "NotGranted" },
                message: pending.join("; "),
            },
            Cond {
                type_: "Degraded",
                ok: !violations.is_empty() || conflict.is_some(),
                reason: if !violations.is_empty() {
                    "Violations"
                } else if conflict.is_some() {
                    "Conflict"
                } else {
                    "AsDeclared"
                },
                message: violations.iter().map(String::as_str).chain(conflict).collect::<Vec<_>>().join("; "),
            },
        ],
    );
    let status = DepartmentAppStatus {
        observed_generation: a.metadata.generation,
        replicas,
        ready_replicas,
        replicas_summary: Some(format!("{ready_replicas}/{replicas}")),
        endpoints,
        flows_summary: Some(format!("{}/{}/{}", count(FlowState::Granted), count(FlowState::Pending), count(FlowState::Refused))),
        flows: flows.clone(),
        violations,
        conditions: conds,
    };
    if differs(&a.status, &status) {
        let api: Api<DepartmentApp> = Api::namespaced(ctx.client.clone(), &ns);
        api.patch_status(
            &name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(json!({"apiVersion": crate::meta::API_VERSION, "kind": "DepartmentApp", "status": status})),
        )
        .await?;
        // Flow transitions are events on the consumer.
        for f in &flows {
            let before = prev.flows.iter().find(|p| p.target == f.target).map(|p| p.state);
            if before != Some(f.state) {
                let type_ = if f.state == FlowState::Granted { EventType::Normal } else { EventType::Warning };
                ctx.publish(a, type_, &format!("Flow{}", f.state.as_str()), "Reconcile", format!("{}: {}", f.target, f.reason)).await;
            }
        }
    }
    Ok(())
}
