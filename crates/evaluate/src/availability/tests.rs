//! Unit tests of `availability`: time-weighted means computed by hand.

use k8s_openapi::jiff::Timestamp;

use super::*;

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

#[test]
fn each_value_holds_until_the_next_evaluation_and_spans_weigh_by_length() {
    // In time order: 1.0 on the 1st, unknown on the 2nd, 0.5 on the 3rd, 0.8 on the 5th, now the 6th:
    // 1.0 for 1 day, 1 day unknown, 0.5 for 2 days, 0.8 for 1 day:
    // (1.0·1 + 0.5·2 + 0.8·1) ÷ (1 + 2 + 1) = 2.8 ÷ 4 = 0.7
    let samples = [
        (t("2026-12-03T00:00:00Z"), Some(0.5)),
        (t("2026-12-01T00:00:00Z"), Some(1.0)),
        (t("2026-12-02T00:00:00Z"), None),
        (t("2026-12-05T00:00:00Z"), Some(0.8)),
    ];
    let got = time_weighted(&samples, t("2026-12-06T00:00:00Z")).expect("a value");
    assert!((got - 0.7).abs() < 1e-12, "{got}");
}

#[test]
fn unknown_spans_count_on_neither_side() {
    // 0.6 for 6 hours, then unknown for 18 hours: 0.6, not 0.15.
    let samples = [(t("2026-12-01T00:00:00Z"), Some(0.6)), (t("2026-12-01T06:00:00Z"), None)];
    let got = time_weighted(&samples, t("2026-12-02T00:00:00Z")).expect("a value");
    assert!((got - 0.6).abs() < 1e-12, "{got}");
}

#[test]
fn without_an_earlier_sample_there_is_no_period_and_without_a_value_no_history() {
    let now = t("2026-12-02T00:00:00Z");
    assert_eq!(time_weighted(&[], now), Err(Missing::NoPeriod));
    // A snapshot from the future is no history of this period.
    assert_eq!(time_weighted(&[(t("2026-12-03T00:00:00Z"), Some(1.0))], now), Err(Missing::NoPeriod));
    assert_eq!(time_weighted(&[(t("2026-12-01T00:00:00Z"), None)], now), Err(Missing::NoHistory));
}

#[test]
fn read_from_earlier_evaluations_per_tenant() {
    // An earlier evaluation as its JSON (a --snapshot): tenant -> availability or why none.
    let evaluation = |at: &str, tenants: &[(&str, Option<f64>)]| -> Evaluation {
        let tenants: Vec<serde_json::Value> = tenants
            .iter()
            .map(|(name, v)| {
                let figure = match v {
                    Some(v) => serde_json::json!({"value": v}),
                    None => serde_json::json!({"missing": "noApps"}),
                };
                serde_json::json!({"name": name, "figures": {id::AVAILABILITY: figure}})
            })
            .collect();
        serde_json::from_value(serde_json::json!({"generatedAt": at, "tenants": tenants})).expect("an evaluation")
    };
    // health: 0.9 for 12 h, then 0.3 for 12 h: 0.6. culture: absent, then 0.3 for 12 h: 0.3.
    // statistics: recorded without a value only: no history.
    let earlier = [
        evaluation("2026-12-01T00:00:00Z", &[("health", Some(0.9)), ("statistics", None)]),
        evaluation("2026-12-01T12:00:00Z", &[("health", Some(0.3)), ("culture", Some(0.3))]),
    ];
    let now = t("2026-12-02T00:00:00Z");
    let health = over_period(&earlier, "health", now).expect("health");
    assert!((health - 0.6).abs() < 1e-12, "{health}");
    let culture = over_period(&earlier, "culture", now).expect("culture");
    assert!((culture - 0.3).abs() < 1e-12, "{culture}");
    assert_eq!(over_period(&earlier, "statistics", now), Err(Missing::NoHistory));
    assert_eq!(over_period(&[], "health", now), Err(Missing::NoPeriod));
}
