//! Unit tests of the sharing path on crafted objects: who answered (live or
//! not applied yet), deadlines from either side's status, and the
//! classification of every granted flow between tenants.

use serde_json::{Value, json};

use crate::{Finding, Outcome, audit};
use govcloud_core::controls;

const MODEL: &str = r#"
apiVersion: govcloud.io/v1alpha1
kind: NetworkZone
metadata: {name: ext}
spec:
  kind: extranet
  displayName: {zh: 外网, en: Extranet}
  nodePool: {selector: {govcloud.io/zone: ext}, taint: {key: govcloud.io/zone, value: ext}}
  cidrs: [10.10.0.0/16]
  allowedRegistries: [reg.local]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: p}
spec:
  displayName: {zh: 甲局, en: Bureau P}
  zones: [{name: ext}]
---
apiVersion: govcloud.io/v1alpha1
kind: Tenant
metadata: {name: c}
spec:
  displayName: {zh: 乙局, en: Bureau C}
  zones: [{name: ext}]
"#;

const CATALOGUE: &str =
    "    catalogue: {names: {zh: 库, en: Store}, description: d, updateFrequency: daily, contact: x}\n";

fn app(ns: &str, name: &str, spec: &str) -> String {
    format!(
        "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  zone: ext\n  image: reg.local/x/{name}:1\n  ports: [{{name: api, port: 8443}}]\n{spec}"
    )
}

/// The model of `apps`, and its apps as objects: live (with a uid) when `live`.
fn model_and_objects(apps: &[String], live: bool) -> (govcloud_core::model::Model, Vec<Value>) {
    let text = format!("{MODEL}{}", apps.concat());
    let model = govcloud_core::model::load_str("t.yaml", &text).unwrap_or_else(|e| panic!("{e:?}")).model;
    let objects = model
        .apps
        .iter()
        .map(|a| {
            let mut v = serde_json::to_value(a).expect("app");
            if live {
                v["metadata"]["uid"] = json!(format!("uid-{}", a.metadata.name.as_deref().unwrap_or_default()));
            }
            v
        })
        .collect();
    (model, objects)
}

/// (outcome, object, field, evidence) of `control`'s findings.
fn of(findings: &[Finding], control: &str) -> Vec<(Outcome, String, String, String)> {
    findings
        .iter()
        .filter(|f| f.control == control)
        .map(|f| (f.outcome, f.subject.object.to_string(), f.field.to_string(), f.evidence.to_string()))
        .collect()
}

const CONDITIONAL: &str = "  sharing:\n    class: conditional\n";

#[test]
fn an_answer_records_who_gave_it_on_a_live_object_and_a_refusal_its_reason() {
    let answers = "    answers:\n    - {consumer: c/ext/x, decision: Granted, by: alice}\n    - {consumer: c/ext/y, decision: Granted}\n    - {consumer: c/ext/z, decision: Refused, reason: ' ', by: alice}\n";
    let apps = [app("p-ext", "db", &format!("{CONDITIONAL}{CATALOGUE}{answers}"))];
    let (model, objects) = model_and_objects(&apps, true);
    let found = of(&audit(&model, &objects).findings, controls::SHARING_ANSWERS);
    let outcomes: Vec<(Outcome, &str)> = found.iter().map(|(o, _, f, _)| (*o, f.as_str())).collect();
    assert_eq!(
        outcomes,
        vec![
            (Outcome::Pass, "spec.sharing.answers[0].by"),
            (Outcome::Fail, "spec.sharing.answers[1].by"),
            (Outcome::Fail, "spec.sharing.answers[2].reason"),
        ],
        "{found:?}"
    );
    assert!(found[0].3.contains("c/ext/x granted by alice"), "{found:?}");
    assert!(found[1].3.contains("who answered was not recorded"), "{found:?}");
    // A manifest not applied yet: the API server has not had the chance to record `by`.
    let (model, objects) = model_and_objects(&apps, false);
    let found = of(&audit(&model, &objects).findings, controls::SHARING_ANSWERS);
    assert_eq!(found[1].0, Outcome::Skip, "{found:?}");
    assert_eq!(found[2].0, Outcome::Fail, "a refusal without a reason is one, applied or not");
}

#[test]
fn each_request_answered_or_in_time_passes_and_each_overdue_one_fails_once() {
    let status = "status:\n  sharing:\n    requests:\n    - {consumer: c/ext/x, state: Granted}\n    - {consumer: c/ext/w, purpose: 统计, state: Pending, since: '2026-11-02T00:00:00Z', due: '2026-11-16T00:00:00Z', overdue: true}\n    - {consumer: c/ext/v, state: Pending, since: '2026-11-20T00:00:00Z', due: '2026-12-04T00:00:00Z'}\n";
    let call = |purpose: &str| format!("  flows:\n    calls:\n    - {{tenant: p, app: db, purpose: {purpose}}}\n");
    // The operator names the target tenant/zone/app; tenant/app is read too.
    let flows = |target: &str| {
        format!("status:\n  flows:\n  - {{target: {target}, state: Pending, reason: waiting, overdue: true}}\n")
    };
    let apps = [
        app(
            "p-ext",
            "db",
            &format!(
                "{CONDITIONAL}{CATALOGUE}    answers:\n    - {{consumer: c/ext/x, decision: Granted}}\n    - {{consumer: c/ext/s, decision: Granted}}\n{status}"
            ),
        ),
        // w's own status says it too: one finding. z's is known from its status only.
        app("c-ext", "w", &format!("{}{}", call("统计"), flows("p/ext/db"))),
        app("c-ext", "z", &format!("{}{}", call("核验"), flows("p/db"))),
        // Waiting, and no status dates it.
        app("c-ext", "u", &call("查询")),
    ];
    let (model, objects) = model_and_objects(&apps, true);
    let found = of(&audit(&model, &objects).findings, controls::SHARING_DEADLINES);
    let summary: Vec<(Outcome, &str, &str)> =
        found.iter().map(|(o, obj, f, _)| (*o, obj.as_str(), f.as_str())).collect();
    assert_eq!(
        summary,
        vec![
            (Outcome::Fail, "DepartmentApp/c-ext/z", "status.flows[0].overdue"),
            (Outcome::Pass, "DepartmentApp/p-ext/db", "spec.sharing.answers[1]"),
            (Outcome::Skip, "DepartmentApp/p-ext/db", "status.sharing.requests"),
            (Outcome::Pass, "DepartmentApp/p-ext/db", "status.sharing.requests[0]"),
            (Outcome::Fail, "DepartmentApp/p-ext/db", "status.sharing.requests[1]"),
            (Outcome::Pass, "DepartmentApp/p-ext/db", "status.sharing.requests[2]"),
        ],
        "{found:?}"
    );
    let overdue = &found[4].3;
    assert!(
        overdue.contains("c/ext/w (purpose: 统计) waiting since 2026-11-02") && overdue.ends_with("overdue"),
        "{overdue}"
    );
    assert!(found[5].3.ends_with("in time"), "{found:?}");
    assert!(found[2].3.contains("c/ext/u waiting for an answer"), "{found:?}");
    // Findings on the provider belong to it: it owes the answer.
    let f = audit(&model, &objects);
    // In Chinese: the words are the catalogue's, the consumers, purposes and times as recorded.
    let zh: Vec<String> = f
        .findings
        .iter()
        .filter(|x| x.control == controls::SHARING_DEADLINES)
        .map(|x| x.evidence_in(govcloud_core::messages::Lang::Zh).into_owned())
        .collect();
    assert!(
        zh.iter().any(|e| e
            == "c/ext/w 的申请（用途：统计） 自 2026-11-02T00:00:00Z 起等待，应于 2026-11-16T00:00:00Z 前答复：已超期"),
        "{zh:?}"
    );
    assert!(zh.iter().all(|e| !e.contains("waiting") && !e.contains("request")), "{zh:?}");
    assert!(
        f.findings
            .iter()
            .any(|x| x.control == controls::SHARING_DEADLINES && x.subject.namespace.as_deref() == Some("p-ext"))
    );
}

#[test]
fn every_granted_flow_between_tenants_follows_the_classification() {
    let apps = [
        app("p-ext", "open", &format!("  sharing:\n    class: unconditional\n{CATALOGUE}")),
        app("p-ext", "vault", "  dataClassification: secret\n"),
        app(
            "c-ext",
            "x",
            "  flows:\n    calls:\n    - {tenant: p, app: open}\n    - {tenant: p, app: vault}\nstatus:\n  flows:\n  - {target: p/open, state: Granted, reason: ok}\n  - {target: p/ext/vault, state: Granted, reason: granted before it was secret}\n",
        ),
    ];
    let (model, objects) = model_and_objects(&apps, true);
    let a = audit(&model, &objects);
    let found = of(&a.findings, controls::SHARING_CLASSIFICATION);
    assert_eq!(found.len(), 2, "{found:?}");
    // Rendering grants the unconditional one; the status says the secret one is granted too.
    assert_eq!(found[0].0, Outcome::Pass, "{found:?}");
    assert_eq!(found[0].2, "spec.flows.calls[0]");
    assert!(found[0].3.contains("c/ext/x (zone ext, of kind extranet) -> p/ext/open (internal data)"), "{found:?}");
    assert_eq!(found[1].0, Outcome::Fail, "{found:?}");
    assert_eq!(found[1].2, "status.flows[1]");
    assert!(found[1].3.contains("holds secret data") && found[1].3.contains("the consumer's status"), "{found:?}");
    // Rendering itself does not grant the secret one: only the status says it is.
    assert!(a.flows.iter().any(|f| f.to == "p/ext/vault" && f.state != govcloud_core::api::FlowState::Granted));
}
