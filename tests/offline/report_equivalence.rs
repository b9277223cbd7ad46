//! Issue 27, stage 2: the compliance round as the operator now runs it (the
//! parsed objects freed once audited, each report written straight to its
//! JSON text, the results' times from a compact digest of the earlier
//! report) writes the reports the round wrote before (the audit, then each
//! report built as a JSON value and stamped from the earlier report),
//! finding for finding: same results in the same order, same summaries,
//! same times, same content hash. On Chifeng, the non-compliant fixture the
//! audit tests use, and random provinces with random edits, over two rounds
//! (the second stamped from the first).

use std::collections::BTreeMap;

use govcloud::audit::output::{self, ReportApi};
use govcloud::model::{Model, load_paths, load_str};
use serde_json::{Value, json};

use crate::support::offline::{Rng, docs, repo};

use crate::models;

pub(crate) fn rendered(model: &Model) -> Vec<Value> {
    govcloud::render::render(model).objects.iter().map(|o| serde_json::to_value(o).expect("json")).collect()
}

/// The pods a rendered workload runs, as a cluster would run them (so the
/// checks of running pods and the pods kept for the evaluation have some).
pub(crate) fn pods_of(objects: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, w) in objects.iter().enumerate().filter(|(_, w)| w["kind"] == "Deployment" || w["kind"] == "StatefulSet") {
        let t = &w["spec"]["template"];
        out.push(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("{}-p{i}", w["metadata"]["name"].as_str().unwrap_or_default()),
                "namespace": w["metadata"]["namespace"], "labels": t["metadata"]["labels"]},
            "spec": t["spec"].clone(),
        }));
    }
    out
}

/// The non-compliant fixture's model and objects, as `audit_fixture` builds
/// them: the rendering with the violations in place of what they replace.
pub(crate) fn noncompliant() -> (Model, Vec<Value>) {
    let fixture = repo().join("tests/fixtures/noncompliant");
    let model = load_paths(&[fixture.join("model.yaml")]).expect("fixture").model;
    let mut objects = rendered(&model);
    for v in docs(&std::fs::read_to_string(fixture.join("violations.yaml")).expect("violations")) {
        let id = |o: &Value| (o["kind"].clone(), o["metadata"]["namespace"].clone(), o["metadata"]["name"].clone());
        objects.retain(|o| id(o) != id(&v));
        objects.push(v);
    }
    (model, objects)
}

/// Random edits a department or an intruder might make.
pub(crate) fn edit(objects: &mut Vec<Value>, rng: &mut Rng, n: usize) {
    for _ in 0..n {
        if objects.is_empty() {
            return;
        }
        let i = rng.below(objects.len());
        match rng.below(6) {
            0 => {
                objects.remove(i);
            }
            1 => objects[i]["metadata"]["labels"][format!("edit{}", rng.below(3))] = json!("x"),
            2 => {
                if let Some(c) = objects[i].pointer_mut("/spec/template/spec/containers/0") {
                    c["image"] = json!(format!("docker.io/evil/img:{}", rng.below(4)));
                }
            }
            3 => {
                if let Some(s) = objects[i].pointer_mut("/spec/template/spec") {
                    s["hostNetwork"] = json!(true);
                }
            }
            4 => {
                if let Some(l) = objects[i].pointer_mut("/metadata/labels") {
                    l.as_object_mut().map(|l| l.remove("govcloud.io/tenant"));
                }
            }
            _ => {
                let mut copy = objects[i].clone();
                copy["metadata"]["name"] = json!(format!("copy-{}", rng.below(1000)));
                objects.push(copy);
            }
        }
    }
}

/// Both rounds on `objects` then `later`, the old way and the new: the same reports.
fn same_reports(what: &str, model: &Model, objects: Vec<Value>, later: Vec<Value>) -> usize {
    let labels = BTreeMap::from([("app.kubernetes.io/managed-by".to_string(), "govcloud".to_string())]);
    let notes = BTreeMap::from([("govcloud.io/generated-at".to_string(), "2026-12-06T00:00:00Z".to_string())]);
    let mut earlier: BTreeMap<Option<String>, Value> = BTreeMap::new();
    let mut compared = 0;
    for (now, objects) in [(100, objects), (200, later)] {
        let verdicts = govcloud::render::Verdicts::default();
        // Today's: the audit, the groups, each report a JSON value, stamped.
        let audit = govcloud::audit::audit_whole(model, &objects, &verdicts);
        let old: Vec<(Option<String>, Value)> = output::report_groups(&audit)
            .into_iter()
            .map(|(ns, fs)| {
                let mut r = output::report_with(ReportApi::Openreports, &labels, &notes, ns, &fs);
                r["metadata"]["name"] = json!(if ns.is_some() { "govcloud" } else { "govcloud-cluster" });
                output::stamp_results(&mut r, earlier.get(&ns.map(str::to_string)), now);
                (ns.map(str::to_string), r)
            })
            .collect();
        // The round's: the audit a few namespaces at a time, the reports as text.
        let pods = govcloud::evaluate::PodApps::of(&objects);
        assert!(!pods.is_empty(), "{what}: pods");
        let round = govcloud::operator::audit_round(model, &govcloud::audit::Parsed(&objects), &verdicts);
        let a = serde_json::to_value(&audit.findings).expect("json");
        assert_eq!(serde_json::to_value(&round.audit.findings).expect("json"), a, "{what}: the same findings");
        let groups = output::report_group_indices(&round.audit);
        assert_eq!(groups.len(), old.len(), "{what}: as many reports");
        for ((ns, is), (old_ns, old)) in groups.into_iter().zip(&old) {
            assert_eq!(ns.as_deref().map(str::to_string), *old_ns, "{what}");
            let fs: Vec<_> = is.iter().map(|i| &round.audit.findings[*i]).collect();
            let stamps = earlier.get(old_ns).map(output::Stamps::of);
            let name = if ns.is_some() { "govcloud" } else { "govcloud-cluster" };
            let new = output::report_text(
                &output::Dress { api: ReportApi::Openreports, labels: &labels, annotations: &notes },
                ns.as_deref(),
                name,
                &fs,
                stamps.as_ref(),
                now,
            );
            let parsed: Value = serde_json::from_str(&new.body).expect("the text is JSON");
            assert_eq!(parsed["summary"], old["summary"], "{what} {ns:?}: the summary");
            assert_eq!(parsed["results"], old["results"], "{what} {ns:?}: the results, in order, with their times");
            assert_eq!(parsed, *old, "{what} {ns:?}");
            assert_eq!(new.content, output::content_hash_of(old), "{what} {ns:?}: the content hash");
            compared += old["results"].as_array().map_or(0, Vec::len);
        }
        // What the evaluation reads of the pods is kept.
        assert_eq!(round.pods, pods, "{what}: the pods kept for the evaluation");
        earlier = old.into_iter().collect();
    }
    compared
}

#[test]
fn the_round_writes_the_reports_it_wrote_before_on_chifeng_the_fixture_and_random_provinces() {
    // Chifeng: as rendered with its pods, then edited.
    let chifeng = load_paths(&[repo().join("examples/chifeng")]).expect("chifeng").model;
    let mut objects = rendered(&chifeng);
    objects.extend(pods_of(&objects));
    let mut later = objects.clone();
    edit(&mut later, &mut Rng(27), 60);
    let n = same_reports("chifeng", &chifeng, objects, later);
    assert!(n > 1000, "chifeng: {n} results compared");
    // The non-compliant fixture (as `audit_fixture` builds it), then edited.
    let (model, mut objects) = noncompliant();
    objects.extend(pods_of(&objects));
    let mut later = objects.clone();
    edit(&mut later, &mut Rng(10), 20);
    same_reports("noncompliant fixture", &model, objects, later);
    // Random provinces: sizes and edits from a seed (GOVCLOUD_SEED to replay one).
    let seed = std::env::var("GOVCLOUD_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x2027);
    let mut rng = Rng(seed);
    for case in 0..3 {
        let (tenants, apps) = (2 + rng.below(5), 1 + rng.below(4));
        let model = load_str("province.yaml", &models::province(tenants, apps)).expect("province").model;
        let mut objects = rendered(&model);
        objects.extend(pods_of(&objects));
        edit(&mut objects, &mut rng, 10);
        let mut later = objects.clone();
        edit(&mut later, &mut rng, 30);
        same_reports(&format!("seed {seed:#x} case {case}: {tenants}x{apps}"), &model, objects, later);
    }
}
