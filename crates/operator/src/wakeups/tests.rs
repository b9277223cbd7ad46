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

/// Which events of an audited kind wake the reports: a change to what the
/// audit reads, or a deletion; not the list's objects, not an event that
/// changes nothing the audit reads. What it keeps of each object is made
/// inside the lasting mark (the binary's allocator puts it with the caches).
#[test]
fn seen_wakes_on_a_change_the_audit_reads_and_keeps_its_record_as_lasting() {
    use kube::runtime::watcher::Event;
    let object = |name: &str, fp: u64| -> DynamicObject {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "a-ext", "annotations": {"fp": fp.to_string()}}
        }))
        .expect("object")
    };
    let fp = |o: &DynamicObject| -> u64 { o.annotations()["fp"].parse().expect("fp") };
    let mut seen = Seen::default();
    let before = govcloud_core::memory::entered();
    assert!(!seen.changed(&Event::Init, fp));
    assert!(!seen.changed(&Event::InitApply(object("a", 1)), fp), "listed: nothing to wake");
    assert!(!seen.changed(&Event::InitDone, fp));
    assert!(govcloud_core::memory::entered() > before, "what is kept is made inside the mark");
    assert!(!govcloud_core::memory::is_lasting(), "the mark is put back");
    assert!(!seen.changed(&Event::Apply(object("a", 1)), fp), "the same as the audit reads it");
    assert!(seen.changed(&Event::Apply(object("a", 2)), fp), "changed as the audit reads it");
    assert!(seen.changed(&Event::Apply(object("b", 7)), fp), "a new object");
    assert!(seen.changed(&Event::Delete(object("a", 2)), fp), "deleted");
    assert!(seen.changed(&Event::Apply(object("a", 2)), fp), "back after its deletion: new again");
}
