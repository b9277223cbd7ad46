use super::*;
use govcloud_core::meta::names::{CLUSTER_AUDITOR, EXEC_ROLE};

fn rules_of(name: &str) -> Vec<PolicyRule> {
    render_platform()
        .into_iter()
        .find_map(|o| match o {
            Owned::ClusterRole(r) if r.metadata.name.as_deref() == Some(name) => r.rules,
            _ => None,
        })
        .unwrap_or_else(|| panic!("no ClusterRole {name}"))
}

fn resources(rules: &[PolicyRule]) -> Vec<String> {
    rules.iter().flat_map(|r| r.resources.clone().unwrap_or_default()).collect()
}

#[test]
fn exec_attach_and_port_forward_only_in_the_exec_role() {
    let sub = ["pods/exec", "pods/attach", "pods/portforward"];
    for role in OwnerRole::ALL {
        let res = resources(&rules_of(&govcloud_core::meta::names::tenant_role(role.as_str())));
        assert!(
            sub.iter().all(|s| !res.iter().any(|r| r == s)),
            "{} holds {res:?}",
            govcloud_core::meta::names::tenant_role(role.as_str())
        );
    }
    assert!(sub.iter().all(|s| !resources(&rules_of(CLUSTER_AUDITOR)).iter().any(|r| r == s)));
    let exec = rules_of(EXEC_ROLE);
    assert_eq!(resources(&exec), sub);
    assert_eq!(exec[0].verbs, vec!["get", "create"]);
}

#[test]
fn auditors_read_no_pod_logs_and_departments_read_their_own() {
    assert!(
        !resources(&rules_of(&govcloud_core::meta::names::tenant_role(OwnerRole::Auditor.as_str())))
            .iter()
            .any(|r| r == "pods/log")
    );
    for role in [OwnerRole::Developer, OwnerRole::Viewer, OwnerRole::Admin] {
        assert!(
            resources(&rules_of(&govcloud_core::meta::names::tenant_role(role.as_str())))
                .iter()
                .any(|r| r == "pods/log"),
            "{role:?}"
        );
    }
}

#[test]
fn only_approvers_write_request_status_and_only_admins_file_requests() {
    for role in OwnerRole::ALL {
        let rules = rules_of(&govcloud_core::meta::names::tenant_role(role.as_str()));
        for r in &rules {
            let res = r.resources.clone().unwrap_or_default();
            let writes = r.verbs.iter().any(|v| !READ.contains(&v.as_str()));
            assert!(
                !(writes && res.iter().any(|x| x == "resourcerequests/status")),
                "{role:?} writes request status: {r:?}"
            );
            if writes && res.iter().any(|x| x == "resourcerequests") {
                assert_eq!(role, OwnerRole::Admin, "{r:?}");
            }
        }
    }
    let approver = rules_of(names::REQUEST_APPROVER);
    assert!(approver.iter().any(|r| r.resources.as_deref() == Some(&["resourcerequests/status".to_string()][..])
        && r.verbs.contains(&"patch".to_string())));
    assert!(approver.iter().all(|r| !r.resources.clone().unwrap_or_default().contains(&"tenants".to_string())
        || r.verbs.iter().all(|v| READ.contains(&v.as_str()))));
}

#[test]
fn the_cluster_auditor_reads_only_cluster_scoped_objects() {
    let namespaced = [
        "pods",
        "pods/log",
        "configmaps",
        "secrets",
        "events",
        "services",
        "deployments",
        "departmentapps",
        "roles",
        "rolebindings",
        "reports",
    ];
    let rules = rules_of(CLUSTER_AUDITOR);
    let res = resources(&rules);
    for r in namespaced {
        assert!(!res.iter().any(|x| x == r), "cluster auditor reads {r} in every namespace");
    }
    for r in [
        "networkzones",
        "tenants",
        "namespaces",
        "nodes",
        "clusterreports",
        "clusterpolicyreports",
        "clusterroles",
        "clusterrolebindings",
        "clusternetworkpolicies",
    ] {
        assert!(res.iter().any(|x| x == r), "cluster auditor cannot read {r}");
    }
    assert!(rules.iter().all(|r| r.verbs.iter().all(|v| READ.contains(&v.as_str()))), "{rules:?}");
}
