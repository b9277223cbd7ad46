//! Public apps: the Ingress's class and TLS, the pods' runtime class, and the
//! refusals when an app names what its zone does not offer.

use super::super::*;
use govcloud_core::controls::admission::CLUSTER_ISSUER_ANNOTATION;
use govcloud_core::model::{Model, load_str};
use k8s_openapi::api::networking::v1::Ingress;

/// An internet zone with `zone` (YAML, indented by two), tenant `a` and public app `portal` with `spec`.
fn model(zone: &str, spec: &str) -> Model {
    let text = format!(
        r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {{name: web}}
spec:
  kind: internet
  displayName: {{zh: 互联网, en: Internet}}
  nodePool: {{selector: {{govcloud.io/zone: web}}, taint: {{key: govcloud.io/zone, value: web}}}}
  cidrs: [172.20.0.0/16]
  internetIngress: true
  publicDomain: city.gov.cn
  allowedRegistries: [harbor.egov.local]
{zone}
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {{name: a}}
spec:
  displayName: {{zh: 甲, en: A}}
  zones: [{{name: web}}]
---
apiVersion: govcloud.io/v1alpha1
kind: DepartmentApp
metadata: {{name: portal, namespace: a-web}}
spec:
  zone: web
  image: harbor.egov.local/a/portal:1
  ports: [{{name: http, port: 8080}}]
  exposure: public
{spec}"#
    );
    load_str("m.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}")).model
}

const OFFERS: &str = "  allowedIngressClasses: [nginx-internet, nginx-backup]\n  tlsIssuers: [city-acme]\n  allowedRuntimeClasses: [gvisor, kata]\n";

fn ingress(r: &Rendered) -> Ingress {
    match r.object("Ingress", "a-web", "portal") {
        Some(Owned::Ingress(i)) => i.clone(),
        other => panic!("no Ingress: {other:?}; problems {:?}", r.problems),
    }
}

fn runtime_class(r: &Rendered) -> Option<String> {
    match r.object("Deployment", "a-web", "portal") {
        Some(Owned::Deployment(d)) => d.spec.clone()?.template.spec?.runtime_class_name,
        other => panic!("no Deployment: {other:?}; problems {:?}", r.problems),
    }
}

/// The problems of app `portal`: (field, message, fix).
fn problems(m: &Model) -> Vec<(String, String, String)> {
    render(m).problems.into_iter().filter(|p| p.object.name == "portal").map(|p| (p.field, p.message, p.fix)).collect()
}

#[test]
fn an_issuer_gives_the_ingress_tls_by_cert_manager_and_the_zones_first_class() {
    let r = render(&model(OFFERS, "  tls: {issuer: city-acme}\n"));
    let i = ingress(&r);
    let spec = i.spec.clone().expect("spec");
    assert_eq!(spec.ingress_class_name.as_deref(), Some("nginx-internet"));
    let tls = spec.tls.expect("tls");
    assert_eq!(tls.len(), 1);
    assert_eq!(tls[0].hosts, Some(vec!["portal.a.city.gov.cn".to_string()]));
    assert_eq!(tls[0].secret_name.as_deref(), Some("portal-tls"));
    assert_eq!(
        i.metadata.annotations.unwrap_or_default().get(CLUSTER_ISSUER_ANNOTATION).map(String::as_str),
        Some("city-acme")
    );
    assert_eq!(runtime_class(&r), None, "no runtime class named, none required");
}

#[test]
fn a_secret_and_a_chosen_class_are_rendered_as_named() {
    let r = render(&model(
        OFFERS,
        "  tls: {secretName: portal-cert}\n  ingressClass: nginx-backup\n  runtimeClass: kata\n",
    ));
    let i = ingress(&r);
    let spec = i.spec.clone().expect("spec");
    assert_eq!(spec.ingress_class_name.as_deref(), Some("nginx-backup"));
    assert_eq!(spec.tls.expect("tls")[0].secret_name.as_deref(), Some("portal-cert"));
    assert!(!i.metadata.annotations.unwrap_or_default().contains_key(CLUSTER_ISSUER_ANNOTATION));
    assert_eq!(runtime_class(&r), Some("kata".to_string()));
    // A zone offering nothing: no class, no TLS unless asked.
    let plain = ingress(&render(&model("", ""))).spec.expect("spec");
    assert_eq!((plain.ingress_class_name, plain.tls), (None, None));
}

#[test]
fn what_the_zone_does_not_offer_is_refused_with_the_field_and_the_fix() {
    for (zone, spec, field, control, fix) in [
        ("", "  tls: {issuer: city-acme}\n", "spec.tls.issuer", "[GC-SVC-005]", "offers (none)"),
        (OFFERS, "  tls: {issuer: letsencrypt}\n", "spec.tls.issuer", "[GC-SVC-005]", "offers (city-acme)"),
        (
            OFFERS,
            "  ingressClass: nginx-extranet\n",
            "spec.ingressClass",
            "[GC-SVC-004]",
            "nginx-internet, nginx-backup",
        ),
        ("", "  ingressClass: nginx-internet\n", "spec.ingressClass", "[GC-SVC-004]", "allows (none)"),
        (OFFERS, "  runtimeClass: runc\n", "spec.runtimeClass", "[GC-POD-003]", "allows (gvisor, kata)"),
    ] {
        let got = problems(&model(zone, spec));
        assert_eq!(got.len(), 1, "{spec}: {got:?}");
        assert_eq!(got[0].0, field, "{spec}");
        assert!(got[0].1.contains(control), "{spec}: {got:?}");
        assert!(got[0].2.contains(fix), "{spec}: {got:?}");
    }
}

#[test]
fn a_required_runtime_class_is_rendered_and_no_other_accepted() {
    let zone = format!("{OFFERS}  requiredRuntimeClass: gvisor\n  mlpsLevel: 2\n");
    assert_eq!(runtime_class(&render(&model(&zone, ""))), Some("gvisor".to_string()));
    assert_eq!(runtime_class(&render(&model(&zone, "  runtimeClass: gvisor\n"))), Some("gvisor".to_string()));
    let got = problems(&model(&zone, "  runtimeClass: kata\n"));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "spec.runtimeClass");
    assert!(got[0].1.contains("[GC-POD-003]") && got[0].1.contains("requiredRuntimeClass"), "{got:?}");
    assert!(got[0].2.contains("set it to gvisor"), "{got:?}");
}

#[test]
fn a_secret_named_like_another_apps_issued_one_is_refused() {
    let mut m = model(OFFERS, "  tls: {secretName: shop-tls}\n");
    let mut shop = m.apps[0].clone();
    shop.metadata.name = Some("shop".into());
    shop.spec.tls = Some(govcloud_core::api::AppTls { secret_name: None, issuer: Some("city-acme".into()) });
    m.apps.push(shop);
    let got = problems(&m);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "spec.tls.secretName");
    assert!(got[0].1.contains("app shop"), "{got:?}");
    // Its own issued Secret's name is no clash.
    assert_eq!(problems(&model(OFFERS, "  tls: {secretName: portal-tls}\n")), vec![]);
}
