//! Information sharing by the national rules on the real control plane
//! (issue 26): with the operator up, an unconditional resource reaches a new
//! consumer without a grant, a conditional one waits (overdue after a
//! deadline compressed by `--answer-within`), then is refused with a reason
//! by the provider's admin and by nobody else, and a resource not shared is
//! refused with its basis; with the operator stopped, the API server records
//! who answered whatever is typed in, and a department can neither answer
//! for another nor open a flow itself.

use crate::support;

use std::time::Duration;

use govcloud::api::{DepartmentApp, FlowState, FlowStatus};
use k8s_openapi::api::core::v1::Event;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use serde_json::json;
use support::offline::zone_doc;
use support::{Operator, client, eventually, impersonating, short};

const CONVERGE: Duration = Duration::from_secs(120);

const CATALOGUE: &str = "{names: {zh: 人口库, en: Population, mn: ᠬᠦᠮᠦᠨ}, description: residents, updateFrequency: daily, contact: records office}";

/// A zone, the provider tenant `p` with three resources (open, asked, closed)
/// and two consumer tenants: `c` calls each, `d` only looks.
fn model(zone: &str, p: &str, c: &str, d: &str) -> String {
    let z = zone_doc(zone, "extranet", "10.93.0.0/16", "");
    let tenant = |t: &str| {
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {t}}}\nspec:\n  displayName: {{zh: 部门, en: Dept}}\n  owners: [{{kind: Group, name: {t}-admins, role: admin}}, {{kind: Group, name: {t}-devs, role: developer}}]\n  zones: [{{name: {zone}}}]\n"
        )
    };
    let app = |t: &str, name: &str, extra: &str| {
        format!(
            "apiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: {t}-{zone}}}\nspec:\n  zone: {zone}\n  image: harbor.egov.local/{t}/{name}:1.0\n  ports: [{{name: http, port: 8080}}]\n{extra}"
        )
    };
    let calls = |target: &str, purpose: bool| {
        let purpose = if purpose { ", purpose: checking benefit claims against residence" } else { "" };
        format!("  flows: {{calls: [{{tenant: {p}, app: {target}{purpose}}}]}}\n")
    };
    [
        z,
        tenant(p),
        tenant(c),
        tenant(d),
        app(p, "open", &format!("  sharing: {{class: unconditional, catalogue: {CATALOGUE}}}\n")),
        app(p, "asked", &format!("  sharing: {{class: conditional, catalogue: {CATALOGUE}}}\n")),
        app(
            p,
            "closed",
            &format!(
                "  sharing: {{class: none, basis: 《中华人民共和国保守国家秘密法》第二条, catalogue: {CATALOGUE}}}\n  flows: {{allowFrom: [{{tenant: {c}}}]}}\n"
            ),
        ),
        app(c, "reader", &calls("open", false)),
        app(c, "asker", &calls("asked", true)),
        app(c, "prying", &calls("closed", false)),
    ]
    .join("---\n")
}

async fn app(c: &Client, ns: &str, name: &str) -> Option<DepartmentApp> {
    Api::<DepartmentApp>::namespaced(c.clone(), ns).get_opt(name).await.ok()?
}

async fn flow(c: &Client, ns: &str, name: &str) -> Option<FlowStatus> {
    app(c, ns, name).await?.status?.flows.into_iter().next()
}

fn condition(a: &DepartmentApp, type_: &str) -> Option<(String, String, String)> {
    let c = a.status.as_ref()?.conditions.iter().find(|c| c.type_ == type_)?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}

async fn events(c: &Client, ns: &str, name: &str, reason: &str) -> Vec<String> {
    Api::<Event>::namespaced(c.clone(), ns)
        .list(&ListParams::default())
        .await
        .map(|l| {
            l.items
                .into_iter()
                .filter(|e| e.involved_object.name.as_deref() == Some(name) && e.reason.as_deref() == Some(reason))
                .filter_map(|e| e.message)
                .collect()
        })
        .unwrap_or_default()
}

async fn answer(c: &Client, ns: &str, app: &str, answers: serde_json::Value) -> Result<DepartmentApp, kube::Error> {
    Api::<DepartmentApp>::namespaced(c.clone(), ns)
        .patch(app, &PatchParams::default(), &Patch::Merge(json!({"spec": {"sharing": {"answers": answers}}})))
        .await
}

fn refused<T: std::fmt::Debug>(what: &str, r: Result<T, kube::Error>) -> (u16, String) {
    match r {
        Err(kube::Error::Api(s)) => (s.code, s.message.clone()),
        other => panic!("{what}: expected the API server to refuse, got {other:?}"),
    }
}

#[tokio::test]
async fn sharing_classes_answers_and_deadlines_with_the_operator_up() {
    let k = client().await;
    let scope = short("sh");
    let (zone, p, c, d) = (short("sz"), short("sp"), short("sc"), short("sd"));
    let op = Operator::start_with(&scope, 300, &["--answer-within", "20s"], "").await;
    support::apply_text(&k, &model(&zone, &p, &c, &d), &scope).await;
    let (pns, cns) = (format!("{p}-{zone}"), format!("{c}-{zone}"));

    // Unconditional: granted with no grant, and the policies follow.
    let f = eventually("the unconditional call granted", CONVERGE, || async {
        flow(&k, &cns, "reader").await.filter(|f| f.state == FlowState::Granted)
    })
    .await;
    assert!(f.reason.contains("shares unconditionally"), "{}", f.reason);
    eventually("the provider's ingress policy for its consumer", CONVERGE, || async {
        Api::<NetworkPolicy>::namespaced(k.clone(), &pns).get_opt("govcloud-app-open-ingress").await.ok()?
    })
    .await;

    // None: refused with the basis, whatever it grants.
    let f = eventually("the call to a resource not shared refused", CONVERGE, || async {
        flow(&k, &cns, "prying").await.filter(|f| f.state == FlowState::Refused)
    })
    .await;
    assert!(f.reason.contains("保守国家秘密法"), "{}", f.reason);
    assert!(
        Api::<NetworkPolicy>::namespaced(k.clone(), &pns)
            .get_opt("govcloud-app-closed-ingress")
            .await
            .ok()
            .flatten()
            .is_none()
    );

    // Conditional: waiting, with its deadline, seen by the provider with the purpose.
    let f = eventually("the conditional call waiting with a deadline", CONVERGE, || async {
        flow(&k, &cns, "asker").await.filter(|f| f.state == FlowState::Pending && f.due.is_some())
    })
    .await;
    assert!(f.reason.contains("waiting for"), "{}", f.reason);
    let provider = eventually("the provider's status lists the request", CONVERGE, || async {
        let a = app(&k, &pns, "asked").await?;
        a.status.as_ref()?.sharing.as_ref()?.requests.iter().any(|r| r.consumer.ends_with("/asker")).then_some(a)
    })
    .await;
    let request = &provider.status.as_ref().and_then(|s| s.sharing.clone()).expect("sharing").requests[0];
    assert_eq!(request.purpose.as_deref(), Some("checking benefit claims against residence"));

    // Past the (compressed) deadline: overdue on both, with an Event each.
    for (ns, name) in [(&cns, "asker"), (&pns, "asked")] {
        let a = eventually("AnswerOverdue on both apps", Duration::from_secs(90), || async {
            let a = app(&k, ns, name).await?;
            (condition(&a, "AnswerOverdue")?.0 == "True").then_some(a)
        })
        .await;
        let (_, reason, message) = condition(&a, "AnswerOverdue").expect("condition");
        assert_eq!(reason, "Overdue", "{message}");
        eventually("an AnswerOverdue Event", CONVERGE, || async {
            let e = events(&k, ns, name, "AnswerOverdue").await;
            (!e.is_empty()).then_some(e)
        })
        .await;
    }

    // The live audit reports it (GC-SHR-002), from the statuses the operator wrote.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args(["audit", "--format", "json"])
        .env("KUBECONFIG", support::kubeconfig())
        .output()
        .expect("run govcloud audit");
    let audit: serde_json::Value = serde_json::from_slice(&out.stdout).expect("audit json");
    let overdue: Vec<&serde_json::Value> = audit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["control"] == "GC-SHR-002" && f["outcome"] == "fail")
        .filter(|f| f["object"].as_str().is_some_and(|o| o.contains(&pns) || o.contains(&cns)))
        .collect();
    let all: Vec<String> = audit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["control"] == "GC-SHR-002")
        .map(|f| format!("{} {} {}", f["outcome"], f["object"], f["evidence"]))
        .collect();
    assert_eq!(
        overdue.len(),
        1,
        "one finding for the one overdue request: {overdue:#?}\n{all:#?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Nobody but the provider's admins answers: a consumer's admin and a third department are refused.
    let prov_admin = format!("zhao-{scope}");
    let provider_admin = impersonating(&prov_admin, &[&format!("{p}-admins")]).await;
    for (who, group) in
        [(format!("qian-{scope}"), format!("{c}-admins")), (format!("sun-{scope}"), format!("{d}-admins"))]
    {
        let other = impersonating(&who, &[&group]).await;
        let (code, _) = refused(
            "another department answering",
            answer(&other, &pns, "asked", json!([{"consumer": format!("{c}/{zone}/asker"), "decision": "Granted"}]))
                .await,
        );
        assert_eq!(code, 403);
    }
    // The provider's admin refuses with a reason; the server records who.
    let answered = answer(
        &provider_admin,
        &pns,
        "asked",
        json!([{"consumer": format!("{c}/{zone}/asker"), "decision": "Refused", "reason": "residence data is shared for social assistance only"}]),
    )
    .await
    .expect("the provider's admin answers");
    let by = answered.spec.sharing.as_ref().and_then(|s| s.answers.first()).and_then(|a| a.by.clone());
    assert_eq!(by.as_deref(), Some(prov_admin.as_str()));
    let f = eventually("the refusal reaches the consumer", CONVERGE, || async {
        flow(&k, &cns, "asker").await.filter(|f| f.state == FlowState::Refused)
    })
    .await;
    assert!(f.reason.contains("social assistance only") && f.reason.contains(&prov_admin), "{}", f.reason);
    let a = eventually("no longer overdue once answered", CONVERGE, || async {
        let a = app(&k, &cns, "asker").await?;
        (condition(&a, "AnswerOverdue")?.0 == "False").then_some(a)
    })
    .await;
    assert!(!a.status.as_ref().expect("status").flows[0].overdue);
    drop(op);
}

#[tokio::test]
async fn with_the_operator_stopped_nobody_forges_an_answer_or_opens_a_flow() {
    let k = client().await;
    let scope = short("so");
    let (zone, p, c, d) = (short("sz"), short("sp"), short("sc"), short("sd"));
    let mut op = Operator::start(&scope, 300).await;
    support::apply_text(&k, &model(&zone, &p, &c, &d), &scope).await;
    let (pns, cns) = (format!("{p}-{zone}"), format!("{c}-{zone}"));
    eventually("the consumer namespace isolated", CONVERGE, || async {
        Api::<NetworkPolicy>::namespaced(k.clone(), &cns).get_opt(govcloud::meta::names::DEFAULT_DENY).await.ok()?
    })
    .await;
    // Every tenant's roles and bindings in place (a loaded machine may be
    // slower with the provider's than with the consumer's) before the stop.
    let tenants: Api<govcloud::api::Tenant> = Api::all(k.clone());
    eventually("the provider's and the consumer's tenants Ready", CONVERGE, || async {
        let ready = |t: Option<govcloud::api::Tenant>| {
            t.and_then(|t| t.status)
                .is_some_and(|s| s.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        };
        (ready(tenants.get_opt(&p).await.ok()?) && ready(tenants.get_opt(&c).await.ok()?)).then_some(())
    })
    .await;
    op.kill();

    let zhao = format!("zhao-{scope}");
    let provider_admin = impersonating(&zhao, &[&format!("{p}-admins")]).await;
    let consumer = format!("{c}/{zone}/asker");
    // A name typed in is not what is stored.
    let a = answer(
        &provider_admin,
        &pns,
        "asked",
        json!([{"consumer": consumer, "decision": "Granted", "by": "the-mayor"}]),
    )
    .await
    .expect("answer");
    let by = |a: &DepartmentApp| a.spec.sharing.as_ref().and_then(|s| s.answers.first()).and_then(|a| a.by.clone());
    assert_eq!(by(&a).as_deref(), Some(zhao.as_str()));
    // Rewriting who answered an unchanged answer puts the recorded name back.
    let a = answer(
        &provider_admin,
        &pns,
        "asked",
        json!([{"consumer": consumer, "decision": "Granted", "by": "the-mayor"}]),
    )
    .await
    .expect("unchanged answer");
    assert_eq!(by(&a).as_deref(), Some(zhao.as_str()));
    // Another admin changing the answer is recorded as the one who answered.
    let wu = format!("wu-{scope}");
    let second = impersonating(&wu, &[&format!("{p}-admins")]).await;
    let a = answer(
        &second,
        &pns,
        "asked",
        json!([{"consumer": consumer, "decision": "Refused", "reason": "not for this purpose", "by": zhao}]),
    )
    .await
    .expect("changed answer");
    assert_eq!(by(&a).as_deref(), Some(wu.as_str()));

    // The provider's developers may change its app, but not answer for the department.
    let dev = impersonating(&format!("zheng-{scope}"), &[&format!("{p}-devs")]).await;
    let (code, message) = refused(
        "a developer answering",
        answer(&dev, &pns, "asked", json!([{"consumer": consumer, "decision": "Granted"}])).await,
    );
    assert!(code == 403 && message.contains("only the tenant's admins"), "{code} {message}");
    let (code, _) = refused("a developer withdrawing an answer", answer(&dev, &pns, "asked", json!([])).await);
    assert_eq!(code, 403);

    // The consumer's admin can neither answer for the provider nor open the flow itself.
    let qian = impersonating(&format!("qian-{scope}"), &[&format!("{c}-admins")]).await;
    let (code, _) = refused(
        "a consumer answering for the provider",
        answer(&qian, &pns, "closed", json!([{"consumer": format!("{c}/{zone}/prying"), "decision": "Granted"}])).await,
    );
    assert_eq!(code, 403);
    let open: NetworkPolicy = serde_json::from_value(json!({
        "metadata": {"name": "to-closed"},
        "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": pns}}}]}]}
    }))
    .expect("policy");
    let (code, _) = refused(
        "a department opening a flow itself",
        Api::<NetworkPolicy>::namespaced(qian.clone(), &cns).create(&PostParams::default(), &open).await,
    );
    assert_eq!(code, 403);
    // Nothing opened the closed resource while the operator was away.
    let policies = Api::<NetworkPolicy>::namespaced(k.clone(), &pns).list(&ListParams::default()).await.expect("list");
    assert!(policies.items.iter().all(|n| n.name_any() != "govcloud-app-closed-ingress"));
}
