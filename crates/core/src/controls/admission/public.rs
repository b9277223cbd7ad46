//! Public apps (GC-SVC-004, GC-SVC-005, GC-POD-003 on the app): the ingress
//! class, TLS and runtime class a zone offers, checked on tenant Ingresses
//! and on DepartmentApps (so a department learns at `kubectl apply` time).

use super::cel::check;
use crate::controls::admission::{Check, Policy, policy};
use crate::controls::{INGRESS_CLASSES, RUNTIME_CLASSES, TLS_ISSUERS};
use crate::meta::names;

/// The deprecated annotation older ingress controllers read instead of `spec.ingressClassName`.
pub const INGRESS_CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
/// cert-manager's annotation naming a ClusterIssuer (its ingress-shim makes the certificate).
pub const CLUSTER_ISSUER_ANNOTATION: &str = "cert-manager.io/cluster-issuer";
/// cert-manager's annotations naming a namespaced (or external) issuer: never allowed.
pub const NAMESPACED_ISSUER_ANNOTATIONS: &[&str] =
    &["cert-manager.io/issuer", "cert-manager.io/issuer-kind", "cert-manager.io/issuer-group"];

/// CEL: the Ingress has annotation `key`.
fn annotated(key: &str) -> String {
    format!("(has(object.metadata.annotations) && '{key}' in object.metadata.annotations)")
}

/// `govcloud-zone-ingresses`: every Ingress in a tenant namespace against its zone's lists.
pub(super) fn zone_ingress_policy() -> Policy {
    let forbidden: Vec<String> = NAMESPACED_ISSUER_ANNOTATIONS.iter().map(|k| format!("'{k}'")).collect();
    policy(
        names::zone_admission_policy("ingresses"),
        vec![("networking.k8s.io", "ingresses")],
        true,
        vec![],
        vec![
            check(
                INGRESS_CLASSES,
                "!has(object.spec.ingressClassName) || (has(params.spec.allowedIngressClasses) && object.spec.ingressClassName in params.spec.allowedIngressClasses)",
                "spec.ingressClassName must be one this zone allows (NetworkZone spec.allowedIngressClasses; none when the list is empty): another class's controller may serve another zone",
            ),
            check(
                INGRESS_CLASSES,
                format!(
                    "!{} || (has(params.spec.allowedIngressClasses) && object.metadata.annotations['{INGRESS_CLASS_ANNOTATION}'] in params.spec.allowedIngressClasses)",
                    annotated(INGRESS_CLASS_ANNOTATION)
                ),
                format!(
                    "metadata.annotations: {INGRESS_CLASS_ANNOTATION} (deprecated, still read by some controllers) must name a class this zone allows (NetworkZone spec.allowedIngressClasses), like spec.ingressClassName"
                ),
            ),
            check(
                TLS_ISSUERS,
                format!(
                    "!{} || (has(params.spec.tlsIssuers) && object.metadata.annotations['{CLUSTER_ISSUER_ANNOTATION}'] in params.spec.tlsIssuers)",
                    annotated(CLUSTER_ISSUER_ANNOTATION)
                ),
                format!(
                    "metadata.annotations: {CLUSTER_ISSUER_ANNOTATION} must name a ClusterIssuer this zone offers (NetworkZone spec.tlsIssuers)"
                ),
            ),
            check(
                TLS_ISSUERS,
                format!(
                    "!has(object.metadata.annotations) || ![{}].exists(k, k in object.metadata.annotations)",
                    forbidden.join(", ")
                ),
                format!(
                    "metadata.annotations: {} are not allowed: a namespaced Issuer is made by its namespace's writers and may point at any CA; use a ClusterIssuer of the zone's spec.tlsIssuers ({CLUSTER_ISSUER_ANNOTATION})",
                    NAMESPACED_ISSUER_ANNOTATIONS.join(", ")
                ),
            ),
        ],
    )
}

/// The DepartmentApp checks of `govcloud-zone-apps` for public apps and runtime classes.
pub(super) fn zone_app_checks() -> Vec<Check> {
    vec![
        check(
            INGRESS_CLASSES,
            "!has(object.spec.ingressClass) || (has(params.spec.allowedIngressClasses) && object.spec.ingressClass in params.spec.allowedIngressClasses)",
            "spec.ingressClass must be one this zone allows (NetworkZone spec.allowedIngressClasses)",
        ),
        check(
            TLS_ISSUERS,
            "!has(object.spec.tls) || !has(object.spec.tls.issuer) || (has(params.spec.tlsIssuers) && object.spec.tls.issuer in params.spec.tlsIssuers)",
            "spec.tls.issuer must be a ClusterIssuer this zone offers (NetworkZone spec.tlsIssuers)",
        ),
        check(
            RUNTIME_CLASSES,
            "!has(object.spec.runtimeClass) || (has(params.spec.allowedRuntimeClasses) && object.spec.runtimeClass in params.spec.allowedRuntimeClasses)",
            "spec.runtimeClass must be one this zone allows (NetworkZone spec.allowedRuntimeClasses)",
        ),
        check(
            RUNTIME_CLASSES,
            "!has(object.spec.runtimeClass) || !has(params.spec.requiredRuntimeClass) || object.spec.runtimeClass == params.spec.requiredRuntimeClass",
            "spec.runtimeClass must be this zone's required runtime class (NetworkZone spec.requiredRuntimeClass), or unset",
        ),
    ]
}
