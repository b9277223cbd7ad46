//! What installing govcloud puts in a cluster: the CRDs, the admission
//! policies, and the operator itself with the least RBAC it needs. The same
//! definitions feed `govcloud manifests` (deploy/), the Helm chart's tests and
//! the integration tests, which run the operator under exactly this role;
//! [`install_crds`] puts the CRDs and policies in a cluster, and each new
//! leader applies the platform roles ([`apply_platform`]).

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::{Client, ResourceExt};
use serde_json::{Value, json};

use super::apply::describe;
use super::cache::api_resource;
use super::error::Doing;
use super::{Error, Result};
use govcloud_core::api::OwnerRole;
use govcloud_core::meta::labels::{APP_NAME, MANAGED_BY, MANAGER, PSA_ENFORCE};
use govcloud_core::meta::names::{self, OPERATOR};
use govcloud_render as render;

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
            rule(&[govcloud_core::meta::GROUP], &["networkzones", "tenants", "departmentapps"], &["get", "list", "watch", "update", "patch"]),
            rule(&[govcloud_core::meta::GROUP], &["networkzones/status", "tenants/status", "departmentapps/status"], &["get", "update", "patch"]),
            // Requests: read, remove those past their retention, and their status (never the decision: GC-REQ-001 keeps it final).
            rule(&[govcloud_core::meta::GROUP], &["resourcerequests"], &["get", "list", "watch", "delete"]),
            rule(&[govcloud_core::meta::GROUP], &["resourcerequests/status"], &["get", "update", "patch"]),
            rule(&[govcloud_core::meta::GROUP], &["networkzones/finalizers", "tenants/finalizers", "departmentapps/finalizers"], &["update"]),
            rule(&[govcloud_core::meta::GROUP], &["departmentapps"], &["delete"]),
            // The catalogue it keeps (tenants' SharedResources).
            rule(&[govcloud_core::meta::GROUP], &[govcloud_core::meta::kinds::SHARED_RESOURCES], ALL),
            rule(&[""], &["namespaces", "resourcequotas", "limitranges", "services"], ALL),
            rule(&[""], &["pods"], &["get", "list", "watch", "delete"]),
            rule(&[""], &["nodes"], READ),
            // The data of the ConfigMaps apps read rolls their pods when it changes (only a digest is kept);
            // never Secrets: a Secret's change needs a restart (docs/resources.md).
            rule(&[""], &["configmaps"], READ),
            rule(&["networking.k8s.io"], &["networkpolicies", "ingresses"], ALL),
            // The admin tier, where the cluster serves it (src/operator/admin_tier.rs).
            rule(&[govcloud_core::meta::cluster_policy::GROUP], &[govcloud_core::meta::cluster_policy::PLURAL], ALL),
            rule(&["apps"], &["deployments", "statefulsets"], ALL),
            rule(&["batch"], &["cronjobs"], ALL),
            // Hands an autoscaled workload's count to its autoscaler (apply/handover.rs).
            rule(&["apps"], &["deployments/scale", "statefulsets/scale"], &["get", "patch"]),
            rule(&["policy"], &["poddisruptionbudgets"], ALL),
            rule(&["autoscaling"], &["horizontalpodautoscalers"], ALL),
            rule(&["rbac.authorization.k8s.io"], &["rolebindings", "clusterrolebindings", "clusterroles"], ALL),
            json!({"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind", "escalate"],
                   "resourceNames": bindable_roles()}),
            rule(&["events.k8s.io"], &["events"], &["create", "patch"]),
            // The evaluation: Repaired Events (drift repairs) and pod usage.
            rule(&[""], &["events"], &["list"]),
            rule(&["metrics.k8s.io"], &["pods"], &["list"]),
            rule(&["apps"], &["daemonsets", "replicasets"], READ),
            rule(&["batch"], &["jobs"], READ),
            rule(&[""], &["replicationcontrollers", "persistentvolumeclaims"], READ),
            rule(&["openreports.io"], &["reports", "clusterreports"], ALL),
            rule(&["wgpolicyk8s.io"], &["policyreports", "clusterpolicyreports"], ALL),
            rule(&["apiextensions.k8s.io"], &["customresourcedefinitions"], &["get", "list", "watch", "create", "patch"]),
            rule(&["admissionregistration.k8s.io"], &["validatingadmissionpolicies", "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings"], ALL),
        ]
    })
}

/// The cluster roles the operator binds tenants to (and may not hold itself).
fn bindable_roles() -> Vec<String> {
    let tenant_roles = OwnerRole::ALL.iter().map(|r| names::tenant_role(r.as_str()));
    tenant_roles.chain([names::EXEC_ROLE, names::CLUSTER_AUDITOR].map(String::from)).collect()
}

/// The Role and RoleBinding that let the operator's service account hold the
/// leader-election Lease: leases in its own namespace only (a cluster-wide
/// grant would let it take other components' leader leases, such as
/// kube-controller-manager's in kube-system).
pub fn operator_lease_role(namespace: &str, service_account: &str) -> Vec<Value> {
    let labels = json!({MANAGED_BY: MANAGER, APP_NAME: MANAGER});
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

/// The Role and RoleBinding that let the operator's service account (in
/// `namespace`) read where the API server listens: list and watch the
/// EndpointSlices of namespace `default` only (those of Service
/// `kubernetes`, whose addresses every egress range excepts; a cluster-wide
/// grant would show it every Service's backends).
pub fn operator_api_server_role(namespace: &str, service_account: &str) -> Vec<Value> {
    let labels = json!({MANAGED_BY: MANAGER, APP_NAME: MANAGER});
    let name = format!("{OPERATOR}-api-server");
    let at = super::api_server::NAMESPACE;
    vec![
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": name, "namespace": at, "labels": labels},
            "rules": [{"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["get", "list", "watch"]}]
        }),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": at, "labels": labels},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": service_account, "namespace": namespace}]
        }),
    ]
}

/// Everything to apply to install govcloud, in order.
pub fn manifests(image: &str, namespace: &str) -> Vec<Value> {
    let labels = json!({MANAGED_BY: MANAGER, APP_NAME: MANAGER});
    let mut out: Vec<Value> =
        govcloud_core::api::crds().into_iter().filter_map(|c| serde_json::to_value(c).ok()).collect();
    out.extend(admission_policies(namespace));
    out.push(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": {
        PSA_ENFORCE: "restricted", MANAGED_BY: MANAGER}}}));
    out.push(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": OPERATOR, "namespace": namespace, "labels": labels}}));
    out.push(operator_cluster_role());
    out.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": OPERATOR, "labels": labels},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": OPERATOR},
        "subjects": [{"kind": "ServiceAccount", "name": OPERATOR, "namespace": namespace}]
    }));
    out.extend(operator_lease_role(namespace, OPERATOR));
    out.extend(operator_api_server_role(namespace, OPERATOR));
    out.push(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": MANAGER, "namespace": namespace, "labels": labels},
        "spec": {
            // Two replicas elect a leader; the PodDisruptionBudget and the
            // anti-affinity keep one up through a drain or a node's loss.
            "replicas": 2,
            "selector": {"matchLabels": {APP_NAME: MANAGER}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": OPERATOR,
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 65532, "runAsGroup": 65532, "seccompProfile": {"type": "RuntimeDefault"}},
                    "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {
                        "topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {APP_NAME: MANAGER}}}}]}},
                    "containers": [{
                        "name": MANAGER,
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
        "metadata": {"name": MANAGER, "namespace": namespace, "labels": labels},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {APP_NAME: MANAGER}}}
    }));
    out.push(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": govcloud_core::meta::names::METRICS_SERVICE, "namespace": namespace, "labels": labels},
        "spec": {"selector": {APP_NAME: MANAGER}, "ports": [{"name": "metrics", "port": 8080, "targetPort": "metrics"}]}
    }));
    out
}

/// The admission policies that must hold even while the operator is down:
/// the policies generated from the control catalogue, tenant deletion
/// protection (GC-TEN-002) among them (see [`govcloud_core::controls::admission`]).
pub fn admission_policies(operator_namespace: &str) -> Vec<serde_json::Value> {
    govcloud_core::controls::admission::static_objects(operator_namespace)
}

/// How long [`install_crds`] waits for each CRD to be established.
pub const CRD_ESTABLISHED: Duration = Duration::from_secs(60);

/// Installs (server-side applies) the three CRDs, waits until they are
/// served, then govcloud's admission policies. In that order: the pod-spec
/// bundles take the NetworkZone as parameter and are bound at once (their
/// catch-all binding), and an API server that looks the parameter's kind up
/// before it is served keeps that answer for a while (its discovery is
/// refreshed every 30 s), denying every pod of a tenant namespace meanwhile.
pub async fn install_crds(client: &Client, operator_namespace: &str) -> Result<()> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in govcloud_core::api::crds() {
        let name = crd.name_any();
        api.patch(&name, &PatchParams::apply(MANAGER).force(), &Patch::Apply(&crd)).await.map_err(|e| {
            Error::request(
                Doing::Applying,
                describe(<CustomResourceDefinition as k8s_openapi::Resource>::KIND, "", &name),
                e,
            )
        })?;
    }
    for crd in govcloud_core::api::crds() {
        let name = crd.name_any();
        let cond = kube::runtime::wait::conditions::is_crd_established();
        tokio::time::timeout(CRD_ESTABLISHED, kube::runtime::wait::await_condition(api.clone(), &name, cond))
            .await
            .map_err(|_| Error::CrdTimeout { crd: name.clone(), after: CRD_ESTABLISHED })?
            .map_err(|source| Error::CrdWait { crd: name.clone(), source })?;
    }
    zones_discovered(client).await?;
    let policies = admission_policies(operator_namespace);
    for p in &policies {
        let kind = p["kind"].as_str().unwrap_or_default();
        let ar = api_resource("admissionregistration.k8s.io", "v1", kind);
        let name = p["metadata"]["name"].as_str().unwrap_or_default().to_string();
        Api::<DynamicObject>::all_with(client.clone(), &ar)
            .patch(&name, &PatchParams::apply(MANAGER).force(), &Patch::Apply(p))
            .await
            .map_err(|e| Error::request(Doing::Applying, describe(kind, "", &name), e))?;
    }
    remove_retired_policies(client, &policies).await?;
    Ok(())
}

/// Waits until the API server's discovery lists NetworkZones (an
/// established CRD is listed a moment later), up to [`CRD_ESTABLISHED`].
async fn zones_discovered(client: &Client) -> Result<()> {
    let group_version = govcloud_core::meta::API_VERSION;
    let listed = || async {
        client
            .list_api_group_resources(group_version)
            .await
            .is_ok_and(|l| l.resources.iter().any(|r| r.kind == "NetworkZone"))
    };
    let deadline = tokio::time::Instant::now() + CRD_ESTABLISHED;
    while !listed().await {
        if tokio::time::Instant::now() >= deadline {
            return Err(Error::CrdTimeout {
                crd: format!("networkzones.{}", govcloud_core::meta::GROUP),
                after: CRD_ESTABLISHED,
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// Kinds of the static admission objects.
const ADMISSION_KINDS: [&str; 4] = [
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
];

/// Deletes the static admission objects an earlier govcloud installed and
/// this one no longer ships (a policy now carried by a bundle, a binding
/// renamed): govcloud's label and no owner (a zone's bindings have one,
/// and are its own), and not among `shipped`. Deleted only after what
/// replaces them is applied, so nothing is unguarded in between. A policy
/// a binding that stays still names is kept (a zone's binding of a zone
/// policy now carried by a bundle, until the zone's reconcile binds the
/// bundle instead): it goes at a later install.
async fn remove_retired_policies(client: &Client, shipped: &[Value]) -> Result<()> {
    use kube::api::{DeleteParams, ListParams};
    let selector =
        format!("{},!{}", govcloud_core::meta::labels::MANAGED_SELECTOR, govcloud_core::meta::labels::OWNER_KIND);
    let is_shipped =
        |kind: &str, name: &str| shipped.iter().any(|p| p["kind"] == kind && p["metadata"]["name"] == name);
    // (policy kind, name) that bindings which stay name.
    let mut named: Vec<(String, String)> = Vec::new();
    for binding_kind in ["ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicyBinding"] {
        let ar = api_resource("admissionregistration.k8s.io", "v1", binding_kind);
        let listed = match Api::<DynamicObject>::all_with(client.clone(), &ar).list(&ListParams::default()).await {
            Ok(l) => l,
            Err(kube::Error::Api(s)) if s.code == 404 => continue,
            Err(e) => return Err(Error::request(Doing::Reading, describe(binding_kind, "", ""), e)),
        };
        for b in listed.items {
            let labels = b.labels();
            let retired = labels.get(MANAGED_BY).map(String::as_str) == Some(MANAGER)
                && !labels.contains_key(govcloud_core::meta::labels::OWNER_KIND)
                && !is_shipped(binding_kind, &b.name_any());
            if let Some(policy) = b.data["spec"]["policyName"].as_str().filter(|_| !retired) {
                named.push((binding_kind.trim_end_matches("Binding").to_string(), policy.to_string()));
            }
        }
    }
    for kind in ADMISSION_KINDS {
        let ar = api_resource("admissionregistration.k8s.io", "v1", kind);
        let api = Api::<DynamicObject>::all_with(client.clone(), &ar);
        let listed = match api.list_metadata(&ListParams::default().labels(&selector)).await {
            Ok(l) => l,
            // A kind this API server does not serve holds nothing of ours.
            Err(kube::Error::Api(s)) if s.code == 404 => continue,
            Err(e) => return Err(Error::request(Doing::Reading, describe(kind, "", ""), e)),
        };
        for o in listed.items {
            let name = o.name_any();
            if is_shipped(kind, &name) || named.iter().any(|(k, n)| k == kind && *n == name) {
                continue;
            }
            match api.delete(&name, &DeleteParams::default()).await {
                Ok(_) => tracing::info!(kind, name, "removed an admission object govcloud no longer ships"),
                Err(kube::Error::Api(s)) if s.code == 404 => {}
                Err(e) => return Err(Error::request(Doing::Deleting, describe(kind, "", &name), e)),
            }
        }
    }
    Ok(())
}

/// Applies the platform cluster roles when they differ from what is rendered.
pub(super) async fn apply_platform(client: &Client) -> Result<()> {
    let ar = api_resource("rbac.authorization.k8s.io", "v1", "ClusterRole");
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    for o in render::render_platform() {
        let v = super::apply::desired_json(&o, None, &[])?;
        let what = describe(o.kind(), o.namespace(), o.name());
        let current = api.get_opt(o.name()).await.map_err(|e| Error::request(Doing::Reading, &what, e))?;
        let same = current
            .map(|c| {
                serde_json::to_value(c).map(|j| {
                    govcloud_core::meta::compare::object_contains(&j, &v)
                        && j.pointer("/rules").map(|r| r.as_array().map(Vec::len))
                            == v.pointer("/rules").map(|r| r.as_array().map(Vec::len))
                })
            })
            .transpose()
            .map_err(|e| Error::serialize(o.id(), e))?
            .unwrap_or(false);
        if !same {
            api.patch(o.name(), &PatchParams::apply(MANAGER).force(), &Patch::Apply(&v))
                .await
                .map_err(|e| Error::request(Doing::Applying, &what, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
