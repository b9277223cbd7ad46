use crate::meta::names;

use crate::controls::{CATALOGUE, CLAIM_BINDING, Enforcement, STORAGE_CLASSES, control};

use super::*;

#[test]
fn every_admission_control_has_a_generated_check_and_every_check_a_catalogued_control() {
    for c in CATALOGUE.iter().filter(|c| matches!(c.enforcement, Enforcement::Admission | Enforcement::ZoneAdmission)) {
        let enforced = controls_by_policy().iter().any(|(_, ids)| ids.contains(&c.id));
        assert!(enforced, "{} has no admission check", c.id);
    }
    for p in policies() {
        for check in &p.checks {
            assert!(control(check.control).is_some(), "{} is not in the catalogue", check.control);
        }
    }
}

#[test]
fn messages_name_the_control() {
    for o in static_objects(crate::meta::names::OPERATOR_NAMESPACE) {
        for v in o["spec"]["validations"].as_array().into_iter().flatten() {
            let m = v["message"].as_str().or(v["messageExpression"].as_str()).unwrap_or_default();
            assert!(m.contains("[GC-"), "{m}");
        }
    }
}

#[test]
fn requests_are_judged_in_every_namespace_and_their_filer_and_decider_recorded() {
    let objects = static_objects(crate::meta::names::OPERATOR_NAMESPACE);
    for name in [names::REQUESTER_POLICY, names::DECIDER_POLICY] {
        for kind in ["MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"] {
            assert!(objects.iter().any(|o| o["kind"] == kind && o["metadata"]["name"] == name), "{kind} {name}");
        }
    }
    let judged: Vec<&Policy> = policies()
        .iter()
        .filter(|p| {
            p.request_only
                && !p.zone_param
                && (p.matches(crate::meta::GROUP, "resourcerequests")
                    || p.matches(crate::meta::GROUP, "resourcerequests/status"))
        })
        .collect();
    assert_eq!(judged.len(), 3, "filing, deciding, withdrawing");
    // And, per zone, the capacity an approval would exceed.
    assert!(
        policies()
            .iter()
            .any(|p| p.zone_param && p.request_only && p.matches(crate::meta::GROUP, "resourcerequests/status"))
    );
    for p in judged {
        assert!(p.request_only, "{}: judges who makes the request", p.name);
        let b = objects
            .iter()
            .find(|o| o["kind"] == "ValidatingAdmissionPolicyBinding" && o["metadata"]["name"] == p.name)
            .expect("binding");
        assert!(b["spec"].get("matchResources").is_none(), "{}: bound to every namespace, tenant or not", p.name);
    }
}

#[test]
fn no_policy_exempts_a_namespace_or_a_prefix_of_identities_and_the_operator_is_named() {
    let objects = static_objects("gov-ops");
    let text = serde_json::to_string(&objects).unwrap_or_default();
    assert!(!text.contains(custody::OPERATOR_NAMESPACE_PLACEHOLDER));
    assert!(text.contains("system:serviceaccounts:gov-ops"));
    assert!(!text.contains("startsWith('system:serviceaccount:"), "an exemption names one identity, never a prefix");
    assert!(!text.contains("'system:kube-"));
    let managed = objects
        .iter()
        .find(|o| o["metadata"]["name"] == names::MANAGED_OBJECTS_POLICY && o["kind"] == "ValidatingAdmissionPolicy")
        .expect("policy");
    let resources: Vec<&str> = managed["spec"]["matchConstraints"]["resourceRules"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["resources"].as_array().into_iter().flatten())
        .filter_map(|r| r.as_str())
        .collect();
    for r in ["pods", "replicasets", "statefulsets", "jobs", "cronjobs", "deployments", "services", "ingresses"] {
        assert!(resources.contains(&r), "GC-MGD-001 covers {r}");
    }
}

#[test]
fn every_pod_spec_shape_gets_the_same_rules() {
    let ids = |name: &str| {
        policies()
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.checks.iter().map(|c| c.control).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    for suffix in ["workloads", "cronjobs"] {
        // Workloads also judge a StatefulSet's claim templates.
        let mut workload = ids(&format!("govcloud-{suffix}"));
        if suffix == "workloads" {
            assert_eq!(workload.pop(), Some(CLAIM_BINDING));
        }
        assert_eq!(ids("govcloud-pods"), workload);
        let mut zone_workload = ids(&format!("govcloud-zone-{suffix}"));
        if suffix == "workloads" {
            assert_eq!(zone_workload.pop(), Some(STORAGE_CLASSES));
        }
        assert_eq!(ids("govcloud-zone-pods"), zone_workload);
    }
    let pods = policies().iter().find(|p| p.name == "govcloud-pods").map(|p| p.resources.clone()).unwrap_or_default();
    assert!(pods.contains(&("", "pods/ephemeralcontainers")));
    assert!(policies().iter().filter(|p| p.matches("", "pods")).all(|p| p.operations.contains(&"UPDATE")));
}
