//! DepartmentApp controller: the app's workload and flow policies, once its
//! namespace is isolated; status with replicas, endpoints and flows.
//!
//! The status is computed by [`app_status`] from plain figures; the rest
//! only gathers them (caches, rendering) and writes. No finalizer: owner
//! references let the garbage collector remove what an app owns.

use govcloud_core::messages::{Arg, Code, Message};
use govcloud_core::msg;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::jiff::Timestamp;
use kube::runtime::controller::Action;
use kube::runtime::events::EventType;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::{Resource, ResourceExt};

use super::apply::{apply_owned, desired_json};
use super::cache::kept::Read;
use super::controller::Reconciled;
use super::status::{Cond, conditions, degraded, write_status};
use super::triggers::Triggers;
use super::{Context, Halt, Result, Step};
use govcloud_core::api::{AppKey, DepartmentApp, DepartmentAppStatus, FlowState, FlowStatus, SharingStatus};
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_render::{Owned, Rendered};

impl Reconciled for DepartmentApp {
    const KIND: &'static str = OwnerKind::DepartmentApp.as_str();
    const FINALIZER: Option<&'static str> = None;

    async fn apply(a: Arc<Self>, ctx: Arc<Context>) -> Step<Action> {
        apply(&a, &ctx).await
    }

    fn refresh_status(a: Arc<Self>, ctx: Arc<Context>) -> impl Future<Output = Result<()>> + Send {
        refresh_status(a, ctx)
    }

    fn store(ctx: &Context) -> &Store<Self> {
        &ctx.apps
    }

    fn evaluated(a: &Self) -> u64 {
        govcloud_evaluate::app_status_read(a)
    }

    fn model_changed(triggers: &Triggers, a: &Self, deleted: bool) {
        triggers.app_changed(a, deleted)
    }

    fn queue(triggers: &Triggers, a: &Self) {
        triggers.reconcile_app(a)
    }

    fn requests(triggers: &Triggers) -> BoxStream<'static, ObjectRef<Self>> {
        triggers.app_stream().boxed()
    }

    fn status_requests(triggers: &Triggers) -> BoxStream<'static, ObjectRef<Self>> {
        triggers.app_status_stream().boxed()
    }
}

async fn apply(a: &DepartmentApp, ctx: &Context) -> Step<Action> {
    let ns = a.namespace().unwrap_or_default();
    let name = a.name_any();
    // This app's objects only, rendered now from the plan of the model.
    let rendered = ctx.rendered_for(OwnerKind::DepartmentApp, &ns, &name).await;
    let placed = rendered.object(a.spec.workload_kind().as_str(), &ns, &name).is_some();
    let isolated = ctx.owned.get("NetworkPolicy", &ns, govcloud_core::meta::names::DEFAULT_DENY).is_some();
    let mut in_flight = false;
    let mut conflict = None;
    let mut refused = None;
    if placed && isolated {
        let owner = a.controller_owner_ref(&());
        let desired: Vec<(Owned, serde_json::Value)> = owned_objects(&rendered, &ns, &name)
            .into_iter()
            .map(|o| Ok((o.clone(), desired_json(o, owner.as_ref(), &ctx.scope)?)))
            .collect::<Result<_>>()?;
        let previous = a.status.as_ref().map(|s| s.conditions.as_slice()).unwrap_or_default();
        match apply_owned(
            &ctx.client,
            &ctx.owned,
            &ctx.inflight,
            &desired,
            (OwnerKind::DepartmentApp, Some(&ns), &name),
        )
        .await
        {
            Ok(report) => {
                in_flight = report.in_flight;
                conflict = ctx.announce_applied(a, previous, &report, false).await;
            }
            // The API server refused one of its objects: the app says so
            // (condition and Event, in the API server's words), and the
            // refusal is counted and retried with the failure backoff.
            Err(Halt::Failed(e)) => match e.refusal() {
                Some(message) => {
                    ctx.metrics.failed(OwnerKind::DepartmentApp.as_str(), e.metric_label());
                    if refusal_is_new(previous, &message) {
                        ctx.publish(a, EventType::Warning, REFUSED, "Reconcile", message.clone()).await;
                    }
                    refused = Some(message);
                }
                None => return Err(e.into()),
            },
            Err(h) => return Err(h),
        }
    }
    // An invalid app keeps what it last had running: nothing is lost on error.
    let blocked = match (&refused, &conflict) {
        (Some(r), _) => Some(Blocked { reason: REFUSED, message: r }),
        (None, Some(c)) => Some(Blocked { reason: Code::Conflict, message: c }),
        (None, None) => None,
    };
    // An answer falling due wakes the app to say it is overdue.
    let wake = update_status(a, ctx, &rendered, placed, blocked).await?;
    if refused.is_some() {
        return Ok(Action::requeue(ctx.retries.failed(OwnerKind::DepartmentApp.as_str(), &ns, &name).0));
    }
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
    Ok(ctx.resynced(wake))
}

/// Refreshes an app's status from the caches (replicas became ready, the
/// rollout completed); applies nothing. A conflict reported stays until a
/// reconcile settles it.
pub async fn refresh_status(a: Arc<DepartmentApp>, ctx: Arc<Context>) -> Result<()> {
    if a.metadata.deletion_timestamp.is_some() {
        return Ok(());
    }
    ctx.metrics.status_refresh(OwnerKind::DepartmentApp);
    let ns = a.namespace().unwrap_or_default();
    let name = a.name_any();
    let rendered = ctx.rendered_for(OwnerKind::DepartmentApp, &ns, &name).await;
    let placed = rendered.object(a.spec.workload_kind().as_str(), &ns, &name).is_some();
    let conditions = a.status.as_ref().map(|s| s.conditions.as_slice()).unwrap_or_default();
    let refused = standing_refusal(conditions);
    let conflict = super::status::standing_conflict(conditions);
    let blocked = match (&refused, &conflict) {
        (Some(r), _) => Some(Blocked { reason: REFUSED, message: r }),
        (None, Some(c)) => Some(Blocked { reason: Code::Conflict, message: c }),
        (None, None) => None,
    };
    update_status(&a, &ctx, &rendered, placed, blocked).await.map(|_| ())
}

/// The reason of an app's `Ready` and `Degraded` conditions, and of its
/// Warning Event, when the API server refused one of its objects.
pub const REFUSED: Code = Code::Refused;

/// The reason of an app's `Ready` condition, and of its Warning Event, when
/// its pods are refused (the namespace's ResourceQuota or LimitRange).
pub const PODS_REFUSED: Code = Code::PodsRefused;

/// What keeps an app's objects from being applied: a conflict (an object in
/// the way) or the API server's refusal of one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocked<'a> {
    /// `Conflict` or [`REFUSED`].
    pub reason: Code,
    /// What happened, for people.
    pub message: &'a str,
}

/// The refusal the `Degraded` condition reports now, if any: a status
/// refresh keeps it; only a reconcile, which applies again, settles it.
pub fn standing_refusal(previous: &[Condition]) -> Option<String> {
    previous
        .iter()
        .find(|c| c.type_ == "Degraded" && c.status == "True" && c.reason == REFUSED.as_str())
        .map(|c| c.message.clone())
}

/// Whether a refusal is not yet what the `Degraded` condition says (its
/// Warning Event is published once, not on every retry).
pub fn refusal_is_new(previous: &[Condition], message: &str) -> bool {
    !previous.iter().any(|c| {
        c.type_ == "Degraded" && c.status == "True" && c.reason == REFUSED.as_str() && c.message.contains(message)
    })
}

/// The objects an app owns, as rendered.
pub fn owned_objects<'r>(rendered: &'r Rendered, ns: &str, app: &str) -> Vec<&'r Owned> {
    rendered.owned_by(OwnerKind::DepartmentApp, ns, app)
}

/// What an app's status is computed from.
#[derive(Debug, Clone, Default)]
pub struct AppFigures<'a> {
    /// The status the app has now.
    pub previous: Option<&'a DepartmentAppStatus>,
    /// The app's `metadata.generation`.
    pub generation: Option<i64>,
    /// Its namespace.
    pub namespace: &'a str,
    /// Replicas it asks for.
    pub replicas: i32,
    /// Replicas of its Deployment that are ready.
    pub ready_replicas: i32,
    /// Replicas of its Deployment that run the current template.
    pub updated_replicas: i32,
    /// Whether the plan places it (renders its workload).
    pub placed: bool,
    /// A scheduled app's runs, as its CronJob reports them.
    pub runs: Option<Runs>,
    /// Whether its namespace's default-deny policy exists.
    pub isolated: bool,
    /// Where it is reached.
    pub endpoints: Vec<String>,
    /// The flows it consumes, as decided.
    pub flows: Vec<FlowStatus>,
    /// As a provider: its sharing class, consumers and requests.
    pub sharing: Option<SharingStatus>,
    /// What the plan finds wrong with it (`field: message`).
    pub violations: Vec<String>,
    /// What its last apply met: an object in the way, or the API server's
    /// refusal of one of its objects; `None` when all went through.
    pub blocked: Option<Blocked<'a>>,
    /// The cluster that hosts its zone, when it is not this one: the app is
    /// only declared here.
    pub elsewhere: Option<String>,
    /// Why Kubernetes cannot create its pods (its ReplicaSet's
    /// `ReplicaFailure`, which the Deployment carries): the ResourceQuota
    /// or the LimitRange refused them, in the API server's words.
    pub pods_refused: Option<String>,
}

/// A scheduled app's runs, as its CronJob's status reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Runs {
    /// The app's cron expression.
    pub cron: String,
    /// When the last run started (RFC 3339), if one has.
    pub last_schedule: Option<String>,
    /// When a run last succeeded (RFC 3339), if one has.
    pub last_success: Option<String>,
    /// Runs going on now.
    pub active: usize,
}

impl Runs {
    /// Whether the last run that ended failed: it started after the last
    /// success (or none succeeded) and none runs now.
    pub fn last_failed(&self) -> bool {
        self.active == 0
            && match (&self.last_schedule, &self.last_success) {
                (Some(started), Some(succeeded)) => started > succeeded,
                (Some(_), None) => true,
                (None, _) => false,
            }
    }

    /// The condition of a scheduled app: ready unless its last run failed.
    fn condition(&self, suspended: bool) -> (bool, Code, String) {
        let last = match (&self.last_schedule, &self.last_success) {
            (None, _) => msg!(Code::NoRunYet),
            (Some(s), Some(ok)) => msg!(Code::LastRun, s, ok),
            (Some(s), None) => msg!(Code::LastRunNoSuccess, s),
        };
        if suspended {
            (true, Code::Suspended, msg!(Code::ScheduleSuspended, &self.cron, last).to_string())
        } else if self.active > 0 {
            (true, Code::Running, msg!(Code::ScheduleRunning, &self.cron, self.active.to_string(), last).to_string())
        } else if self.last_failed() {
            (false, Code::LastRunFailed, msg!(Code::ScheduleLastFailed, &self.cron, last).to_string())
        } else {
            (true, Code::Scheduled, msg!(Code::ScheduleWaiting, &self.cron, last).to_string())
        }
    }
}

/// An app's status.
pub fn app_status(f: AppFigures<'_>, now: Timestamp) -> DepartmentAppStatus {
    let (ns, replicas, ready_replicas, updated) = (f.namespace, f.replicas, f.ready_replicas, f.updated_replicas);
    let blocked = f.blocked;
    let violations = f.violations;
    let count = |s: FlowState| f.flows.iter().filter(|fl| fl.state == s).count();
    let running = f.placed && f.isolated && ready_replicas >= replicas && updated >= replicas;
    let (ready, reason, message) = if let Some(c) = &f.elsewhere {
        (true, Code::HostedElsewhere, msg!(Code::AppRunsElsewhere, c).to_string())
    } else if !violations.is_empty() && !f.placed {
        (false, Code::Invalid, violations.join("; "))
    } else if !f.isolated {
        (false, Code::WaitingForIsolation, msg!(Code::NoDefaultDenyYet, ns).to_string())
    } else if let Some(b) = blocked {
        (false, b.reason, b.message.to_string())
    } else if let Some(runs) = &f.runs {
        if f.placed {
            runs.condition(replicas == 0)
        } else {
            (false, Code::NotPlaced, msg!(Code::NotPlaced).to_string())
        }
    } else if let Some(m) = &f.pods_refused {
        (
            false,
            PODS_REFUSED,
            msg!(Code::ReplicasPodsRefused, ready_replicas.to_string(), replicas.to_string(), m).to_string(),
        )
    } else if updated < replicas {
        (
            false,
            Code::RollingOut,
            msg!(Code::ReplicasRollingOut, ready_replicas.to_string(), replicas.to_string(), updated.to_string())
                .to_string(),
        )
    } else if !running {
        (
            false,
            Code::NotReady,
            msg!(
                Code::ReplicasNotReady,
                ready_replicas.to_string(),
                replicas.to_string(),
                (replicas - ready_replicas).to_string()
            )
            .to_string(),
        )
    } else {
        (true, Code::Running, msg!(Code::ReplicasReady, ready_replicas.to_string(), replicas.to_string()).to_string())
    };
    let pending: Vec<String> = f
        .flows
        .iter()
        .filter(|fl| fl.state != FlowState::Granted)
        .map(|fl| {
            let code = if fl.state == FlowState::Refused { Code::CallRefused } else { Code::CallPending };
            // The flow's reason is the English text of its message: read back, it nests as one.
            let why = Message::from_english(&fl.reason).map_or_else(|| Arg::from(&fl.reason), Arg::Msg);
            Message::new(code, vec![Arg::from(&fl.target), why]).to_string()
        })
        .collect();
    let overdue = sharing::overdue_messages(&f.flows, f.sharing.as_ref());
    let previous = f.previous.map(|p| p.conditions.as_slice()).unwrap_or_default();
    let conds = conditions(
        previous,
        f.generation,
        now,
        vec![
            Cond { type_: "Ready", ok: ready, reason, message },
            Cond {
                type_: "FlowsPending",
                ok: !pending.is_empty(),
                reason: if pending.is_empty() { Code::AllGranted } else { Code::NotGranted },
                message: pending.join("; "),
            },
            match blocked {
                Some(b) if violations.is_empty() => {
                    Cond { type_: "Degraded", ok: true, reason: b.reason, message: b.message.to_string() }
                }
                _ => degraded(&violations, Code::Violations, blocked.map(|b| b.message)),
            },
            Cond {
                type_: "AnswerOverdue",
                ok: !overdue.is_empty(),
                reason: if overdue.is_empty() { Code::InTime } else { Code::Overdue },
                message: overdue.join("; "),
            },
        ],
    );
    DepartmentAppStatus {
        observed_generation: f.generation,
        replicas,
        ready_replicas,
        replicas_summary: Some(if f.elsewhere.is_some() {
            "elsewhere".to_string()
        } else if let Some(runs) = &f.runs {
            if replicas == 0 { "suspended".to_string() } else { format!("{} running", runs.active) }
        } else {
            format!("{ready_replicas}/{replicas}")
        }),
        endpoints: f.endpoints,
        flows_summary: Some(format!(
            "{}/{}/{}",
            count(FlowState::Granted),
            count(FlowState::Pending),
            count(FlowState::Refused)
        )),
        flows_granted: count(FlowState::Granted) as i32,
        flows_waiting: count(FlowState::Pending) as i32,
        flows_refused: count(FlowState::Refused) as i32,
        flows: f.flows,
        sharing: f.sharing,
        violations,
        conditions: conds,
    }
}

/// The flows whose state changed from `previous` (new ones included): each
/// is an Event on the consumer.
pub fn flow_transitions<'f>(previous: &[FlowStatus], now: &'f [FlowStatus]) -> Vec<&'f FlowStatus> {
    now.iter().filter(|f| previous.iter().find(|p| p.target == f.target).map(|p| p.state) != Some(f.state)).collect()
}

/// Gathers an app's figures from the caches and the rendering, and writes
/// its status (and its flows' transitions as Events) if it changed: under
/// the app's status slot, the caches read as they are once it is free.
async fn update_status(
    a: &DepartmentApp,
    ctx: &Context,
    rendered: &Rendered,
    placed: bool,
    blocked: Option<Blocked<'_>>,
) -> Result<Option<Duration>> {
    let ns = a.namespace().unwrap_or_default();
    let name = a.name_any();
    let mut slot = ctx.written.hold(OwnerKind::DepartmentApp.as_str(), &ns, &name).await;
    let isolated = ctx.owned.get("NetworkPolicy", &ns, govcloud_core::meta::names::DEFAULT_DENY).is_some();
    // The calls this app (of this namespace, not a namesake elsewhere) makes.
    let own = |k: &AppKey| k.app == name && govcloud_core::meta::names::namespace_name(&k.tenant, &k.zone) == ns;
    let clock = sharing::Clock { now: Timestamp::now(), deadline: &ctx.deadline };
    let calls: Vec<&govcloud_render::FlowDecision> = rendered.flows.iter().filter(|f| own(&f.consumer)).collect();
    let flows =
        sharing::consumer_flows(&calls, a.status.as_ref().map(|s| s.flows.as_slice()).unwrap_or_default(), clock);
    let (tenant, zone) = govcloud_core::meta::names::split_namespace(&ns).unwrap_or(("", &a.spec.zone));
    let me = AppKey { tenant: tenant.to_string(), zone: zone.to_string(), app: name.clone() };
    let decisions: Vec<&govcloud_render::FlowDecision> = rendered.flows.iter().collect();
    // A waiting request's time as the consumer's own status recorded it.
    let consumer_since = |k: &AppKey| {
        let ns = govcloud_core::meta::names::namespace_name(&k.tenant, &k.zone);
        let app = ctx.apps.get(&ObjectRef::new(&k.app).within(&ns))?;
        let target = me.to_string();
        app.status.as_ref()?.flows.iter().find(|f| f.target == target)?.since.as_ref().map(|t| t.0)
    };
    let sharing = sharing::provider_sharing(
        a,
        &me,
        &decisions,
        &consumer_since,
        a.status.as_ref().and_then(|s| s.sharing.as_ref()),
        clock,
    );
    let violations: Vec<String> = rendered
        .problems
        .iter()
        .filter(|p| {
            p.object.kind == OwnerKind::DepartmentApp.as_str()
                && p.object.namespace.as_deref() == Some(ns.as_str())
                && p.object.name == name
        })
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect();
    let kind = a.spec.workload_kind();
    let workload = ctx.owned.get(kind.as_str(), &ns, &name);
    let read = workload.as_ref().map(|d| d.read());
    let replica_count = |field: fn(&Read) -> Option<i64>| read.and_then(field).unwrap_or(0) as i32;
    let runs = a.spec.schedule.as_ref().map(|s| {
        let at = |field: fn(&Read) -> Option<&str>| read.and_then(field).map(str::to_string);
        Runs {
            cron: s.cron.clone(),
            last_schedule: at(|r| r.last_schedule.as_deref()),
            last_success: at(|r| r.last_success.as_deref()),
            active: read.and_then(|r| r.active).unwrap_or(0),
        }
    });
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
    // With autoscaling the autoscaler sets the Deployment's count, never
    // below minReplicas (the Deployment starts at 1 until it acts).
    let replicas = match &a.spec.autoscaling {
        Some(s) => read.and_then(|r| r.replicas).map_or(s.min_replicas, |r| (r as i32).max(s.min_replicas)),
        None => a.spec.replicas,
    };
    let figures = AppFigures {
        previous: a.status.as_ref(),
        generation: a.metadata.generation,
        namespace: &ns,
        replicas,
        ready_replicas: replica_count(|r| r.ready_replicas),
        updated_replicas: replica_count(|r| r.updated_replicas),
        runs,
        placed,
        isolated,
        endpoints,
        flows,
        sharing,
        violations,
        blocked,
        elsewhere: ctx.hosted_elsewhere(&a.spec.zone),
        pods_refused: read.and_then(|r| r.replica_failure.as_deref().map(str::to_string)),
    };
    let status = app_status(figures, clock.now);
    let wake = sharing::next_due(&status.flows, status.sharing.as_ref(), clock.now)
        .map(|t| Duration::from_secs(t.duration_since(clock.now).as_secs().max(0) as u64 + 1));
    if write_status(ctx, &mut slot, a, a.status.as_ref(), &status).await? {
        // Pods newly refused: one Warning Event (the condition stays while they are).
        let ready_of = |s: Option<&DepartmentAppStatus>| {
            s.and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
                .map(|c| (c.reason.clone(), c.message.clone()))
        };
        if let Some((reason, message)) = ready_of(Some(&status)).filter(|(r, _)| r == PODS_REFUSED.as_str())
            && ready_of(a.status.as_ref()).is_none_or(|(r, m)| r != reason || m != message)
        {
            ctx.publish(a, EventType::Warning, PODS_REFUSED, "Reconcile", message).await;
        }
        let previous = a.status.as_ref().map(|s| s.flows.as_slice()).unwrap_or_default();
        let was = sharing::overdue_messages(previous, a.status.as_ref().and_then(|s| s.sharing.as_ref()));
        for m in sharing::overdue_messages(&status.flows, status.sharing.as_ref()) {
            if !was.contains(&m) {
                ctx.publish(a, EventType::Warning, Code::AnswerOverdue, "Reconcile", m).await;
            }
        }
        for f in flow_transitions(previous, &status.flows) {
            let type_ = if f.state == FlowState::Granted { EventType::Normal } else { EventType::Warning };
            ctx.publish(
                a,
                type_,
                match f.state {
                    FlowState::Granted => Code::FlowGranted,
                    FlowState::Pending => Code::FlowPending,
                    FlowState::Refused => Code::FlowRefused,
                },
                "Reconcile",
                msg!(
                    Code::CallTo,
                    &f.target,
                    Message::from_english(&f.reason).map_or_else(|| Arg::from(&f.reason), Arg::Msg)
                )
                .to_string(),
            )
            .await;
        }
    }
    Ok(wake)
}

mod sharing;

#[cfg(test)]
mod tests;
