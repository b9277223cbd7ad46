use super::*;

fn obj(name: &str, ns: &str, owner: Option<(&str, Option<&str>, &str)>) -> DynamicObject {
    let mut o = DynamicObject::new(name, &api_resource("", "v1", "Service")).within(ns);
    if let Some((kind, owner_ns, owner_name)) = owner {
        let mut l = BTreeMap::from([
            (OWNER_KIND.to_string(), kind.to_string()),
            (OWNER_NAME.to_string(), owner_name.to_string()),
        ]);
        if let Some(n) = owner_ns {
            l.insert(OWNER_NAMESPACE.to_string(), n.to_string());
        }
        o.metadata.labels = Some(l);
    }
    o
}

#[test]
fn the_owner_index_follows_changes_deletions_and_relists() {
    let idx = OwnerIndex::default();
    let app = ("DepartmentApp".to_string(), "a-ext".to_string(), "portal".to_string());
    let tenant = ("Tenant".to_string(), String::new(), "a".to_string());
    let svc = |n: &str| ("Service".to_string(), "a-ext".to_string(), n.to_string());
    idx.event("Service", IndexEvent::Apply(&obj("portal", "a-ext", Some(("DepartmentApp", Some("a-ext"), "portal")))));
    idx.event("Service", IndexEvent::Apply(&obj("x", "a-ext", Some(("Tenant", None, "a")))));
    assert_eq!(idx.owned_by(&app), vec![svc("portal")]);
    assert_eq!(idx.owned_by(&tenant), vec![svc("x")]);
    // Relabelled to another owner: it moves; unlabelled: it leaves.
    idx.event("Service", IndexEvent::Apply(&obj("portal", "a-ext", Some(("Tenant", None, "a")))));
    assert!(idx.owned_by(&app).is_empty());
    assert_eq!(idx.owned_by(&tenant), vec![svc("portal"), svc("x")]);
    idx.event("Service", IndexEvent::Apply(&obj("x", "a-ext", None)));
    assert_eq!(idx.owned_by(&tenant), vec![svc("portal")]);
    idx.event("Service", IndexEvent::Delete(&obj("portal", "a-ext", None)));
    assert!(idx.owned_by(&tenant).is_empty());
    // A relist replaces what was known once it is complete.
    idx.event("Service", IndexEvent::Apply(&obj("gone", "a-ext", Some(("Tenant", None, "a")))));
    idx.event("Service", IndexEvent::Init);
    idx.event("Service", IndexEvent::InitApply(&obj("new", "a-ext", Some(("Tenant", None, "a")))));
    assert_eq!(idx.owned_by(&tenant), vec![svc("gone")], "the old index serves until the relist is done");
    idx.event("Service", IndexEvent::InitDone);
    assert_eq!(idx.owned_by(&tenant), vec![svc("new")]);
}
