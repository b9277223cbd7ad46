//! What the owned-object caches keep of each object: of its metadata what
//! is read (its name, namespace and deletion mark, the [`READ_LABELS`],
//! the applied hash and what the field-ownership entries
//! [`slim`](crate::watch) leaves say), its texts in one allocation; of its
//! content only the few figures the operator reads besides the comparison
//! ([`Read`]: a workload's counts, a CronJob's runs, a quota's use); and
//! the [`Print`] that answers "does it still hold what govcloud would
//! apply" exactly as the whole object would. At a province's size (about
//! 21,900 owned objects) the whole objects were the largest part of the
//! operator's memory; then the kept `ObjectMeta` (about 360 bytes inline
//! each) and the status kept as JSON (B-tree nodes of 544 bytes) were;
//! then each text in an allocation of its own and kube's keys, which
//! copied the name and namespace again ([`super::KeptStore`] keys by the
//! kept object itself).

use std::collections::BTreeMap;

use kube::api::DynamicObject;
use serde_json::Value;

use govcloud_core::meta::compare::{Bodies, Print};
use govcloud_core::meta::labels::{APPLIED_HASH, MANAGED_BY, OWNER_KIND, OWNER_NAME, OWNER_NAMESPACE, ZONE};

/// One owned object as the caches keep it.
#[derive(Clone, Debug)]
pub struct Kept {
    /// Its name, namespace, the hash of what govcloud last applied, who
    /// else edited its content, and the values of the [`READ_LABELS`], one
    /// after another in one text ([`Text`]): one allocation where each was
    /// one of its own (eleven, with the labels' list and the uid and
    /// version no one read), at a province's 21,900 owned objects.
    texts: Box<str>,
    /// Where each [`Text`] ends in `texts`.
    ends: [u32; TEXTS],
    /// Which [`Text`]s it has (bit `i`: text `i`); an absent one is empty.
    present: u16,
    /// Whether it is being deleted (its deletion mark is set).
    deleting: bool,
    /// Whether one of its field-manager entries is govcloud's from a create
    /// or update ([`crate::ownership::has_update_entry`]); who else edited
    /// its content ([`crate::ownership::foreign_content_manager`]) is
    /// [`Text::Foreign`]. The entries themselves took about 300 bytes in six
    /// allocations.
    update_entry: bool,
    /// Of the object's content, what the operator reads besides the
    /// comparison (`None`: nothing, as for most kinds).
    read: Option<Box<Read>>,
    /// The whole object's print.
    pub print: Print,
}

/// The texts a [`Kept`] holds, in order; the [`READ_LABELS`] follow.
#[derive(Clone, Copy)]
enum Text {
    Name,
    Namespace,
    Applied,
    Foreign,
}

/// Where the first of the [`READ_LABELS`] is among a kept object's texts.
const LABELS: usize = Text::Foreign as usize + 1;

/// How many texts a kept object holds.
const TEXTS: usize = LABELS + READ_LABELS.len();

/// What is read of an object whose content is not read.
static NOTHING_READ: Read = Read {
    replicas: None,
    ready_replicas: None,
    updated_replicas: None,
    replica_failure: None,
    last_schedule: None,
    last_success: None,
    active: None,
    quota: None,
};

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

impl Kept {
    /// What is kept of `o` (as the watch gave it, after `slim`).
    pub fn of(o: &DynamicObject) -> Kept {
        Kept::of_in(o, &mut Bodies::default())
    }

    /// What is kept of `o`, its print's body shared with an equal one of
    /// `bodies` (the other objects of its kind).
    pub fn of_in(o: &DynamicObject, bodies: &mut Bodies) -> Kept {
        // The object as the comparison used to read it from the cache.
        let print = serde_json::to_value(o).map(|v| Print::of_in(&v, bodies)).unwrap_or_default();
        let m = &o.metadata;
        let applied = m.annotations.as_ref().and_then(|a| a.get(APPLIED_HASH)).map(String::as_str);
        let foreign = crate::ownership::foreign_content_manager(m);
        let label = |k: &str| m.labels.as_ref()?.get(k).map(String::as_str);
        let mut texts: [Option<&str>; TEXTS] = [None; TEXTS];
        texts[Text::Name as usize] = Some(m.name.as_deref().unwrap_or_default());
        texts[Text::Namespace as usize] = m.namespace.as_deref();
        texts[Text::Applied as usize] = applied;
        texts[Text::Foreign as usize] = foreign.as_deref();
        for (i, k) in READ_LABELS.iter().enumerate() {
            texts[LABELS + i] = label(k);
        }
        let read = Read::of(&o.data);
        Kept {
            deleting: m.deletion_timestamp.is_some(),
            update_entry: crate::ownership::has_update_entry(m),
            read: (read != NOTHING_READ).then(|| Box::new(read)),
            print,
            ..Kept::with(texts)
        }
    }

    /// A deleted object: only its name is read.
    pub(super) fn gone(o: &DynamicObject) -> Kept {
        let mut texts: [Option<&str>; TEXTS] = [None; TEXTS];
        texts[Text::Name as usize] = Some(o.metadata.name.as_deref().unwrap_or_default());
        texts[Text::Namespace as usize] = o.metadata.namespace.as_deref();
        Kept::with(texts)
    }

    /// A kept object holding `texts` (each [`Text`], then the
    /// [`READ_LABELS`]' values) and nothing else.
    fn with(texts: [Option<&str>; TEXTS]) -> Kept {
        let mut joined = String::with_capacity(texts.iter().flatten().map(|t| t.len()).sum());
        let (mut ends, mut present) = ([0u32; TEXTS], 0u16);
        for (i, t) in texts.iter().enumerate() {
            if let Some(t) = t {
                joined.push_str(t);
                present |= 1 << i;
            }
            // Each text is a name, label value, uid, version or hash the
            // API server bounds far below 4 GiB.
            ends[i] = u32::try_from(joined.len()).unwrap_or(u32::MAX);
        }
        Kept {
            texts: joined.into_boxed_str(),
            ends,
            present,
            deleting: false,
            update_entry: false,
            read: None,
            print: Print::default(),
        }
    }

    /// Text `i` (`None`: the object has none).
    fn text(&self, i: usize) -> Option<&str> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        (self.present & (1 << i) != 0).then(|| self.texts.get(start..self.ends[i] as usize)).flatten()
    }

    /// Its name.
    pub fn name(&self) -> &str {
        self.text(Text::Name as usize).unwrap_or_default()
    }

    /// Its namespace (`None`: cluster-scoped).
    pub fn namespace(&self) -> Option<&str> {
        self.text(Text::Namespace as usize)
    }

    /// What the operator reads of its content besides the comparison.
    pub fn read(&self) -> &Read {
        self.read.as_deref().unwrap_or(&NOTHING_READ)
    }

    /// Whether its deletion mark is set.
    pub fn deleting(&self) -> bool {
        self.deleting
    }

    /// The hash of what govcloud last applied, as the object's annotation
    /// records it (`""`: none).
    pub fn applied_hash(&self) -> &str {
        self.text(Text::Applied as usize).unwrap_or_default()
    }

    /// Whether govcloud owns fields of it through a create's or update's
    /// entry ([`crate::ownership::has_update_entry`]).
    pub fn has_update_entry(&self) -> bool {
        self.update_entry
    }

    /// Who else edited its content ([`crate::ownership::foreign_content_manager`]).
    pub fn foreign_content_manager(&self) -> Option<&str> {
        self.text(Text::Foreign as usize)
    }

    /// The value of `key`, one of [`READ_LABELS`] (any other: `None`).
    pub fn label(&self, key: &str) -> Option<&str> {
        self.text(LABELS + READ_LABELS.iter().position(|k| *k == key)?)
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

#[cfg(test)]
mod tests;
