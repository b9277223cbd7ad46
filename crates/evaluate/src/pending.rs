//! The requests waiting for an answer ([`PendingRequest`]) that the sharing
//! axis counts: data flows waiting for the provider's grant, from the audit's
//! flows, and ResourceRequests waiting for the platform team.

use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;

use govcloud_audit::Audit;
use govcloud_core::api::FlowState;
use govcloud_core::meta::names;
use govcloud_core::model::Model;

/// A request one tenant made of another that has no answer yet: a data
/// flow waiting for the provider's grant (see [`pending_flow_requests`]),
/// and whatever other kinds of request the cloud has.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingRequest {
    /// The tenant that asks.
    pub from: String,
    /// The tenant asked.
    pub to: String,
    /// What is asked, for people (`flow songshan/extranet/services -> public-security/private/population-db`).
    pub what: String,
    /// When it was made, when known.
    pub since: Option<Timestamp>,
}

/// The pending flows as requests: the consumer's tenant asks the provider's;
/// made when govcloud first saw the call waiting (its `status.flows[].since`,
/// a request to a conditional provider), else when the consumer app's
/// `FlowsPending` condition last turned True, when its status says.
pub fn pending_flow_requests(model: &Model, audit: &Audit) -> Vec<PendingRequest> {
    let since_of = |key: &str, to: &str| -> Option<Timestamp> {
        let mut parts = key.splitn(3, '/');
        let (t, z, a) = (parts.next()?, parts.next()?, parts.next()?);
        let ns = names::namespace_name(t, z);
        let app = model.apps.iter().find(|x| x.namespace().as_deref() == Some(ns.as_str()) && x.name_any() == a)?;
        let status = app.status.as_ref()?;
        // The target as `tenant/zone/app`, or `tenant/app`.
        let short = {
            let p: Vec<&str> = to.split('/').collect();
            p.first().zip(p.last()).map(|(t, a)| format!("{t}/{a}")).unwrap_or_default()
        };
        if let Some(since) =
            status.flows.iter().find(|f| f.target == to || f.target == short).and_then(|f| f.since.as_ref())
        {
            return Some(since.0);
        }
        let c = status.conditions.iter().find(|c| c.type_ == "FlowsPending" && c.status == "True")?;
        Some(c.last_transition_time.0)
    };
    audit
        .flows
        .iter()
        .filter(|f| f.state == FlowState::Pending)
        .filter_map(|f| {
            let (from, to) = (tenant_of(&f.from)?, tenant_of(&f.to)?);
            (from != to).then(|| PendingRequest {
                from: from.to_string(),
                to: to.to_string(),
                what: format!("flow {} -> {}", f.from, f.to),
                since: since_of(&f.from, &f.to),
            })
        })
        .collect()
}

/// Who a [`PendingRequest`] for resources is asked of: the platform team.
pub const PLATFORM: &str = "platform";

/// The ResourceRequests no one has decided yet, as requests the tenant
/// whose namespace holds each makes of the platform team ([`PLATFORM`]),
/// since it was filed. Requests outside a tenant namespace, and those
/// already Invalid, wait on no one.
pub fn pending_resource_requests(requests: &[govcloud_core::api::ResourceRequest]) -> Vec<PendingRequest> {
    requests
        .iter()
        .filter(|r| r.metadata.deletion_timestamp.is_none())
        .filter(|r| {
            r.status.as_ref().is_none_or(|s| {
                s.decision.is_none() && s.phase.is_none_or(|p| p == govcloud_core::api::RequestPhase::Pending)
            })
        })
        .filter_map(|r| {
            Some(PendingRequest {
                from: govcloud_render::request_tenant(r)?,
                to: PLATFORM.to_string(),
                what: format!("{} {}/{}", r.spec.kind.as_str(), r.namespace().unwrap_or_default(), r.name_any()),
                since: r.metadata.creation_timestamp.as_ref().map(|t| t.0),
            })
        })
        .collect()
}

/// The tenant of an app key `tenant/zone/app`.
pub(crate) fn tenant_of(key: &str) -> Option<&str> {
    key.split('/').next().filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests;
