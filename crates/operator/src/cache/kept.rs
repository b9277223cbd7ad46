//! What the owned-object caches keep of each object: of its metadata what
//! is read (its name, namespace, uid, version and deletion mark, the
//! [`READ_LABELS`], the applied hash and what the field-ownership entries
//! [`slim`](crate::watch) leaves say), each as a compact field; of its
//! content only the few figures the operator reads besides the comparison
//! ([`Read`]: a workload's counts, a CronJob's runs, a quota's use); and
//! the [`Print`] that answers "does it still hold what govcloud would
//! apply" exactly as the whole object would. At a province's size (about
//! 21,900 owned objects) the whole objects were the largest part of the
//! operator's memory; then the kept `ObjectMeta` (about 360 bytes inline
//! each) and the status kept as JSON (B-tree nodes of 544 bytes) were.

use std::borrow::Cow;
use std::collections::BTreeMap;

use kube::api::{ApiResource, DynamicObject};
use kube::runtime::reflector::store::{Store, Writer};
use kube::runtime::reflector::{Lookup, ObjectRef};
use kube::runtime::watcher;
use serde_json::Value;

use govcloud_core::meta::compare::Print;
use govcloud_core::meta::labels::{APPLIED_HASH, MANAGED_BY, OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE, ZONE};

/// One owned object as the caches keep it.
#[derive(Clone, Debug)]
pub struct Kept {
    name: Box<str>,
    /// `None`: cluster-scoped.
    namespace: Option<Box<str>>,
    uid: Option<Box<str>>,
    resource_version: Option<Box<str>>,
    /// Whether it is being deleted (its deletion mark is set).
    deleting: bool,
    /// The [`READ_LABELS`] it has: each label's index there and its value.
    labels: Box<[(u8, Box<str>)]>,
    /// The hash of what govcloud last applied (`""`: none).
    applied: Box<str>,
    /// What its field-manager entries say (`slim` leaves only those read):
    /// whether one is govcloud's from a create or update
    /// ([`crate::ownership::has_update_entry`]), and who else edited its content
    /// ([`crate::ownership::foreign_content_manager`]). The entries themselves
    /// took about 300 bytes in six allocations.
    update_entry: bool,
    foreign: Option<Box<str>>,
    /// Of the object's content, what the operator reads besides the comparison.
    pub read: Read,
    /// The whole object's print.
    pub print: Print,
}

/// What the operator reads of an owned object's content besides the
/// comparison with what it would apply (the app's and the tenant's status,
/// the hand-over of a replica count): nothing for most kinds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Read {
    /// `spec.replicas` (a Deployment or StatefulSet).
    pub replicas: Option<i64>,
    /// `status.readyReplicas` and `status.updatedReplicas`.
    pub ready_replicas: Option<i64>,
    pub updated_replicas: Option<i64>,
    /// The message of its `ReplicaFailure` condition while that holds
    /// ([`crate::triggers::replica_failure`]).
    pub replica_failure: Option<Box<str>>,
    /// A CronJob's `status.lastScheduleTime`, `status.lastSuccessfulTime`
    /// and how many jobs `status.active` lists.
    pub last_schedule: Option<Box<str>>,
    pub last_success: Option<Box<str>>,
    pub active: Option<usize>,
    /// A ResourceQuota's `status.hard` and `status.used`.
    pub quota: Option<Box<Quota>>,
}

/// A ResourceQuota's granted and used amounts, by resource.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Quota {
    pub hard: BTreeMap<String, String>,
    pub used: BTreeMap<String, String>,
}

impl Read {
    /// What is read of `data` (an object's content: its `spec`, `status`, ...).
    pub fn of(data: &Value) -> Read {
        let int = |p: &str| data.pointer(p).and_then(Value::as_i64);
        let text = |p: &str| data.pointer(p).and_then(Value::as_str).map(Box::from);
        let map =
            |p: &str| data.pointer(p).cloned().and_then(|v| serde_json::from_value::<BTreeMap<String, String>>(v).ok());
        let quota = (data.pointer("/status/hard").is_some() || data.pointer("/status/used").is_some()).then(|| {
            Box::new(Quota {
                hard: map("/status/hard").unwrap_or_default(),
                used: map("/status/used").unwrap_or_default(),
            })
        });
        Read {
            replicas: int("/spec/replicas"),
            ready_replicas: int("/status/readyReplicas"),
            updated_replicas: int("/status/updatedReplicas"),
            replica_failure: crate::triggers::replica_failure(data).map(String::into_boxed_str),
            last_schedule: text("/status/lastScheduleTime"),
            last_success: text("/status/lastSuccessfulTime"),
            active: data.pointer("/status/active").and_then(Value::as_array).map(Vec::len),
            quota,
        }
    }
}

/// A kept object's kind, shared: the caches' keys hold one each (an
/// `ApiResource` is five strings, copied into every key before).
pub type KeptKind = std::sync::Arc<ApiResource>;

impl Lookup for Kept {
    type DynamicType = KeptKind;

    fn kind(dt: &KeptKind) -> Cow<'_, str> {
        dt.kind.as_str().into()
    }

    fn group(dt: &KeptKind) -> Cow<'_, str> {
        dt.group.as_str().into()
    }

    fn version(dt: &KeptKind) -> Cow<'_, str> {
        dt.version.as_str().into()
    }

    fn api_version(dt: &KeptKind) -> Cow<'_, str> {
        dt.api_version.as_str().into()
    }

    fn plural(dt: &KeptKind) -> Cow<'_, str> {
        dt.plural.as_str().into()
    }

    fn name(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(&self.name))
    }

    fn namespace(&self) -> Option<Cow<'_, str>> {
        self.namespace.as_deref().map(Cow::Borrowed)
    }

    fn resource_version(&self) -> Option<Cow<'_, str>> {
        self.resource_version.as_deref().map(Cow::Borrowed)
    }

    fn uid(&self) -> Option<Cow<'_, str>> {
        self.uid.as_deref().map(Cow::Borrowed)
    }

    /// The cache's key: kind, namespace and name. Not its version and uid,
    /// which keys do not compare and the kept object holds already.
    fn to_object_ref(&self, dyntype: KeptKind) -> ObjectRef<Self> {
        let r = ObjectRef::new_with(&self.name, dyntype);
        match &self.namespace {
            Some(ns) => r.within(ns),
            None => r,
        }
    }
}

impl Kept {
    /// What is kept of `o` (as the watch gave it, after `slim`).
    pub fn of(o: &DynamicObject) -> Kept {
        // The object as the comparison used to read it from the cache.
        let print = serde_json::to_value(o).map(|v| Print::of(&v)).unwrap_or_default();
        let m = &o.metadata;
        let labels = READ_LABELS
            .iter()
            .enumerate()
            .filter_map(|(i, k)| Some((i as u8, m.labels.as_ref()?.get(*k)?.as_str().into())))
            .collect();
        let applied = m.annotations.as_ref().and_then(|a| a.get(APPLIED_HASH)).map(String::as_str).unwrap_or_default();
        Kept {
            name: m.name.as_deref().unwrap_or_default().into(),
            namespace: m.namespace.as_deref().map(Box::from),
            uid: m.uid.as_deref().map(Box::from),
            resource_version: m.resource_version.as_deref().map(Box::from),
            deleting: m.deletion_timestamp.is_some(),
            labels,
            applied: applied.into(),
            update_entry: crate::ownership::has_update_entry(m),
            foreign: crate::ownership::foreign_content_manager(m).map(String::into_boxed_str),
            read: Read::of(&o.data),
            print,
        }
    }

    /// A deleted object: only its name is read.
    fn gone(o: &DynamicObject) -> Kept {
        Kept {
            name: o.metadata.name.as_deref().unwrap_or_default().into(),
            namespace: o.metadata.namespace.as_deref().map(Box::from),
            uid: None,
            resource_version: None,
            deleting: false,
            labels: Box::default(),
            applied: Box::default(),
            update_entry: false,
            foreign: None,
            read: Read::default(),
            print: Print::default(),
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace (`None`: cluster-scoped).
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// Whether its deletion mark is set.
    pub fn deleting(&self) -> bool {
        self.deleting
    }

    /// The hash of what govcloud last applied, as the object's annotation
    /// records it (`""`: none).
    pub fn applied_hash(&self) -> &str {
        &self.applied
    }

    /// Whether govcloud owns fields of it through a create's or update's
    /// entry ([`crate::ownership::has_update_entry`]).
    pub fn has_update_entry(&self) -> bool {
        self.update_entry
    }

    /// Who else edited its content ([`crate::ownership::foreign_content_manager`]).
    pub fn foreign_content_manager(&self) -> Option<&str> {
        self.foreign.as_deref()
    }

    /// The value of `key`, one of [`READ_LABELS`] (any other: `None`).
    pub fn label(&self, key: &str) -> Option<&str> {
        let i = READ_LABELS.iter().position(|k| *k == key)? as u8;
        self.labels.iter().find(|(at, _)| *at == i).map(|(_, v)| &**v)
    }

    /// Whether its labels say it is `owner`'s ([`crate::ownership::labelled_for`]).
    pub fn labelled_for(&self, owner: (govcloud_core::meta::kinds::OwnerKind, Option<&str>, &str)) -> bool {
        crate::ownership::labelled_by(|k| self.label(k), owner)
    }
}

/// The labels of a kept object that are read: whose it is
/// (`ownership::labelled_for`, the owner index) and, of
/// a workload, its zone (the check of `--cluster` at start).
pub const READ_LABELS: [&str; 5] = [MANAGED_BY, OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE, ZONE];

/// Fills a cache of [`Kept`] objects from the watch events of whole ones.
pub struct KeptWriter(Writer<Kept>, KeptKind);

impl KeptWriter {
    /// A writer for objects of `resource`.
    pub fn new(resource: ApiResource) -> KeptWriter {
        let kind = KeptKind::new(resource);
        KeptWriter(Writer::new(kind.clone()), kind)
    }

    /// The kind its cache's keys share.
    pub fn kind(&self) -> KeptKind {
        self.1.clone()
    }

    /// The cache it fills.
    pub fn as_reader(&self) -> Store<Kept> {
        self.0.as_reader()
    }

    /// Records one watch event.
    pub fn event(&mut self, ev: &watcher::Event<DynamicObject>) {
        use watcher::Event;
        let kept = match ev {
            Event::Apply(o) => Event::Apply(Kept::of(o)),
            Event::Delete(o) => Event::Delete(Kept::gone(o)),
            Event::Init => Event::Init,
            Event::InitApply(o) => Event::InitApply(Kept::of(o)),
            Event::InitDone => Event::InitDone,
        };
        // The cache's copy (kube's writer clones what it is given) on the
        // pages of what lasts.
        govcloud_core::memory::lasting(|| self.0.apply_watcher_event(&kept));
    }
}

#[cfg(test)]
mod tests;
