//! Consent between departments, by the national sharing rules: what the
//! provider declared (`spec.sharing`: unconditional, conditional with its
//! answers, or none with its basis), or, for a provider that declares no
//! sharing, its grants (`spec.flows.allowFrom`); and the classification
//! rules that no consent lifts.

use super::{grant_covers, not_granted};
use crate::index::Placement;
use govcloud_core::api::{
    AnswerDecision, AppKey, DataClassification, FlowCall, FlowState, SharingAnswer, SharingClass, ZoneKind,
};

/// What a provider of another tenant said to one call.
pub(crate) enum Consent {
    /// It may call; the words say who consented.
    Given(String),
    /// A conditional provider has not answered a call that states its
    /// purpose: the call waits, with a deadline.
    Awaiting(String),
    /// Not now (Pending) or not at all (Refused), and why.
    Not(FlowState, String),
}

/// The provider's answer to `consumer`, if it gave one.
pub(crate) fn answer_for<'a>(provider: &'a Placement<'_>, consumer: &AppKey) -> Option<&'a SharingAnswer> {
    let key = consumer.to_string();
    provider.app.spec.sharing.as_ref()?.answers.iter().find(|a| a.consumer == key)
}

/// What `provider` (of another tenant) says to `call` from `consumer`.
pub(crate) fn consent(provider: &Placement<'_>, consumer: &AppKey, call: &FlowCall, field: &str) -> Consent {
    let pkey = &provider.key;
    let Some(sharing) = &provider.app.spec.sharing else {
        return if grant_covers(provider, consumer) {
            Consent::Given(format!("granted by {pkey}"))
        } else {
            Consent::Not(FlowState::Pending, not_granted(pkey, consumer))
        };
    };
    match sharing.class {
        SharingClass::None => Consent::Not(
            FlowState::Refused,
            format!(
                "{pkey} is not shared (不予共享), on this basis: {}",
                sharing.basis.as_deref().unwrap_or("none given")
            ),
        ),
        SharingClass::Unconditional => Consent::Given(format!("{pkey} shares unconditionally (无条件共享)")),
        SharingClass::Conditional => {
            let by = |a: &SharingAnswer| a.by.as_deref().map(|b| format!(" (answered by {b})")).unwrap_or_default();
            match answer_for(provider, consumer) {
                Some(a) if a.decision == AnswerDecision::Refused => Consent::Not(
                    FlowState::Refused,
                    format!("refused by {pkey}: {}{}", a.reason.as_deref().unwrap_or("no reason given"), by(a)),
                ),
                Some(a) => Consent::Given(format!("granted by {pkey}{}", by(a))),
                None if grant_covers(provider, consumer) => Consent::Given(format!("granted by {pkey}")),
                None => match &call.purpose {
                    Some(purpose) => Consent::Awaiting(format!(
                        "waiting for {pkey} to answer (有条件共享, conditional sharing); purpose: {purpose}"
                    )),
                    None => Consent::Not(
                        FlowState::Pending,
                        format!(
                            "{pkey} shares conditionally (有条件共享): state what the data is used for in {field}.purpose; the provider answers a call that states it"
                        ),
                    ),
                },
            }
        }
    }
}

/// Why no consent lets `consumer` (in a zone of `consumer_kind`) reach a
/// provider holding `data`, between departments: secret data only from a
/// private zone, and from an internet zone only public data.
pub fn classification_refusal(
    provider: &AppKey,
    data: DataClassification,
    consumer: &AppKey,
    consumer_kind: ZoneKind,
) -> Option<String> {
    if data == DataClassification::Secret && consumer_kind != ZoneKind::Private {
        return Some(format!(
            "{provider} holds secret data (工作秘密): only apps in a private zone may call it, and {consumer} runs in zone {}",
            consumer.zone
        ));
    }
    if consumer_kind == ZoneKind::Internet && data != DataClassification::Public {
        return Some(format!(
            "{consumer} runs in internet zone {}: it may call only providers of public data, and {provider} holds {} data",
            consumer.zone,
            data.as_str()
        ));
    }
    None
}
