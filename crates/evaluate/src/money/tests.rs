//! Unit tests of `money`: bad price tables name the file, the field and the
//! fix; quota from the spec (no status) and from the status in ¥.

use super::*;

const TABLE: &str = "zones:\n  ext: {cpuCoreMonth: 100, memoryGiBMonth: 10, storageGiBMonth: 1}\n";

#[test]
fn a_bad_price_table_names_the_file_the_field_and_the_fix() {
    let e =
        PriceTable::parse("p.yaml", "zones:\n  ext: {cpuCoreMonth: cheap, memoryGiBMonth: 1, storageGiBMonth: 1}\n")
            .expect_err("not a number");
    assert!(e.starts_with("p.yaml: zones.ext.cpuCoreMonth: "), "{e}");
    assert!(e.contains("examples/chifeng/prices.yaml"), "{e}");
    let e = PriceTable::parse("p.yaml", "zones:\n  ext: {cpuCoreMonth: 1, memoryGibMonth: 1, storageGiBMonth: 1}\n")
        .expect_err("typo");
    assert!(e.starts_with("p.yaml: zones.ext.memoryGibMonth: unknown field"), "{e}");
    let e = PriceTable::parse("p.yaml", "zones:\n  ext: {cpuCoreMonth: -1, memoryGiBMonth: 1, storageGiBMonth: 1}\n")
        .expect_err("negative");
    assert_eq!(e, "p.yaml: zones.ext.cpuCoreMonth: -1 is not a price; give ¥ per month, a number 0 or more");
    let e = PriceTable::parse("p.yaml", "zones: {}\n").expect_err("empty");
    assert!(e.starts_with("p.yaml: zones: no zone priced"), "{e}");
    let t = PriceTable::parse("p.yaml", TABLE).expect("good");
    assert_eq!(t.currency, "CNY");
    assert_eq!(t.price("ext", 2.0, 4.0 * GIB, 10.0 * GIB), Some(200.0 + 40.0 + 10.0));
    assert_eq!(t.price("private", 1.0, 0.0, 0.0), None);
}

#[test]
fn quota_is_priced_from_the_spec_without_status_and_from_the_status_with_one() {
    let text = "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: ext}\nspec:\n  kind: extranet\n  displayName: {zh: 外网, en: Extranet}\n  nodePool: {selector: {govcloud.io/zone: extranet}, taint: {key: govcloud.io/zone, value: extranet}}\n  cidrs: [10.10.0.0/16]\n  allowedRegistries: [harbor.egov.local]\n---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: a}\nspec:\n  displayName: {zh: 甲, en: A}\n  zones: [{name: ext, quota: {cpu: '4', memory: 8Gi, pods: 10, services: 5, storage: 20Gi}}]\n";
    let mut model = govcloud_core::model::load_str("t.yaml", text).expect("model").model;
    let prices = PriceTable::parse("p.yaml", TABLE).expect("prices");
    prices.check_zones("p.yaml", &model).expect("every zone priced");
    let m = money(&model, &prices);
    // 4 × 100 + 8 × 10 + 20 × 1.
    assert_eq!(m.tenants["a"], Cost { granted: 500.0, used: None, reclaimable: None });
    assert_eq!(m.zones["ext"].granted, 500.0);
    let status: govcloud_core::api::TenantStatus = serde_json::from_value(serde_json::json!({"quota": [{
        "zone": "ext", "namespace": "a-ext",
        "granted": {"requests.cpu": "4", "requests.memory": "8Gi", "requests.storage": "20Gi"},
        "used": {"requests.cpu": "1500m", "requests.memory": "2Gi", "requests.storage": "0"}}]}))
    .expect("status");
    model.tenants[0].status = Some(status);
    let m = money(&model, &prices);
    // In use 1.5 × 100 + 2 × 10 = 170; reclaimable 2.5 × 100 + 6 × 10 + 20 × 1 = 330.
    assert_eq!(m.tenants["a"], Cost { granted: 500.0, used: Some(170.0), reclaimable: Some(330.0) });
    assert_eq!(m.total, m.tenants["a"]);
    let other =
        PriceTable::parse("p.yaml", "zones:\n  private: {cpuCoreMonth: 1, memoryGiBMonth: 1, storageGiBMonth: 1}\n")
            .expect("prices");
    let e = other.check_zones("p.yaml", &model).expect_err("ext unpriced");
    assert!(e.starts_with("p.yaml: zones.ext: missing"), "{e}");
}

#[test]
fn the_table_reads_from_a_price_configmap_and_a_configmap_without_it_is_named() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: govcloud-prices\n  labels: {govcloud.io/prices: 'true'}\ndata:\n  prices.yaml: |\n    zones:\n      ext: {cpuCoreMonth: 100, memoryGiBMonth: 10, storageGiBMonth: 1}\n";
    let t = PriceTable::parse("cm.yaml", cm).expect("configmap");
    assert_eq!(t, PriceTable::parse("p.yaml", TABLE).expect("bare"));
    let e = PriceTable::parse("cm.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: {other: x}\n").expect_err("no key");
    assert!(e.starts_with("cm.yaml: data.prices.yaml: missing"), "{e}");
    let bad = cm.replace("cpuCoreMonth: 100", "cpuCoreMonth: -1");
    let e = PriceTable::parse("cm.yaml", &bad).expect_err("bad price");
    assert!(e.starts_with("cm.yaml (data.prices.yaml): zones.ext.cpuCoreMonth: -1 is not a price"), "{e}");
    let e = PriceTable::parse("empty.yaml", "").expect_err("empty");
    assert!(e.starts_with("empty.yaml: ") && e.contains("examples/chifeng/prices.yaml"), "{e}");
}
