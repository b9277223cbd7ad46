//! `govcloud evaluate` live, as the identity that runs it (issue 28 item 5):
//! a department's user gets a self-evaluation of its own tenant and nothing
//! of another's; the city's auditor (the cluster auditor role) gets every
//! tenant; an identity the API server lets read no tenant gets an error that
//! says what to do. The scope comes from the API server's answers.

use std::time::Duration;

use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleBinding};
use kube::api::Api;
use serde_json::Value;

use crate::support;
use govcloud::meta::names;
use support::offline::zone_doc;
use support::{Operator, client, eventually, short};

const CONVERGE: Duration = Duration::from_secs(120);

fn model(zone: &str, a: &str, b: &str, audit: &str) -> String {
    let z = zone_doc(zone, "extranet", "10.93.0.0/16", "");
    let tenant = |name: &str, en: &str| {
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {name}}}\nspec:\n  displayName: {{zh: 部门, en: {en}}}\n  owners: [{{kind: Group, name: {name}-admins, role: admin}}]\n  zones: [{{name: {zone}, quota: {{cpu: \"2\", memory: 4Gi, pods: 10, services: 5}}}}]\n"
        )
    };
    format!(
        "{z}---\n{}---\n{}---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {audit}}}\nspec:\n  displayName: {{zh: 审计局, en: Audit}}\n  owners: [{{kind: Group, name: {audit}-bureau, role: auditor}}]\n  auditScope: cluster\n  zones: [{{name: {zone}}}]\n",
        tenant(a, "Health"),
        tenant(b, "Culture")
    )
}

/// `govcloud evaluate --format FORMAT` as `user` in `groups`: (success, stdout, stderr).
fn evaluate_as(user: &str, groups: &[&str], format: &str) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args(["evaluate", "--format", format, "--lang", "en"])
        .env("KUBECONFIG", support::kubeconfig_as(user, groups))
        .output()
        .expect("govcloud evaluate");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tenant_names(e: &Value) -> Vec<String> {
    e["tenants"]
        .as_array()
        .map(|ts| ts.iter().filter_map(|t| t["name"].as_str().map(String::from)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_department_user_evaluates_its_own_tenant_only_and_the_auditor_the_whole_city() {
    let c = client().await;
    let scope = short("es");
    let (zone, a, b, audit) = (short("ez"), short("ea"), short("eb"), short("eu"));
    let _op = Operator::start(&scope, 300).await;
    support::apply_text(&c, &model(&zone, &a, &b, &audit), &scope).await;
    // The operator has bound the department's admins and the cluster's auditors.
    eventually("the tenants' bindings", CONVERGE, || async {
        let admins = Api::<RoleBinding>::namespaced(c.clone(), &format!("{a}-{zone}"))
            .get_opt(&names::tenant_role_binding("admin"))
            .await
            .ok()??;
        let auditors = Api::<RoleBinding>::namespaced(c.clone(), &format!("{b}-{zone}"))
            .get_opt(names::CLUSTER_AUDITORS_BINDING)
            .await
            .ok()??;
        let cluster =
            Api::<ClusterRoleBinding>::all(c.clone()).get_opt(&names::cluster_auditor_binding(&audit)).await.ok()??;
        let own =
            Api::<ClusterRoleBinding>::all(c.clone()).get_opt(&names::tenant_cluster_role_binding(&a)).await.ok()??;
        Some((admins, auditors, cluster, own))
    })
    .await;

    // A department's admin: a self-evaluation of its own tenant, and no other tenant.
    let admins = format!("{a}-admins");
    let dept_user = format!("dept-{scope}");
    let (ok, out, err) = evaluate_as(&dept_user, &[&admins], "json");
    assert!(ok, "{err}");
    let e: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(e["scope"]["kind"], "self", "{}", e["scope"]);
    assert_eq!(e["scope"]["tenants"], serde_json::json!([a]), "{}", e["scope"]);
    assert!(e["scope"]["basis"].as_str().is_some_and(|s| s.contains("403")), "{}", e["scope"]);
    assert_eq!(tenant_names(&e), vec![a.clone()], "only its own tenant");
    let label = e["scopeLabel"]["en"].as_str().unwrap_or_default();
    assert!(label.starts_with(&format!("self-evaluation of tenant {a}")), "{label}");
    let own = &e["tenants"][0];
    // What needs the city is marked, not made up; no rank of one.
    assert_eq!(own["figures"]["checks"]["missing"], "outsideScope", "{own}");
    assert_eq!(own["figures"]["flows_given"]["missing"], "outsideScope", "{own}");
    assert!(own["overallRank"].is_null(), "{own}");
    // Its quota, read from its own Tenant, is there.
    assert!(own["figures"]["quota_cpu_requested"]["value"].is_number(), "{own}");
    assert!(!out.contains(&b), "nothing of the other department in the output");
    // Labelled on the table and the page too.
    let (ok, table, err) = evaluate_as(&dept_user, &[&admins], "table");
    assert!(ok, "{err}");
    // Under the title, after the provenance lines.
    let mut lines = table.lines().skip_while(|l| !l.starts_with("govcloud performance evaluation"));
    assert!(lines.nth(1).is_some_and(|l| l.starts_with(&format!("self-evaluation of tenant {a}"))), "{table}");
    let (ok, page, err) = evaluate_as(&dept_user, &[&admins], "html");
    assert!(ok, "{err}");
    assert!(page.contains(&format!("self-evaluation of tenant {a}")), "the page is labelled");

    // The audit bureau (the cluster auditor role): the city, every tenant.
    let (ok, out, err) = evaluate_as(&format!("auditor-{scope}"), &[&format!("{audit}-bureau")], "json");
    assert!(ok, "{err}");
    let e: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(e["scope"]["kind"], "city", "{}", e["scope"]);
    assert!(e["scopeLabel"]["en"].as_str().is_some_and(|l| l.starts_with("city evaluation")), "{}", e["scopeLabel"]);
    let names = tenant_names(&e);
    for t in [&a, &b, &audit] {
        assert!(names.contains(t), "{t} in {names:?}");
    }
    let ta = e["tenants"].as_array().and_then(|ts| ts.iter().find(|t| t["name"] == a.as_str())).expect("a");
    assert!(ta["figures"]["checks"]["value"].as_f64().is_some_and(|n| n > 0.0), "the city's audit: {ta}");

    // An identity the API server lets read no tenant: an error saying what to do.
    let (ok, _, err) = evaluate_as(&format!("nobody-{scope}"), &[], "json");
    assert!(!ok, "nothing to evaluate");
    assert!(err.contains("cluster auditor role"), "{err}");
}
