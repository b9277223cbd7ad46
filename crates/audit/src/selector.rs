//! Label selectors as the API server reads them (matchLabels and
//! matchExpressions), over selectors kept as JSON: both the NetworkPolicy and
//! the Admin-tier semantics select by them.
//!
//! kube-core's `Selector` does the same on typed selectors; the audit keeps
//! objects as JSON and reads a selector many times over (once per policy and
//! workload class), so parsing each into a typed one first would cost more
//! than matching the JSON, and an operator it does not know would become an
//! error where the API server's reading selects nothing.

use std::collections::BTreeMap;

use serde_json::Value;

/// Whether a label selector (JSON) selects `labels`. A missing selector selects nothing; `{}` everything.
pub fn selects(sel: &Value, labels: &BTreeMap<String, String>) -> bool {
    if sel.is_null() {
        return false;
    }
    // Values that are not strings constrain nothing.
    let ml = sel["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k, v.as_str()?)))
        .all(|(k, v)| labels.get(k).map(String::as_str) == Some(v));
    let me = sel["matchExpressions"].as_array().map(|es| {
        es.iter().all(|e| {
            let key = e["key"].as_str().unwrap_or_default();
            let listed =
                |v: &str| e["values"].as_array().into_iter().flatten().filter_map(Value::as_str).any(|x| x == v);
            match e["operator"].as_str().unwrap_or_default() {
                "In" => labels.get(key).is_some_and(|v| listed(v)),
                "NotIn" => labels.get(key).is_none_or(|v| !listed(v)),
                "Exists" => labels.contains_key(key),
                "DoesNotExist" => !labels.contains_key(key),
                _ => false,
            }
        })
    });
    ml && me.unwrap_or(true)
}
