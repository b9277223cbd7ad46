use super::*;

/// The kept inventory follows changes, deletions and relists, holds what
/// the audit reads and nothing it does not, and is not used before its
/// kind is listed.
#[test]
fn the_kept_inventory_follows_the_watch() {
    use kube::runtime::watcher::Event;
    let pod = |name: &str, image: &str| -> DynamicObject {
        serde_json::from_value(serde_json::json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": "a-ext", "resourceVersion": "7", "managedFields": [{"manager": "x"}],
                             "annotations": {LAST_APPLIED: "{}", "keep": "me"}},
                "spec": {"containers": [{"name": "c", "image": image}]},
                "status": {"phase": "Running"}
            }))
            .expect("pod")
    };
    let inv = Inventory::default();
    inv.watch("Pod");
    let names = |inv: &Inventory| {
        inv.objects("Pod").map(|os| {
            os.iter().map(|o| o["metadata"]["name"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>()
        })
    };
    inv.event("Pod", &Event::Init, "v1");
    inv.event("Pod", &Event::InitApply(pod("a", "i:1")), "v1");
    assert_eq!(names(&inv), None, "not listed yet");
    inv.event("Pod", &Event::InitDone, "v1");
    assert_eq!(names(&inv), Some(vec!["a".to_string()]));
    let a = &inv.objects("Pod").expect("listed")[0];
    assert_eq!(
        (a["kind"].as_str(), a["apiVersion"].as_str(), a["metadata"]["annotations"]["keep"].as_str()),
        (Some("Pod"), Some("v1"), Some("me"))
    );
    for gone in [
        &a["status"],
        &a["metadata"]["resourceVersion"],
        &a["metadata"]["managedFields"],
        &a["metadata"]["annotations"][LAST_APPLIED],
    ] {
        assert!(gone.is_null(), "{a}");
    }
    inv.event("Pod", &Event::Apply(pod("b", "i:1")), "v1");
    inv.event("Pod", &Event::Apply(pod("a", "i:2")), "v1");
    assert_eq!(inv.objects("Pod").expect("listed")[0]["spec"]["containers"][0]["image"], "i:2");
    inv.event("Pod", &Event::Delete(pod("a", "i:2")), "v1");
    assert_eq!(names(&inv), Some(vec!["b".to_string()]));
    // A relist: the old objects serve until it completes, then it replaces them.
    inv.event("Pod", &Event::Init, "v1");
    inv.event("Pod", &Event::InitApply(pod("c", "i:1")), "v1");
    assert_eq!(names(&inv), Some(vec!["b".to_string()]));
    inv.event("Pod", &Event::InitDone, "v1");
    assert_eq!(names(&inv), Some(vec!["c".to_string()]));
    assert!(inv.objects("Service").is_none(), "a kind not watched");
    // A failed watch: not used until it has listed again.
    inv.unsure("Pod");
    assert_eq!(names(&inv), None);
    inv.event("Pod", &Event::Apply(pod("d", "i:1")), "v1");
    assert_eq!(names(&inv), None, "changes alone do not make it whole again");
    inv.event("Pod", &Event::Init, "v1");
    inv.event("Pod", &Event::InitApply(pod("d", "i:1")), "v1");
    inv.event("Pod", &Event::InitDone, "v1");
    assert_eq!(names(&inv), Some(vec!["d".to_string()]));
}
