use super::*;

#[test]
fn timings_that_the_crate_would_panic_on_are_refused() {
    let mut cfg = LeaderElection::new(govcloud_core::meta::names::OPERATOR_NAMESPACE);
    assert!(cfg.check().is_ok());
    assert!(
        cfg.request_timeout() < Duration::from_secs(cfg.grace),
        "a renewal is given up before the lease can pass on"
    );
    cfg.grace = 0;
    assert_eq!(cfg.check(), Err(ElectionError::Timings { duration: 15, grace: 0 }));
    assert_eq!(
        cfg.check().map_err(|e| e.to_string()),
        Err("leader election: the lease duration (15 s) must be longer than the renewal grace (0 s), and the grace at least 1 s".into())
    );
    cfg.grace = 15;
    assert!(matches!(cfg.check(), Err(ElectionError::Timings { .. })));
    cfg.grace = 5;
    cfg.namespace.clear();
    assert_eq!(cfg.check(), Err(ElectionError::Unnamed));
    assert_eq!(
        cfg.check().map_err(|e| e.to_string()),
        Err("leader election: namespace, lease name and identity must not be empty".into())
    );
}

#[test]
fn two_processes_on_one_pod_have_different_identities() {
    let a = LeaderElection::new("ns");
    assert!(a.identity.ends_with(&format!("_{}", std::process::id())));
}

#[test]
fn failures_wait_longer_each_time_up_to_sixteen_seconds() {
    let secs: Vec<u64> = retry_delays().take(7).map(|d| d.as_secs()).collect();
    assert_eq!(secs, [1, 2, 4, 8, 16, 16, 16]);
}
