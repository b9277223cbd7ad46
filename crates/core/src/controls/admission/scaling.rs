//! GC-RES-004: autoscaling bounded by the tenant's quota. CEL cannot read a
//! ResourceQuota, so govcloud writes the quota's figures (and the
//! LimitRange's default limits) as annotations on the tenant namespace it
//! renders (`govcloud.io/quota-pods`, `-cpu`, `-memory`,
//! `govcloud.io/default-limit-cpu`, `-memory`); the namespace is managed
//! (GC-MGD-001) and departments hold no right to write namespaces, so only
//! govcloud sets them. The policies read them through `namespaceObject`,
//! which the API server gives them: they hold with the operator stopped.
//!
//! ```text
//!   govcloud-app-scaling   DepartmentApp spec.autoscaling.maxReplicas: pods, and that many pods at their limits (cpu, memory)
//!   govcloud-hpas          any HorizontalPodAutoscaler (autoscaling/v1 and v2) spec.maxReplicas: pods
//! ```
//!
//! A HorizontalPodAutoscaler a department writes names its target by
//! reference; CEL cannot see the target's pods, so only the pod count is
//! bounded there. The quota itself still refuses pods beyond its CPU and
//! memory, and the app's status says so (`PodsRefused`).

use super::cel::check;
use crate::controls::AUTOSCALING_QUOTA;
use crate::controls::admission::{Policy, leak};
use crate::meta::labels::{DEFAULT_LIMIT_CPU, DEFAULT_LIMIT_MEMORY, QUOTA_CPU, QUOTA_MEMORY, QUOTA_PODS};
use crate::meta::names;

/// The request namespace's annotation `key`, or `''`.
fn annotation(key: &str) -> String {
    format!(
        "has(namespaceObject.metadata.annotations) && '{key}' in namespaceObject.metadata.annotations ? namespaceObject.metadata.annotations['{key}'] : ''"
    )
}

/// The pods the quota allows, or -1 when the namespace does not say.
fn quota_pods() -> (&'static str, String) {
    ("quotaPods", format!("({}) != '' ? int({}) : -1", annotation(QUOTA_PODS), annotation(QUOTA_PODS)))
}

/// Only a change of the spec is judged on UPDATE: removing a finalizer of
/// an app whose quota shrank since is never refused.
fn spec_changed() -> (&'static str, String) {
    ("spec-changed", "request.operation != 'UPDATE' || oldObject == null || object.spec != oldObject.spec".to_string())
}

/// CEL: maxReplicas pods, each at the limit in variable `limit`, fit the
/// quota's figure in variable `quota` (as floats, with a millionth's leeway
/// for their rounding: quotas are written in whole units or milli-units).
fn fits(limit: &str, quota: &str) -> String {
    format!(
        "!has(object.spec.autoscaling) || variables.{quota} == '' || variables.{limit} == '' || !isQuantity(variables.{quota}) || !isQuantity(variables.{limit}) || double(object.spec.autoscaling.maxReplicas) * quantity(variables.{limit}).asApproximateFloat() <= quantity(variables.{quota}).asApproximateFloat() * 1.000001",
    )
}

/// The app's limit of `resource` as its container gets it: its own, else
/// the namespace's default limit.
fn app_limit(resource: &str, default_key: &str) -> String {
    format!(
        "has(object.spec.resources) && has(object.spec.resources.limits) && has(object.spec.resources.limits.{resource}) ? object.spec.resources.limits.{resource} : ({})",
        annotation(default_key)
    )
}

/// GC-RES-004 on DepartmentApps and on HorizontalPodAutoscalers.
pub(super) fn scaling_policies() -> Vec<Policy> {
    let fix = "lower it, or file a ResourceRequest of kind Quota for this zone";
    let apps = Policy {
        name: leak(names::admission_policy("app-scaling")),
        resources: vec![(crate::meta::GROUP, "departmentapps")],
        operations: &["CREATE", "UPDATE"],
        zone_param: false,
        match_conditions: vec![spec_changed()],
        variables: vec![
            quota_pods(),
            ("quotaCpu", annotation(QUOTA_CPU)),
            ("quotaMemory", annotation(QUOTA_MEMORY)),
            ("limitCpu", app_limit("cpu", DEFAULT_LIMIT_CPU)),
            ("limitMemory", app_limit("memory", DEFAULT_LIMIT_MEMORY)),
        ],
        checks: vec![
            check(
                AUTOSCALING_QUOTA,
                "!has(object.spec.autoscaling) || variables.quotaPods < 0 || object.spec.autoscaling.maxReplicas <= variables.quotaPods",
                format!(
                    "spec.autoscaling.maxReplicas is more pods than the tenant's quota allows in this zone (namespace annotation {QUOTA_PODS}): {fix}"
                ),
            ),
            check(
                AUTOSCALING_QUOTA,
                fits("limitCpu", "quotaCpu"),
                format!(
                    "spec.autoscaling.maxReplicas pods at their CPU limit (spec.resources.limits.cpu, else the tenant's default limit) need more CPU than the tenant's quota allows in this zone (namespace annotation {QUOTA_CPU}): {fix}, or lower the limit"
                ),
            ),
            check(
                AUTOSCALING_QUOTA,
                fits("limitMemory", "quotaMemory"),
                format!(
                    "spec.autoscaling.maxReplicas pods at their memory limit (spec.resources.limits.memory, else the tenant's default limit) need more memory than the tenant's quota allows in this zone (namespace annotation {QUOTA_MEMORY}): {fix}, or lower the limit"
                ),
            ),
        ],
        request_only: false,
        tenant_namespaces: true,
    };
    let hpas = Policy {
        name: leak(names::admission_policy("hpas")),
        resources: vec![("autoscaling", "horizontalpodautoscalers")],
        operations: &["CREATE", "UPDATE"],
        zone_param: false,
        match_conditions: vec![spec_changed()],
        variables: vec![quota_pods()],
        checks: vec![check(
            AUTOSCALING_QUOTA,
            "variables.quotaPods < 0 || object.spec.maxReplicas <= variables.quotaPods",
            format!(
                "spec.maxReplicas is more pods than the tenant's quota allows in this zone (namespace annotation {QUOTA_PODS}): {fix}"
            ),
        )],
        request_only: false,
        tenant_namespaces: true,
    };
    vec![apps, hpas]
}
