use super::*;

const ZONE: &str = r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: extranet}
spec:
  kind: extranet
  displayName: {zh: 政务外网, en: extranet}
  nodePool: {selector: {govcloud.io/zone: extranet}, taint: {key: govcloud.io/zone, value: extranet}}
  cidrs: [10.10.0.0/16]
  allowedRegistries: [harbor.egov.local]
status:
  capacity: {cpu: "16", memory: 64Gi, grantedCpu: "6", grantedMemory: 12Gi}
"#;

fn node(name: &str, zone: &str, arch: &str, ready: bool) -> Value {
    serde_json::json!({
        "metadata": {"name": name, "labels": {"govcloud.io/zone": zone, "kubernetes.io/arch": arch}},
        "spec": {"taints": [{"key": "govcloud.io/zone", "value": zone, "effect": "NoSchedule"}]},
        "status": {"conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}
    })
}

fn tenant(name: &str, zone: &str) -> Tenant {
    serde_norway::from_str(&format!(
        "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {name}}}\nspec:\n  displayName: {{zh: 部门{name}, en: {name}}}\n  owners: [{{kind: Group, name: {name}-admins, role: admin}}]\n  zones: [{{name: {zone}}}]\n"
    ))
    .expect("tenant")
}

#[test]
fn a_zone_s_row_counts_its_pool_s_nodes_ready_and_by_architecture_its_capacity_and_tenants() {
    let zone: NetworkZone = serde_norway::from_str(ZONE).expect("zone");
    let nodes = [
        node("a", "extranet", "amd64", true),
        node("b", "extranet", "arm64", true),
        node("c", "extranet", "arm64", false),
        node("d", "private", "amd64", true),
    ];
    let tenants = [tenant("weijian", "extranet"), tenant("gongan", "private"), tenant("tongji", "extranet")];
    let rows = zone_rows(std::slice::from_ref(&zone), &nodes, &tenants);
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!((r.name.as_str(), r.kind.as_str(), r.nodes, r.ready), ("extranet", "extranet", 3, 2));
    assert_eq!(r.arches, BTreeMap::from([("amd64".to_string(), 1), ("arm64".to_string(), 2)]));
    assert_eq!(r.tenants, vec!["tongji".to_string(), "weijian".to_string()]);
    assert_eq!(r.capacity.as_ref().map(|k| (k.granted_cpu.as_str(), k.cpu.as_str())), Some(("6", "16")));
}

#[test]
fn the_city_page_draws_the_audit_s_picture_of_the_model_and_labels_its_bars() {
    let zone: NetworkZone = serde_norway::from_str(ZONE).expect("zone");
    let app: crate::api::DepartmentApp = serde_norway::from_str(
        "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {name: clinic, namespace: weijian-extranet}\nspec: {zone: extranet, image: harbor.egov.local/w/clinic:1}\n",
    )
    .expect("app");
    let model = crate::model::Model {
        zones: vec![zone.clone()],
        tenants: vec![tenant("weijian", "extranet")],
        apps: vec![app],
        requests: vec![],
        cluster_cidrs: vec![],
        cluster: None,
        config_map_digests: Default::default(),
        admin_tier: false,
        api_server: vec![],
    };
    let picture = crate::audit::picture(&model);
    assert_eq!(picture.connectivity.apps, vec![("weijian/clinic".to_string(), "extranet".to_string())]);
    assert!(picture.findings.is_empty());
    let m = City {
        zones: zone_rows(&[zone], &[node("a", "extranet", "amd64", true)], &model.tenants),
        picture,
        unread: vec![],
        failures: vec![],
        refused: vec![],
    };
    let c = Chrome { lang: Lang::Zh, user: "pe".into(), csrf: "x".into(), login: false };
    let p = city(&c, &m);
    for s in [
        "id=\"zone-extranet\"",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"topology\"",
        "部门weijian",
        "1 个应用",
        "<label for=\"cpu-extranet\">6 / 16</label>",
        "<meter id=\"cpu-extranet\" min=\"0\" max=\"16.000\" value=\"6.000\">",
        "1/1",
        "amd64 1",
        "1: weijian",
    ] {
        assert!(p.contains(s), "{s} not in {p}");
    }
    assert!(!p.contains("<script") && !p.contains(" style="), "{p}");
}
