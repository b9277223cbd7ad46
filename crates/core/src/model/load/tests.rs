use super::*;

#[test]
fn flow_nesting_is_measured_outside_quotes_and_comments() {
    assert_eq!(too_deep("a: [[[x]]]\n", 3), None);
    assert_eq!(too_deep("a: [[[[x]]]]\n", 3), Some((1, 1)));
    assert_eq!(
        too_deep("a: \"[[[[\"\nb: '{{{{'\n# [[[[\nc: x#[[[[\n", 3),
        Some((1, 4)),
        "only the plain scalar's brackets count"
    );
    assert_eq!(too_deep("# [[[[\na: 1\n---\nb: [[[[x]]]]\n", 3), Some((2, 4)));
    assert_eq!(
        too_deep("# header\n---\na: 1\n---\n# c\n---\nb: [[[[x]]]]\n", 3),
        Some((3, 7)),
        "a leading separator and an empty document"
    );
}

#[test]
fn oversized_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.yaml");
    std::fs::File::create(&path).expect("create").set_len(MAX_FILE_BYTES + 1).expect("sparse file");
    let problems = load_paths(std::slice::from_ref(&path)).expect_err("refused");
    assert!(problems[0].message.contains("at most 64 MiB"), "{}", problems[0]);
}

#[test]
fn unknown_fields_are_named_by_kubernetes_field_paths() {
    assert_eq!(
        field_path("spec.env.0.valueFrom.?.secretKeyRef.?.namespace"),
        "spec.env[0].valueFrom.secretKeyRef.namespace"
    );
    assert_eq!(field_path("spec.configFiles.1.items.12.mode"), "spec.configFiles[1].items[12].mode");
    assert_eq!(field_path("spec.dataClasification"), "spec.dataClasification");
}
