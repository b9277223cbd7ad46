use super::*;
use govcloud_core::api::{Decision, DecisionState, QuotaIncrement, Requester, ResourceRequestSpec};

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn surge() -> ResourceRequest {
    let mut r = ResourceRequest::new(
        "flood",
        ResourceRequestSpec {
            kind: RequestKind::Surge,
            zone: Some("ext".into()),
            resources: Some(QuotaIncrement { cpu: Some("2".into()), ..Default::default() }),
            hostname: None,
            minutes: Some(30),
            justification: "flood season".into(),
            project: "应急指挥".into(),
            requester: Some(Requester { username: "li".into(), groups: vec![] }),
        },
    );
    r.metadata.namespace = Some("health-ext".into());
    r
}

#[test]
fn each_transition_is_kept_once_and_the_expiry_is_fixed_at_the_first_approval() {
    let mut r = surge();
    let t0 = ts("2026-01-01T00:00:00Z");
    let pending = request_status(&r, &Verdict::Pending, Some("health".into()), t0);
    assert_eq!((pending.phase, pending.history.len()), (Some(RequestPhase::Pending), 1));
    assert_eq!(pending.history[0].by.as_deref(), Some("li"));
    r.status = Some(pending.clone());
    assert_eq!(
        request_status(&r, &Verdict::Pending, Some("health".into()), ts("2026-01-01T00:05:00Z")),
        pending,
        "nothing new"
    );

    let mut decided = pending;
    decided.decision =
        Some(Decision { state: DecisionState::Approved, reason: "flood season".into(), by: Some("wang".into()) });
    r.status = Some(decided);
    let t1 = ts("2026-01-01T01:00:00Z");
    let approved = request_status(&r, &Verdict::Approved, Some("health".into()), t1);
    assert_eq!(approved.expires_at, Some(Time(ts("2026-01-01T01:30:00Z"))));
    assert_eq!(approved.decision, None, "the decision is the platform engineer's to write");
    let last = approved.history.last().expect("transition");
    assert_eq!(
        (last.phase, last.by.as_deref(), last.reason.as_deref()),
        (RequestPhase::Approved, Some("wang"), Some("flood season"))
    );

    let mut with_decision = approved.clone();
    with_decision.decision = r.status.as_ref().and_then(|s| s.decision.clone());
    r.status = Some(with_decision);
    let expired = request_status(&r, &Verdict::Expired, Some("health".into()), ts("2026-01-01T02:00:00Z"));
    assert_eq!(expired.expires_at, approved.expires_at, "the end never moves");
    assert_eq!(
        expired.history.iter().map(|t| t.phase).collect::<Vec<_>>(),
        vec![RequestPhase::Pending, RequestPhase::Approved, RequestPhase::Expired]
    );
    assert!(same_status(Some(&expired), &expired));
    assert!(!same_status(Some(&approved), &expired));
}

#[test]
fn only_requests_no_longer_in_effect_are_removed_and_only_after_retention() {
    let year = Duration::from_secs(365 * 24 * 3600);
    let status = |phase: RequestPhase, at: &str| ResourceRequestStatus {
        phase: Some(phase),
        history: vec![Transition { phase, at: Time(ts(at)), by: None, reason: None }],
        ..Default::default()
    };
    let now = ts("2027-06-01T00:00:00Z");
    assert_eq!(
        past_retention(&status(RequestPhase::Rejected, "2026-05-01T00:00:00Z"), now, year),
        Some(ts("2026-05-01T00:00:00Z"))
    );
    assert_eq!(
        past_retention(&status(RequestPhase::Expired, "2026-05-01T00:00:00Z"), now, year),
        Some(ts("2026-05-01T00:00:00Z"))
    );
    assert_eq!(
        past_retention(&status(RequestPhase::Rejected, "2026-07-01T00:00:00Z"), now, year),
        None,
        "within the year"
    );
    assert_eq!(past_retention(&status(RequestPhase::Approved, "2020-01-01T00:00:00Z"), now, year), None, "in effect");
    assert_eq!(past_retention(&status(RequestPhase::Pending, "2020-01-01T00:00:00Z"), now, year), None);
    assert_eq!(past_retention(&ResourceRequestStatus::default(), now, year), None);
}
