//! GC-POD-003, GC-SVC-004 and GC-SVC-005: each check's verdict, offline, as
//! render and the audit see it (the cluster tests hold the API server to them).

use serde_json::{Value, json};

use super::{Evaluator, failures};
use crate::controls::{INGRESS_CLASSES, RUNTIME_CLASSES, TLS_ISSUERS};
use crate::meta::labels::{MLPS_LEVEL, TENANT, ZONE, ZONE_KIND};

fn zone(extra: Value) -> Value {
    let mut spec = json!({"kind": "internet", "internetIngress": true, "publicDomain": "example.gov", "mlpsLevel": 2,
        "nodePool": {"selector": {ZONE: "internet"}, "taint": {"key": ZONE, "value": "internet", "effect": "NoSchedule"}},
        "allowedRegistries": ["harbor.egov.local"]});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        spec[k] = v;
    }
    json!({"kind": "NetworkZone", "metadata": {"name": "internet"}, "spec": spec})
}

fn offers() -> Value {
    zone(
        json!({"allowedIngressClasses": ["nginx-internet"], "tlsIssuers": ["city-acme"], "allowedRuntimeClasses": ["gvisor", "kata"]}),
    )
}

/// The new controls `o` fails in zone `z`, sorted.
fn failing(o: &Value, z: &Value) -> Vec<&'static str> {
    let ns = json!({"kind": "Namespace", "metadata": {"name": "a-internet", "labels": {TENANT: "a", ZONE: "internet", ZONE_KIND: "internet", MLPS_LEVEL: "2"}}});
    let mut ids: Vec<&str> = failures(&Evaluator::new(), o, Some(&ns), Some(z))
        .iter()
        .map(|f| f.check.control)
        .filter(|c| [RUNTIME_CLASSES, INGRESS_CLASSES, TLS_ISSUERS].contains(c))
        .collect();
    ids.sort();
    ids
}

fn pod_spec(runtime: Option<&str>) -> Value {
    let mut s =
        json!({"containers": [{"name": "c", "image": "harbor.egov.local/a/c:1"}], "nodeSelector": {ZONE: "internet"}});
    if let Some(r) = runtime {
        s["runtimeClassName"] = json!(r);
    }
    s
}

#[test]
fn runtime_classes_in_pods_and_every_template() {
    let shapes = |r: Option<&str>| {
        vec![
            json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": pod_spec(r)}),
            json!({"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": pod_spec(r)}}}),
            json!({"kind": "DaemonSet", "metadata": {"name": "d"}, "spec": {"template": {"spec": pod_spec(r)}}}),
            json!({"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": pod_spec(r)}}}}}),
        ]
    };
    let required = zone(json!({"allowedRuntimeClasses": ["gvisor", "kata"], "requiredRuntimeClass": "gvisor"}));
    for o in shapes(None) {
        assert_eq!(failing(&o, &offers()), Vec::<&str>::new(), "none named: {o}");
        assert_eq!(failing(&o, &required), vec![RUNTIME_CLASSES], "the zone requires gvisor: {o}");
    }
    for o in shapes(Some("kata")) {
        assert_eq!(failing(&o, &offers()), Vec::<&str>::new(), "{o}");
        assert_eq!(failing(&o, &zone(json!({}))), vec![RUNTIME_CLASSES], "a zone listing none: {o}");
        assert_eq!(failing(&o, &required), vec![RUNTIME_CLASSES], "allowed, not the required one: {o}");
    }
    for o in shapes(Some("gvisor")) {
        assert_eq!(failing(&o, &required), Vec::<&str>::new(), "{o}");
    }
    for o in shapes(Some("runc-unconfined")) {
        assert_eq!(failing(&o, &offers()), vec![RUNTIME_CLASSES], "{o}");
    }
}

#[test]
fn ingress_classes_issuers_and_tls_secrets() {
    let ingress = |class: Option<&str>, annotations: Value, secret: Option<&str>| {
        let mut i = json!({"kind": "Ingress", "metadata": {"name": "site", "namespace": "a-internet", "annotations": annotations},
            "spec": {"rules": [{"host": "site.example.gov", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "site", "port": {"name": "http"}}}}]}}]}});
        if let Some(c) = class {
            i["spec"]["ingressClassName"] = json!(c);
        }
        if let Some(s) = secret {
            i["spec"]["tls"] = json!([{"hosts": ["site.example.gov"], "secretName": s}]);
        }
        i
    };
    let none = json!({});
    let z = offers();
    for (what, o, zone, want) in [
        ("compliant", ingress(Some("nginx-internet"), none.clone(), Some("site-tls")), &z, vec![]),
        ("no class", ingress(None, none.clone(), None), &z, vec![]),
        ("another zone's class", ingress(Some("nginx-extranet"), none.clone(), None), &z, vec![INGRESS_CLASSES]),
        (
            "a class where the zone lists none",
            ingress(Some("nginx-internet"), none.clone(), None),
            &zone(json!({})),
            vec![INGRESS_CLASSES],
        ),
        (
            "the deprecated annotation",
            ingress(Some("nginx-internet"), json!({"kubernetes.io/ingress.class": "nginx-extranet"}), None),
            &z,
            vec![INGRESS_CLASSES],
        ),
        (
            "the deprecated annotation, allowed",
            ingress(None, json!({"kubernetes.io/ingress.class": "nginx-internet"}), None),
            &z,
            vec![],
        ),
        (
            "the zone's issuer",
            ingress(None, json!({"cert-manager.io/cluster-issuer": "city-acme"}), Some("site-tls")),
            &z,
            vec![],
        ),
        (
            "another issuer",
            ingress(None, json!({"cert-manager.io/cluster-issuer": "evil-ca"}), None),
            &z,
            vec![TLS_ISSUERS],
        ),
        (
            "a namespaced issuer",
            ingress(None, json!({"cert-manager.io/issuer": "city-acme"}), None),
            &z,
            vec![TLS_ISSUERS],
        ),
        (
            "an external issuer kind",
            ingress(
                None,
                json!({"cert-manager.io/cluster-issuer": "city-acme", "cert-manager.io/issuer-kind": "AWSPCAIssuer"}),
                None,
            ),
            &z,
            vec![TLS_ISSUERS],
        ),
    ] {
        assert_eq!(failing(&o, zone), want, "{what}");
    }
}

#[test]
fn an_app_names_only_what_its_zone_offers() {
    let app = |extra: Value| {
        let mut spec = json!({"zone": "internet", "image": "harbor.egov.local/a/site:1", "exposure": "public", "ports": [{"name": "http", "port": 8080}]});
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            spec[k] = v;
        }
        json!({"kind": "DepartmentApp", "metadata": {"name": "site", "namespace": "a-internet"}, "spec": spec})
    };
    let required = zone(json!({"allowedRuntimeClasses": ["gvisor", "kata"], "requiredRuntimeClass": "gvisor"}));
    for (what, extra, zone, want) in [
        ("nothing named", json!({}), &offers(), vec![]),
        (
            "all offered",
            json!({"ingressClass": "nginx-internet", "tls": {"issuer": "city-acme"}, "runtimeClass": "kata"}),
            &offers(),
            vec![],
        ),
        ("its own Secret", json!({"tls": {"secretName": "site-cert"}}), &zone(json!({})), vec![]),
        ("a class off the list", json!({"ingressClass": "nginx-extranet"}), &offers(), vec![INGRESS_CLASSES]),
        ("an issuer off the list", json!({"tls": {"issuer": "evil-ca"}}), &offers(), vec![TLS_ISSUERS]),
        ("a runtime off the list", json!({"runtimeClass": "runc"}), &offers(), vec![RUNTIME_CLASSES]),
        ("not the required runtime", json!({"runtimeClass": "kata"}), &required, vec![RUNTIME_CLASSES]),
        ("the required runtime (or none)", json!({"runtimeClass": "gvisor"}), &required, vec![]),
    ] {
        assert_eq!(failing(&app(extra), zone), want, "{what}");
    }
}
