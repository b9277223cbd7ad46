//! Unit tests of `innovation`: the score from growth and the Mongolian
//! share, what is new against the oldest earlier evaluation, and what is
//! missing with one evaluation.

use super::*;
use crate::{Axis, Inputs, Missing, evaluate};
use k8s_openapi::jiff::Timestamp;

const HEAD: &str = "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {name: ext}\nspec:\n  kind: extranet\n  displayName: {zh: 外网, en: Extranet}\n  nodePool: {selector: {govcloud.io/zone: extranet}, taint: {key: govcloud.io/zone, value: extranet}}\n  cidrs: [10.10.0.0/16]\n  allowedRegistries: [harbor.egov.local]\n---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: p}\nspec:\n  displayName: {zh: 甲局, en: Bureau P}\n  zones: [{name: ext}]\n";

fn app(name: &str, public: bool, mn: bool) -> String {
    let exposure = if public { "  exposure: public\n" } else { "" };
    let dn = if mn { "  displayName: {zh: 网站, en: Site, mn: ᠰᠠᠢᠲ}\n" } else { "" };
    format!(
        "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: p-ext}}\nspec:\n  zone: ext\n  image: harbor.egov.local/p/{name}:1\n  ports: [{{name: http, port: 8080}}]\n{exposure}{dn}"
    )
}

fn eval(apps: &[String], earlier: &[crate::Evaluation], at: i64) -> crate::Evaluation {
    let text = format!("{HEAD}{}", apps.concat());
    let model = govcloud_core::model::load_str("t.yaml", &text).unwrap_or_else(|e| panic!("{e:?}")).model;
    evaluate(Inputs { earlier, now: Timestamp::from_second(at).expect("time"), ..Inputs::of(&model) })
}

#[test]
fn the_score_is_the_mean_of_growth_and_the_mongolian_share() {
    assert_eq!(innovation_score(None, None), None);
    assert_eq!(innovation_score(None, Some((0, 0))), None, "no public service, no period: nothing to judge");
    assert_eq!(innovation_score(None, Some((1, 2))), Some(50.0));
    assert_eq!(innovation_score(Some(1), None), Some(50.0), "one new thing of the two that earn it all");
    assert_eq!(innovation_score(Some(5), Some((1, 4))), Some(62.5), "(1 + 0.25) ÷ 2");
}

#[test]
fn one_evaluation_has_no_period_and_a_later_one_counts_what_is_new() {
    let first = eval(&[app("a", false, false), app("www", true, true)], &[], 1_000);
    let p = &first.tenants[0];
    assert_eq!(p.figures["new_apps"].missing, Some(Missing::NoPeriod));
    assert_eq!(p.figures["new_public_services"].missing, Some(Missing::NoPeriod));
    assert_eq!(p.figures["apps_migrated"].missing, Some(Missing::NoImportMarker));
    assert_eq!((p.value("public_services"), p.value("mongolian_public_services")), (Some(1.0), Some(1.0)));
    assert_eq!(p.scores.get(&Axis::Innovation), Some(&100.0), "the Mongolian share alone");
    assert!(p.inventory.recorded && p.inventory.apps.contains("ext/a"), "{:?}", p.inventory);

    // Later: one more app and one more public service (without a Mongolian name).
    let apps = [app("a", false, false), app("www", true, true), app("b", false, false), app("hall", true, false)];
    let later = eval(&apps, &[first], 2_000);
    let p = &later.tenants[0];
    assert_eq!((p.value("new_apps"), p.value("new_public_services")), (Some(2.0), Some(1.0)));
    assert_eq!(p.value("new_flows_granted"), Some(0.0));
    // Growth min(1, 3 ÷ 2) = 1, Mongolian share 1 ÷ 2: (1 + 0.5) ÷ 2.
    assert_eq!(p.scores.get(&Axis::Innovation), Some(&75.0));
}
