//! The web console (issue 31) in a real browser: headless Chromium driven
//! over WebDriver against `govcloud console` on the test's control plane.
//! A department user sees its own tenant and not another's, and a forged URL
//! to the other's app shows the API server's refusal; it files a request
//! (the API server's validation message first); an approver approves it with
//! a reason and the quota shown grows; an auditor sees compliance and its
//! forged POST is refused by the API server; a POST without the session's
//! CSRF token is refused by the console. Screenshots go to
//! target/console-shots/. Accessibility basics are checked on the pages.

use std::time::Duration;

use crate::support;
use support::offline::zone_doc;
use support::web::{Browser, Console, csrf, http, session_cookie};
use support::{Operator, client, eventually, short};

use govcloud::meta::names;
use k8s_openapi::api::rbac::v1::ClusterRoleBinding;
use kube::Api;
use kube::api::{Patch, PatchParams};

const CONVERGE: Duration = Duration::from_secs(120);

fn model(zone: &str, tenant: &str, other: &str) -> String {
    let tenant_doc = |name: &str, zh: &str| {
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {name}}}\nspec:\n  displayName: {{zh: {zh}, en: {name}}}\n  owners: [{{kind: Group, name: {name}-admins, role: admin}}, {{kind: Group, name: {name}-auditors, role: auditor}}]\n  zones: [{{name: {zone}, quota: {{cpu: \"4\", memory: 8Gi, pods: 20, services: 10}}}}]\n"
        )
    };
    let app = |name: &str, ns: &str| {
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  zone: {zone}\n  image: harbor.egov.local/t/{name}:1\n  replicas: 1\n  resources:\n    requests: {{cpu: 50m, memory: 64Mi}}\n    limits: {{cpu: 100m, memory: 128Mi}}\n  ports: [{{name: api, port: 8443}}]\n"
        )
    };
    [
        zone_doc(zone, "extranet", "10.93.0.0/16", ""),
        tenant_doc(tenant, "卫健委"),
        tenant_doc(other, "公安局"),
        app("clinic", &format!("{tenant}-{zone}")),
        app("secret-db", &format!("{other}-{zone}")),
    ]
    .join("---\n")
}

async fn bind_approver(c: &kube::Client, user: &str) {
    let crb: ClusterRoleBinding = serde_json::from_value(serde_json::json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": format!("test-approver-{user}")},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": names::REQUEST_APPROVER},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]
    }))
    .expect("binding");
    Api::<ClusterRoleBinding>::all(c.clone())
        .patch(&format!("test-approver-{user}"), &PatchParams::apply("govcloud-tests").force(), &Patch::Apply(&crb))
        .await
        .expect("bind approver");
}

/// The `max` of the requests.cpu quota bar of namespace `ns` on a home page.
fn cpu_granted(page: &str, ns: &str) -> Option<String> {
    let at = page.find(&format!("id=\"q-{ns}-requests-cpu\""))?;
    let tag = &page[page[..at].rfind('<')?..];
    let tag = &tag[..tag.find('>')?];
    let m = tag.find("max=\"")? + 5;
    Some(tag[m..].split('"').next()?.to_string())
}

/// Accessibility basics of a page's DOM: its language, a label for each
/// control, alt text on each image.
pub(crate) fn accessible(dom: &str, page: &str) {
    assert!(dom.contains("<html lang=\"zh\"") || dom.contains("<html lang=\"en\""), "{page}: no lang");
    let control = regex::Regex::new(r#"<(input|select|textarea)\b[^>]*>"#).expect("re");
    let id_attr = regex::Regex::new(r#"\bid="([^"]+)""#).expect("re");
    for c in control.find_iter(dom).map(|m| m.as_str()).filter(|c| !c.contains("type=\"hidden\"")) {
        let id = id_attr.captures(c).map(|m| m[1].to_string());
        let id = id.unwrap_or_else(|| panic!("{page}: a control without an id (so no label): {c}"));
        assert!(dom.contains(&format!("<label for=\"{id}\"")), "{page}: no label for {id}");
    }
    for img in regex::Regex::new(r#"<img\b[^>]*>"#).expect("re").find_iter(dom) {
        assert!(img.as_str().contains(" alt=\""), "{page}: image without alt: {}", img.as_str());
    }
}

#[tokio::test]
async fn in_a_browser_a_department_files_a_request_an_approver_approves_it_and_an_auditor_cannot_write() {
    let c = client().await;
    let scope = short("con");
    let (zone, tenant, other) = (short("cz"), short("ct"), short("co"));
    let _op = Operator::start(&scope, 300).await;
    support::apply_text(&c, &model(&zone, &tenant, &other), &scope).await;
    let (ns, other_ns) = (format!("{tenant}-{zone}"), format!("{other}-{zone}"));

    let dept =
        Console::start(&support::kubeconfig_as(&format!("dept-zhang-{scope}"), &[&format!("{tenant}-admins")]), &[]);
    let approver_user = format!("pe-wang-{scope}");
    bind_approver(&c, &approver_user).await;
    let approver = Console::start(&support::kubeconfig_as(&approver_user, &["information-centre"]), &[]);
    let auditor =
        Console::start(&support::kubeconfig_as(&format!("audit-zhao-{scope}"), &[&format!("{tenant}-auditors")]), &[]);

    // The home, once the operator counted the quota.
    let before = eventually("the department's home with its quota", CONVERGE, || async {
        let a = dept.get("/", &[]);
        (a.status == 200).then(|| cpu_granted(&a.body, &ns)).flatten()
    })
    .await;
    assert_eq!(before, "4.000");
    let home = dept.get("/", &[]);
    for h in ["content-security-policy", "x-content-type-options", "set-cookie"] {
        assert!(home.header(h).is_some(), "no {h} header: {:?}", home.headers);
    }
    assert!(home.header("content-security-policy").is_some_and(|p| p.contains("default-src 'none'")));
    assert!(home.header("set-cookie").is_some_and(|s| s.contains("HttpOnly") && s.contains("SameSite=Strict")));

    let Some(b) = Browser::start() else { return };
    b.goto(&dept.url("/"));
    let dom = b.source();
    assert!(dom.contains(&tenant) && dom.contains("卫健委") && dom.contains("clinic"), "{dom}");
    assert!(!dom.contains(&other) && !dom.contains("secret-db"), "another tenant on the home: {dom}");
    accessible(&dom, "home");
    b.screenshot("department-home");

    // A forged URL to the other tenant's app: the API server's refusal.
    b.goto(&dept.url(&format!("/app/{other_ns}/secret-db")));
    let dom = b.source();
    assert!(dom.contains("403 Forbidden") && dom.contains("forbidden"), "{dom}");
    b.screenshot("forged-url-refused");
    assert_eq!(dept.get(&format!("/app/{other_ns}/secret-db"), &[]).status, 403);
    b.goto(&dept.url(&format!("/app/{ns}/clinic")));
    let dom = b.source();
    assert!(dom.contains(&format!("{ns}/clinic")) && dom.contains("Deployment"), "{dom}");
    b.screenshot("app");

    // Filing: first without a justification (the API server's message), then right.
    support::quota_counts(&c, &ns, "count/resourcerequests.govcloud.io").await;
    b.goto(&dept.url("/requests"));
    accessible(&b.source(), "requests");
    // The keyboard reaches the form's controls in order.
    let mut order = Vec::new();
    for _ in 0..30 {
        order.push(b.tab());
    }
    let pos =
        |id: &str| order.iter().position(|o| o == id).unwrap_or_else(|| panic!("Tab never reaches {id}: {order:?}"));
    assert!(
        pos("namespace") < pos("kind") && pos("kind") < pos("zone") && pos("zone") < pos("justification"),
        "{order:?}"
    );
    b.type_in(&b.find("#zone"), &zone);
    b.type_in(&b.find("#cpu"), "2");
    b.type_in(&b.find("#project"), "核酸检测平台");
    b.click(&b.find("form[action='/requests'] button[type=submit]"));
    let dom = b.source_when(|d| d.contains("justification must say why the resources are needed"));
    assert!(dom.contains("justification must say why the resources are needed"), "{dom}");
    b.screenshot("request-refused");
    b.type_in(&b.find("#justification"), "flu season: the clinic needs more CPU");
    b.click(&b.find("form[action='/requests'] button[type=submit]"));
    let dom = b.source_when(|d| d.contains(&format!("{ns}/request-")));
    let filed = dom.split(&format!("{ns}/request-")).nth(1).and_then(|s| s.split(['<', ' ']).next());
    let name = format!("request-{}", filed.unwrap_or_else(|| panic!("no request filed: {dom}")));
    b.screenshot("request-filed");
    // This test's operator manages only objects labelled with its scope (the console files none such).
    let scoped = serde_json::json!({"metadata": {"labels": {"govcloud.io/scope": scope}}});
    Api::<govcloud::api::ResourceRequest>::namespaced(c.clone(), &ns)
        .patch(&name, &PatchParams::default(), &Patch::Merge(&scoped))
        .await
        .expect("label the request with the test's scope");

    // CSRF: the same POST without the session's token is refused, and nothing is filed.
    let first = dept.get("/requests", &[]);
    let cookie = session_cookie(&first);
    let form = format!("namespace={ns}&kind=Quota&zone={zone}&cpu=1&justification=x&project=y");
    let forged = http(
        &dept.addr,
        "POST",
        "/requests",
        &[("Cookie", &cookie), ("Content-Type", "application/x-www-form-urlencoded")],
        &form,
    );
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(forged.body.contains("CSRF"), "{}", forged.body);

    // The approver's queue: the request, the zone's capacity; approve with a reason.
    b.goto(&approver.url("/queue"));
    let dom = b.source();
    assert!(dom.contains(&format!("{ns}/{name}")), "{dom}");
    accessible(&dom, "queue");
    b.screenshot("approver-queue");
    let section = format!("#request-{ns}-{name}");
    b.type_in(&b.find(&format!("{section} input[name=reason]")), "卫健委流感季扩容，容量充足");
    b.click(&b.find(&format!("{section} button[value=Approved]")));
    let dom = b.source_when(|d| d.contains(&format!("{ns}/{name}: Approved")));
    assert!(dom.contains(&format!("{ns}/{name}: Approved")), "{dom}");

    // The quota shown grows by what was approved.
    eventually("the department's home showing the approved quota", CONVERGE, || async {
        let a = dept.get("/", &[]);
        (cpu_granted(&a.body, &ns).as_deref() == Some("6.000")).then_some(())
    })
    .await;
    b.goto(&dept.url("/"));
    b.screenshot("department-home-after");

    // The auditor reads compliance; a forged POST with its own valid token is refused by the API server.
    b.goto(&auditor.url("/"));
    let dom = b.source();
    assert!(dom.contains("合规") && dom.contains(&tenant), "{dom}");
    b.screenshot("auditor-home");
    let page = auditor.get("/requests", &[]);
    let (cookie, token) = (session_cookie(&page), csrf(&page.body));
    let form = format!("csrf={token}&{form}");
    let refused = http(
        &auditor.addr,
        "POST",
        "/requests",
        &[("Cookie", &cookie), ("Content-Type", "application/x-www-form-urlencoded")],
        &form,
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("forbidden") && refused.body.contains("403 Forbidden"), "{}", refused.body);
    let decide = format!("csrf={token}&request={ns}/{name}&state=Rejected&reason=no");
    let refused = http(
        &auditor.addr,
        "POST",
        "/queue",
        &[("Cookie", &cookie), ("Content-Type", "application/x-www-form-urlencoded")],
        &decide,
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
}

#[tokio::test]
async fn with_token_auth_the_console_acts_as_the_token_s_user_and_refuses_an_unknown_token() {
    let c = client().await;
    let scope = short("cot");
    let ns = format!("console-{scope}");
    let kc = support::kubeconfig();
    let run = |args: &[&str]| {
        let out = std::process::Command::new("kubectl").args(args).env("KUBECONFIG", kc).output().expect("kubectl");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    run(&["create", "namespace", &ns]);
    run(&["-n", &ns, "create", "serviceaccount", "clerk"]);
    let token = run(&["-n", &ns, "create", "token", "clerk"]);
    let _ = &c;
    let console = Console::start(kc, &["--auth", "token"]);
    // No token: the login form.
    let a = console.get("/", &[]);
    assert_eq!((a.status, a.header("location")), (303, Some("/login")), "{a:?}");
    // A token the API server does not know.
    let a = console.get("/", &[("Authorization", "Bearer not-a-token")]);
    assert_eq!(a.status, 401, "{}", a.body);
    // The service account's token: pages as that user, who may read no tenant.
    let a = console.get("/", &[("Authorization", &format!("Bearer {token}"))]);
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body.contains(&format!("system:serviceaccount:{ns}:clerk")), "{}", a.body);
    assert!(a.body.contains("没有可读的租户"), "{}", a.body);
    // Its queue: the API server refuses it the list of requests.
    let a = console.get("/queue", &[("Authorization", &format!("Bearer {token}"))]);
    assert!(a.body.contains("403 Forbidden"), "{}", a.body);
    // Logging in on the form keeps the user in the session.
    let page = console.get("/login", &[]);
    let (cookie, t) = (session_cookie(&page), csrf(&page.body));
    let a = http(
        &console.addr,
        "POST",
        "/login",
        &[("Cookie", &cookie), ("Content-Type", "application/x-www-form-urlencoded")],
        &format!("csrf={t}&token={token}"),
    );
    assert_eq!(a.status, 303, "{}", a.body);
    // The login gives the session a new id: the one known before it is gone.
    let logged_in = session_cookie(&a);
    assert_ne!(logged_in, cookie, "the session id is renewed at login");
    let a = console.get("/", &[("Cookie", &logged_in)]);
    assert!(a.body.contains(&format!("system:serviceaccount:{ns}:clerk")), "{}", a.body);
    let a = console.get("/", &[("Cookie", &cookie)]);
    assert_eq!((a.status, a.header("location")), (303, Some("/login")), "the id from before the login: {a:?}");
    run(&["delete", "namespace", &ns, "--wait=false"]);
}
