//! The CRD's structural limits evaluated offline: `maxLength`, `maxItems`,
//! `maxProperties` and the uniqueness of `x-kubernetes-list-type: map` keys.
//! Together with the CEL rules this is everything the API server checks on
//! one object, read from the same generated CRD.

use serde_json::Value;

/// One violated limit: field path and message.
pub type Violation = (String, String);

/// Checks `value` against `schema`, appending violations with their paths.
pub fn check(schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) {
    let at = |p: &str| if p.is_empty() { "(root)".to_string() } else { p.to_string() };
    match value {
        Value::String(s) => {
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
                && s.chars().count() as u64 > max
            {
                out.push((at(path), format!("must be at most {max} characters (has {})", s.chars().count())));
            }
        }
        Value::Array(items) => {
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
                && items.len() as u64 > max
            {
                out.push((at(path), format!("must have at most {max} items (has {})", items.len())));
            }
            if schema.get("x-kubernetes-list-type").and_then(Value::as_str) == Some("map") {
                let keys: Vec<&str> = schema
                    .get("x-kubernetes-list-map-keys")
                    .and_then(Value::as_array)
                    .map(|k| k.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let mut seen: Vec<Vec<&Value>> = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let key: Vec<&Value> = keys.iter().map(|k| item.get(*k).unwrap_or(&Value::Null)).collect();
                    if seen.contains(&key) {
                        let shown: Vec<String> = keys.iter().zip(&key).map(|(k, v)| format!("{k}={v}")).collect();
                        out.push((
                            format!("{path}[{i}]"),
                            format!("duplicate entry ({}); each must be unique", shown.join(", ")),
                        ));
                    } else {
                        seen.push(key);
                    }
                }
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(item_schema, item, &format!("{path}[{i}]"), out);
                }
            }
        }
        Value::Object(map) => {
            if let Some(max) = schema.get("maxProperties").and_then(Value::as_u64)
                && map.len() as u64 > max
            {
                out.push((at(path), format!("must have at most {max} entries (has {})", map.len())));
            }
            let props = schema.get("properties").and_then(Value::as_object);
            for (k, v) in map {
                let sub = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                if let Some(s) = props.and_then(|p| p.get(k)) {
                    check(s, v, &sub, out);
                } else if let Some(s) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                    check(s, v, &sub, out);
                }
            }
        }
        _ => {}
    }
}
