//! An app's `autoscaling`: its `autoscaling/v2` HorizontalPodAutoscaler, the
//! replicas its workload leaves to it, and the figures that explain a
//! refusal of GC-RES-004 (the bound itself is the admission policy's CEL,
//! which the index evaluates on every app).

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use kube::ResourceExt;

use super::resources::{Side, effective};
use crate::Owned;
use crate::objects::meta;
use govcloud_core::api::{DepartmentApp, DepartmentAppSpec, NetworkZone, Tenant};
use govcloud_core::messages::{Code, Message};
use govcloud_core::meta::quantity::Quantity;
use govcloud_core::msg;

/// The workload's `spec.replicas`: the app's `replicas`, or none with
/// autoscaling, so that server-side apply leaves the count to the
/// HorizontalPodAutoscaler instead of resetting it on every apply.
pub fn workload_replicas(spec: &DepartmentAppSpec) -> Option<i32> {
    if spec.autoscaling.is_some() { None } else { Some(spec.replicas) }
}

/// The fewest pods the app runs: `autoscaling.minReplicas`, else `replicas`
/// (more than one gets a disruption budget).
pub fn fewest_replicas(spec: &DepartmentAppSpec) -> i32 {
    spec.autoscaling.as_ref().map_or(spec.replicas, |a| a.min_replicas)
}

/// The app's HorizontalPodAutoscaler, when it has `autoscaling`: it scales
/// the app's Deployment (or StatefulSet) on the average CPU use of its pods, in percent of
/// their CPU request (every container has one: its own, else the tenant's
/// or the platform's default).
pub fn render(app: &DepartmentApp, name: &str, ns: &str, labels: &BTreeMap<String, String>) -> Option<Owned> {
    let a = app.spec.autoscaling.as_ref()?;
    Some(Owned::HorizontalPodAutoscaler(HorizontalPodAutoscaler {
        metadata: meta(name, Some(ns), labels.clone()),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                // The app's workload: its Deployment, or its StatefulSet when it keeps storage.
                kind: app.spec.workload_kind().as_str().into(),
                name: name.into(),
            },
            min_replicas: Some(a.min_replicas),
            max_replicas: a.max_replicas,
            metrics: Some(vec![MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: "cpu".into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(a.target_cpu_utilization),
                        ..Default::default()
                    },
                }),
                ..Default::default()
            }]),
            behavior: None,
        }),
        ..Default::default()
    }))
}

/// What to do about a refusal of GC-RES-004, with the figures: the tenant's
/// quota in the zone, what `maxReplicas` pods at their limits need, and the
/// most pods that fit.
pub(crate) fn quota_fix(app: &DepartmentApp, tenant: &Tenant, zone: &NetworkZone) -> Option<Message> {
    let (tname, zname) = (tenant.name_any(), zone.name_any());
    let a = app.spec.autoscaling.as_ref()?;
    let Some(q) = tenant.spec.zones.iter().find(|z| z.name == zname).map(|z| &z.quota) else {
        return Some(msg!(Code::FixGiveQuota, tname, zname));
    };
    let cpu = effective(app, tenant, Side::Limits, "cpu");
    let memory = effective(app, tenant, Side::Limits, "memory");
    // The most pods whose limits fit the quota's figure, in milli-units.
    let most = |limit: &str, quota: &str| match (Quantity::parse(limit), Quantity::parse(quota)) {
        (Ok(l), Ok(q)) if l.round_millis() > 0 => {
            i64::try_from(q.round_millis() / l.round_millis()).unwrap_or(i64::MAX)
        }
        _ => i64::MAX,
    };
    let fit = i64::from(q.pods).min(most(&cpu.value, &q.cpu)).min(most(&memory.value, &q.memory)).max(0);
    let namespace = govcloud_core::meta::names::namespace_name(&tname, &zname);
    Some(msg!(
        Code::FixAutoscalingQuota,
        tname,
        zname,
        q.pods.to_string(),
        &q.cpu,
        &q.memory,
        a.max_replicas.to_string(),
        &cpu.value,
        cpu.from,
        &memory.value,
        memory.from,
        fit.to_string(),
        namespace
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use govcloud_core::api::Autoscaling;

    fn app(autoscaling: Option<Autoscaling>) -> DepartmentApp {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "govcloud.io/v1alpha1", "kind": "DepartmentApp",
            "metadata": {"name": "portal", "namespace": "gov-ext"},
            "spec": {"zone": "ext", "image": "r/p:1", "replicas": 3, "autoscaling": autoscaling},
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn autoscaling_leaves_the_replicas_to_the_autoscaler() {
        let fixed = app(None);
        assert_eq!(workload_replicas(&fixed.spec), Some(3));
        assert_eq!(fewest_replicas(&fixed.spec), 3);
        assert!(render(&fixed, "portal", "gov-ext", &BTreeMap::new()).is_none());
        let scaled = app(Some(Autoscaling { min_replicas: 1, max_replicas: 6, target_cpu_utilization: 70 }));
        assert_eq!(workload_replicas(&scaled.spec), None, "no spec.replicas to fight the autoscaler over");
        assert_eq!(fewest_replicas(&scaled.spec), 1, "minReplicas decides the disruption budget");
        let Some(Owned::HorizontalPodAutoscaler(h)) = render(&scaled, "portal", "gov-ext", &BTreeMap::new()) else {
            panic!("an autoscaler")
        };
        let spec = h.spec.unwrap_or_default();
        assert_eq!((spec.min_replicas, spec.max_replicas), (Some(1), 6));
        assert_eq!(spec.scale_target_ref.name, "portal");
        let metric = &spec.metrics.unwrap_or_default()[0];
        assert_eq!(metric.resource.as_ref().and_then(|r| r.target.average_utilization), Some(70));
    }
}
