//! In-memory caches (reflector stores) of everything the operator reads:
//! the three govcloud kinds, nodes, and every kind of object it owns.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use kube::ResourceExt;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::reflector::{ObjectRef, Store};

pub use kept::{Kept, KeptWriter};

use govcloud_core::meta::labels::{OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE};

/// A kind of object govcloud owns, and its cache.
#[derive(Clone)]
pub struct OwnedKind {
    /// API resource (group, version, plural).
    pub resource: ApiResource,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Cache of the objects of this kind labelled as ours, as [`Kept`].
    pub store: Store<Kept>,
    /// `resource`, as the cache's keys share it.
    pub kept: kept::KeptKind,
}

/// API resource of a core or built-in kind.
pub fn api_resource(group: &str, version: &str, kind: &str) -> ApiResource {
    ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind))
}

/// Caches of owned objects, by kind.
#[derive(Clone, Default)]
pub struct OwnedCaches {
    /// kind -> cache
    pub kinds: BTreeMap<String, OwnedKind>,
    /// Which objects each owner has, kept from the watch events, so an
    /// owner's objects are found without scanning every cache.
    pub index: OwnerIndex,
}

/// An owner as its objects' labels name it: (kind, namespace or "", name).
type OwnerKey = (String, String, String);

/// Where an object is: (namespace or "", name).
type At = (String, String);

/// Index of cached owned objects by owner, per kind; rebuilt on a relist.
#[derive(Clone, Default)]
pub struct OwnerIndex(Arc<Mutex<HashMap<String, KindIndex>>>);

/// One kind's index. Each object's place and each owner are allocated once
/// and shared by both maps (at a province's size, about 21,900 objects of
/// 3,300 owners, the copies were most of the index).
#[derive(Default)]
struct KindIndex {
    by_owner: HashMap<Arc<OwnerKey>, BTreeSet<Arc<At>>>,
    owner_of: HashMap<Arc<At>, Arc<OwnerKey>>,
    /// Filled during a relist, then swapped in.
    relist: Option<Box<KindIndex>>,
}

impl KindIndex {
    fn remove(&mut self, at: &At) {
        if let Some(before) = self.owner_of.remove(at)
            && let Some(set) = self.by_owner.get_mut(&before)
        {
            set.remove(at);
            if set.is_empty() {
                self.by_owner.remove(&before);
            }
        }
    }
    fn insert(&mut self, at: At, owner: Option<OwnerKey>) {
        self.remove(&at);
        if let Some(owner) = owner {
            let at = Arc::new(at);
            let owner = match self.by_owner.get_key_value(&owner) {
                Some((k, _)) => k.clone(),
                None => Arc::new(owner),
            };
            self.by_owner.entry(owner.clone()).or_default().insert(at.clone());
            self.owner_of.insert(at, owner);
        }
    }
}

fn owner_of(o: &DynamicObject) -> Option<OwnerKey> {
    let l = o.metadata.labels.as_ref()?;
    Some((l.get(OWNER_KIND)?.clone(), l.get(OWNER_NAMESPACE).cloned().unwrap_or_default(), l.get(OWNER_NAME)?.clone()))
}

/// A watch event of an owned kind, as the index sees it.
pub enum IndexEvent<'a> {
    /// The object was created or changed.
    Apply(&'a DynamicObject),
    /// The object was deleted.
    Delete(&'a DynamicObject),
    /// A relist starts.
    Init,
    /// An object of the relist.
    InitApply(&'a DynamicObject),
    /// The relist is complete: objects it did not list are gone.
    InitDone,
}

impl OwnerIndex {
    /// Records a watch event of `kind`.
    pub fn event(&self, kind: &str, ev: IndexEvent<'_>) {
        let Ok(mut all) = self.0.lock() else { return };
        // What the index keeps, on the pages of what lasts.
        govcloud_core::memory::lasting(|| Self::apply(&mut all, kind, ev));
    }

    fn apply(all: &mut HashMap<String, KindIndex>, kind: &str, ev: IndexEvent<'_>) {
        let k = all.entry(kind.to_string()).or_default();
        let at = |o: &DynamicObject| (o.namespace().unwrap_or_default(), o.name_any());
        match ev {
            IndexEvent::Apply(o) => k.insert(at(o), owner_of(o)),
            IndexEvent::Delete(o) => k.remove(&at(o)),
            IndexEvent::Init => k.relist = Some(Box::default()),
            IndexEvent::InitApply(o) => k.relist.get_or_insert_with(Box::default).insert(at(o), owner_of(o)),
            IndexEvent::InitDone => {
                if let Some(fresh) = k.relist.take() {
                    *k = *fresh;
                }
            }
        }
    }

    /// (kind, namespace, name) of the objects owned by `owner`.
    fn owned_by(&self, owner: &OwnerKey) -> Vec<(String, String, String)> {
        let Ok(all) = self.0.lock() else { return Vec::new() };
        let mut out = Vec::new();
        for (kind, k) in all.iter() {
            for at in k.by_owner.get(owner).into_iter().flatten() {
                out.push((kind.clone(), at.0.clone(), at.1.clone()));
            }
        }
        out.sort();
        out
    }
}

impl OwnedCaches {
    /// The cached object of `kind` at `namespace/name`.
    pub fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<std::sync::Arc<Kept>> {
        let k = self.kinds.get(kind)?;
        let mut r = ObjectRef::new_with(name, k.kept.clone());
        if k.namespaced {
            r = r.within(namespace);
        }
        k.store.get(&r)
    }

    /// Every cached object whose labels say it is owned by `owner_kind` `owner_ns/owner_name`.
    pub fn owned_by(
        &self,
        owner_kind: govcloud_core::meta::kinds::OwnerKind,
        owner_ns: Option<&str>,
        owner_name: &str,
    ) -> Vec<(String, Arc<Kept>)> {
        let owner = (owner_kind.as_str().to_string(), owner_ns.unwrap_or_default().to_string(), owner_name.to_string());
        let mut out = Vec::new();
        for (kind, ns, name) in self.index.owned_by(&owner) {
            // The cache is the truth: the index only says where to look.
            if let Some(o) = self.get(&kind, &ns, &name)
                && o.label(OWNER_KIND) == Some(owner_kind.as_str())
                && o.label(OWNER_NAME) == Some(owner_name)
                && o.label(OWNER_NAMESPACE) == owner_ns
            {
                out.push((kind, o));
            }
        }
        out
    }
}

pub mod kept;

#[cfg(test)]
mod tests;
