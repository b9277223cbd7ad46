//! The 国产化 share computed by hand on three zones.

use super::*;

fn zone(name: &str, platforms: serde_json::Value) -> govcloud_core::api::NetworkZone {
    let doc = format!(
        "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {{name: {name}}}\nspec:\n  kind: extranet\n  displayName: {{zh: {name}, en: {name}}}\n  nodePool: {{selector: {{govcloud.io/zone: {name}}}, taint: {{key: govcloud.io/zone, value: {name}}}}}\n  cidrs: [10.1.0.0/16]\n  allowedRegistries: [harbor.egov.local]\nstatus: {{platforms: {platforms}}}\n"
    );
    let m = govcloud_core::model::load_str("zone.yaml", &doc).unwrap_or_else(|e| panic!("{e:?}")).model;
    m.zones.into_iter().next().expect("the zone")
}

fn platform(arch: &str, image: &str, nodes: i32, cpu: &str) -> serde_json::Value {
    serde_json::json!({"architecture": arch, "operatingSystem": "linux", "osImage": image, "kernelVersion": "", "nodes": nodes, "cpu": cpu})
}

fn model() -> Model {
    let mut m = govcloud_core::model::load_str("empty.yaml", "").expect("empty").model;
    m.zones = vec![
        // 2 × 64 arm64 cores (domestic by architecture) and 4 × 32 amd64 on Kylin (by OS image).
        zone(
            "private",
            serde_json::json!([
                platform("arm64", "", 2, "128"),
                platform("amd64", "Kylin Linux Advanced Server V10", 4, "128")
            ]),
        ),
        // 3 × 32 amd64 Ubuntu (not domestic) and 1 × 32 loong64 UOS.
        zone(
            "extranet",
            serde_json::json!([
                platform("amd64", "Ubuntu 22.04.4 LTS", 3, "96"),
                platform("loong64", "UOS Server 20", 1, "32")
            ]),
        ),
        // No platforms in its status: not counted.
        zone("internet", serde_json::json!([])),
    ];
    m
}

#[test]
fn the_share_is_the_cores_on_domestic_platforms_by_zone_and_for_the_city() {
    let d = domestic(&model(), &DomesticPlatforms::default()).expect("counted");
    let private = &d.zones["private"];
    assert_eq!((private.nodes, private.domestic_nodes), (6, 6));
    assert_eq!(private.share, Some(1.0), "256 of 256 cores");
    let extranet = &d.zones["extranet"];
    assert_eq!((extranet.nodes, extranet.domestic_nodes, extranet.cores, extranet.domestic_cores), (4, 1, 128.0, 32.0));
    assert_eq!(extranet.share, Some(0.25), "32 of 128 cores");
    assert!(!d.zones.contains_key("internet"), "a zone without platforms is not counted");
    // City: (256 + 32) ÷ (256 + 128) = 0.75.
    assert_eq!((d.city.nodes, d.city.domestic_nodes, d.city.cores, d.city.domestic_cores), (10, 7, 384.0, 288.0));
    assert_eq!(d.city.share, Some(0.75));
    assert_eq!(d.rows.len(), 4);
}

#[test]
fn the_list_is_configurable_and_checked() {
    // Architectures only: Kylin and UOS no longer count.
    let arch_only = DomesticPlatforms::parse("list.yaml", "architectures: [arm64]\n").expect("list");
    let d = domestic(&model(), &arch_only).expect("counted");
    assert_eq!(d.zones["private"].share, Some(0.5), "128 of 256");
    assert_eq!(d.zones["extranet"].share, Some(0.0));
    assert_eq!(d.city.share, Some(128.0 / 384.0));
    let err = DomesticPlatforms::parse("list.yaml", "osImages: [\"\"]\n").expect_err("empty name");
    assert!(err.starts_with("list.yaml: osImages[0]: empty"), "{err}");
    let err = DomesticPlatforms::parse("list.yaml", "arches: [arm64]\n").expect_err("unknown field");
    assert!(err.contains("list.yaml") && err.contains("arches") && err.contains("architectures:"), "{err}");
}

#[test]
fn without_platforms_in_any_status_there_is_no_share() {
    let mut m = model();
    for z in &mut m.zones {
        z.status = None;
    }
    assert_eq!(domestic(&m, &DomesticPlatforms::default()), None);
}
