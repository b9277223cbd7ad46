//! An app container's requests and limits as rendered: the app's, else its
//! tenant's defaults, else the platform's; and the rules the API server
//! applies to them, checked on the app before anything is rendered (a
//! request above its limit refuses the Deployment, a limit above the
//! tenant's maximum its pods).

use kube::ResourceExt;

use crate::defaults::{DEFAULT_LIMIT, DEFAULT_REQUEST};
use govcloud_core::api::{CpuMemory, DepartmentApp, Tenant, cron_problem};
use govcloud_core::messages::{Arg, Code};
use govcloud_core::meta::quantity::Quantity;
use govcloud_core::msg;
use govcloud_core::problem::{ObjectRef, Problem};

/// One effective quantity and where it comes from, in words.
pub(super) struct Effective {
    pub(super) value: String,
    /// Declared on the app (its own field), or a default.
    declared: bool,
    /// Its field path on the app, or words naming the default.
    pub(super) from: Arg,
}

/// Which of the app's quantities: requests or limits.
#[derive(Clone, Copy)]
pub(super) enum Side {
    Requests,
    Limits,
}

fn pick(cm: Option<&CpuMemory>, resource: &str) -> Option<String> {
    let cm = cm?;
    match resource {
        "cpu" => cm.cpu.clone(),
        _ => cm.memory.clone(),
    }
}

/// The effective request or limit of `resource` (`cpu` or `memory`).
pub(super) fn effective(app: &DepartmentApp, tenant: &Tenant, side: Side, resource: &str) -> Effective {
    let declared = app.spec.resources.as_ref().and_then(|r| match side {
        Side::Requests => r.requests.as_ref(),
        Side::Limits => r.limits.as_ref(),
    });
    let defaults = tenant.spec.limits.as_ref().and_then(|l| match side {
        Side::Requests => l.default_request.as_ref(),
        Side::Limits => l.default_limit.as_ref(),
    });
    let (field, default_field, platform) = match side {
        Side::Requests => ("requests", "defaultRequest", DEFAULT_REQUEST),
        Side::Limits => ("limits", "defaultLimit", DEFAULT_LIMIT),
    };
    if let Some(v) = pick(declared, resource) {
        return Effective { value: v, declared: true, from: format!("spec.resources.{field}.{resource}").into() };
    }
    if let Some(v) = pick(defaults, resource) {
        let from = msg!(Code::FromTenantDefault, tenant.name_any(), format!("spec.limits.{default_field}.{resource}"));
        return Effective { value: v, declared: false, from: from.into() };
    }
    let value = if resource == "cpu" { platform.0 } else { platform.1 };
    let from = msg!(Code::FromPlatformDefault, field);
    Effective { value: value.to_string(), declared: false, from: from.into() }
}

/// What one pod of `app` requests (cpu, memory): the app's requests, else its
/// tenant's default requests, else the platform's; what its Deployment is
/// rendered with (the evaluation compares usage with it).
pub fn pod_requests(app: &DepartmentApp, tenant: &Tenant) -> (String, String) {
    (effective(app, tenant, Side::Requests, "cpu").value, effective(app, tenant, Side::Requests, "memory").value)
}

/// What the API server would refuse of the app's container as rendered:
/// a request above its limit (the Deployment), a limit above the tenant's
/// `spec.limits.max` (its pods, by the namespace's LimitRange). Both sides
/// declared on the app are the CRD's rule already; this finds the defaults'
/// part.
pub(crate) fn check(app: &DepartmentApp, tenant: &Tenant, obj: &ObjectRef, problems: &mut Vec<Problem>) {
    for resource in ["cpu", "memory"] {
        let request = effective(app, tenant, Side::Requests, resource);
        let limit = effective(app, tenant, Side::Limits, resource);
        let (Some(r), Some(l)) = (Quantity::parse(&request.value).ok(), Quantity::parse(&limit.value).ok()) else {
            continue;
        };
        if r > l {
            let (field, fix) = if limit.declared {
                (limit.from.to_string(), msg!(Code::FixRaiseLimit, resource, &request.value))
            } else if request.declared {
                (request.from.to_string(), msg!(Code::FixSetLimit, resource, &request.value, &limit.value))
            } else {
                (format!("spec.resources.limits.{resource}"), msg!(Code::FixSetBoth, resource, tenant.name_any()))
            };
            problems.push(Problem::invalid(
                obj.clone(),
                field,
                msg!(
                    Code::ProblemRequestOverLimit,
                    &request.value,
                    resource,
                    request.from.clone(),
                    &limit.value,
                    limit.from.clone()
                )
                .to_string(),
                fix.to_string(),
            ));
        }
        let max = pick(tenant.spec.limits.as_ref().and_then(|l| l.max.as_ref()), resource);
        if let Some(max) = max
            && Quantity::parse(&max).is_ok_and(|m| l > m)
        {
            let field =
                if limit.declared { limit.from.to_string() } else { format!("spec.resources.limits.{resource}") };
            problems.push(Problem::invalid(
                obj.clone(),
                field,
                msg!(Code::ProblemLimitOverMax, resource, &limit.value, limit.from.clone(), tenant.name_any(), &max)
                    .to_string(),
                msg!(Code::FixLimitMax, resource, &max).to_string(),
            ));
        }
    }
}

/// What the API server or the tenant's quota would refuse of the workload
/// an app's schedule or storage renders: a cron field out of range, storage
/// beyond the tenant's quota in the zone (each replica claims every volume).
pub(crate) fn check_workload(
    app: &DepartmentApp,
    tenant: &Tenant,
    zone: &str,
    obj: &ObjectRef,
    problems: &mut Vec<Problem>,
) {
    if let Some(s) = &app.spec.schedule
        && let Some(why) = cron_problem(&s.cron)
    {
        problems.push(Problem::invalid(
            obj.clone(),
            "spec.schedule.cron",
            why.to_string(),
            msg!(Code::FixCron).to_string(),
        ));
    }
    if app.spec.storage.is_empty() {
        return;
    }
    let Some(quota) = tenant.spec.zones.iter().find(|z| z.name == zone).map(|z| &z.quota) else { return };
    let replicas = app.spec.replicas.max(1);
    let sizes: Option<Vec<Quantity>> = app.spec.storage.iter().map(|s| Quantity::parse(&s.size).ok()).collect();
    let total = sizes.map(|v| {
        let one = v.into_iter().fold(Quantity::ZERO, Quantity::saturating_add);
        (0..replicas).fold(Quantity::ZERO, |a, _| a.saturating_add(one))
    });
    let tname = tenant.metadata.name.as_deref().unwrap_or_default();
    if let (Some(total), Ok(limit)) = (total, Quantity::parse(&quota.storage))
        && total > limit
    {
        problems.push(Problem::invalid(
            obj.clone(),
            "spec.storage",
            msg!(Code::ProblemStorageOverQuota, replicas.to_string(), total.to_string(), tname, &quota.storage, zone)
                .to_string(),
            msg!(Code::FixStorage).to_string(),
        ));
    }
    let claims = i64::from(replicas) * app.spec.storage.len() as i64;
    if claims > i64::from(quota.persistent_volume_claims) {
        problems.push(Problem::invalid(
            obj.clone(),
            "spec.storage",
            msg!(
                Code::ProblemClaimsOverQuota,
                replicas.to_string(),
                app.spec.storage.len().to_string(),
                claims.to_string(),
                tname,
                quota.persistent_volume_claims.to_string(),
                zone
            )
            .to_string(),
            msg!(Code::FixClaims).to_string(),
        ));
    }
}
