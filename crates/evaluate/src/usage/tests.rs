//! Unit tests of `usage`: a PodMetricsList summed per pod, apps from labels.

use super::*;

#[test]
fn usage_is_summed_over_containers_and_apps_come_from_labels_or_pods() {
    let text = r#"{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","items":[
            {"metadata":{"name":"p1","namespace":"a-ext","labels":{"govcloud.io/app":"portal"}},"containers":[
                {"name":"c","usage":{"cpu":"250m","memory":"128Mi"}},{"name":"d","usage":{"cpu":"500000000n","memory":"64Mi"}}]},
            {"metadata":{"name":"p2","namespace":"a-ext"},"containers":[{"name":"c","usage":{"cpu":"1","memory":"1Gi"}}]}]}"#;
    let pods = PodApps::of(&[
        serde_json::json!({"kind":"Pod","metadata":{"name":"p2","namespace":"a-ext","labels":{"govcloud.io/app":"db"}}}),
        // Not a pod, and a pod without the label: neither says anything.
        serde_json::json!({"kind":"Service","metadata":{"name":"p1","namespace":"a-ext","labels":{"govcloud.io/app":"x"}}}),
        serde_json::json!({"kind":"Pod","metadata":{"name":"p3","namespace":"a-ext"}}),
    ]);
    assert_eq!(
        (pods.len(), pods.get("a-ext", "p2"), pods.get("a-ext", "p1"), pods.get("b-ext", "p2")),
        (1, Some("db"), None, None)
    );
    let u = parse_pod_metrics("m.json", text, &pods).expect("parses");
    assert_eq!(u[0].app.as_deref(), Some("portal"));
    assert_eq!((u[0].cpu, u[0].memory), (Quantity::parse("750m").expect("q"), Quantity::parse("192Mi").expect("q")));
    assert_eq!(u[1].app.as_deref(), Some("db"));
    let bad =
        parse_pod_metrics("m.json", &text.replace("250m", "lots"), &PodApps::default()).expect_err("a bad quantity");
    assert!(bad.contains("m.json: items[0].containers[0].usage.cpu: \"lots\" is not a Kubernetes quantity"), "{bad}");
    assert!(
        parse_pod_metrics("m.json", "{\"kind\":\"PodList\"}", &PodApps::default())
            .expect_err("wrong kind")
            .contains("expected PodMetricsList")
    );
}

#[test]
fn the_reason_for_no_usage_follows_the_answer_of_the_metrics_api() {
    assert_eq!(missing_for_status(Some(404)), crate::Missing::NoUsage);
    assert_eq!(missing_for_status(Some(403)), crate::Missing::UsageForbidden);
    assert_eq!(missing_for_status(Some(503)), crate::Missing::UsageUnavailable);
    assert_eq!(missing_for_status(None), crate::Missing::UsageUnavailable);
}
