//! Unit tests of `projects`: the apps and requests of a project, what they
//! request, and its cost at the zones' prices.

use crate::{Inputs, Missing, PriceTable, evaluate};

#[test]
fn a_project_sums_its_apps_across_tenants_and_prices_them() {
    let text = "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: ext}\nspec:\n  kind: extranet\n  displayName: {zh: 外网, en: Extranet}\n  nodePool: {selector: {govcloud.io/zone: extranet}, taint: {key: govcloud.io/zone, value: extranet}}\n  cidrs: [10.10.0.0/16]\n  allowedRegistries: [harbor.egov.local]\n---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: a}\nspec:\n  displayName: {zh: 甲, en: A}\n  zones: [{name: ext}]\n---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: b}\nspec:\n  displayName: {zh: 乙, en: B}\n  zones: [{name: ext}]\n---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: x, namespace: a-ext}\nspec:\n  zone: ext\n  project: 一网通办\n  image: harbor.egov.local/a/x:1\n  replicas: 2\n  resources: {requests: {cpu: 500m, memory: 1Gi}}\n---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: y, namespace: b-ext}\nspec:\n  zone: ext\n  project: 一网通办\n  image: harbor.egov.local/b/y:1\n  resources: {requests: {cpu: '1', memory: 2Gi}}\n---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: z, namespace: b-ext}\nspec:\n  zone: ext\n  image: harbor.egov.local/b/z:1\n";
    let model = govcloud_core::model::load_str("t.yaml", text).unwrap_or_else(|e| panic!("{e:?}")).model;
    let prices =
        PriceTable::parse("p.yaml", "zones:\n  ext: {cpuCoreMonth: 100, memoryGiBMonth: 10, storageGiBMonth: 1}\n")
            .expect("prices");
    let e = evaluate(Inputs { prices: Some(&prices), ..Inputs::of(&model) });
    assert_eq!(e.projects.len(), 1, "z names no project");
    let p = &e.projects[0];
    assert_eq!(p.name, "一网通办");
    assert_eq!(p.apps.iter().map(String::as_str).collect::<Vec<_>>(), ["a/ext/x", "b/ext/y"]);
    // 2 × 500m + 1 = 2 cores; 2 × 1Gi + 2Gi = 4Gi.
    assert_eq!((p.cpu_requested, p.memory_requested), (2.0, 4.0 * 1024.0 * 1024.0 * 1024.0));
    assert_eq!(p.monthly_cost, Some(2.0 * 100.0 + 4.0 * 10.0));
    assert_eq!(p.cpu_used.missing, Some(Missing::NoUsage));
    assert_eq!(p.apps_ready.missing, Some(Missing::NoStatus));
}
