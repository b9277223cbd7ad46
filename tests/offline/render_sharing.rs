//! Flow decisions by the national sharing rules (issue 26): unconditional,
//! conditional with its answers and purpose, not shared with its basis, and
//! the data's classification between departments. The NetworkPolicies follow
//! the decisions.

use super::render_flows::{ZONES, app, flow, has_policy, render};
use govcloud::model::load_str;
use govcloud::render::Rendered;

/// The zones of `render_flows`, with b's db in the private zone registered
/// for the extranet: a path exists, and only the data's classification
/// stands between an extranet consumer and it.
fn render_with_path(apps: &[String]) -> Rendered {
    let zones = ZONES.replacen(
        "  mlpsLevel: 2\n",
        "  mlpsLevel: 2\n  exchangeEndpoints:\n    - {name: b-db, peerZones: [ext], app: {tenant: b, app: db}}\n",
        1,
    );
    let text = format!("{zones}{}", apps.concat());
    govcloud::render::render(&load_str("test.yaml", &text).unwrap_or_else(|e| panic!("{e:#?}")).model)
}
use govcloud::api::FlowState;

fn sharing(class: &str, more: &str) -> String {
    format!(
        "  sharing:\n    class: {class}\n    catalogue: {{names: {{zh: 库, en: DB}}, description: records, updateFrequency: daily, contact: office}}\n{more}"
    )
}

const CALLS: &str = "  flows: {calls: [{tenant: b, app: db}]}\n";
const CALLS_WITH_PURPOSE: &str = "  flows: {calls: [{tenant: b, app: db, purpose: checking benefit claims}]}\n";

#[test]
fn an_unconditional_resource_reaches_a_new_consumer_without_a_grant() {
    let r = render(&[app("a-ext", "portal", "ext", CALLS), app("b-ext", "db", "ext", &sharing("unconditional", ""))]);
    let f = flow(&r, "portal");
    assert_eq!(f.state, FlowState::Granted, "{}", f.reason);
    assert!(f.reason.to_string().starts_with("b/ext/db shares unconditionally"), "{}", f.reason);
    assert!(has_policy(&r, "a-ext", "govcloud-app-portal-egress"));
    assert!(has_policy(&r, "b-ext", "govcloud-app-db-ingress"));
}

#[test]
fn a_conditional_resource_waits_for_a_purpose_then_for_the_answer() {
    let provider = app("b-ext", "db", "ext", &sharing("conditional", ""));
    let r = render(&[app("a-ext", "portal", "ext", CALLS), provider.clone()]);
    let f = flow(&r, "portal");
    assert_eq!((f.state, f.awaiting), (FlowState::Pending, false));
    assert!(f.reason.to_string().contains("spec.flows.calls[0].purpose"), "{}", f.reason);
    let r = render(&[app("a-ext", "portal", "ext", CALLS_WITH_PURPOSE), provider]);
    let f = flow(&r, "portal");
    assert_eq!((f.state, f.awaiting), (FlowState::Pending, true), "{}", f.reason);
    assert!(f.reason.to_string().contains("purpose: checking benefit claims"), "{}", f.reason);
    assert_eq!(f.purpose.as_deref(), Some("checking benefit claims"));
    assert!(!has_policy(&r, "a-ext", "govcloud-app-portal-egress"));
    assert!(!has_policy(&r, "b-ext", "govcloud-app-db-ingress"));
}

#[test]
fn the_providers_answer_grants_or_refuses_with_its_reason_and_who_answered() {
    let consumer = app("a-ext", "portal", "ext", CALLS_WITH_PURPOSE);
    let granted = sharing("conditional", "    answers: [{consumer: a/ext/portal, decision: Granted, by: bob}]\n");
    let r = render(&[consumer.clone(), app("b-ext", "db", "ext", &granted)]);
    let f = flow(&r, "portal");
    assert_eq!((f.state, f.awaiting), (FlowState::Granted, false), "{}", f.reason);
    assert!(f.reason.to_string().contains("answered by bob"), "{}", f.reason);
    assert!(has_policy(&r, "b-ext", "govcloud-app-db-ingress"));
    let refused = sharing(
        "conditional",
        "    answers: [{consumer: a/ext/portal, decision: Refused, reason: the purpose does not need addresses, by: bob}]\n  flows: {allowFrom: [{tenant: a}]}\n",
    );
    let r = render(&[consumer.clone(), app("b-ext", "db", "ext", &refused)]);
    let f = flow(&r, "portal");
    assert_eq!(f.state, FlowState::Refused, "a refusal of the app wins over a grant to its tenant");
    assert_eq!(f.reason.to_string(), "refused by b/ext/db: the purpose does not need addresses (answered by bob)");
    assert!(!has_policy(&r, "b-ext", "govcloud-app-db-ingress"));
    // An answer to another app of the tenant is not this app's.
    let other = sharing("conditional", "    answers: [{consumer: a/ext/billing, decision: Granted}]\n");
    let r = render(&[consumer, app("b-ext", "db", "ext", &other)]);
    assert_eq!(flow(&r, "portal").state, FlowState::Pending);
}

#[test]
fn a_resource_not_shared_is_refused_with_its_basis_whatever_it_grants() {
    let none = sharing("none", "    basis: 《中华人民共和国保守国家秘密法》\n  flows: {allowFrom: [{tenant: a}]}\n");
    let r = render(&[app("a-ext", "portal", "ext", CALLS), app("b-ext", "db", "ext", &none)]);
    let f = flow(&r, "portal");
    assert_eq!(f.state, FlowState::Refused);
    assert!(
        f.reason.to_string().contains("not shared (不予共享)") && f.reason.to_string().contains("保守国家秘密法"),
        "{}",
        f.reason
    );
    assert!(!has_policy(&r, "b-ext", "govcloud-app-db-ingress"));
}

#[test]
fn between_departments_classification_follows_the_data() {
    // Secret data in a private zone: a private-zone consumer reaches it, an extranet one never.
    let secret = format!("  dataClassification: secret\n{}", sharing("unconditional", ""));
    let r = render(&[
        app("a-priv", "cases", "priv", "  flows: {calls: [{tenant: b, app: db}]}\n"),
        app("b-priv", "db", "priv", &secret),
    ]);
    assert_eq!(flow(&r, "cases").state, FlowState::Granted, "{}", flow(&r, "cases").reason);
    let calls_db = "  flows: {calls: [{tenant: b, app: db, zone: priv}]}\n";
    let r = render_with_path(&[app("a-ext", "portal", "ext", calls_db), app("b-priv", "db", "priv", &secret)]);
    let f = flow(&r, "portal");
    assert_eq!(f.state, FlowState::Refused);
    assert!(f.reason.to_string().contains("holds secret data"), "{}", f.reason);
    assert!(!has_policy(&r, "b-priv", "govcloud-app-db-ingress"));
    // The same path to sensitive data is open.
    let sensitive = format!("  dataClassification: sensitive\n{}", sharing("unconditional", ""));
    let r = render_with_path(&[app("a-ext", "portal", "ext", calls_db), app("b-priv", "db", "priv", &sensitive)]);
    assert_eq!(flow(&r, "portal").state, FlowState::Granted, "{}", flow(&r, "portal").reason);
    // An internet-zone consumer reaches, through the exchange endpoint that
    // registers b/api for the dmz, public data only.
    let calls = "  flows: {calls: [{tenant: b, app: api, zone: ext}]}\n";
    for (data, state) in [("internal", FlowState::Refused), ("public", FlowState::Granted)] {
        let provider = format!("  dataClassification: {data}\n{}", sharing("unconditional", ""));
        let r = render(&[app("a-dmz", "site", "dmz", calls), app("b-ext", "api", "ext", &provider)]);
        let f = flow(&r, "site");
        assert_eq!(f.state, state, "{data}: {}", f.reason);
        if state == FlowState::Refused {
            assert!(f.reason.to_string().contains("only providers of public data"), "{}", f.reason);
        }
        assert_eq!(has_policy(&r, "b-ext", "govcloud-app-api-ingress"), state == FlowState::Granted);
    }
}
