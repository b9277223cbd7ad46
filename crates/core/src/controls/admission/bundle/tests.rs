use serde_json::Value;

use super::*;
use crate::controls::admission::static_objects;

/// Whether a rule list (resourceRules as shipped) matches a namespaced request.
fn rules_match(rules: &Value, group: &str, resource: &str, op: &str) -> bool {
    rules.as_array().into_iter().flatten().any(|r| {
        let has = |key: &str, v: &str| {
            r[key].as_array().into_iter().flatten().any(|x| x.as_str() == Some(v) || x.as_str() == Some("*"))
        };
        let scope = r["scope"].as_str().unwrap_or("*");
        has("apiGroups", group)
            && has("resources", resource)
            && has("operations", op)
            && (scope == "*" || scope == "Namespaced")
    })
}

/// The shipped static (policy, binding) pairs that select a namespaced
/// request in a namespace with or without the tenant label, guards aside.
fn selecting(group: &str, resource: &str, op: &str, tenant: bool) -> Vec<(Value, Value)> {
    let objects = static_objects(crate::meta::names::OPERATOR_NAMESPACE);
    let mut out = Vec::new();
    for b in objects.iter().filter(|o| o["kind"] == "ValidatingAdmissionPolicyBinding") {
        let Some(p) = objects
            .iter()
            .find(|o| o["kind"] == "ValidatingAdmissionPolicy" && o["metadata"]["name"] == b["spec"]["policyName"])
        else {
            continue;
        };
        if !rules_match(&p["spec"]["matchConstraints"]["resourceRules"], group, resource, op) {
            continue;
        }
        let m = &b["spec"]["matchResources"];
        let selected = match m["namespaceSelector"]["matchExpressions"][0]["operator"].as_str() {
            Some("Exists") => tenant,
            Some("DoesNotExist") => !tenant,
            _ => true,
        };
        let included = m.get("resourceRules").is_none_or(|r| rules_match(r, group, resource, op));
        let excluded = m.get("excludeResourceRules").is_some_and(|r| rules_match(r, group, resource, op));
        if selected && included && !excluded {
            out.push((p.clone(), b.clone()));
        }
    }
    out
}

/// The validation messages the selecting policies judge a request by.
fn judged_by(group: &str, resource: &str, op: &str, tenant: bool) -> Vec<String> {
    selecting(group, resource, op, tenant)
        .iter()
        .flat_map(|(p, _)| p["spec"]["validations"].as_array().cloned().unwrap_or_default())
        .map(|v| v["message"].as_str().or(v["messageExpression"].as_str()).unwrap_or_default().to_string())
        .collect()
}

#[test]
fn every_shape_is_bundled() {
    for s in SHAPES {
        assert!(bundle(s).is_ok(), "{}: {:?}", s.suffix, bundle(s).err());
    }
    assert_eq!(bundles().len(), SHAPES.len());
}

#[test]
fn a_request_is_judged_by_each_check_once_as_before() {
    // What the member policies judged when shipped apart.
    let members = |group: &str, resource: &str, op: &str| -> Vec<String> {
        let mut out: Vec<String> = policies()
            .iter()
            .filter(|p| {
                !p.zone_param && p.tenant_namespaces && p.matches(group, resource) && p.operations.contains(&op)
            })
            .flat_map(|p| p.checks.iter().map(|c| format!("[{}] {}", c.control, c.message)))
            .collect();
        let managed = crate::controls::admission::objects::managed_objects_policy();
        if rules_match(&managed["spec"]["matchConstraints"]["resourceRules"], group, resource, op) {
            out.push(managed["spec"]["validations"][0]["messageExpression"].as_str().unwrap_or_default().to_string());
        }
        out
    };
    let mut requests: Vec<(&str, &str)> = SHAPES.iter().flat_map(|s| s.resources.iter().copied()).collect();
    requests.extend([("", "configmaps"), ("", "services"), ("", "secrets"), ("", "persistentvolumeclaims")]);
    for (group, resource) in requests {
        for op in ["CREATE", "UPDATE"] {
            let judged = judged_by(group, resource, op, true);
            let expected = members(group, resource, op);
            assert!(!expected.is_empty(), "{group}/{resource}");
            // The same checks, none lost, none twice (the bundles' guards aside).
            for m in &expected {
                let n = judged.iter().filter(|j| *j == m).count();
                assert_eq!(n, 1, "{group}/{resource} {op} in a tenant namespace: {m}");
            }
        }
    }
    // Outside tenant namespaces and on deletion, the managed-objects policy still judges.
    let managed = |j: Vec<String>| j.iter().filter(|m| m.contains(crate::controls::MANAGED_OBJECTS)).count();
    assert_eq!(managed(judged_by("", "pods", "CREATE", false)), 1);
    assert_eq!(managed(judged_by("apps", "deployments", "UPDATE", false)), 1);
    assert_eq!(managed(judged_by("", "pods", "DELETE", true)), 1);
    assert_eq!(managed(judged_by("apps", "deployments", "DELETE", true)), 1);
    assert_eq!(managed(judged_by("", "services", "UPDATE", true)), 1);
}

#[test]
fn a_pod_create_in_a_tenant_namespace_meets_one_static_policy() {
    let names: Vec<String> = selecting("", "pods", "CREATE", true)
        .iter()
        .filter_map(|(p, _)| p["metadata"]["name"].as_str().map(String::from))
        .collect();
    assert_eq!(names, vec!["govcloud-pods".to_string()]);
}

#[test]
fn a_members_guard_keeps_its_resources_and_conditions() {
    let Ok(pods) = bundle(&SHAPES[0]) else { panic!("the pods bundle") };
    let validations = pods["spec"]["validations"].as_array().cloned().unwrap_or_default();
    let of = |control: &str| -> Vec<String> {
        validations
            .iter()
            .filter(|v| v["message"].as_str().or(v["messageExpression"].as_str()).unwrap_or_default().contains(control))
            .filter_map(|v| v["expression"].as_str().map(String::from))
            .collect()
    };
    // The identity labels are judged on pods, not on the ephemeral containers subresource.
    let identity = of(crate::controls::APP_IDENTITY);
    assert!(!identity.is_empty());
    for e in identity {
        assert!(
            e.starts_with(
                "!(((request.resource.group == '' && request.resource.resource == 'pods' && (has(request.subResource) ? request.subResource : '') == '')))"
            ),
            "{e}"
        );
    }
    // The shape's own checks keep their spec-changed condition.
    let own = policies().iter().find(|p| p.name == "govcloud-pods").map(|p| p.checks[0].control).unwrap_or_default();
    let checks = of(own);
    assert!(!checks.is_empty());
    for e in checks {
        assert!(
            e.starts_with("!((request.operation != 'UPDATE' || oldObject == null || object.spec != oldObject.spec))"),
            "{e}"
        );
    }
    // The managed-objects check keeps its label condition.
    assert!(of(crate::controls::MANAGED_OBJECTS).iter().any(|e| e.contains("app.kubernetes.io/managed-by")));
}

#[test]
fn the_zone_checks_ride_in_the_bundle_behind_its_parameter() {
    let objects = static_objects(crate::meta::names::OPERATOR_NAMESPACE);
    for s in SHAPES {
        let Ok(b) = bundle(s) else { panic!("{}", s.suffix) };
        assert_eq!(b["spec"]["paramKind"]["kind"], "NetworkZone", "{}", s.suffix);
        let zone = policies()
            .iter()
            .find(|p| p.name == names::zone_admission_policy(s.suffix))
            .unwrap_or_else(|| panic!("the zone policy of {}", s.suffix));
        let validations = b["spec"]["validations"].as_array().cloned().unwrap_or_default();
        for c in &zone.checks {
            let message = format!("[{}] {}", c.control, c.message);
            let carried: Vec<&Value> = validations.iter().filter(|v| v["message"] == message.as_str()).collect();
            assert_eq!(carried.len(), 1, "{}: {message}", s.suffix);
            let e = carried[0]["expression"].as_str().unwrap_or_default();
            // Skipped without a parameter, and behind the zone policy's own conditions.
            assert!(e.starts_with("!((params != null) && ("), "{e}");
            assert!(e.ends_with(&format!("|| ({})", c.expression)), "{e}");
        }
        // Every other check is judged with or without a parameter.
        for v in validations
            .iter()
            .filter(|v| !zone.checks.iter().any(|c| v["message"] == format!("[{}] {}", c.control, c.message)))
        {
            assert!(!v["expression"].as_str().unwrap_or_default().contains("params"), "{v}");
        }
        // Not shipped on its own any more.
        assert!(
            !objects.iter().any(|o| o["kind"] == "ValidatingAdmissionPolicy" && o["metadata"]["name"] == zone.name),
            "{}",
            zone.name
        );
        assert_eq!(shipped_as(zone.name), names::admission_policy(s.suffix));
        assert_eq!(shipped_as(&names::identity_admission_policy(s.suffix)), names::admission_policy(s.suffix));
    }
    // A policy no bundle carries is shipped as itself.
    assert_eq!(shipped_as(&names::zone_admission_policy("apps")), names::zone_admission_policy("apps"));
}

#[test]
fn the_catch_all_leaves_out_only_the_zones_it_is_given_and_is_installed_whole() {
    let objects = static_objects(crate::meta::names::OPERATOR_NAMESPACE);
    let installed = catch_all_bindings(&[]);
    assert_eq!(installed.len(), SHAPES.len());
    for b in &installed {
        // As installed: every tenant namespace, no parameter.
        assert!(objects.contains(b), "{b}");
        assert_eq!(b["spec"]["matchResources"]["namespaceSelector"], tenant_namespaces());
        assert!(b["spec"].get("paramRef").is_none());
        assert_eq!(b["spec"]["policyName"], b["metadata"]["name"]);
    }
    let narrowed = catch_all_bindings(&["west", "east", "west"]);
    for (b, whole) in narrowed.iter().zip(&installed) {
        assert_eq!(b["metadata"], whole["metadata"], "the same binding, narrowed in place");
        assert_eq!(
            b["spec"]["matchResources"]["namespaceSelector"]["matchExpressions"],
            json!([
                {"key": crate::meta::labels::TENANT, "operator": "Exists"},
                {"key": crate::meta::labels::ZONE, "operator": "NotIn", "values": ["east", "west"]},
            ])
        );
        assert!(b["spec"].get("paramRef").is_none());
    }
}
