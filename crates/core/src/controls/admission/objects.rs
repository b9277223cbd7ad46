//! What govcloud trusts in objects: their size, the Tenant's deletion guard, the app identity labels by
//! custody, and the objects govcloud manages (GC-MGD-001).

use super::cel::check;
use crate::controls::admission::{Policy, Shape, labels, leak, managed_resources, policy, rules};

use crate::controls::custody::Rule;
use crate::controls::{APP_IDENTITY, MANAGED_OBJECTS, OBJECT_SIZES, PREVENT_DELETION, custody};
use crate::meta::labels::{APP, MANAGED_BY, MANAGER};
use crate::meta::names;
use serde_json::{Value, json};

/// Most bytes of annotations an object in a tenant namespace carries (GC-RES-003).
pub const ANNOTATIONS_MAX: i64 = 64 * 1024;
/// Most bytes of a ConfigMap's data and binary data.
pub const CONFIG_MAP_MAX: i64 = 256 * 1024;
/// Most bytes of a Secret's data.
pub const SECRET_MAX: i64 = 64 * 1024;

/// GC-RES-003: with a count quota on every kind, capped sizes bound what a
/// department can put in the cluster's store (Kubernetes' own ceilings,
/// 256 KiB of annotations and 1 MiB an object, times the counts, do not).
pub(super) fn object_sizes_policy() -> Policy {
    let total = |map: &str| format!("(has({map}) ? {map}.map(k, size(k) + size({map}[k])).sum() : 0)");
    policy(
        names::admission_policy("object-sizes"),
        vec![
            ("", "configmaps"),
            ("", "secrets"),
            ("", "pods"),
            ("", "services"),
            ("", "serviceaccounts"),
            ("", "persistentvolumeclaims"),
            ("apps", "deployments"),
            ("apps", "statefulsets"),
            ("apps", "replicasets"),
            ("batch", "jobs"),
            ("batch", "cronjobs"),
            ("rbac.authorization.k8s.io", "rolebindings"),
            (crate::meta::GROUP, "departmentapps"),
            (crate::meta::GROUP, "resourcerequests"),
        ],
        false,
        vec![],
        vec![
            check(
                OBJECT_SIZES,
                format!("{} <= {ANNOTATIONS_MAX}", total("object.metadata.annotations")),
                format!(
                    "metadata.annotations may hold at most {} KiB; keep data in a ConfigMap or a volume, and apply large objects with kubectl apply --server-side",
                    ANNOTATIONS_MAX / 1024
                ),
            ),
            check(
                OBJECT_SIZES,
                format!(
                    "!has(object.kind) || object.kind != 'ConfigMap' || {} + {} <= {CONFIG_MAP_MAX}",
                    total("object.data"),
                    total("object.binaryData")
                ),
                format!(
                    "data of a ConfigMap may hold at most {} KiB; larger files belong in a persistent volume or the city's object store",
                    CONFIG_MAP_MAX / 1024
                ),
            ),
            check(
                OBJECT_SIZES,
                format!("!has(object.kind) || object.kind != 'Secret' || {} <= {SECRET_MAX}", total("object.data")),
                format!(
                    "data of a Secret may hold at most {} KiB (keys, passwords and certificates fit)",
                    SECRET_MAX / 1024
                ),
            ),
        ],
    )
}

/// GC-TEN-002: a Tenant marked preventDeletion cannot be deleted. It judges a
/// DELETE request (the object is `oldObject`), so only the API server can
/// check it: the offline evaluator leaves it out.
pub(super) fn prevent_deletion_policy() -> Policy {
    Policy {
        name: names::PREVENT_DELETION_POLICY,
        resources: vec![(crate::meta::GROUP, "tenants")],
        operations: &["DELETE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![],
        checks: vec![check(
            PREVENT_DELETION,
            "!has(oldObject.spec.preventDeletion) || !oldObject.spec.preventDeletion",
            "spec.preventDeletion is true: set it to false before deleting the tenant",
        )],
        request_only: true,
        // Tenants are cluster-scoped: the binding matches every deletion.
        tenant_namespaces: false,
    }
}

/// GC-NET-006 and GC-MGD-001 on pods and pod templates: NetworkPolicies let
/// an app's pods through by the `govcloud.io/app` label, and the managed-by
/// label marks what only govcloud may change. Either label on a pod or a
/// template is accepted only from the identity that makes such an object from
/// govcloud's (the operator for Deployments, the deployment controller for
/// their ReplicaSets, the ReplicaSet and StatefulSet controllers for pods:
/// [`custody::EXEMPTIONS`]), or left as it was on an UPDATE. Never from a
/// label: what a department can write proves nothing.
pub(super) fn identity_policy(shape: &Shape) -> Policy {
    // The object that carries the pod's metadata: the pod, or the template.
    let holder =
        if shape.is_pod { "object".to_string() } else { format!("object.{}", shape.spec.trim_end_matches(".spec")) };
    let field = if shape.is_pod {
        "metadata.labels".to_string()
    } else {
        format!("{}.metadata.labels", shape.spec.trim_end_matches(".spec"))
    };
    let old_holder = holder.replacen("object", "oldObject", 1);
    let has = |h: &str, key: &str| {
        format!("(has({h}.metadata) && has({h}.metadata.labels) && '{key}' in {h}.metadata.labels)")
    };
    let unchanged = |key: &str| {
        format!(
            "(oldObject != null && {} && {old_holder}.metadata.labels['{key}'] == {holder}.metadata.labels['{key}'])",
            has(&old_holder, key)
        )
    };
    let writers = custody::allows(Rule::Identity);
    let managed = format!("({} && {holder}.metadata.labels['{MANAGED_BY}'] == '{MANAGER}')", has(&holder, MANAGED_BY));
    Policy {
        name: leak(names::identity_admission_policy(shape.suffix)),
        resources: shape.resources.iter().copied().filter(|(_, r)| !r.contains('/')).collect(),
        operations: &["CREATE", "UPDATE"],
        zone_param: false,
        match_conditions: vec![],
        variables: vec![("writer", writers)],
        checks: vec![
            check(
                APP_IDENTITY,
                format!("!{} || {} || variables.writer", has(&holder, APP), unchanged(APP)),
                format!(
                    "{field}[{APP}] is set only by govcloud (it selects an app's pods for its granted flows); use another label"
                ),
            ),
            check(
                MANAGED_OBJECTS,
                format!("!{managed} || {} || variables.writer", unchanged(MANAGED_BY)),
                format!("{field}[{MANAGED_BY}]={MANAGER} is set only by govcloud on what it makes; use another label"),
            ),
        ],
        request_only: true,
        tenant_namespaces: true,
    }
}

/// Kinds Kubernetes makes from govcloud's objects (labelled as govcloud's
/// through the pod template), or that carry a pod template a department
/// could label: kept for their makers like the kinds govcloud owns.
pub const MADE_FROM_MANAGED: &[(&str, &str)] = &[
    ("", "pods"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("", "replicationcontrollers"),
    ("", "persistentvolumeclaims"),
];

/// The policy that keeps govcloud-managed objects for their makers: anyone
/// else is denied. Who makes what is [`custody::EXEMPTIONS`], one identity
/// and its operations a row (the operator; Kubernetes' controllers for the
/// ReplicaSets and pods they make from govcloud's objects, the garbage
/// collector; cluster administrators as break-glass).
pub(super) fn managed_objects_policy() -> Value {
    let managed = |o: &str| {
        format!(
            "({o} != null && has({o}.metadata.labels) && '{MANAGED_BY}' in {o}.metadata.labels && {o}.metadata.labels['{MANAGED_BY}'] == '{MANAGER}')"
        )
    };
    json!({
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": crate::meta::names::MANAGED_OBJECTS_POLICY, "labels": labels()},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": rules(&managed_resources(), &["CREATE", "UPDATE", "DELETE"])},
            "matchConditions": [
                {"name": "managed-by-govcloud", "expression": format!("{} || {}", managed("object"), managed("oldObject"))},
            ],
            "validations": [{
                "expression": custody::allows(Rule::ManagedObjects),
                "messageExpression": format!("'[{MANAGED_OBJECTS}] ' + request.kind.kind + ' ' + (request.namespace != '' ? request.namespace + '/' : '') + request.name + ' is managed by govcloud (label {MANAGED_BY}={MANAGER}); change the Tenant, NetworkZone or DepartmentApp that owns it instead'"),
                "reason": "Forbidden"
            }]
        }
    })
}
