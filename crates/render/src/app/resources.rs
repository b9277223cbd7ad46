//! An app container's requests and limits as rendered: the app's, else its
//! tenant's defaults, else the platform's; and the rules the API server
//! applies to them, checked on the app before anything is rendered (a
//! request above its limit refuses the Deployment, a limit above the
//! tenant's maximum its pods).

use kube::ResourceExt;

use crate::defaults::{DEFAULT_LIMIT, DEFAULT_REQUEST};
use govcloud_core::api::{CpuMemory, DepartmentApp, Tenant};
use govcloud_core::meta::quantity::Quantity;
use govcloud_core::problem::{ObjectRef, Problem};

/// One effective quantity and where it comes from, in words.
pub(super) struct Effective {
    pub(super) value: String,
    /// Declared on the app (its own field), or a default.
    declared: bool,
    pub(super) from: String,
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
        return Effective { value: v, declared: true, from: format!("spec.resources.{field}.{resource}") };
    }
    if let Some(v) = pick(defaults, resource) {
        let from = format!("tenant {}'s spec.limits.{default_field}.{resource}", tenant.name_any());
        return Effective { value: v, declared: false, from };
    }
    let value = if resource == "cpu" { platform.0 } else { platform.1 };
    Effective { value: value.to_string(), declared: false, from: format!("the platform's default {field}") }
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
                (
                    limit.from.clone(),
                    format!(
                        "raise spec.resources.limits.{resource} to at least {}, or lower the request",
                        request.value
                    ),
                )
            } else if request.declared {
                (
                    request.from.clone(),
                    format!(
                        "set spec.resources.limits.{resource} (at least {}), or lower spec.resources.requests.{resource} to at most {}",
                        request.value, limit.value
                    ),
                )
            } else {
                (
                    format!("spec.resources.limits.{resource}"),
                    format!(
                        "set spec.resources.requests.{resource} and spec.resources.limits.{resource}, or ask the platform team to fix tenant {}'s spec.limits",
                        tenant.name_any()
                    ),
                )
            };
            problems.push(Problem::invalid(
                obj.clone(),
                field,
                format!(
                    "the container would request {} {resource} ({}) but be limited to {} ({}): the API server refuses a container whose request exceeds its limit",
                    request.value, request.from, limit.value, limit.from
                ),
                fix,
            ));
        }
        let max = pick(tenant.spec.limits.as_ref().and_then(|l| l.max.as_ref()), resource);
        if let Some(max) = max
            && Quantity::parse(&max).is_ok_and(|m| l > m)
        {
            let field = if limit.declared { limit.from.clone() } else { format!("spec.resources.limits.{resource}") };
            problems.push(Problem::invalid(
                obj.clone(),
                field,
                format!(
                    "the container's {resource} limit {} ({}) exceeds tenant {}'s maximum {max} (spec.limits.max.{resource}): the namespace's LimitRange refuses its pods",
                    limit.value,
                    limit.from,
                    tenant.name_any()
                ),
                format!(
                    "set spec.resources.limits.{resource} to at most {max}, or ask the platform team to raise the tenant's spec.limits.max"
                ),
            ));
        }
    }
}
