use super::*;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelectorRequirement, ObjectMeta};

#[test]
fn reads_what_the_api_server_returns_and_writes_camel_case() {
    let text = r#"{"apiVersion":"policy.networking.k8s.io/v1beta1","kind":"ClusterNetworkPolicy","metadata":{"name":"x"},
            "spec":{"tier":"Admin","priority":100,"subject":{"namespaces":{}},
            "ingress":[{"action":"Deny","from":[{"pods":{"namespaceSelector":{},"podSelector":{"matchLabels":{"a":"b"}}}}],"protocols":[{"tcp":{"destinationPort":{"number":80}}}]}],
            "egress":[{"name":"n","action":"Pass","to":[{"networks":["10.0.0.0/8"]}]}]},"status":{"conditions":[]}}"#;
    let p: ClusterNetworkPolicy = serde_json::from_str(text).expect("parse");
    assert_eq!(p.spec.priority, 100);
    let ingress = p.spec.ingress.as_deref().unwrap_or_default();
    assert_eq!(ingress[0].protocols.as_ref().map(Vec::len), Some(1));
    let v = serde_json::to_value(&p).expect("json");
    assert_eq!(v["kind"], "ClusterNetworkPolicy");
    assert_eq!(v["apiVersion"], "policy.networking.k8s.io/v1beta1");
    assert_eq!(v["spec"]["ingress"][0]["from"][0]["pods"]["podSelector"]["matchLabels"]["a"], "b");
    assert_eq!(v["spec"]["ingress"][0]["protocols"][0]["tcp"]["destinationPort"]["number"], 80);
    assert_eq!(v["spec"]["egress"][0]["to"][0]["networks"][0], "10.0.0.0/8");
    assert!(v["spec"]["egress"][0].get("from").is_none());
    assert_eq!(CRD_NAME, format!("{PLURAL}.{GROUP}"));
}

#[test]
fn k8s_openapi_constants_say_what_the_generated_derive_says() {
    use k8s_openapi::Resource as _;
    type K = ClusterNetworkPolicy;
    assert_eq!(<K as kube::Resource>::group(&()), K::GROUP);
    assert_eq!(<K as kube::Resource>::version(&()), K::VERSION);
    assert_eq!(<K as kube::Resource>::api_version(&()), K::API_VERSION);
    assert_eq!(<K as kube::Resource>::kind(&()), K::KIND);
    assert_eq!(<K as kube::Resource>::plural(&()), K::URL_PATH_SEGMENT);
    assert_eq!((K::GROUP, K::VERSION, K::URL_PATH_SEGMENT), (GROUP, VERSION, PLURAL));
}

#[test]
fn the_string_constants_are_the_generated_enums_as_json() {
    let json = |v: serde_json::Value| v.as_str().map(String::from).unwrap_or_default();
    assert_eq!(json(serde_json::json!(ClusterNetworkPolicyTier::Admin)), ADMIN_TIER);
    for (ingress, egress, s) in [
        (ClusterNetworkPolicyIngressAction::Accept, ClusterNetworkPolicyEgressAction::Accept, action::ACCEPT),
        (ClusterNetworkPolicyIngressAction::Deny, ClusterNetworkPolicyEgressAction::Deny, action::DENY),
        (ClusterNetworkPolicyIngressAction::Pass, ClusterNetworkPolicyEgressAction::Pass, action::PASS),
    ] {
        assert_eq!(json(serde_json::json!(ingress)), s);
        assert_eq!(json(serde_json::json!(egress)), s);
    }
}

#[test]
fn peers_and_subjects_from_label_selectors_write_the_selectors_as_they_are() {
    let ns = LabelSelector {
        match_labels: Some([("zone".to_string(), "a".to_string())].into()),
        match_expressions: Some(vec![LabelSelectorRequirement {
            key: "tenant".into(),
            operator: "In".into(),
            values: Some(vec!["x".into(), "y".into()]),
        }]),
    };
    let pods =
        LabelSelector { match_labels: Some([("app".to_string(), "b".to_string())].into()), ..Default::default() };
    let selectors = serde_json::json!({"namespaceSelector": ns, "podSelector": pods});
    fn as_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
        serde_json::to_value(v).expect("json")
    }
    assert_eq!(as_json(&ClusterNetworkPolicySubject::namespaces(ns.clone())), serde_json::json!({"namespaces": ns}));
    assert_eq!(
        as_json(&ClusterNetworkPolicySubject::pods(ns.clone(), pods.clone())),
        serde_json::json!({"pods": selectors})
    );
    assert_eq!(
        as_json(&ClusterNetworkPolicyIngressFrom::namespaces(ns.clone())),
        serde_json::json!({"namespaces": ns})
    );
    assert_eq!(
        as_json(&ClusterNetworkPolicyIngressFrom::pods(ns.clone(), pods.clone())),
        serde_json::json!({"pods": selectors})
    );
    assert_eq!(as_json(&ClusterNetworkPolicyEgressTo::namespaces(ns.clone())), serde_json::json!({"namespaces": ns}));
    assert_eq!(
        as_json(&ClusterNetworkPolicyEgressTo::pods(ns.clone(), pods.clone())),
        serde_json::json!({"pods": selectors})
    );
    assert_eq!(
        as_json(&ClusterNetworkPolicyEgressTo::networks(vec!["10.0.0.0/8".into()])),
        serde_json::json!({"networks": ["10.0.0.0/8"]})
    );
    assert_eq!(
        as_json(&ClusterNetworkPolicyEgressTo::namespaces(LabelSelector::default())),
        serde_json::json!({"namespaces": {}})
    );
}

#[test]
fn a_policy_is_written_in_the_order_govcloud_always_wrote_it() {
    let p = ClusterNetworkPolicy {
        metadata: ObjectMeta { name: Some("p".into()), ..Default::default() },
        spec: ClusterNetworkPolicySpec {
            tier: ClusterNetworkPolicyTier::Admin,
            priority: 300,
            subject: ClusterNetworkPolicySubject::namespaces(LabelSelector::default()),
            ingress: Some(vec![ClusterNetworkPolicyIngress {
                name: Some("i".into()),
                action: ClusterNetworkPolicyIngressAction::Pass,
                from: vec![ClusterNetworkPolicyIngressFrom::namespaces(LabelSelector::default())],
                protocols: None,
            }]),
            egress: Some(vec![]),
        },
        status: None,
    };
    assert_eq!(
        serde_json::to_string(&p).expect("json"),
        r#"{"apiVersion":"policy.networking.k8s.io/v1beta1","kind":"ClusterNetworkPolicy","metadata":{"name":"p"},"spec":{"tier":"Admin","priority":300,"subject":{"namespaces":{}},"ingress":[{"name":"i","action":"Pass","from":[{"namespaces":{}}]}],"egress":[]}}"#
    );
}
