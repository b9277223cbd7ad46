//! `govcloud audit` per cluster and over a city of several, offline: the
//! Chifeng zones in two clusters (`examples/chifeng-clusters`: extranet and
//! internet in `egov`, the private network in `private`). Each cluster's
//! rendering passes; what runs where only declarations belong fails; the
//! city is one report with every finding tagged by its cluster; bad flags
//! are named with their fix, never a panic.

use std::path::Path;
use std::process::Command;

use crate::support::offline::{docs, govcloud, repo};
use serde_json::Value;

/// The `-f` arguments of the two-cluster Chifeng model.
fn model() -> Vec<String> {
    ["examples/chifeng-clusters", "examples/chifeng/tenants.yaml", "examples/chifeng/apps"]
        .iter()
        .flat_map(|p| ["-f".to_string(), repo().join(p).to_str().expect("utf8").to_string()])
        .collect()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let (code, out, err) = govcloud(args);
    assert!(!err.contains("panicked"), "{err}");
    (code, out, err)
}

/// `govcloud audit` with the model and `extra` arguments.
fn audit(extra: &[&str]) -> (i32, String, String) {
    let model = model();
    let mut args: Vec<&str> = vec!["audit"];
    args.extend(model.iter().map(String::as_str));
    args.extend(extra);
    // English unless the test asks for a language (the tests' locale falls back to zh).
    if !extra.contains(&"--lang") {
        args.extend(["--lang", "en"]);
    }
    run(&args)
}

fn failures(audit: &Value) -> Vec<String> {
    audit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["outcome"] == "fail")
        .map(|f| format!("{} {} {} {}", f["cluster"], f["control"], f["object"], f["evidence"]))
        .collect()
}

#[test]
fn each_cluster_of_the_city_passes_as_rendered() {
    for cluster in ["egov", "private"] {
        let (code, out, err) = audit(&["--cluster", cluster, "--format", "json", "--fail-on", "low"]);
        assert_eq!(code, 0, "{cluster}: {err}");
        let a: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(failures(&a), Vec::<String>::new(), "{cluster}");
        assert!(
            a["findings"].as_array().expect("findings").iter().all(|f| f["cluster"] == cluster),
            "{cluster}: every finding names it"
        );
        // The declarations of the other cluster's zones are checked, and pass.
        let declared = a["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["control"] == "GC-ZONE-005" && f["outcome"] == "pass")
            .count();
        assert!(declared > 0, "{cluster}");
    }
}

#[test]
fn a_workload_where_only_declarations_belong_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = model();
    let mut args: Vec<&str> = vec!["render", "--cluster", "egov"];
    args.extend(model.iter().map(String::as_str));
    let (code, rendered, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    // What a department started by hand in the extranet cluster, in a namespace of the private zone.
    let stray = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: stray, namespace: general-office-private}\nspec:\n  selector: {matchLabels: {run: stray}}\n  template:\n    metadata: {labels: {run: stray}}\n    spec: {containers: [{name: c, image: harbor.egov.local/general-office/stray:1}]}\n";
    let file = dir.path().join("egov.yaml");
    std::fs::write(&file, format!("{rendered}{stray}")).expect("write");
    let file = file.to_str().expect("utf8");
    let (code, out, err) = audit(&["--cluster", "egov", "-f", file, "--fail-on", "critical"]);
    assert_eq!(code, 1, "{err}\n{out}");
    assert!(err.contains("failed check(s) at severity critical or above"), "{err}");
    assert!(
        out.contains("FAIL [egov] GC-ZONE-005 Deployment/general-office-private/stray kind: zone private runs in cluster private: its namespaces here hold declarations only"),
        "{out}"
    );
    // Nothing else: without the stray Deployment the same file passes.
    std::fs::write(file, &rendered).expect("write");
    let (code, out, err) = audit(&["--cluster", "egov", "-f", file, "--fail-on", "low"]);
    assert_eq!(code, 0, "{err}\n{out}");
}

#[test]
fn the_city_is_one_report_in_every_format() {
    let (code, out, err) = audit(&["--fail-on", "low"]);
    assert_eq!(code, 0, "{err}\n{out}");
    for line in ["  city: ", "  cluster egov: ", "  cluster private: ", " 0 FAIL, "] {
        assert!(out.contains(line), "{line:?} in\n{out}");
    }
    let (_, zh, _) = audit(&["--lang", "zh"]);
    assert!(zh.contains("  全市: ") && zh.contains("  集群 egov: "), "{zh}");

    let (code, out, err) = audit(&["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let a: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(failures(&a), Vec::<String>::new());
    let clusters: Vec<&Value> = a["clusters"].as_array().expect("clusters").iter().map(|c| &c["cluster"]).collect();
    assert_eq!(clusters, [&Value::Null, &Value::from("egov"), &Value::from("private")]);
    let counted: u64 = a["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| c["pass"].as_u64().expect("pass") + c["skip"].as_u64().expect("skip"))
        .sum();
    assert_eq!(counted, a["findings"].as_array().expect("findings").len() as u64);
    let city: Vec<&Value> =
        a["findings"].as_array().expect("findings").iter().filter(|f| f.get("cluster").is_none()).collect();
    assert!(!city.is_empty() && city.iter().all(|f| f["control"].as_str().is_some_and(|c| c.starts_with("GC-CITY-"))));
    // The city checks' evidence has its words as catalogue messages (a Chinese page says them in Chinese).
    assert!(city.iter().all(|f| f.get("evidence_message").is_some()), "{city:?}");
    // The granted flows to the population database reach across the two clusters.
    let apps = a["connectivity"]["apps"].as_array().expect("apps");
    let at = |name: &str| apps.iter().position(|x| x[0] == name).expect(name);
    assert_eq!(
        a["connectivity"]["reach"][at("health/health-records")][at("public-security/population-db")],
        Value::Bool(true)
    );

    let (code, out, err) = audit(&["--format", "html"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(r#"<section id="clusters"><h2>By cluster</h2>"#), "html by cluster");
    let (code, out, err) = audit(&["--format", "openreports"]);
    assert_eq!(code, 0, "{err}");
    let reports = docs(&out);
    let results = reports.iter().flat_map(|r| r["results"].as_array().cloned().unwrap_or_default());
    let tagged: Vec<Value> = results.map(|r| r["properties"]["cluster"].clone()).collect();
    assert!(tagged.contains(&Value::from("egov")) && tagged.contains(&Value::from("private")));
}

#[test]
fn the_cluster_without_a_name_is_one_of_the_city() {
    // The private network in the cluster whose zones name none.
    let dir = tempfile::tempdir().expect("tempdir");
    let zones = std::fs::read_to_string(repo().join("examples/chifeng-clusters/zones.yaml")).expect("zones");
    assert!(zones.contains("  cluster: private\n"));
    let zones = dir.path().join("zones.yaml");
    std::fs::write(
        &zones,
        std::fs::read_to_string(repo().join("examples/chifeng-clusters/zones.yaml"))
            .expect("zones")
            .replace("  cluster: private\n", ""),
    )
    .expect("write");
    let model = ["examples/chifeng/tenants.yaml", "examples/chifeng/apps"]
        .map(|p| repo().join(p).to_str().expect("utf8").to_string());
    let (code, out, err) = run(&[
        "audit",
        "-f",
        zones.to_str().expect("utf8"),
        "-f",
        &model[0],
        "-f",
        &model[1],
        "--fail-on",
        "low",
        "--lang",
        "en",
    ]);
    assert_eq!(code, 0, "{err}\n{out}");
    assert!(
        out.contains("  cluster without a name: 984 PASS, 0 FAIL") && out.contains("  cluster egov: 2708 PASS, 0 FAIL"),
        "{out}"
    );
    let (code, out, err) = run(&[
        "audit",
        "-f",
        zones.to_str().expect("utf8"),
        "-f",
        &model[0],
        "-f",
        &model[1],
        "--cluster",
        "",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let a: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(failures(&a), Vec::<String>::new());
    assert!(
        a["findings"].as_array().expect("findings").iter().all(|f| f.get("cluster").is_none()),
        "one cluster that names none: untagged"
    );
}

#[test]
fn objects_for_a_city_need_their_cluster() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("objects.yaml");
    std::fs::write(&file, "apiVersion: v1\nkind: Namespace\nmetadata: {name: stray}\n").expect("write");
    let (code, out, err) = audit(&["-f", file.to_str().expect("utf8")]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(
        err.contains("the model's zones run in cluster egov and cluster private, and objects were given: say which cluster they come from with --cluster NAME"),
        "{err}"
    );
}

/// A kubeconfig with one context, `a`, for a server nothing listens on.
fn kubeconfig(dir: &Path) -> String {
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: {server: 'https://127.0.0.1:9'}\nusers:\n- name: a\n  user: {token: t}\ncontexts:\n- name: a\n  context: {cluster: a, user: a}\ncurrent-context: a\n",
    )
    .expect("write");
    path.to_str().expect("utf8").to_string()
}

#[test]
fn bad_cluster_flags_are_named_with_their_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = kubeconfig(dir.path());
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (
            vec!["--cluster-kubeconfig".into(), "foo".into()],
            2,
            "--cluster-kubeconfig <NAME=PATH[#CONTEXT]>': \"foo\" names no cluster: write NAME=PATH[#CONTEXT]",
        ),
        (vec!["--cluster-kubeconfig".into(), "Bad=x".into()], 2, "is not a cluster name"),
        (vec!["--cluster-kubeconfig".into(), "private=".into()], 2, "gives no kubeconfig file after '='"),
        (
            vec!["--cluster-context".into(), "private".into()],
            2,
            "--cluster-context <NAME=CONTEXT>': \"private\" is not NAME=CONTEXT",
        ),
        (
            vec!["--cluster-kubeconfig".into(), "private=/nonexistent/kubeconfig".into()],
            1,
            "--cluster-kubeconfig private=/nonexistent/kubeconfig: cannot read the kubeconfig /nonexistent/kubeconfig",
        ),
        (
            vec!["--cluster-kubeconfig".into(), format!("private={config}#b")],
            1,
            "the kubeconfig has no context \"b\"; use one of: a",
        ),
        (
            vec![
                "--cluster-kubeconfig".into(),
                format!("egov={config}"),
                "--cluster-kubeconfig".into(),
                format!("egov={config}#a"),
            ],
            1,
            "name the same cluster: give each cluster of the city once",
        ),
        (
            vec!["--cluster-kubeconfig".into(), format!("egov={config}"), "-f".into(), "x".into()],
            1,
            "give one or the other",
        ),
        (
            vec!["--cluster-kubeconfig".into(), format!("egov={config}"), "--cluster".into(), "egov".into()],
            1,
            "give one or the other",
        ),
        // Reachable flags, an unreachable cluster: the error names the flag.
        (vec!["--cluster-kubeconfig".into(), format!("egov={config}")], 1, "error: --cluster-kubeconfig egov="),
    ];
    // `govcloud evaluate` reads a city through the same flags, with the same errors.
    for command in ["audit", "evaluate"] {
        for (args, want_code, want) in &cases {
            let mut all = vec![command];
            all.extend(args.iter().map(String::as_str));
            let (code, out, err) = run(&all);
            assert_eq!((code, out.as_str()), (*want_code, ""), "{command} {args:?}: {err}");
            assert!(err.contains(want), "{command} {args:?}: want {want:?} in\n{err}");
        }
    }
    // A context of the default kubeconfig that does not exist.
    let out = Command::new(env!("CARGO_BIN_EXE_govcloud"))
        .args(["audit", "--cluster-context", "private=b"])
        .env("KUBECONFIG", &config)
        .output()
        .expect("run govcloud");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--cluster-context private=b: the kubeconfig has no context \"b\"; use one of: a"), "{err}");
}
