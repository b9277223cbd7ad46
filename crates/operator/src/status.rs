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

/// The status each object was last written with by this operator, and the
/// lock under which a status is computed and written, per object.
///
/// Two reasons. The object a reconcile reads comes from the watch cache,
/// which may not yet show the status this operator has just written: a
/// reconcile that then computes the status the cache still shows would skip
/// the write and leave the one just written (seen: an app left waiting for
/// isolation after its policy was restored, until the resync). And a status
/// refresh and a reconcile of the same object run on different tasks: the
/// one that computed first from older caches could write last. Under the
/// lock the computation reads the caches as they are when it runs, and the
/// write compares with what was last written as well as with what was read.
#[derive(Default)]
pub struct Written(
    std::sync::Mutex<std::collections::HashMap<WrittenKey, std::sync::Arc<tokio::sync::Mutex<Option<u64>>>>>,
);

/// An object's kind, namespace (empty for cluster-scoped) and name.
type WrittenKey = (&'static str, String, String);

/// Held while an object's status is computed and written: the digest of the
/// status last written (none since the start).
pub type StatusSlot = tokio::sync::OwnedMutexGuard<Option<u64>>;

impl Written {
    /// Waits for `kind`'s object `namespace`/`name` to be free to compute
    /// and write its status.
    pub async fn hold(&self, kind: &'static str, namespace: &str, name: &str) -> StatusSlot {
        let slot = {
            let mut slots = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            slots.entry((kind, namespace.to_string(), name.to_string())).or_default().clone()
        };
        slot.lock_owned().await
    }

    /// Forgets the objects `keep` says are gone (and are not held).
    pub fn retain(&self, keep: impl Fn(&str, &str, &str) -> bool) {
        let mut slots = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        slots.retain(|(kind, ns, name), slot| std::sync::Arc::strong_count(slot) > 1 || keep(kind, ns, name));
    }

    /// How many objects it remembers.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.lock().map_or(0, |s| s.len())
    }
}

/// What a controller writes of a status: the status serialised, without
/// [`AUDIT_FIELD`].
fn own<T: serde::Serialize>(s: &T) -> Option<Value> {
    serde_json::to_value(s).ok().map(|mut v| {
        if let Some(o) = v.as_object_mut() {
            o.remove(AUDIT_FIELD);
        }
        v
    })
}

/// The digest of what a controller writes of a status ([`own`]).
fn digest(own: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    own.to_string().hash(&mut h);
    h.finish()
}

#[cfg(test)]
fn own_digest<T: serde::Serialize>(s: &T) -> Option<u64> {
    own(s).as_ref().map(digest)
}

/// Whether to write `new`: it differs from the status as read (`read`), or
/// from the one last written (`last`), which the read may not show yet;
/// and the digest of `new` to remember once written.
fn to_write_digest<T: serde::Serialize>(read: Option<&T>, last: Option<u64>, new: &T) -> (bool, Option<u64>) {
    let new = own(new);
    let written = new.as_ref().map(digest);
    let write = read.is_none_or(|r| own(r) != new) || last.is_some_and(|l| written != Some(l));
    (write, written)
}

/// Whether to write `new` (see [`to_write_digest`]).
#[cfg(test)]
fn to_write<T: serde::Serialize>(read: Option<&T>, last: Option<u64>, new: &T) -> bool {
    to_write_digest(read, last, new).0
}

/// Writes `status` as `obj`'s status if [`to_write`] says so, under `slot`
/// (see [`Written`]); returns whether it wrote.
pub async fn write_status<K, S>(
    ctx: &Context,
    slot: &mut StatusSlot,
    obj: &K,
    read: Option<&S>,
    status: &S,
) -> Result<bool>
where
    K: Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    K::Scope: ApiScope,
    S: serde::Serialize,
{
    let (write, written) = to_write_digest(read, **slot, status);
    if !write {
        return Ok(false);
    }
    // Until it is written the last status is unknown (a failed write may
    // still have landed): the next computation compares with the read.
    **slot = None;
    patch_status(ctx, obj, status).await?;
    **slot = written;
    Ok(true)
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
/// object has (`previous`) in what the controller writes (serialised
/// equality, leaving out [`AUDIT_FIELD`]): [`to_write_digest`]'s decision
/// with nothing written since the start.
#[cfg(test)]
pub fn differs<T: serde::Serialize>(previous: Option<&T>, new: &T) -> bool {
    to_write(previous, None, new)
}

#[cfg(test)]
mod tests;
