//! What the owned-object caches keep of each object: its metadata (as
//! [`slim`](crate::watch) leaves it), of its content only what the operator
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

/// One owned object as the caches keep it.
#[derive(Clone, Debug)]
pub struct Kept {
    /// The object's metadata, as the watch gave it (field ownership reduced
    /// to marks).
    pub metadata: ObjectMeta,
    /// Of the object's content: `status` where it is kept, and
    /// `spec.replicas`.
    pub data: Value,
    /// The whole object's print.
    pub print: Print,
}

impl kube::Resource for Kept {
    type DynamicType = ApiResource;
    type Scope = DynamicResourceScope;

    fn group(dt: &ApiResource) -> Cow<'_, str> {
        dt.group.as_str().into()
    }

    fn version(dt: &ApiResource) -> Cow<'_, str> {
        dt.version.as_str().into()
    }

    fn kind(dt: &ApiResource) -> Cow<'_, str> {
        dt.kind.as_str().into()
    }

    fn api_version(dt: &ApiResource) -> Cow<'_, str> {
        dt.api_version.as_str().into()
    }

    fn plural(dt: &ApiResource) -> Cow<'_, str> {
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
        Kept { metadata: o.metadata.clone(), data: Value::Object(data), print }
    }

    /// A deleted object: only its name is read.
    fn gone(o: &DynamicObject) -> Kept {
        Kept { metadata: o.metadata.clone(), data: Value::Null, print: Print::default() }
    }

    /// The hash of what govcloud last applied, as the object's annotation
    /// records it (`""`: none).
    pub fn applied_hash(&self) -> &str {
        self.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(govcloud_core::meta::labels::APPLIED_HASH))
            .map(String::as_str)
            .unwrap_or_default()
    }
}

/// Fills a cache of [`Kept`] objects from the watch events of whole ones.
pub struct KeptWriter(Writer<Kept>);

impl KeptWriter {
    /// A writer for objects of `resource`.
    pub fn new(resource: ApiResource) -> KeptWriter {
        KeptWriter(Writer::new(resource))
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
