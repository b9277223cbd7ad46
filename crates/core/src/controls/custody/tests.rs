use super::*;

#[test]
fn every_exemption_names_one_identity_and_its_operations() {
    for e in EXEMPTIONS {
        assert!(!e.operations.is_empty() && !e.resources.is_empty() && !e.why.is_empty(), "{e:?}");
        // No identity is a prefix or a whole namespace of service accounts but the operator's own.
        let cel = e.who.cel();
        assert!(!cel.contains("startsWith"), "{cel}");
        assert!(!cel.contains("system:serviceaccounts:kube-system"), "{cel}");
    }
    assert!(!allows(Rule::ClaimBinding).contains("CREATE"), "no one creates a claim naming a volume");
}

#[test]
fn the_readme_lists_every_exemption() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/controls.md")).expect("README");
    assert!(
        readme.contains(&markdown()),
        "README's exemption table differs; paste `govcloud controls --exemptions`:\n{}",
        markdown()
    );
}
