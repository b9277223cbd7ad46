//! `govcloud audit` offline: a fixture of deliberately non-compliant
//! manifests yields exactly the expected failures; the Chifeng model passes
//! every automated control; `--fail-on` gates a pipeline; the HTML report
//! renders in headless Chromium.

use crate::support::offline::{docs, govcloud, repo};
use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};

fn id(o: &Value) -> String {
    let (k, n) = (o["kind"].as_str().unwrap_or_default(), o["metadata"]["name"].as_str().unwrap_or_default());
    match o["metadata"]["namespace"].as_str() {
        Some(ns) => format!("{k}/{ns}/{n}"),
        None => format!("{k}/{n}"),
    }
}

/// Renders the fixture model, applies the violations and removals, writes the result into a temp dir.
pub(crate) fn noncompliant(dir: &Path) {
    let fixture = repo().join("tests/fixtures/noncompliant");
    let (code, rendered, err) = govcloud(&["render", "-f", fixture.join("model.yaml").to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    let mut objects = docs(&rendered);
    let violations = docs(&std::fs::read_to_string(fixture.join("violations.yaml")).expect("violations"));
    for v in violations {
        objects.retain(|o| id(o) != id(&v));
        objects.push(v);
    }
    // Weaken a namespace, delete a limit range, unpin the private zone's image and pull it from the node's cache.
    for o in objects.iter_mut() {
        if id(o) == "Namespace/a-ext" {
            o["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = json!("privileged");
        }
        if id(o) == "Deployment/a-prv/vault" {
            o["spec"]["template"]["spec"]["containers"][0]["image"] = json!("harbor.egov.local/a/vault:latest");
            o["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
        }
    }
    objects.retain(|o| id(o) != "LimitRange/b-ext/govcloud-limits");
    let text: String = objects.iter().map(|o| format!("---\n{}", serde_norway::to_string(o).expect("yaml"))).collect();
    std::fs::write(dir.join("objects.yaml"), text).expect("write");
    std::fs::copy(fixture.join("model.yaml"), dir.join("model.yaml")).expect("copy");
}

fn failures(audit: &Value) -> BTreeSet<(String, String)> {
    audit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["outcome"] == "fail")
        .map(|f| {
            (
                f["control"].as_str().unwrap_or_default().to_string(),
                f["object"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_noncompliant_fixture_fails_exactly_the_expected_controls() {
    let dir = tempfile::tempdir().expect("tempdir");
    noncompliant(dir.path());
    let (code, out, err) = govcloud(&["audit", "-f", dir.path().to_str().expect("utf8"), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let audit: Value = serde_json::from_str(&out).expect("json");
    let expected: BTreeSet<(String, String)> = [
        ("GC-HOST-001", "Pod/a-ext/hostnet"),
        ("GC-IMG-001", "Pod/a-ext/public-image"),
        ("GC-SVC-001", "Service/a-ext/nodeport"),
        ("GC-SVC-002", "Ingress/a-ext/ingress"),
        ("GC-RBAC-002", "RoleBinding/a-ext/root"),
        // pod UPDATE: public unpinned image, wildcard toleration, in the private zone (owner references exempt nothing)
        ("GC-IMG-001", "Pod/a-prv/vault-7d9f"),
        ("GC-IMG-002", "Pod/a-prv/vault-7d9f"),
        ("GC-ZONE-002", "Pod/a-prv/vault-7d9f"),
        ("GC-NET-003", "Pod/a-prv/vault-7d9f"),
        ("GC-NET-006", "Pod/a-prv/vault-7d9f"),
        // fake owner
        ("GC-HOST-002", "Pod/a-ext/fake-owner"),
        // what runs: a pod on another zone's node
        ("GC-ZONE-001", "Pod/a-ext/elsewhere"),
        // adoption
        ("GC-MGD-002", "Deployment/a-ext/adopted"),
        ("GC-MGD-001", "Deployment/a-ext/adopted"),
        ("GC-IMG-001", "Deployment/a-ext/adopted"),
        ("GC-RES-001", "Deployment/a-ext/adopted"),
        ("GC-VOL-001", "Deployment/a-ext/adopted"),
        ("GC-PRI-001", "Deployment/a-ext/adopted"),
        // wide binding, host clash, foreign host, token, claim, externalIPs
        ("GC-RBAC-002", "RoleBinding/a-ext/everyone"),
        ("GC-SVC-003", "Ingress/b-dmz/clash"),
        ("GC-SVC-003", "DepartmentApp/b-dmz/gov"),
        ("GC-RBAC-003", "Secret/a-ext/tok"),
        ("GC-VOL-002", "PersistentVolumeClaim/a-ext/steal"),
        ("GC-SVC-001", "Service/b-dmz/eip"),
        // the clash Ingress has no backend: it publishes no Service of govcloud's
        ("GC-SVC-002", "Ingress/b-dmz/clash"),
        // custody (issue 23): a forged pod, an ExternalName Service, the zone's apex, a surge whose end moved
        ("GC-NET-006", "Pod/a-ext/forged"),
        ("GC-SVC-001", "Service/a-dmz/outside"),
        ("GC-SVC-003", "DepartmentApp/b-dmz/apex"),
        ("GC-REQ-001", "ResourceRequest/a-ext/flood"),
        // the forged pod takes portal's flows (the leak to b/db included) ...
        ("GC-NET-002", "Pod/a-ext/forged"),
        // the extranet grants 8 CPUs on one Ready 2-CPU node
        ("GC-ZONE-007", "NetworkZone/ext"),
        // a host two tenants own
        ("GC-SVC-003", "Tenant/a"),
        ("GC-SVC-003", "Tenant/b"),
        // ... and the moved end still grants the surge: the quota in the cluster lacks it
        ("GC-MGD-001", "ResourceQuota/a-ext/govcloud-quota"),
        // the leak's 0.0.0.0/0 also spans the cluster's pod and service ranges
        ("GC-NET-005", "NetworkPolicy/a-prv/leak"),
        ("GC-POD-001", "Namespace/a-ext"),
        ("GC-MGD-001", "Namespace/a-ext"),
        ("GC-NET-002", "Deployment/a-ext/portal"),
        ("GC-RES-002", "Namespace/b-ext"),
        ("GC-MGD-001", "LimitRange/b-ext/govcloud-limits"),
        ("GC-IMG-002", "Deployment/a-prv/vault"),
        ("GC-IMG-003", "Deployment/a-prv/vault"),
        ("GC-MGD-001", "Deployment/a-prv/vault"),
        ("GC-NET-003", "Deployment/a-prv/vault"),
    ]
    .iter()
    .map(|(c, o)| (c.to_string(), o.to_string()))
    .collect();
    assert_eq!(failures(&audit), expected);
    // A compliant pod the scheduler placed raises nothing (no GC-ZONE-003 false positive), and is checked.
    let scheduled: Vec<&Value> = audit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["object"] == "Pod/a-ext/scheduled")
        .collect();
    assert!(scheduled.iter().any(|f| f["control"] == "GC-ZONE-003" && f["outcome"] == "pass"), "{scheduled:?}");
    assert!(
        scheduled
            .iter()
            .any(|f| f["control"] == "GC-ZONE-001" && f["outcome"] == "pass" && f["field"] == "spec.nodeName"),
        "{scheduled:?}"
    );
    // Evidence names the field and the value.
    let host = audit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["control"] == "GC-HOST-001" && f["outcome"] == "fail")
        .expect("finding");
    assert_eq!(host["evidence"], "spec.hostNetwork = true");
    let leak = audit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["control"] == "GC-NET-003" && f["outcome"] == "fail")
        .expect("finding");
    assert!(leak["evidence"].as_str().unwrap_or_default().contains("via leak"), "{leak}");
    // The connectivity matrix shows the leak: a/portal reaches b/db.
    let apps: Vec<String> = audit["connectivity"]["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| a[0].as_str().unwrap_or_default().to_string())
        .collect();
    let (i, j) = (
        apps.iter().position(|a| a == "a/portal").expect("portal"),
        apps.iter().position(|a| a == "b/db").expect("db"),
    );
    assert_eq!(audit["connectivity"]["reach"][i][j], true);
    assert_eq!(audit["connectivity"]["reach"][j][i], false);
}

#[test]
fn fail_on_gates_a_pipeline_by_severity() {
    let dir = tempfile::tempdir().expect("tempdir");
    noncompliant(dir.path());
    let p = dir.path().to_str().expect("utf8");
    let (code, _, err) = govcloud(&["audit", "-f", p, "--fail-on", "critical"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("at severity critical or above"), "{err}");
    // The Chifeng model passes every automated control, so no threshold fails it.
    let (code, out, err) = govcloud(&[
        "audit",
        "-f",
        repo().join("examples/chifeng").to_str().expect("utf8"),
        "--fail-on",
        "low",
        "--lang",
        "en",
    ]);
    assert_eq!(code, 0, "{err}\n{out}");
    assert!(out.contains(" 0 FAIL"), "{out}");
}

#[test]
fn chifeng_passes_every_automated_control() {
    // With the API server's address (GC-NET-007 judges who reaches it).
    let chifeng = repo().join("examples/chifeng");
    let (code, out, err) =
        govcloud(&["audit", "-f", chifeng.to_str().expect("utf8"), "--api-server", "192.168.1.10", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let audit: Value = serde_json::from_str(&out).expect("json");
    assert!(failures(&audit).is_empty(), "{:?}", failures(&audit));
    assert_eq!(audit["summary"]["fail"], json!(null));
    // The city's controls and the declarations of zones hosted elsewhere: Chifeng in two clusters.
    let model = ["examples/chifeng-clusters", "examples/chifeng/tenants.yaml", "examples/chifeng/apps"]
        .map(|p| repo().join(p).to_str().expect("utf8").to_string());
    let (code, out, err) = govcloud(&["audit", "-f", &model[0], "-f", &model[1], "-f", &model[2], "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let city: Value = serde_json::from_str(&out).expect("json");
    assert!(failures(&city).is_empty(), "{:?}", failures(&city));
    let findings: Vec<&Value> = audit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .chain(city["findings"].as_array().expect("findings"))
        .collect();
    // Every automated control was actually exercised (at least one pass), except those needing
    // live nodes (the zone taint; nodes of zones hosted elsewhere), and the token rule (the model
    // has no Secrets; the fixture shows it failing).
    for c in govcloud::controls::CATALOGUE {
        // A rule on a request (a Tenant's deletion) has no offline form.
        let needs_nodes =
            [govcloud::controls::ZONE_TAINT, govcloud::controls::FOREIGN_NODES, govcloud::controls::ZONE_CAPACITY]
                .contains(&c.id);
        // The model files no ResourceRequests (GC-REQ-001): the fixture shows it failing, unit tests passing.
        // Its sharing answers are not applied: who answered (GC-SHR-001) is
        // written by the API server; unit tests show it passing and failing.
        if needs_nodes
            || c.id == "GC-RBAC-003"
            || c.id == govcloud::controls::REQUEST_DECISIONS
            || c.id == govcloud::controls::SHARING_ANSWERS
            || c.audit == govcloud::controls::AuditBy::NotAuditable
        {
            continue;
        }
        let passes = findings.iter().filter(|f| f["control"] == c.id && f["outcome"] == "pass").count();
        assert!(passes > 0, "{} was never checked", c.id);
    }
}

#[test]
fn openreports_output_has_one_report_per_tenant_namespace_and_a_cluster_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    noncompliant(dir.path());
    let (code, out, err) = govcloud(&["audit", "-f", dir.path().to_str().expect("utf8"), "--format", "openreports"]);
    assert_eq!(code, 0, "{err}");
    let reports = docs(&out);
    let kinds: BTreeSet<String> = reports
        .iter()
        .map(|r| format!("{} {}", r["apiVersion"].as_str().unwrap_or_default(), r["kind"].as_str().unwrap_or_default()))
        .collect();
    assert!(
        kinds.contains("openreports.io/v1alpha1 Report") && kinds.contains("openreports.io/v1alpha1 ClusterReport"),
        "{kinds:?}"
    );
    let a_ext = reports.iter().find(|r| r["metadata"]["namespace"] == "a-ext").expect("report for a-ext");
    let host = a_ext["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["rule"] == "GC-HOST-001" && r["result"] == "fail")
        .expect("result");
    assert_eq!(host["severity"], "critical");
    assert!(host["properties"]["mlps"].as_str().unwrap_or_default().contains("8.2"), "{host}");
    assert!(a_ext["summary"]["fail"].as_u64().unwrap_or(0) >= 5);
    let (code, out, _) = govcloud(&[
        "audit",
        "-f",
        dir.path().to_str().expect("utf8"),
        "--format",
        "openreports",
        "--report-api",
        "wgpolicy",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("kind: PolicyReport") && out.contains("wgpolicyk8s.io/v1alpha2"));
}

#[test]
fn the_html_report_renders_in_headless_chromium() {
    let Some(chromium) = crate::support::offline::chromium() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    noncompliant(dir.path());
    let html = dir.path().join("report.html");
    let (code, _, err) = govcloud(&[
        "audit",
        "-f",
        dir.path().join("objects.yaml").to_str().expect("utf8"),
        "-f",
        dir.path().join("model.yaml").to_str().expect("utf8"),
        "--format",
        "html",
        "--lang",
        "zh",
        "-o",
        html.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0, "{err}");
    let dom =
        crate::support::offline::render_page(&chromium, &html, &repo().join("target/audit-report.png"), "1400x2400");
    for section in [
        "id=\"summary\"",
        "id=\"tenants\"",
        "id=\"zones\"",
        "id=\"controls\"",
        "id=\"mlps\"",
        "id=\"topology\"",
        "id=\"connectivity\"",
        "id=\"evidence\"",
        "GC-HOST-001",
        "政务云合规报告",
    ] {
        assert!(dom.contains(section), "rendered page lacks {section}");
    }
}

/// Whether an evidence text has English words around its data (two or more
/// lowercase words of three letters or more between spaces): values, paths
/// and JSON have none.
fn worded(evidence: &str) -> bool {
    evidence
        .split([' ', '(', ')', ',', ';', ':'])
        .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_lowercase()))
        .count()
        >= 2
}

#[test]
fn the_chinese_report_of_the_noncompliant_fixture_gives_every_evidence_in_chinese() {
    let dir = tempfile::tempdir().expect("tempdir");
    noncompliant(dir.path());
    let p = dir.path().to_str().expect("utf8");
    let (code, out, err) = govcloud(&["audit", "-f", p, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let audit: Value = serde_json::from_str(&out).expect("json");
    let findings = audit["findings"].as_array().expect("findings");
    // Every evidence with words has them as a catalogue message: what is left is data.
    let bare: Vec<String> = findings
        .iter()
        .filter(|f| f.get("evidence_message").is_none() && worded(f["evidence"].as_str().unwrap_or_default()))
        .map(|f| format!("{} {}: {}", f["control"], f["object"], f["evidence"]))
        .collect();
    assert!(bare.is_empty(), "evidence in English words only:\n{}", bare.join("\n"));
    // The checks of privileges, identity, sharing, reachability, node pools and requests among them.
    for control in ["GC-RBAC-001", "GC-NET-006", "GC-NET-002", "GC-NET-003", "GC-ZONE-001", "GC-REQ-001"] {
        let of: Vec<&Value> = findings.iter().filter(|f| f["control"] == control).collect();
        assert!(!of.is_empty(), "no finding of {control}");
        assert!(of.iter().all(|f| f.get("evidence_message").is_some()), "{control}: {of:?}");
    }
    // The Chinese table and page: no failure's evidence in English where it has words.
    let (code, zh, err) = govcloud(&["audit", "-f", p, "--lang", "zh"]);
    assert_eq!(code, 0, "{err}");
    let html = dir.path().join("report.html");
    let (code, _, err) =
        govcloud(&["audit", "-f", p, "--lang", "zh", "--format", "html", "-o", html.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    let page = std::fs::read_to_string(&html).expect("html");
    let failed: Vec<&str> = findings
        .iter()
        .filter(|f| f["outcome"] == "fail")
        .filter_map(|f| f["evidence"].as_str())
        .filter(|e| worded(e))
        .collect();
    assert!(failed.len() >= 10, "{failed:?}");
    for e in failed {
        assert!(!zh.contains(e), "English evidence on the Chinese table: {e}");
        let escaped = e.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
        assert!(!page.contains(&escaped), "English evidence on the Chinese page: {e}");
    }
    for english in [
        "run by",
        "owned by",
        "reachable (",
        " via ",
        "not isolated",
        "runs on node",
        "routes only",
        "the surge end moved",
    ] {
        assert!(!zh.contains(english), "{english:?} on the Chinese table:\n{zh}");
    }
    assert!(zh.contains("可访问（端口") && zh.contains("临时扩容的结束时间被改动"), "{zh}");
}
