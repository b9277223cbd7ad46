use super::*;

#[test]
fn transition_time_moves_only_when_status_changes() {
    let t0: Timestamp = "2026-01-01T00:00:00Z".parse().expect("ts");
    let t1: Timestamp = "2026-01-02T00:00:00Z".parse().expect("ts");
    let first = conditions(
        &[],
        Some(1),
        t0,
        vec![Cond { type_: "Ready", ok: true, reason: Code::Applied, message: "ok".into() }],
    );
    let same = conditions(
        &first,
        Some(2),
        t1,
        vec![Cond { type_: "Ready", ok: true, reason: Code::Applied, message: "ok".into() }],
    );
    assert_eq!(same[0].last_transition_time, Time(t0));
    let flipped = conditions(
        &same,
        Some(2),
        t1,
        vec![Cond { type_: "Ready", ok: false, reason: Code::Provisioning, message: "no".into() }],
    );
    assert_eq!(flipped[0].last_transition_time, Time(t1));
    assert_eq!(flipped[0].observed_generation, Some(2));
}

#[test]
fn a_conflict_is_announced_once() {
    let t0: Timestamp = "2026-01-01T00:00:00Z".parse().expect("ts");
    let msg = "Deployment ns/adopted exists and was not created by govcloud";
    assert!(conflict_is_new(&[], msg));
    let degraded = conditions(
        &[],
        Some(1),
        t0,
        vec![Cond { type_: "Degraded", ok: true, reason: Code::Conflict, message: format!("{msg}; rename it") }],
    );
    assert!(!conflict_is_new(&degraded, msg));
    assert!(conflict_is_new(&degraded, "Service ns/adopted exists and was not created by govcloud"));
    let cleared = conditions(
        &degraded,
        Some(1),
        t0,
        vec![Cond { type_: "Degraded", ok: false, reason: Code::AsDeclared, message: String::new() }],
    );
    assert!(conflict_is_new(&cleared, msg));
}
