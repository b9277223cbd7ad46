//! The sharing part of an app's status, from the flow decisions of a plan
//! and the clock: a consumer's calls waiting for a conditional provider's
//! answer carry when govcloud first saw them waiting, when the answer is due
//! and whether it is overdue; a provider lists its consumers and the
//! requests it has to answer. Pure: the caller gives the time, the calendar
//! and what the statuses recorded before.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

use crate::deadline::Deadline;
use govcloud_core::api::{
    AppKey, DepartmentApp, FlowState, FlowStatus, SharingClass, SharingRequestStatus, SharingStatus,
};
use govcloud_core::messages::Code;
use govcloud_render::FlowDecision;

/// The time and the calendar answers are due by.
#[derive(Clone, Copy)]
pub struct Clock<'a> {
    /// Now.
    pub now: Timestamp,
    /// The deadline's calendar.
    pub deadline: &'a Deadline,
}

/// When a request first seen at `since` is due, and whether it is overdue.
fn timing(since: Timestamp, clock: Clock<'_>) -> (Option<Time>, Option<Time>, bool) {
    let due = clock.deadline.due(since);
    (Some(Time(since)), Some(Time(due)), clock.now >= due)
}

/// A consumer's flows, each waiting request with its timing (the time first
/// seen waiting is kept from `previous`).
pub fn consumer_flows(decisions: &[&FlowDecision], previous: &[FlowStatus], clock: Clock<'_>) -> Vec<FlowStatus> {
    decisions
        .iter()
        .map(|f| {
            let target = f.provider.to_string();
            let (since, due, overdue) = if f.awaiting {
                let seen = previous.iter().find(|p| p.target == target).and_then(|p| p.since.as_ref()).map(|t| t.0);
                timing(seen.unwrap_or(clock.now), clock)
            } else {
                (None, None, false)
            };
            FlowStatus {
                target,
                state: f.state,
                reason: f.reason.to_string(),
                address: f.address.clone(),
                since,
                due,
                overdue,
            }
        })
        .collect()
}

/// A provider's sharing status: its class, how many apps of other tenants
/// reach it, and (conditional sharing) every call of another tenant's app
/// with its state; a waiting one with the time the consumer's status
/// recorded (`consumer_since`), else the one this status recorded, else now.
pub fn provider_sharing(
    app: &DepartmentApp,
    me: &AppKey,
    decisions: &[&FlowDecision],
    consumer_since: &dyn Fn(&AppKey) -> Option<Timestamp>,
    previous: Option<&SharingStatus>,
    clock: Clock<'_>,
) -> Option<SharingStatus> {
    let sharing = app.spec.sharing.as_ref()?;
    let theirs: Vec<&&FlowDecision> =
        decisions.iter().filter(|f| &f.provider == me && f.consumer.tenant != me.tenant).collect();
    let mut consumers: Vec<&AppKey> =
        theirs.iter().filter(|f| f.state == FlowState::Granted).map(|f| &f.consumer).collect();
    consumers.sort();
    consumers.dedup();
    let mut requests: Vec<SharingRequestStatus> = Vec::new();
    if sharing.class == SharingClass::Conditional {
        for f in &theirs {
            let consumer = f.consumer.to_string();
            let (since, due, overdue) = if f.awaiting {
                let recorded = previous
                    .and_then(|p| p.requests.iter().find(|r| r.consumer == consumer))
                    .and_then(|r| r.since.as_ref())
                    .map(|t| t.0);
                timing(consumer_since(&f.consumer).or(recorded).unwrap_or(clock.now), clock)
            } else {
                (None, None, false)
            };
            if requests.iter().any(|r| r.consumer == consumer) {
                continue;
            }
            requests.push(SharingRequestStatus {
                consumer,
                purpose: f.purpose.clone(),
                state: f.state,
                since,
                due,
                overdue,
            });
        }
        requests.sort_by(|a, b| a.consumer.cmp(&b.consumer));
    }
    Some(SharingStatus { class: Some(sharing.class), consumers: consumers.len() as u32, requests })
}

/// The words of an app's `AnswerOverdue` condition: the answers it waits for
/// past their deadline, and those it owes past theirs (empty: none).
pub fn overdue_messages(flows: &[FlowStatus], sharing: Option<&SharingStatus>) -> Vec<String> {
    let due = |t: &Option<Time>| t.as_ref().map(|t| t.0.to_string()).unwrap_or_default();
    let waiting = flows
        .iter()
        .filter(|f| f.overdue)
        .map(|f| govcloud_core::msg!(Code::WaitingSince, &f.target, due(&f.since), due(&f.due)).to_string());
    let owed = sharing
        .into_iter()
        .flat_map(|s| &s.requests)
        .filter(|r| r.overdue)
        .map(|r| govcloud_core::msg!(Code::OwesAnswer, &r.consumer, due(&r.since), due(&r.due)).to_string());
    waiting.chain(owed).collect()
}

/// The earliest due time still ahead: when the status must be looked at
/// again to say an answer is overdue.
pub fn next_due(flows: &[FlowStatus], sharing: Option<&SharingStatus>, now: Timestamp) -> Option<Timestamp> {
    let flows = flows.iter().filter_map(|f| f.due.as_ref());
    let requests = sharing.into_iter().flat_map(|s| &s.requests).filter_map(|r| r.due.as_ref());
    flows.chain(requests).map(|t| t.0).filter(|t| *t > now).min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline::Deadline;

    fn key(s: &str) -> AppKey {
        let mut p = s.split('/');
        let mut next = || p.next().unwrap_or_default().to_string();
        AppKey { tenant: next(), zone: next(), app: next() }
    }

    fn decision(consumer: &str, provider: &str, state: FlowState, awaiting: bool) -> FlowDecision {
        FlowDecision {
            consumer: key(consumer),
            call: 0,
            provider: key(provider),
            state,
            reason: govcloud_core::msg!(govcloud_core::messages::Code::SameTenant, "decided"),
            ports: vec![],
            address: None,
            awaiting,
            purpose: awaiting.then(|| "case checks".to_string()),
        }
    }

    fn provider(class: &str) -> DepartmentApp {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "govcloud.io/v1alpha1", "kind": "DepartmentApp",
            "metadata": {"name": "population-db", "namespace": "police-extranet"},
            "spec": {"zone": "extranet", "image": "registry.gov/db:1", "sharing": {"class": class,
                "catalogue": {"names": {"zh": "人口库", "en": "Population"}, "description": "people", "updateFrequency": "daily", "contact": "office"}}}
        }))
        .expect("app")
    }

    fn at(s: &str) -> Timestamp {
        s.parse().expect("time")
    }

    #[test]
    fn a_waiting_call_keeps_when_it_was_first_seen_and_becomes_overdue_at_its_deadline() {
        let deadline = Deadline::parse("60s", "", "").expect("deadline");
        let waiting = decision("health/extranet/cases", "police/extranet/population-db", FlowState::Pending, true);
        let granted = decision("health/extranet/cases", "market/extranet/legal-db", FlowState::Granted, false);
        let first =
            consumer_flows(&[&waiting, &granted], &[], Clock { now: at("2026-12-05T00:00:00Z"), deadline: &deadline });
        assert_eq!(first[0].since, Some(Time(at("2026-12-05T00:00:00Z"))));
        assert_eq!(first[0].due, Some(Time(at("2026-12-05T00:01:00Z"))));
        assert!(!first[0].overdue);
        assert_eq!((first[1].since.as_ref(), first[1].overdue), (None, false), "a granted flow has no deadline");
        assert_eq!(next_due(&first, None, at("2026-12-05T00:00:00Z")), Some(at("2026-12-05T00:01:00Z")));
        assert!(overdue_messages(&first, None).is_empty());
        // Later: the first time is kept, and the deadline has passed.
        let later = consumer_flows(
            &[&waiting, &granted],
            &first,
            Clock { now: at("2026-12-05T00:05:00Z"), deadline: &deadline },
        );
        assert_eq!(later[0].since, first[0].since);
        assert!(later[0].overdue);
        assert_eq!(next_due(&later, None, at("2026-12-05T00:05:00Z")), None);
        let words = overdue_messages(&later, None);
        assert_eq!(words.len(), 1);
        assert!(
            words[0].contains("police/extranet/population-db") && words[0].contains("2026-12-05T00:01:00Z"),
            "{words:?}"
        );
    }

    #[test]
    fn a_provider_lists_its_consumers_and_the_requests_it_owes() {
        let deadline = Deadline::default();
        let me = key("police/extranet/population-db");
        let flows = [
            decision("health/extranet/cases", "police/extranet/population-db", FlowState::Pending, true),
            decision("stats/extranet/census", "police/extranet/population-db", FlowState::Granted, false),
            decision("civil/extranet/marriage", "police/extranet/population-db", FlowState::Refused, false),
            // Its own tenant's app is no request; another provider's flow is not its.
            decision("police/extranet/checkpoints", "police/extranet/population-db", FlowState::Granted, false),
            decision("health/extranet/cases", "market/extranet/legal-db", FlowState::Pending, true),
        ];
        let refs: Vec<&FlowDecision> = flows.iter().collect();
        let recorded = at("2026-12-01T02:00:00Z");
        let since = |k: &AppKey| (k.app == "cases").then_some(recorded);
        let clock = Clock { now: at("2026-12-20T00:00:00Z"), deadline: &deadline };
        let s = provider_sharing(&provider("conditional"), &me, &refs, &since, None, clock).expect("shares");
        assert_eq!(s.class, Some(SharingClass::Conditional));
        assert_eq!(s.consumers, 1, "one app of another tenant reaches it");
        let names: Vec<&str> = s.requests.iter().map(|r| r.consumer.as_str()).collect();
        assert_eq!(names, ["civil/extranet/marriage", "health/extranet/cases", "stats/extranet/census"]);
        let cases = &s.requests[1];
        assert_eq!(cases.since, Some(Time(recorded)), "the consumer's recorded time");
        assert_eq!(cases.due, Some(Time(at("2026-12-15T16:00:00Z"))), "ten working days from Tuesday 12-01");
        assert!(cases.overdue);
        assert_eq!(cases.purpose.as_deref(), Some("case checks"));
        assert!(overdue_messages(&[], Some(&s))[0].starts_with("owes health/extranet/cases an answer"));
        // Unconditional: consumers, no requests; no sharing: no status.
        let open = provider_sharing(&provider("unconditional"), &me, &refs, &since, None, clock).expect("shares");
        assert!(open.requests.is_empty());
        let mut plain = provider("none");
        plain.spec.sharing = None;
        assert_eq!(provider_sharing(&plain, &me, &refs, &since, None, clock), None);
    }
}
