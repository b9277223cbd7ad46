//! Issue 27, stage 2: the audit a few namespaces at a time
//! (`govcloud::audit::audit_from`, what the operator and every command run)
//! finds what the audit of the whole inventory at once found
//! (`audit_whole`, the path before), finding for finding and in the same
//! order, with the same connectivity, flows, zones and tenants: on Chifeng
//! with its nodes and pods, the non-compliant fixture, and random
//! provinces, each with random edits (some across namespaces: an object
//! moved, an owner in another namespace, a Namespace deleted, a copy under
//! the same id); batches of one namespace, of a few, and of all; from
//! parsed objects and from kept JSON text.

use govcloud::audit::{Parsed, Texts, audit_batched, audit_whole};
use govcloud::model::{Model, load_paths, load_str};
use kube::ResourceExt;
use serde_json::{Value, json};

use crate::models;
use crate::report_equivalence::{edit, noncompliant, pods_of, rendered};
use crate::support::offline::{Rng, repo};

/// A node per zone (its pool's labels) and one of no zone; the pods spread over them.
fn with_nodes(model: &Model, objects: &mut Vec<Value>, rng: &mut Rng) {
    let mut names = Vec::new();
    for z in &model.zones {
        let name = format!("node-{}", z.name_any());
        objects.push(json!({"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": z.spec.node_pool.selector}}));
        names.push(name);
    }
    objects.push(json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-stray", "labels": {}}}));
    names.push("node-stray".into());
    for p in objects.iter_mut().filter(|o| o["kind"] == "Pod") {
        p["spec"]["nodeName"] = json!(names[rng.below(names.len())]);
    }
}

/// Edits across namespaces, which a namespace-at-a-time audit must see as the whole one does.
fn edit_across(objects: &mut Vec<Value>, rng: &mut Rng, n: usize) {
    for _ in 0..n {
        if objects.len() < 2 {
            return;
        }
        let (i, j) = (rng.below(objects.len()), rng.below(objects.len()));
        match rng.below(5) {
            // Moved into another object's namespace.
            0 if objects[j]["metadata"]["namespace"].is_string() => {
                objects[i]["metadata"]["namespace"] = objects[j]["metadata"]["namespace"].clone();
            }
            // Owned by an object of another namespace (a forged owner leads nowhere).
            1 => {
                let owner = json!([{"apiVersion": "apps/v1", "kind": objects[j]["kind"], "name": objects[j]["metadata"]["name"], "uid": "u", "controller": true}]);
                objects[i]["metadata"]["ownerReferences"] = owner;
            }
            // A Namespace gone (its objects stay).
            2 => {
                if let Some(k) = objects.iter().position(|o| o["kind"] == "Namespace") {
                    objects.remove(k);
                }
            }
            // A second object under the same id (the later one is judged).
            3 => {
                let mut copy = objects[i].clone();
                copy["metadata"]["labels"]["copy"] = json!("yes");
                objects.push(copy);
            }
            // A copy in another namespace.
            _ if objects[j]["metadata"]["namespace"].is_string() => {
                let mut copy = objects[i].clone();
                copy["metadata"]["namespace"] = objects[j]["metadata"]["namespace"].clone();
                objects.push(copy);
            }
            _ => {}
        }
    }
}

/// The audit of the whole inventory and the audit by batches, as JSON: equal.
fn same_audit(what: &str, model: &Model, objects: &[Value]) -> usize {
    let verdicts = govcloud::render::Verdicts::default();
    let whole = serde_json::to_value(audit_whole(model, objects, &verdicts)).expect("json");
    let n = whole["findings"].as_array().map_or(0, Vec::len);
    assert!(n > 0, "{what}: findings");
    for batch in [1, 7, 60, govcloud::audit::BATCH] {
        let verdicts = govcloud::render::Verdicts::default();
        let by = serde_json::to_value(audit_batched(model, &Parsed(objects), &verdicts, batch)).expect("json");
        same(what, batch, &whole, &by);
    }
    // From kept text, as the operator audits.
    let mut texts = Texts::default();
    objects.iter().for_each(|o| texts.push_value(o));
    let verdicts = govcloud::render::Verdicts::default();
    let by = serde_json::to_value(audit_batched(model, &texts, &verdicts, 13)).expect("json");
    same(what, 13, &whole, &by);
    n
}

fn same(what: &str, batch: usize, whole: &Value, by: &Value) {
    let (a, b) = (whole["findings"].as_array().expect("findings"), by["findings"].as_array().expect("findings"));
    if a.len() != b.len() {
        let key = |f: &Value| format!("{} {} {} {}", f["control"], f["object"], f["field"], f["outcome"]);
        let (ka, kb): (Vec<String>, Vec<String>) = (a.iter().map(key).collect(), b.iter().map(key).collect());
        let only_whole: Vec<&String> = ka.iter().filter(|k| !kb.contains(k)).take(10).collect();
        let only_by: Vec<&String> = kb.iter().filter(|k| !ka.contains(k)).take(10).collect();
        panic!(
            "{what}, batches of {batch}: {} findings, {} by batches; only whole: {only_whole:#?}; only by batches: {only_by:#?}",
            a.len(),
            b.len()
        );
    }
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        assert_eq!(x, y, "{what}, batches of {batch}: finding {k}");
    }
    assert_eq!(whole, by, "{what}, batches of {batch}: connectivity, flows, zones, tenants");
}

#[test]
fn the_audit_by_namespaces_finds_what_the_whole_audit_finds() {
    let mut rng = Rng(std::env::var("GOVCLOUD_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x27));
    // Chifeng with nodes and pods; then edited.
    let chifeng = load_paths(&[repo().join("examples/chifeng")]).expect("chifeng").model;
    let mut objects = rendered(&chifeng);
    objects.extend(pods_of(&objects));
    with_nodes(&chifeng, &mut objects, &mut rng);
    let n = same_audit("chifeng", &chifeng, &objects);
    assert!(n > 1000, "chifeng: {n} findings compared");
    for round in 0..3 {
        let mut edited = objects.clone();
        edit(&mut edited, &mut rng, 40);
        edit_across(&mut edited, &mut rng, 20);
        same_audit(&format!("chifeng edited, round {round}"), &chifeng, &edited);
    }
    // The non-compliant fixture (as `audit_fixture` builds it), then edited.
    let (model, mut objects) = noncompliant();
    objects.extend(pods_of(&objects));
    with_nodes(&model, &mut objects, &mut rng);
    same_audit("noncompliant fixture", &model, &objects);
    edit(&mut objects, &mut rng, 20);
    edit_across(&mut objects, &mut rng, 10);
    same_audit("noncompliant fixture edited", &model, &objects);
    // Random provinces.
    for case in 0..3 {
        let (tenants, apps) = (2 + rng.below(6), 1 + rng.below(4));
        let model = load_str("province.yaml", &models::province(tenants, apps)).expect("province").model;
        let mut objects = rendered(&model);
        objects.extend(pods_of(&objects));
        with_nodes(&model, &mut objects, &mut rng);
        edit(&mut objects, &mut rng, 15);
        edit_across(&mut objects, &mut rng, 15);
        same_audit(&format!("province case {case}: {tenants}x{apps}"), &model, &objects);
    }
}
