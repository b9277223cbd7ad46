//! Bundles: what the API server is given for a pod spec's shape is one
//! ValidatingAdmissionPolicy that carries several of the generated policies.
//!
//! Every policy that matches a request costs the API server a fixed price
//! (the object and its namespace converted for CEL, an activation built),
//! whatever its checks: measured on a pod create, about as much for a
//! policy whose only check is `true` as for one with fourteen. A pod in a
//! tenant namespace used to match five policies; the shape's own checks,
//! the identity labels (GC-NET-006, GC-MGD-001), the object sizes
//! (GC-RES-003) and the managed objects (GC-MGD-001) now reach the API
//! server as one, bound to the same namespaces, and the policies they came
//! from (object sizes, managed objects) are bound with those requests
//! excluded, so each request is judged by each check exactly once, as
//! before. The zone-parameter policy stays apart (its binding is per zone).
//!
//! The checks are the same expressions; what a member policy said by its
//! match conditions, resources and operations becomes a guard in front of
//! each of its checks. The offline evaluator, the audit and render-time
//! validation keep judging the member policies ([`super::policies`]): the
//! rules are written once, the bundle only changes how they are shipped.

use serde_json::{Value, json};

use super::{Policy, SHAPES, Shape, labels, policies, tenant_namespaces};
use crate::meta::names;

/// A member's checks, as validations, with what limits them.
struct Member {
    /// Match conditions of the member (all must hold for its checks to apply).
    conditions: Vec<String>,
    /// The (group, resource) of the shape it matches, when not all of them.
    resources: Option<Vec<(&'static str, &'static str)>>,
    /// Its variables (name, expression).
    variables: Vec<(String, String)>,
    /// Its validations, as the API server takes them.
    validations: Vec<Value>,
}

/// One request resource (`pods`, `pods/ephemeralcontainers`) as CEL on `request`.
fn resource_is((group, resource): (&str, &str)) -> String {
    let (resource, sub) = resource.split_once('/').unwrap_or((resource, ""));
    // The request has no subResource key when there is none.
    format!(
        "(request.resource.group == '{group}' && request.resource.resource == '{resource}' && (has(request.subResource) ? request.subResource : '') == '{sub}')"
    )
}

/// What a member policy matches of the shape: `None` when all of it.
fn of_shape(shape: &Shape, resources: &[(&'static str, &'static str)]) -> Option<Vec<(&'static str, &'static str)>> {
    let within: Vec<_> = shape.resources.iter().copied().filter(|r| resources.contains(r)).collect();
    (within.len() != shape.resources.len()).then_some(within)
}

fn member_of(shape: &Shape, p: &Policy) -> Member {
    Member {
        conditions: p.match_conditions.iter().map(|(_, e)| e.clone()).collect(),
        resources: of_shape(shape, &p.resources),
        variables: p.variables.iter().map(|(n, e)| (n.to_string(), e.clone())).collect(),
        validations: p
            .checks
            .iter()
            .map(|c| json!({"expression": c.expression, "message": format!("[{}] {}", c.control, c.message), "reason": "Forbidden"}))
            .collect(),
    }
}

/// The member policies of a shape's bundle that exist (the shape's own
/// checks first), and the managed-objects policy's part for the shape.
fn members(shape: &Shape) -> Vec<Member> {
    let named = |name: String| policies().iter().find(|p| p.name == name);
    let mut out: Vec<Member> = [
        names::admission_policy(shape.suffix),
        names::identity_admission_policy(shape.suffix),
        names::admission_policy(super::OBJECT_SIZES_SUFFIX),
    ]
    .into_iter()
    .filter_map(named)
    .filter(|p| !p.zone_param && p.tenant_namespaces && shape.resources.iter().any(|(g, r)| p.matches(g, r)))
    .map(|p| member_of(shape, p))
    .collect();
    let managed = super::managed_resources();
    if shape.resources.iter().any(|r| managed.contains(r)) {
        let policy = super::objects::managed_objects_policy();
        let spec = &policy["spec"];
        out.push(Member {
            conditions: spec["matchConditions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["expression"].as_str().map(String::from))
                .collect(),
            resources: of_shape(shape, &managed),
            variables: vec![],
            validations: spec["validations"].as_array().cloned().unwrap_or_default(),
        });
    }
    out
}

/// Why a bundle cannot be made (then its members are shipped apart).
#[derive(Debug, PartialEq, Eq)]
pub struct Clash {
    /// The variable two members define differently.
    pub variable: String,
}

/// The bundle of a shape: one policy, named as the shape's own, carrying
/// its members' checks behind their guards.
pub(super) fn bundle(shape: &Shape) -> Result<Value, Clash> {
    let members = members(shape);
    let mut variables: Vec<(String, String)> = Vec::new();
    let mut validations = Vec::new();
    for m in members {
        for (name, expression) in m.variables {
            match variables.iter().find(|(n, _)| *n == name) {
                Some((_, e)) if *e != expression => return Err(Clash { variable: name }),
                Some(_) => {}
                None => variables.push((name, expression)),
            }
        }
        let mut guard: Vec<String> = m.conditions.iter().map(|c| format!("({c})")).collect();
        if let Some(rs) = &m.resources {
            let any: Vec<String> = rs.iter().map(|r| resource_is(*r)).collect();
            guard.insert(0, format!("({})", if any.is_empty() { "false".to_string() } else { any.join(" || ") }));
        }
        for mut v in m.validations {
            if !guard.is_empty() {
                let e = v["expression"].as_str().unwrap_or("false").to_string();
                v["expression"] = Value::String(format!("!({}) || ({e})", guard.join(" && ")));
            }
            validations.push(v);
        }
    }
    Ok(json!({
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": names::admission_policy(shape.suffix), "labels": labels()},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": super::rules(shape.resources, &["CREATE", "UPDATE"])},
            "variables": variables.iter().map(|(n, e)| json!({"name": n, "expression": e})).collect::<Vec<_>>(),
            "validations": validations,
        }
    }))
}

/// The bundles that can be made, by shape suffix.
pub(super) fn bundles() -> Vec<(&'static str, Value)> {
    SHAPES.iter().filter_map(|s| bundle(s).ok().map(|b| (s.suffix, b))).collect()
}

/// The requests a bundle judges for `resources` (a member policy's), to
/// leave out of that policy's own binding: CREATE and UPDATE of the bundled
/// shapes' resources it matches.
pub(super) fn bundled_rules(resources: &[(&'static str, &'static str)], bundled: &[&str]) -> Vec<Value> {
    let within: Vec<(&str, &str)> = SHAPES
        .iter()
        .filter(|s| bundled.contains(&s.suffix))
        .flat_map(|s| s.resources.iter().copied())
        .filter(|r| resources.contains(r))
        .collect();
    match super::rules(&within, &["CREATE", "UPDATE"]) {
        Value::Array(a) => a,
        _ => vec![],
    }
}

/// The bindings of the managed-objects policy when shapes are bundled: one
/// for everything outside tenant namespaces (cluster-scoped objects are
/// never skipped by a namespace selector), one for tenant namespaces and
/// their Namespace objects, without what the bundles judge there.
pub(super) fn managed_bindings(bundled: &[&str]) -> Vec<Value> {
    let name = names::MANAGED_OBJECTS_POLICY;
    let outside = json!({"matchExpressions": [{"key": crate::meta::labels::TENANT, "operator": "DoesNotExist"}]});
    let mut inside = json!({
        "namespaceSelector": tenant_namespaces(),
        "resourceRules": [
            {"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["*"], "resources": ["*"], "scope": "Namespaced"},
            {"apiGroups": [""], "apiVersions": ["*"], "operations": ["*"], "resources": ["namespaces"]},
        ],
    });
    let excluded = bundled_rules(&super::managed_resources(), bundled);
    if !excluded.is_empty() {
        inside["excludeResourceRules"] = Value::Array(excluded);
    }
    let mut b = super::binding(&format!("{name}-tenants"), name, None, None);
    b["spec"]["matchResources"] = inside;
    vec![super::binding(name, name, Some(outside), None), b]
}

#[cfg(test)]
mod tests;
