//! The console's sharing page, pods and Mongolian names in a real browser
//! (issue 31), on the test's control plane with the operator up: a consumer
//! app asks a conditional provider; the provider's admin sees the request on
//! /sharing and refuses it with a reason (written as that user on its app,
//! the API server recording who); the consumer's admin sees the answer; a
//! third department's admin posting the same answer gets the API server's
//! 403, and a POST without the session's CSRF token is refused by the
//! console; the provider's own auditor, who may read the app, gets the API
//! server's 403 on the patch. The provider's home shows its pods, their nodes and, for a node
//! the department may not read, the API server's refusal; the tenant's
//! Mongolian name is laid out vertically (computed `writing-mode`).

use std::time::Duration;

use crate::support;
use support::offline::zone_doc;
use support::web::{Browser, Console, csrf, http, session_cookie};
use support::{Operator, client, eventually, short};

use govcloud::api::DepartmentApp;
use kube::Api;

const CONVERGE: Duration = Duration::from_secs(120);
const MN: &str = "ᠬᠦᠮᠦᠨ ᠠᠮ";

fn model(zone: &str, p: &str, c: &str, d: &str) -> String {
    let tenant = |t: &str, mn: &str| {
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {t}}}\nspec:\n  displayName: {{zh: 部门{t}, en: Dept {t}{mn}}}\n  owners: [{{kind: Group, name: {t}-admins, role: admin}}, {{kind: Group, name: {t}-auditors, role: auditor}}]\n  zones: [{{name: {zone}, quota: {{cpu: \"4\", memory: 8Gi, pods: 20, services: 10}}}}]\n"
        )
    };
    let app = |t: &str, name: &str, extra: &str| {
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: {t}-{zone}}}\nspec:\n  zone: {zone}\n  image: harbor.egov.local/{t}/{name}:1.0\n  replicas: 1\n  resources:\n    requests: {{cpu: 50m, memory: 64Mi}}\n    limits: {{cpu: 100m, memory: 128Mi}}\n  ports: [{{name: http, port: 8080}}]\n{extra}"
        )
    };
    let catalogue = format!(
        "{{names: {{zh: 人口库, en: Population, mn: {MN}}}, description: residents, updateFrequency: daily, contact: records office}}"
    );
    [
        zone_doc(zone, "extranet", "10.93.0.0/16", ""),
        tenant(p, &format!(", mn: {MN}")),
        tenant(c, ""),
        tenant(d, ""),
        app(p, "asked", &format!("  sharing: {{class: conditional, catalogue: {catalogue}}}\n")),
        app(
            c,
            "asker",
            &format!("  flows: {{calls: [{{tenant: {p}, app: asked, purpose: checking benefit claims}}]}}\n"),
        ),
    ]
    .join("---\n")
}

fn post(console: &Console, cookie: &str, form: &str) -> support::web::Answer {
    http(
        &console.addr,
        "POST",
        "/sharing",
        &[("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")],
        form,
    )
}

async fn answers(k: &kube::Client, ns: &str) -> Vec<govcloud::api::SharingAnswer> {
    let a = Api::<DepartmentApp>::namespaced(k.clone(), ns).get("asked").await.expect("provider app");
    a.spec.sharing.map(|s| s.answers).unwrap_or_default()
}

#[tokio::test]
async fn in_a_browser_a_provider_answers_a_sharing_request_the_consumer_sees_it_and_a_third_department_cannot() {
    let k = client().await;
    let scope = short("csh");
    let (zone, p, c, d) = (short("hz"), short("hp"), short("hc"), short("hd"));
    let _op = Operator::start(&scope, 300).await;
    support::apply_text(&k, &model(&zone, &p, &c, &d), &scope).await;
    let (pns, cns) = (format!("{p}-{zone}"), format!("{c}-{zone}"));
    let consumer = format!("{c}/{zone}/asker");
    let provider_admin = format!("zhao-{scope}");

    let prov = Console::start(&support::kubeconfig_as(&provider_admin, &[&format!("{p}-admins")]), &[]);
    let cons = Console::start(&support::kubeconfig_as(&format!("qian-{scope}"), &[&format!("{c}-admins")]), &[]);
    let third = Console::start(&support::kubeconfig_as(&format!("sun-{scope}"), &[&format!("{d}-admins")]), &[]);

    // The provider's page lists the request once the operator saw it.
    let field = format!("reason-{pns}-asked-{}", consumer.replace('/', "-"));
    eventually("the request on the provider's sharing page", CONVERGE, || async {
        let a = prov.get("/sharing", &[]);
        (a.status == 200 && a.body.contains(&format!("id=\"{field}\""))).then_some(())
    })
    .await;

    // CSRF: a POST without the session's token is refused, nothing written.
    let page = prov.get("/sharing", &[]);
    let cookie = session_cookie(&page);
    let form = format!("app={pns}/asked&consumer={consumer}&decision=Granted&reason=ok");
    let forged = post(&prov, &cookie, &form);
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(forged.body.contains("CSRF"), "{}", forged.body);
    assert!(answers(&k, &pns).await.is_empty(), "a POST without CSRF wrote an answer");

    // A third department, with its own valid session and token: the API server's refusal.
    let page = third.get("/sharing", &[]);
    assert!(!page.body.contains(&field), "the third department is asked nothing: {}", page.body);
    // (Its session's CSRF token, from a page with a form.)
    let page = third.get("/requests", &[]);
    let (cookie, token) = (session_cookie(&page), csrf(&page.body));
    let refused = post(&third, &cookie, &format!("csrf={token}&{form}"));
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("403 Forbidden") && refused.body.contains("forbidden"), "{}", refused.body);
    assert!(answers(&k, &pns).await.is_empty(), "the third department wrote an answer");

    // The provider's own auditor reads the request but may not write the app:
    // the form is shown, and the API server refuses the patch.
    let auditor = Console::start(&support::kubeconfig_as(&format!("li-{scope}"), &[&format!("{p}-auditors")]), &[]);
    let page = auditor.get("/sharing", &[]);
    assert!(page.body.contains(&field), "the auditor reads the request: {}", page.body);
    let (cookie, token) = (session_cookie(&page), csrf(&page.body));
    let refused = post(&auditor, &cookie, &format!("csrf={token}&{form}"));
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("403 Forbidden") && refused.body.contains("cannot patch"), "{}", refused.body);
    assert!(answers(&k, &pns).await.is_empty(), "the auditor wrote an answer");

    let Some(b) = Browser::start() else { return };
    // The provider refuses, with a reason, in the browser.
    b.goto(&prov.url("/sharing"));
    let dom = b.source();
    assert!(dom.contains("checking benefit claims") && dom.contains("人口库"), "{dom}");
    assert!(dom.contains(&format!("<label for=\"{field}\"")), "{dom}");
    b.screenshot("sharing-provider");
    b.type_in(&b.find(&format!("#{field}")), "居民户籍数据仅用于社会救助");
    b.click(&b.find(&format!("#asked-{field} button[value=Refused]")));
    let done = format!("{pns}/asked → {consumer}: Refused");
    let dom = b.source_when(|d| d.contains(&done));
    assert!(dom.contains(&done), "{dom}");
    b.screenshot("sharing-answered");
    let written = answers(&k, &pns).await;
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(written[0].by.as_deref(), Some(provider_admin.as_str()), "the API server records who answered");
    assert_eq!(written[0].reason.as_deref(), Some("居民户籍数据仅用于社会救助"));

    // The consumer sees the answer (the operator carries it to its app's status).
    eventually("the refusal on the consumer's sharing page", CONVERGE, || async {
        let a = cons.get("/sharing", &[]);
        (a.body.contains("居民户籍数据仅用于社会救助") && a.body.contains(&provider_admin)).then_some(())
    })
    .await;
    b.goto(&cons.url("/sharing"));
    let dom = b.source();
    assert!(dom.contains(&format!("{cns}/asker")) && dom.contains("已拒绝"), "{dom}");
    b.screenshot("sharing-consumer");

    // The provider's home: its pod, on a node of the zone's pool; the node
    // itself the department may not read, and the page says so.
    let home = eventually("the provider's pod scheduled on its home", CONVERGE, || async {
        let a = prov.get("/", &[]);
        (a.body.contains(&format!("{pns}/asked-")) && a.body.contains("<td>extranet-node-")).then_some(a.body)
    })
    .await;
    assert!(home.contains("get node extranet-node-") && home.contains("403 Forbidden"), "{home}");
    b.goto(&prov.url("/"));
    let dom = b.source();
    assert!(dom.contains(&format!("{pns}/asked-")), "{dom}");
    // The Mongolian name, vertical.
    let mn = b.find(&format!("#tenant-{p} h2 span.mn"));
    assert_eq!(b.attribute(&mn, "lang"), "mn-Mong");
    assert_eq!(b.css(&mn, "writing-mode"), "vertical-lr");
    b.screenshot("home-pods-mongolian");
    // The same on the app's page.
    b.goto(&prov.url(&format!("/app/{pns}/asked")));
    let dom = b.source();
    assert!(dom.contains(&format!("{pns}/asked-")) && dom.contains("extranet-node-"), "{dom}");
    b.screenshot("app-pods");
}
