//! Unit tests of `city`: each status, quota and request read from the cluster hosting it.

use super::*;
use govcloud_core::api::{DepartmentAppStatus, TenantStatus, ZoneUsage};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;

fn two_clusters() -> (Model, Model) {
    let root = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let paths = ["examples/chifeng-clusters/zones.yaml", "examples/chifeng/tenants.yaml", "examples/chifeng/apps"]
        .map(|p| root.join(p));
    let model = govcloud_core::model::load_paths(&paths).expect("chifeng in two clusters").model;
    let (mut egov, mut private) = (model.clone(), model);
    egov.cluster = Some("egov".into());
    private.cluster = Some("private".into());
    (egov, private)
}

fn ready(a: &mut govcloud_core::api::DepartmentApp, ok: bool) {
    a.status = Some(DepartmentAppStatus {
        ready_replicas: i32::from(ok),
        conditions: vec![Condition {
            type_: "Ready".into(),
            status: if ok { "True" } else { "False" }.into(),
            reason: "R".into(),
            message: String::new(),
            last_transition_time: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                k8s_openapi::jiff::Timestamp::UNIX_EPOCH,
            ),
            observed_generation: None,
        }],
        ..Default::default()
    });
}

#[test]
fn each_status_comes_from_the_cluster_hosting_its_zone() {
    let (mut egov, mut private) = two_clusters();
    // Each cluster says its own apps run and the others are declared
    // only (HostedElsewhere is Ready too, but is not what runs).
    for (m, here) in [(&mut egov, "egov"), (&mut private, "private")] {
        let hosted: Vec<String> =
            m.zones.iter().filter(|z| z.spec.cluster.as_deref() == Some(here)).map(|z| z.name_any()).collect();
        for a in &mut m.apps {
            let mine = hosted.contains(&a.spec.zone);
            ready(a, mine);
        }
    }
    // Both clusters know the tenant; each counts the quota of its zones.
    for (m, zone, used) in [(&mut egov, "extranet", "1"), (&mut private, "private", "2")] {
        let t = m.tenants.iter_mut().find(|t| t.name_any() == "public-security").expect("public-security");
        t.status = Some(TenantStatus {
            quota: ["extranet", "private", "internet"]
                .iter()
                .filter(|z| t.spec.zones.iter().any(|tz| tz.name == **z))
                .map(|z| ZoneUsage {
                    zone: z.to_string(),
                    namespace: names::namespace_name("public-security", z),
                    granted: [("requests.cpu".to_string(), "4".to_string())].into(),
                    used: [("requests.cpu".to_string(), if *z == zone { used } else { "9" }.to_string())].into(),
                })
                .collect(),
            ..Default::default()
        });
    }
    let city = city_model(&[(Some("egov"), &egov), (Some("private"), &private)]).expect("city");
    assert!(city.cluster.is_none() && city.zones.iter().all(|z| z.spec.cluster.is_none()), "every zone is the city's");
    assert!(city.zones.iter().all(|z| city.hosts_zone(&z.name_any())));
    // Every app is Ready: each from where it runs.
    assert!(!city.apps.is_empty());
    for a in &city.apps {
        assert_eq!(
            a.status.as_ref().map(|s| s.ready_replicas),
            Some(1),
            "{}/{}",
            a.namespace().unwrap_or_default(),
            a.name_any()
        );
    }
    let t = city.tenants.iter().find(|t| t.name_any() == "public-security").expect("tenant");
    let used: Vec<(String, String)> = t
        .status
        .as_ref()
        .expect("status")
        .quota
        .iter()
        .map(|u| (u.zone.clone(), u.used["requests.cpu"].clone()))
        .collect();
    assert!(used.contains(&("private".to_string(), "2".to_string())), "{used:?}");
    assert!(used.iter().all(|(_, u)| u != "9"), "never a count from a cluster that does not host the zone: {used:?}");
    // One cluster read: the other's apps have no status, never a guess.
    let city = city_model(&[(Some("egov"), &egov)]).expect("city");
    let private_app = city.apps.iter().find(|a| a.spec.zone == "private").expect("a private app");
    assert!(private_app.status.is_none());
    assert!(city_model(&[]).is_none());
}

#[test]
fn a_request_is_read_where_its_namespace_runs() {
    let (egov, _) = two_clusters();
    assert!(hosts_namespace(&egov, Some("private"), "public-security-private"));
    assert!(!hosts_namespace(&egov, Some("egov"), "public-security-private"));
    assert!(hosts_namespace(&egov, Some("egov"), "health-extranet"));
    assert!(!hosts_namespace(&egov, Some("private"), "health-extranet"));
    assert!(!hosts_namespace(&egov, Some("egov"), "kube-system"));
}
