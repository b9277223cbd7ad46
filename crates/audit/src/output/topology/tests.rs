//! Unit tests of `topology`: one arc per pair of tenants with its counts,
//! names in the page's language, rows that never overlap.

use super::*;
use crate::{Connectivity, FlowRow};

fn flow(from: &str, to: &str, state: FlowState) -> FlowRow {
    FlowRow {
        from: from.into(),
        to: to.into(),
        state,
        reason: "why".into(),
        why: govcloud_core::msg!(govcloud_core::messages::Code::ProviderMissing, "why"),
        ports: vec![],
        address: None,
    }
}

fn audit() -> Audit {
    Audit {
        zones: vec![("ext".into(), "extranet".into(), 2), ("prv".into(), "private".into(), 3)],
        tenants: vec![
            ("a".into(), "甲局".into(), "Bureau A".into()),
            ("b".into(), "乙局".into(), "A bureau whose English name is far too long to fit in the column".into()),
        ],
        connectivity: Connectivity {
            apps: vec![
                ("a/web".into(), "ext".into()),
                ("a/db".into(), "prv".into()),
                ("a/api".into(), "ext".into()),
                ("b/portal".into(), "ext".into()),
            ],
            ..Connectivity::default()
        },
        flows: vec![
            flow("a/ext/web", "b/ext/portal", FlowState::Granted),
            flow("a/ext/api", "b/ext/portal", FlowState::Granted),
            flow("a/prv/db", "b/ext/portal", FlowState::Refused),
            flow("b/ext/portal", "a/ext/web", FlowState::Pending),
            flow("a/ext/web", "a/prv/db", FlowState::Granted),
        ],
        ..Audit::default()
    }
}

#[test]
fn one_arc_per_pair_with_its_counts_and_the_internal_flows_counted() {
    let s = svg(&audit(), Lang::En).into_string();
    assert_eq!(s.matches("<path class=\"flow ").count(), 2, "a → b and b → a: {s}");
    // a → b: 2 granted, 1 refused; drawn as refused (the worst).
    assert!(s.contains(r##"<path class="flow Refused""##), "{s}");
    assert!(s.contains(r##"<tspan fill="#188038">2</tspan>/<tspan fill="#d93025">1</tspan></text>"##), "{s}");
    assert!(s.contains(r##"<tspan fill="#e37400">1</tspan></text>"##), "{s}");
    assert!(s.contains("flows within a tenant (not drawn): 1"), "{s}");
    // Apps counted per tenant and zone, named in the cell's tooltip.
    assert!(s.contains("<title>a/web, a/api</title>") && s.contains(">2 apps</text>"), "{s}");
    // The reasons in the page's language, from the catalogue.
    assert!(s.contains("a/ext/web → b/ext/portal: granted — provider why does not exist"), "{s}");
    let zh = svg(&audit(), Lang::Zh).into_string();
    assert!(
        zh.contains(">甲局</text>") && zh.contains(">2 个应用</text>") && zh.contains("— 提供方 why 不存在"),
        "{zh}"
    );
}

#[test]
fn a_long_name_is_cut_and_whole_in_its_tooltip() {
    let s = svg(&audit(), Lang::En).into_string();
    let long = "A bureau whose English name is far too long to fit in the column";
    assert!(s.contains(&format!("<title>b {long}</title>")), "{s}");
    assert!(!s.contains(&format!("</title>{long}</text>")), "{s}");
    assert!(s.contains("…</text>"), "{s}");
    assert!(text_width(&fit(long, NAME_MAX_W)) <= NAME_MAX_W);
}

#[test]
fn rows_are_one_row_height_apart_whatever_the_tenants_count() {
    let mut a = audit();
    for i in 0..300 {
        a.tenants.push((format!("t{i:03}"), format!("局{i}"), format!("Bureau {i}")));
        a.connectivity.apps.push((format!("t{i:03}/a0"), "ext".into()));
        if i > 0 {
            a.flows.push(flow(&format!("t{i:03}/ext/a0"), &format!("t{:03}/ext/a0", i - 1), FlowState::Granted));
        }
    }
    let s = svg(&a, Lang::Zh).into_string();
    let ys: Vec<f64> = s
        .split("<text class=\"tenant\" x=\"10\" y=\"")
        .skip(1)
        .map(|r| r.split('"').next().and_then(|y| y.parse().ok()).expect("y"))
        .collect();
    assert_eq!(ys.len(), 302);
    assert!(ys.windows(2).all(|w| (w[1] - w[0] - ROW_H).abs() < 1e-9), "{ys:?}");
    const { assert!(ROW_H >= FONT + 6.0, "a row leaves room around its label") };
    assert_eq!(s.matches("<path class=\"flow ").count(), 2 + 299);
}

#[test]
fn numbered_tenants_are_in_natural_order() {
    let mut names = vec!["t10", "t2", "b", "t1", "a7x", "a10x"];
    names.sort_by_key(|a| natural(a));
    assert_eq!(names, ["a7x", "a10x", "b", "t1", "t2", "t10"]);
}
