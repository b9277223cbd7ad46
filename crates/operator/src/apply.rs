//! The only place that writes owned objects: server-side apply under one
//! field manager, skipped when the cache already holds the desired state;
//! deletion of what is ours but no longer desired.
//!
//! Never adoption: an object is created with a plain create (POST), so a
//! same-named object someone else made first is a conflict (409), reported
//! and left exactly as it is; only objects labelled as this owner's are
//! server-side applied afterwards.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ManagedFieldsEntry, ObjectMeta};
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use serde_json::{Value, json};

use super::cache::OwnedCaches;
use super::error::{Doing, Error, Result, Step, Wait};
use super::ownership::{foreign_content_entry, has_update_entry, is_our_update, labelled_for};
use govcloud_core::messages::{Code, Message};
use govcloud_core::meta::compare::desired_hash;
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_core::meta::labels::APPLIED_HASH;
use govcloud_core::meta::labels::MANAGER;
use govcloud_core::msg;
use govcloud_render::Owned;

/// What applying an owner's objects did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    /// Objects created.
    pub created: Vec<String>,
    /// Objects changed because the desired state changed.
    pub updated: Vec<String>,
    /// Objects restored after someone changed or deleted them.
    pub repaired: Vec<String>,
    /// Objects deleted because they are no longer desired.
    pub pruned: Vec<String>,
    /// Objects already as desired.
    pub unchanged: usize,
    /// Some objects were just applied and are not in the cache yet: look again soon.
    pub in_flight: bool,
    /// Objects that exist but were not created by govcloud for this owner,
    /// left exactly as they are: `Deployment ns/name exists and was not created by govcloud`.
    pub conflicts: Vec<Message>,
    /// Objects not applied because an object of the isolation before them
    /// (namespace, quota, limits, policies, roles) conflicts.
    pub blocked: Vec<String>,
}

impl ApplyReport {
    /// Whether any write happened.
    pub fn wrote(&self) -> bool {
        !(self.created.is_empty() && self.updated.is_empty() && self.repaired.is_empty() && self.pruned.is_empty())
    }

    /// The conflicts, and what waits for them, for a condition message; `None` when there are none.
    pub fn conflict_message(&self) -> Option<String> {
        if self.conflicts.is_empty() {
            return None;
        }
        let said = self.conflicts.iter().cloned();
        let blocked = (!self.blocked.is_empty()).then(|| msg!(Code::ConflictBlocked, self.blocked.join(", ")));
        Message::joined(said.chain(blocked).chain([msg!(Code::ConflictFix)])).map(|m| m.to_string())
    }
}

/// How soon an owner with conflicts looks again (the object in the way is
/// not ours, so its deletion wakes nobody).
pub const CONFLICT_RETRY: Duration = Duration::from_secs(10);

/// `Kind namespace/name` (or `Kind name`), as conflicts and errors name objects.
fn described(o: &Owned) -> String {
    describe(o.kind(), o.namespace(), o.name())
}

/// `Kind namespace/name`, or `Kind name` for a cluster-scoped object.
pub(crate) fn describe(kind: &str, namespace: &str, name: &str) -> String {
    if namespace.is_empty() { format!("{kind} {name}") } else { format!("{kind} {namespace}/{name}") }
}

/// Puts back what someone changed by hand: the desired value of each
/// top-level field (`spec`, `rules`, `subjects`…) replaces the live one
/// whole, so what they added goes too (a forced apply takes over only the
/// fields it sets and leaves others' list items, such as an added container);
/// then their field-manager entries go, so the repair is not seen again.
async fn restore(api: &Api<DynamicObject>, what: &str, name: &str, desired: &Value) -> Result<()> {
    let ops: Vec<Value> = desired
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata" | "status"))
        .map(|(k, v)| json!({"op": "add", "path": format!("/{k}"), "value": v}))
        .collect();
    let pp = PatchParams { field_manager: Some(MANAGER.to_string()), ..Default::default() };
    if !ops.is_empty() {
        let patch: json_patch::Patch =
            serde_json::from_value(Value::Array(ops)).map_err(|e| Error::serialize(name, e))?;
        api.patch(name, &pp, &Patch::Json::<()>(patch)).await.map_err(|e| Error::request(Doing::Repairing, what, e))?;
    }
    for _ in 0..5 {
        let Some(current) = api.get_opt(name).await.map_err(|e| Error::request(Doing::Reading, what, e))? else {
            return Ok(());
        };
        let entries = current.metadata.managed_fields.clone().unwrap_or_default();
        let keep: Vec<_> = entries.iter().filter(|e| !foreign_content_entry(e)).cloned().collect();
        if keep.len() == entries.len() || keep.is_empty() {
            return Ok(());
        }
        let patch = json!({"metadata": {"resourceVersion": current.metadata.resource_version, "managedFields": keep}});
        match api.patch(name, &pp, &Patch::Merge(patch)).await {
            Ok(_) => return Ok(()),
            Err(kube::Error::Api(s)) if s.code == 409 => continue,
            Err(e) => return Err(Error::request(Doing::SettingFieldOwnership, what, e)),
        }
    }
    Ok(())
}

/// Remembers what was applied recently, so an object whose watch event has
/// not arrived yet is not mistaken for one deleted by hand.
#[derive(Default)]
pub struct InFlight {
    /// key -> (hash applied, when, seen in the cache since)
    applied: Mutex<HashMap<String, (String, Instant, bool)>>,
    /// The watch events our own writes will cause: (kind, namespace, name)
    /// -> the resourceVersion we wrote, or "" for a deletion. Their owner
    /// already knows; the event does not wake it again.
    echoes: Mutex<HashMap<(String, String, String), String>>,
}

/// How long an applied object may be missing from the cache before we
/// believe it is really gone.
const IN_FLIGHT: Duration = Duration::from_secs(10);

impl InFlight {
    fn recent(&self, key: &str, hash: &str) -> bool {
        self.applied
            .lock()
            .map(|m| m.get(key).is_some_and(|(h, t, seen)| h == hash && !seen && t.elapsed() < IN_FLIGHT))
            .unwrap_or(false)
    }
    fn seen(&self, key: &str) {
        if let Ok(mut m) = self.applied.lock()
            && let Some(e) = m.get_mut(key)
        {
            e.2 = true;
        }
    }
    fn known(&self, key: &str) -> bool {
        self.applied.lock().map(|m| m.contains_key(key)).unwrap_or(false)
    }
    fn record(&self, key: &str, hash: &str) {
        if let Ok(mut m) = self.applied.lock() {
            m.insert(key.to_string(), (hash.to_string(), Instant::now(), false));
        }
    }
    fn expect_echo(&self, kind: &str, o: &DynamicObject) {
        let at = (kind.to_string(), o.namespace().unwrap_or_default(), o.name_any());
        if let (Ok(mut m), Some(rv)) = (self.echoes.lock(), o.metadata.resource_version.clone()) {
            m.insert(at, rv);
        }
    }
    fn expect_deletion(&self, kind: &str, ns: &str, name: &str) {
        if let Ok(mut m) = self.echoes.lock() {
            m.insert((kind.to_string(), ns.to_string(), name.to_string()), String::new());
        }
    }
    /// Whether a watch event of `kind` for `o` is the echo of our own write
    /// (or deletion); forgets it if so. An object the cache now holds is no
    /// longer in flight: deleted later, it is recreated at once.
    pub fn is_echo(&self, kind: &str, o: &DynamicObject, deleted: bool) -> bool {
        let at = (kind.to_string(), o.namespace().unwrap_or_default(), o.name_any());
        if !deleted {
            self.seen(&if at.1.is_empty() { format!("{kind}/{}", at.2) } else { format!("{kind}/{}/{}", at.1, at.2) });
        }
        let Ok(mut m) = self.echoes.lock() else { return false };
        let want = if deleted { String::new() } else { o.metadata.resource_version.clone().unwrap_or_default() };
        if m.get(&at) == Some(&want) {
            m.remove(&at);
            true
        } else {
            false
        }
    }
    fn forget(&self, key: &str) {
        if let Ok(mut m) = self.applied.lock() {
            m.remove(key);
        }
    }
}

/// The desired JSON of an owned object, with owner reference, scope labels and hash annotation.
pub fn desired_json(
    o: &Owned,
    owner: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference>,
    extra_labels: &[(String, String)],
) -> Result<Value> {
    let mut v = serde_json::to_value(o).map_err(|e| Error::serialize(o.id(), e))?;
    let meta =
        v.get_mut("metadata").and_then(Value::as_object_mut).ok_or_else(|| Error::NoMetadata { object: o.id() })?;
    if let Some(owner) = owner {
        meta.insert(
            "ownerReferences".into(),
            serde_json::to_value(vec![owner]).map_err(|e| Error::serialize(o.id(), e))?,
        );
    }
    let labels = meta.entry("labels").or_insert_with(|| Value::Object(Default::default()));
    if let Some(l) = labels.as_object_mut() {
        for (k, val) in extra_labels {
            l.insert(k.clone(), Value::String(val.clone()));
        }
    }
    // A policy type without rules denies everything of that direction; the
    // empty list is written out so that rules someone adds are a difference
    // (and are owned, so a forced apply takes them away).
    if o.kind() == "NetworkPolicy"
        && let Some(spec) = v.get_mut("spec").and_then(Value::as_object_mut)
    {
        let types: Vec<String> = spec
            .get("policyTypes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_lowercase)
            .collect();
        for t in types {
            spec.entry(t).or_insert_with(|| Value::Array(vec![]));
        }
    }
    let hash = desired_hash(&v);
    let meta =
        v.get_mut("metadata").and_then(Value::as_object_mut).ok_or_else(|| Error::NoMetadata { object: o.id() })?;
    let ann = meta.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
    if let Some(a) = ann.as_object_mut() {
        a.insert(APPLIED_HASH.into(), Value::String(hash));
    }
    Ok(v)
}

/// Records that `o` is in the way (`why`): after an object of the isolation,
/// nothing granting access or running is applied; into a namespace in the
/// way, nothing at all.
fn conflict(
    report: &mut ApplyReport,
    o: &Owned,
    why: Code,
    isolation_conflict: &mut bool,
    foreign_namespaces: &mut BTreeSet<String>,
) {
    report.conflicts.push(msg!(Code::ConflictExists, described(o), why));
    *isolation_conflict |= o.precedes_access();
    if o.kind() == "Namespace" {
        foreign_namespaces.insert(o.name().to_string());
    }
}

/// Outcome of creating an object.
enum Created {
    /// We created it (as the create returned it).
    New(Box<DynamicObject>),
    /// An object of that name already exists (as read right after the refusal).
    Exists(Box<DynamicObject>),
    /// An object of that name existed when the create was refused, and is
    /// gone again: the next reconcile creates it.
    Vanished,
}

/// Creates `desired` with a plain create, which fails on an existing object
/// instead of merging into it.
async fn create(api: &Api<DynamicObject>, what: &str, key: &str, desired: &Value) -> Result<Created> {
    let obj: DynamicObject = serde_json::from_value(desired.clone()).map_err(|e| Error::serialize(key, e))?;
    let pp = PostParams { field_manager: Some(MANAGER.to_string()), ..Default::default() };
    match api.create(&pp, &obj).await {
        Ok(created) => Ok(Created::New(Box::new(created))),
        Err(kube::Error::Api(s)) if s.code == 409 && s.reason == "AlreadyExists" => {
            let name = obj.metadata.name.clone().unwrap_or_default();
            match api.get_opt(&name).await.map_err(|e| Error::request(Doing::Reading, what, e))? {
                Some(existing) => Ok(Created::Exists(Box::new(existing))),
                // Gone again meanwhile: the next reconcile creates it.
                None => Ok(Created::Vanished),
            }
        }
        Err(e) => Err(Error::request(Doing::Creating, what, e)),
    }
}

/// Turns the `Update` field-manager entry our create left into our `Apply`
/// entry (the same fields), so the apply that follows removes what the
/// desired state drops.
async fn own_created_fields(api: &Api<DynamicObject>, what: &str, created: &DynamicObject) -> Step<()> {
    rewrite_managed_fields(api, what, created, |meta| {
        let mut entries = meta.managed_fields.clone().unwrap_or_default();
        let mut renamed = false;
        for e in entries.iter_mut().filter(|e| is_our_update(e)) {
            e.operation = Some("Apply".into());
            e.time = None;
            renamed = true;
        }
        renamed.then_some(entries)
    })
    .await
}

/// Removes our create's `Update` field-manager entry from an object just
/// server-side applied, so its `Apply` entry alone says which fields are
/// ours and a field later left out of the desired state is removed. (The
/// documented reset, `managedFields: [{}]`, does not do: the next apply then
/// attributes every field to a `before-first-apply` manager, which keeps them
/// alive the same way.)
async fn drop_update_entries(api: &Api<DynamicObject>, what: &str, applied: &DynamicObject) -> Step<()> {
    rewrite_managed_fields(api, what, applied, |meta| {
        let keep: Vec<_> = meta.managed_fields.iter().flatten().filter(|e| !is_our_update(e)).cloned().collect();
        // Nothing to drop (an empty list would not change anything anyway).
        (!keep.is_empty() && has_update_entry(meta)).then_some(keep)
    })
    .await
}

/// Writes the field-manager entries `edit` makes of an object's (None:
/// nothing to change). The patch carries the resourceVersion: when the
/// object changed meanwhile (a Deployment's controller writes its status
/// right after it is created), it is read again and `edit` applied anew, a
/// few times, before it is left for the next reconcile.
async fn rewrite_managed_fields(
    api: &Api<DynamicObject>,
    what: &str,
    object: &DynamicObject,
    edit: impl Fn(&ObjectMeta) -> Option<Vec<ManagedFieldsEntry>>,
) -> Step<()> {
    let name = object.name_any();
    let mut current = object.clone();
    for _ in 0..5 {
        let Some(entries) = edit(&current.metadata) else { return Ok(()) };
        let pp = PatchParams { field_manager: Some(MANAGER.to_string()), ..Default::default() };
        let patch =
            json!({"metadata": {"resourceVersion": current.metadata.resource_version, "managedFields": entries}});
        match api.patch(&name, &pp, &Patch::Merge(patch)).await {
            Ok(_) => return Ok(()),
            Err(kube::Error::Api(s)) if s.code == 409 => {
                match api.get_opt(&name).await.map_err(|e| Error::request(Doing::Reading, what, e))? {
                    Some(o) => current = o,
                    None => return Ok(()),
                }
            }
            Err(e) => return Err(Error::request(Doing::SettingFieldOwnership, what, e).into()),
        }
    }
    Err(Wait::KeptChanging { object: name }.into())
}

/// Whether an app's object that refers to its others (the Ingress to its
/// Service, the disruption budget to its pods, the autoscaler to its
/// Deployment) is withheld because one of the
/// app's objects is in conflict: an Ingress must never publish a Service
/// someone else made (an ExternalName pointing anywhere). The kinds that can
/// refer come last in apply order ([`govcloud_core::meta::kinds::OWNED`]), so the
/// conflicts are known by then.
fn withheld_after_conflict(owner_kind: OwnerKind, kind: &str, report: &ApplyReport) -> bool {
    owner_kind == OwnerKind::DepartmentApp
        && !report.conflicts.is_empty()
        && matches!(kind, "Ingress" | "PodDisruptionBudget" | "HorizontalPodAutoscaler")
}

fn hash_of(v: &Value) -> String {
    v.pointer(&format!("/metadata/annotations/{}", APPLIED_HASH.replace('/', "~1")))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Applies `desired` (in order, stopping at the first failure so isolation
/// always precedes use), then deletes objects owned by `owner` that are not
/// desired. An object in the way that govcloud did not create for `owner` is
/// a conflict: reported, never changed; when it is part of the isolation
/// (namespace, quota, limits, policies, roles), nothing granting access or
/// running (bindings, workloads) is applied after it.
pub async fn apply_owned(
    client: &Client,
    caches: &OwnedCaches,
    inflight: &InFlight,
    desired: &[(Owned, Value)],
    owner: (OwnerKind, Option<&str>, &str),
) -> Step<ApplyReport> {
    let mut report = ApplyReport::default();
    let mut wanted: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut isolation_conflict = false;
    // Namespaces in the way: nothing of ours is written into them.
    let mut foreign_namespaces: BTreeSet<String> = BTreeSet::new();
    for (o, v) in desired {
        let (kind, ns, name) = (o.kind(), o.namespace(), o.name());
        if withheld_after_conflict(owner.0, kind, &report) {
            // All or nothing: not applied, and removed if it exists (the prune below).
            report.blocked.push(described(o));
            continue;
        }
        wanted.insert((kind.to_string(), ns.to_string(), name.to_string()));
        let Some(k) = caches.kinds.get(kind) else { continue };
        if (isolation_conflict && !o.precedes_access()) || foreign_namespaces.contains(ns) {
            report.blocked.push(described(o));
            continue;
        }
        let key = o.id();
        let what = described(o);
        let hash = hash_of(v);
        let api: Api<DynamicObject> = if k.namespaced {
            Api::namespaced_with(client.clone(), ns, &k.resource)
        } else {
            Api::all_with(client.clone(), &k.resource)
        };
        let actual = caches.get(kind, ns, name);
        match &actual {
            Some(a) if !a.labelled_for(owner) => {
                inflight.seen(&key);
                conflict(&mut report, o, Code::ConflictOtherOwner, &mut isolation_conflict, &mut foreign_namespaces);
                continue;
            }
            Some(a) => {
                inflight.seen(&key);
                let editor = a.foreign_content_manager();
                // From the object's print: the answer the whole object gives.
                if a.applied_hash() == hash && a.print.contains_object(v) && editor.is_none() {
                    report.unchanged += 1;
                    continue;
                }
                if a.applied_hash() == hash || editor.is_some() {
                    match editor {
                        Some(m) => report.repaired.push(msg!(Code::ChangedByHandBy, &key, m).to_string()),
                        None => report.repaired.push(msg!(Code::ChangedByHand, &key).to_string()),
                    }
                    restore(&api, &what, name, v).await?;
                } else {
                    report.updated.push(key.clone());
                }
                if a.has_update_entry() {
                    // Still owned through our create's entry (the cache keeps
                    // only its mark): read the object whole and make it our
                    // apply entry, so this apply removes what it drops.
                    if let Some(fresh) =
                        api.get_opt(name).await.map_err(|e| Error::request(Doing::Reading, &what, e))?
                    {
                        own_created_fields(&api, &what, &fresh).await?;
                    }
                }
            }
            None if inflight.recent(&key, &hash) => {
                report.unchanged += 1;
                report.in_flight = true;
                continue;
            }
            None => match create(&api, &what, &key, v).await? {
                Created::New(created) => {
                    if inflight.known(&key) {
                        report.repaired.push(msg!(Code::DeletedByHand, &key).to_string());
                    } else {
                        report.created.push(key.clone());
                    }
                    inflight.record(&key, &hash);
                    inflight.expect_echo(kind, &created);
                    // The create leaves an Update entry of ours owning exactly
                    // the fields we set; it becomes our Apply entry the first
                    // time the object must change (above), so creating costs
                    // one request.
                    continue;
                }
                // Ours, not yet in the cache: apply as usual, after taking
                // over our create's entry, if it has one.
                Created::Exists(existing) if labelled_for(&existing.metadata, owner) => {
                    report.updated.push(key.clone());
                    own_created_fields(&api, &what, &existing).await?;
                }
                Created::Exists(_) => {
                    conflict(
                        &mut report,
                        o,
                        Code::ConflictNotCreated,
                        &mut isolation_conflict,
                        &mut foreign_namespaces,
                    );
                    continue;
                }
                // Stops here, as a failure would: what follows may depend on it.
                Created::Vanished => return Err(Wait::Vanished { object: key }.into()),
            },
        }
        if let Some(count) = actual.as_ref().and_then(|a| handover::handover_count(kind, v, a.read().replicas)) {
            handover::hand_over(&api, &what, name, count).await?;
        }
        let applied = api
            .patch(name, &PatchParams::apply(MANAGER).force(), &Patch::Apply(v))
            .await
            .map_err(|e| Error::request(Doing::Applying, &what, e))?;
        inflight.record(&key, &hash);
        inflight.expect_echo(kind, &applied);
        if has_update_entry(&applied.metadata) {
            drop_update_entries(&api, &what, &applied).await?;
        }
    }
    // Prune: ours, owned by this owner, no longer desired. Never a platform
    // role: before per-tenant names had their own scheme, a tenant named like
    // a role (`admin`) could leave its owner labels on the platform's role.
    let platform: BTreeSet<String> = govcloud_render::render_platform().iter().map(|o| o.name().to_string()).collect();
    for (kind, obj) in caches.owned_by(owner.0, owner.1, owner.2) {
        let ns = obj.namespace().unwrap_or_default().to_string();
        let name = obj.name().to_string();
        if wanted.contains(&(kind.clone(), ns.clone(), name.clone())) || obj.deleting() {
            continue;
        }
        if kind == "ClusterRole" && platform.contains(&name) {
            continue;
        }
        let Some(k) = caches.kinds.get(&kind) else { continue };
        let api: Api<DynamicObject> = if k.namespaced {
            Api::namespaced_with(client.clone(), &ns, &k.resource)
        } else {
            Api::all_with(client.clone(), &k.resource)
        };
        inflight.expect_deletion(&kind, &ns, &name);
        match api.delete(&name, &DeleteParams::background()).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(Error::request(Doing::Deleting, describe(&kind, &ns, &name), e).into()),
        }
        let key = if ns.is_empty() { format!("{kind}/{name}") } else { format!("{kind}/{ns}/{name}") };
        inflight.forget(&key);
        report.pruned.push(key);
    }
    Ok(report)
}

mod handover;

#[cfg(test)]
mod tests;
