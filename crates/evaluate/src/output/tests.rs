//! Unit tests of the pages: every name the input gives is escaped, in the
//! HTML and in its SVG charts.

use std::collections::BTreeMap;

use super::*;
use crate::{GroupSummary, TrendPoint};

/// A name that would run as a script (and break out of an attribute) on a
/// page that did not escape it.
const HOSTILE: &str = r#"<script>alert("x&y")"#;
/// The same, as a page must show it.
const ESCAPED: &str = "&lt;script&gt;alert(&quot;x&amp;y&quot;)";

/// One hostile tenant, scored on one axis, in two evaluations (a trend).
fn hostile() -> Evaluation {
    let scores: BTreeMap<Axis, f64> = [(Axis::Cost, 75.0)].into();
    let tenant = TenantEvaluation {
        name: HOSTILE.into(),
        name_zh: HOSTILE.into(),
        name_en: HOSTILE.into(),
        name_mn: Some(HOSTILE.into()),
        kind: TenantKind::Department,
        figures: BTreeMap::new(),
        scores: scores.clone(),
        overall: Some(75.0),
        ranks: [(Axis::Cost, 1)].into(),
        overall_rank: Some(1),
        overall_at_group_mean: Vec::new(),
        inventory: Default::default(),
    };
    let point = |at: &str| TrendPoint {
        at: at.into(),
        overall: [(HOSTILE.to_string(), 75.0)].into(),
        scores: [(HOSTILE.to_string(), scores.clone())].into(),
    };
    Evaluation {
        generated_at: HOSTILE.into(),
        tenants: vec![tenant],
        groups: vec![GroupSummary {
            kind: TenantKind::Department,
            tenants: 1,
            scores: scores.clone(),
            overall: Some(75.0),
        }],
        trend: vec![point(HOSTILE), point("2026-12-31T00:00:00Z")],
        money: None,
        projects: vec![],
        duplicates: vec![],
        domestic: None,
        scope: crate::Scope::SelfEvaluation {
            tenants: vec![HOSTILE.into()],
            zones: vec![HOSTILE.into()],
            basis: HOSTILE.into(),
        },
    }
}

/// The part of `page` from `<section id="ID"` to the next section.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!(r#"<section id="{id}""#)).unwrap_or_else(|| panic!("no section {id}"));
    let rest = &page[start + 1..];
    &page[start..start + 1 + rest.find("<section ").unwrap_or(rest.len())]
}

#[test]
fn the_html_page_and_its_charts_escape_every_name() {
    let e = hostile();
    for lang in [Lang::Zh, Lang::En] {
        let page = html(&e, lang);
        assert!(!page.contains("<script") && !page.contains(r#""x"#), "{lang:?}: unescaped:\n{page}");
        assert!(page.contains(&format!(" {ESCAPED} · ")), "{lang:?}: the time evaluated:\n{page}");
        // The scope's label and basis, before the ranking.
        let at = page.find(r#"<p class="scope">"#).expect("the scope's label");
        let scope = &page[at..at + page[at..].find("</p>").expect("end")];
        assert_eq!(scope.matches(ESCAPED).count(), 2, "{lang:?}: {scope}");
        for id in ["ranking", "charts", "trends", "figures"] {
            assert!(section(&page, id).contains(ESCAPED), "{lang:?}: {id} lacks the escaped name:\n{page}");
        }
        let bars = axis_chart(&e, Axis::Cost, lang).into_string();
        assert!(bars.contains(&format!(r#"text-anchor="end">{ESCAPED} {ESCAPED}</text>"#)), "{bars}");
        assert!(page.contains(&bars), "the page holds the chart");
        let trend = trend_chart(&e, lang).into_string();
        assert!(!trend.contains("<script"), "{trend}");
        assert!(trend.contains(&format!("<title>{ESCAPED} {ESCAPED}</title>")), "{trend}");
        assert!(trend.contains(r#"text-anchor="middle">&lt;script&gt;al</text>"#), "the date: {trend}");
        assert!(page.contains(&trend), "the page holds the trend");
    }
}

#[test]
fn the_page_has_the_audits_shell() {
    let page = html(&hostile(), Lang::En);
    let audit = govcloud_audit::output::html(&govcloud_audit::Audit::default(), Lang::En);
    // Up to each page's own rules: the doctype, the language, the head and the shared rules.
    let shell = |p: &str, title: &str| {
        let p = p.replacen(title, "", 1);
        p.find("th{background:#f3f3f3} ").map(|end| p[..end].to_string())
    };
    let ours = shell(&page, "govcloud performance evaluation");
    assert!(ours.as_deref().is_some_and(|s| s.starts_with(r#"<!doctype html><html lang="en"><head>"#)), "{page}");
    assert_eq!(ours, shell(&audit, "govcloud compliance report"));
    assert!(page.contains(
        "\n@media print{section{page-break-inside:avoid} body{margin:8mm} .charts svg{max-width:48%}}</style></head><body><h1>"
    ));
    assert!(page.ends_with("</section></body></html>\n"));
}

#[test]
fn a_mongolian_name_is_shown_vertical_in_the_ranking() {
    let page = html(&hostile(), Lang::Zh);
    let mn = format!(r#"<span class="mn" lang="mn-Mong">{ESCAPED}</span>"#);
    assert!(section(&page, "ranking").contains(&mn), "{page}");
    assert!(page.contains(".mn{writing-mode:vertical-lr;"), "{page}");
}

#[test]
fn the_page_is_its_title_and_the_body_the_console_shows_too() {
    let e = hostile();
    for lang in [Lang::Zh, Lang::En] {
        let page = html(&e, lang);
        let body = super::html_body(&e, lang).into_string();
        assert!(body.contains("id=\"charts\"") && body.contains("class=\"chart\""), "{body}");
        assert!(page.contains(&body), "the page holds the body whole");
        assert!(!body.contains("<h1") && !body.contains("<style"), "the body has no title or style of its own: {body}");
    }
}
