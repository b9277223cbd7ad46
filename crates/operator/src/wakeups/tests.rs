use super::*;

#[test]
fn a_pods_status_wakes_no_report_its_binding_to_a_node_does() {
    let pod = |node: Option<&str>, phase: &str| -> DynamicObject {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "a-ext", "uid": "u", "resourceVersion": phase, "generation": 1},
            "spec": {"containers": [{"name": "c", "image": "i"}], "nodeName": node},
            "status": {"phase": phase}
        }))
        .expect("pod")
    };
    let fp = |o: &DynamicObject| super::super::triggers::fingerprint("Pod", o).0;
    assert_eq!(fp(&pod(None, "Pending")), fp(&pod(None, "Running")), "status only");
    // Bound to a node: the generation stays 1, what the audit reads changed.
    assert_ne!(fp(&pod(None, "Pending")), fp(&pod(Some("private-node-1"), "Pending")));
}
