//! Public apps' TLS, ingress and runtime classes at render time: the fix to
//! print for a failed admission check, and the name clash admission cannot see.

use kube::ResourceExt;

use govcloud_core::api::{DepartmentApp, NetworkZone};
use govcloud_core::controls;
use govcloud_core::messages::{Arg, Code, Message};
use govcloud_core::meta::names;
use govcloud_core::msg;
use govcloud_core::problem::{ObjectRef, Problem};

/// A zone list, or `none` when it is empty.
fn listed(list: &[String]) -> Arg {
    if list.is_empty() { Code::WordNone.into() } else { list.join(", ").into() }
}

/// What to do about a failed GC-SVC-004, GC-SVC-005 or GC-POD-003 check of an app in `zone`.
pub(super) fn fix(control: &str, zone: &NetworkZone) -> Option<Message> {
    let zname = zone.name_any();
    let z = &zone.spec;
    match control {
        controls::INGRESS_CLASSES => Some(msg!(Code::FixIngressClass, zname, listed(&z.allowed_ingress_classes))),
        controls::TLS_ISSUERS => Some(msg!(Code::FixTlsIssuer, zname, listed(&z.tls_issuers))),
        controls::RUNTIME_CLASSES => Some(match &z.required_runtime_class {
            Some(r) => msg!(Code::FixRuntimeRequired, r, zname),
            None => msg!(Code::FixRuntimeAllowed, zname, listed(&z.allowed_runtime_classes)),
        }),
        _ => None,
    }
}

/// An app whose `spec.tls.secretName` is the Secret cert-manager writes for
/// another app of its namespace (`<app>-tls`, for an app with an issuer):
/// the certificate would be overwritten under it.
pub(super) fn tls_secret_clash(app: &DepartmentApp, apps: &[DepartmentApp], obj: &ObjectRef) -> Option<Problem> {
    let secret = app.spec.tls.as_ref()?.secret_name.as_deref()?;
    let ns = app.namespace();
    let owner = apps.iter().find(|o| {
        o.namespace() == ns
            && o.name_any() != app.name_any()
            && o.spec.tls.as_ref().is_some_and(|t| t.issuer.is_some())
            && names::app_tls_secret(&o.name_any()) == secret
    })?;
    Some(Problem::invalid(
        obj.clone(),
        "spec.tls.secretName",
        msg!(Code::ProblemSecretTaken, secret.to_string(), owner.name_any()).to_string(),
        msg!(Code::FixSecretName).to_string(),
    ))
}
