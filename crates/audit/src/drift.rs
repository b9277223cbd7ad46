//! Drift (`AuditBy::Drift`): the live objects against what govcloud renders for them.

use govcloud_core::controls;
use govcloud_core::messages::{Arg, Code, Message};
use govcloud_core::meta::labels;
use govcloud_core::msg;

use serde_json::Value;

use crate::Outcome;
use crate::ctx::{Ctx, id_of, label};
use std::borrow::Cow;
use std::collections::HashMap;

/// The live objects by id (`Kind/namespace/name`), the last of each id.
pub(crate) fn by_id<'o>(objects: &[&'o Value]) -> HashMap<String, &'o Value> {
    objects.iter().map(|o| (id_of(o), *o)).collect()
}

/// GC-MGD-001: what govcloud manages is as govcloud renders it. `live`
/// gives the live object of an id ([`by_id`]'s, or read when asked: one
/// object at a time, never the whole inventory).
pub(crate) fn drift<'o>(
    ctx: &mut Ctx<'_>,
    planned: &govcloud_render::Planned<'_>,
    live: &dyn Fn(&str) -> Option<Cow<'o, Value>>,
) {
    for o in planned.owners().flat_map(|(kind, ns, name)| planned.owner(kind, ns, name).objects) {
        let Ok(desired) = serde_json::to_value(&o) else { continue };
        let id = o.id();
        let ns = o.namespace().to_string();
        let (outcome, evidence) = match live(&id).as_deref() {
            None => (Outcome::Fail, msg!(Code::EvidenceAbsent).into()),
            Some(live) if label(live, labels::MANAGED_BY) != Some(labels::MANAGER) => {
                ctx.add(
                    controls::NO_ADOPTION,
                    Outcome::Fail,
                    &id,
                    Some(&ns),
                    "metadata.labels",
                    msg!(
                        Code::EvidenceNotCreatedByGovcloud,
                        &id,
                        format!("{}={}", labels::MANAGED_BY, labels::MANAGER)
                    ),
                    msg!(Code::ForeignObject),
                );
                (Outcome::Fail, msg!(Code::EvidenceForeignHolds).into())
            }
            Some(live) if govcloud_core::meta::compare::object_contains(live, &desired) => {
                ctx.add(
                    controls::NO_ADOPTION,
                    Outcome::Pass,
                    &id,
                    Some(&ns),
                    "metadata.labels",
                    msg!(Code::EvidenceCreatedByGovcloud),
                    msg!(Code::OwnsManaged),
                );
                (Outcome::Pass, msg!(Code::EvidenceAsRendered).into())
            }
            Some(live) => (
                Outcome::Fail,
                first_difference(live, &desired, "").map_or_else(|| msg!(Code::EvidenceDiffers).into(), Arg::Msg),
            ),
        };
        ctx.add(controls::MANAGED_OBJECTS, outcome, &id, Some(&ns), "", evidence, msg!(Code::NoDrift));
    }
}

pub(crate) fn first_difference(actual: &Value, desired: &Value, path: &str) -> Option<Message> {
    match (actual, desired) {
        (Value::Object(a), Value::Object(d)) => {
            d.iter().filter(|(k, _)| *k != "apiVersion" && *k != "kind").find_map(|(k, dv)| {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match a.get(k) {
                    None if dv.is_null() => None,
                    None => Some(msg!(Code::EvidenceMissingWant, p, dv.to_string())),
                    Some(av) => first_difference(av, dv, &p),
                }
            })
        }
        (Value::Array(a), Value::Array(d)) if a.len() != d.len() => {
            Some(msg!(Code::EvidenceItemsWant, path, a.len().to_string(), d.len().to_string()))
        }
        (Value::Array(a), Value::Array(d)) => {
            a.iter().zip(d).enumerate().find_map(|(i, (av, dv))| first_difference(av, dv, &format!("{path}[{i}]")))
        }
        (a, d) if govcloud_core::meta::compare::contains(a, d) => None,
        (a, d) => Some(msg!(Code::EvidenceValueWant, path, a.to_string(), d.to_string())),
    }
}
