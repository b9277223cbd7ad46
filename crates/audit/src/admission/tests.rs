use super::*;

/// The verdicts the memo keeps across rounds are made inside the lasting
/// mark (the binary's allocator puts them on the pages of what lasts,
/// not among the round's short-lived allocations, whose pages they kept
/// resident: 8 MiB at x10), while the judging itself is not; a known
/// object's verdicts are the kept ones, nothing made again.
#[test]
fn kept_verdicts_are_made_inside_the_lasting_mark_and_the_judging_outside() {
    // A scope no other test uses: the memo is the process's.
    let scope = Verdicts::digest(&[Some(&serde_json::json!({"test": "kept_verdicts_are_made_inside"}))], None);
    let object = serde_json::json!({"kind": "Pod", "metadata": {"name": "p"}});
    let before = govcloud_core::memory::entered();
    let judged = Verdicts::of(&scope, &object, || {
        assert!(!govcloud_core::memory::is_lasting(), "the judging is the round's own work");
        vec![Some(vec![true, false]), None]
    });
    assert_eq!(*judged, vec![Some(vec![true, false]), None]);
    assert!(govcloud_core::memory::entered() > before, "what is kept is made inside the mark");
    assert!(!govcloud_core::memory::is_lasting(), "the mark is put back");

    let again = Verdicts::of(&scope, &object, || panic!("known: not judged again"));
    assert!(Arc::ptr_eq(&judged, &again), "the kept verdicts themselves");
}
