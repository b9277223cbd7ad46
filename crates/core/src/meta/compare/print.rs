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

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::OnceLock;

use serde_json::Value;

use super::super::quantity::Quantity;

/// The print of one object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Print(Box<[u64]>);

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

impl Print {
    /// The print of `actual`.
    pub fn of(actual: &Value) -> Print {
        let mut out = Vec::new();
        walk(ROOT, actual, &mut out);
        out.sort_unstable();
        out.dedup();
        Print(out.into_boxed_slice())
    }

    /// Hashes held (each 8 bytes).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the print holds nothing (of no object).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn has(&self, h: u64) -> bool {
        self.0.binary_search(&h).is_ok()
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
