//! The console's compliance, evaluation and city pages (issue 31) in a real
//! browser, on the test's control plane. The audit bureau (the cluster
//! auditor role: a tenant with `auditScope: cluster`, its auditors' group)
//! sees every tenant's failures on /compliance, the city's evaluation, and
//! /city with its zones, nodes and the topology picture; a department sees
//! its own namespaces' compliance only, its self-evaluation, and on /city
//! the API server's 403. Screenshots go to target/console-shots/.

use std::time::Duration;

use crate::console::accessible;
use crate::support;
use support::offline::zone_doc;
use support::web::{Browser, Console};
use support::{Operator, client, eventually, short};

use govcloud::meta::names;
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleBinding};
use kube::Api;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind};

const CONVERGE: Duration = Duration::from_secs(180);

fn model(zone: &str, tenant: &str, other: &str, bureau: &str) -> String {
    let tenant_doc = |name: &str, zh: &str| {
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {name}}}\nspec:\n  displayName: {{zh: {zh}, en: {name}}}\n  owners: [{{kind: Group, name: {name}-admins, role: admin}}]\n  zones: [{{name: {zone}, quota: {{cpu: \"4\", memory: 8Gi, pods: 20, services: 10}}}}]\n"
        )
    };
    let app = |name: &str, ns: &str| {
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  zone: {zone}\n  image: harbor.egov.local/t/{name}:1\n  replicas: 1\n  resources:\n    requests: {{cpu: 50m, memory: 64Mi}}\n    limits: {{cpu: 100m, memory: 128Mi}}\n  ports: [{{name: api, port: 8443}}]\n"
        )
    };
    [
        zone_doc(zone, "extranet", "10.94.0.0/16", ""),
        tenant_doc(tenant, "卫健委"),
        tenant_doc(other, "公安局"),
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {bureau}}}\nspec:\n  displayName: {{zh: 审计局, en: Audit}}\n  owners: [{{kind: Group, name: {bureau}-bureau, role: auditor}}]\n  auditScope: cluster\n  zones: [{{name: {zone}}}]\n"
        ),
        app("clinic", &format!("{tenant}-{zone}")),
        app("secret-db", &format!("{other}-{zone}")),
    ]
    .join("---\n")
}

/// A binding to cluster-admin in `ns`: a critical failure (GC-RBAC-002) in its Report.
async fn bypass(c: &kube::Client, ns: &str) {
    let rb: RoleBinding = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "root"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "User", "name": "mallory", "apiGroup": "rbac.authorization.k8s.io"}]
    }))
    .expect("rb");
    Api::<RoleBinding>::namespaced(c.clone(), ns).create(&Default::default(), &rb).await.expect("bypass binding");
}

/// The `<svg id="topology">` of a page.
fn topology(dom: &str) -> &str {
    let at = dom.find("<svg").unwrap_or_else(|| panic!("no svg: {dom}"));
    let end = dom[at..].find("</svg>").map_or(dom.len(), |e| at + e);
    &dom[at..end]
}

#[tokio::test]
async fn in_a_browser_the_audit_bureau_reads_compliance_and_the_city_and_a_department_only_its_own() {
    let c = client().await;
    let scope = short("cc");
    let (zone, tenant, other, bureau) = (short("kz"), short("kt"), short("ko"), short("kb"));
    let _op = Operator::start(&scope, 15).await;
    support::apply_text(&c, &model(&zone, &tenant, &other, &bureau), &scope).await;
    let (ns, other_ns) = (format!("{tenant}-{zone}"), format!("{other}-{zone}"));
    // The operator has made the namespaces and bound the bureau's auditors.
    eventually("the namespaces and the auditors' bindings", CONVERGE, || async {
        Api::<RoleBinding>::namespaced(c.clone(), &other_ns).get_opt(names::CLUSTER_AUDITORS_BINDING).await.ok()??;
        Api::<ClusterRoleBinding>::all(c.clone()).get_opt(&names::cluster_auditor_binding(&bureau)).await.ok()?
    })
    .await;
    bypass(&c, &ns).await;
    bypass(&c, &other_ns).await;
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk("openreports.io", "v1alpha1", "Report"));
    for n in [&ns, &other_ns] {
        let reports: Api<DynamicObject> = Api::namespaced_with(c.clone(), n, &ar);
        eventually(&format!("the failure in {n}'s Report"), CONVERGE, || async {
            let r = reports.get_opt("govcloud").await.ok().flatten()?;
            r.data["results"]
                .as_array()?
                .iter()
                .any(|x| x["rule"] == "GC-RBAC-002" && x["result"] == "fail")
                .then_some(())
        })
        .await;
    }

    let auditor =
        Console::start(&support::kubeconfig_as(&format!("audit-qian-{scope}"), &[&format!("{bureau}-bureau")]), &[]);
    let dept =
        Console::start(&support::kubeconfig_as(&format!("dept-sun-{scope}"), &[&format!("{tenant}-admins")]), &[]);
    let Some(b) = Browser::start() else { return };

    // The bureau: every tenant's failures, the most severe first, with the reason in Chinese.
    b.goto(&auditor.url("/compliance"));
    let dom = b.source();
    for s in [&ns, &other_ns, &format!("RoleBinding/{ns}/root"), &format!("RoleBinding/{other_ns}/root")] {
        assert!(dom.contains(s.as_str()), "{s} not on the bureau's compliance page: {dom}");
    }
    assert!(dom.contains("GC-RBAC-002") && dom.contains("严重"), "{dom}");
    let results = &dom[dom.find("class=\"results\"").expect("a results table")..];
    let (fail, pass) = (results.find(">不通过<"), results.find(">通过<"));
    assert!(fail.is_some() && (pass.is_none() || fail < pass), "failures first: {results}");
    accessible(&dom, "compliance");
    b.screenshot("compliance-bureau");
    // Narrowed by the query: one tenant's failures.
    b.goto(&auditor.url(&format!("/compliance?tenant={tenant}&failures=1")));
    let dom = b.source();
    let results = &dom[dom.find("class=\"results\"").expect("a results table")..];
    assert!(results.contains(&format!("RoleBinding/{ns}/root")), "{results}");
    assert!(!results.contains(&other_ns), "another tenant's results kept by the filter: {results}");
    assert!(!results.contains(">通过<"), "a pass kept by failures=1: {results}");

    // The city: the zone with its tenants, the topology picture with labels and a real size.
    b.goto(&auditor.url("/city"));
    let dom = b.source();
    assert!(dom.contains(&format!("id=\"zone-{zone}\"")), "{dom}");
    for s in [&tenant, &other, &bureau] {
        assert!(dom.contains(s.as_str()), "{s} not on the city page");
    }
    let svg = topology(&dom);
    assert!(svg.contains("id=\"topology\"") && svg.contains("aria-label="), "{svg}");
    assert!(svg.contains("卫健委") && svg.contains("公安局") && svg.contains(&zone), "labels: {svg}");
    assert!(svg.contains("1 个应用"), "the apps in their cells: {svg}");
    let (_, _, w, h) = b.rect(&b.find("#topology"));
    assert!(w > 300.0 && h > 100.0, "the picture drawn {w}×{h}");
    assert!(dom.contains("GC-RBAC-002"), "the latest failures: {dom}");
    accessible(&dom, "city");
    b.screenshot("city");

    // The city's evaluation, with its charts.
    b.goto(&auditor.url("/evaluation"));
    let dom = b.source_when(|d| d.contains("class=\"chart\""));
    assert!(dom.contains("全市") && dom.contains("class=\"chart\"") && dom.contains(&other), "{dom}");
    accessible(&dom, "evaluation");
    b.screenshot("evaluation-bureau");

    // A department: its own namespace's results only; the cluster report refused as the API server said.
    b.goto(&dept.url("/compliance"));
    let dom = b.source();
    assert!(dom.contains(&format!("RoleBinding/{ns}/root")), "{dom}");
    assert!(!dom.contains(&other) && !dom.contains(&other_ns), "another tenant on the department's page: {dom}");
    assert!(dom.contains("clusterreports") && dom.contains("403 Forbidden"), "{dom}");
    accessible(&dom, "compliance (department)");
    b.screenshot("compliance-department");
    // Its self-evaluation, nothing of the other department.
    b.goto(&dept.url("/evaluation"));
    let dom = b.source();
    assert!(dom.contains(&tenant) && !dom.contains(&other), "{dom}");
    b.screenshot("evaluation-department");
    // The city: the API server's refusal.
    b.goto(&dept.url("/city"));
    let dom = b.source();
    assert!(dom.contains("403 Forbidden") && dom.contains("networkzones"), "{dom}");
    assert!(!dom.contains("<svg"), "no picture for a department: {dom}");
    b.screenshot("city-refused");
    assert_eq!(dept.get("/city", &[]).status, 403);
}
