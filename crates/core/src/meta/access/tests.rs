use super::*;

fn rule(groups: &[&str], resources: &[&str], names: Option<&[&str]>, verbs: &[&str]) -> ResourceRule {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    ResourceRule {
        api_groups: Some(v(groups)),
        resources: Some(v(resources)),
        resource_names: names.map(v),
        verbs: v(verbs),
    }
}

#[test]
fn the_rules_name_the_tenants_one_may_get_or_all_of_them() {
    let own = rule(&["govcloud.io"], &["tenants"], Some(&["tongji"]), &["get", "watch"]);
    let zones = rule(&["govcloud.io"], &["networkzones"], Some(&["extranet"]), &["get"]);
    let listing = rule(&["govcloud.io"], &["sharedresources"], None, &["get", "list"]);
    let other_group = rule(&["example.io"], &["tenants"], Some(&["x"]), &["get"]);
    let watch_only = rule(&["govcloud.io"], &["tenants"], Some(&["y"]), &["watch"]);
    let named = |n: &[&str]| Readable::Named(n.iter().map(|x| x.to_string()).collect());
    assert_eq!(readable_tenants(&[own.clone(), zones, listing, other_group, watch_only]), named(&["tongji"]));
    assert_eq!(readable_tenants(&[]), named(&[]));
    let two = rule(&["govcloud.io"], &["tenants", "tenants/status"], Some(&["gongan"]), &["get"]);
    assert_eq!(readable_tenants(&[own.clone(), two]), named(&["gongan", "tongji"]));
    let wild = rule(&["*"], &["*"], Some(&["culture"]), &["*"]);
    assert_eq!(readable_tenants(&[own.clone(), wild]), named(&["culture", "tongji"]));
    let all = rule(&["govcloud.io"], &["tenants"], None, &["list", "get"]);
    assert_eq!(readable_tenants(&[own.clone(), all]), Readable::All);
    assert_eq!(readable_tenants(&[own, rule(&["*"], &["*"], None, &["*"])]), Readable::All);
}
