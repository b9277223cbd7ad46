//! A live object's print: what [`object_contains`](super::object_contains)
//! needs of it, kept as a sorted set of keyed 64-bit hashes instead of the
//! object. The operator's caches keep one per owned object (a few hundred
//! words) rather than the object (kilobytes to tens of kilobytes), and
//! decide whether it still holds what govcloud would apply from the print
//! alone, with exactly the answer the object would give.
//!
//! For every node of the object, at its path:
//!
//! ```text
//!   present(path)                   every node
//!   object(path)                    a map
//!   length(path, n)                 a list of n elements
//!   leaf(path, value)               a string, number, boolean or null; a
//!                                   string that is a quantity is hashed as
//!                                   the quantity ("1.5" and "1500m" alike)
//! ```
//!
//! The hashes are SipHash with a key drawn at random once per process, so
//! no one who writes an object can make two different contents collide;
//! prints are never stored or compared across processes.
//!
//! A print is in two parts: what is under the object's `metadata` and
//! `status` (its own), and the rest, its body (`spec`, `rules`, `data`,
//! ...). Many objects of a kind have the same body (a tenant's default
//! policies, quotas, bindings in every namespace); made with [`Bodies`],
//! objects with equal bodies share one.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::super::quantity::Quantity;

/// The print of one object: its own part and its body, each sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Print {
    own: Box<[u64]>,
    body: Arc<[u64]>,
}

impl Default for Print {
    fn default() -> Self {
        Print { own: Box::default(), body: Arc::from([]) }
    }
}

/// The bodies of the prints made so far, each held once: objects of a
/// kind with equal bodies share one ([`Print::of_in`]). A body no print
/// holds any longer is let go as more are made.
#[derive(Debug, Default)]
pub struct Bodies {
    held: HashSet<Arc<[u64]>>,
    /// How many were held after the last letting go.
    kept_at: usize,
}

impl Bodies {
    /// `words` (sorted, without repeats), shared with an equal body made before.
    fn intern(&mut self, words: Vec<u64>) -> Arc<[u64]> {
        if let Some(held) = self.held.get(words.as_slice()) {
            return held.clone();
        }
        // Let go of the bodies only this holds, each time the held ones
        // have doubled: the work is spread over the bodies made.
        if self.held.len() >= 2 * self.kept_at + 64 {
            self.held.retain(|b| Arc::strong_count(b) > 1);
            self.kept_at = self.held.len();
        }
        let body: Arc<[u64]> = Arc::from(words);
        self.held.insert(body.clone());
        body
    }

    /// How many bodies are held.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }
}

/// What a hash marks.
#[derive(Hash)]
enum Mark<'a> {
    Key(&'a str),
    Index(usize),
    Present,
    Object,
    Length(usize),
    Quantity(Quantity),
    Text(&'a str),
    Unsigned(u64),
    Signed(i64),
    Float(u64),
    Bool(bool),
    Null,
}

/// The process's key.
fn keys() -> &'static std::collections::hash_map::RandomState {
    static KEYS: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    KEYS.get_or_init(std::collections::hash_map::RandomState::new)
}

fn hash(path: u64, mark: Mark<'_>) -> u64 {
    let mut h = keys().build_hasher();
    path.hash(&mut h);
    mark.hash(&mut h);
    h.finish()
}

/// The path of the object itself.
const ROOT: u64 = 0;

/// What a leaf is, as [`super::contains`] compares leaves: strings equal or
/// the same quantity, everything else equal.
fn leaf(v: &Value) -> Mark<'_> {
    match v {
        Value::String(s) if s.starts_with(|c: char| c.is_ascii_digit() || c == '.') => match Quantity::parse(s) {
            Ok(q) => Mark::Quantity(q),
            Err(_) => Mark::Text(s),
        },
        Value::String(s) => Mark::Text(s),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Mark::Unsigned(u),
            (None, Some(i), _) => Mark::Signed(i),
            // -0.0 and 0.0 are equal numbers: one print.
            (None, None, Some(f)) => Mark::Float((f + 0.0).to_bits()),
            (None, None, None) => Mark::Text(""),
        },
        Value::Bool(b) => Mark::Bool(*b),
        Value::Null => Mark::Null,
        Value::Object(_) | Value::Array(_) => Mark::Null,
    }
}

fn walk(path: u64, v: &Value, out: &mut Vec<u64>) {
    out.push(hash(path, Mark::Present));
    match v {
        Value::Object(m) => {
            out.push(hash(path, Mark::Object));
            for (k, c) in m {
                walk(hash(path, Mark::Key(k)), c, out);
            }
        }
        Value::Array(l) => {
            out.push(hash(path, Mark::Length(l.len())));
            for (i, c) in l.iter().enumerate() {
                walk(hash(path, Mark::Index(i)), c, out);
            }
        }
        _ => out.push(hash(path, leaf(v))),
    }
}

/// The keys of an object whose nodes are the object's own part of its print.
const OWN: [&str; 2] = ["metadata", "status"];

impl Print {
    /// The print of `actual`, its body its own.
    pub fn of(actual: &Value) -> Print {
        Print::of_in(actual, &mut Bodies::default())
    }

    /// The print of `actual`, its body shared with an equal one of `bodies`.
    pub fn of_in(actual: &Value, bodies: &mut Bodies) -> Print {
        let (mut own, mut body) = (Vec::new(), Vec::new());
        match actual {
            Value::Object(m) => {
                body.extend([hash(ROOT, Mark::Present), hash(ROOT, Mark::Object)]);
                for (k, c) in m {
                    let out = if OWN.contains(&k.as_str()) { &mut own } else { &mut body };
                    walk(hash(ROOT, Mark::Key(k)), c, out);
                }
            }
            other => walk(ROOT, other, &mut body),
        }
        for part in [&mut own, &mut body] {
            part.sort_unstable();
            part.dedup();
        }
        Print { own: own.into_boxed_slice(), body: bodies.intern(body) }
    }

    /// Hashes held (each 8 bytes), its body's included.
    pub fn len(&self) -> usize {
        self.own.len() + self.body.len()
    }

    /// Hashes of its own part (each 8 bytes), not its body's.
    pub fn own_len(&self) -> usize {
        self.own.len()
    }

    /// Whether its body is the one `other` holds (not merely an equal one).
    pub fn shares_body(&self, other: &Print) -> bool {
        Arc::ptr_eq(&self.body, &other.body)
    }

    /// Whether the print holds nothing (of no object).
    pub fn is_empty(&self) -> bool {
        self.own.is_empty() && self.body.is_empty()
    }

    fn has(&self, h: u64) -> bool {
        self.own.binary_search(&h).is_ok() || self.body.binary_search(&h).is_ok()
    }

    /// [`object_contains`](super::object_contains) of the printed object
    /// and `desired`, from the print alone.
    pub fn contains_object(&self, desired: &Value) -> bool {
        let Value::Object(d) = desired else { return false };
        self.has(hash(ROOT, Mark::Object))
            && d.iter().filter(|(k, _)| *k != "apiVersion" && *k != "kind").all(|(k, dv)| {
                let at = hash(ROOT, Mark::Key(k));
                self.has(hash(at, Mark::Present)) && self.contains(at, dv)
            })
    }

    /// [`super::contains`] of the node at `path` (which is present) and `desired`.
    fn contains(&self, path: u64, desired: &Value) -> bool {
        match desired {
            Value::Object(d) => {
                self.has(hash(path, Mark::Object))
                    && d.iter().all(|(k, dv)| {
                        let at = hash(path, Mark::Key(k));
                        if self.has(hash(at, Mark::Present)) {
                            self.contains(at, dv)
                        } else {
                            // An empty map or list we set may be dropped by the server.
                            dv.is_null()
                                || dv.as_object().is_some_and(|o| o.is_empty())
                                || dv.as_array().is_some_and(|l| l.is_empty())
                        }
                    })
            }
            Value::Array(d) => {
                self.has(hash(path, Mark::Length(d.len())))
                    && d.iter().enumerate().all(|(i, dv)| self.contains(hash(path, Mark::Index(i)), dv))
            }
            leaf_value => self.has(hash(path, leaf(leaf_value))),
        }
    }
}

#[cfg(test)]
mod tests;
