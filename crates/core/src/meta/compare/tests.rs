use super::*;
use serde_json::json;

#[test]
fn server_defaults_do_not_count_as_differences() {
    let desired = json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "a"}]}}}});
    let actual = json!({"spec": {"replicas": 2, "progressDeadlineSeconds": 600, "template": {"spec": {"containers": [{"name": "a", "terminationMessagePath": "/dev/termination-log"}]}}}});
    assert!(contains(&actual, &desired));
}

#[test]
fn edits_and_removed_list_items_are_differences() {
    let desired = json!({"spec": {"ingress": [{"from": [1]}, {"from": [2]}]}});
    assert!(!contains(&json!({"spec": {"ingress": [{"from": [1]}]}}), &desired));
    assert!(!contains(&json!({"spec": {"ingress": [{"from": [1]}, {"from": [3]}]}}), &desired));
    assert!(!contains(&json!({"metadata": {"labels": {"a": "x"}}}), &json!({"metadata": {"labels": {"a": "y"}}})));
}

#[test]
fn listed_objects_without_type_meta_still_match() {
    let desired = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}});
    assert!(object_contains(&json!({"metadata": {"name": "a", "uid": "x"}}), &desired));
    assert!(!object_contains(&json!({"metadata": {"name": "b"}}), &desired));
}

#[test]
fn quantities_compare_by_value() {
    assert!(contains(&json!("1500m"), &json!("1.5")));
    assert!(contains(&json!("1Gi"), &json!("1073741824")));
    assert!(!contains(&json!("2"), &json!("1")));
    assert!(!contains(&json!("extranet"), &json!("private")));
    assert!(!contains(&json!("1.0.0"), &json!("1")));
}

#[test]
fn hash_is_stable_and_sensitive() {
    let a = json!({"a": 1, "b": [1, 2]});
    assert_eq!(desired_hash(&a), desired_hash(&a.clone()));
    assert_ne!(desired_hash(&a), desired_hash(&json!({"a": 1, "b": [2, 1]})));
    assert_eq!(desired_hash(&a).len(), 32);
}
