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
//! before.
//!
//! The shape's zone-parameter policy is a member too, behind `params !=
//! null`: a pod meets one policy, not two. The bundle is bound once per zone
//! (`govcloud_render::render_zone`: the zone's namespaces, its NetworkZone as
//! parameter, a missing one denies) and once for the tenant namespaces no
//! zone binding covers ([`catch_all_bindings`]: no parameter, so the zone's
//! checks are not judged there, as before, when nothing bound them there).
//! That binding leaves out a zone only once the operator has seen the
//! zone's bindings in place, so no tenant namespace is ever without the
//! bundle's checks while a zone is added or removed.
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
/// checks first, its zone's after them), and the managed-objects policy's
/// part for the shape.
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
    // The zone's checks, judged where a zone's binding gives the namespace's
    // NetworkZone as parameter; the binding for namespaces no zone binding
    // covers gives none, and there they are not judged, as when they were a
    // policy of their own with no binding for such a namespace.
    if let Some(p) = named(names::zone_admission_policy(shape.suffix)).filter(|p| p.zone_param && p.tenant_namespaces) {
        let mut m = member_of(shape, p);
        m.conditions.insert(0, "params != null".to_string());
        out.push(m);
    }
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
            "paramKind": {"apiVersion": crate::meta::API_VERSION, "kind": "NetworkZone"},
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

/// The binding of each bundle for the tenant namespaces no zone binding
/// covers: every tenant namespace whose zone is not among `bound` (zones
/// whose own bindings of the bundles are in place), with no parameter.
/// Installed with every zone in (`bound` empty); the operator narrows it.
pub fn catch_all_bindings(bound: &[&str]) -> Vec<Value> {
    let mut selector = tenant_namespaces();
    let mut zones: Vec<&str> = bound.to_vec();
    zones.sort_unstable();
    zones.dedup();
    if !zones.is_empty()
        && let Some(e) = selector["matchExpressions"].as_array_mut()
    {
        e.push(json!({"key": crate::meta::labels::ZONE, "operator": "NotIn", "values": zones}));
    }
    bundled()
        .iter()
        .map(|suffix| {
            let name = names::admission_policy(suffix);
            super::binding(&name, &name, Some(selector.clone()), None)
        })
        .collect()
}

/// The policy the API server is given for `policy` (a generated policy's
/// name): its shape's bundle when one carries it, else itself.
pub fn shipped_as(policy: &str) -> String {
    bundled()
        .iter()
        .find(|s| {
            [names::admission_policy(s), names::identity_admission_policy(s), names::zone_admission_policy(s)]
                .iter()
                .any(|n| n == policy)
        })
        .map(|s| names::admission_policy(s))
        .unwrap_or_else(|| policy.to_string())
}

/// The suffixes of the shapes that are bundled (built once).
fn bundled() -> &'static [&'static str] {
    static B: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    B.get_or_init(|| bundles().into_iter().map(|(s, _)| s).collect())
}
