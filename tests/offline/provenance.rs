//! Provenance on every report (issue 29 item 1): the audit, the evaluation
//! and the catalogue say, in every format, when they were made, by which
//! govcloud, from which files at which git commit (and whether the tree held
//! changes not committed), in which language and with which filters.

use std::path::Path;
use std::process::Command;

use crate::support::offline::{copy_dir, docs, govcloud, repo};

fn run(args: &[&str]) -> String {
    let (code, out, err) = govcloud(args);
    assert_eq!(code, 0, "govcloud {args:?}: {err}");
    out
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The Chifeng model in a fresh git tree of its own, committed.
fn committed_model(name: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::Builder::new().prefix(name).tempdir().expect("temp dir");
    copy_dir(&repo().join("examples/chifeng"), dir.path());
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "model"]);
    let head = git(dir.path(), &["rev-parse", "HEAD"]);
    (dir, head)
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[test]
fn every_audit_format_names_time_version_commit_language_and_filters() {
    let (dir, head) = committed_model("govcloud-prov-audit");
    let m = dir.path().to_string_lossy().to_string();
    let filters = ["--tenant", "statistics", "--failures-only"];

    let json: serde_json::Value =
        serde_json::from_str(&run(&[&["audit", "-f", &m, "--format", "json"][..], &filters].concat())).expect("JSON");
    let p = &json["provenance"];
    assert_eq!(p["govcloudVersion"], version(), "{p}");
    let at = p["generatedAt"].as_str().expect("generatedAt");
    assert!(at.parse::<k8s_openapi::jiff::Timestamp>().is_ok() && at.ends_with('Z'), "{at}");
    assert_eq!(p["source"]["kind"], "files", "{p}");
    assert_eq!(p["source"]["files"][0]["path"], m.as_str());
    assert_eq!(p["source"]["files"][0]["git"], serde_json::json!({"state": "commit", "commit": head, "dirty": false}));
    // No --lang and no locale (the tests unset it): Chinese, the language govcloud falls back to.
    assert_eq!(p["lang"], "zh");
    assert_eq!(p["filters"], serde_json::json!({"tenant": "statistics", "failures-only": "true"}));

    let table = run(&[&["audit", "-f", &m, "--lang", "zh"][..], &filters].concat());
    let head_lines: Vec<&str> = table.lines().take(5).collect();
    assert!(head_lines[0].starts_with("生成时间："), "{table}");
    assert_eq!(head_lines[1], format!("govcloud 版本：{}", version()));
    assert_eq!(head_lines[2], format!("来源：{m} (git {head}, 无未提交的修改)"));
    assert_eq!(head_lines[3], "语言：zh");
    assert_eq!(head_lines[4], "筛选条件：--failures-only true --tenant statistics");

    let yaml = run(&["audit", "-f", &m, "--format", "openreports"]);
    let reports = docs(&yaml);
    assert!(reports.len() > 1);
    for r in &reports {
        let a = &r["metadata"]["annotations"];
        assert_eq!(a["govcloud.io/version"], version(), "{}", r["metadata"]);
        assert!(a["govcloud.io/generated-at"].is_string());
        let source: serde_json::Value =
            serde_json::from_str(a["govcloud.io/source"].as_str().expect("source")).expect("source JSON");
        assert_eq!(source["files"][0]["git"]["commit"], head.as_str());
    }

    let html = run(&["audit", "-f", &m, "--format", "html", "--control", "GC-NET-001", "--lang", "en"]);
    let body = html.split_once("<body>").map(|(_, b)| b).expect("body");
    assert!(body.starts_with("<section class=\"provenance\">"), "{}", &body[..200.min(body.len())]);
    let section = body.split_once("</section>").map(|(s, _)| s).expect("section");
    for want in ["generated at", version(), &head, "clean", "<td>en</td>", "--control GC-NET-001"] {
        assert!(section.contains(want), "{want} not in {section}");
    }

    // A change not committed: the tree is dirty.
    std::fs::write(dir.path().join("note.txt"), "x").expect("write");
    let json: serde_json::Value = serde_json::from_str(&run(&["audit", "-f", &m, "--format", "json"])).expect("JSON");
    assert_eq!(json["provenance"]["source"]["files"][0]["git"]["dirty"], true);
    assert!(json["provenance"].get("filters").is_none(), "no filters: none named");
}

#[test]
fn files_outside_a_git_tree_say_so_and_evaluate_and_catalogue_carry_it_too() {
    let dir = tempfile::Builder::new().prefix("govcloud-prov-nogit").tempdir().expect("temp dir");
    // Not inside any git tree (the temp dir is outside the repository).
    assert!(
        !Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["rev-parse", "HEAD"])
            .output()
            .expect("git")
            .status
            .success()
    );
    copy_dir(&repo().join("examples/chifeng"), dir.path());
    let m = dir.path().to_string_lossy().to_string();
    let not_git = serde_json::json!({"state": "notAGitTree"});

    let e: serde_json::Value = serde_json::from_str(&run(&["evaluate", "-f", &m, "--format", "json"])).expect("JSON");
    assert_eq!(e["provenance"]["source"]["files"][0]["git"], not_git);
    assert_eq!(e["provenance"]["govcloudVersion"], version());
    let table = run(&["evaluate", "-f", &m, "--lang", "en"]);
    assert!(table.lines().nth(2).is_some_and(|l| l == format!("source: {m} (not a git tree)")), "{table}");
    let html = run(&["evaluate", "-f", &m, "--format", "html", "--lang", "zh"]);
    assert!(html.contains("<section class=\"provenance\"><table><tr><th>生成时间</th>"), "no provenance");
    assert!(html.contains("不在 git 工作树中"));

    let c: serde_json::Value = serde_json::from_str(&run(&["catalogue", "-f", &m, "--format", "json"])).expect("JSON");
    assert_eq!(c["provenance"]["source"]["files"][0]["git"], not_git);
    assert!(c["resources"].as_array().is_some_and(|r| !r.is_empty()));
    let table = run(&["catalogue", "-f", &m, "--lang", "en"]);
    assert!(table.starts_with("generated at: "), "{table}");
    let html = run(&["catalogue", "-f", &m, "--format", "html"]);
    assert!(html.contains("<section class=\"provenance\">") && html.contains(&format!("<td>{}</td>", version())));
}
