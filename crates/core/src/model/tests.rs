use super::*;
use serde_json::json;

#[test]
fn a_config_maps_digest_follows_its_data_only() {
    let cm = |data: serde_json::Value, labels: serde_json::Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "a-ext", "labels": labels}, "data": data});
    let a = config_map_digest(&cm(json!({"x": "1", "y": "2"}), json!({})));
    // Key order and metadata do not count; values and keys do.
    assert_eq!(a, config_map_digest(&cm(json!({"y": "2", "x": "1"}), json!({"team": "portal"}))));
    assert_ne!(a, config_map_digest(&cm(json!({"x": "1", "y": "3"}), json!({}))));
    assert_ne!(a, config_map_digest(&cm(json!({"x": "1"}), json!({}))));
    // No key and value run into each other.
    assert_ne!(
        config_map_digest(&cm(json!({"ab": "c"}), json!({}))),
        config_map_digest(&cm(json!({"a": "bc"}), json!({})))
    );
    // Binary data is data too, apart from text data of the same key.
    let binary =
        json!({"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "a-ext"}, "binaryData": {"x": "MQ=="}});
    assert_ne!(config_map_digest(&binary), config_map_digest(&cm(json!({"x": "MQ=="}), json!({}))));
    // Only ConfigMaps, by namespace/name.
    let digests = config_map_digests(&[
        cm(json!({"x": "1"}), json!({})),
        json!({"kind": "Secret", "metadata": {"name": "s", "namespace": "a-ext"}}),
    ]);
    assert_eq!(digests.keys().collect::<Vec<_>>(), ["a-ext/c"]);
}
