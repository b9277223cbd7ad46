//! Unit tests of `evaluate` itself: what a tenant without zones or apps gives.

use super::*;

#[test]
fn a_tenant_without_zones_or_apps_has_no_cost_or_effect_score_and_says_why() {
    let text = "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: audit}\nspec:\n  displayName: {zh: 审计局, en: Audit Bureau}\n";
    let model = govcloud_core::model::load_str("t.yaml", text).expect("model").model;
    let usage: Vec<PodUsage> = Vec::new();
    let e = evaluate(Inputs { usage: Ok(&usage), ..Inputs::of(&model) });
    let t = &e.tenants[0];
    assert_eq!(t.figures["cpu_used"].missing, Some(Missing::NoQuota));
    assert_eq!(t.figures["apps_ready"].missing, Some(Missing::NoApps));
    assert_eq!(t.figures["drift_repaired"].missing, Some(Missing::NotCounted));
    assert_eq!(t.figures["pass_ratio"].missing, Some(Missing::NoChecks));
    assert!(t.scores.is_empty() && t.overall.is_none() && t.overall_rank.is_none(), "{t:?}");
    assert_eq!(e.trend.len(), 1, "this evaluation is the trend's only point");
}

#[test]
fn availability_counts_ready_replicas_up_to_what_each_app_asks_for() {
    let app = |name: &str, replicas: i32, ready: i32| {
        format!(
            "---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {name}, namespace: a-ext}}\nspec:\n  zone: ext\n  image: harbor.egov.local/a/{name}:1\n  replicas: {replicas}\nstatus:\n  replicas: {replicas}\n  readyReplicas: {ready}\n  conditions:\n  - {{type: Ready, status: \"False\", reason: RollingOut, message: x, lastTransitionTime: \"2026-11-01T00:00:00Z\"}}\n"
        )
    };
    let text = format!(
        "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {{name: ext}}\nspec:\n  kind: extranet\n  displayName: {{zh: 外网, en: Extranet}}\n  nodePool: {{selector: {{govcloud.io/zone: extranet}}, taint: {{key: govcloud.io/zone, value: extranet}}}}\n  cidrs: [10.10.0.0/16]\n  allowedRegistries: [harbor.egov.local]\n---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: a}}\nspec:\n  displayName: {{zh: 甲局, en: Bureau A}}\n  zones: [{{name: ext}}]\n{}{}",
        // Mid-rollout with a surge pod: 3 ready of 2; a second app none of 2.
        app("surging", 2, 3),
        app("down", 2, 0)
    );
    let model = govcloud_core::model::load_str("t.yaml", &text).expect("model").model;
    let e = evaluate(Inputs::of(&model));
    let availability = e.tenants[0].figures["availability"].value.expect("availability");
    assert!((availability - 0.5).abs() < 1e-9, "2 of 4 replicas available, not 3 of 4: {availability}");
}
