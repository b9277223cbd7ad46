//! Unit tests of `evaluate` itself: what a tenant without zones or apps gives.

use super::*;

#[test]
fn a_tenant_without_zones_or_apps_has_no_cost_or_effect_score_and_says_why() {
    let text = "apiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {name: audit}\nspec:\n  displayName: {zh: 审计局, en: Audit Bureau}\n";
    let model = govcloud_core::model::load_str("t.yaml", text).expect("model").model;
    let usage: Vec<PodUsage> = Vec::new();
    let e = evaluate(Inputs {
        model: &model,
        audit: &Audit::default(),
        usage: Some(&usage),
        repairs: None,
        pending: &[],
        earlier: &[],
        now: Timestamp::UNIX_EPOCH,
    });
    let t = &e.tenants[0];
    assert_eq!(t.figures["cpu_used"].missing, Some(Missing::NoQuota));
    assert_eq!(t.figures["apps_ready"].missing, Some(Missing::NoApps));
    assert_eq!(t.figures["drift_repaired"].missing, Some(Missing::NotCounted));
    assert_eq!(t.figures["pass_ratio"].missing, Some(Missing::NoChecks));
    assert!(t.scores.is_empty() && t.overall.is_none() && t.overall_rank.is_none(), "{t:?}");
    assert_eq!(e.trend.len(), 1, "this evaluation is the trend's only point");
}
