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
    let wrong = wrong_cluster(&zones, &running(&["private", "lab"]), Some("egov")).expect("refused").to_string();
    assert!(wrong.contains("zone lab") && wrong.contains("Start it with no --cluster"), "{wrong}");
    let wrong = wrong_cluster(&zones, &running(&["private"]), None).expect("refused").to_string();
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

#[test]
fn start_up_errors_say_what_they_said_as_messages() {
    assert_eq!(parse_selector(" a=b ,c==d"), Ok(vec![("a".into(), "b".into()), ("c".into(), "d".into())]));
    let e = parse_selector("a=b,c!=d").expect_err("not an equality");
    assert_eq!(e, SelectorError { selector: "a=b,c!=d".into(), pair: "c!=d".into() });
    let start: StartError = e.into();
    assert_eq!(start.to_string(), r#"selector "a=b,c!=d": only key=value pairs are supported, got "c!=d""#);
    let zones = [zone("private", Some("private"))];
    let wrong = wrong_cluster(&zones, &["private".to_string()], Some("egov")).expect("refused");
    assert_eq!(
        wrong,
        WrongCluster { zone: "private".into(), host: Some("private".into()), cluster: Some("egov".into()) }
    );
    assert_eq!(
        StartError::from(wrong).to_string(),
        "this cluster runs workloads of zone private, which spec.cluster places in cluster private, but this operator was started for cluster egov: it would remove them. Start it with --cluster private, or remove those workloads first"
    );
    let bind = std::io::Error::new(std::io::ErrorKind::AddrInUse, "address in use");
    let e = StartError::MetricsAddress { address: "0.0.0.0:8080".into(), source: bind };
    assert_eq!(e.to_string(), "metrics address 0.0.0.0:8080: address in use");
}
