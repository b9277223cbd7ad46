//! ValidatingAdmissionPolicies generated from the catalogue. They live in the
//! API server, so they hold while the operator is down, upgrading or slow.
//!
//! ```text
//!   govcloud-pods               GC-POD-002 GC-HOST-00x GC-ZONE-003 GC-IMG-002 GC-RES-001   (tenant namespaces)
//!   govcloud-services           GC-SVC-001                                                (tenant namespaces)
//!   govcloud-ingresses          GC-SVC-002                                                (tenant namespaces)
//!   govcloud-managed-objects    GC-MGD-001                                                (everything labelled as ours)
//!   govcloud-zone-pods          GC-ZONE-001 GC-ZONE-002 GC-IMG-001   param: the namespace's NetworkZone
//!   govcloud-zone-apps          GC-APP-001 GC-IMG-001                param: the namespace's NetworkZone
//! ```
//!
//! Every message starts with the control id and names the offending field.

use serde_json::{Value, json};

use super::*;
use crate::render::labels::{MANAGED_BY, MANAGER, TENANT, ZONE};

/// One CEL validation of a policy, for one control.
pub struct Check {
    /// The control it enforces.
    pub control: &'static str,
    /// CEL that must be true.
    pub expression: &'static str,
    /// Message (after `[control] `), naming the offending field.
    pub message: &'static str,
}

/// A generated policy.
pub struct Policy {
    /// Policy name.
    pub name: &'static str,
    /// (apiGroup, resource) it matches.
    pub resources: &'static [(&'static str, &'static str)],
    /// Operations it matches.
    pub operations: &'static [&'static str],
    /// Whether it takes the namespace's NetworkZone as parameter.
    pub zone_param: bool,
    /// CEL variables.
    pub variables: &'static [(&'static str, &'static str)],
    /// The checks.
    pub checks: &'static [Check],
}

const CONTAINERS: (&str, &str) = ("containers", "object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : [])");
const INTERNET_NS: (&str, &str) = (
    "internet",
    "has(namespaceObject.metadata.labels) && 'govcloud.io/zone-kind' in namespaceObject.metadata.labels && namespaceObject.metadata.labels['govcloud.io/zone-kind'] == 'internet'",
);
const LEVEL3_NS: (&str, &str) = (
    "level3",
    "has(namespaceObject.metadata.labels) && 'govcloud.io/mlps-level' in namespaceObject.metadata.labels && namespaceObject.metadata.labels['govcloud.io/mlps-level'] == '3'",
);

/// Every generated policy.
pub const POLICIES: &[Policy] = &[
    Policy {
        name: "govcloud-pods",
        resources: &[("", "pods")],
        operations: &["CREATE"],
        zone_param: false,
        variables: &[CONTAINERS, LEVEL3_NS],
        checks: &[
            Check {
                control: NO_PRIVILEGED,
                expression: "variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)",
                message: "spec.containers[].securityContext.privileged must not be true",
            },
            Check {
                control: NO_PRIVILEGED,
                expression: "variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.allowPrivilegeEscalation) || !c.securityContext.allowPrivilegeEscalation)",
                message: "spec.containers[].securityContext.allowPrivilegeEscalation must not be true",
            },
            Check {
                control: HOST_NAMESPACES,
                expression: "!has(object.spec.hostNetwork) || !object.spec.hostNetwork",
                message: "spec.hostNetwork must not be true",
            },
            Check { control: HOST_NAMESPACES, expression: "!has(object.spec.hostPID) || !object.spec.hostPID", message: "spec.hostPID must not be true" },
            Check { control: HOST_NAMESPACES, expression: "!has(object.spec.hostIPC) || !object.spec.hostIPC", message: "spec.hostIPC must not be true" },
            Check {
                control: HOST_PATH,
                expression: "!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))",
                message: "spec.volumes[].hostPath is not allowed",
            },
            Check {
                control: HOST_PORTS,
                expression: "variables.containers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))",
                message: "spec.containers[].ports[].hostPort is not allowed",
            },
            Check {
                control: NO_NODE_NAME,
                expression: "!has(object.spec.nodeName) || object.spec.nodeName == ''",
                message: "spec.nodeName must not be set; the scheduler places pods on their zone's nodes",
            },
            Check {
                control: IMAGE_DIGEST,
                expression: "!variables.level3 || variables.containers.all(c, c.image.contains('@sha256:'))",
                message: "spec.containers[].image must be pinned by digest (repository@sha256:...) at MLPS level 3",
            },
            Check {
                control: RESOURCES,
                expression: "variables.containers.all(c, has(c.resources) && has(c.resources.requests) && has(c.resources.limits) && ['cpu', 'memory'].all(r, r in c.resources.requests && r in c.resources.limits))",
                message: "spec.containers[].resources must set cpu and memory requests and limits",
            },
        ],
    },
    Policy {
        name: "govcloud-services",
        resources: &[("", "services")],
        operations: &["CREATE", "UPDATE"],
        zone_param: false,
        variables: &[INTERNET_NS],
        checks: &[
            Check {
                control: EXTERNAL_SERVICES,
                expression: "variables.internet || !has(object.spec.type) || !(object.spec.type in ['NodePort', 'LoadBalancer'])",
                message: "spec.type NodePort or LoadBalancer is allowed only in an internet-zone namespace",
            },
            Check {
                control: EXTERNAL_SERVICES,
                expression: "variables.internet || !has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
                message: "spec.externalIPs is allowed only in an internet-zone namespace",
            },
        ],
    },
    Policy {
        name: "govcloud-ingresses",
        resources: &[("networking.k8s.io", "ingresses")],
        operations: &["CREATE", "UPDATE"],
        zone_param: false,
        variables: &[INTERNET_NS],
        checks: &[Check { control: INGRESS_ZONE, expression: "variables.internet", message: "Ingress objects are allowed only in an internet-zone namespace" }],
    },
    Policy {
        name: "govcloud-zone-pods",
        resources: &[("", "pods")],
        operations: &["CREATE"],
        zone_param: true,
        variables: &[CONTAINERS],
        checks: &[
            Check {
                control: ZONE_NODES,
                expression: "params.spec.nodePool.selector.all(k, has(object.spec.nodeSelector) && k in object.spec.nodeSelector && object.spec.nodeSelector[k] == params.spec.nodePool.selector[k])",
                message: "spec.nodeSelector must select this zone's node pool (the namespace's NetworkZone spec.nodePool.selector)",
            },
            Check {
                control: ZONE_TOLERATIONS,
                expression: "!has(object.spec.tolerations) || object.spec.tolerations.all(t, has(t.key) && (t.key.startsWith('node.kubernetes.io/') || (t.key == params.spec.nodePool.taint.key && (!has(t.operator) || t.operator == 'Equal') && has(t.value) && t.value == params.spec.nodePool.taint.value)))",
                message: "spec.tolerations may tolerate only this zone's taint (operator Equal, the zone's key and value)",
            },
            Check {
                control: IMAGE_REGISTRY,
                expression: "variables.containers.all(c, params.spec.allowedRegistries.exists(r, c.image.startsWith(r + '/')))",
                message: "spec.containers[].image must come from a registry this zone allows (NetworkZone spec.allowedRegistries)",
            },
        ],
    },
    Policy {
        name: "govcloud-zone-apps",
        resources: &[("govcloud.io", "departmentapps")],
        operations: &["CREATE", "UPDATE"],
        zone_param: true,
        variables: &[],
        checks: &[
            Check { control: APP_ZONE, expression: "object.spec.zone == params.metadata.name", message: "spec.zone must be the zone of this namespace" },
            Check {
                control: APP_ZONE,
                expression: "!has(object.spec.exposure) || object.spec.exposure != 'public' || (params.spec.kind == 'internet' && has(params.spec.internetIngress) && params.spec.internetIngress)",
                message: "spec.exposure public is allowed only in an internet zone with internetIngress",
            },
            Check {
                control: IMAGE_REGISTRY,
                expression: "params.spec.allowedRegistries.exists(r, object.spec.image.startsWith(r + '/'))",
                message: "spec.image must come from a registry this zone allows",
            },
        ],
    },
];

/// Resources whose govcloud-labelled objects only the operator may change.
const MANAGED_RESOURCES: &[(&str, &str)] = &[
    ("", "namespaces"),
    ("", "resourcequotas"),
    ("", "limitranges"),
    ("", "services"),
    ("networking.k8s.io", "networkpolicies"),
    ("networking.k8s.io", "ingresses"),
    ("rbac.authorization.k8s.io", "rolebindings"),
    ("rbac.authorization.k8s.io", "clusterrolebindings"),
    ("rbac.authorization.k8s.io", "clusterroles"),
    ("apps", "deployments"),
    ("policy", "poddisruptionbudgets"),
    ("admissionregistration.k8s.io", "validatingadmissionpolicybindings"),
];

fn labels() -> Value {
    json!({MANAGED_BY: MANAGER})
}

fn rules(resources: &[(&str, &str)], operations: &[&str]) -> Value {
    let mut by_group: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (g, r) in resources {
        by_group.entry(g).or_default().push(r);
    }
    Value::Array(by_group.into_iter().map(|(g, rs)| json!({"apiGroups": [g], "apiVersions": ["*"], "operations": operations, "resources": rs})).collect())
}

fn vap(p: &Policy) -> Value {
    let mut spec = json!({
        "failurePolicy": "Fail",
        "matchConstraints": {"resourceRules": rules(p.resources, p.operations)},
        "variables": p.variables.iter().map(|(n, e)| json!({"name": n, "expression": e})).collect::<Vec<_>>(),
        "validations": p.checks.iter().map(|c| json!({"expression": c.expression, "message": format!("[{}] {}", c.control, c.message), "reason": "Forbidden"})).collect::<Vec<_>>(),
    });
    if p.zone_param {
        spec["paramKind"] = json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "NetworkZone"});
    }
    json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy", "metadata": {"name": p.name, "labels": labels()}, "spec": spec})
}

/// The policy that keeps govcloud-managed objects for the operator: anyone
/// else (but cluster administrators and Kubernetes' own controllers) is denied.
fn managed_objects_policy(operator_namespace: &str) -> Value {
    let managed = |o: &str| {
        format!("({o} != null && has({o}.metadata.labels) && '{MANAGED_BY}' in {o}.metadata.labels && {o}.metadata.labels['{MANAGED_BY}'] == '{MANAGER}')")
    };
    json!({
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": "govcloud-managed-objects", "labels": labels()},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": rules(MANAGED_RESOURCES, &["CREATE", "UPDATE", "DELETE"])},
            "matchConditions": [
                {"name": "managed-by-govcloud", "expression": format!("{} || {}", managed("object"), managed("oldObject"))},
                {"name": "not-the-operator", "expression": format!("!request.userInfo.groups.exists(g, g == 'system:serviceaccounts:{operator_namespace}')")},
                {"name": "not-a-cluster-administrator", "expression": "!request.userInfo.groups.exists(g, g == 'system:masters')"},
                {"name": "not-a-kubernetes-controller", "expression": "!request.userInfo.username.startsWith('system:serviceaccount:kube-system:') && !request.userInfo.username.startsWith('system:kube-')"},
            ],
            "validations": [{
                "expression": "false",
                "messageExpression": format!("'[{MANAGED_OBJECTS}] ' + request.kind.kind + ' ' + (request.namespace != '' ? request.namespace + '/' : '') + request.name + ' is managed by govcloud (label {MANAGED_BY}={MANAGER}); change the Tenant, NetworkZone or DepartmentApp that owns it instead'"),
                "reason": "Forbidden"
            }]
        }
    })
}

fn binding(name: &str, policy: &str, namespace_selector: Option<Value>, param_ref: Option<Value>) -> Value {
    let mut spec = json!({"policyName": policy, "validationActions": ["Deny"]});
    if let Some(sel) = namespace_selector {
        spec["matchResources"] = json!({"namespaceSelector": sel});
    }
    if let Some(p) = param_ref {
        spec["paramRef"] = p;
    }
    json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": name, "labels": labels()}, "spec": spec})
}

fn tenant_namespaces() -> Value {
    json!({"matchExpressions": [{"key": TENANT, "operator": "Exists"}]})
}

/// The cluster-wide policies and their bindings (the zone-parameter policies'
/// bindings are per zone: see [`zone_bindings`]).
pub fn static_objects(operator_namespace: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for p in POLICIES {
        out.push(vap(p));
        if !p.zone_param {
            out.push(binding(p.name, p.name, Some(tenant_namespaces()), None));
        }
    }
    out.push(managed_objects_policy(operator_namespace));
    out.push(binding("govcloud-managed-objects", "govcloud-managed-objects", None, None));
    out
}

/// Name of the binding of a zone-parameter policy for one zone.
pub fn zone_binding_name(policy: &str, zone: &str) -> String {
    format!("{policy}-{zone}")
}

/// The bindings that apply the zone-parameter policies to one zone's namespaces.
pub fn zone_bindings(zone: &str) -> Vec<Value> {
    POLICIES
        .iter()
        .filter(|p| p.zone_param)
        .map(|p| {
            binding(
                &zone_binding_name(p.name, zone),
                p.name,
                Some(json!({"matchLabels": {ZONE: zone}, "matchExpressions": [{"key": TENANT, "operator": "Exists"}]})),
                Some(json!({"name": zone, "parameterNotFoundAction": "Deny"})),
            )
        })
        .collect()
}

/// The controls each policy enforces, for the README and the audit.
pub fn controls_by_policy() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut out: Vec<(&str, Vec<&str>)> = POLICIES
        .iter()
        .map(|p| {
            let mut ids: Vec<&str> = p.checks.iter().map(|c| c.control).collect();
            ids.dedup();
            (p.name, ids)
        })
        .collect();
    out.push(("govcloud-managed-objects", vec![MANAGED_OBJECTS]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_admission_control_has_a_generated_check_and_every_check_a_catalogued_control() {
        for c in CATALOGUE.iter().filter(|c| matches!(c.enforcement, Enforcement::Admission | Enforcement::ZoneAdmission)) {
            let enforced = controls_by_policy().iter().any(|(_, ids)| ids.contains(&c.id));
            assert!(enforced, "{} has no admission check", c.id);
        }
        for p in POLICIES {
            for check in p.checks {
                assert!(control(check.control).is_some(), "{} is not in the catalogue", check.control);
            }
        }
    }

    #[test]
    fn messages_name_the_control() {
        for o in static_objects("govcloud-system") {
            for v in o["spec"]["validations"].as_array().into_iter().flatten() {
                let m = v["message"].as_str().or(v["messageExpression"].as_str()).unwrap_or_default();
                assert!(m.contains("[GC-"), "{m}");
            }
        }
    }
}
