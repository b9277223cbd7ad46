use super::*;

#[test]
fn timings_that_the_crate_would_panic_on_are_refused() {
    let mut cfg = LeaderElection::new(govcloud_core::meta::names::OPERATOR_NAMESPACE);
    assert!(cfg.validate().is_ok());
    assert!(
        cfg.request_timeout() < Duration::from_secs(cfg.grace),
        "a renewal is given up before the lease can pass on"
    );
    cfg.grace = 0;
    assert!(cfg.validate().unwrap_err().contains("grace"));
    cfg.grace = 15;
    assert!(cfg.validate().is_err());
    cfg.grace = 5;
    cfg.namespace.clear();
    assert!(cfg.validate().is_err());
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
