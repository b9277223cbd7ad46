//! What installing govcloud's admission policies leaves behind: the
//! policies and bindings an earlier version shipped and this one does not
//! (those a bundle now carries) are removed, after what replaces them is
//! applied; a zone's own bindings (an owner label) are never touched.

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
    for name in [&owned, &foreign] {
        policies.delete(name, &Default::default()).await.expect("clean up");
    }
}
