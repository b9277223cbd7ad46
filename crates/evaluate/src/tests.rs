use super::*;

/// Undecided ResourceRequests wait on the platform team, from the tenant
/// of the namespace that holds them; decided and invalid ones wait on no one.
#[test]
fn undecided_resource_requests_wait_on_the_platform_team() {
    let request = |name: &str, status: serde_json::Value| -> govcloud_core::api::ResourceRequest {
        serde_json::from_value(serde_json::json!({
                "apiVersion": "govcloud.io/v1alpha1", "kind": "ResourceRequest",
                "metadata": {"name": name, "namespace": "health-extranet", "creationTimestamp": "2026-11-01T00:00:00Z"},
                "spec": {"kind": "Quota", "zone": "extranet", "resources": {"cpu": "2"}, "justification": "flu season", "project": "p-1"},
                "status": status
            }))
            .expect("request")
    };
    let all = [
        request("new", serde_json::json!({})),
        request("seen", serde_json::json!({"phase": "Pending"})),
        request(
            "approved",
            serde_json::json!({"phase": "Approved", "decision": {"state": "Approved", "reason": "ok", "by": "pe"}}),
        ),
        request("invalid", serde_json::json!({"phase": "Invalid"})),
    ];
    let pending = pending_resource_requests(&all);
    assert_eq!(
        pending.iter().map(|p| p.what.as_str()).collect::<Vec<_>>(),
        ["Quota health-extranet/new", "Quota health-extranet/seen"]
    );
    assert!(pending.iter().all(|p| p.from == "health" && p.to == PLATFORM && p.since.is_some()));
}

#[test]
fn cost_is_half_utilisation_against_the_target_half_apps_not_wasted() {
    // 35% of the quota used is half the 70% target; 1 of 4 apps wasted.
    let s = cost_score(Some(0.35), Some((4, 1))).expect("score");
    assert!((s - 100.0 * (0.5 + 0.75) / 2.0).abs() < 1e-9, "{s}");
    // Using more than the target earns no more than full marks.
    assert_eq!(cost_score(Some(0.95), Some((2, 0))), Some(100.0));
    // One part missing: the other alone; none: no score.
    assert_eq!(cost_score(None, Some((2, 1))), Some(50.0));
    let s = cost_score(Some(0.07), None).expect("score");
    assert!((s - 10.0).abs() < 1e-9, "{s}");
    assert_eq!(cost_score(None, Some((0, 0))), None);
    assert_eq!(cost_score(None, None), None);
}

#[test]
fn effect_sharing_and_security_follow_their_formulas() {
    assert_eq!(effect_score(Some(0.5), Some(1.0)), Some(75.0));
    assert_eq!(effect_score(None, Some(0.5)), Some(50.0));
    assert_eq!(effect_score(None, None), None);
    assert_eq!(sharing_score(3, 4), Some(75.0));
    assert_eq!(sharing_score(0, 0), None);
    assert_eq!(security_score([0, 0, 0, 0], 10), Some(100.0));
    assert_eq!(security_score([1, 1, 1, 1], 10), Some(100.0 - 20.0 - 10.0 - 4.0 - 1.0));
    assert_eq!(security_score([6, 0, 0, 0], 10), Some(0.0), "never below 0");
    assert_eq!(security_score([0, 0, 0, 0], 0), None);
}

#[test]
fn equal_scores_share_a_rank_and_the_next_rank_skips() {
    let r = ranks(&[("a", 50.0), ("b", 90.0), ("c", 50.0), ("d", 10.0)]);
    assert_eq!(r, BTreeMap::from([("a", 2), ("b", 1), ("c", 2), ("d", 4)]));
}

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

#[test]
fn every_figure_has_both_languages_and_a_unique_id() {
    let ids: BTreeSet<&str> = FIGURES.iter().map(|f| f.id).collect();
    assert_eq!(ids.len(), FIGURES.len());
    for f in FIGURES {
        assert!(
            !f.name_zh.is_empty() && !f.name_en.is_empty() && !f.how_zh.is_empty() && !f.how_en.is_empty(),
            "{}",
            f.id
        );
    }
    for a in Axis::ALL {
        assert!(FIGURES.iter().any(|f| f.axis == a), "{a:?} has no figure");
    }
}
