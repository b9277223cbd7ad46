//! In-memory caches (reflector stores) of everything the operator reads:
//! the three govcloud kinds, nodes, and every kind of object it owns.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, RwLock};

use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::watcher;

pub use kept::Kept;

use govcloud_core::meta::labels::{OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE};

/// A kind of object govcloud owns, and its cache.
#[derive(Clone)]
pub struct OwnedKind {
    /// API resource (group, version, plural).
    pub resource: ApiResource,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Cache of the objects of this kind labelled as ours, as [`Kept`].
    pub store: KeptStore,
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
}

/// An owner as its objects' labels name it: kind, namespace (or "") and
/// name, one after another with a NUL between (label values hold none).
type OwnerKey = Box<str>;

fn owner_key(kind: &str, namespace: &str, name: &str) -> OwnerKey {
    [kind, namespace, name].join("\0").into_boxed_str()
}

/// A kept object in a cache's tables, hashed and compared by its place
/// (namespace or "", name): the tables key by the object itself, so no
/// key copies its name and namespace (kube's store kept a key of about
/// 110 bytes and two allocations beside each object, the owner index two
/// more).
#[derive(Clone)]
struct Entry(Arc<Kept>);

/// Where an object is: (namespace or "", name).
#[derive(Hash, PartialEq, Eq)]
struct Place<'a>(&'a str, &'a str);

/// What a table is looked up by: an [`Entry`], or a [`Place`] alone.
trait Placed {
    fn place(&self) -> Place<'_>;
}

impl Placed for Entry {
    fn place(&self) -> Place<'_> {
        Place(self.0.namespace().unwrap_or_default(), self.0.name())
    }
}

impl Placed for Place<'_> {
    fn place(&self) -> Place<'_> {
        Place(self.0, self.1)
    }
}

impl Hash for dyn Placed + '_ {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.place().hash(h)
    }
}

impl PartialEq for dyn Placed + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.place() == other.place()
    }
}

impl Eq for dyn Placed + '_ {}

impl Hash for Entry {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.place().hash(h)
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.place() == other.place()
    }
}

impl Eq for Entry {}

impl<'a> Borrow<dyn Placed + 'a> for Entry {
    fn borrow(&self) -> &(dyn Placed + 'a) {
        self
    }
}

/// One kind's objects by place, and by owner.
#[derive(Default)]
struct Table {
    by_place: HashSet<Entry>,
    by_owner: HashMap<OwnerKey, HashSet<Entry>>,
}

/// The owner `k`'s labels name, if they name one (kind and name at least).
fn owner_of(k: &Kept) -> Option<OwnerKey> {
    Some(owner_key(k.label(OWNER_KIND)?, k.label(OWNER_NAMESPACE).unwrap_or_default(), k.label(OWNER_NAME)?))
}

impl Table {
    fn put(&mut self, kept: Kept) {
        let e = Entry(Arc::new(kept));
        if let Some(before) = self.by_place.replace(e.clone()) {
            self.unindex(&before);
        }
        if let Some(owner) = owner_of(&e.0) {
            self.by_owner.entry(owner).or_default().insert(e);
        }
    }

    fn remove(&mut self, at: Place<'_>) {
        if let Some(before) = self.by_place.take(&at as &dyn Placed) {
            self.unindex(&before);
        }
    }

    fn unindex(&mut self, e: &Entry) {
        if let Some(owner) = owner_of(&e.0)
            && let Some(set) = self.by_owner.get_mut(&owner)
        {
            set.remove(e);
            if set.is_empty() {
                self.by_owner.remove(&owner);
            }
        }
    }
}

/// A kind's cache of [`Kept`] objects, filled by its [`KeptWriter`]:
/// looked up by place or by owner (so an owner's objects are found
/// without scanning every cache).
#[derive(Clone)]
pub struct KeptStore(Arc<Shared>);

struct Shared {
    now: RwLock<Table>,
    /// Whether a first list has completed.
    ready: tokio::sync::watch::Sender<bool>,
}

impl KeptStore {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Table> {
        self.0.now.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Table> {
        self.0.now.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The object at `namespace` ("" for a cluster-scoped one) and `name`.
    pub fn get(&self, namespace: &str, name: &str) -> Option<Arc<Kept>> {
        self.read().by_place.get(&Place(namespace, name) as &dyn Placed).map(|e| e.0.clone())
    }

    /// Every object, in no order.
    pub fn state(&self) -> Vec<Arc<Kept>> {
        self.read().by_place.iter().map(|e| e.0.clone()).collect()
    }

    /// How many objects.
    pub fn len(&self) -> usize {
        self.read().by_place.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The objects whose labels name the owner `kind` `namespace/name`, by place.
    fn owned_by(&self, owner: &OwnerKey) -> Vec<Arc<Kept>> {
        let mut out: Vec<Arc<Kept>> =
            self.read().by_owner.get(owner).into_iter().flatten().map(|e| e.0.clone()).collect();
        out.sort_by(|a, b| (a.namespace(), a.name()).cmp(&(b.namespace(), b.name())));
        out
    }

    /// Waits until the first list has completed.
    pub async fn wait_until_ready(&self) {
        let mut ready = self.0.ready.subscribe();
        // The sender lives as long as the store: the wait ends only when ready.
        let _ = ready.wait_for(|r| *r).await;
    }
}

/// Fills a [`KeptStore`] from the watch events of whole objects.
pub struct KeptWriter {
    store: KeptStore,
    /// A relist under way: filled, then swapped in when it completes.
    relist: Option<Table>,
    /// The bodies of the kind's prints, each held once.
    bodies: govcloud_core::meta::compare::Bodies,
}

impl Default for KeptWriter {
    fn default() -> Self {
        KeptWriter::new()
    }
}

impl KeptWriter {
    /// A writer of an empty cache.
    pub fn new() -> KeptWriter {
        let shared = Shared { now: RwLock::new(Table::default()), ready: tokio::sync::watch::Sender::new(false) };
        KeptWriter { store: KeptStore(Arc::new(shared)), relist: None, bodies: Default::default() }
    }

    /// How many distinct print bodies its objects hold.
    pub fn bodies(&self) -> usize {
        self.bodies.len()
    }

    /// The cache it fills.
    pub fn as_reader(&self) -> KeptStore {
        self.store.clone()
    }

    /// Records one watch event. The cache's copy is made on the pages of
    /// what lasts.
    pub fn event(&mut self, ev: &watcher::Event<DynamicObject>) {
        use watcher::Event;
        govcloud_core::memory::lasting(|| match ev {
            Event::Apply(o) => {
                let kept = Kept::of_in(o, &mut self.bodies);
                self.store.write().put(kept)
            }
            Event::Delete(o) => {
                let gone = Kept::gone(o);
                self.store.write().remove(Place(gone.namespace().unwrap_or_default(), gone.name()))
            }
            Event::Init => self.relist = Some(Table::default()),
            Event::InitApply(o) => {
                let kept = Kept::of_in(o, &mut self.bodies);
                self.relist.get_or_insert_with(Table::default).put(kept)
            }
            Event::InitDone => {
                let fresh = self.relist.take().unwrap_or_default();
                // The table it replaces is dropped outside the lock.
                let before = std::mem::replace(&mut *self.store.write(), fresh);
                drop(before);
                self.store.0.ready.send_replace(true);
            }
        })
    }
}

impl OwnedCaches {
    /// The cached object of `kind` at `namespace/name`.
    pub fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<Arc<Kept>> {
        let k = self.kinds.get(kind)?;
        k.store.get(if k.namespaced { namespace } else { "" }, name)
    }

    /// Every cached object whose labels say it is owned by `owner_kind`
    /// `owner_ns/owner_name`, by kind, then namespace and name.
    pub fn owned_by(
        &self,
        owner_kind: govcloud_core::meta::kinds::OwnerKind,
        owner_ns: Option<&str>,
        owner_name: &str,
    ) -> Vec<(String, Arc<Kept>)> {
        let owner = owner_key(owner_kind.as_str(), owner_ns.unwrap_or_default(), owner_name);
        let mut out = Vec::new();
        for (kind, k) in &self.kinds {
            for o in k.store.owned_by(&owner) {
                // Its labels as they name the owner: no namespace label and
                // an empty one are not the same owner.
                if o.label(OWNER_NAMESPACE) == owner_ns {
                    out.push((kind.clone(), o));
                }
            }
        }
        out
    }
}

pub mod kept;

#[cfg(test)]
mod tests;
