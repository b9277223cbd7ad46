//! Unit tests of `narrow`: the tenants each filter keeps, with their city ranks.

use std::sync::Arc;

use govcloud_audit::{Finding, Outcome};
use govcloud_core::controls::Severity;

use super::*;
use crate::{Inputs, evaluate};

fn model() -> Model {
    let zone = |name: &str, kind: &str, cidr: &str| {
        format!(
            "---\napiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {{name: {name}}}\nspec:\n  kind: {kind}\n  displayName: {{zh: 区, en: Zone}}\n  nodePool: {{selector: {{govcloud.io/zone: {name}}}, taint: {{key: govcloud.io/zone, value: {name}}}}}\n  cidrs: [{cidr}]\n  allowedRegistries: [harbor.egov.local]\n"
        )
    };
    let tenant = |name: &str, zones: &str| {
        format!(
            "---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {name}}}\nspec:\n  displayName: {{zh: 局{name}, en: Bureau {name}}}\n  zones: [{zones}]\n"
        )
    };
    let text = [
        zone("ext", "extranet", "10.10.0.0/16"),
        zone("int", "private", "10.20.0.0/16"),
        tenant("a", "{name: ext}"),
        tenant("b", "{name: ext}, {name: int}"),
        tenant("c", "{name: int}"),
    ]
    .concat();
    govcloud_core::model::load_str("t.yaml", &text).expect("model").model
}

fn finding(control: &'static str, outcome: Outcome, tenant: &str, zone: &str) -> Finding {
    Finding {
        subject: std::sync::Arc::new(govcloud_audit::Subject {
            object: Arc::from(format!("Namespace/{tenant}-{zone}")),
            namespace: Some(Arc::from(format!("{tenant}-{zone}"))),
            tenant: Some(Arc::from(tenant)),
            zone: Some(Arc::from(zone)),
            cluster: None,
        }),
        check: std::sync::Arc::new(govcloud_audit::Check {
            control,
            outcome,
            severity: Severity::High,
            field: Arc::from("spec"),
            evidence: "".into(),
            evidence_message: None,
            message: Arc::from("m"),
            reason: Arc::new(govcloud_core::msg!(govcloud_core::messages::Code::NoDrift)),
        }),
    }
}

fn names(e: &Evaluation) -> Vec<&str> {
    e.tenants.iter().map(|t| t.name.as_str()).collect()
}

#[test]
fn each_filter_keeps_its_tenants_and_the_ranks_stay_the_citys() {
    let model = model();
    let audit = Audit {
        findings: vec![
            finding("GC-NET-001", Outcome::Fail, "a", "ext"),
            finding("GC-NET-001", Outcome::Pass, "b", "ext"),
            finding("GC-POD-001", Outcome::Fail, "b", "int"),
            finding("GC-POD-001", Outcome::Pass, "c", "int"),
        ],
        ..Audit::default()
    };
    let e = evaluate(Inputs { audit: &audit, ..Inputs::of(&model) });
    assert_eq!(names(&e), ["a", "b", "c"]);
    let rank_of = |e: &Evaluation, t: &str| e.tenants.iter().find(|x| x.name == t).and_then(|x| x.overall_rank);
    let c_rank = rank_of(&e, "c");
    assert!(c_rank.is_some(), "c is ranked in the city: {:?}", e.tenants);
    let narrow = |f: Filter| narrowed(e.clone(), &f, &model, &audit);

    assert_eq!(names(&narrow(Filter::default())), ["a", "b", "c"]);
    assert_eq!(names(&narrow(Filter { tenant: Some("b".into()), ..Filter::default() })), ["b"]);
    let int = narrow(Filter { zone: Some("int".into()), ..Filter::default() });
    assert_eq!(names(&int), ["b", "c"]);
    assert_eq!(rank_of(&int, "c"), c_rank, "a rank is among the whole city, not among the tenants shown");
    assert_eq!(
        int.trend.last().map(|p| p.overall.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["b".into(), "c".into()])
    );
    assert_eq!(names(&narrow(Filter { failures_only: true, ..Filter::default() })), ["a", "b"]);
    let net = Filter { control: Some("gc-net-001".into()), ..Filter::default() };
    assert_eq!(names(&narrow(net.clone())), ["a", "b"]);
    assert_eq!(names(&narrow(Filter { failures_only: true, ..net })), ["a"]);
    assert_eq!(names(&narrow(Filter { zone: Some("int".into()), failures_only: true, ..Filter::default() })), ["b"]);
    assert!(names(&narrow(Filter { tenant: Some("nobody".into()), ..Filter::default() })).is_empty());
}
