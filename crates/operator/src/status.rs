//! Status: conditions that keep their transition time while unchanged, as
//! pure logic, and the one way a controller writes a status
//! ([`patch_status`]): server-side apply under the operator's field manager,
//! never with `compliance`, which only the report loop writes (under
//! [`govcloud_core::meta::names::AUDIT_MANAGER`]).

use govcloud_core::messages::Code;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::jiff::Timestamp;
use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope};
use kube::api::{Api, Patch, PatchParams};
use kube::{Client, Resource, ResourceExt};
use serde_json::{Value, json};

use super::{Context, Error, Result};
use govcloud_core::meta::labels::MANAGER;

/// The status field the report loop writes, and the controllers never do.
pub const AUDIT_FIELD: &str = "compliance";

/// How an object of a scope is addressed: in its namespace, or cluster-wide.
pub trait ApiScope {
    /// The API of `obj`'s kind where `obj` lives.
    fn api<K>(client: Client, obj: &K) -> Api<K>
    where
        K: Resource<Scope = Self, DynamicType = ()>;
}

impl ApiScope for NamespaceResourceScope {
    fn api<K>(client: Client, obj: &K) -> Api<K>
    where
        K: Resource<Scope = Self, DynamicType = ()>,
    {
        Api::namespaced(client, &obj.namespace().unwrap_or_default())
    }
}

impl ApiScope for ClusterResourceScope {
    fn api<K>(client: Client, _obj: &K) -> Api<K>
    where
        K: Resource<Scope = Self, DynamicType = ()>,
    {
        Api::all(client)
    }
}

/// The API of `obj`'s kind where `obj` lives.
pub fn api_for<K>(client: Client, obj: &K) -> Api<K>
where
    K: Resource<DynamicType = ()>,
    K::Scope: ApiScope,
{
    <K::Scope as ApiScope>::api(client, obj)
}

/// The body of a controller's status patch of kind `K`: `apiVersion`, `kind`
/// and the status, without [`AUDIT_FIELD`] (with server-side apply, a field
/// left out stays as its own manager wrote it).
pub fn status_patch<K, S>(status: &S) -> Result<Value>
where
    K: Resource<DynamicType = ()>,
    S: serde::Serialize,
{
    let kind = K::kind(&());
    let mut status = serde_json::to_value(status).map_err(|e| Error::serialize(format!("{kind} status"), e))?;
    if let Some(s) = status.as_object_mut() {
        s.remove(AUDIT_FIELD);
    }
    Ok(json!({"apiVersion": govcloud_core::meta::API_VERSION, "kind": kind, "status": status}))
}

/// Writes `status` as `obj`'s status (server-side apply, forced, under the
/// operator's field manager; see [`status_patch`]).
pub async fn patch_status<K, S>(ctx: &Context, obj: &K, status: &S) -> Result<()>
where
    K: Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    K::Scope: ApiScope,
    S: serde::Serialize,
{
    let body = status_patch::<K, S>(status)?;
    match api_for(ctx.client.clone(), obj)
        .patch_status(&obj.name_any(), &PatchParams::apply(MANAGER).force(), &Patch::Apply(body))
        .await
    {
        // Deleted since it was read: it has no status left to keep.
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        r => r.map(|_| ()).map_err(Into::into),
    }
}

/// One condition to set: type, status, reason, message.
pub struct Cond<'a> {
    /// Condition type, for example `Ready`.
    pub type_: &'a str,
    /// True or False.
    pub ok: bool,
    /// CamelCase reason, from the catalogue of messages (a page translates it).
    pub reason: Code,
    /// Message for people.
    pub message: String,
}

/// The `Degraded` condition: true with `reason` while there are `problems`,
/// else true with `Conflict` while a conflict stands, else false.
pub fn degraded<'a>(problems: &[String], reason: Code, conflict: Option<&str>) -> Cond<'a> {
    Cond {
        type_: "Degraded",
        ok: !problems.is_empty() || conflict.is_some(),
        reason: if !problems.is_empty() {
            reason
        } else if conflict.is_some() {
            Code::Conflict
        } else {
            Code::AsDeclared
        },
        message: problems.iter().map(String::as_str).chain(conflict).collect::<Vec<_>>().join("; "),
    }
}

/// Builds conditions, keeping `lastTransitionTime` of those whose status did not change.
pub fn conditions(
    previous: &[Condition],
    generation: Option<i64>,
    now: Timestamp,
    set: Vec<Cond<'_>>,
) -> Vec<Condition> {
    set.into_iter()
        .map(|c| {
            let status = if c.ok { "True" } else { "False" };
            let last = previous
                .iter()
                .find(|p| p.type_ == c.type_ && p.status == status)
                .map(|p| p.last_transition_time.clone())
                .unwrap_or(Time(now));
            Condition {
                type_: c.type_.to_string(),
                status: status.to_string(),
                reason: c.reason.as_str().to_string(),
                message: truncate(&c.message, 32 * 1024),
                observed_generation: generation,
                last_transition_time: last,
            }
        })
        .collect()
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Whether a conflict message is not yet what the `Degraded` condition says
/// (so its Warning Event is published once, not on every retry).
pub fn conflict_is_new(previous: &[Condition], message: &str) -> bool {
    !previous
        .iter()
        .any(|c| c.type_ == "Degraded" && c.status == "True" && c.reason == "Conflict" && c.message.contains(message))
}

/// The conflict the `Degraded` condition reports now, if any: a status
/// refresh keeps it; only a reconcile, which applies, settles it.
pub fn standing_conflict(previous: &[Condition]) -> Option<String> {
    previous
        .iter()
        .find(|c| c.type_ == "Degraded" && c.status == "True" && c.reason == "Conflict")
        .map(|c| c.message.clone())
}

/// Whether the status a controller computed (`new`) differs from the one the
/// object has (`previous`) in what the controller writes: serialised
/// equality, leaving out [`AUDIT_FIELD`].
pub fn differs<T: serde::Serialize>(previous: Option<&T>, new: &T) -> bool {
    let own = |s: &T| {
        serde_json::to_value(s).ok().map(|mut v| {
            if let Some(o) = v.as_object_mut() {
                o.remove(AUDIT_FIELD);
            }
            v
        })
    };
    previous.is_none_or(|p| own(p) != own(new))
}

#[cfg(test)]
mod tests;
