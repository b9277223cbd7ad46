//! Audit against the live cluster, and the compliance reports the operator
//! keeps current (`openreports.io/v1alpha1` Report per tenant namespace and a
//! ClusterReport; `wgpolicyk8s.io/v1alpha2` PolicyReports when asked).

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::{Client, ResourceExt};
use serde_json::Value;

use super::Result;
use crate::api::{DepartmentApp, NetworkZone, Tenant};
use crate::audit::{self, Audit};
use crate::model::Model;

/// Kinds read for a live audit: (group, version, kind, label selector).
const AUDITED: &[(&str, &str, &str, &str)] = &[
    ("", "v1", "Namespace", ""),
    ("", "v1", "Node", ""),
    ("", "v1", "Pod", ""),
    ("", "v1", "Service", ""),
    ("", "v1", "ResourceQuota", ""),
    ("", "v1", "LimitRange", ""),
    ("apps", "v1", "Deployment", ""),
    ("apps", "v1", "StatefulSet", ""),
    ("apps", "v1", "DaemonSet", ""),
    ("batch", "v1", "Job", ""),
    ("batch", "v1", "CronJob", ""),
    ("networking.k8s.io", "v1", "NetworkPolicy", ""),
    ("networking.k8s.io", "v1", "Ingress", ""),
    ("policy", "v1", "PodDisruptionBudget", ""),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", ""),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "app.kubernetes.io/managed-by=govcloud"),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", "app.kubernetes.io/managed-by=govcloud"),
    ("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding", "app.kubernetes.io/managed-by=govcloud"),
    ("govcloud.io", "v1alpha1", "DepartmentApp", ""),
];

/// Reads the model and the audited objects from the cluster.
pub async fn live_inventory(client: &Client, selector: &str) -> Result<(Model, Vec<Value>)> {
    let lp = if selector.is_empty() { ListParams::default() } else { ListParams::default().labels(selector) };
    let model = Model {
        zones: Api::<NetworkZone>::all(client.clone()).list(&lp).await?.items.into_iter().filter(|z| z.metadata.deletion_timestamp.is_none()).collect(),
        tenants: Api::<Tenant>::all(client.clone()).list(&lp).await?.items.into_iter().filter(|t| t.metadata.deletion_timestamp.is_none()).collect(),
        apps: Api::<DepartmentApp>::all(client.clone()).list(&lp).await?.items.into_iter().filter(|a| a.metadata.deletion_timestamp.is_none()).collect(),
    };
    let mut objects = Vec::new();
    for (group, version, kind, sel) in AUDITED {
        let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
        let lp = if sel.is_empty() { ListParams::default() } else { ListParams::default().labels(sel) };
        for o in Api::<DynamicObject>::all_with(client.clone(), &ar).list(&lp).await?.items {
            let mut v = serde_json::to_value(&o).map_err(|e| super::Error::Serialize(o.name_any(), e))?;
            // Items of a list carry no type; the checks need it.
            v["apiVersion"] = Value::String(ar.api_version.clone());
            v["kind"] = Value::String(kind.to_string());
            objects.push(v);
        }
    }
    Ok((model, objects))
}

/// Audits the live cluster.
pub async fn live_audit(client: &Client) -> Result<Audit> {
    let (model, objects) = live_inventory(client, "").await?;
    Ok(audit::audit(&model, &objects))
}
