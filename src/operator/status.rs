//! Status as pure logic: conditions that keep their transition time while
//! unchanged, and the figures each resource's users read.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::jiff::Timestamp;

/// One condition to set: type, status, reason, message.
pub struct Cond<'a> {
    /// Condition type, for example `Ready`.
    pub type_: &'a str,
    /// True or False.
    pub ok: bool,
    /// CamelCase reason.
    pub reason: &'a str,
    /// Message for people.
    pub message: String,
}

/// Builds conditions, keeping `lastTransitionTime` of those whose status did not change.
pub fn conditions(previous: &[Condition], generation: Option<i64>, now: Timestamp, set: Vec<Cond<'_>>) -> Vec<Condition> {
    set.into_iter()
        .map(|c| {
            let status = if c.ok { "True" } else { "False" };
            let last = previous.iter().find(|p| p.type_ == c.type_ && p.status == status).map(|p| p.last_transition_time.clone()).unwrap_or(Time(now));
            Condition {
                type_: c.type_.to_string(),
                status: status.to_string(),
                reason: c.reason.to_string(),
                message: truncate(&c.message, 32 * 1024),
                observed_generation: generation,
                last_transition_time: last,
            }
        })
        .collect()
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Whether a conflict message is not yet what the `Degraded` condition says
/// (so its Warning Event is published once, not on every retry).
pub fn conflict_is_new(previous: &[Condition], message: &str) -> bool {
    !previous.iter().any(|c| c.type_ == "Degraded" && c.status == "True" && c.reason == "Conflict" && c.message.contains(message))
}

/// The conflict the `Degraded` condition reports now, if any: a status
/// refresh keeps it; only a reconcile, which applies, settles it.
pub fn standing_conflict(previous: &[Condition]) -> Option<String> {
    previous.iter().find(|c| c.type_ == "Degraded" && c.status == "True" && c.reason == "Conflict").map(|c| c.message.clone())
}

/// Whether two statuses differ in anything but nothing (serialised equality).
pub fn differs<T: serde::Serialize>(a: &Option<T>, b: &T) -> bool {
    match a {
        None => true,
        Some(a) => serde_json::to_value(a).ok() != serde_json::to_value(b).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transition_time_moves_only_when_status_changes() {
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().expect("ts");
        let t1: Timestamp = "2026-01-02T00:00:00Z".parse().expect("ts");
        let first = conditions(&[], Some(1), t0, vec![Cond { type_: "Ready", ok: true, reason: "Applied", message: "ok".into() }]);
        let same = conditions(&first, Some(2), t1, vec![Cond { type_: "Ready", ok: true, reason: "Applied", message: "ok".into() }]);
        assert_eq!(same[0].last_transition_time, Time(t0));
        let flipped = conditions(&same, Some(2), t1, vec![Cond { type_: "Ready", ok: false, reason: "Waiting", message: "no".into() }]);
        assert_eq!(flipped[0].last_transition_time, Time(t1));
        assert_eq!(flipped[0].observed_generation, Some(2));
    }

    #[test]
    fn a_conflict_is_announced_once() {
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().expect("ts");
        let msg = "Deployment ns/adopted exists and was not created by govcloud";
        assert!(conflict_is_new(&[], msg));
        let degraded = conditions(&[], Some(1), t0, vec![Cond { type_: "Degraded", ok: true, reason: "Conflict", message: format!("{msg}; rename it") }]);
        assert!(!conflict_is_new(&degraded, msg));
        assert!(conflict_is_new(&degraded, "Service ns/adopted exists and was not created by govcloud"));
        let cleared = conditions(&degraded, Some(1), t0, vec![Cond { type_: "Degraded", ok: false, reason: "AsDeclared", message: String::new() }]);
        assert!(conflict_is_new(&cleared, msg));
    }
}
