//! An app's autoscaling as `govcloud render` makes it (GC-RES-004): the
//! HorizontalPodAutoscaler, the Deployment without replicas, and a refusal
//! that names the app, the field, the quota's figures and the fix.

use govcloud::model::load_str;
use govcloud::render::{self, Owned, Rendered};

/// A zone and a tenant whose quota there is 6 pods, 4 CPUs and 8Gi, with one
/// app `portal` (limits 1 CPU and 1Gi a pod) scaling up to `max` pods.
fn render_with(max: i32) -> Rendered {
    let text = format!(
        r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {{name: ext}}
spec:
  kind: extranet
  displayName: {{zh: 外网, en: Extranet}}
  nodePool: {{selector: {{zone: ext}}, taint: {{key: govcloud.io/zone, value: ext}}}}
  cidrs: [10.10.0.0/16]
  allowedRegistries: [reg.local]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: a}}
spec:
  displayName: {{zh: 甲, en: A}}
  zones: [{{name: ext, quota: {{cpu: "4", memory: 8Gi, pods: 6, services: 10}}}}]
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: portal, namespace: a-ext}}
spec:
  zone: ext
  image: reg.local/a/portal:1
  replicas: 3
  autoscaling: {{minReplicas: 2, maxReplicas: {max}, targetCPUUtilization: 70}}
  resources: {{requests: {{cpu: 250m, memory: 256Mi}}, limits: {{cpu: "1", memory: 1Gi}}}}
  ports: [{{name: http, port: 8080}}]
"#
    );
    let loaded = load_str("test.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}"));
    render::render(&loaded.model)
}

#[test]
fn autoscaling_within_the_quota_renders_an_hpa_and_leaves_the_replicas_to_it() {
    let r = render_with(4);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let hpa = r.objects.iter().find_map(|o| match o {
        Owned::HorizontalPodAutoscaler(h) => Some(h),
        _ => None,
    });
    let spec = hpa.and_then(|h| h.spec.clone()).expect("the app's HorizontalPodAutoscaler");
    assert_eq!((spec.min_replicas, spec.max_replicas), (Some(2), 4));
    let deployment = r.objects.iter().find_map(|o| match o {
        Owned::Deployment(d) => d.spec.clone(),
        _ => None,
    });
    assert_eq!(deployment.expect("deployment").replicas, None, "spec.replicas is the autoscaler's");
    assert!(r.objects.iter().any(|o| o.kind() == "PodDisruptionBudget"), "minReplicas 2 gets a PDB");
    let ns = r.objects.iter().find(|o| o.kind() == "Namespace").expect("namespace");
    let annotations = ns.meta().annotations.clone().unwrap_or_default();
    assert_eq!(annotations.get("govcloud.io/quota-pods").map(String::as_str), Some("6"));
    assert_eq!(annotations.get("govcloud.io/default-limit-cpu").map(String::as_str), Some("500m"));
}

#[test]
fn autoscaling_beyond_the_quota_is_refused_with_the_figures_and_the_fix() {
    let r = render_with(5);
    let p = r
        .problems
        .iter()
        .find(|p| p.message.contains("GC-RES-004"))
        .unwrap_or_else(|| panic!("no GC-RES-004 problem: {:?}", r.problems));
    assert_eq!((p.object.namespace.as_deref(), p.object.name.as_str()), (Some("a-ext"), "portal"));
    assert_eq!(p.field, "spec.autoscaling.maxReplicas");
    assert!(p.message.contains("need more CPU"), "{}", p.message);
    for words in ["allows 6 pods, 4 CPU and 8Gi memory", "at most 4", "ResourceRequest of kind Quota"] {
        assert!(p.fix.contains(words), "{words:?} not in {}", p.fix);
    }
    assert!(!r.objects.iter().any(|o| o.kind() == "HorizontalPodAutoscaler"), "a refused app renders nothing");
}
