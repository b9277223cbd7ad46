use crate::Finding;

use super::*;
use govcloud_core::controls::Severity;

fn finding(i: usize, outcome: Outcome) -> Finding {
    Finding {
        subject: std::sync::Arc::new(crate::Subject {
            object: format!("Deployment/t{i}-extranet/a{i}").into(),
            namespace: None,
            tenant: None,
            zone: Some("extranet".into()),
            cluster: None,
        }),
        check: std::sync::Arc::new(crate::Check {
            control: controls::TWO_SIDED_FLOWS,
            outcome,
            severity: Severity::High,
            field: "spec".into(),
            evidence: "x".repeat(400).into(),
            evidence_message: None,
            message: "m".into(),
            reason: std::sync::Arc::new(govcloud_core::msg!(govcloud_core::messages::Code::NoDrift)),
        }),
    }
}

#[test]
fn a_large_report_keeps_every_failure_and_leaves_out_passes_with_a_note() {
    let findings: Vec<Finding> =
        (0..20_000).map(|i| finding(i, if i % 100 == 0 { Outcome::Fail } else { Outcome::Pass })).collect();
    let audit = Audit { findings, ..Default::default() };
    let all = reports(&audit, ReportApi::Openreports, &BTreeMap::new(), &BTreeMap::new());
    let cluster = all.last().expect("the cluster report");
    assert!(cluster.to_string().len() < 3 * 1024 * 1024 / 2, "{} bytes", cluster.to_string().len());
    let results = cluster["results"].as_array().expect("results");
    assert_eq!(results.iter().filter(|r| r["result"] == "fail").count(), 200, "every failure");
    assert!(results.iter().any(|r| r["result"] == "pass"), "passes while they fit");
    assert_eq!(cluster["summary"]["pass"], 19_800, "the summary counts everything");
    let omitted = 19_800 - results.iter().filter(|r| r["result"] == "pass").count();
    assert!(
        cluster["metadata"]["annotations"][OMITTED]
            .as_str()
            .expect("note")
            .starts_with(&format!("{omitted} passing results left out"))
    );
    // More failures than fit: the most severe are kept, the rest
    // counted in the summary and the note; the report still fits.
    let mut findings: Vec<Finding> = (0..20_000).map(|i| finding(i, Outcome::Fail)).collect();
    for f in findings.iter_mut().skip(19_000) {
        f.check_mut().severity = Severity::Critical;
    }
    let audit = Audit { findings, ..Default::default() };
    let cluster =
        reports(&audit, ReportApi::Openreports, &BTreeMap::new(), &BTreeMap::new()).pop().expect("the cluster report");
    assert!(cluster.to_string().len() < 3 * 1024 * 1024 / 2, "{} bytes", cluster.to_string().len());
    let results = cluster["results"].as_array().expect("results");
    assert!(results.len() > 1000 && results.len() < 20_000, "{}", results.len());
    assert_eq!(results.iter().filter(|r| r["severity"] == "critical").count(), 1000, "the critical ones first");
    assert_eq!(cluster["summary"]["fail"], 20_000, "the summary counts everything");
    let note = cluster["metadata"]["annotations"][OMITTED].as_str().expect("note");
    assert!(note.starts_with(&format!("{} failing, warning or skipped results", 20_000 - results.len())), "{note}");
    // A small report is whole, without the note.
    let small = Audit { findings: (0..10).map(|i| finding(i, Outcome::Pass)).collect(), ..Default::default() };
    let r = reports(&small, ReportApi::Openreports, &BTreeMap::new(), &BTreeMap::new()).pop().expect("report");
    assert_eq!(r["results"].as_array().map(Vec::len), Some(10));
    assert!(r["metadata"].get("annotations").is_none());
}

/// A name, message or evidence that would run as a script (and break out of
/// an attribute) on a page that did not escape it.
const HOSTILE: &str = r#"<script>alert("x&y")"#;
/// The same, as a page must show it.
const ESCAPED: &str = "&lt;script&gt;alert(&quot;x&amp;y&quot;)";

/// The part of `page` from `<section id="ID"` to the next section.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!(r#"<section id="{id}""#)).unwrap_or_else(|| panic!("no section {id}"));
    let rest = &page[start + 1..];
    &page[start..start + 1 + rest.find("<section ").unwrap_or(rest.len())]
}

#[test]
fn the_html_page_escapes_every_name_evidence_and_flow_from_the_cluster() {
    let app = format!("{HOSTILE}/{HOSTILE}");
    let mut failure = finding(1, Outcome::Fail);
    failure.subject_mut().tenant = Some(HOSTILE.into());
    failure.subject_mut().zone = Some(HOSTILE.into());
    failure.subject_mut().object = HOSTILE.into();
    failure.check_mut().field = HOSTILE.into();
    failure.check_mut().evidence = HOSTILE.into();
    failure.subject_mut().cluster = Some(HOSTILE.into());
    let mut audit = Audit {
        findings: vec![failure],
        zones: vec![(HOSTILE.into(), HOSTILE.into(), 3)],
        tenants: vec![
            (HOSTILE.into(), HOSTILE.into(), HOSTILE.into()),
            ("other".into(), "其他".into(), "Other".into()),
        ],
        mongolian: BTreeMap::from([(HOSTILE.into(), HOSTILE.into())]),
        connectivity: crate::Connectivity {
            apps: vec![(app.clone(), HOSTILE.into())],
            reach: vec![vec![true]],
            internet_out: vec![true],
            internet_in: vec![false],
            ..Default::default()
        },
        flows: vec![crate::FlowRow {
            // Flows name apps tenant/zone/app.
            from: format!("{HOSTILE}/{HOSTILE}/{HOSTILE}"),
            to: format!("other/{HOSTILE}/{HOSTILE}"),
            state: FlowState::Granted,
            reason: HOSTILE.into(),
            why: govcloud_core::msg!(govcloud_core::messages::Code::ProviderMissing, HOSTILE),
            ports: vec![],
            address: None,
        }],
    };
    for lang in [Lang::Zh, Lang::En] {
        let page = html(&audit, lang);
        assert!(!page.contains("<script") && !page.contains(r#""x"#), "{lang:?}: unescaped:\n{page}");
        for id in ["clusters", "tenants", "zones", "topology-section", "connectivity", "evidence"] {
            assert!(section(&page, id).contains(ESCAPED), "{lang:?}: {id} lacks the escaped name:\n{page}");
        }
        // The Mongolian name, vertical.
        let mn = format!(r#"<td><span class="mn" lang="mn-Mong">{ESCAPED}</span></td>"#);
        assert!(section(&page, "tenants").contains(&mn), "{lang:?}: {page}");
        // The SVG: the zone's and the tenant's names, the apps' cell and the flow between tenants.
        let svg = svg(&audit, lang).into_string();
        assert!(svg.contains(&format!(r#"font-weight="bold"><title>{ESCAPED}</title>"#)), "{svg}");
        assert!(svg.contains(&format!("<title>{ESCAPED} {ESCAPED}</title>")), "{svg}");
        assert!(svg.contains(&format!("<title>{ESCAPED}/{ESCAPED}</title>")), "{svg}");
        let (from, to) = (format!("{ESCAPED}/{ESCAPED}/{ESCAPED}"), format!("other/{ESCAPED}/{ESCAPED}"));
        // The reason in the page's language, its data escaped.
        let reason = if lang == Lang::En {
            format!(" — provider {ESCAPED} does not exist")
        } else {
            format!(" — 提供方 {ESCAPED} 不存在")
        };
        let shown = flow_state_name(FlowState::Granted, lang);
        assert!(svg.contains(&format!("<title>{from} → {to}: {shown}{reason}\n</title>")), "{svg}");
        assert_eq!(page.matches(&svg).count(), 1, "the page holds the SVG");
    }
    // Above the matrix's limit: the pairs across tenants, and the note why.
    audit.connectivity.apps.push(("other/app".into(), HOSTILE.into()));
    audit.connectivity.reach = vec![];
    audit.connectivity.reachable = Some(vec![(0, 1)]);
    audit.connectivity.note = Some(HOSTILE.into());
    let page = html(&audit, Lang::En);
    let pairs = section(&page, "connectivity");
    assert!(!page.contains("<script"), "{page}");
    assert!(pairs.contains(&format!("<p>{ESCAPED}</p>")), "{pairs}");
    assert!(pairs.contains(&format!(r#"<td class="yes">{ESCAPED}/{ESCAPED} ({ESCAPED})</td>"#)), "{pairs}");
}

#[test]
fn every_page_has_the_one_shell() {
    let style = page::Style { screen: ".a{b:c}", print: " .d{e:f}" };
    let body = maud::html! { p { (HOSTILE) } };
    let out = page::page(Lang::Zh, HOSTILE, style, &body);
    assert_eq!(
        out,
        [
            r#"<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>"#,
            ESCAPED,
            "</title><style>\nbody{font-family:sans-serif;margin:24px;color:#222} ",
            "table{border-collapse:collapse;margin:8px 0 20px} ",
            "td,th{border:1px solid #ccc;padding:3px 6px;font-size:12px}\n",
            "th{background:#f3f3f3} .mn{writing-mode:vertical-lr;display:inline-block;vertical-align:top;max-height:22em;font-size:14px;",
            "font-family:'Noto Sans Mongolian','Mongolian Baiti',sans-serif;line-height:1.3} .a{b:c}\n@media print{section{page-break-inside:avoid} .d{e:f}}</style></head>",
            "<body><p>",
            ESCAPED,
            "</p></body></html>\n",
        ]
        .concat()
    );
    let audit = html(&Audit::default(), Lang::En);
    assert!(audit.starts_with(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>govcloud compliance report</title><style>"#
    ));
    assert!(audit.ends_with("</section></body></html>\n"));
}

#[test]
fn provenance_goes_into_annotations_and_first_on_the_page_escaped() {
    use govcloud_core::provenance::{FileSource, Git, Provenance, Source};
    let p = Provenance::new(
        "2026-12-05T21:00:00Z",
        Source::Files { files: vec![FileSource { path: HOSTILE.into(), git: Git::NotAGitTree }] },
    );
    let small = Audit { findings: (0..3).map(|i| finding(i, Outcome::Pass)).collect(), ..Default::default() };
    let r = reports(&small, ReportApi::Openreports, &BTreeMap::new(), &p.annotations()).pop().expect("report");
    assert_eq!(r["metadata"]["annotations"][govcloud_core::provenance::GENERATED_AT], "2026-12-05T21:00:00Z");
    assert!(r["metadata"]["annotations"].get(OMITTED).is_none());
    let out = page::with_provenance(&html(&small, Lang::Zh), &p, Lang::Zh);
    let body = out.split_once("<body>").map(|(_, b)| b).unwrap_or_default();
    assert!(
        body.starts_with("<section class=\"provenance\"><table><tr><th>生成时间</th><td>2026-12-05T21:00:00Z</td>"),
        "{body}"
    );
    assert!(body.contains(ESCAPED) && !body.contains(HOSTILE), "{body}");
}

#[test]
fn a_result_keeps_the_time_it_last_changed() {
    let labels = BTreeMap::new();
    let (a, b, c) = (finding(1, Outcome::Pass), finding(2, Outcome::Fail), finding(3, Outcome::Pass));
    let mut first = report(ReportApi::Openreports, &labels, None, &[&a, &b]);
    stamp_results(&mut first, None, 100);
    let times = |r: &Value| -> Vec<i64> {
        r["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|x| x["timestamp"]["seconds"].as_i64().expect("time"))
            .collect()
    };
    assert_eq!(times(&first), vec![100, 100]);
    // Later: `a` the same, `b` now passes, `c` is new.
    let b_fixed = finding(2, Outcome::Pass);
    let mut second = report(ReportApi::Openreports, &labels, None, &[&a, &b_fixed, &c]);
    stamp_results(&mut second, Some(&first), 200);
    assert_eq!(times(&second), vec![100, 200, 200]);
    assert_eq!(second["results"][0]["timestamp"], json!({"seconds": 100, "nanos": 0}));
    // Nothing changed: the same report, to the byte (so it is not written again).
    let mut third = report(ReportApi::Openreports, &labels, None, &[&a, &b_fixed, &c]);
    stamp_results(&mut third, Some(&second), 300);
    assert_eq!(third, second);
    // A changed evidence is a change.
    let mut a_other = finding(1, Outcome::Pass);
    a_other.check_mut().evidence = "other".into();
    let mut fourth = report(ReportApi::Openreports, &labels, None, &[&a_other, &b_fixed, &c]);
    stamp_results(&mut fourth, Some(&third), 400);
    assert_eq!(times(&fourth), vec![400, 200, 200]);
}

#[test]
fn a_chinese_page_gives_the_evidence_words_in_chinese_and_the_json_both() {
    let root = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let model = govcloud_core::model::load_paths(&[root.join("examples/chifeng")]).expect("chifeng").model;
    let limits = govcloud_core::meta::names::LIMITS;
    // Every LimitRange gone: GC-RES-002 fails with "LimitRange/… absent", drift with "absent".
    let objects: Vec<serde_json::Value> = govcloud_render::render(&model)
        .objects
        .iter()
        .map(|o| serde_json::to_value(o).expect("json"))
        .filter(|o| o["kind"] != "LimitRange")
        .collect();
    let a = crate::audit(&model, &objects);
    let missing = a
        .findings
        .iter()
        .find(|f| f.control == controls::QUOTA_AND_LIMITS && f.outcome == Outcome::Fail)
        .expect("a namespace without its LimitRange");
    assert_eq!(missing.evidence.to_string(), format!("LimitRange/{limits} absent"), "the JSON's English as before");
    assert_eq!(missing.evidence_in(Lang::Zh), format!("LimitRange/{limits} 不存在"));
    let zh = table(&a, Lang::Zh);
    assert!(zh.contains(&format!("（证据：LimitRange/{limits} 不存在）")), "{zh}");
    assert!(zh.contains("（证据：不存在）"), "drift of a deleted object:\n{zh}");
    assert!(!zh.contains(" absent"), "English evidence words on the Chinese page:\n{zh}");
    let page = html(&a, Lang::Zh);
    assert!(page.contains(&format!("LimitRange/{limits} 不存在")) && !page.contains(" absent<"), "html");
    assert!(table(&a, Lang::En).contains(&format!("LimitRange/{limits} absent")));
    let j = json(&a);
    let f = j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["control"] == controls::QUOTA_AND_LIMITS && f["outcome"] == "fail")
        .expect("in the JSON");
    assert_eq!(f["evidence"], format!("LimitRange/{limits} absent"));
    assert_eq!(
        f["evidence_message"],
        serde_json::json!({"code": "EvidenceKindAbsent", "args": [format!("LimitRange/{limits}")]})
    );
}
