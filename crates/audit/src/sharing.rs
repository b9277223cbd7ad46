//! Sharing by the national rules (`AuditBy::Sharing`), judged on the
//! DepartmentApps audited, their status as the operator wrote it, and the
//! flows rendering decided:
//!
//! - GC-SHR-001: every answer of a provider (`spec.sharing.answers`) records
//!   who answered (`by`, written by the API server) and a refusal its reason;
//!   an answer without `by` on a live object (one the API server stored) is a
//!   finding, in a manifest not applied yet it cannot be judged;
//! - GC-SHR-002: each conditional request answered, or waiting within its
//!   deadline, passes; one overdue (`status.sharing.requests[].overdue` on the
//!   provider, or `status.flows[].overdue` on the consumer when the
//!   provider's status here does not list it) fails, once;
//! - GC-SHR-003: every flow granted between tenants is judged again by the
//!   one classification rule of rendering ([`govcloud_render::classification_refusal`]).

use govcloud_core::messages::{Arg, Code};
use govcloud_core::msg;
use std::collections::{BTreeMap, BTreeSet};

use kube::ResourceExt;
use serde::Deserialize;
use serde_json::Value;

use govcloud_core::api::{AnswerDecision, AppKey, DepartmentApp, FlowState, SharingClass};
use govcloud_core::controls;
use govcloud_core::meta::names::namespace_name;

use crate::Outcome;
use crate::ctx::{Ctx, id_of, kind_of, ns_of};

/// A DepartmentApp audited, read as one, with where it is.
struct Audited {
    id: String,
    namespace: String,
    /// Its tenant, from the model's tenants and the namespace.
    tenant: Option<String>,
    /// Stored by the API server (it has a uid): `by` must be there.
    live: bool,
    app: DepartmentApp,
}

/// Runs the three checks over the audited objects, given one at a time
/// (a province's apps, parsed whole at once, were about 20 MiB of JSON
/// values held through the path; each is read into its typed form and let
/// go).
pub(crate) fn sharing<'v>(
    ctx: &mut Ctx<'_>,
    model: &govcloud_core::model::Model,
    objects: impl IntoIterator<Item = std::borrow::Cow<'v, Value>>,
    planned: &govcloud_render::Planned<'_>,
    remote: &BTreeMap<String, String>,
) {
    let ns_tenant: BTreeMap<String, String> = model
        .tenants
        .iter()
        .flat_map(|t| t.spec.zones.iter().map(move |z| (namespace_name(&t.name_any(), &z.name), t.name_any())))
        .collect();
    let mut apps: Vec<Audited> = Vec::new();
    for o in objects.into_iter().filter(|o| kind_of(o) == "DepartmentApp") {
        let o = o.as_ref();
        // Read where it lies (no copy of the JSON first).
        let Ok(app) = DepartmentApp::deserialize(o) else {
            // Admission's checks report what does not read as a DepartmentApp.
            continue;
        };
        // Another cluster's audit judges the apps of the zones it hosts.
        if remote.contains_key(&app.spec.zone) {
            continue;
        }
        let namespace = ns_of(o).to_string();
        apps.push(Audited {
            id: id_of(o),
            tenant: ns_tenant.get(&namespace).cloned(),
            live: o["metadata"]["uid"].as_str().is_some_and(|u| !u.is_empty()),
            namespace,
            app,
        });
    }
    answers(ctx, &apps);
    deadlines(ctx, &apps, planned);
    classification(ctx, &apps, planned, remote);
}

/// GC-SHR-001: who answered, and a refusal's reason.
fn answers(ctx: &mut Ctx<'_>, apps: &[Audited]) {
    for a in apps {
        let Some(sharing) = &a.app.spec.sharing else { continue };
        for (j, x) in sharing.answers.iter().enumerate() {
            let field = format!("spec.sharing.answers[{j}]");
            let decided = match x.decision {
                AnswerDecision::Granted => Code::WordGranted,
                AnswerDecision::Refused => Code::WordRefused,
            };
            let by = x.by.as_deref().filter(|b| !b.trim().is_empty());
            let reason = x.reason.as_deref().filter(|r| !r.trim().is_empty());
            let (outcome, field, evidence) = match (by, x.decision, reason) {
                (_, AnswerDecision::Refused, None) => {
                    (Outcome::Fail, format!("{field}.reason"), msg!(Code::EvidenceRefusedNoReason, &x.consumer))
                }
                (Some(by), _, _) => {
                    (Outcome::Pass, format!("{field}.by"), msg!(Code::EvidenceAnsweredBy, &x.consumer, decided, by))
                }
                (None, _, _) if a.live => {
                    (Outcome::Fail, format!("{field}.by"), msg!(Code::EvidenceAnsweredNoBy, &x.consumer, decided))
                }
                (None, _, _) => {
                    (Outcome::Skip, format!("{field}.by"), msg!(Code::EvidenceAnsweredNotApplied, &x.consumer, decided))
                }
            };
            ctx.add(
                controls::SHARING_ANSWERS,
                outcome,
                &a.id,
                Some(&a.namespace),
                &field,
                evidence,
                msg!(Code::AnswersRecorded),
            );
        }
    }
}

/// `(tenant, zone when named, app)` of a key `tenant/zone/app` or `tenant/app`.
fn parse_key(key: &str) -> Option<(String, Option<String>, String)> {
    let parts: Vec<&str> = key.split('/').collect();
    let (t, z, a) = match parts.as_slice() {
        [t, z, a] => (*t, Some(z.to_string()), *a),
        [t, a] => (*t, None, *a),
        _ => return None,
    };
    (!t.is_empty() && !a.is_empty()).then(|| (t.to_string(), z, a.to_string()))
}

/// `(tenant, app)` of a key `tenant/zone/app` or `tenant/app`.
fn tenant_app(key: &str) -> Option<(String, String)> {
    parse_key(key).map(|(t, _, a)| (t, a))
}

/// GC-SHR-002: each request answered or in time passes, each overdue one fails, once.
fn deadlines(ctx: &mut Ctx<'_>, apps: &[Audited], planned: &govcloud_render::Planned<'_>) {
    // (consumer tenant, consumer app, provider tenant, provider app) judged already.
    let mut judged: BTreeSet<(String, String, String, String)> = BTreeSet::new();
    let when = |t: &Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| -> Arg {
        t.as_ref().map_or_else(|| Code::WordUnknown.into(), |t| t.0.to_string().into())
    };
    let state_word = |s: FlowState| match s {
        FlowState::Granted => Code::StateGranted,
        FlowState::Pending => Code::StatePending,
        FlowState::Refused => Code::StateRefused,
    };
    // The provider's side: its status lists the requests it received.
    for p in apps {
        let Some(pt) = &p.tenant else { continue };
        let conditional = p.app.spec.sharing.as_ref().is_some_and(|s| s.class == SharingClass::Conditional);
        let requests = p.app.status.iter().flat_map(|s| &s.sharing).flat_map(|s| &s.requests);
        for (j, r) in requests.enumerate() {
            let Some((ct, ca)) = tenant_app(&r.consumer) else { continue };
            judged.insert((ct, ca, pt.clone(), p.app.name_any()));
            let request = match r.purpose.as_deref() {
                Some(x) => msg!(Code::EvidenceRequestOfFor, &r.consumer, x),
                None => msg!(Code::EvidenceRequestOf, &r.consumer),
            };
            let (outcome, evidence) = match r.state {
                _ if r.overdue => {
                    (Outcome::Fail, msg!(Code::EvidenceWaitingOverdue, request, when(&r.since), when(&r.due)))
                }
                FlowState::Pending => {
                    (Outcome::Pass, msg!(Code::EvidenceWaitingInTime, request, when(&r.since), when(&r.due)))
                }
                state => (Outcome::Pass, msg!(Code::EvidenceAnswered, request, state_word(state))),
            };
            ctx.add(
                controls::SHARING_DEADLINES,
                outcome,
                &p.id,
                Some(&p.namespace),
                &format!("status.sharing.requests[{j}]"),
                evidence,
                msg!(Code::AnsweredInTime),
            );
        }
        // Answers given that the status does not list (yet): answered.
        let Some(sharing) = p.app.spec.sharing.as_ref().filter(|_| conditional) else { continue };
        for (j, x) in sharing.answers.iter().enumerate() {
            let Some((ct, ca)) = tenant_app(&x.consumer) else { continue };
            if judged.insert((ct, ca, pt.clone(), p.app.name_any())) {
                ctx.add(
                    controls::SHARING_DEADLINES,
                    Outcome::Pass,
                    &p.id,
                    Some(&p.namespace),
                    &format!("spec.sharing.answers[{j}]"),
                    msg!(
                        Code::EvidenceAnswered,
                        msg!(Code::EvidenceRequestOf, &x.consumer),
                        match x.decision {
                            AnswerDecision::Granted => Code::StateGranted,
                            AnswerDecision::Refused => Code::StateRefused,
                        }
                    ),
                    msg!(Code::AnsweredInTime),
                );
            }
        }
    }
    // The consumer's side: an overdue flow whose provider's status here does not list it.
    for c in apps {
        let Some(ct) = &c.tenant else { continue };
        for (k, f) in c.app.status.iter().flat_map(|s| s.flows.iter()).enumerate() {
            let Some((pt, pa)) = tenant_app(&f.target) else { continue };
            if !f.overdue || !judged.insert((ct.clone(), c.app.name_any(), pt, pa)) {
                continue;
            }
            ctx.add(
                controls::SHARING_DEADLINES,
                Outcome::Fail,
                &c.id,
                Some(&c.namespace),
                &format!("status.flows[{k}].overdue"),
                msg!(Code::EvidenceRequestToOverdue, &f.target, when(&f.since), when(&f.due)),
                msg!(Code::AnsweredInTime),
            );
        }
    }
    // Calls waiting for an answer that no status audited here dates: when they were made is not known.
    for d in planned.flows.iter().filter(|d| d.awaiting) {
        let key =
            (d.consumer.tenant.clone(), d.consumer.app.clone(), d.provider.tenant.clone(), d.provider.app.clone());
        let Some(p) = apps.iter().find(|a| {
            a.tenant.as_deref() == Some(&d.provider.tenant)
                && a.app.name_any() == d.provider.app
                && a.app.spec.zone == d.provider.zone
        }) else {
            continue;
        };
        if judged.insert(key) {
            ctx.add(
                controls::SHARING_DEADLINES,
                Outcome::Skip,
                &p.id,
                Some(&p.namespace),
                "status.sharing.requests",
                msg!(Code::EvidenceWaitingUndated, d.consumer.to_string()),
                msg!(Code::AnsweredInTime),
            );
        }
    }
}

/// GC-SHR-003: every flow granted between tenants, as rendering decides it
/// and as the consumers' status says it (a status the operator wrote before
/// a provider's classification changed, say), by the classification rule of
/// rendering.
fn classification(
    ctx: &mut Ctx<'_>,
    apps: &[Audited],
    planned: &govcloud_render::Planned<'_>,
    remote: &BTreeMap<String, String>,
) {
    let key_of = |a: &Audited| -> Option<AppKey> {
        Some(AppKey { tenant: a.tenant.clone()?, zone: a.app.spec.zone.clone(), app: a.app.name_any() })
    };
    let audited: BTreeMap<AppKey, &Audited> = apps.iter().filter_map(|a| Some((key_of(a)?, a))).collect();
    // (consumer, provider) -> (where the consumer's object is, the call's field, what says it is granted).
    let mut granted: BTreeMap<(AppKey, AppKey), (String, String, String, Code)> = BTreeMap::new();
    for d in planned.flows.iter().filter(|d| d.state == FlowState::Granted && d.consumer.tenant != d.provider.tenant) {
        // This cluster holds a side of it.
        if remote.contains_key(&d.consumer.zone) && remote.contains_key(&d.provider.zone) {
            continue;
        }
        let Some(c) = planned.index.apps.get(&d.consumer) else { continue };
        granted.insert(
            (d.consumer.clone(), d.provider.clone()),
            (
                format!("DepartmentApp/{}/{}", c.namespace, d.consumer.app),
                c.namespace.clone(),
                format!("spec.flows.calls[{}]", d.call),
                Code::EvidenceFromRendering,
            ),
        );
    }
    for (ck, c) in &audited {
        for (k, f) in c.app.status.iter().flat_map(|s| s.flows.iter()).enumerate() {
            let Some((pt, zone, pa)) = parse_key(&f.target) else { continue };
            if f.state != FlowState::Granted || pt == ck.tenant {
                continue;
            }
            // The provider's zone: the target's, else the one the consumer's call names, else its own.
            let zone = zone.unwrap_or_else(|| {
                c.app
                    .spec
                    .flows
                    .calls
                    .iter()
                    .find(|x| x.app == pa && x.tenant.as_deref() == Some(pt.as_str()))
                    .and_then(|x| x.zone.clone())
                    .unwrap_or_else(|| ck.zone.clone())
            });
            let pk = AppKey { tenant: pt, zone, app: pa };
            granted.entry((ck.clone(), pk)).or_insert((
                c.id.clone(),
                c.namespace.clone(),
                format!("status.flows[{k}]"),
                Code::EvidenceFromConsumerStatus,
            ));
        }
    }
    for ((ck, pk), (object, namespace, field, source)) in granted {
        // Classification as the audited objects say, else as declared.
        let data = audited
            .get(&pk)
            .map(|p| p.app.spec.data_classification)
            .or_else(|| planned.index.apps.get(&pk).map(|p| p.app.spec.data_classification));
        let kind = planned.index.zones.get(&ck.zone).map(|z| z.spec.kind);
        let (Some(data), Some(kind)) = (data, kind) else { continue };
        let (outcome, evidence) = match govcloud_render::classification_refusal(&pk, data, &ck, kind) {
            Some(why) => (Outcome::Fail, msg!(Code::EvidenceGrantedYet, source, why)),
            None => (
                Outcome::Pass,
                msg!(
                    Code::EvidenceClassified,
                    ck.to_string(),
                    &ck.zone,
                    kind.to_string(),
                    pk.to_string(),
                    govcloud_render::data_message(data)
                ),
            ),
        };
        ctx.add(
            controls::SHARING_CLASSIFICATION,
            outcome,
            &object,
            Some(&namespace),
            &field,
            evidence,
            msg!(Code::ClassificationRule),
        );
    }
}

#[cfg(test)]
mod tests;
