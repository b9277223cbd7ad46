//! What installing govcloud's admission policies leaves behind: the
//! policies and bindings an earlier version shipped and this one does not
//! (those a bundle now carries) are removed, after what replaces them is
//! applied; a zone's own bindings (an owner label) are never touched, and
//! a retired policy stays while a binding that stays still names it (a
//! zone's binding from before an upgrade, until the zone rebinds).

use crate::support;

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use serde_json::json;
use support::{client, unique};

fn admission_api(c: &kube::Client, kind: &str) -> Api<DynamicObject> {
    Api::all_with(c.clone(), &ApiResource::from_gvk(&GroupVersionKind::gvk("admissionregistration.k8s.io", "v1", kind)))
}

fn probe_policy(name: &str, labels: serde_json::Value) -> serde_json::Value {
    json!({
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["configmaps"]}]},
            "validations": [{"expression": "true"}]
        }
    })
}

#[tokio::test]
async fn install_removes_what_govcloud_no_longer_ships_and_keeps_what_a_zone_owns() {
    let c = client().await;
    let policies = admission_api(&c, "ValidatingAdmissionPolicy");
    let bindings = admission_api(&c, "ValidatingAdmissionPolicyBinding");
    let pp = PatchParams::apply("govcloud-test").force();
    // As an earlier govcloud left them: its label, no owner.
    let retired = unique("govcloud-retired");
    policies
        .patch(
            &retired,
            &pp,
            &Patch::Apply(probe_policy(&retired, json!({"app.kubernetes.io/managed-by": "govcloud"}))),
        )
        .await
        .expect("retired policy");
    bindings
        .patch(
            &retired,
            &pp,
            &Patch::Apply(json!({
                "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
                "metadata": {"name": retired, "labels": {"app.kubernetes.io/managed-by": "govcloud"}},
                "spec": {"policyName": retired, "validationActions": ["Deny"]}
            })),
        )
        .await
        .expect("retired binding");
    // A zone's: owned, so not the installer's to remove.
    let owned = unique("govcloud-owned");
    policies
        .patch(
            &owned,
            &pp,
            &Patch::Apply(probe_policy(
                &owned,
                json!({"app.kubernetes.io/managed-by": "govcloud", "govcloud.io/owner-kind": "NetworkZone", "govcloud.io/owner-name": "nowhere"}),
            )),
        )
        .await
        .expect("owned policy");
    // Retired, but a zone's binding (owned, so it stays) still names it:
    // an upgrade's window, before the zone rebinds to what replaces it.
    let held = unique("govcloud-held");
    policies
        .patch(&held, &pp, &Patch::Apply(probe_policy(&held, json!({"app.kubernetes.io/managed-by": "govcloud"}))))
        .await
        .expect("held policy");
    let zone_binding = unique("govcloud-zone-binding");
    bindings
        .patch(
            &zone_binding,
            &pp,
            &Patch::Apply(json!({
                "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
                "metadata": {"name": zone_binding, "labels": {
                    "app.kubernetes.io/managed-by": "govcloud",
                    "govcloud.io/owner-kind": "NetworkZone", "govcloud.io/owner-name": "nowhere"}},
                "spec": {"policyName": held, "validationActions": ["Deny"],
                         "matchResources": {"namespaceSelector": {"matchLabels": {"govcloud.io/zone": "nowhere"}}}}
            })),
        )
        .await
        .expect("zone's binding");
    // Someone else's, unlabelled: not ours at all.
    let foreign = unique("someone-elses");
    policies.patch(&foreign, &pp, &Patch::Apply(probe_policy(&foreign, json!({})))).await.expect("foreign policy");

    govcloud::operator::install_crds(&c, "govcloud-system").await.expect("install");

    assert!(policies.get_opt(&retired).await.expect("read").is_none(), "the retired policy is removed");
    assert!(bindings.get_opt(&retired).await.expect("read").is_none(), "the retired binding is removed");
    assert!(policies.get_opt(&owned).await.expect("read").is_some(), "a zone's policy stays");
    assert!(policies.get_opt(&foreign).await.expect("read").is_some(), "someone else's policy stays");
    // What is shipped is there: the pods bundle and both managed-objects bindings.
    assert!(policies.get_opt("govcloud-pods").await.expect("read").is_some());
    assert!(policies.get_opt("govcloud-pods-identity").await.expect("read").is_none(), "carried by the bundle");
    for b in ["govcloud-pods", "govcloud-managed-objects", "govcloud-managed-objects-tenants"] {
        assert!(bindings.get_opt(b).await.expect("read").is_some(), "{b}");
    }
    assert!(policies.get_opt(&held).await.expect("read").is_some(), "a retired policy a staying binding names stays");
    assert!(bindings.get_opt(&zone_binding).await.expect("read").is_some(), "a zone's binding stays");

    // Once the zone's binding names it no more, the next install removes it.
    bindings.delete(&zone_binding, &Default::default()).await.expect("the zone rebinds");
    govcloud::operator::install_crds(&c, "govcloud-system").await.expect("install again");
    assert!(policies.get_opt(&held).await.expect("read").is_none(), "then it is removed");

    for name in [&owned, &foreign] {
        policies.delete(name, &Default::default()).await.expect("clean up");
    }
}
