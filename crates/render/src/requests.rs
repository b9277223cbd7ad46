//! What departments' ResourceRequests grant. The Tenant stays as declared
//! (GitOps owns it); what is rendered is the *effective* tenant: the Tenant
//! plus its approved requests that are in effect now.
//!
//! ```text
//!   Tenant (declared) + ResourceRequests of its namespaces + now ──► effective Tenant ──► tenant::render
//! ```
//!
//! Pure: the only input that changes by itself, the time, is passed in.
//! A request's tenant is the one whose namespace holds it, never anything
//! the request says.

use std::collections::BTreeSet;

use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;

use govcloud_core::api::{
    DecisionState, QuotaIncrement, RequestKind, RequestPhase, ResourceRequest, Tenant, TenantZone, ZoneQuota,
};
use govcloud_core::messages::{Code, Message};
use govcloud_core::meta::names::split_namespace;
use govcloud_core::meta::quantity::Quantity;
use govcloud_core::model::Model;
use govcloud_core::msg;

/// What a request amounts to at a given time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No decision yet.
    Pending,
    /// It cannot take effect as filed.
    Invalid {
        /// The offending field.
        field: String,
        /// What is wrong.
        message: String,
        /// What to do.
        fix: String,
    },
    /// Approved and in effect.
    Approved,
    /// Rejected.
    Rejected,
    /// An approved surge past its expiry.
    Expired,
}

impl Verdict {
    /// The phase the request's status shows.
    pub fn phase(&self) -> RequestPhase {
        match self {
            Verdict::Pending => RequestPhase::Pending,
            Verdict::Invalid { .. } => RequestPhase::Invalid,
            Verdict::Approved => RequestPhase::Approved,
            Verdict::Rejected => RequestPhase::Rejected,
            Verdict::Expired => RequestPhase::Expired,
        }
    }

    /// A message for the request's status.
    pub fn message(&self) -> String {
        match self {
            Verdict::Pending => msg!(Code::RequestAwaitingDecision).to_string(),
            Verdict::Invalid { field, message, fix } => format!("{field}: {message}; {fix}"),
            Verdict::Approved => msg!(Code::RequestInEffect).to_string(),
            Verdict::Rejected => msg!(Code::RequestRejectedNothing).to_string(),
            Verdict::Expired => msg!(Code::SurgeExpired).to_string(),
        }
    }
}

/// An invalid request: its field, what is wrong and what to do, as the catalogue says them.
fn invalid(field: &str, message: Message, fix: Message) -> Verdict {
    Verdict::Invalid { field: field.into(), message: message.to_string(), fix: fix.to_string() }
}

/// The (tenant, zone) of the namespace a request is filed in.
pub fn request_namespace(r: &ResourceRequest) -> Option<(String, String)> {
    let ns = r.namespace()?;
    split_namespace(&ns).map(|(t, z)| (t.to_string(), z.to_string()))
}

/// The tenant a request is for: the one whose namespace holds it.
pub fn request_tenant(r: &ResourceRequest) -> Option<String> {
    request_namespace(r).map(|(t, _)| t)
}

/// What `r` amounts to at `now`, judged against its tenant as declared
/// (`tenant`, None when there is none), the other requests of that tenant
/// (`requests`: a zone granted by one is a namespace another may be filed
/// in) and the declared zones.
pub fn judge(
    r: &ResourceRequest,
    tenant: Option<&Tenant>,
    requests: &[&ResourceRequest],
    zones: &BTreeSet<String>,
    now: Timestamp,
) -> Verdict {
    let not_tenant = || {
        invalid(
            "metadata.namespace",
            msg!(Code::RequestNotTenantNamespace, r.namespace().unwrap_or_default()),
            msg!(Code::RequestFileInTenant, "<tenant>-<zone>"),
        )
    };
    let Some((tname, ns_zone)) = request_namespace(r) else { return not_tenant() };
    let Some(t) = tenant.filter(|t| t.name_any() == tname) else { return not_tenant() };
    let declared_here = t.spec.zones.iter().any(|z| z.name == ns_zone);
    if !declared_here && !granted_zones(t, requests, zones, now).contains(&ns_zone) {
        return not_tenant();
    }
    verdict(r, t, zones, now)
}

/// Zones granted to `t` by its approved ZoneAccess requests (filed in a
/// namespace of a declared zone).
fn granted_zones(
    t: &Tenant,
    requests: &[&ResourceRequest],
    zones: &BTreeSet<String>,
    now: Timestamp,
) -> BTreeSet<String> {
    requests
        .iter()
        .filter(|r| r.spec.kind == RequestKind::ZoneAccess)
        .filter(|r| {
            request_namespace(r).is_some_and(|(tn, z)| tn == t.name_any() && t.spec.zones.iter().any(|d| d.name == z))
        })
        .filter(|r| verdict(r, t, zones, now) == Verdict::Approved)
        .filter_map(|r| r.spec.zone.clone())
        .collect()
}

/// The verdict on a request filed in a namespace of `t`.
fn verdict(r: &ResourceRequest, t: &Tenant, zones: &BTreeSet<String>, now: Timestamp) -> Verdict {
    let ns_zone = request_namespace(r).map(|(_, z)| z).unwrap_or_default();
    let zone = r.spec.zone.clone().unwrap_or_default();
    match r.spec.kind {
        RequestKind::Quota | RequestKind::Surge => {
            if zone != ns_zone {
                return invalid(
                    "spec.zone",
                    msg!(Code::RequestZoneNotNamespaces, format!("{zone:?}"), r.namespace().unwrap_or_default()),
                    msg!(Code::RequestFileInZone, format!("{zone:?}"), format!("{ns_zone:?}")),
                );
            }
        }
        RequestKind::ZoneAccess => {
            if !zones.contains(&zone) {
                let known: Vec<&str> = zones.iter().map(String::as_str).collect();
                return invalid(
                    "spec.zone",
                    msg!(Code::ZoneNotDeclared, format!("{zone:?}")),
                    msg!(Code::RequestAskOneOf, known.join(", ")),
                );
            }
            if t.spec.zones.iter().any(|z| z.name == zone) {
                return invalid(
                    "spec.zone",
                    msg!(Code::RequestZoneDeclared, format!("{zone:?}")),
                    msg!(Code::RequestAskQuotaInstead),
                );
            }
        }
        RequestKind::Hostname => {}
    }
    if let Some(inc) = &r.spec.resources
        && let Some(field) = unreadable(inc)
    {
        return invalid(
            &format!("spec.resources.{field}"),
            msg!(Code::NotAQuantity),
            msg!(Code::WriteQuantity, "2", "500m", "4Gi"),
        );
    }
    let decision = r.status.as_ref().and_then(|s| s.decision.as_ref());
    match decision.map(|d| d.state) {
        None => Verdict::Pending,
        Some(DecisionState::Rejected) => Verdict::Rejected,
        Some(DecisionState::Approved) => {
            let expires = r.status.as_ref().and_then(|s| s.expires_at.as_ref()).map(|t| t.0);
            if r.spec.kind == RequestKind::Surge && expires.is_some_and(|e| now >= e) {
                Verdict::Expired
            } else {
                Verdict::Approved
            }
        }
    }
}

/// The first quantity of an increment that cannot be read, by field name.
fn unreadable(inc: &QuotaIncrement) -> Option<&'static str> {
    let fields = [
        ("cpu", &inc.cpu),
        ("memory", &inc.memory),
        ("storage", &inc.storage),
        ("ephemeralStorage", &inc.ephemeral_storage),
    ];
    fields.into_iter().find(|(_, v)| v.as_deref().is_some_and(|q| Quantity::parse(q).is_err())).map(|(f, _)| f)
}

/// When an approved surge of `r` ends: `approved_at` plus its minutes.
pub fn surge_end(r: &ResourceRequest, approved_at: Timestamp) -> Option<Timestamp> {
    let minutes = r.spec.minutes.filter(|_| r.spec.kind == RequestKind::Surge)?;
    approved_at.checked_add(k8s_openapi::jiff::SignedDuration::from_mins(i64::from(minutes))).ok()
}

/// The tenant as granted at `now`: `t` plus what its approved requests in
/// effect add (in filing order): quota in a zone, a zone with its quota, a
/// public host name. `requests` may hold other tenants' requests; they are
/// left out.
pub fn effective_tenant(t: &Tenant, requests: &[&ResourceRequest], zones: &BTreeSet<String>, now: Timestamp) -> Tenant {
    let name = t.name_any();
    let mut mine: Vec<&ResourceRequest> =
        requests.iter().copied().filter(|r| request_tenant(r).as_deref() == Some(name.as_str())).collect();
    mine.sort_by_key(|r| (r.metadata.creation_timestamp.clone(), r.namespace(), r.name_any()));
    let mut out = t.clone();
    for r in &mine {
        if judge(r, Some(t), &mine, zones, now) == Verdict::Approved {
            grant(&mut out, r);
        }
    }
    out
}

/// Adds what one approved request grants to `t`.
fn grant(t: &mut Tenant, r: &ResourceRequest) {
    let zone = r.spec.zone.clone().unwrap_or_default();
    let inc = r.spec.resources.clone().unwrap_or_default();
    match r.spec.kind {
        RequestKind::Quota | RequestKind::Surge => {
            if let Some(tz) = t.spec.zones.iter_mut().find(|z| z.name == zone) {
                add(&mut tz.quota, &inc);
            }
        }
        RequestKind::ZoneAccess => {
            if !t.spec.zones.iter().any(|z| z.name == zone) {
                t.spec.zones.push(TenantZone { name: zone, quota: overlay(ZoneQuota::default(), &inc) });
            }
        }
        RequestKind::Hostname => {
            if let Some(h) = &r.spec.hostname
                && !t.spec.allowed_hosts.contains(h)
            {
                t.spec.allowed_hosts.push(h.clone());
            }
        }
    }
}

fn add(q: &mut ZoneQuota, inc: &QuotaIncrement) {
    let sum = |base: &mut String, extra: &Option<String>| {
        if let Some(e) = extra
            && let (Ok(a), Ok(b)) = (Quantity::parse(base), Quantity::parse(e))
        {
            *base = format_quantity(a + b);
        }
    };
    sum(&mut q.cpu, &inc.cpu);
    sum(&mut q.memory, &inc.memory);
    sum(&mut q.storage, &inc.storage);
    sum(&mut q.ephemeral_storage, &inc.ephemeral_storage);
    for (base, extra) in counts(q, inc) {
        *base = base.saturating_add(extra.unwrap_or(0));
    }
}

/// The counted fields of a quota, each with what an increment says of it.
fn counts<'q>(q: &'q mut ZoneQuota, inc: &QuotaIncrement) -> [(&'q mut i32, Option<i32>); 6] {
    [
        (&mut q.pods, inc.pods),
        (&mut q.services, inc.services),
        (&mut q.persistent_volume_claims, inc.persistent_volume_claims),
        (&mut q.config_maps, inc.config_maps),
        (&mut q.secrets, inc.secrets),
        (&mut q.apps, inc.apps),
    ]
}

/// The platform default quota with the given fields replaced.
fn overlay(mut q: ZoneQuota, inc: &QuotaIncrement) -> ZoneQuota {
    let set = |base: &mut String, v: &Option<String>| {
        if let Some(v) = v {
            *base = v.clone();
        }
    };
    set(&mut q.cpu, &inc.cpu);
    set(&mut q.memory, &inc.memory);
    set(&mut q.storage, &inc.storage);
    set(&mut q.ephemeral_storage, &inc.ephemeral_storage);
    for (base, v) in counts(&mut q, inc) {
        *base = v.unwrap_or(*base);
    }
    q
}

/// The spelling govcloud writes sums and capacities in (quotas after
/// approved requests, a zone's capacity): rounded to the milli, millis when
/// fractional, else the largest of Ti, Gi and Mi that divides it, else a
/// plain integer. Not Kubernetes' canonical form (the quantity's `Display`):
/// kept as it was, so manifests and statuses already written stay the same.
pub fn format_quantity(q: Quantity) -> String {
    let milli = q.round_millis();
    if milli % 1000 != 0 {
        return format!("{milli}m");
    }
    let n = milli / 1000;
    for (suffix, f) in [("Ti", 1i128 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20)] {
        if n >= f && n % f == 0 {
            return format!("{}{suffix}", n / f);
        }
    }
    n.to_string()
}

/// Folds the model's requests into its tenants: each tenant becomes what is
/// granted at `now` ([`effective_tenant`]); `requests` is left empty, so
/// folding twice grants nothing twice.
pub fn grant_requests(model: &mut Model, now: Timestamp) {
    let requests = std::mem::take(&mut model.requests);
    if requests.is_empty() {
        return;
    }
    let zones: BTreeSet<String> = model.zones.iter().map(|z| z.name_any()).collect();
    let all: Vec<&ResourceRequest> = requests.iter().collect();
    for t in &mut model.tenants {
        if all.iter().any(|r| request_tenant(r).as_deref() == Some(t.name_any().as_str())) {
            *t = effective_tenant(t, &all, &zones, now);
        }
    }
}

#[cfg(test)]
mod tests;
