use super::*;

fn zone(name: &str, cluster: Option<&str>) -> NetworkZone {
    let mut z: NetworkZone = serde_json::from_value(serde_json::json!({
            "apiVersion": "govcloud.io/v1alpha1", "kind": "NetworkZone", "metadata": {"name": name},
            "spec": {"kind": "extranet", "displayName": {"zh": "区", "en": "zone"}, "nodePool": {"selector": {"a": "b"}, "taint": {"key": "k", "value": name}},
                     "cidrs": ["10.0.0.0/8"], "allowedRegistries": ["harbor.egov.local"]}
        }))
        .expect("zone");
    z.spec.cluster = cluster.map(String::from);
    z
}

#[test]
fn an_operator_for_another_cluster_refuses_to_start_where_zones_it_does_not_host_run() {
    let zones = [zone("extranet", Some("egov")), zone("private", Some("private")), zone("lab", None)];
    let running = |z: &[&str]| z.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(wrong_cluster(&zones, &running(&["private"]), Some("private")), None);
    assert_eq!(wrong_cluster(&zones, &running(&[]), Some("egov")), None, "a new cluster starts");
    let wrong = wrong_cluster(&zones, &running(&["private", "lab"]), Some("egov")).expect("refused");
    assert!(wrong.contains("zone lab") && wrong.contains("Start it with no --cluster"), "{wrong}");
    let wrong = wrong_cluster(&zones, &running(&["private"]), None).expect("refused");
    assert!(wrong.contains("zone private") && wrong.contains("Start it with --cluster private"), "{wrong}");
}

#[test]
fn an_operator_for_a_cluster_no_zone_names_warns() {
    let zones = [zone("extranet", Some("egov")), zone("private", Some("private"))];
    let warning = hosts_nothing(&zones, Some("egvo")).expect("a warning");
    assert_eq!(
        warning,
        "no NetworkZone is hosted by cluster egvo: the zones name cluster egov, cluster private; nothing will run here but declaration namespaces. Check --cluster"
    );
    assert!(hosts_nothing(&zones, None).is_some(), "the cluster without a name hosts none of them");
    assert_eq!(hosts_nothing(&zones, Some("egov")), None);
    assert_eq!(hosts_nothing(&[], Some("egov")), None, "no zone yet: nothing to say");
}
