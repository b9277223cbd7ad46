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

/// A round reads the kept inventory once every watched kind is listed, and
/// not while any is not (before its first list, or after its watch failed).
#[test]
fn the_inventory_is_listed_once_every_watched_kind_is() {
    use kube::runtime::watcher::Event;
    let inv = Inventory::default();
    assert!(!inv.listed(), "nothing watched");
    inv.watch("Pod");
    inv.watch("Service");
    let list = |kind: &'static str| {
        inv.event(kind, &Event::Init, "v1");
        inv.event(kind, &Event::InitDone, "v1");
    };
    list("Pod");
    assert!(!inv.listed(), "Services not listed yet");
    list("Service");
    assert!(inv.listed());
    inv.unsure("Service");
    assert!(!inv.listed(), "a failed watch");
    list("Service");
    assert!(inv.listed(), "listed again");
}

/// Every audited kind a round does not read from the operator's own stores
/// is watched and kept, so that once the watches have listed, a round reads
/// the kept inventory: govcloud's SharedResources, left unwatched, made every
/// round list the whole cluster (at x10, a typed model and the objects as
/// texts, about 55 MiB, beside the kept ones).
#[test]
fn every_audited_kind_is_kept_or_read_from_the_stores() {
    use kube::runtime::watcher::Event;
    let inv = Inventory::default();
    for (_, _, kind, _) in watched() {
        inv.watch(kind);
        inv.event(kind, &Event::Init, "v1");
        inv.event(kind, &Event::InitDone, "v1");
    }
    assert!(inv.listed());
    for (_, _, kind, _) in AUDITED.iter().copied() {
        let mut texts = govcloud_audit::Texts::default();
        assert!(
            FROM_STORES.contains(&kind) || inv.texts(kind, &mut texts).is_some(),
            "{kind}: neither kept nor read from the operator's stores"
        );
    }
    assert!(FROM_STORES.iter().all(|k| AUDITED.iter().any(|(_, _, kind, _)| kind == k)));
    assert!(watched().any(|(_, _, kind, _)| kind == "SharedResource"));
}

/// A live listing kept as texts holds the same objects, in the same order,
/// as one kept as values: appended kinds after the objects added first.
#[test]
fn a_listing_as_texts_holds_what_a_listing_as_values_holds() {
    use govcloud_audit::{Source, Texts};
    let obj = |kind: &str, ns: &str, name: &str| {
        let mut v = serde_json::json!({"metadata": {"name": name, "namespace": ns}, "spec": {"n": name.len()}});
        as_audited(&mut v, "v1", kind);
        v
    };
    let (mut values, mut texts) = (Vec::<Value>::new(), Texts::default());
    let first = [obj("ResourceRequest", "a", "r1")];
    let kinds = [vec![obj("Pod", "a", "p1"), obj("Pod", "b", "p2")], vec![], vec![obj("Namespace", "", "a")]];
    for v in &first {
        Listed::add(&mut values, v.clone());
        Listed::add(&mut texts, v.clone());
    }
    for kind in &kinds {
        let (mut vs, mut ts) = (Vec::<Value>::new(), Texts::default());
        for v in kind {
            vs.add(v.clone());
            ts.add(v.clone());
        }
        Listed::append(&mut values, vs);
        Listed::append(&mut texts, ts);
    }
    assert_eq!(values.len(), 4);
    assert_eq!(texts.len(), values.len());
    for (i, v) in values.iter().enumerate() {
        let (kind, ns, name) = texts.key(i);
        assert_eq!(
            (kind, ns, name),
            (
                v["kind"].as_str().unwrap_or(""),
                v["metadata"]["namespace"].as_str().unwrap_or(""),
                v["metadata"]["name"].as_str().unwrap_or("")
            )
        );
        assert_eq!(texts.object(i).as_deref(), Some(v), "object {i}");
    }
}
