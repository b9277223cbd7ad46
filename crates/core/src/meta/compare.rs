//! Deciding whether a live object already holds what we would apply, so an
//! unchanged cluster costs no writes.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::quantity::Quantity;

/// Stable hash of a desired object (hex sha256 of its JSON, first 16 bytes).
pub fn desired_hash(desired: &Value) -> String {
    let digest = Sha256::digest(desired.to_string().as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Whether the live object `actual` holds everything in the object
/// `desired`. `apiVersion` and `kind` are not compared: objects that come
/// from a list carry neither.
pub fn object_contains(actual: &Value, desired: &Value) -> bool {
    match (actual, desired) {
        (Value::Object(a), Value::Object(d)) => d
            .iter()
            .filter(|(k, _)| *k != "apiVersion" && *k != "kind")
            .all(|(k, dv)| a.get(k).is_some_and(|av| contains(av, dv))),
        _ => false,
    }
}

/// Whether `actual` contains everything in `desired`: maps by key, lists
/// element by element with equal length, quantities by value.
pub fn contains(actual: &Value, desired: &Value) -> bool {
    match (actual, desired) {
        (Value::Object(a), Value::Object(d)) => d.iter().all(|(k, dv)| match a.get(k) {
            Some(av) => contains(av, dv),
            // An empty map or list we set may be dropped by the server.
            None => {
                dv.is_null()
                    || dv.as_object().is_some_and(|o| o.is_empty())
                    || dv.as_array().is_some_and(|l| l.is_empty())
            }
        }),
        (Value::Array(a), Value::Array(d)) => a.len() == d.len() && a.iter().zip(d).all(|(av, dv)| contains(av, dv)),
        (Value::String(a), Value::String(d)) => a == d || same_quantity(a, d),
        (a, d) => a == d,
    }
}

/// Whether two strings are the same quantity spelt two ways (`1.5` and `1500m`, `1Gi` and `1073741824`).
fn same_quantity(a: &str, b: &str) -> bool {
    // Only strings that start like numbers are quantities.
    if !a.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        || !b.starts_with(|c: char| c.is_ascii_digit() || c == '.')
    {
        return false;
    }
    match (Quantity::parse(a), Quantity::parse(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

pub mod print;

pub use print::{Bodies, Print};

#[cfg(test)]
mod tests;
