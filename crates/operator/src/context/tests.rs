use super::*;

#[test]
fn the_same_refusal_of_many_objects_is_one_shape_and_one_line_per_window() {
    let refused = |name: &str| {
        format!(
            "kubernetes API: ApiError: deployments.apps \"{name}\" is forbidden: ValidatingAdmissionPolicy 'govcloud-zone-workloads' denied request: failed to configure policy (422)"
        )
    };
    let (a, b) = (failure_shape("DepartmentApp", &refused("a5")), failure_shape("DepartmentApp", &refused("a8")));
    assert_eq!(a, b, "the object's name and the numbers are not the shape");
    assert_ne!(a, failure_shape("Tenant", &refused("a5")), "nor is another kind's failure");
    assert_ne!(
        a,
        failure_shape("DepartmentApp", "kubernetes API: connection refused"),
        "another error is another shape"
    );
    let log = FailureLog::default();
    assert_eq!(log.admit(a.clone()), Some(0), "the first is logged");
    for _ in 0..199 {
        assert_eq!(log.admit(b.clone()), None, "the alike within the window are counted, not logged");
    }
    assert_eq!(
        log.admit(failure_shape("DepartmentApp", "kubernetes API: connection refused")),
        Some(0),
        "a different failure is logged at once"
    );
    // The window passed: the next line says how many were left out.
    if let Ok(mut m) = log.0.lock() {
        let at = &mut m.get_mut(&a).expect("logged").0;
        *at = at.checked_sub(FAILURE_LOG_WINDOW).expect("an instant a window ago");
    }
    assert_eq!(log.admit(a), Some(199));
}

/// A reconcile that went through waits for a change, or for its own wake
/// when that comes before the next resync; the resync itself comes to
/// every object together.
#[test]
fn a_reconcile_that_went_through_waits_for_a_change_or_an_earlier_wake() {
    use kube::runtime::controller::Action;
    use std::time::Duration;
    let resync = Duration::from_secs(300);
    assert_eq!(super::resynced(resync, None), Action::await_change());
    assert_eq!(super::resynced(resync, Some(Duration::from_secs(30))), Action::requeue(Duration::from_secs(30)));
    assert_eq!(super::resynced(resync, Some(Duration::from_secs(300))), Action::await_change());
    assert_eq!(super::resynced(resync, Some(Duration::from_secs(900))), Action::await_change());
}
