//! Unit tests of `figures`: every figure has both languages and a unique id.

use std::collections::BTreeSet;

use super::*;

#[test]
fn every_figure_has_both_languages_and_a_unique_id() {
    let ids: BTreeSet<&str> = FIGURES.iter().map(|f| f.id).collect();
    assert_eq!(ids.len(), FIGURES.len());
    for f in FIGURES {
        assert!(
            !f.name_zh.is_empty() && !f.name_en.is_empty() && !f.how_zh.is_empty() && !f.how_en.is_empty(),
            "{}",
            f.id
        );
    }
    for a in Axis::ALL {
        assert!(FIGURES.iter().any(|f| f.axis == a), "{a:?} has no figure");
    }
}
