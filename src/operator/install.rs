//! What installing govcloud puts in a cluster: the CRDs, the admission
//! policies, and the operator itself with the least RBAC it needs. The same
//! definitions feed `govcloud manifests` (deploy/), the Helm chart's tests and
//! the integration tests, which run the operator under exactly this role.

use serde_json::{Value, json};

use crate::render::labels::{MANAGED_BY, MANAGER};

/// Name of the operator's ClusterRole, ClusterRoleBinding and ServiceAccount.
pub const OPERATOR: &str = "govcloud-operator";

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Value {
    json!({"apiGroups": groups, "resources": resources, "verbs": verbs})
}

const ALL: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete"];
const READ: &[&str] = &["get", "list", "watch"];

/// The operator's ClusterRole: what it reads, what it owns, and the right to
/// bind (not hold) the tenant roles it hands out.
pub fn operator_cluster_role() -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": OPERATOR, "labels": {MANAGED_BY: MANAGER}},
        "rules": [
            rule(&["govcloud.io"], &["networkzones", "tenants", "departmentapps"], &["get", "list", "watch", "update", "patch"]),
            rule(&["govcloud.io"], &["networkzones/status", "tenants/status", "departmentapps/status"], &["get", "update", "patch"]),
            rule(&["govcloud.io"], &["networkzones/finalizers", "tenants/finalizers", "departmentapps/finalizers"], &["update"]),
            rule(&["govcloud.io"], &["departmentapps"], &["delete"]),
            rule(&[""], &["namespaces", "resourcequotas", "limitranges", "services"], ALL),
            rule(&[""], &["pods"], &["get", "list", "watch", "delete"]),
            rule(&[""], &["nodes"], READ),
            rule(&["networking.k8s.io"], &["networkpolicies", "ingresses"], ALL),
            rule(&["apps"], &["deployments"], ALL),
            rule(&["policy"], &["poddisruptionbudgets"], ALL),
            rule(&["rbac.authorization.k8s.io"], &["rolebindings", "clusterrolebindings", "clusterroles"], ALL),
            json!({"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind", "escalate"],
                   "resourceNames": ["govcloud-tenant-admin", "govcloud-tenant-developer", "govcloud-tenant-viewer", "govcloud-tenant-auditor", "govcloud-tenant-exec", "govcloud-auditor"]}),
            rule(&["events.k8s.io"], &["events"], &["create", "patch"]),
            rule(&["apps"], &["statefulsets", "daemonsets", "replicasets"], READ),
            rule(&["batch"], &["jobs", "cronjobs"], READ),
            rule(&[""], &["replicationcontrollers", "persistentvolumeclaims"], READ),
            rule(&["openreports.io"], &["reports", "clusterreports"], ALL),
            rule(&["wgpolicyk8s.io"], &["policyreports", "clusterpolicyreports"], ALL),
            rule(&["apiextensions.k8s.io"], &["customresourcedefinitions"], &["get", "list", "watch", "create", "patch"]),
            rule(&["admissionregistration.k8s.io"], &["validatingadmissionpolicies", "validatingadmissionpolicybindings"], ALL),
        ]
    })
}

/// The Role and RoleBinding that let the operator's service account hold the
/// leader-election Lease: leases in its own namespace only (a cluster-wide
/// grant would let it take other components' leader leases, such as
/// kube-controller-manager's in kube-system).
pub fn operator_lease_role(namespace: &str, service_account: &str) -> Vec<Value> {
    let labels = json!({MANAGED_BY: MANAGER, "app.kubernetes.io/name": "govcloud"});
    let name = format!("{OPERATOR}-leader-election");
    vec![
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "rules": [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get", "list", "watch", "create", "update", "patch"]}]
        }),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": service_account, "namespace": namespace}]
        }),
    ]
}

/// Everything to apply to install govcloud, in order.
pub fn manifests(image: &str, namespace: &str) -> Vec<Value> {
    let labels = json!({MANAGED_BY: MANAGER, "app.kubernetes.io/name": "govcloud"});
    let mut out: Vec<Value> = crate::api::crds().into_iter().filter_map(|c| serde_json::to_value(c).ok()).collect();
    out.extend(super::admission_policies(namespace));
    out.push(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": {
        "pod-security.kubernetes.io/enforce": "restricted", MANAGED_BY: MANAGER}}}));
    out.push(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": OPERATOR, "namespace": namespace, "labels": labels}}));
    out.push(operator_cluster_role());
    out.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": OPERATOR, "labels": labels},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": OPERATOR},
        "subjects": [{"kind": "ServiceAccount", "name": OPERATOR, "namespace": namespace}]
    }));
    out.extend(operator_lease_role(namespace, OPERATOR));
    out.push(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "govcloud", "namespace": namespace, "labels": labels},
        "spec": {
            // Two replicas elect a leader; the PodDisruptionBudget and the
            // anti-affinity keep one up through a drain or a node's loss.
            "replicas": 2,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "govcloud"}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": OPERATOR,
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 65532, "runAsGroup": 65532, "seccompProfile": {"type": "RuntimeDefault"}},
                    "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {
                        "topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "govcloud"}}}}]}},
                    "containers": [{
                        "name": "govcloud",
                        "image": image,
                        "args": ["run", "--log-format", "json", "--metrics-address", "0.0.0.0:8080", "--operator-namespace", namespace, "--leader-elect"],
                        "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                        "ports": [{"name": "metrics", "containerPort": 8080}],
                        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "metrics"}, "periodSeconds": 10, "timeoutSeconds": 2},
                        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "metrics"}, "periodSeconds": 5, "timeoutSeconds": 2},
                        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
                        "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}}
                    }]
                }
            }
        }
    }));
    out.push(json!({
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": "govcloud", "namespace": namespace, "labels": labels},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "govcloud"}}}
    }));
    out.push(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "govcloud-metrics", "namespace": namespace, "labels": labels},
        "spec": {"selector": {"app.kubernetes.io/name": "govcloud"}, "ports": [{"name": "metrics", "port": 8080, "targetPort": "metrics"}]}
    }));
    out
}
