use super::*;

#[test]
fn reads_what_the_api_server_returns_and_writes_camel_case() {
    let text = r#"{"apiVersion":"policy.networking.k8s.io/v1beta1","kind":"ClusterNetworkPolicy","metadata":{"name":"x"},
            "spec":{"tier":"Admin","priority":100,"subject":{"namespaces":{}},
            "ingress":[{"action":"Deny","from":[{"pods":{"namespaceSelector":{},"podSelector":{"matchLabels":{"a":"b"}}}}],"protocols":[{"tcp":{"destinationPort":{"number":80}}}]}],
            "egress":[{"name":"n","action":"Pass","to":[{"networks":["10.0.0.0/8"]}]}]},"status":{"conditions":[]}}"#;
    let p: ClusterNetworkPolicy = serde_json::from_str(text).expect("parse");
    assert_eq!(p.spec.priority, 100);
    assert_eq!(p.spec.ingress[0].protocols.len(), 1);
    let v = serde_json::to_value(&p).expect("json");
    assert_eq!(v["kind"], "ClusterNetworkPolicy");
    assert_eq!(v["apiVersion"], "policy.networking.k8s.io/v1beta1");
    assert_eq!(v["spec"]["ingress"][0]["from"][0]["pods"]["podSelector"]["matchLabels"]["a"], "b");
    assert_eq!(v["spec"]["egress"][0]["to"][0]["networks"][0], "10.0.0.0/8");
    assert!(v["spec"]["egress"][0].get("from").is_none());
    assert_eq!(CRD_NAME, format!("{PLURAL}.{GROUP}"));
}
