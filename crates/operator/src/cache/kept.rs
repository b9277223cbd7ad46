//! What the owned-object caches keep of each object: of its metadata what
//! is read (its name, namespace, uid, version and deletion mark, and apart,
//! compactly, the [`READ_LABELS`], the applied hash and what the
//! field-ownership entries [`slim`](crate::watch) leaves say), of its content only what the operator
//! reads besides the comparison (the status of the kinds whose status is
//! read, a workload's `spec.replicas`), and the [`Print`] that answers
//! "does it still hold what govcloud would apply" exactly as the whole
//! object would. At a province's size (about 21,900 owned objects) the
//! whole objects were the largest part of the operator's memory.

use std::borrow::Cow;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{ApiResource, DynamicObject};
use kube::core::DynamicResourceScope;
use kube::runtime::reflector::store::{Store, Writer};
use kube::runtime::watcher;
use serde_json::{Map, Value};

use govcloud_core::meta::compare::Print;
use govcloud_core::meta::labels::{APPLIED_HASH, MANAGED_BY, OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE, ZONE};

/// One owned object as the caches keep it.
#[derive(Clone, Debug)]
pub struct Kept {
    /// Of the object's metadata, what is read (`read_metadata`) but its
    /// labels and annotations: those read are kept in `labels` and
    /// `applied` (a map of one entry took a 544-byte B-tree node, and every
    /// owned object had two).
    pub metadata: ObjectMeta,
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
    /// Of the object's content: `status` where it is kept, and
    /// `spec.replicas`.
    pub data: Value,
    /// The whole object's print.
    pub print: Print,
}

/// A kept object's kind, shared: the caches' keys hold one each (an
/// `ApiResource` is five strings, copied into every key before).
pub type KeptKind = std::sync::Arc<ApiResource>;

impl kube::Resource for Kept {
    type DynamicType = KeptKind;
    type Scope = DynamicResourceScope;

    fn group(dt: &KeptKind) -> Cow<'_, str> {
        dt.group.as_str().into()
    }

    fn version(dt: &KeptKind) -> Cow<'_, str> {
        dt.version.as_str().into()
    }

    fn kind(dt: &KeptKind) -> Cow<'_, str> {
        dt.kind.as_str().into()
    }

    fn api_version(dt: &KeptKind) -> Cow<'_, str> {
        dt.api_version.as_str().into()
    }

    fn plural(dt: &KeptKind) -> Cow<'_, str> {
        dt.plural.as_str().into()
    }

    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }

    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl Kept {
    /// What is kept of `o` (as the watch gave it, after `slim`).
    pub fn of(o: &DynamicObject) -> Kept {
        // The object as the comparison used to read it from the cache.
        let print = serde_json::to_value(o).map(|v| Print::of(&v)).unwrap_or_default();
        let mut data = Map::new();
        if let Some(status) = o.data.get("status") {
            data.insert("status".into(), status.clone());
        }
        if let Some(replicas) = o.data.pointer("/spec/replicas") {
            data.insert("spec".into(), serde_json::json!({ "replicas": replicas }));
        }
        let m = &o.metadata;
        let labels = READ_LABELS
            .iter()
            .enumerate()
            .filter_map(|(i, k)| Some((i as u8, m.labels.as_ref()?.get(*k)?.as_str().into())))
            .collect();
        let applied = m.annotations.as_ref().and_then(|a| a.get(APPLIED_HASH)).map(String::as_str).unwrap_or_default();
        Kept {
            metadata: read_metadata(m),
            labels,
            applied: applied.into(),
            update_entry: crate::ownership::has_update_entry(m),
            foreign: crate::ownership::foreign_content_manager(m).map(String::into_boxed_str),
            data: Value::Object(data),
            print,
        }
    }

    /// A deleted object: only its name is read.
    fn gone(o: &DynamicObject) -> Kept {
        let metadata =
            ObjectMeta { name: o.metadata.name.clone(), namespace: o.metadata.namespace.clone(), ..Default::default() };
        Kept {
            metadata,
            labels: Box::default(),
            applied: Box::default(),
            update_entry: false,
            foreign: None,
            data: Value::Null,
            print: Print::default(),
        }
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

/// What is read of an owned object's metadata beside its labels, the
/// applied hash and what its field-ownership entries say (kept apart): its
/// name, namespace, uid, version and deletion mark. Everything
/// else the object's print holds for the comparison; kept whole, the
/// metadata was the larger part of a kept object (eight labels, two
/// annotations, an owner reference, timestamps: about 2 KiB each at a
/// province's size).
fn read_metadata(m: &ObjectMeta) -> ObjectMeta {
    ObjectMeta {
        name: m.name.clone(),
        namespace: m.namespace.clone(),
        uid: m.uid.clone(),
        resource_version: m.resource_version.clone(),
        deletion_timestamp: m.deletion_timestamp.clone(),
        ..Default::default()
    }
}

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
        self.0.apply_watcher_event(&kept);
    }
}

#[cfg(test)]
mod tests;
