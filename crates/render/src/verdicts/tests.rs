use super::*;
use govcloud_core::api::{Exposure, ZoneKind};

#[test]
fn kept_verdicts_follow_what_was_judged() {
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("examples/chifeng");
    let model = govcloud_core::model::load_paths(&[dir]).expect("chifeng").model;
    let (evaluator, verdicts) = (Evaluator::new(), Verdicts::default());
    let app = model.apps.first().expect("an app");
    let ns = app.namespace().unwrap_or_default();
    let (tenant, zone) = govcloud_core::meta::names::split_namespace(&ns).expect("a tenant namespace");
    let tenant = model.tenants.iter().find(|t| t.name_any() == tenant).expect("its tenant");
    let zone = model.zones.iter().find(|z| z.name_any() == zone).expect("its zone");
    let ids = |f: &[Failure]| f.iter().map(|f| f.check.control).collect::<Vec<_>>();
    let first = verdicts.failures(&evaluator, app, tenant, zone, &[]);
    assert_eq!(
        ids(&verdicts.failures(&evaluator, app, tenant, zone, &[])),
        ids(&first),
        "the same inputs, the same verdict"
    );
    // Bookkeeping does not change the verdict; the spec does.
    let mut touched = app.clone();
    touched.metadata.resource_version = Some("12345".into());
    assert_eq!(ids(&verdicts.failures(&evaluator, &touched, tenant, zone, &[])), ids(&first));
    let mut foreign = app.clone();
    foreign.spec.image = "docker.io/library/nginx:1".into();
    let verdict = verdicts.failures(&evaluator, &foreign, tenant, zone, &[]);
    assert!(ids(&verdict).contains(&controls::IMAGE_REGISTRY), "a foreign image fails GC-IMG-001: {:?}", ids(&verdict));
    assert!(!ids(&first).contains(&controls::IMAGE_REGISTRY), "{:?}", ids(&first));
    assert_eq!(verdicts.len(), 2, "kept by what was judged: the app as first seen, and the foreign image");
}

#[test]
fn a_host_a_tenant_owns_is_refused_to_every_other_tenants_app() {
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("examples/chifeng");
    let mut model = govcloud_core::model::load_paths(&[dir]).expect("chifeng").model;
    let zone = model.zones.iter().find(|z| z.spec.kind == ZoneKind::Internet).expect("an internet zone").clone();
    let domain = zone.spec.public_domain.clone().expect("a public domain");
    let public: Vec<&DepartmentApp> =
        model.apps.iter().filter(|a| a.spec.zone == zone.name_any() && a.spec.exposure == Exposure::Public).collect();
    let (mine, theirs) = (
        public[0].clone(),
        public
            .iter()
            .find(|a| a.namespace() != public[0].namespace())
            .copied()
            .expect("two tenants' public apps")
            .clone(),
    );
    let owner = govcloud_core::meta::names::split_namespace(&mine.namespace().unwrap_or_default())
        .expect("tenant namespace")
        .0
        .to_string();
    let other = govcloud_core::meta::names::split_namespace(&theirs.namespace().unwrap_or_default())
        .expect("tenant namespace")
        .0
        .to_string();
    let host = format!("owned.{domain}");
    if let Some(t) = model.tenants.iter_mut().find(|t| t.name_any() == owner) {
        t.spec.allowed_hosts.push(host.clone());
    }
    let owners = host_owners(&model.tenants);
    assert!(owners.contains(&HostOwner { host: host.clone(), tenant: owner.clone() }), "{owners:?}");
    let param = zone_param(&zone, &owners);
    assert_eq!(param["status"]["hostOwners"].as_array().map(Vec::len), Some(owners.len()));
    let (evaluator, verdicts) = (Evaluator::new(), Verdicts::default());
    let tenant = |n: &str| model.tenants.iter().find(|t| t.name_any() == n).expect("tenant").clone();
    let with_host = |a: &DepartmentApp| {
        let mut a = a.clone();
        a.spec.host = Some(host.clone());
        a
    };
    let refused = |a: &DepartmentApp, t: &str| {
        verdicts
            .failures(&evaluator, &with_host(a), &tenant(t), &zone, &owners)
            .iter()
            .any(|f| f.check.control == controls::PUBLIC_HOSTS)
    };
    assert!(refused(&theirs, &other), "another tenant's app is refused the host {host}");
    assert!(!refused(&mine, &owner), "the owner's app may use it");
    // Without the owners (an old status), only the domain rule judges.
    assert!(
        verdicts
            .failures(&evaluator, &with_host(&theirs), &tenant(&other), &zone, &[])
            .iter()
            .all(|f| f.check.control != controls::PUBLIC_HOSTS)
    );
}
