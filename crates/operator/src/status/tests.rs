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

#[test]
fn a_status_is_written_when_it_differs_from_the_read_or_from_the_last_written() {
    let waiting = json!({"conditions": [{"type": "Ready", "status": "False", "reason": "WaitingForIsolation"}]});
    let ready = json!({"conditions": [{"type": "Ready", "status": "True", "reason": "Ready"}]});
    let with_audit = |s: &Value| {
        let mut s = s.clone();
        s["compliance"] = json!({"passed": 3});
        s
    };
    // Nothing written since the start: the read decides.
    assert!(!to_write(Some(&ready), None, &ready));
    assert!(to_write(Some(&waiting), None, &ready));
    assert!(to_write(None, None, &ready));
    // The read is stale (the cache still shows the status before the one
    // just written): what was last written decides too. This is the case a
    // comparison with the read alone left wrong until the resync.
    assert!(to_write(Some(&ready), own_digest(&waiting), &ready), "last written Waiting, now Ready: write");
    assert!(!to_write(Some(&ready), own_digest(&ready), &ready), "read and last written agree: no write");
    assert!(to_write(Some(&waiting), own_digest(&ready), &ready), "someone else changed it: write");
    // The audit's field is not the controllers' to compare.
    assert!(!to_write(Some(&with_audit(&ready)), own_digest(&with_audit(&ready)), &ready));
    assert!(!to_write(Some(&ready), own_digest(&ready), &with_audit(&ready)));
}

#[tokio::test]
async fn one_status_is_computed_and_written_at_a_time_per_object_and_gone_objects_are_forgotten() {
    let written = std::sync::Arc::new(Written::default());
    let mut first = written.hold("DepartmentApp", "t-z", "portal").await;
    *first = Some(7);
    // Another object is free meanwhile.
    let other =
        tokio::time::timeout(std::time::Duration::from_secs(1), written.hold("DepartmentApp", "t-z", "db")).await;
    assert!(other.is_ok(), "another object's slot is not held");
    drop(other);
    // The same object waits until the first is done, and sees what it wrote.
    let w = written.clone();
    let second = tokio::spawn(async move { *w.hold("DepartmentApp", "t-z", "portal").await });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(!second.is_finished(), "held: the second waits");
    // Held slots are never forgotten.
    written.retain(|_, _, _| false);
    assert_eq!(written.len(), 1, "the held one is kept, the free one forgotten");
    drop(first);
    assert_eq!(second.await.expect("join"), Some(7));
    written.retain(|_, _, name| name != "portal");
    assert_eq!(written.len(), 0);
    assert_eq!(*written.hold("DepartmentApp", "t-z", "portal").await, None, "forgotten: nothing last written");
}
