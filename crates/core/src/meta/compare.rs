//! Deciding whether a live object already holds what we would apply, so an
//! unchanged cluster costs no writes.

use serde_json::Value;
use sha2::{Digest, Sha256};

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

/// Parses a Kubernetes quantity into a number (enough to compare spellings
/// such as `1.5` and `1500m`, or `1Gi` and `1073741824`).
pub fn parse_quantity(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse().ok()?),
        _ => return None,
    };
    Some(n * mult)
}

fn same_quantity(a: &str, b: &str) -> bool {
    // Only strings that start like numbers are quantities.
    if !a.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        || !b.starts_with(|c: char| c.is_ascii_digit() || c == '.')
    {
        return false;
    }
    match (parse_quantity(a), parse_quantity(b)) {
        (Some(x), Some(y)) => (x - y).abs() <= f64::EPSILON * x.abs().max(y.abs()).max(1.0),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
