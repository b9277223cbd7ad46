use super::*;

#[test]
fn ids_are_unique_and_well_formed() {
    let mut ids: Vec<&str> = CATALOGUE.iter().map(|c| c.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), CATALOGUE.len());
    for c in CATALOGUE {
        assert!(
            c.id.starts_with("GC-") && !c.title_zh.is_empty() && !c.title_en.is_empty() && !c.levels.is_empty(),
            "{c:?}"
        );
    }
}
