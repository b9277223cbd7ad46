//! The binding of each pod-spec bundle for the tenant namespaces no zone
//! binding covers ([`govcloud_core::controls::admission::catch_all_bindings`]).
//!
//! It leaves out a zone only once that zone's own bindings of the bundles
//! are seen in the cache exactly as rendered (its label, our content, no
//! one else's edit, not being deleted), and puts a zone back before the
//! zone's deletion lets its bindings go. So a tenant namespace meets each
//! bundle once when all is in place, twice for a moment while a zone's
//! bindings are new, and never not at all. Only an operator that manages
//! the whole cluster narrows it ([`narrows`]).

use std::time::{Duration, Instant};

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::{Resource, ResourceExt};
use serde_json::{Value, json};

use super::super::apply::describe;
use super::super::error::Doing;
use super::super::{Context, Error, Result};
use govcloud_core::api::NetworkZone;
use govcloud_core::controls::admission::catch_all_bindings;
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_core::meta::labels::MANAGER;

const KIND: &str = "ValidatingAdmissionPolicyBinding";

/// The names of the catch-all bindings (one per bundle; the bundle's name).
fn catch_all_names() -> Vec<String> {
    catch_all_bindings(&[]).iter().filter_map(|b| b["metadata"]["name"].as_str().map(String::from)).collect()
}

/// Whether the cache holds `desired`'s spec in the object `name` (nothing of
/// it changed or missing; what the server adds is not a difference).
fn holds(ctx: &Context, name: &str, desired: &Value) -> Option<std::sync::Arc<super::super::cache::Kept>> {
    let kept = ctx.owned.get(KIND, "", name)?;
    (!kept.deleting() && kept.print.contains_object(&json!({"spec": desired["spec"]}))).then_some(kept)
}

/// Whether a zone's `desired` objects bind the bundles.
pub(super) fn binds_bundles(desired: &[(govcloud_render::Owned, Value)]) -> bool {
    let bundles = catch_all_names();
    desired.iter().any(|(_, v)| bundles.iter().any(|b| v["spec"]["policyName"] == b.as_str()))
}

/// Whether `zone`'s bindings of the bundles are in place as rendered.
fn bound(ctx: &Context, zone: &str) -> bool {
    let bundles = catch_all_names();
    let mut found = 0;
    for o in govcloud_render::render_zone(zone) {
        let Ok(v) = serde_json::to_value(&o) else { return false };
        if !bundles.iter().any(|b| v["spec"]["policyName"] == b.as_str()) {
            continue;
        }
        let ours = holds(ctx, o.name(), &v).is_some_and(|k| {
            k.labelled_for((OwnerKind::NetworkZone, None, zone)) && k.foreign_content_manager().is_none()
        });
        if !ours {
            return false;
        }
        found += 1;
    }
    found == bundles.len()
}

/// The zones the catch-all leaves out: those hosted here whose bindings are
/// in place, not being deleted, and not `leaving`.
fn bound_zones(ctx: &Context, leaving: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = ctx
        .zones
        .state()
        .iter()
        .filter(|z: &&std::sync::Arc<NetworkZone>| z.meta().deletion_timestamp.is_none())
        .map(|z| z.name_any())
        .filter(|z| Some(z.as_str()) != leaving && bound(ctx, z))
        .collect();
    out.sort();
    out
}

/// Whether this operator narrows the catch-all: only one that manages the
/// whole cluster. An operator started with a selector sees only its share of
/// the zones and of govcloud's objects; the catch-all stays whole for it (a
/// tenant namespace of its zones then meets each bundle twice, judged alike).
pub(super) fn narrows(ctx: &Context) -> bool {
    ctx.scope.is_empty()
}

/// How long a catch-all this operator wrote is taken as on its way to the
/// cache (its echo not yet seen): not written again meanwhile.
const ECHO: Duration = Duration::from_secs(10);

/// What the zones' reconciles last wrote (the zones left out, when), one
/// at a time: zones resynced together would each write the same change.
static WRITTEN: tokio::sync::Mutex<Option<(Vec<String>, Instant)>> = tokio::sync::Mutex::const_new(None);

/// Applies the catch-all bindings where the cache does not hold them as
/// they should be now; `leaving` is a zone whose bindings are about to go.
/// Writes nothing when nothing changed. Returns the zones it leaves out.
pub(super) async fn sync(ctx: &Context, leaving: Option<&str>) -> Result<Vec<String>> {
    if !narrows(ctx) {
        return Ok(vec![]);
    }
    let mut written = WRITTEN.lock().await;
    let zones = bound_zones(ctx, leaving);
    let refs: Vec<&str> = zones.iter().map(String::as_str).collect();
    let Some(kind) = ctx.owned.kinds.get(KIND) else { return Ok(zones) };
    let api: Api<DynamicObject> = Api::all_with(ctx.client.clone(), &kind.resource);
    let desired: Vec<Value> = catch_all_bindings(&refs)
        .into_iter()
        .filter(|d| holds(ctx, d["metadata"]["name"].as_str().unwrap_or_default(), d).is_none())
        .collect();
    let on_its_way = written.as_ref().is_some_and(|(z, at)| *z == zones && at.elapsed() < ECHO);
    if desired.is_empty() || on_its_way {
        return Ok(zones);
    }
    for d in desired {
        let name = d["metadata"]["name"].as_str().unwrap_or_default().to_string();
        api.patch(&name, &PatchParams::apply(MANAGER).force(), &Patch::Apply(&d))
            .await
            .map_err(|e| Error::request(Doing::Applying, describe(KIND, "", &name), e))?;
        tracing::info!(binding = %name, left_out = ?zones, "the bundle's binding for namespaces no zone binding covers");
    }
    *written = Some((zones.clone(), Instant::now()));
    Ok(zones)
}
