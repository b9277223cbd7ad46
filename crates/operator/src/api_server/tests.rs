use super::*;

fn slice(name: &str, addresses: &[&str]) -> EndpointSlice {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"name": name, "namespace": "default", "labels": {"kubernetes.io/service-name": "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": addresses, "conditions": {"ready": true}}],
        "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
    }))
    .expect("slice")
}

#[test]
fn the_slices_addresses_are_read_as_the_audit_reads_them() {
    assert_eq!(addresses(&[slice("kubernetes", &["10.0.0.6", "10.0.0.5"])]), ["10.0.0.5", "10.0.0.6"]);
    assert_eq!(addresses(&[slice("a", &["10.0.0.5"]), slice("b", &["fd00::1", "10.0.0.5"])]), ["10.0.0.5", "fd00::1"]);
    let mut other = slice("web", &["10.0.0.9"]);
    other.metadata.labels = Some([("kubernetes.io/service-name".to_string(), "web".to_string())].into());
    assert!(addresses(&[other]).is_empty(), "another Service's slice is not the API server");
}
