//! `govcloud catalogue -f`: the catalogue of shared information resources
//! of a model (the fixture has one resource of each sharing class, and an
//! app that shares nothing), in each format; bad input names the file,
//! object, field and fix, and prints nothing as if it had succeeded.

use std::path::{Path, PathBuf};

use crate::support::offline::{govcloud, repo};

fn fixture() -> PathBuf {
    repo().join("tests/fixtures/catalogue")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf8")
}

/// The fixture with `edit` applied to its text, in a temp dir.
fn edited(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(fixture().join("model.yaml")).expect("fixture");
    let changed = edit(text.clone());
    assert_ne!(changed, text, "the edit applies");
    std::fs::write(dir.path().join("model.yaml"), changed).expect("write");
    dir
}

/// Runs the catalogue of `dir` and checks it fails properly; returns stderr.
fn fails(dir: &Path, expect: &[&str]) -> String {
    let (code, stdout, stderr) = govcloud(&["catalogue", "-f", path(dir), "--lang", "en"]);
    assert_eq!(code, 1, "exit code; stderr:\n{stderr}");
    assert!(stdout.is_empty(), "nothing is printed as if it had succeeded, got:\n{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("fix:"), "every error says what to do:\n{stderr}");
    for e in expect {
        assert!(stderr.contains(e), "expected {e:?} in:\n{stderr}");
    }
    stderr
}

fn json_of(dir: &Path) -> serde_json::Value {
    let (code, stdout, stderr) = govcloud(&["catalogue", "-f", path(dir), "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("JSON")
}

#[test]
fn the_json_lists_every_class_with_its_counts_and_nothing_else() {
    let v = json_of(&fixture());
    let rows: Vec<(String, String, u64, u64)> = v["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            (
                format!(
                    "{}/{}/{}",
                    r["tenant"].as_str().unwrap(),
                    r["zone"].as_str().unwrap(),
                    r["app"].as_str().unwrap()
                ),
                r["class"].as_str().unwrap().to_string(),
                r["consumers"].as_u64().unwrap(),
                r["pending"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("statistics/extranet/census-db", "conditional", 1, 1),
        ("statistics/extranet/macro-db", "unconditional", 2, 0),
        ("statistics/extranet/survey-raw", "none", 0, 0),
    ];
    let want: Vec<(String, String, u64, u64)> =
        want.iter().map(|(k, c, n, p)| (k.to_string(), c.to_string(), *n, *p)).collect();
    assert_eq!(rows, want, "office-portal declares no sharing and is not listed");
    let raw = &v["resources"][2];
    assert!(raw["basis"].as_str().is_some_and(|b| b.contains("统计法")), "{raw}");
    assert_eq!(v["resources"][0]["dataClassification"], "sensitive");
    assert_eq!(v["resources"][0]["tenantNames"]["zh"], "市统计局");
}

#[test]
fn no_format_gives_an_address() {
    for format in ["table", "json", "html"] {
        let (code, stdout, stderr) = govcloud(&["catalogue", "-f", path(&fixture()), "--format", format]);
        assert_eq!(code, 0, "{stderr}");
        for address in [".svc", "cluster.local", "8443", "8080", "10.10.", "statistics-extranet"] {
            assert!(!stdout.contains(address), "{format}: {address} in\n{stdout}");
        }
    }
}

#[test]
fn the_table_speaks_zh_or_en() {
    let (code, en, stderr) = govcloud(&["catalogue", "-f", path(&fixture()), "--lang", "en"]);
    assert_eq!(code, 0, "{stderr}");
    // The provenance first (tests/offline/provenance.rs), then the catalogue.
    let (provenance, en) = en.split_once("\n\n").expect("the provenance, then a blank line");
    assert!(provenance.starts_with("generated at: "), "{provenance}");
    assert!(en.starts_with("Catalogue of shared information resources — 3 resources"), "{en}");
    let line = en.lines().find(|l| l.starts_with("statistics/extranet/macro-db")).expect("macro-db");
    assert!(line.contains("unconditional") && line.contains("internal") && line.contains("monthly"), "{line}");
    let (code, zh, stderr) = govcloud(&["catalogue", "-f", path(&fixture()), "--lang", "zh"]);
    assert_eq!(code, 0, "{stderr}");
    for want in ["政务信息资源共享目录", "有条件共享", "无条件共享", "不予共享", "人口普查库", "市统计局"]
    {
        assert!(zh.contains(want), "{want} in\n{zh}");
    }
}

#[test]
fn the_page_has_the_names_in_three_languages_and_goes_to_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("catalogue.html");
    let (code, stdout, stderr) =
        govcloud(&["catalogue", "-f", path(&fixture()), "--format", "html", "--lang", "zh", "-o", path(&out)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let page = std::fs::read_to_string(&out).expect("the page");
    assert!(page.starts_with("<!doctype html>") && page.contains(r#"<html lang="zh">"#), "{page}");
    assert!(page.contains(r#"<td lang="zh">宏观经济库</td>"#), "{page}");
    assert!(page.contains(r#"<td lang="en">Macro-economy database</td>"#), "{page}");
    assert!(page.contains(r#"<td><span class="mn" lang="mn-Mong">ᠮᠠᠺᠷᠣ"#), "{page}");
    // The census database has no Mongolian name.
    let census = page.split("<tr>").find(|r| r.contains("人口普查库")).expect("census row");
    assert!(census.contains(r#"<td class="muted">—</td>"#), "{census}");
}

#[test]
fn chifeng_lists_every_app_that_declares_sharing() {
    let chifeng = repo().join("examples/chifeng");
    let v = json_of(&chifeng);
    let listed = v["resources"].as_array().expect("resources").len();
    let declared = apps_with_sharing(&chifeng);
    assert_eq!(listed, declared, "{v}");
}

/// Apps of a model that declare `spec.sharing`, counted from the files.
fn apps_with_sharing(dir: &Path) -> usize {
    let model = govcloud::model::load_paths(&[dir.to_path_buf()]).expect("model").model;
    model.apps.iter().filter(|a| a.spec.sharing.is_some()).count()
}

#[test]
fn a_resource_not_shared_without_its_basis_is_refused() {
    let d = edited(|t| t.replace("    basis: 《中华人民共和国统计法》", "    # basis: 《中华人民共和国统计法》"));
    fails(d.path(), &["model.yaml", "DepartmentApp/statistics-extranet/survey-raw", "spec.sharing.basis", "不予共享"]);
}

#[test]
fn an_unknown_class_names_the_ones_there_are() {
    let d = edited(|t| t.replace("class: unconditional", "class: open"));
    fails(
        d.path(),
        &["DepartmentApp/statistics-extranet/macro-db", "spec.sharing.class", "unconditional", "conditional", "none"],
    );
}

#[test]
fn a_catalogue_entry_without_a_contact_is_refused() {
    let d = edited(|t| t.replace("      contact: 法规科\n", ""));
    fails(d.path(), &["DepartmentApp/statistics-extranet/survey-raw", "spec.sharing.catalogue", "contact"]);
}

#[test]
fn a_model_that_does_not_render_lists_nothing() {
    // The clinic's tenant names a zone that is not declared.
    let d = edited(|t| {
        t.replacen("  - name: extranet\n    quota: {cpu: '8', memory: 16Gi, pods: 20, services: 10}\n---\n# 无条件共享",
            "  - name: extranet\n    quota: {cpu: '8', memory: 16Gi, pods: 20, services: 10}\n  - name: dmz\n    quota: {cpu: '1', memory: 1Gi, pods: 1, services: 1}\n---\n# 无条件共享", 1)
    });
    fails(d.path(), &["Tenant/civil-affairs", "spec.zones[1].name", "\"dmz\""]);
}

#[test]
fn a_missing_path_and_a_bad_format_are_named() {
    fails(Path::new("/nonexistent/catalogue"), &["/nonexistent/catalogue", "cannot read"]);
    let (code, stdout, stderr) = govcloud(&["catalogue", "-f", path(&fixture()), "--format", "yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("table") && stderr.contains("json") && stderr.contains("html"), "{stderr}");
}
