use serde_json::json;

use super::*;

fn l(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn the_first_matching_rule_of_the_first_policy_by_priority_decides() {
    let deny = json!({"kind": "ClusterNetworkPolicy", "metadata": {"name": "b-deny"}, "spec": {"tier": "Admin", "priority": 10,
            "subject": {"namespaces": {"matchLabels": {"zone": "private"}}},
            "egress": [{"name": "internet", "action": "Deny", "to": [{"namespaces": {"matchLabels": {"zone": "internet"}}}, {"networks": ["0.0.0.0/0"]}]}],
            "ingress": [{"name": "web", "action": "Deny", "from": [{"namespaces": {}}], "protocols": [{"tcp": {"destinationPort": {"number": 80}}}]}]}});
    let pass = json!({"kind": "ClusterNetworkPolicy", "metadata": {"name": "a-pass"}, "spec": {"tier": "Admin", "priority": 20,
            "subject": {"namespaces": {}}, "egress": [{"action": "Pass", "to": [{"namespaces": {}}]}]}});
    let accept = json!({"kind": "ClusterNetworkPolicy", "metadata": {"name": "c"}, "spec": {"tier": "Admin", "priority": 5,
            "subject": {"pods": {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "x"}}}},
            "egress": [{"action": "Accept", "to": [{"pods": {"namespaceSelector": {"matchLabels": {"zone": "internet"}}, "podSelector": {}}}]}]}});
    let baseline = json!({"kind": "ClusterNetworkPolicy", "metadata": {"name": "base"}, "spec": {"tier": "Baseline", "priority": 0,
            "subject": {"namespaces": {}}, "egress": [{"action": "Deny", "to": [{"namespaces": {}}]}]}});
    let objects = [pass, deny, accept, baseline];
    let tier = AdminTier::new(&objects);
    let (private, internet, extranet) =
        (l(&[("zone", "private")]), l(&[("zone", "internet")]), l(&[("zone", "extranet")]));
    let (plain, x) = (l(&[]), l(&[("app", "x")]));
    let pod = |namespace, labels| End::Pod { namespace, labels };
    assert_eq!(tier.egress(pod(&private, &plain), pod(&internet, &plain), 443, "TCP").0, Verdict::Deny);
    assert_eq!(
        tier.egress(pod(&private, &plain), End::Ip("8.8.8.8".parse().expect("ip")), 443, "TCP").0,
        Verdict::Deny
    );
    assert_eq!(
        tier.egress(pod(&private, &x), pod(&internet, &plain), 443, "TCP"),
        (Verdict::Accept, Some("c/".into())),
        "priority 5 first"
    );
    assert_eq!(
        tier.egress(pod(&private, &plain), pod(&extranet, &plain), 443, "TCP").0,
        Verdict::Pass,
        "the baseline tier is not the admin tier"
    );
    assert_eq!(tier.egress(pod(&extranet, &plain), pod(&private, &plain), 443, "TCP").0, Verdict::Pass);
    assert_eq!(tier.ingress(pod(&private, &plain), pod(&extranet, &plain), 80, "TCP").0, Verdict::Deny);
    assert_eq!(tier.ingress(pod(&private, &plain), pod(&extranet, &plain), 81, "TCP").0, Verdict::Pass, "another port");
    assert_eq!(
        tier.ingress(pod(&private, &plain), pod(&extranet, &plain), 80, "UDP").0,
        Verdict::Pass,
        "another protocol"
    );
    assert!(AdminTier::new(&[]).is_empty());
}
