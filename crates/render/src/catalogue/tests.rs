use super::*;
use crate::{Verdicts, plan};
use govcloud_core::api::{DataClassification, SharingClass, UpdateFrequency};
use govcloud_core::meta::kinds::OwnerKind;
use govcloud_core::model::{Model, load_paths};

fn fixture() -> Model {
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/catalogue"));
    load_paths(&[dir]).expect("the catalogue fixture loads").model
}

fn entries(model: &Model) -> Vec<CatalogueEntry> {
    let planned = plan(model, &Verdicts::default());
    assert!(planned.problems.is_empty(), "{:?}", planned.problems);
    catalogue(&planned.index, &planned.flows)
}

#[test]
fn every_class_is_listed_and_an_app_without_sharing_is_not() {
    let e = entries(&fixture());
    let apps: Vec<&str> = e.iter().map(|e| e.app.as_str()).collect();
    assert_eq!(apps, ["census-db", "macro-db", "survey-raw"], "by tenant, zone and app; office-portal shares nothing");
    let classes: Vec<SharingClass> = e.iter().map(|e| e.class).collect();
    assert_eq!(classes, [SharingClass::Conditional, SharingClass::Unconditional, SharingClass::None]);
}

#[test]
fn an_entry_carries_its_owner_names_and_catalogue_data() {
    let e = entries(&fixture());
    let macro_db = e.iter().find(|e| e.app == "macro-db").expect("macro-db");
    assert_eq!((macro_db.tenant.as_str(), macro_db.zone.as_str()), ("statistics", "extranet"));
    assert_eq!(macro_db.tenant_names.zh, "市统计局");
    assert_eq!(macro_db.names.en, "Macro-economy database");
    assert!(macro_db.names.mn.is_some());
    assert_eq!(macro_db.data_classification, DataClassification::Internal);
    assert_eq!(macro_db.update_frequency, UpdateFrequency::Monthly);
    assert_eq!(macro_db.contact, "综合科 0476-8888001");
    assert_eq!(macro_db.basis, None);
    let raw = e.iter().find(|e| e.app == "survey-raw").expect("survey-raw");
    assert!(raw.basis.as_deref().is_some_and(|b| b.contains("统计法")), "{:?}", raw.basis);
    let census = e.iter().find(|e| e.app == "census-db").expect("census-db");
    assert_eq!(census.data_classification, DataClassification::Sensitive);
    assert_eq!(census.names.mn, None);
}

#[test]
fn consumers_count_granted_apps_of_other_tenants_and_pending_the_calls_awaiting_an_answer() {
    let e = entries(&fixture());
    let get = |app: &str| e.iter().find(|e| e.app == app).map(|e| (e.consumers, e.pending));
    // macro-db: clinic and registry (its own tenant's office-portal does not count).
    assert_eq!(get("macro-db"), Some((2, 0)));
    // census-db: clinic granted by its answer, registry waits with a purpose.
    assert_eq!(get("census-db"), Some((1, 1)));
    // survey-raw: refused on its basis.
    assert_eq!(get("survey-raw"), Some((0, 0)));
}

#[test]
fn an_answer_moves_a_call_from_pending_to_consumers() {
    let mut model = fixture();
    let census = model.apps.iter_mut().find(|a| a.metadata.name.as_deref() == Some("census-db")).expect("census-db");
    let sharing = census.spec.sharing.as_mut().expect("sharing");
    let mut answer = sharing.answers[0].clone();
    answer.consumer = "civil-affairs/extranet/registry".into();
    sharing.answers.push(answer);
    let e = entries(&model);
    let c = e.iter().find(|e| e.app == "census-db").expect("census-db");
    assert_eq!((c.consumers, c.pending), (2, 0));
}

#[test]
fn an_entry_says_nothing_of_where_the_resource_is() {
    let e = entries(&fixture());
    let text = serde_json::to_string(&e).expect("json");
    for addressy in ["svc", "cluster.local", "8443", "10.10.", "statistics-extranet"] {
        assert!(!text.contains(addressy), "{addressy} in {text}");
    }
}

#[test]
fn the_providers_tenant_owns_one_shared_resource_per_entry_and_its_owners_may_read_them_all() {
    let model = fixture();
    let planned = plan(&model, &Verdicts::default());
    let objects = planned.owner(OwnerKind::Tenant, "", "statistics").objects;
    let shared: Vec<&str> = objects.iter().filter(|o| o.kind() == "SharedResource").map(Owned::name).collect();
    assert_eq!(
        shared,
        ["statistics.extranet.census-db", "statistics.extranet.macro-db", "statistics.extranet.survey-raw"]
    );
    assert!(objects.iter().all(|o| o.kind() != "SharedResource" || o.namespace().is_empty()), "cluster-scoped");
    let health = planned.owner(OwnerKind::Tenant, "", "health").objects;
    assert!(!health.iter().any(|o| o.kind() == "SharedResource"), "a tenant that shares nothing owns no entry");
    let Some(Owned::ClusterRole(role)) = health.iter().find(|o| o.kind() == "ClusterRole") else {
        panic!("the tenant's cluster role")
    };
    let rules = role.rules.as_deref().unwrap_or_default();
    assert!(
        rules.iter().any(|r| r.resources.as_deref() == Some(&["sharedresources".to_string()][..])
            && r.resource_names.is_none()
            && r.verbs == ["get", "list", "watch"]),
        "{rules:?}"
    );
    assert!(
        rules.iter().all(|r| r.verbs.iter().all(|v| ["get", "list", "watch"].contains(&v.as_str()))),
        "read only: {rules:?}"
    );
}

#[test]
fn a_cluster_lists_the_resources_it_hosts() {
    let mut model = fixture();
    model.cluster = Some("elsewhere".into());
    let planned = plan(&model, &Verdicts::default());
    assert!(planned.owner(OwnerKind::Tenant, "", "statistics").objects.iter().all(|o| o.kind() != "SharedResource"));
    assert_eq!(catalogue(&planned.index, &planned.flows).len(), 3, "the model's catalogue is whole offline");
}
