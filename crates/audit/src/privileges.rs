//! Tenant privileges (`AuditBy::TenantPrivileges`): bindings, roles and ResourceRequests as filed and decided.

use govcloud_core::controls;
use govcloud_core::messages::Code;
use govcloud_core::meta::labels;
use govcloud_core::msg;

use kube::ResourceExt;

use govcloud_core::model::Model;
use serde::Deserialize;
use serde_json::Value;

use crate::Outcome;
use crate::ctx::{Ctx, id_of, kind_of, label, ns_of};
use govcloud_core::meta::labels::ZONE;
use std::collections::{BTreeMap, BTreeSet};

/// GC-RBAC-001: department users hold cluster-wide only the right to read
/// their own Tenant and the catalogue (both in their tenant's ClusterRole;
/// the audit bureau also the cluster auditor role), never
/// more; GC-RBAC-004: exec, attach and port-forward are bound only where the
/// namespace's level (or its zone) allows them.
pub(crate) fn tenant_privileges(ctx: &mut Ctx<'_>, model: &Model, objects: &[&Value], tenant_ns: &BTreeSet<String>) {
    let owners: BTreeMap<(String, String), Vec<String>> = model.tenants.iter().fold(BTreeMap::new(), |mut m, t| {
        for o in &t.spec.owners {
            m.entry((o.kind.as_str().to_string(), o.name.clone())).or_insert_with(Vec::new).push(t.name_any());
        }
        m
    });
    for crb in objects.iter().filter(|o| kind_of(o) == "ClusterRoleBinding") {
        let role = crb["roleRef"]["name"].as_str().unwrap_or_default();
        for subject in crb["subjects"].as_array().into_iter().flatten() {
            let key = (
                subject["kind"].as_str().unwrap_or_default().to_string(),
                subject["name"].as_str().unwrap_or_default().to_string(),
            );
            let Some(tenants) = owners.get(&key) else { continue };
            let ok = role == govcloud_core::meta::names::CLUSTER_AUDITOR
                && model.tenants.iter().any(|t| {
                    t.spec.audit_scope == govcloud_core::api::AuditScope::Cluster
                        && t.spec.owners.iter().any(|o| {
                            o.role == govcloud_core::api::OwnerRole::Auditor
                                && (o.kind.as_str(), o.name.as_str()) == (key.0.as_str(), key.1.as_str())
                        })
                })
                || tenants.iter().any(|t| role == govcloud_core::meta::names::tenant_cluster_role(t));
            ctx.add(
                controls::TENANT_RBAC,
                if ok { Outcome::Pass } else { Outcome::Fail },
                &id_of(crb),
                None,
                "roleRef",
                msg!(Code::EvidenceBoundToRole, &key.0, &key.1, tenants.join(", "), role),
                msg!(Code::ClusterRightsLimited),
            );
        }
    }
    for rb in objects.iter().filter(|o| {
        kind_of(o) == "RoleBinding"
            && tenant_ns.contains(ns_of(o))
            && o["roleRef"]["name"] == govcloud_core::meta::names::EXEC_ROLE
    }) {
        let ns = ns_of(rb);
        let nso = ctx.namespaces.get(ns).copied();
        let level = nso.and_then(|o| label(o, labels::MLPS_LEVEL)).and_then(|l| l.parse::<u8>().ok()).unwrap_or(2);
        let zone = nso.and_then(|o| label(o, ZONE)).and_then(|z| model.zones.iter().find(|m| m.name_any() == z));
        let ok = level < 3 || zone.is_some_and(|z| z.spec.allow_exec);
        ctx.add(
            controls::EXEC_ACCESS,
            if ok { Outcome::Pass } else { Outcome::Fail },
            &id_of(rb),
            Some(ns),
            "roleRef",
            msg!(Code::EvidenceBoundAtLevel, govcloud_core::meta::names::EXEC_ROLE, level.to_string()),
            msg!(Code::ExecLevel2Only),
        );
    }
}

/// GC-REQ-001 for what was decided, from each ResourceRequest's status: the
/// decision was not made by the requester (both as the API server recorded
/// them), and a surge ends where the operator fixed its end when it first
/// saw the approval: the time of the first `Approved` transition of its
/// history plus its minutes ([`govcloud_render::surge_end`], the operator's
/// own rule). Only an approved surge has an end.
pub(crate) fn resource_requests(ctx: &mut Ctx<'_>, objects: &[&Value]) {
    use govcloud_core::api::{DecisionState, RequestKind, RequestPhase, ResourceRequest};
    for o in objects.iter().filter(|o| kind_of(o) == "ResourceRequest") {
        let (id, ns) = (id_of(o), ns_of(o));
        let r: ResourceRequest = match ResourceRequest::deserialize(*o) {
            Ok(r) => r,
            Err(e) => {
                ctx.add(
                    controls::REQUEST_DECISIONS,
                    Outcome::Skip,
                    &id,
                    Some(ns),
                    "",
                    msg!(Code::EvidenceNotARequest, e.to_string()),
                    msg!(Code::RequestFromStatus),
                );
                continue;
            }
        };
        let status = r.status.clone().unwrap_or_default();
        let requester = r.spec.requester.as_ref().map(|q| q.username.as_str()).filter(|u| !u.is_empty());
        if let Some(d) = &status.decision {
            // The state as the status writes it, and as a sentence says it.
            let (state, decided) = match d.state {
                DecisionState::Approved => (Code::StateApproved, Code::Approved),
                DecisionState::Rejected => (Code::StateRejected, Code::Rejected),
            };
            let decider = d.by.as_deref().filter(|b| !b.is_empty());
            let (outcome, evidence) = match (requester, decider) {
                (_, None) => (Outcome::Fail, msg!(Code::EvidenceDecidedNoBy, state)),
                (None, Some(by)) => (Outcome::Fail, msg!(Code::EvidenceDecidedNoRequester, state, by)),
                (Some(filer), Some(by)) if filer == by => {
                    (Outcome::Fail, msg!(Code::EvidenceDecidedByFiler, state, by))
                }
                (Some(filer), Some(by)) => (Outcome::Pass, msg!(Code::EvidenceFiledDecided, filer, decided, by)),
            };
            ctx.add(
                controls::REQUEST_DECISIONS,
                outcome,
                &id,
                Some(ns),
                "status.decision.by",
                evidence,
                msg!(Code::RequestDecidedByOther),
            );
        }
        let approved_surge = r.spec.kind == RequestKind::Surge
            && status.decision.as_ref().is_some_and(|d| d.state == DecisionState::Approved);
        let approved_at = status.history.iter().find(|t| t.phase == RequestPhase::Approved).map(|t| t.at.0);
        let end = status.expires_at.as_ref().map(|e| e.0);
        let minutes = r.spec.minutes.unwrap_or_default();
        let (outcome, evidence) = match (approved_surge, end, approved_at) {
            (false, None, _) => continue,
            (false, Some(end), _) => {
                let decided = match status.decision.as_ref().map(|d| d.state) {
                    Some(DecisionState::Approved) => Code::Approved,
                    Some(DecisionState::Rejected) => Code::Rejected,
                    None => Code::WordUndecided,
                };
                (Outcome::Fail, msg!(Code::EvidenceEndNotSurge, end.to_string(), r.spec.kind.as_str(), decided))
            }
            // The operator has not seen the approval yet: it sets the end when it does.
            (true, None, None) => continue,
            (true, None, Some(at)) => (Outcome::Fail, msg!(Code::EvidenceSurgeNoEnd, at.to_string())),
            (true, Some(end), None) => (Outcome::Fail, msg!(Code::EvidenceEndUndated, end.to_string())),
            (true, Some(end), Some(at)) => {
                let want = govcloud_render::surge_end(&r, at);
                let (end_s, at_s, minutes) = (end.to_string(), at.to_string(), minutes.to_string());
                match want {
                    Some(want) if want == end => (Outcome::Pass, msg!(Code::EvidenceEndsAt, end_s, at_s, minutes)),
                    Some(want) => (Outcome::Fail, msg!(Code::EvidenceEndMoved, end_s, at_s, minutes, want.to_string())),
                    None => (Outcome::Fail, msg!(Code::EvidenceNoEndFollows, end_s, at_s, minutes)),
                }
            }
        };
        ctx.add(
            controls::REQUEST_DECISIONS,
            outcome,
            &id,
            Some(ns),
            "status.expiresAt",
            evidence,
            msg!(Code::SurgeEnds),
        );
    }
}
