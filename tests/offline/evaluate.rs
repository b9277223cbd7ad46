//! `govcloud evaluate` offline (绩效评估): a fixture with known numbers
//! (tests/fixtures/evaluate: statuses, a metrics snapshot, one insecure pod)
//! gives the figures and scores computed here by hand; what the input cannot
//! give is missing, not guessed; earlier evaluations make trends; pages are
//! in one language; the HTML page renders in headless Chromium.

use crate::support::offline::{copy_dir, govcloud, repo};
use std::path::{Path, PathBuf};

use serde_json::Value;

const AT: &str = "2026-11-28T00:00:00Z";

fn fixture() -> PathBuf {
    repo().join("tests/fixtures/evaluate")
}

/// What the fixture model renders, plus the insecure pod, in `dir/objects.yaml`.
fn objects(dir: &Path) -> PathBuf {
    let (code, rendered, err) = govcloud(&["render", "-f", fixture().join("model.yaml").to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    let mut text = rendered;
    text.push_str("---\n");
    text.push_str(&std::fs::read_to_string(fixture().join("violation.yaml")).expect("violation"));
    let path = dir.join("objects.yaml");
    std::fs::write(&path, text).expect("write");
    path
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8")
}

fn evaluate(dir: &Path, extra: &[&str]) -> Value {
    let objects = objects(dir);
    let model = fixture().join("model.yaml");
    let metrics = fixture().join("metrics.json");
    let mut args =
        vec!["evaluate", "-f", s(&objects), "-f", s(&model), "--metrics", s(&metrics), "--at", AT, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = govcloud(&args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("json")
}

fn tenant<'a>(e: &'a Value, name: &str) -> &'a Value {
    e["tenants"]
        .as_array()
        .expect("tenants")
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("tenant {name}"))
}

#[track_caller]
fn close(got: &Value, want: f64, what: &str) {
    let g = got.as_f64().unwrap_or_else(|| panic!("{what}: {got}"));
    assert!((g - want).abs() < 1e-9, "{what}: got {g}, want {want}");
}

const MI: f64 = 1024.0 * 1024.0;
const GI: f64 = 1024.0 * MI;

#[test]
fn the_fixture_gives_the_figures_and_scores_computed_by_hand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = evaluate(dir.path(), &[]);
    assert_eq!(e["generatedAt"], AT);
    let (a, b, d) = (tenant(&e, "a"), tenant(&e, "b"), tenant(&e, "d"));
    assert_eq!(
        (a["kind"].as_str(), b["kind"].as_str(), d["kind"].as_str()),
        (Some("department"), Some("department"), Some("district"))
    );
    let f = |t: &Value, id: &str| t["figures"][id]["value"].clone();

    // Cost. a: 1500m of 4 CPU and 2Gi of 8Gi requested; pods use 300m + 100m
    // and 256Mi + 256Mi; report has no ready replica (idle); portal uses 400m
    // of its 2 × 500m requests (40%: not oversized).
    close(&f(a, "quota_cpu_requested"), 1.5 / 4.0, "a cpu requested");
    close(&f(a, "quota_memory_requested"), 2.0 / 8.0, "a memory requested");
    close(&f(a, "cpu_used"), 0.4 / 4.0, "a cpu used");
    close(&f(a, "memory_used"), 512.0 * MI / (8.0 * GI), "a memory used");
    close(&f(a, "apps"), 2.0, "a apps");
    close(&f(a, "idle_apps"), 1.0, "a idle");
    close(&f(a, "oversized_apps"), 0.0, "a oversized");
    let a_cost = 100.0 * (((0.1 + 0.0625) / 2.0) / 0.7 + (1.0 - 1.0 / 2.0)) / 2.0;
    close(&a["scores"]["cost"], a_cost, "a cost");
    // b: db's 3 pods use 150m of 3 CPU and 300Mi of 3Gi requested: oversized.
    close(&f(b, "cpu_used"), 0.15 / 4.0, "b cpu used");
    close(&f(b, "memory_used"), 300.0 * MI / (8.0 * GI), "b memory used");
    close(&f(b, "idle_apps"), 0.0, "b idle");
    close(&f(b, "oversized_apps"), 1.0, "b oversized");
    let b_cost = 100.0 * (((0.15 / 4.0 + 300.0 / 8192.0) / 2.0) / 0.7 + 0.0) / 2.0;
    close(&b["scores"]["cost"], b_cost, "b cost");
    // d: batch has 0 replicas (idle); front uses 200m of 250m (not oversized);
    // the kube-system pod in the snapshot counts for nobody.
    close(&f(d, "cpu_used"), 0.2 / 2.0, "d cpu used");
    close(&f(d, "memory_used"), 128.0 * MI / (4.0 * GI), "d memory used");
    close(&f(d, "idle_apps"), 1.0, "d idle");
    close(&f(d, "oversized_apps"), 0.0, "d oversized");
    let d_cost = 100.0 * (((0.1 + 0.03125) / 2.0) / 0.7 + 0.5) / 2.0;
    close(&d["scores"]["cost"], d_cost, "d cost");

    // Effect: a 1 of 2 apps Ready, 2 of 3 replicas; b all; d 1 of 2 Ready
    // (batch, with nothing to run, is), 1 of 2 replicas. Offline, no repairs.
    close(&f(a, "apps_ready"), 0.5, "a ready");
    close(&f(a, "availability"), 2.0 / 3.0, "a availability");
    close(&a["scores"]["effect"], 100.0 * (0.5 + 2.0 / 3.0) / 2.0, "a effect");
    close(&b["scores"]["effect"], 100.0, "b effect");
    close(&f(d, "availability"), 0.5, "d availability");
    close(&d["scores"]["effect"], 50.0, "d effect");
    assert_eq!(a["figures"]["drift_repaired"]["missing"], "notCounted");

    // Sharing: a -> b granted; d -> b pending since 2026-11-18 (10 days).
    close(&f(a, "flows_received"), 1.0, "a received");
    close(&f(b, "flows_given"), 1.0, "b given");
    close(&f(b, "flows_pending"), 1.0, "b pending");
    close(&f(b, "requests_waiting"), 1.0, "b waiting");
    close(&f(b, "oldest_request_days"), 10.0, "b oldest");
    close(&f(d, "requests_made"), 1.0, "d made");
    assert_eq!(a["figures"]["oldest_request_days"]["missing"], "noFlows");
    close(&a["scores"]["sharing"], 100.0, "a sharing");
    close(&b["scores"]["sharing"], 50.0, "b sharing");
    // d only waits on b: that is not held against it, and it has nothing else to be judged on.
    assert!(d["scores"].get("sharing").is_none(), "{d}");

    // Security: the audit of the same objects is the oracle of the failures;
    // the score is 100 − 20/10/4/1 per failed critical/high/medium/low check.
    let objects = dir.path().join("objects.yaml");
    let (code, out, err) =
        govcloud(&["audit", "-f", s(&objects), "-f", s(&fixture().join("model.yaml")), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let audit: Value = serde_json::from_str(&out).expect("audit json");
    let mut security = std::collections::BTreeMap::new();
    for t in ["a", "b", "d"] {
        let mine: Vec<&Value> = audit["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|x| x["tenant"] == t && x["outcome"] != "skip")
            .collect();
        let failed = |sev: &str| mine.iter().filter(|x| x["outcome"] == "fail" && x["severity"] == sev).count() as f64;
        let want = (100.0 - 20.0 * failed("Critical") - 10.0 * failed("High") - 4.0 * failed("Medium") - failed("Low"))
            .max(0.0);
        close(&tenant(&e, t)["figures"]["checks"]["value"], mine.len() as f64, "checks");
        close(&tenant(&e, t)["scores"]["security"], want, &format!("{t} security"));
        security.insert(t, want);
    }
    assert!(security["d"] < 100.0 && security["a"] == 100.0, "the insecure pod costs d, and only d: {security:?}");

    // Overall, ranks within the departments; the district ranks alone.
    let a_overall = (a_cost + 100.0 * (0.5 + 2.0 / 3.0) / 2.0 + 100.0 + security["a"]) / 4.0;
    let b_overall = (b_cost + 100.0 + 50.0 + security["b"]) / 4.0;
    close(&a["overall"], a_overall, "a overall");
    close(&b["overall"], b_overall, "b overall");
    // No period and no public service: no innovation score; d, alone among the
    // districts, has no sharing score and no group mean to count it at.
    close(&d["overall"], (d_cost + 50.0 + security["d"]) / 3.0, "d overall");
    assert_eq!((a["ranks"]["cost"].as_u64(), b["ranks"]["cost"].as_u64()), (Some(1), Some(2)));
    assert_eq!((a["ranks"]["effect"].as_u64(), b["ranks"]["effect"].as_u64()), (Some(2), Some(1)));
    assert_eq!((a["ranks"]["sharing"].as_u64(), b["ranks"]["sharing"].as_u64()), (Some(1), Some(2)));
    let (first, second) = if a_overall > b_overall { (a, b) } else { (b, a) };
    assert_eq!((first["overallRank"].as_u64(), second["overallRank"].as_u64()), (Some(1), Some(2)));
    assert_eq!(d["overallRank"].as_u64(), Some(1));
    let groups = e["groups"].as_array().expect("groups");
    assert_eq!(groups[0]["kind"], "department");
    close(&groups[0]["scores"]["cost"], (a_cost + b_cost) / 2.0, "department mean cost");
    assert_eq!(groups[1]["tenants"], 1);

    // Every figure says how it is computed, in both languages.
    for m in e["methods"]["figures"].as_array().expect("methods") {
        assert!(
            m["how_zh"].as_str().is_some_and(|s| !s.is_empty()) && m["how_en"].as_str().is_some_and(|s| !s.is_empty()),
            "{m}"
        );
    }
}

#[test]
fn without_status_or_usage_figures_are_missing_not_guessed() {
    let (code, out, err) =
        govcloud(&["evaluate", "-f", s(&repo().join("examples/chifeng")), "--format", "json", "--at", AT]);
    assert_eq!(code, 0, "{err}");
    let e: Value = serde_json::from_str(&out).expect("json");
    let songshan = tenant(&e, "songshan");
    assert_eq!(songshan["figures"]["cpu_used"]["missing"], "noStatus", "no quota status: nothing to divide by");
    assert_eq!(songshan["figures"]["apps_ready"]["missing"], "noStatus");
    assert_eq!(songshan["figures"]["oversized_apps"]["missing"], "noUsage");
    assert!(songshan["scores"].get("cost").is_none() && songshan["scores"].get("effect").is_none(), "{songshan}");
    // What manifests do say is there: songshan's call to the population database waits for a grant.
    // It is not held against it (issue 28: it ranked last with 0), and it has nothing else to be judged on.
    assert_eq!(songshan["figures"]["requests_made"]["value"], 1.0);
    assert!(songshan["scores"].get("sharing").is_none(), "{songshan}");
    assert_eq!(songshan["scores"]["security"], 100.0);
    assert!(e["tenants"].as_array().expect("tenants").iter().all(|t| t["kind"] == "department"
        || t["name"] == "songshan"
        || t["name"] == "hongshan"
        || t["name"] == "yuanbaoshan"));
    assert_eq!(tenant(&e, "hongshan")["kind"], "district");
    // Files evaluate the city, as today, and say so.
    assert_eq!(e["scope"]["kind"], "city", "{}", e["scope"]);
    assert!(e["scopeLabel"]["en"].as_str().is_some_and(|l| l.starts_with("city evaluation")), "{}", e["scopeLabel"]);
}

#[test]
fn the_chifeng_base_databases_are_scored_on_what_they_share() {
    let scores = |dir: &Path| -> Value {
        let (code, out, err) = govcloud(&["evaluate", "-f", s(dir), "--format", "json", "--at", AT]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).expect("json")
    };
    let e = scores(&repo().join("examples/chifeng"));
    // The geospatial database is shared unconditionally and nobody calls it yet: 100, not missing.
    let housing = tenant(&e, "housing");
    assert_eq!(housing["figures"]["resources_shared"]["value"], 1.0);
    assert_eq!(housing["scores"]["sharing"], 100.0);
    // The population database: 6 flows granted by its answers, songshan's
    // request waiting, and the resource itself: (6 + 1) / (7 + 1). Offline,
    // the answers overdue are missing (no status), not counted as none.
    let ps = tenant(&e, "public-security");
    assert_eq!(ps["figures"]["flows_given"]["value"], 6.0);
    assert_eq!(ps["figures"]["answers_overdue"]["missing"], "noStatus");
    close(&ps["scores"]["sharing"], 100.0 * 7.0 / 8.0, "public-security sharing");
    // Without its sharing declaration the geospatial database shares nothing: its holder scores 0.
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo().join("examples/chifeng"), dir.path());
    let housing_yaml = dir.path().join("apps/housing.yaml");
    let text = std::fs::read_to_string(&housing_yaml).expect("housing");
    let cut = text.find("  sharing:\n").expect("housing shares");
    std::fs::write(&housing_yaml, &text[..cut]).expect("write");
    let e = scores(dir.path());
    let housing = tenant(&e, "housing");
    assert_eq!(housing["figures"]["base_databases_not_shared"]["value"], 1.0);
    assert_eq!(housing["scores"]["sharing"], 0.0, "{housing}");
}

#[test]
fn earlier_evaluations_make_a_trend() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut earlier = evaluate(dir.path(), &[]);
    // A month earlier, bureau a scored 40 overall.
    earlier["generatedAt"] = "2026-10-28T00:00:00Z".into();
    for t in earlier["tenants"].as_array_mut().expect("tenants") {
        if t["name"] == "a" {
            t["overall"] = 40.0.into();
            // And a quarter of its replicas ready then.
            t["figures"]["availability"] = serde_json::json!({"value": 0.25});
        }
    }
    let snap = dir.path().join("earlier.json");
    std::fs::write(&snap, earlier.to_string()).expect("write");
    let now = evaluate(dir.path(), &["--snapshot", s(&snap)]);
    let trend = now["trend"].as_array().expect("trend");
    assert_eq!(trend.len(), 2);
    assert_eq!(trend[0]["at"], "2026-10-28T00:00:00Z");
    assert_eq!(trend[0]["overall"]["a"], 40.0);
    assert_eq!(trend[1]["at"], AT);
    assert_eq!(trend[1]["overall"]["a"], tenant(&now, "a")["overall"]);
    // Over the period (28 October to 28 November) a's only earlier
    // availability holds: 0.25, not the 2/3 of now; the effect score takes it.
    let a = tenant(&now, "a");
    assert_eq!(a["figures"]["availability_period"]["value"], 0.25, "{a}");
    close(&a["figures"]["availability"]["value"], 2.0 / 3.0, "a availability now");
    let ready = a["figures"]["apps_ready"]["value"].as_f64().expect("apps ready");
    close(&a["scores"]["effect"], 100.0 * (ready + 0.25) / 2.0, "a effect over the period");
    // Without a snapshot there is no period.
    assert_eq!(tenant(&earlier, "b")["figures"]["availability_period"]["missing"], "noPeriod");
    // A snapshot that is not an evaluation is refused, naming the file.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"tenants\": 3}").expect("write");
    let (code, _, err) = govcloud(&["evaluate", "-f", s(&fixture().join("model.yaml")), "--snapshot", s(&bad)]);
    assert_eq!(code, 1);
    assert!(err.contains("bad.json") && err.contains("govcloud evaluate --format json"), "{err}");
}

#[test]
fn bad_metrics_and_times_are_refused_with_the_field_and_the_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let metrics = dir.path().join("metrics.json");
    std::fs::write(
        &metrics,
        std::fs::read_to_string(fixture().join("metrics.json")).expect("read").replace("\"50m\"", "\"fifty\""),
    )
    .expect("write");
    let model = fixture().join("model.yaml");
    let (code, out, err) = govcloud(&["evaluate", "-f", s(&model), "--metrics", s(&metrics)]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("metrics.json: items[2].containers[0].usage.cpu: \"fifty\" is not a Kubernetes quantity"),
        "{err}"
    );
    assert!(out.is_empty());
    let (code, _, err) = govcloud(&["evaluate", "-f", s(&model), "--at", "yesterday"]);
    assert_eq!(code, 1);
    assert!(err.contains("--at \"yesterday\"") && err.contains("RFC 3339"), "{err}");
}

/// The text a person sees: tags and the style sheet removed (the SVG's text kept).
fn visible(html: &str) -> String {
    let html = match (html.find("<style>"), html.find("</style>")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &html[..a], &html[b..]),
        _ => html.to_string(),
    };
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The ASCII words of a text, as written (a Kubernetes kind such as
/// `Tenant` in a Chinese method text is a name, not an English head).
fn words(text: &str) -> std::collections::BTreeSet<&str> {
    text.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).collect()
}

fn has_cjk(text: &str) -> Option<char> {
    text.chars().find(|c| {
        ('\u{4e00}'..='\u{9fff}').contains(c)
            || ('\u{3000}'..='\u{303f}').contains(c)
            || ('\u{ff00}'..='\u{ffef}').contains(c)
    })
}

#[test]
fn audit_and_evaluation_pages_are_in_one_language() {
    let dir = tempfile::tempdir().expect("tempdir");
    let objects = objects(dir.path());
    let model = fixture().join("model.yaml");
    let metrics = fixture().join("metrics.json");
    // English words a Chinese page must not show (column heads, outcomes, severities, states).
    let english = [
        "tenant",
        "name",
        "zone",
        "control",
        "severity",
        "pass",
        "fail",
        "warn",
        "skip",
        "PASS",
        "FAIL",
        "WARN",
        "SKIP",
        "total",
        "result",
        "object",
        "field",
        "evidence",
        "Critical",
        "High",
        "Medium",
        "Low",
        "granted",
        "pending",
        "refused",
        "manual",
        "rank",
        "overall",
        "figure",
        "how",
        "Cost",
        "Effect",
        "Sharing",
        "Security",
        "Departments",
        "Districts",
        "evaluated",
        "MLPS",
        "extranet",
        "Summary",
        "Scores",
        "Figures",
        "Ranking",
    ];
    for (cmd, format) in [("audit", "table"), ("audit", "html"), ("evaluate", "table"), ("evaluate", "html")] {
        for lang in ["zh", "en"] {
            let mut args = vec![cmd, "-f", s(&objects), "-f", s(&model), "--format", format, "--lang", lang];
            if cmd == "evaluate" {
                args.extend(["--metrics", s(&metrics), "--at", AT]);
            }
            let (code, out, err) = govcloud(&args);
            assert_eq!(code, 0, "{cmd} {format} {lang}: {err}");
            let text = if format == "html" { visible(&out) } else { out.clone() };
            if lang == "zh" {
                let seen = words(&text);
                let wrong: Vec<&&str> = english.iter().filter(|w| seen.contains(**w)).collect();
                assert!(wrong.is_empty(), "{cmd} {format} zh shows English {wrong:?}:\n{text}");
            } else {
                // The fixture's tenants are named in Chinese too (甲局 …): an English page shows their English names.
                assert_eq!(has_cjk(&text), None, "{cmd} {format} en shows Chinese:\n{text}");
            }
        }
    }
}

#[test]
fn the_html_page_renders_in_headless_chromium() {
    let Some(chromium) = crate::support::offline::chromium() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut earlier = evaluate(dir.path(), &[]);
    earlier["generatedAt"] = "2026-10-28T00:00:00Z".into();
    for t in earlier["tenants"].as_array_mut().expect("tenants") {
        let o = t["overall"].as_f64().unwrap_or(50.0);
        t["overall"] = (o * 0.8).into();
    }
    let snap = dir.path().join("earlier.json");
    std::fs::write(&snap, earlier.to_string()).expect("write");
    let objects = dir.path().join("objects.yaml");
    let html = dir.path().join("evaluation.html");
    let (code, _, err) = govcloud(&[
        "evaluate",
        "-f",
        s(&objects),
        "-f",
        s(&fixture().join("model.yaml")),
        "--metrics",
        s(&fixture().join("metrics.json")),
        "--snapshot",
        s(&snap),
        "--at",
        AT,
        "--format",
        "html",
        "--lang",
        "zh",
        "-o",
        s(&html),
    ]);
    assert_eq!(code, 0, "{err}");
    let dom =
        crate::support::offline::render_page(&chromium, &html, &repo().join("target/evaluate-report.png"), "1280x2000");
    for part in [
        "id=\"ranking\"",
        "id=\"charts\"",
        "id=\"trend\"",
        "class=\"trend\"",
        "id=\"figures\"",
        "id=\"methods\"",
        "政务云绩效评估",
        "甲局",
        "丁区",
        "成本效益",
    ] {
        assert!(dom.contains(part), "rendered page lacks {part}");
    }
}
