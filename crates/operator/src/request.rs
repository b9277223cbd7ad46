//! ResourceRequest controller: judges each request against its tenant as
//! declared (pure: [`govcloud_render::judge`]), keeps its status (phase,
//! expiry, history) and publishes an Event per transition. It applies
//! nothing: what a request grants reaches the cluster through its tenant's
//! reconcile, which every change of a request sends ([`Triggers::request_changed`]),
//! a surge's expiry included (the request is reconciled again when it ends).
//!
//! ```text
//!   request (spec, decision) + tenant + zones + now ──judge──► Verdict ──► status (+ Event on a transition)
//! ```

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;
use kube::runtime::controller::Action;
use kube::runtime::events::EventType;
use kube::runtime::reflector::{ObjectRef, Store};

use super::controller::Reconciled;
use super::status::patch_status;
use super::triggers::Triggers;
use super::{Context, Result, Step};
use govcloud_core::api::{RequestKind, RequestPhase, ResourceRequest, ResourceRequestStatus, Transition};
use govcloud_core::messages::{Arg, Code, Message};
use govcloud_render::{self as render, Verdict};

/// Transitions kept in a request's status (the CRD's limit); the Events keep them all.
const HISTORY: usize = 16;

impl Reconciled for ResourceRequest {
    const KIND: &'static str = "ResourceRequest";
    const FINALIZER: Option<&'static str> = None;

    async fn apply(r: Arc<Self>, ctx: Arc<Context>) -> Step<Action> {
        Ok(apply(&r, &ctx).await?)
    }

    async fn refresh_status(r: Arc<Self>, ctx: Arc<Context>) -> Result<()> {
        ctx.triggers.reconcile_request(&r);
        Ok(())
    }

    fn store(ctx: &Context) -> &Store<Self> {
        &ctx.requests
    }

    fn model_changed(triggers: &Triggers, r: &Self, deleted: bool) {
        triggers.request_changed(r, deleted)
    }

    fn queue(triggers: &Triggers, r: &Self) {
        triggers.reconcile_request(r)
    }

    fn requests(triggers: &Triggers) -> BoxStream<'static, ObjectRef<Self>> {
        triggers.request_stream().boxed()
    }

    fn status_requests(_triggers: &Triggers) -> BoxStream<'static, ObjectRef<Self>> {
        // Nothing a request's status counts changes without the request changing.
        futures::stream::pending().boxed()
    }
}

async fn apply(r: &ResourceRequest, ctx: &Context) -> Result<Action> {
    let now = Timestamp::now();
    let tenant_name = render::request_tenant(r);
    let tenant = tenant_name
        .as_ref()
        .and_then(|n| ctx.tenants.get(&ObjectRef::new(n)))
        .filter(|t| t.metadata.deletion_timestamp.is_none());
    let all = ctx.requests.state();
    let same_tenant: Vec<&ResourceRequest> = all
        .iter()
        .map(|a| a.as_ref())
        .filter(|o| o.metadata.deletion_timestamp.is_none() && render::request_tenant(o) == tenant_name)
        .collect();
    let zones: BTreeSet<String> = ctx.zones.state().iter().map(|z| z.name_any()).collect();
    let verdict = render::judge(r, tenant.as_deref(), &same_tenant, &zones, now);
    let status = request_status(r, &verdict, tenant.map(|t| t.name_any()), now);
    if let Some(since) = past_retention(&status, now, ctx.request_retention) {
        // Kept for the record until now (departments cannot delete a decided
        // request); the Events and the API server's audit log keep it beyond.
        let api: kube::Api<ResourceRequest> =
            kube::Api::namespaced(ctx.client.clone(), &r.namespace().unwrap_or_default());
        match api.delete(&r.name_any(), &Default::default()).await {
            Ok(_) => {
                tracing::info!(request = %r.name_any(), namespace = ?r.namespace(), %since, "removed a request past its retention")
            }
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(e.into()),
        }
        return Ok(Action::await_change());
    }
    let previous = r.status.as_ref();
    if !same_status(previous, &status) {
        patch_status(ctx, r, &status).await?;
        let before = previous.and_then(|s| s.phase);
        if before != status.phase
            && let Some(t) = status.history.last()
        {
            let type_ = if t.phase == RequestPhase::Invalid { EventType::Warning } else { EventType::Normal };
            let (phase, kind) = (Arg::from(phase_word(t.phase)), Arg::from(r.spec.kind.as_str()));
            let note = match (t.by.as_deref(), t.reason.as_deref()) {
                (None, None) => Message::new(Code::RequestWent, vec![phase, kind]),
                (Some(b), None) => Message::new(Code::RequestWentBy, vec![phase, kind, b.into()]),
                (None, Some(r)) => Message::new(Code::RequestWentBecause, vec![phase, kind, r.into()]),
                (Some(b), Some(r)) => Message::new(Code::RequestWentByBecause, vec![phase, kind, b.into(), r.into()]),
            }
            .to_string();
            ctx.publish(r, type_, phase_code(t.phase), "Decide", note).await;
        }
    }
    // An approved surge is looked at again when it ends (its tenant follows).
    let until_expiry = status
        .expires_at
        .as_ref()
        .filter(|_| verdict == Verdict::Approved)
        .and_then(|e| Duration::try_from(e.0.duration_since(now)).ok())
        .map(|d| d + Duration::from_secs(1));
    Ok(ctx.resynced(until_expiry))
}

/// When a request no longer in effect (rejected, or a surge that expired)
/// took its last step, if that is longer ago than `retention`: it is then
/// removed. An approved request stays while it is in effect: what a tenant is
/// granted is its Tenant plus its approved requests.
pub fn past_retention(status: &ResourceRequestStatus, now: Timestamp, retention: Duration) -> Option<Timestamp> {
    let done = matches!(status.phase, Some(RequestPhase::Rejected | RequestPhase::Expired));
    let last = status.history.last()?.at.0;
    let age = Duration::try_from(now.duration_since(last)).ok()?;
    (done && age > retention).then_some(last)
}

/// Whether the operator's part of a request's status (all but the
/// decision, which platform engineers write) is unchanged.
fn same_status(previous: Option<&ResourceRequestStatus>, new: &ResourceRequestStatus) -> bool {
    previous.is_some_and(|p| {
        (&p.phase, &p.message, &p.tenant, &p.expires_at, &p.history)
            == (&new.phase, &new.message, &new.tenant, &new.expires_at, &new.history)
    })
}

/// A request's status as the operator writes it (never the decision): the
/// verdict's phase and message, the tenant, a surge's end (fixed when the
/// approval is first seen), and the history with a transition appended when
/// the phase changes.
pub fn request_status(
    r: &ResourceRequest,
    verdict: &Verdict,
    tenant: Option<String>,
    now: Timestamp,
) -> ResourceRequestStatus {
    let previous = r.status.clone().unwrap_or_default();
    let decision = previous.decision.as_ref();
    let expires_at = previous.expires_at.clone().or_else(|| {
        (r.spec.kind == RequestKind::Surge && *verdict == Verdict::Approved)
            .then(|| render::surge_end(r, now).map(Time))
            .flatten()
    });
    let phase = verdict.phase();
    let mut history = previous.history.clone();
    if previous.phase != Some(phase) {
        let (by, reason) = match phase {
            RequestPhase::Pending => {
                (r.spec.requester.as_ref().map(|q| q.username.clone()), Some(format!("project {}", r.spec.project)))
            }
            RequestPhase::Approved | RequestPhase::Rejected => {
                (decision.and_then(|d| d.by.clone()), decision.map(|d| d.reason.clone()))
            }
            RequestPhase::Expired => (
                None,
                expires_at.as_ref().map(|e| govcloud_core::msg!(Code::SurgeEndedAt, e.0.to_string()).to_string()),
            ),
            RequestPhase::Invalid => (None, Some(verdict.message())),
        };
        history.push(Transition { phase, at: Time(now), by, reason });
        if history.len() > HISTORY {
            history.drain(..history.len() - HISTORY);
        }
    }
    ResourceRequestStatus {
        decision: None,
        phase: Some(phase),
        message: Some(verdict.message()),
        tenant,
        expires_at,
        history,
    }
}

/// A request's phase as the reason of its Event (the catalogue's code of the same name).
fn phase_code(p: RequestPhase) -> Code {
    match p {
        RequestPhase::Pending => Code::Pending,
        RequestPhase::Invalid => Code::Invalid,
        RequestPhase::Approved => Code::Approved,
        RequestPhase::Rejected => Code::Rejected,
        RequestPhase::Expired => Code::Expired,
    }
}

/// A request's phase as its Event's note says it (the phase's own word).
fn phase_word(p: RequestPhase) -> Code {
    match p {
        RequestPhase::Invalid => Code::PhaseInvalid,
        p => phase_code(p),
    }
}

#[cfg(test)]
mod tests;
