//! Fuzzing as property tests (proptest): no input makes loading, rendering or
//! the audit panic, and whatever loads renders objects whose names and labels
//! the API server accepts.
//!
//! Deterministic by default (a fixed seed, a bounded number of cases): the
//! short run is part of `cargo test`. `GOVCLOUD_FUZZ_CASES` and
//! `GOVCLOUD_FUZZ_SEED` make a long run; see `tests/fuzz/README.md`. Seeds are
//! the Chifeng model, the invalid-input catalogue, the non-compliant audit
//! fixture and `tests/fuzz/corpus/`. Every crash found becomes a named
//! regression test at the end of this file.

use crate::support::offline::{repo, yaml_files};
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::path::PathBuf;
use std::sync::OnceLock;

use govcloud::model::{LoadedModel, Model, load_mixed, load_paths, load_str};
use kube::ResourceExt;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------
// Runner: cases and seed from the environment, fixed by default.

/// Cases per property for a weight-1 property (cheap ones); heavier ones run
/// `cases() / weight`.
fn cases() -> u32 {
    std::env::var("GOVCLOUD_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(128)
}

fn seed() -> u64 {
    std::env::var("GOVCLOUD_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x6f76_6361_6c6f_7564)
}

/// Runs `test` on `cases() / weight` values of `strategy`; on a panic,
/// proptest shrinks the input and this fails with the minimal one.
fn check<S>(name: &str, weight: u32, strategy: S, test: impl Fn(S::Value))
where
    S: Strategy,
    S::Value: Debug,
{
    let cases = (cases() / weight).max(1);
    let seed = seed();
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&(seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)).to_le_bytes());
    }
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 4096, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let start = std::time::Instant::now();
    let result = runner.run(&strategy, |v| {
        test(v);
        Ok(())
    });
    eprintln!("{name}: {cases} cases, seed {seed}, {:.1} s", start.elapsed().as_secs_f64());
    if let Err(e) = result {
        panic!("{name} (GOVCLOUD_FUZZ_SEED={seed} GOVCLOUD_FUZZ_CASES={}): {e}", cases * weight);
    }
}

// ---------------------------------------------------------------------------
// Seeds and the pipeline under test.

struct Seed {
    path: PathBuf,
    text: String,
    /// Part of the Chifeng model: mutants are also loaded with the rest of it.
    chifeng: bool,
}

fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut files = Vec::new();
        for dir in ["examples/chifeng", "tests/fixtures/invalid", "tests/fixtures/noncompliant", "tests/fuzz/corpus"] {
            files.extend(yaml_files(&repo().join(dir)));
        }
        let seeds: Vec<Seed> = files
            .into_iter()
            .map(|path| {
                let text = String::from_utf8_lossy(&std::fs::read(&path).expect("seed file")).into_owned();
                let chifeng = path.starts_with(repo().join("examples/chifeng"));
                Seed { path, text, chifeng }
            })
            .collect();
        assert!(seeds.len() > 100, "{} seeds", seeds.len());
        seeds
    })
}

/// The Chifeng model, file by file.
fn chifeng_files() -> &'static [(PathBuf, Model)] {
    static FILES: OnceLock<Vec<(PathBuf, Model)>> = OnceLock::new();
    FILES.get_or_init(|| {
        seeds()
            .iter()
            .filter(|s| s.chifeng)
            .map(|s| (s.path.clone(), load_paths(std::slice::from_ref(&s.path)).expect("chifeng file").model))
            .collect()
    })
}

fn chifeng() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| load_paths(&[repo().join("examples/chifeng")]).expect("chifeng").model)
}

fn chifeng_objects() -> &'static [Value] {
    static OBJECTS: OnceLock<Vec<Value>> = OnceLock::new();
    OBJECTS.get_or_init(|| rendered_json(chifeng()))
}

fn rendered_json(model: &Model) -> Vec<Value> {
    govcloud::render::render(model)
        .objects
        .iter()
        .map(|o| serde_json::to_value(o).expect("a rendered object is JSON"))
        .collect()
}

/// Adds `extra`'s objects to `model`, replacing those of the same kind, namespace and name.
fn merge(model: &mut Model, extra: Model) {
    for z in extra.zones {
        model.zones.retain(|o| o.name_any() != z.name_any());
        model.zones.push(z);
    }
    for t in extra.tenants {
        model.tenants.retain(|o| o.name_any() != t.name_any());
        model.tenants.push(t);
    }
    for a in extra.apps {
        model.apps.retain(|o| (o.namespace(), o.name_any()) != (a.namespace(), a.name_any()));
        model.apps.push(a);
    }
}

/// Renders a loaded model, checks what the API server would check of every
/// rendered object, and audits the rendered objects and `others`.
fn render_and_audit(model: &Model, others: &[Value]) {
    let mut objects = rendered_json(model);
    for o in &objects {
        assert_valid_object(o);
    }
    objects.extend(others.iter().cloned());
    let audit = govcloud::audit::audit(model, &objects);
    // The outputs read every finding.
    let _ = govcloud::audit::output::json(&audit);
    // The same objects imported back (every namespace mapped) never panic either.
    let options = govcloud::import::Options {
        default_zone: model.zones.first().and_then(|z| z.metadata.name.clone()),
        ..Default::default()
    };
    let imported = govcloud::import::import(&objects, model, &options);
    let _ = govcloud::import::output::table(&imported, govcloud::audit::output::Lang::Zh);
    let _ = govcloud::import::output::json(&imported);
}

/// What `load_paths` and `load_mixed` made of one file (problems counted).
type Loads = (Result<LoadedModel, usize>, Result<(LoadedModel, Vec<Value>), usize>);

fn load_file(text: &[u8]) -> Loads {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fuzz.yaml");
    std::fs::write(&path, text).expect("write");
    let paths = std::slice::from_ref(&path);
    (load_paths(paths).map_err(|p| p.len()), load_mixed(paths).map_err(|p| p.len()))
}

/// The whole pipeline on one file's bytes: load (as a file, and as a string
/// when it is UTF-8), and render and audit whatever loads.
fn pipeline(bytes: &[u8]) {
    let (plain, mixed) = load_file(bytes);
    // load_mixed reads all that load_paths does, and objects of other APIs
    // besides: one render and audit covers both.
    assert!(plain.is_err() || mixed.is_ok(), "load_mixed accepts what load_paths accepts");
    if let Ok((loaded, others)) = &mixed {
        render_and_audit(&loaded.model, others);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        let from_str = load_str("fuzz.yaml", text);
        assert_eq!(from_str.is_ok(), plain.is_ok(), "load_str and load_paths agree");
    }
}

/// Loads each document of `text` by itself and merges what loads (as the
/// operator sees whatever the API server admitted): over the rest of the
/// Chifeng model for a Chifeng seed, else alone.
fn per_document(seed: &Seed, text: &str) {
    let mut model = Model::default();
    if seed.chifeng {
        for (path, m) in chifeng_files() {
            if *path != seed.path {
                merge(&mut model, m.clone());
            }
        }
    }
    let mut others = Vec::new();
    let mut loaded_any = false;
    for doc in split_documents(text) {
        if let Ok(l) = load_str("doc.yaml", &doc) {
            merge(&mut model, l.model);
            loaded_any = true;
        } else if let Ok(v) = serde_norway::from_str::<Value>(&doc)
            && v.get("kind").is_some()
            && v.get("apiVersion").and_then(Value::as_str).is_none_or(|a| !a.starts_with("govcloud.io/"))
        {
            others.push(v);
        }
    }
    if loaded_any || !others.is_empty() {
        render_and_audit(&model, &others);
    }
}

fn split_documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.split('\n') {
        if line.starts_with("---") {
            docs.push(String::new());
        }
        let d = docs.last_mut().expect("one document");
        d.push_str(line);
        d.push('\n');
    }
    docs
}

// ---------------------------------------------------------------------------
// Invariants of rendered objects.

fn dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(dns_label)
}

/// A label value: at most 63 characters, alphanumerics, '-', '_' and '.',
/// beginning and ending with an alphanumeric; or empty.
fn label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

/// A label key: an optional DNS-subdomain prefix and '/', then a name like a value (not empty).
fn label_key(s: &str) -> bool {
    let (prefix, name) = s.rsplit_once('/').map_or((None, s), |(p, n)| (Some(p), n));
    prefix.is_none_or(dns_subdomain) && !name.is_empty() && label_value(name)
}

fn assert_valid_object(o: &Value) {
    let kind = o["kind"].as_str().unwrap_or_default();
    let name = o["metadata"]["name"].as_str().unwrap_or_default();
    assert!(!kind.is_empty() && o["apiVersion"].is_string(), "a rendered object has apiVersion and kind: {o}");
    let ok = match kind {
        // Namespaces and Services are DNS labels, Services starting with a letter.
        "Namespace" => dns_label(name),
        "Service" => dns_label(name) && name.starts_with(|c: char| c.is_ascii_lowercase()),
        // RBAC names are path segments ("govcloud:tenant-admin").
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
            !name.is_empty() && name.len() <= 253 && !name.contains(['/', '%']) && name != "." && name != ".."
        }
        _ => !name.is_empty() && dns_subdomain(name),
    };
    assert!(ok, "{kind} name {name:?} ({} characters) is not a valid Kubernetes name", name.len());
    let ns = o["metadata"]["namespace"].as_str().unwrap_or_default();
    assert!(ns.is_empty() || dns_label(ns), "{kind} {name}: namespace {ns:?} is not a DNS label");
    check_labels(o, &format!("{kind} {ns}/{name}"));
    if kind == "Ingress" {
        let rules = o["spec"]["rules"].as_array().into_iter().flatten().map(|r| &r["host"]);
        let tls =
            o["spec"]["tls"].as_array().into_iter().flatten().flat_map(|t| t["hosts"].as_array().into_iter().flatten());
        for host in rules.chain(tls).filter_map(Value::as_str) {
            let bare = host.strip_prefix("*.").unwrap_or(host);
            assert!(
                dns_subdomain(bare),
                "Ingress {ns}/{name}: host {host:?} ({} characters) is not a DNS name",
                host.len()
            );
        }
    }
}

/// Every `labels` and `matchLabels` map anywhere in the object.
fn check_labels(v: &Value, at: &str) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if (k == "labels" || k == "matchLabels")
                    && let Value::Object(labels) = v
                {
                    for (lk, lv) in labels {
                        let lv = lv.as_str().unwrap_or_else(|| panic!("{at}: label {lk} is not a string"));
                        assert!(label_key(lk), "{at}: label key {lk:?} is invalid");
                        assert!(label_value(lv), "{at}: label {lk} value {lv:?} ({} characters) is invalid", lv.len());
                    }
                } else {
                    check_labels(v, at);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| check_labels(i, at)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Strategies: scalars, YAML fragments, mutations.

const SPECIAL_SCALARS: &[&str] = &[
    "",
    "''",
    "\"\"",
    "~",
    "null",
    "Null",
    "true",
    "no",
    "yes",
    "0",
    "-0",
    "-1",
    "1.5",
    "0x1F",
    "0o17",
    "1e400",
    "-1e400",
    ".nan",
    ".inf",
    "-.inf",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "99999999999999999999999999999999",
    "65536",
    "[]",
    "{}",
    "[a, b]",
    "{a: b}",
    "赤峰",
    "ᠮᠣᠩᠭᠣᠯ",
    "\"\\u0000\"",
    "\"\\uFFFF\"",
    "\"a\\tb\"",
    "0.0.0.0/0",
    "::/0",
    "10.10.0.0/33",
    "999.1.1.1/8",
    "10.10.0.0/16",
    "172.20.0.0/16",
    "extranet",
    "private",
    "internet",
    "health",
    "public-security",
    "a-extranet",
    "NetworkZone",
    "Tenant",
    "DepartmentApp",
    "govcloud.io/v1alpha1",
    "public",
    "zone",
    "none",
    "sensitive",
    "secret",
    "UDP",
    "system:masters",
    "kube-system",
    "default",
    "*.gov.cn",
    "www.chifeng.gov.cn",
    "harbor.egov.local/x/y:1",
    "1Gi",
    "500m",
    "-1Gi",
    "1e3",
];

const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "- ",
    "? ",
    "&a ",
    "*a",
    "&a x",
    "<<: *a",
    "!tag ",
    "!!str ",
    "!!binary aGVsbG8=",
    "!!map {}",
    "---",
    "...",
    "~",
    "null",
    "#",
    "|",
    ">-",
    "'",
    "\"",
    "\t",
    "\r",
    "\u{feff}",
    "\u{0}",
    "%YAML 1.2",
    "%TAG ! tag:x,2000:",
    "@",
    "`",
    "\\",
    "key: value",
    "spec: {}",
    "spec: []",
    "spec: null",
    "metadata: {name: x}",
    "metadata: {name: x, namespace: x-extranet}",
    "kind: NetworkZone",
    "kind: Tenant",
    "kind: DepartmentApp",
    "kind: Pod",
    "apiVersion: govcloud.io/v1alpha1",
    "apiVersion: v1",
    "status: {}",
    "flows: {calls: [{app: x}]}",
    "exposure: public",
    "host: a.chifeng.gov.cn",
    "ports: [{name: http, port: 80}]",
    "zones: [{name: extranet, quota: {cpu: '1', memory: 1Gi, pods: 1, services: 1}}]",
];

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(SPECIAL_SCALARS).prop_map(str::to_string),
        2 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<f64>().prop_map(|n| n.to_string()),
        3 => "[a-z0-9][-a-z0-9.]{0,70}",
        2 => "\\PC{0,40}",
        1 => ".{0,20}",
        1 => (1usize..20_000).prop_map(|n| "a".repeat(n)),
        1 => (1usize..300).prop_map(|n| "[".repeat(n)),
    ]
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![3 => prop::sample::select(FRAGMENTS).prop_map(str::to_string), 1 => scalar()]
}

#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    /// Replaces what follows the line's first ": " or "- " (or the whole line).
    ReplaceValue(Index, String),
    /// Replaces one word (between spaces, ':', ',', brackets) of the line.
    ReplaceWord(Index, Index, String),
    Indent(Index, i8),
    Truncate(Index),
    InsertLine(Index, String),
    InsertInLine(Index, Index, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => any::<Index>().prop_map(Mutation::DeleteLine),
        1 => any::<Index>().prop_map(Mutation::DuplicateLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        4 => (any::<Index>(), scalar()).prop_map(|(l, v)| Mutation::ReplaceValue(l, v)),
        4 => (any::<Index>(), any::<Index>(), scalar()).prop_map(|(l, w, v)| Mutation::ReplaceWord(l, w, v)),
        1 => (any::<Index>(), -4i8..=4).prop_map(|(l, d)| Mutation::Indent(l, d)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), fragment()).prop_map(|(l, f)| Mutation::InsertLine(l, f)),
        2 => (any::<Index>(), any::<Index>(), fragment()).prop_map(|(l, p, f)| Mutation::InsertInLine(l, p, f)),
    ]
}

fn char_boundary(s: &str, i: &Index) -> usize {
    let positions: Vec<usize> = s.char_indices().map(|(p, _)| p).chain([s.len()]).collect();
    positions[i.index(positions.len())]
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    for m in mutations {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let n = lines.len();
        match m {
            Mutation::DeleteLine(l) => {
                lines.remove(l.index(n));
            }
            Mutation::DuplicateLine(l) => {
                let i = l.index(n);
                lines.insert(i, lines[i].clone());
            }
            Mutation::SwapLines(a, b) => lines.swap(a.index(n), b.index(n)),
            Mutation::ReplaceValue(l, v) => {
                let line = &mut lines[l.index(n)];
                let cut = line.find(": ").map(|p| p + 2).or_else(|| line.find("- ").map(|p| p + 2)).unwrap_or(0);
                line.truncate(cut);
                line.push_str(v);
            }
            Mutation::ReplaceWord(l, w, v) => {
                let line = &mut lines[l.index(n)];
                let is_sep = |c: char| c.is_whitespace() || matches!(c, ':' | ',' | '[' | ']' | '{' | '}');
                let mut words = Vec::new();
                let mut start = None;
                for (p, c) in line.char_indices().chain([(line.len(), ' ')]) {
                    match (is_sep(c), start) {
                        (false, None) => start = Some(p),
                        (true, Some(s)) => {
                            words.push((s, p));
                            start = None;
                        }
                        _ => {}
                    }
                }
                if !words.is_empty() {
                    let (s, e) = words[w.index(words.len())];
                    line.replace_range(s..e, v);
                }
            }
            Mutation::Indent(l, d) => {
                let line = &mut lines[l.index(n)];
                if *d > 0 {
                    line.insert_str(0, &" ".repeat(*d as usize));
                } else {
                    let spaces = line.len() - line.trim_start_matches(' ').len();
                    line.drain(..spaces.min(d.unsigned_abs() as usize));
                }
            }
            Mutation::Truncate(p) => {
                let joined = lines.join("\n");
                let cut = char_boundary(&joined, p);
                lines = joined[..cut].split('\n').map(str::to_string).collect();
            }
            Mutation::InsertLine(l, f) => lines.insert(l.index(n + 1), f.clone()),
            Mutation::InsertInLine(l, p, f) => {
                let line = &mut lines[l.index(n)];
                let at = char_boundary(line, p);
                line.insert_str(at, f);
            }
        }
    }
    lines.join("\n")
}

// ---------------------------------------------------------------------------
// 1a. Arbitrary bytes and strings.

const TOKENS: &[&str] = &[
    "apiVersion: govcloud.io/v1alpha1\n",
    "kind: NetworkZone\n",
    "kind: Tenant\n",
    "kind: DepartmentApp\n",
    "kind: Namespace\n",
    "metadata:",
    " {name: x",
    " {name: a, namespace: a-extranet}",
    "namespace: x-y",
    "spec:",
    "\n",
    "  ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "!tag ",
    "!!str ",
    "---\n",
    "...\n",
    "~",
    "null",
    "'",
    "\"",
    "# c",
    "|\n",
    ">-\n",
    "? ",
    "<<: ",
    "\t",
    "\u{feff}",
    "赤峰",
    "9999999999999999999999",
    "-1",
    "1e999",
    ".nan",
    "%YAML 1.2\n",
    "\\",
    "\r",
    "\u{0}",
    "zone: extranet",
    "ports: [{name: http, port: 8080}]",
    "cidrs: [10.0.0.0/8]",
];

#[test]
fn arbitrary_bytes_never_panic() {
    let input = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        "\\PC{0,512}".prop_map(String::into_bytes),
        ".{0,256}".prop_map(String::into_bytes),
        prop::collection::vec(prop::sample::select(TOKENS), 0..96).prop_map(|t| t.concat().into_bytes()),
        // Valid UTF-8 with invalid bytes spliced in.
        (
            prop::collection::vec(prop::sample::select(TOKENS), 0..48),
            prop::collection::vec(any::<u8>(), 1..8),
            any::<Index>()
        )
            .prop_map(|(t, junk, at)| {
                let mut b = t.concat().into_bytes();
                let at = at.index(b.len() + 1);
                b.splice(at..at, junk);
                b
            }),
    ];
    check("arbitrary_bytes", 1, input, |bytes| pipeline(&bytes));
}

// ---------------------------------------------------------------------------
// 1b. Mutated seed documents.

#[test]
fn mutated_seeds_never_panic() {
    let n = seeds().len();
    let input = (0..n, prop::collection::vec(mutation(), 1..8));
    check("mutated_seeds", 2, input, |(i, mutations)| {
        let seed = &seeds()[i];
        let text = apply(&seed.text, &mutations);
        pipeline(text.as_bytes());
        per_document(seed, &text);
    });
}

/// The seeds themselves, unmutated: the starting points load or fail cleanly.
#[test]
fn every_seed_passes_the_pipeline() {
    for seed in seeds() {
        pipeline(&std::fs::read(&seed.path).expect("seed"));
    }
    let (corpus, _) =
        load_file(&std::fs::read(repo().join("tests/fuzz/corpus/03-apps-with-flows.yaml")).expect("seed"));
    let corpus = corpus.expect("the corpus' valid seed loads");
    assert!(govcloud::render::render(&corpus.model).flows.len() >= 4, "its flows render");
}

// ---------------------------------------------------------------------------
// 1c. Generated, structurally valid-ish models.

/// An exchange endpoint: name, peer zone, app (when no cidr), cidr, ports.
type GenEndpoint = (String, usize, Index, Option<String>, Vec<u16>);
/// A call: tenant, app, zone, port names.
type GenCall = (Option<Index>, Index, Option<Index>, Vec<String>);

#[derive(Clone, Debug)]
struct GenZone {
    name: String,
    kind: &'static str,
    cidrs: Vec<String>,
    internet_ingress: bool,
    public_domain: Option<String>,
    egress: Option<Vec<String>>,
    gateway: Option<(String, u16)>,
    endpoints: Vec<GenEndpoint>,
    mlps: u8,
}

#[derive(Clone, Debug)]
struct GenTenant {
    name: String,
    zones: Vec<Index>,
    owners: Vec<(String, &'static str)>,
}

#[derive(Clone, Debug)]
struct GenApp {
    name: String,
    tenant: Index,
    zone: Index,
    ports: Vec<(String, i32, bool)>,
    exposure: &'static str,
    classification: &'static str,
    host: Option<String>,
    replicas: i32,
    calls: Vec<GenCall>,
    grants: Vec<(Index, Vec<Index>, Vec<String>)>,
}

fn name_strategy(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(&["a", "b", "health", "extranet", "x", "public-security", "z9"][..])
            .prop_map(str::to_string),
        proptest::string::string_regex(&format!("[a-z][a-z0-9]{{0,{}}}", max - 1)).expect("regex"),
        // Long names, up to the limit, with hyphens.
        proptest::string::string_regex(&format!("[a-z][-a-z0-9]{{{},{}}}[a-z0-9]", max.saturating_sub(12), max - 2))
            .expect("regex"),
    ]
}

fn cidr() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u8..=255, 0u8..=255, 8u8..=32).prop_map(|(a, b, p)| format!("10.{a}.{b}.0/{p}").replace(".0/32", ".1/32")),
        1 => (any::<[u8; 4]>(), 0u8..=32).prop_map(|(o, p)| {
            let ip = u32::from_be_bytes(o) & (u32::MAX.checked_shl(32 - u32::from(p)).unwrap_or(0));
            format!("{}/{p}", std::net::Ipv4Addr::from(ip))
        }),
        1 => Just("0.0.0.0/0".to_string()),
        1 => Just("fd00::/8".to_string()),
    ]
}

fn zone_strategy() -> impl Strategy<Value = GenZone> {
    (
        "[a-z][a-z0-9]{0,14}",
        prop::sample::select(&["extranet", "private", "internet"][..]),
        prop::collection::vec(cidr(), 1..4),
        any::<bool>(),
        prop::option::of(prop_oneof![
            4 => "[a-z]{1,10}\\.gov\\.cn",
            // Long labels, long names: within the field's own limits.
            1 => "[a-z]{55,70}\\.gov\\.cn",
            1 => "[a-z]{40,60}\\.[a-z]{40,60}\\.[a-z]{40,60}\\.[a-z]{30,60}\\.gov\\.cn",
        ]),
        prop::option::of(prop::collection::vec(cidr(), 0..3)),
        prop::option::of((cidr(), 1u16..=65535)),
        prop::collection::vec(
            (
                name_strategy(63),
                0usize..2,
                any::<Index>(),
                prop::option::of(cidr()),
                prop::collection::vec(1u16..=65535, 0..3),
            ),
            0..3,
        ),
        2u8..=3,
    )
        .prop_map(|(name, kind, cidrs, internet_ingress, public_domain, egress, gateway, endpoints, mlps)| {
            GenZone { name, kind, cidrs, internet_ingress, public_domain, egress, gateway, endpoints, mlps }
        })
}

fn tenant_strategy() -> impl Strategy<Value = GenTenant> {
    (
        name_strategy(40),
        prop::collection::vec(any::<Index>(), 1..4),
        prop::collection::vec(
            ("[a-z][-a-z0-9:@.]{0,40}", prop::sample::select(&["admin", "developer", "viewer", "auditor"][..])),
            1..3,
        ),
    )
        .prop_map(|(name, zones, owners)| GenTenant { name, zones, owners })
}

fn app_strategy() -> impl Strategy<Value = GenApp> {
    (
        (name_strategy(40), any::<Index>(), any::<Index>()),
        prop::collection::vec(("[a-z][a-z0-9]{0,14}", 1i32..=65535, any::<bool>()), 0..4),
        prop::sample::select(&["none", "zone", "public"][..]),
        prop::sample::select(&["public", "internal", "sensitive", "secret"][..]),
        prop::option::of(prop_oneof![
            "[a-z]{1,20}",
            "[a-z]{1,10}\\.[a-z]{1,10}\\.gov\\.cn",
            "[a-z]{60,70}\\.[a-z]{1,10}\\.gov\\.cn"
        ]),
        0i32..=5,
        prop::collection::vec(
            (
                prop::option::of(any::<Index>()),
                any::<Index>(),
                prop::option::of(any::<Index>()),
                prop::collection::vec("[a-z]{1,6}", 0..2),
            ),
            0..4,
        ),
        prop::collection::vec(
            (
                any::<Index>(),
                prop::collection::vec(any::<Index>(), 0..2),
                prop::collection::vec(name_strategy(40), 0..2),
            ),
            0..3,
        ),
    )
        .prop_map(|((name, tenant, zone), ports, exposure, classification, host, replicas, calls, grants)| {
            GenApp { name, tenant, zone, ports, exposure, classification, host, replicas, calls, grants }
        })
}

#[derive(Clone, Debug)]
struct GenModel {
    zones: Vec<GenZone>,
    tenants: Vec<GenTenant>,
    apps: Vec<GenApp>,
}

impl GenModel {
    /// The model as one YAML file (JSON documents, which are YAML).
    fn yaml(&self) -> String {
        let zone_names: Vec<&str> = self.zones.iter().map(|z| z.name.as_str()).collect();
        let tenant_names: Vec<&str> = self.tenants.iter().map(|t| t.name.as_str()).collect();
        let app_names: Vec<&str> = self.apps.iter().map(|a| a.name.as_str()).collect();
        let pick = |names: &[&str], i: &Index| {
            if names.is_empty() { "none".to_string() } else { names[i.index(names.len())].to_string() }
        };
        let mut docs = Vec::new();
        for z in &self.zones {
            let mut spec = json!({
                "kind": z.kind,
                "displayName": {"zh": "区", "en": "Zone"},
                "nodePool": {"selector": {"govcloud.io/zone": z.name}, "taint": {"key": "govcloud.io/zone", "value": z.name}},
                "cidrs": z.cidrs,
                "mlpsLevel": z.mlps,
                "allowedRegistries": ["harbor.egov.local"],
                "internetIngress": z.internet_ingress && z.kind == "internet",
            });
            if let Some(d) = &z.public_domain {
                spec["publicDomain"] = json!(d);
            }
            if z.kind != "private" && (z.egress.is_some() || z.gateway.is_some()) {
                let mut egress = json!({});
                if let Some(c) = &z.egress {
                    egress["allowedCidrs"] = json!(c);
                }
                if let Some((cidr, port)) = &z.gateway {
                    egress["gateway"] = json!({"cidr": cidr, "ports": [port]});
                }
                spec["egress"] = egress;
            }
            let endpoints: Vec<Value> = z
                .endpoints
                .iter()
                .map(|(name, peer, app, cidr, ports)| {
                    let mut e =
                        json!({"name": name, "peerZones": [zone_names[peer % zone_names.len()]], "ports": ports});
                    match cidr {
                        Some(c) => e["cidr"] = json!(c),
                        None if !self.apps.is_empty() => {
                            let a = &self.apps[app.index(self.apps.len())];
                            e["app"] = json!({"tenant": pick(&tenant_names, &a.tenant), "app": a.name});
                        }
                        None => e["cidr"] = json!("10.0.0.1/32"),
                    }
                    e
                })
                .collect();
            if !endpoints.is_empty() {
                spec["exchangeEndpoints"] = json!(endpoints);
            }
            docs.push(json!({"apiVersion": "govcloud.io/v1alpha1", "kind": "NetworkZone", "metadata": {"name": z.name}, "spec": spec}));
        }
        for t in &self.tenants {
            let zones: BTreeSet<String> = t.zones.iter().map(|i| pick(&zone_names, i)).collect();
            let zones: Vec<Value> = zones
                .iter()
                .map(|z| json!({"name": z, "quota": {"cpu": "4", "memory": "8Gi", "pods": 20, "services": 10}}))
                .collect();
            let owners: Vec<Value> =
                t.owners.iter().map(|(n, r)| json!({"kind": "Group", "name": n, "role": r})).collect();
            docs.push(json!({
                "apiVersion": "govcloud.io/v1alpha1", "kind": "Tenant", "metadata": {"name": t.name},
                "spec": {"displayName": {"zh": "局", "en": "Bureau"}, "owners": owners, "zones": zones},
            }));
        }
        for a in &self.apps {
            let (tenant, zone) = (pick(&tenant_names, &a.tenant), pick(&zone_names, &a.zone));
            let ports: Vec<Value> = a
                .ports
                .iter()
                .map(|(n, p, udp)| json!({"name": n, "port": p, "protocol": if *udp { "UDP" } else { "TCP" }}))
                .collect();
            let calls: Vec<Value> = a
                .calls
                .iter()
                .map(|(t, app, z, ports)| {
                    let mut c = json!({"app": pick(&app_names, app)});
                    if let Some(t) = t {
                        c["tenant"] = json!(pick(&tenant_names, t));
                    }
                    if let Some(z) = z {
                        c["zone"] = json!(pick(&zone_names, z));
                    }
                    if !ports.is_empty() {
                        c["ports"] = json!(ports);
                    }
                    c
                })
                .collect();
            let grants: Vec<Value> = a
                .grants
                .iter()
                .map(|(t, zones, apps)| {
                    json!({"tenant": pick(&tenant_names, t), "zones": zones.iter().map(|z| pick(&zone_names, z)).collect::<Vec<_>>(), "apps": apps})
                })
                .collect();
            let mut spec = json!({
                "zone": zone, "image": format!("harbor.egov.local/{tenant}/{}:1", a.name), "replicas": a.replicas,
                "ports": ports, "exposure": a.exposure, "dataClassification": a.classification,
                "flows": {"calls": calls, "allowFrom": grants},
            });
            if let Some(h) = &a.host {
                spec["host"] = json!(h);
            }
            docs.push(json!({
                "apiVersion": "govcloud.io/v1alpha1", "kind": "DepartmentApp",
                "metadata": {"name": a.name, "namespace": format!("{tenant}-{zone}")}, "spec": spec,
            }));
        }
        docs.iter().map(|d| format!("---\n{d}\n")).collect()
    }
}

fn model_strategy() -> impl Strategy<Value = GenModel> {
    (
        prop::collection::vec(zone_strategy(), 1..4),
        prop::collection::vec(tenant_strategy(), 1..5),
        prop::collection::vec(app_strategy(), 0..10),
    )
        .prop_map(|(zones, tenants, apps)| GenModel { zones, tenants, apps })
}

#[test]
fn generated_models_render_valid_objects() {
    let loaded = std::cell::Cell::new(0u32);
    check("generated_models", 4, model_strategy(), |m| {
        let text = m.yaml();
        if let Ok(l) = load_str("model.yaml", &text) {
            render_and_audit(&l.model, &[]);
            return;
        }
        // Per document: whatever is valid by itself renders, with the rest missing.
        let mut model = Model::default();
        for doc in split_documents(&text) {
            if let Ok(l) = load_str("doc.yaml", &doc) {
                merge(&mut model, l.model);
                loaded.set(loaded.get() + 1);
            }
        }
        render_and_audit(&model, &[]);
    });
    assert!(loaded.get() > 0, "the generator produces loadable objects");
}

/// The generator's output is not all rejected: most generated objects load.
#[test]
fn generated_models_mostly_load() {
    let mut runner = TestRunner::deterministic();
    let (mut docs, mut ok, mut whole) = (0, 0, 0);
    for _ in 0..32 {
        let m = model_strategy().new_tree(&mut runner).expect("tree").current();
        let text = m.yaml();
        whole += usize::from(load_str("m.yaml", &text).is_ok());
        for doc in split_documents(&text).iter().filter(|d| d.trim() != "---") {
            docs += 1;
            ok += usize::from(load_str("doc.yaml", doc).is_ok());
        }
    }
    eprintln!("{ok}/{docs} generated documents load; {whole}/32 whole models");
    assert!(ok * 2 > docs, "{ok}/{docs} generated documents load");
}

// ---------------------------------------------------------------------------
// 2. The audit over arbitrary objects.

const KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "NetworkPolicy",
    "Namespace",
    "RoleBinding",
    "ClusterRoleBinding",
    "Role",
    "ClusterRole",
    "Service",
    "Ingress",
    "ResourceQuota",
    "LimitRange",
    "Node",
    "ServiceAccount",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "DepartmentApp",
    "Tenant",
    "NetworkZone",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "PodDisruptionBudget",
    "",
];

const KEYS: &[&str] = &[
    "spec",
    "metadata",
    "labels",
    "annotations",
    "name",
    "namespace",
    "template",
    "selector",
    "matchLabels",
    "matchExpressions",
    "key",
    "operator",
    "values",
    "containers",
    "initContainers",
    "ephemeralContainers",
    "image",
    "securityContext",
    "privileged",
    "runAsNonRoot",
    "runAsUser",
    "allowPrivilegeEscalation",
    "readOnlyRootFilesystem",
    "capabilities",
    "add",
    "drop",
    "seccompProfile",
    "type",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "hostPath",
    "volumes",
    "nfs",
    "csi",
    "driver",
    "ports",
    "port",
    "containerPort",
    "hostPort",
    "targetPort",
    "nodePort",
    "endPort",
    "protocol",
    "podSelector",
    "namespaceSelector",
    "ingress",
    "egress",
    "from",
    "to",
    "ipBlock",
    "cidr",
    "except",
    "policyTypes",
    "rules",
    "host",
    "hosts",
    "tls",
    "http",
    "paths",
    "backend",
    "service",
    "subjects",
    "roleRef",
    "kind",
    "apiGroup",
    "apiGroups",
    "resources",
    "verbs",
    "limits",
    "requests",
    "cpu",
    "memory",
    "replicas",
    "nodeName",
    "nodeSelector",
    "tolerations",
    "effect",
    "affinity",
    "priorityClassName",
    "serviceAccountName",
    "automountServiceAccountToken",
    "externalIPs",
    "loadBalancerSourceRanges",
    "clusterIP",
    "status",
    "phase",
    "podIP",
    "podIPs",
    "ip",
    "conditions",
    "taints",
    "hard",
    "zone",
    "exposure",
    "flows",
    "calls",
    "allowFrom",
    "jobTemplate",
];

fn json_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![Just(0i64), Just(80), Just(443), Just(8080), Just(65535), Just(65536), Just(-1)]
            .prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(SPECIAL_SCALARS).prop_map(Value::from),
        "\\PC{0,24}".prop_map(Value::from),
        "[a-z0-9./:-]{0,30}".prop_map(Value::from),
    ]
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![4 => prop::sample::select(KEYS).prop_map(str::to_string), 1 => "[a-zA-Z./-]{0,12}"]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_scalar().prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(json_key(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn namespace_name() -> impl Strategy<Value = String> {
    let known: Vec<String> = chifeng_objects()
        .iter()
        .filter(|o| o["kind"] == "Namespace")
        .filter_map(|o| o["metadata"]["name"].as_str())
        .map(str::to_string)
        .collect();
    prop_oneof![3 => prop::sample::select(known), 1 => "[a-z0-9-]{0,20}", 1 => Just("kube-system".to_string())]
}

fn labels() -> impl Strategy<Value = Value> {
    let keys = &[
        "govcloud.io/tenant",
        "govcloud.io/zone",
        "govcloud.io/app",
        "govcloud.io/zone-kind",
        "govcloud.io/mlps-level",
        "govcloud.io/data-classification",
        "app.kubernetes.io/managed-by",
        "kubernetes.io/metadata.name",
        "pod-security.kubernetes.io/enforce",
        "govcloud.io/allowed-registries",
    ][..];
    prop::collection::btree_map(
        prop_oneof![4 => prop::sample::select(keys).prop_map(str::to_string), 1 => "[a-z./]{0,12}"],
        prop_oneof![4 => prop::sample::select(SPECIAL_SCALARS).prop_map(Value::from), 1 => json_scalar()],
        0..5,
    )
    .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn k8s_object() -> impl Strategy<Value = Value> {
    let metadata = prop_oneof![
        6 => ("[a-z0-9-]{0,20}", prop::option::of(namespace_name()), prop::option::of(labels()), prop::option::of(json_value())).prop_map(
            |(name, ns, labels, annotations)| {
                let mut m = json!({"name": name});
                if let Some(ns) = ns {
                    m["namespace"] = json!(ns);
                }
                if let Some(l) = labels {
                    m["labels"] = l;
                }
                if let Some(a) = annotations {
                    m["annotations"] = a;
                }
                m
            }
        ),
        1 => json_value(),
    ];
    (
        prop_oneof![
            prop::sample::select(
                &["v1", "apps/v1", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "govcloud.io/v1alpha1"][..]
            )
            .prop_map(Value::from),
            json_scalar()
        ],
        prop_oneof![8 => prop::sample::select(KINDS).prop_map(Value::from), 1 => json_scalar()],
        metadata,
        json_value(),
        prop::option::of(json_value()),
    )
        .prop_map(|(api, kind, metadata, spec, status)| {
            let mut o = json!({"apiVersion": api, "kind": kind, "metadata": metadata, "spec": spec});
            if let Some(s) = status {
                o["status"] = s;
            }
            o
        })
}

#[derive(Clone, Debug)]
enum JsonEdit {
    Replace(Index, Value),
    Remove(Index),
    WrapInArray(Index),
}

fn json_edit() -> impl Strategy<Value = JsonEdit> {
    prop_oneof![
        4 => (any::<Index>(), json_value()).prop_map(|(i, v)| JsonEdit::Replace(i, v)),
        2 => any::<Index>().prop_map(JsonEdit::Remove),
        1 => any::<Index>().prop_map(JsonEdit::WrapInArray),
    ]
}

fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        _ => {}
    }
}

fn edit(o: &mut Value, e: &JsonEdit) {
    let mut all = Vec::new();
    pointers(o, String::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let (JsonEdit::Replace(i, _) | JsonEdit::Remove(i) | JsonEdit::WrapInArray(i)) = e;
    let p = &all[i.index(all.len())];
    match e {
        JsonEdit::Replace(_, v) => *o.pointer_mut(p).expect("pointer") = v.clone(),
        JsonEdit::WrapInArray(_) => {
            let slot = o.pointer_mut(p).expect("pointer");
            *slot = Value::Array(vec![slot.take()]);
        }
        JsonEdit::Remove(_) => {
            let (parent, last) = p.rsplit_once('/').expect("a pointer has a slash");
            match o.pointer_mut(parent).expect("parent") {
                Value::Object(m) => {
                    m.remove(&last.replace("~1", "/").replace("~0", "~"));
                }
                Value::Array(items) => {
                    items.remove(last.parse::<usize>().expect("index"));
                }
                _ => {}
            }
        }
    }
}

#[test]
fn audit_of_arbitrary_objects_never_panics() {
    let input = (any::<bool>(), prop::collection::vec(k8s_object(), 0..24));
    check("audit_arbitrary", 2, input, |(use_chifeng, objects)| {
        let empty = Model::default();
        let model = if use_chifeng { chifeng() } else { &empty };
        let audit = govcloud::audit::audit(model, &objects);
        let _ = govcloud::audit::output::json(&audit);
    });
}

#[test]
fn audit_of_mutated_rendered_objects_never_panics() {
    let all = chifeng_objects().to_vec();
    let n = all.len();
    let input = (
        any::<bool>(),
        prop::sample::subsequence(all, 0..=n.min(80)),
        prop::collection::vec((any::<Index>(), prop::collection::vec(json_edit(), 1..4)), 1..12),
        prop::collection::vec(k8s_object(), 0..4),
    );
    check("audit_mutated_rendered", 4, input, |(use_chifeng, mut objects, edits, extra)| {
        if !objects.is_empty() {
            for (i, es) in &edits {
                let k = i.index(objects.len());
                for e in es {
                    edit(&mut objects[k], e);
                }
            }
        }
        objects.extend(extra);
        let empty = Model::default();
        let model = if use_chifeng { chifeng() } else { &empty };
        let audit = govcloud::audit::audit(model, &objects);
        let _ = govcloud::audit::output::json(&audit);
    });
}

// ---------------------------------------------------------------------------
// Regression cases: every crash the properties found, minimized.

/// Found with the Ingress host check of these properties (the case written by
/// hand from `public_host`, the generator reaching it only rarely): a public app
/// without spec.host is served at `<app>.<tenant>.<publicDomain>`, which with
/// long names (each within its field's limit) was longer than a DNS name, and
/// the Ingress was rendered anyway (the API server refuses it).
#[test]
fn derived_public_host_longer_than_a_dns_name() {
    let label = "d".repeat(60);
    let domain = format!("{label}.{label}.{label}.gov.cn");
    let text = format!(
        "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {{name: internet}}\nspec: {{kind: internet, displayName: {{zh: 互联网区, en: Internet}}, nodePool: {{selector: {{govcloud.io/zone: internet}}, taint: {{key: govcloud.io/zone, value: internet}}}}, cidrs: [172.20.0.0/16], internetIngress: true, publicDomain: {domain}, allowedRegistries: [harbor.egov.local]}}\n---\napiVersion: govcloud.io/v1alpha1\nkind: Tenant\nmetadata: {{name: {t}}}\nspec: {{displayName: {{zh: 局, en: B}}, owners: [{{kind: Group, name: g, role: admin}}], zones: [{{name: internet, quota: {{cpu: '1', memory: 1Gi, pods: 5, services: 5}}}}]}}\n---\napiVersion: govcloud.io/v1alpha1\nkind: DepartmentApp\nmetadata: {{name: {a}, namespace: {t}-internet}}\nspec: {{zone: internet, image: harbor.egov.local/t/a:1, ports: [{{name: http, port: 8080}}], exposure: public, dataClassification: public}}\n",
        t = "t".repeat(40),
        a = "a".repeat(40),
    );
    let model = load_str("long-host.yaml", &text).expect("every field is within its own limits").model;
    render_and_audit(&model, &[]);
    let rendered = govcloud::render::render(&model);
    assert!(rendered.objects.iter().all(|o| o.kind() != "Ingress"), "no Ingress the API server would refuse");
    let p = rendered.problems.iter().find(|p| p.field == "spec.host").expect("a problem names spec.host");
    assert!(p.message.contains("271 characters") && p.fix.contains("publicDomain"), "{p:?}");
    // A label longer than 63 characters in spec.host itself, within the field's own rule.
    let host = format!("{}.gov.cn", "h".repeat(64));
    let one = text.replace("dataClassification: public}", &format!("dataClassification: public, host: {host}}}"));
    let model = load_str("long-label.yaml", &one).expect("the field's rule accepts it").model;
    render_and_audit(&model, &[]);
    assert!(
        govcloud::render::render(&model)
            .problems
            .iter()
            .any(|p| p.field == "spec.host" && p.fix.contains("shorten spec.host"))
    );
}
