#[test]
fn the_crds_serve_meta_s_group_and_version() {
    // The derive attributes take literals: they must say what `meta` says.
    for crd in super::crds() {
        assert_eq!(crd.spec.group, crate::meta::GROUP, "{}", crd.spec.names.kind);
        assert!(
            crd.spec.versions.iter().any(|v| v.name == crate::meta::VERSION && v.served && v.storage),
            "{}",
            crd.spec.names.kind
        );
    }
}
