//! Where the operator's memory goes, by structure, measured with a counting
//! allocator on the pure core (no cluster): the model, the plan and its kept
//! verdicts, the rendered objects, the owned-object caches as the watches
//! keep them, the audited inventory as the report loop keeps it (text), and
//! a compliance round (the inventory parsed back, the audit, its findings,
//! the report bodies). The cluster's own objects (ReplicaSets and pods) are
//! made from the rendered workloads as the controllers would make them.
//!
//! `make bench-memory` runs it (`cargo bench --bench memory`;
//! `GOVCLOUD_BENCH=province|chifeng` runs one model). Figures, not
//! assertions: the results go to BENCHMARKS.md by hand, with the command.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup is a failed bench

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use govcloud::model::{Model, load_paths, load_str};
use kube::api::DynamicObject;
use serde_json::{Value, json};

#[path = "support/models.rs"]
#[allow(dead_code)]
mod models;

/// The system allocator, counting the bytes held now and the most held
/// since the last [`reset_peak`].
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

#[allow(unsafe_code)] // a global allocator is unsafe by its trait; this one only counts
mod counting {
    use super::{Counting, HELD, PEAK};
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::Ordering;

    fn grew(by: usize) {
        let now = HELD.fetch_add(by, Ordering::Relaxed) + by;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }

    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's contract is passed on to the system allocator.
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() {
                grew(layout.size());
            }
            p
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: as `alloc`.
            let p = unsafe { System.alloc_zeroed(layout) };
            if !p.is_null() {
                grew(layout.size());
            }
            p
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` was given by this allocator with `layout`.
            unsafe { System.dealloc(ptr, layout) };
            HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: as `dealloc` and `alloc`.
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            if !p.is_null() {
                HELD.fetch_sub(layout.size(), Ordering::Relaxed);
                grew(new_size);
            }
            p
        }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn held() -> usize {
    HELD.load(Ordering::Relaxed)
}

fn reset_peak() {
    PEAK.store(held(), Ordering::Relaxed);
}

fn mib(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

/// The rows of one model's table: what a structure holds once made, and the
/// most held above the start while it was made.
#[derive(Default)]
struct Table(Vec<(String, usize, usize, String)>);

impl Table {
    /// Makes `f`'s value, recording what it holds and the peak while made.
    fn step<T>(&mut self, what: &str, count: impl Fn(&T) -> String, f: impl FnOnce() -> T) -> T {
        let before = held();
        reset_peak();
        let value = f();
        let (after, peak) = (held(), PEAK.load(Ordering::Relaxed));
        self.0.push((what.to_string(), after.saturating_sub(before), peak.saturating_sub(before), count(&value)));
        value
    }

    fn print(&self, model: &str, start: usize) {
        println!("\n#### {model}\n");
        println!("| structure | held MiB | peak while made MiB | items |");
        println!("|---|---|---|---|");
        for (what, held, peak, count) in &self.0 {
            println!("| {what} | {} | {} | {count} |", mib(*held), mib(*peak));
        }
        println!("| process heap now (after the round is freed) | {} | | |", mib(held().saturating_sub(start)));
    }
}

/// A rendered object as an owned-object cache keeps it after the API
/// server stored it: with a uid, a resourceVersion, a creation time and
/// the one field-ownership mark the repair logic keeps.
fn stored(mut v: Value, i: usize) -> Value {
    let m = &mut v["metadata"];
    m["uid"] = json!(format!("5b1c7e0a-0000-4000-8000-{i:012}"));
    m["resourceVersion"] = json!(format!("{}", 100_000 + i));
    m["creationTimestamp"] = json!("2026-12-05T10:00:00Z");
    m["managedFields"] =
        json!([{"manager": "govcloud", "operation": "Update", "apiVersion": "v1", "time": "2026-12-05T10:00:00Z"}]);
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
    }
    v
}

/// The ReplicaSet and pods the controllers make of a rendered Deployment or
/// StatefulSet (none of anything else).
fn made_by_cluster(w: &Value, i: usize) -> Vec<Value> {
    let kind = w["kind"].as_str().unwrap_or_default();
    if kind != "Deployment" && kind != "StatefulSet" {
        return Vec::new();
    }
    let (name, ns) = (w["metadata"]["name"].as_str().unwrap_or_default(), w["metadata"]["namespace"].clone());
    let template = &w["spec"]["template"];
    let replicas = w["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
    let mut out = Vec::new();
    let (owner_kind, owner_name) = if kind == "Deployment" {
        let rs = format!("{name}-7d9f8c6b{}", i % 10);
        out.push(json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": rs, "namespace": ns, "labels": template["metadata"]["labels"],
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": format!("u-{i}"), "controller": true}]},
            "spec": {"replicas": replicas, "selector": w["spec"]["selector"], "template": template},
        }));
        ("ReplicaSet", rs)
    } else {
        ("StatefulSet", name.to_string())
    };
    for r in 0..replicas {
        let mut spec = template["spec"].clone();
        spec["nodeName"] = json!(format!("node-{}", (i + r) % 40));
        out.push(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("{owner_name}-x{r}"), "namespace": ns, "labels": template["metadata"]["labels"],
                "annotations": template["metadata"]["annotations"],
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner_kind, "name": owner_name, "uid": format!("u-{i}-rs"), "controller": true}]},
            "spec": spec,
            "status": {"phase": "Running", "podIP": format!("10.{}.{}.{}", (i / 65536) % 256, (i / 256) % 256, r + 1)},
        }));
    }
    out
}

fn measure(name: &str, load: impl FnOnce() -> Model) {
    let start = held();
    let mut t = Table::default();
    let model = t.step(
        "model (zones, tenants, apps, requests; typed; peak: reading the manifests)",
        |m: &Model| format!("{} apps", m.apps.len()),
        load,
    );
    let verdicts = govcloud::render::Verdicts::default();
    let plan = t.step(
        "plan and its kept admission verdicts",
        |_| format!("{} verdicts", verdicts.len()),
        || govcloud::render::plan(&model, &verdicts),
    );
    let rendered = t.step(
        "rendered objects, typed, all at once (the bench's; the operator renders one owner at a time)",
        |r: &govcloud::render::Rendered| format!("{} objects", r.objects.len()),
        || plan.render_all(),
    );
    let values: Vec<Value> = rendered.objects.iter().filter_map(|o| serde_json::to_value(o).ok()).collect();
    drop(rendered);
    // Before issue 27's third stage the caches held each object whole; the
    // bench measures that form too, for the comparison, and drops it.
    let whole = t.step(
        "owned objects whole (DynamicObject per object; what the caches held before stage 3)",
        |v: &Vec<Arc<DynamicObject>>| format!("{} objects", v.len()),
        || {
            values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| serde_json::from_value::<DynamicObject>(stored(v.clone(), i)).ok().map(Arc::new))
                .collect::<Vec<_>>()
        },
    );
    let owned = t.step(
        "owned-object caches (kept: metadata, the status read, the print; by kind, through the watches' writers: tables, owner index, shared print bodies)",
        |v: &Vec<(govcloud::operator::KeptWriter, govcloud::operator::KeptStore)>| {
            let kept: Vec<_> = v.iter().flat_map(|(_, s)| s.state()).collect();
            let own = kept.iter().map(|k| k.print.own_len()).sum::<usize>();
            format!(
                "{} objects, {} print words ({} of them their own, the rest in {} shared bodies)",
                kept.len(),
                kept.iter().map(|k| k.print.len()).sum::<usize>(),
                own,
                v.iter().map(|(w, _)| w.bodies()).sum::<usize>()
            )
        },
        || {
            let mut by_kind: std::collections::BTreeMap<String, govcloud::operator::KeptWriter> = Default::default();
            for o in &whole {
                let kind = o.types.as_ref().map(|t| t.kind.clone()).unwrap_or_default();
                let w = by_kind.entry(kind).or_default();
                w.event(&kube::runtime::watcher::Event::InitApply((**o).clone()));
            }
            by_kind
                .into_values()
                .map(|mut w| {
                    w.event(&kube::runtime::watcher::Event::InitDone);
                    let store = w.as_reader();
                    (w, store)
                })
                .collect::<Vec<_>>()
        },
    );
    drop(whole);
    let made: Vec<Value> = values.iter().enumerate().flat_map(|(i, w)| made_by_cluster(w, i)).collect();
    // The kinds the report loop watches and audits (the apps are added from the model).
    let audited_kinds: Vec<&str> = govcloud::operator::AUDITED.iter().map(|(_, _, kind, _)| *kind).collect();
    let inventory = t.step(
        "audited inventory (compact text per object, packed against a dictionary of its kind)",
        |v: &Vec<govcloud::audit::Packed>| {
            format!(
                "{} objects, {:.1} MiB packed",
                v.len(),
                v.iter().map(|p| p.len()).sum::<usize>() as f64 / 1048576.0
            )
        },
        || {
            let mut packers: std::collections::HashMap<String, govcloud::audit::Packer> = Default::default();
            let apps = model.apps.iter().filter_map(|a| serde_json::to_value(a).ok());
            values
                .iter()
                .cloned()
                .chain(made.iter().cloned())
                .filter(|v| audited_kinds.contains(&v["kind"].as_str().unwrap_or_default()))
                .chain(apps)
                .map(|mut v| {
                    let (api_version, kind) = (
                        v["apiVersion"].as_str().unwrap_or_default().to_string(),
                        v["kind"].as_str().unwrap_or("DepartmentApp").to_string(),
                    );
                    govcloud::operator::as_audited(&mut v, &api_version, &kind);
                    packers.entry(kind).or_default().pack(&v.to_string())
                })
                .collect()
        },
    );
    drop((values, made));
    // The parsed inventory by kind: which kinds a round's parse is made of.
    let mut by_kind: std::collections::BTreeMap<String, (usize, usize, usize)> = Default::default();
    let unpacked: Vec<String> = inventory.iter().filter_map(|p| p.text()).collect();
    for text in unpacked.iter() {
        let before = held();
        let v: Value = serde_json::from_str(text).unwrap();
        let cost = held().saturating_sub(before);
        let e = by_kind.entry(v["kind"].as_str().unwrap_or("?").to_string()).or_default();
        e.0 += 1;
        e.1 += cost;
        e.2 += text.len();
    }
    let mut by_kind: Vec<_> = by_kind.into_iter().collect();
    by_kind.sort_by_key(|(_, (_, parsed, _))| std::cmp::Reverse(*parsed));
    println!("\n#### {name}: the inventory parsed back, by kind\n");
    println!("| kind | objects | parsed MiB | KiB each parsed | text MiB |");
    println!("|---|---|---|---|---|");
    for (kind, (n, parsed, text)) in &by_kind {
        println!("| {kind} | {n} | {} | {:.1} | {} |", mib(*parsed), *parsed as f64 / 1024.0 / *n as f64, mib(*text));
    }
    // A compliance round, as `report_loop` runs it (its pure part: the
    // operator's own functions).
    // What a round parsed at once before it read a few namespaces at a
    // time: measured for the comparison, and dropped.
    let parsed = t.step(
        "the inventory parsed back whole (Value per object; what a round held before the audit by namespaces)",
        |v: &Vec<Value>| format!("{} objects", v.len()),
        || unpacked.iter().filter_map(|s| serde_json::from_str(s).ok()).collect::<Vec<Value>>(),
    );
    drop((parsed, unpacked));
    // The kept texts as the round reads them (shared, not copied).
    let mut texts = govcloud::audit::Texts::default();
    for s in &inventory {
        let v: Value = serde_json::from_slice(&s.unpack().unwrap()).unwrap();
        let m = &v["metadata"];
        texts.push(
            v["kind"].as_str().unwrap_or_default(),
            m["namespace"].as_str().unwrap_or_default(),
            m["name"].as_str().unwrap_or_default(),
            s.clone(),
        );
    }
    let round_start = held();
    reset_peak();
    let round = govcloud::operator::audit_round(&model, &texts, &verdicts);
    let mut round_peak = PEAK.load(Ordering::Relaxed);
    t.0.push((
        "round: the audit, a few namespaces parsed at a time (held: findings, the pods' keys; peak: the wide kinds, a batch and the findings being made, above the round's start)".into(),
        held().saturating_sub(round_start),
        PEAK.load(Ordering::Relaxed).saturating_sub(round_start),
        format!("{} findings, {} pods", round.audit.findings.len(), round.pods.len()),
    ));
    // The reports, built as the loop builds them (as JSON text, eight at a
    // time), once without earlier reports and once stamped from them (a
    // resync round: every report's times, listed, held while it runs).
    let api = govcloud::audit::output::ReportApi::Openreports;
    let labels =
        std::collections::BTreeMap::from([("app.kubernetes.io/managed-by".to_string(), "govcloud".to_string())]);
    let notes = std::collections::BTreeMap::new();
    let due = |earlier: &mut std::collections::BTreeMap<usize, govcloud::audit::output::Stamps>| -> Vec<govcloud::operator::Due> {
        govcloud::audit::output::report_group_indices(&round.audit)
            .into_iter()
            .enumerate()
            .map(|(i, (ns, findings))| govcloud::operator::Due {
                key: (String::new(), String::new(), format!("r{i}")),
                ns,
                findings,
                earlier: earlier.remove(&i),
            })
            .collect()
    };
    let mut sizes = Vec::new();
    let mut listed = std::collections::BTreeMap::new();
    let all = due(&mut listed);
    let mut batch_peak = 0;
    for chunk in all.chunks(8) {
        reset_peak();
        let before = held();
        let built = govcloud::operator::build_reports(&round.audit, api, &labels, &notes, chunk, 100);
        batch_peak = batch_peak.max(PEAK.load(Ordering::Relaxed).saturating_sub(before));
        round_peak = round_peak.max(PEAK.load(Ordering::Relaxed));
        sizes.extend(built.iter().map(|w| w.body.len()));
    }
    let mut largest = sizes.clone();
    largest.sort_unstable_by(|a, b| b.cmp(a));
    t.0.push((
        "round: report texts, the 8 largest (built and written 8 at a time; peak: the largest batch)".into(),
        largest.iter().take(8).sum(),
        batch_peak,
        format!("{} reports, {} MiB of text in all", sizes.len(), mib(sizes.iter().sum())),
    ));
    // The reports as the API server then holds them: their result times, as a resync lists them.
    let before = held();
    for (b, chunk) in all.chunks(8).enumerate() {
        let built = govcloud::operator::build_reports(&round.audit, api, &labels, &notes, chunk, 100);
        for (j, w) in built.into_iter().enumerate() {
            let v: Value = serde_json::from_str(&w.body).unwrap();
            listed.insert(b * 8 + j, govcloud::audit::output::Stamps::of(&v));
        }
    }
    drop(all);
    let stamps_held = held().saturating_sub(before);
    t.0.push((
        "round at a resync: the listed reports' result times (held while the reports are built)".into(),
        stamps_held,
        stamps_held,
        format!("{} results", listed.values().map(|s| s.len()).sum::<usize>()),
    ));
    let all = due(&mut listed);
    for chunk in all.chunks(8) {
        reset_peak();
        let built = govcloud::operator::build_reports(&round.audit, api, &labels, &notes, chunk, 200);
        round_peak = round_peak.max(PEAK.load(Ordering::Relaxed));
        drop(built);
    }
    drop((all, listed));
    t.0.push((
        "round: peak, parse to last report (above the heap before the round)".into(),
        0,
        round_peak.saturating_sub(round_start),
        String::new(),
    ));
    drop(round);
    t.print(name, start);
    drop((owned, inventory, plan));
}

/// With `GOVCLOUD_BENCH_STAGES=1`: each stage the audit logs (at debug),
/// with the heap held then and the most held since the stage before.
struct Stages;

impl tracing::Subscriber for Stages {
    fn enabled(&self, m: &tracing::Metadata<'_>) -> bool {
        m.target().starts_with("govcloud")
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, e: &tracing::Event<'_>) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                self.0.push_str(&format!(" {}={v:?}", f.name()));
            }
        }
        let mut fields = Fields(String::new());
        e.record(&mut fields);
        println!("  [heap {} MiB, peak since last {} MiB]{}", mib(held()), mib(PEAK.load(Ordering::Relaxed)), fields.0);
        reset_peak();
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn main() {
    if std::env::var("GOVCLOUD_BENCH_STAGES").is_ok() {
        let _ = tracing::subscriber::set_global_default(Stages);
    }
    let only = std::env::var("GOVCLOUD_BENCH").unwrap_or_default();
    println!(
        "Heap bytes held (a counting allocator; not RSS: the allocator's own overhead and freed-but-kept pages are not counted). Process heap at start: {} MiB.",
        mib(held())
    );
    if "chifeng".contains(only.as_str()) {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/chifeng");
        measure("chifeng", || load_paths(std::slice::from_ref(&dir)).expect("chifeng").model);
    }
    if "province 300x10 (x10)".contains(only.as_str()) {
        measure("province 300x10 (x10)", || {
            load_str("province.yaml", &models::province(300, 10)).expect("province").model
        });
    }
}
