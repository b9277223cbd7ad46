//! Drift (`AuditBy::Drift`): the live objects against what govcloud renders for them.

use govcloud_core::controls;
use govcloud_core::messages::Code;
use govcloud_core::meta::labels;
use govcloud_core::msg;

use serde_json::Value;

use crate::Outcome;
use crate::ctx::{Ctx, id_of, label};
use std::collections::HashMap;

/// GC-MGD-001: what govcloud manages is as govcloud renders it.
pub(crate) fn drift(ctx: &mut Ctx<'_>, planned: &govcloud_render::Planned<'_>, objects: &[&Value]) {
    let by_id: HashMap<String, &Value> = objects.iter().map(|o| (id_of(o), *o)).collect();
    for o in planned.owners().flat_map(|(kind, ns, name)| planned.owner(kind, ns, name).objects) {
        let Ok(desired) = serde_json::to_value(&o) else { continue };
        let id = o.id();
        let ns = o.namespace().to_string();
        let (outcome, evidence) = match by_id.get(&id) {
            None => (Outcome::Fail, "absent".to_string()),
            Some(live) if label(live, labels::MANAGED_BY) != Some(labels::MANAGER) => {
                ctx.add(
                    controls::NO_ADOPTION,
                    Outcome::Fail,
                    &id,
                    Some(&ns),
                    "metadata.labels",
                    format!(
                        "{id} exists and was not created by govcloud (no {}={} label)",
                        labels::MANAGED_BY,
                        labels::MANAGER
                    ),
                    msg!(Code::ForeignObject),
                );
                (Outcome::Fail, "a foreign object holds this name (see GC-MGD-002)".to_string())
            }
            Some(live) if govcloud_core::meta::compare::object_contains(live, &desired) => {
                ctx.add(
                    controls::NO_ADOPTION,
                    Outcome::Pass,
                    &id,
                    Some(&ns),
                    "metadata.labels",
                    "created by govcloud".into(),
                    msg!(Code::OwnsManaged),
                );
                (Outcome::Pass, "as rendered".to_string())
            }
            Some(live) => (Outcome::Fail, first_difference(live, &desired, "").unwrap_or_else(|| "differs".into())),
        };
        ctx.add(controls::MANAGED_OBJECTS, outcome, &id, Some(&ns), "", evidence, msg!(Code::NoDrift));
    }
}

pub(crate) fn first_difference(actual: &Value, desired: &Value, path: &str) -> Option<String> {
    match (actual, desired) {
        (Value::Object(a), Value::Object(d)) => {
            d.iter().filter(|(k, _)| *k != "apiVersion" && *k != "kind").find_map(|(k, dv)| {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match a.get(k) {
                    None if dv.is_null() => None,
                    None => Some(format!("{p}: missing, want {dv}")),
                    Some(av) => first_difference(av, dv, &p),
                }
            })
        }
        (Value::Array(a), Value::Array(d)) if a.len() != d.len() => {
            Some(format!("{path}: {} items, want {}", a.len(), d.len()))
        }
        (Value::Array(a), Value::Array(d)) => {
            a.iter().zip(d).enumerate().find_map(|(i, (av, dv))| first_difference(av, dv, &format!("{path}[{i}]")))
        }
        (a, d) if govcloud_core::meta::compare::contains(a, d) => None,
        (a, d) => Some(format!("{path}: {a}, want {d}")),
    }
}
