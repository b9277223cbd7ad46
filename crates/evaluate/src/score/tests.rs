//! Unit tests of `score`: the formulas per axis and the ranks.

use super::*;

#[test]
fn cost_is_half_utilisation_against_the_target_half_apps_not_wasted() {
    // 35% of the quota used is half the 70% target; 1 of 4 apps wasted.
    let s = cost_score(Some(0.35), Some((4, 1))).expect("score");
    assert!((s - 100.0 * (0.5 + 0.75) / 2.0).abs() < 1e-9, "{s}");
    // Using more than the target earns no more than full marks.
    assert_eq!(cost_score(Some(0.95), Some((2, 0))), Some(100.0));
    // One part missing: the other alone; none: no score.
    assert_eq!(cost_score(None, Some((2, 1))), Some(50.0));
    let s = cost_score(Some(0.07), None).expect("score");
    assert!((s - 10.0).abs() < 1e-9, "{s}");
    assert_eq!(cost_score(None, Some((0, 0))), None);
    assert_eq!(cost_score(None, None), None);
}

#[test]
fn effect_sharing_and_security_follow_their_formulas() {
    assert_eq!(effect_score(Some(0.5), Some(1.0)), Some(75.0));
    assert_eq!(effect_score(None, Some(0.5)), Some(50.0));
    assert_eq!(effect_score(None, None), None);
    let flows = |in_effect, flows| SharingCounts { flows, in_effect, ..SharingCounts::default() };
    assert_eq!(sharing_score(flows(3, 4)), Some(75.0));
    assert_eq!(sharing_score(flows(0, 0)), None);
    // Resources shared count for the tenant, a base database not shared is judged at 0.
    let held = SharingCounts { flows: 2, in_effect: 1, shared: 1, unshared_base: 1, ..SharingCounts::default() };
    assert_eq!(sharing_score(held), Some(50.0));
    assert_eq!(sharing_score(SharingCounts { unshared_base: 1, ..SharingCounts::default() }), Some(0.0));
    // A base-database holder that shares nothing scores 0 whatever it receives;
    // giving one flow is sharing something.
    let receives = SharingCounts { flows: 3, in_effect: 3, unshared_base: 1, ..SharingCounts::default() };
    assert_eq!(sharing_score(receives), Some(0.0));
    assert_eq!(sharing_score(SharingCounts { given: 1, ..receives }), Some(75.0));
    // Answers overdue and refusals without basis count against, never below 0.
    assert_eq!(sharing_score(SharingCounts { overdue: 1, ..held }), Some(25.0));
    assert_eq!(sharing_score(SharingCounts { overdue: 1, unfounded: 1, ..held }), Some(0.0));
    assert_eq!(sharing_score(SharingCounts { overdue: 5, ..held }), Some(0.0));
    // Nothing judged but something against: 0, not unscored.
    assert_eq!(sharing_score(SharingCounts { unfounded: 1, ..SharingCounts::default() }), Some(0.0));
    assert_eq!(security_score([0, 0, 0, 0], 10), Some(100.0));
    assert_eq!(security_score([1, 1, 1, 1], 10), Some(100.0 - 20.0 - 10.0 - 4.0 - 1.0));
    assert_eq!(security_score([6, 0, 0, 0], 10), Some(0.0), "never below 0");
    assert_eq!(security_score([0, 0, 0, 0], 0), None);
}

#[test]
fn equal_scores_share_a_rank_and_the_next_rank_skips() {
    let r = ranks(&[("a", 50.0), ("b", 90.0), ("c", 50.0), ("d", 10.0)]);
    assert_eq!(r, BTreeMap::from([("a", 2), ("b", 1), ("c", 2), ("d", 4)]));
}
