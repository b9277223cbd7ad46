//! Unit tests of `shares`: resources shared and not, answers overdue (each
//! request once, from either side's status), refusals without basis.

use super::*;
use crate::{Inputs, evaluate};

const HEAD: &str = "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: ext}\nspec:\n  kind: extranet\n  displayName: {zh: 外网, en: Extranet}\n  nodePool: {selector: {govcloud.io/zone: extranet}, taint: {key: govcloud.io/zone, value: extranet}}\n  cidrs: [10.10.0.0/16]\n  allowedRegistries: [harbor.egov.local]\n---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: p}\nspec:\n  baseDatabases: [PB]\n  displayName: {zh: 甲局, en: Bureau P}\n  zones: [{name: ext}]\n---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: c}\nspec:\n  baseDatabases: [CB]\n  displayName: {zh: 乙局, en: Bureau C}\n  zones: [{name: ext}]\n";

const CATALOGUE: &str =
    "    catalogue: {names: {zh: 库, en: Store}, description: d, updateFrequency: daily, contact: x}\n";

/// An app `name` of tenant `tenant`, with `labels`, `sharing` (indented
/// under spec) and `status` (indented under status) when not empty.
fn app(tenant: &str, name: &str, labels: &str, sharing: &str, status: &str) -> String {
    let mut s = format!(
        "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: {tenant}-ext{labels}}}\nspec:\n  zone: ext\n  image: harbor.egov.local/{tenant}/{name}:1\n  ports: [{{name: api, port: 8443}}]\n"
    );
    if !sharing.is_empty() {
        s.push_str(&format!("  sharing:\n{sharing}{CATALOGUE}"));
    }
    if !status.is_empty() {
        s.push_str(&format!("status:\n{status}"));
    }
    s
}

fn model(apps: &[String]) -> govcloud_core::model::Model {
    based("", "", apps)
}

/// A model whose tenants p and c hold the base databases `p_bases` and
/// `c_bases` (comma-separated app names), as the platform designates them.
fn based(p_bases: &str, c_bases: &str, apps: &[String]) -> govcloud_core::model::Model {
    let head = HEAD.replace("[PB]", &format!("[{p_bases}]")).replace("[CB]", &format!("[{c_bases}]"));
    let text = format!("{head}{}", apps.concat());
    govcloud_core::model::load_str("t.yaml", &text).unwrap_or_else(|e| panic!("{e:?}")).model
}

fn of(m: &govcloud_core::model::Model, tenant: &str) -> Shares {
    let ns_tenant: BTreeMap<String, String> =
        [("p-ext".to_string(), "p".to_string()), ("c-ext".to_string(), "c".to_string())].into();
    let own: Vec<&DepartmentApp> =
        m.apps.iter().filter(|a| a.namespace().as_deref() == Some(&format!("{tenant}-ext"))).collect();
    let t = m.tenants.iter().find(|t| t.name_any() == tenant).expect("tenant");
    shares(t, tenant, &own, &m.apps, &ns_tenant)
}

#[test]
fn resources_shared_base_databases_not_shared_and_refusals_without_basis_are_counted() {
    // p holds three base databases: kept (not shared on a basis), plain (no
    // sharing) and cond (shared conditionally).
    let m = based(
        "kept, plain, cond",
        "",
        &[
            app("p", "open", "", "    class: unconditional\n", ""),
            app(
                "p",
                "cond",
                "",
                "    class: conditional\n    answers:\n    - {consumer: c/ext/x, decision: Refused, reason: ' '}\n    - {consumer: c/ext/y, decision: Granted}\n    - {consumer: c/ext/z, decision: Refused, reason: 不在用途范围内}\n",
                "  sharing:\n    requests:\n    - {consumer: c/ext/w, state: Pending}\n",
            ),
            // A base database not shared on a basis is still not shared.
            app("p", "kept", "", "    class: none\n    basis: 《某条例》第十条\n", ""),
            app("p", "plain", "", "", ""),
            // Not a base database: not shared on its basis counts for nothing, without one against.
            app("p", "closed", "", "    class: none\n    basis: '  '\n", ""),
            app("p", "private", "", "    class: none\n    basis: 《保密法》\n", ""),
        ],
    );
    let s = of(&m, "p");
    assert_eq!(s, Shares { shared: 2, unshared_base: 2, overdue: Ok(0), unfounded: 2 });
    // The consumer holds nothing.
    assert_eq!(of(&m, "c"), Shares { shared: 0, unshared_base: 0, overdue: Ok(0), unfounded: 0 });
}

#[test]
fn an_overdue_request_counts_once_whichever_side_says_it() {
    let m = model(&[
        app(
            "p",
            "cond",
            "",
            "    class: conditional\n",
            "  sharing:\n    requests:\n    - {consumer: c/ext/x, state: Pending, overdue: true}\n    - {consumer: c/ext/v, state: Pending}\n",
        ),
        // x's own status says the same request is overdue; y's says its own is.
        app("c", "x", "", "", "  flows:\n  - {target: p/cond, state: Pending, reason: waiting, overdue: true}\n"),
        app("c", "y", "", "", "  flows:\n  - {target: p/cond, state: Pending, reason: waiting, overdue: true}\n"),
        // A flow in time, and one overdue towards another tenant, count for nothing here.
        app(
            "c",
            "v",
            "",
            "",
            "  flows:\n  - {target: p/cond, state: Pending, reason: waiting}\n  - {target: q/other, state: Pending, reason: waiting, overdue: true}\n",
        ),
    ]);
    assert_eq!(of(&m, "p").overdue, Ok(2));
    assert_eq!(of(&m, "c").overdue, Ok(0), "the consumer owes no answer");
}

#[test]
fn without_a_status_the_answers_overdue_are_missing_not_zero() {
    let m = model(&[app("p", "cond", "", "    class: conditional\n", "")]);
    assert_eq!(of(&m, "p").overdue, Err(Missing::NoStatus));
    // Sharing nothing conditionally, nothing can be overdue.
    let m = model(&[app("p", "open", "", "    class: unconditional\n", "")]);
    assert_eq!(of(&m, "p").overdue, Ok(0));
}

fn evaluated(m: &govcloud_core::model::Model) -> crate::Evaluation {
    evaluate(Inputs::of(m))
}

#[test]
fn a_base_database_holder_that_shares_nothing_scores_0_and_one_that_shares_unconditionally_100() {
    let m = based(
        "plain",
        "open",
        &[app("p", "plain", "", "", ""), app("c", "open", "", "    class: unconditional\n", "")],
    );
    // A designated base database with no app at all is not shared either.
    let gone = based("plain, gone", "", &[app("p", "plain", "", "    class: unconditional\n", "")]);
    assert_eq!(of(&gone, "p").unshared_base, 1);
    let e = evaluated(&m);
    let t = |n: &str| e.tenants.iter().find(|t| t.name == n).expect("tenant");
    assert_eq!(t("p").scores.get(&crate::Axis::Sharing), Some(&0.0), "scored 0, not missing");
    assert_eq!(t("p").value("base_databases_not_shared"), Some(1.0));
    assert_eq!(t("c").scores.get(&crate::Axis::Sharing), Some(&100.0), "shared without any consumer yet");
    assert_eq!(t("c").value("resources_shared"), Some(1.0));
    // Offline, no status: the answers overdue are missing for a conditional
    // provider, and the score uses what there is.
    let m = model(&[app("p", "cond", "", "    class: conditional\n", "")]);
    let e = evaluated(&m);
    let p = e.tenants.iter().find(|t| t.name == "p").expect("p");
    assert_eq!(p.figures["answers_overdue"].missing, Some(Missing::NoStatus));
    assert_eq!(p.scores.get(&crate::Axis::Sharing), Some(&100.0));
}

#[test]
fn answers_overdue_and_refusals_without_basis_count_against_the_provider() {
    let m = model(&[
        app(
            "p",
            "cond",
            "",
            "    class: conditional\n    answers:\n    - {consumer: c/ext/u, decision: Refused, reason: ' '}\n",
            "  sharing:\n    requests:\n    - {consumer: c/ext/x, state: Pending, overdue: true}\n",
        ),
        app("p", "open", "", "    class: unconditional\n", ""),
    ]);
    let e = evaluated(&m);
    let p = e.tenants.iter().find(|t| t.name == "p").expect("p");
    assert_eq!((p.value("answers_overdue"), p.value("refusals_without_basis")), (Some(1.0), Some(1.0)));
    // Two resources shared, less one overdue and one refusal without basis, of two judged.
    assert_eq!(p.scores.get(&crate::Axis::Sharing), Some(&0.0));
}
