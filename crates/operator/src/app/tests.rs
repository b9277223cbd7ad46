use super::*;
use crate::status::differs;
use crate::triggers::replica_failure;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn flow(target: &str, state: FlowState) -> FlowStatus {
    FlowStatus {
        target: target.into(),
        state,
        reason: "declared".into(),
        address: None,
        since: None,
        due: None,
        overdue: false,
    }
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
    assert_eq!((s.flows_granted, s.flows_waiting, s.flows_refused), (1, 1, 0));
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
    let conflicted = app_status(
        AppFigures {
            blocked: Some(Blocked { reason: govcloud_core::messages::Code::Conflict, message: c }),
            ..running()
        },
        t,
    );
    assert_eq!(ready(&conflicted), ("False", "Conflict"));
    assert_eq!((conflicted.conditions[2].reason.as_str(), conflicted.conditions[2].message.as_str()), ("Conflict", c));
    assert_eq!(ready(&app_status(AppFigures { updated_replicas: 1, ..running() }, t)), ("False", "RollingOut"));
}

#[test]
fn replicas_not_ready_are_counted_in_the_ready_message() {
    let t = ts("2026-01-01T00:00:00Z");
    let rolling = app_status(AppFigures { ready_replicas: 1, updated_replicas: 1, ..running() }, t);
    assert_eq!(ready(&rolling), ("False", "RollingOut"));
    assert_eq!(rolling.conditions[0].message, "1/2 replicas ready, 1/2 updated to the current template");
    // Rolled out, but a pod fails its readiness probe.
    let unready = app_status(AppFigures { ready_replicas: 1, ..running() }, t);
    assert_eq!(ready(&unready), ("False", "NotReady"));
    assert_eq!(
        unready.conditions[0].message,
        "1/2 replicas ready: 1 not ready (starting, or failing their readiness probe)"
    );
    assert_eq!((unready.ready_replicas, unready.replicas_summary.as_deref()), (1, Some("1/2")));
    assert_eq!(app_status(running(), t).conditions[0].message, "2/2 replicas ready");
}

#[test]
fn a_refusal_by_the_api_server_is_the_apps_condition_in_its_words() {
    let t = ts("2026-01-01T00:00:00Z");
    let m = "the API server refused applying Deployment a-ext/portal (422 Invalid): spec.template.spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1";
    let refused = app_status(AppFigures { blocked: Some(Blocked { reason: REFUSED, message: m }), ..running() }, t);
    assert_eq!(ready(&refused), ("False", "Refused"));
    assert_eq!(refused.conditions[0].message, m);
    assert_eq!((refused.conditions[2].status.as_str(), refused.conditions[2].reason.as_str()), ("True", "Refused"));
    // Kept by a status refresh, announced once.
    assert_eq!(standing_refusal(&refused.conditions).as_deref(), Some(m));
    assert!(!refusal_is_new(&refused.conditions, m));
    assert!(refusal_is_new(&refused.conditions, "another refusal"));
    assert_eq!(standing_refusal(&app_status(running(), t).conditions), None);
}

#[test]
fn pods_refused_by_the_quota_are_the_apps_ready_reason() {
    let t = ts("2026-01-01T00:00:00Z");
    let deployment = serde_json::json!({"status": {"conditions": [
        {"type": "Available", "status": "True", "message": "ok"},
        {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate",
         "message": "pods \"portal-1\" is forbidden: exceeded quota: quota, requested: pods=1, used: pods=2, limited: pods=2"},
    ]}});
    let m = replica_failure(&deployment);
    assert!(m.as_deref().is_some_and(|m| m.contains("exceeded quota")), "{m:?}");
    assert_eq!(
        replica_failure(
            &serde_json::json!({"status": {"conditions": [{"type": "ReplicaFailure", "status": "False"}]}})
        ),
        None
    );
    assert_eq!(replica_failure(&serde_json::json!({})), None);
    let refused = app_status(AppFigures { ready_replicas: 1, pods_refused: m, ..running() }, t);
    assert_eq!(ready(&refused), ("False", PODS_REFUSED.as_str()));
    assert!(
        refused.conditions[0].message.contains("1/2 replicas ready")
            && refused.conditions[0].message.contains("exceeded quota: quota")
    );
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

#[test]
fn a_scheduled_app_is_ready_unless_its_last_run_failed() {
    let t = ts("2026-12-05T03:00:00Z");
    let runs = |last: Option<&str>, ok: Option<&str>, active: usize| Runs {
        cron: "30 2 * * *".into(),
        last_schedule: last.map(str::to_string),
        last_success: ok.map(str::to_string),
        active,
    };
    let status = |r: Runs, replicas: i32| {
        app_status(AppFigures { replicas, ready_replicas: 0, updated_replicas: 0, runs: Some(r), ..running() }, t)
    };
    let s = status(runs(None, None, 0), 1);
    assert_eq!(ready(&s), ("True", "Scheduled"));
    assert!(s.conditions[0].message.contains("no run yet"), "{:?}", s.conditions[0]);
    assert_eq!(s.replicas_summary.as_deref(), Some("0 running"));
    let ok = Some("2026-12-05T02:30:00Z");
    assert_eq!(ready(&status(runs(ok, ok, 0), 1)), ("True", "Scheduled"));
    assert_eq!(ready(&status(runs(Some("2026-12-05T02:30:00Z"), None, 1), 1)), ("True", "Running"));
    // Started after the last success, and over: it failed.
    let failed = status(runs(Some("2026-12-05T02:30:00Z"), Some("2026-12-04T02:30:10Z"), 0), 1);
    assert_eq!(ready(&failed), ("False", "LastRunFailed"));
    assert!(failed.conditions[0].message.contains("last success 2026-12-04T02:30:10Z"), "{:?}", failed.conditions[0]);
    let suspended = status(runs(None, None, 0), 0);
    assert_eq!(ready(&suspended), ("True", "Suspended"));
    assert_eq!(suspended.replicas_summary.as_deref(), Some("suspended"));
}
