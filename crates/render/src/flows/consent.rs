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
use govcloud_core::messages::{Arg, Code, Message};
use govcloud_core::msg;

/// What a provider of another tenant said to one call.
pub(crate) enum Consent {
    /// It may call; the words say who consented.
    Given(Message),
    /// A conditional provider has not answered a call that states its
    /// purpose: the call waits, with a deadline.
    Awaiting(Message),
    /// Not now (Pending) or not at all (Refused), and why.
    Not(FlowState, Message),
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
            Consent::Given(msg!(Code::GrantedBy, pkey.to_string()))
        } else {
            Consent::Not(FlowState::Pending, not_granted(pkey, consumer))
        };
    };
    match sharing.class {
        SharingClass::None => Consent::Not(
            FlowState::Refused,
            msg!(
                Code::NotShared,
                pkey.to_string(),
                sharing.basis.as_deref().map_or(Arg::from(Code::NoneGiven), Arg::from)
            ),
        ),
        SharingClass::Unconditional => Consent::Given(msg!(Code::SharesUnconditionally, pkey.to_string())),
        SharingClass::Conditional => {
            let p = pkey.to_string();
            match answer_for(provider, consumer) {
                Some(a) if a.decision == AnswerDecision::Refused => {
                    let reason = a.reason.as_deref().map_or(Arg::from(Code::NoReasonGiven), Arg::from);
                    Consent::Not(
                        FlowState::Refused,
                        match &a.by {
                            Some(by) => msg!(Code::RefusedByAnswered, p, reason, by),
                            None => msg!(Code::RefusedBy, p, reason),
                        },
                    )
                }
                Some(a) => Consent::Given(match &a.by {
                    Some(by) => msg!(Code::GrantedByAnswered, p, by),
                    None => msg!(Code::GrantedBy, p),
                }),
                None if grant_covers(provider, consumer) => Consent::Given(msg!(Code::GrantedBy, p)),
                None => match &call.purpose {
                    Some(purpose) => Consent::Awaiting(msg!(Code::AwaitingAnswer, p, purpose)),
                    None => Consent::Not(FlowState::Pending, msg!(Code::StatePurpose, p, field)),
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
) -> Option<Message> {
    if data == DataClassification::Secret && consumer_kind != ZoneKind::Private {
        return Some(msg!(Code::SecretOnlyPrivate, provider.to_string(), consumer.to_string(), &consumer.zone));
    }
    if consumer_kind == ZoneKind::Internet && data != DataClassification::Public {
        return Some(msg!(
            Code::InternetOnlyPublic,
            consumer.to_string(),
            &consumer.zone,
            provider.to_string(),
            data_message(data)
        ));
    }
    None
}

/// A data classification's name, in the page's language.
pub fn data_message(data: DataClassification) -> Code {
    match data {
        DataClassification::Public => Code::DataPublic,
        DataClassification::Internal => Code::DataInternal,
        DataClassification::Sensitive => Code::DataSensitive,
        DataClassification::Secret => Code::DataSecret,
    }
}
