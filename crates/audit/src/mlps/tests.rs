use super::*;

#[test]
fn every_mapped_control_exists_and_every_control_is_mapped() {
    for r in REQUIREMENTS {
        for c in r.controls {
            assert!(govcloud_core::controls::control(c).is_some(), "{c} in {}", r.clause_l3);
        }
        assert!(!r.controls.is_empty() || !r.manual.is_empty(), "{} is neither automated nor manual", r.title_en);
        // One language per page: what a page shows exists in both.
        assert_eq!(
            r.manual.is_empty(),
            r.manual_zh.is_empty(),
            "{}: the manual check in one language only",
            r.title_en
        );
        assert!(!r.category_en.is_empty() && !r.title_zh.is_empty(), "{}", r.title_en);
    }
    for c in govcloud_core::controls::CATALOGUE {
        assert!(!clauses_of(c.id).is_empty(), "{} serves no MLPS requirement", c.id);
    }
}
