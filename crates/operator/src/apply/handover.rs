//! An autoscaled Deployment's count, handed to its autoscaler. govcloud
//! renders no `spec.replicas` with `autoscaling`; server-side apply would
//! then delete the field govcloud alone owned, and Kubernetes would default
//! it to 1 until the autoscaler's next sync (a running app of 3 pods would
//! drop to 1 for about 15 s). So, before such an apply, the live count is
//! written through the `scale` subresource by a field manager of its own,
//! which keeps the field alive when govcloud's apply lets it go; the
//! autoscaler's next write takes it over.

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use crate::error::{Doing, Error, Result};

/// The field manager that holds an autoscaled Deployment's count meanwhile.
pub const HANDOVER_MANAGER: &str = govcloud_core::meta::names::AUTOSCALING_HANDOVER;

/// The count to hand over: a Deployment rendered without `spec.replicas`
/// whose live object has one (`live_replicas`, as the cache keeps it).
pub fn handover_count(kind: &str, desired: &Value, live_replicas: Option<i64>) -> Option<i64> {
    if !matches!(kind, "Deployment" | "StatefulSet") || desired.pointer("/spec/replicas").is_some() {
        return None;
    }
    live_replicas
}

/// Writes `count` through the Deployment's `scale` subresource as
/// [`HANDOVER_MANAGER`].
pub async fn hand_over(api: &Api<DynamicObject>, what: &str, name: &str, count: i64) -> Result<()> {
    let scale = json!({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": name}, "spec": {"replicas": count}});
    api.patch_subresource("scale", name, &PatchParams::apply(HANDOVER_MANAGER).force(), &Patch::Apply(scale))
        .await
        .map_err(|e| Error::request(Doing::Applying, what, e))?;
    Ok(())
}
