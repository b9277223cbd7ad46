use super::*;
use govcloud_core::meta::kinds::OwnerKind;
use watcher::Event;

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

/// Caches of Services and of a cluster-scoped kind, and their writers.
fn caches() -> (OwnedCaches, KeptWriter, KeptWriter) {
    let (services, roles) = (KeptWriter::new(), KeptWriter::new());
    let mut caches = OwnedCaches::default();
    for (kind, namespaced, w) in [("Service", true, &services), ("ClusterRole", false, &roles)] {
        let resource = api_resource("", "v1", kind);
        caches.kinds.insert(kind.into(), OwnedKind { resource, namespaced, store: w.as_reader() });
    }
    (caches, services, roles)
}

/// (kind, namespace, name) of what `caches` says `owner` owns, in its order.
fn owned(caches: &OwnedCaches, owner: (OwnerKind, Option<&str>, &str)) -> Vec<(String, String, String)> {
    caches
        .owned_by(owner.0, owner.1, owner.2)
        .into_iter()
        .map(|(kind, o)| (kind, o.namespace().unwrap_or_default().to_string(), o.name().to_string()))
        .collect()
}

#[test]
fn the_owner_index_follows_changes_deletions_and_relists() {
    let (caches, mut w, mut roles) = caches();
    let app = (OwnerKind::DepartmentApp, Some("a-ext"), "portal");
    let tenant = (OwnerKind::Tenant, None, "a");
    let svc = |n: &str| ("Service".to_string(), "a-ext".to_string(), n.to_string());
    w.event(&Event::Apply(obj("portal", "a-ext", Some(("DepartmentApp", Some("a-ext"), "portal")))));
    w.event(&Event::Apply(obj("x", "a-ext", Some(("Tenant", None, "a")))));
    roles.event(&Event::Apply(obj("reader", "", Some(("Tenant", None, "a")))));
    assert_eq!(owned(&caches, app), vec![svc("portal")]);
    assert_eq!(owned(&caches, tenant), vec![("ClusterRole".into(), String::new(), "reader".into()), svc("x")]);
    // An empty namespace label is not "no namespace": another owner.
    assert!(owned(&caches, (OwnerKind::Tenant, Some(""), "a")).is_empty());
    roles.event(&Event::Delete(obj("reader", "", None)));
    // Relabelled to another owner: it moves; unlabelled: it leaves.
    w.event(&Event::Apply(obj("portal", "a-ext", Some(("Tenant", None, "a")))));
    assert!(owned(&caches, app).is_empty());
    assert_eq!(owned(&caches, tenant), vec![svc("portal"), svc("x")]);
    w.event(&Event::Apply(obj("x", "a-ext", None)));
    assert_eq!(owned(&caches, tenant), vec![svc("portal")]);
    assert!(caches.get("Service", "a-ext", "x").is_some(), "unlabelled, still cached");
    w.event(&Event::Delete(obj("portal", "a-ext", None)));
    assert!(owned(&caches, tenant).is_empty());
    assert!(caches.get("Service", "a-ext", "portal").is_none());
    // A relist replaces what was known once it is complete.
    w.event(&Event::Apply(obj("gone", "a-ext", Some(("Tenant", None, "a")))));
    w.event(&Event::Init);
    w.event(&Event::InitApply(obj("new", "a-ext", Some(("Tenant", None, "a")))));
    assert_eq!(owned(&caches, tenant), vec![svc("gone")], "the old index serves until the relist is done");
    assert!(caches.get("Service", "a-ext", "new").is_none(), "nor is the relist's object seen before");
    w.event(&Event::InitDone);
    assert_eq!(owned(&caches, tenant), vec![svc("new")]);
    assert!(caches.get("Service", "a-ext", "gone").is_none() && caches.get("Service", "a-ext", "x").is_none());
    assert_eq!(caches.kinds["Service"].store.len(), 1);
}

/// Objects of one name in two namespaces are two objects; a cluster-scoped
/// kind is found whatever namespace is asked for.
#[test]
fn objects_are_found_by_namespace_and_name() {
    let (caches, mut w, mut roles) = caches();
    w.event(&Event::Apply(obj("web", "a-ext", None)));
    w.event(&Event::Apply(obj("web", "b-ext", Some(("Tenant", None, "b")))));
    roles.event(&Event::Apply(obj("reader", "", None)));
    assert_eq!(caches.kinds["Service"].store.len(), 2);
    assert_eq!(caches.get("Service", "a-ext", "web").map(|o| o.label(OWNER_NAME).is_none()), Some(true));
    assert_eq!(
        caches.get("Service", "b-ext", "web").and_then(|o| o.label(OWNER_NAME).map(str::to_string)),
        Some("b".into())
    );
    assert!(caches.get("Service", "c-ext", "web").is_none());
    assert!(caches.get("ClusterRole", "anywhere", "reader").is_some());
    assert!(caches.get("Deployment", "a-ext", "web").is_none(), "a kind not cached");
    // Applied again: one object, the newer.
    w.event(&Event::Apply(obj("web", "b-ext", Some(("Tenant", None, "c")))));
    assert_eq!(caches.kinds["Service"].store.len(), 2);
    assert_eq!(owned(&caches, (OwnerKind::Tenant, None, "c")).len(), 1);
    assert!(owned(&caches, (OwnerKind::Tenant, None, "b")).is_empty());
}

/// A store is ready once its first list has completed, not before.
#[tokio::test]
async fn a_store_is_ready_after_its_first_list() {
    let mut w = KeptWriter::new();
    let store = w.as_reader();
    let wait = tokio::time::timeout(std::time::Duration::from_millis(50), store.wait_until_ready());
    assert!(wait.await.is_err(), "not ready before a list");
    w.event(&Event::Init);
    w.event(&Event::InitApply(obj("web", "a-ext", None)));
    let wait = tokio::time::timeout(std::time::Duration::from_millis(50), store.wait_until_ready());
    assert!(wait.await.is_err(), "not ready while listing");
    w.event(&Event::InitDone);
    tokio::time::timeout(std::time::Duration::from_secs(5), store.wait_until_ready()).await.expect("ready");
    assert_eq!(store.state().len(), 1);
}
