use super::*;

#[test]
fn namespace_names_split_back_into_tenant_and_zone() {
    for (t, z) in [("public-security", "extranet"), ("a", "b"), ("x-y-z", "private")] {
        let ns = namespace_name(t, z);
        assert_eq!(split_namespace(&ns), Some((t, z)));
        assert_eq!(zone_of_namespace(t, &ns), Some(z));
    }
    assert_eq!(split_namespace("kube-system"), Some(("kube", "system")));
    assert_eq!(split_namespace("default"), None);
    assert_eq!(split_namespace("-x"), None);
    assert_eq!(zone_of_namespace("a", "a-b-c"), None, "b-c is no zone name");
    assert_eq!(zone_of_namespace("a", "ab-c"), None);
}
