use super::*;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn flow(target: &str, state: FlowState) -> FlowStatus {
    FlowStatus { target: target.into(), state, reason: "declared".into(), address: None }
}

fn running<'a>() -> AppFigures<'a> {
    AppFigures {
        generation: Some(1),
        namespace: "a-ext",
        replicas: 2,
        ready_replicas: 2,
        updated_replicas: 2,
        placed: true,
        isolated: true,
        endpoints: vec!["portal.a-ext.svc".into()],
        flows: vec![flow("b/ext/db", FlowState::Granted), flow("c/ext/api", FlowState::Pending)],
        ..Default::default()
    }
}

fn ready(s: &DepartmentAppStatus) -> (&str, &str) {
    (s.conditions[0].status.as_str(), s.conditions[0].reason.as_str())
}

#[test]
fn a_running_app_counts_its_replicas_and_flows() {
    let s = app_status(running(), ts("2026-01-01T00:00:00Z"));
    assert_eq!(ready(&s), ("True", "Running"));
    assert_eq!((s.replicas_summary.as_deref(), s.flows_summary.as_deref()), (Some("2/2"), Some("1/1/0")));
    assert_eq!(
        (s.conditions[1].status.as_str(), s.conditions[1].message.as_str()),
        ("True", "Pending c/ext/api: declared")
    );
    assert_eq!(s.conditions[2].reason, "AsDeclared");
}

#[test]
fn the_ready_reason_says_what_the_app_waits_for() {
    let t = ts("2026-01-01T00:00:00Z");
    let invalid =
        app_status(AppFigures { placed: false, violations: vec!["spec.zone: no such zone".into()], ..running() }, t);
    assert_eq!(ready(&invalid), ("False", "Invalid"));
    assert_eq!(invalid.conditions[2].reason, "Violations");
    assert_eq!(ready(&app_status(AppFigures { isolated: false, ..running() }, t)), ("False", "WaitingForIsolation"));
    let c = "Deployment a-ext/portal exists and was not created by govcloud";
    let conflicted = app_status(AppFigures { conflict: Some(c), ..running() }, t);
    assert_eq!(ready(&conflicted), ("False", "Conflict"));
    assert_eq!((conflicted.conditions[2].reason.as_str(), conflicted.conditions[2].message.as_str()), ("Conflict", c));
    assert_eq!(ready(&app_status(AppFigures { updated_replicas: 1, ..running() }, t)), ("False", "RollingOut"));
}

#[test]
fn an_unchanged_app_status_is_detected_and_flow_changes_are_events() {
    let first = app_status(running(), ts("2026-01-01T00:00:00Z"));
    let again = app_status(AppFigures { previous: Some(&first), ..running() }, ts("2026-01-02T00:00:00Z"));
    assert!(!differs(Some(&first), &again));
    let granted = vec![
        flow("b/ext/db", FlowState::Granted),
        flow("c/ext/api", FlowState::Granted),
        flow("d/ext/x", FlowState::Refused),
    ];
    let changed: Vec<&str> = flow_transitions(&first.flows, &granted).iter().map(|f| f.target.as_str()).collect();
    assert_eq!(changed, ["c/ext/api", "d/ext/x"]);
    let body = super::super::status::status_patch::<DepartmentApp, _>(&again).expect("body");
    assert_eq!(body["kind"], "DepartmentApp");
    assert!(body["status"].get("compliance").is_none(), "{body}");
}
