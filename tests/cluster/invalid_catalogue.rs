//! The bad-input catalogue: each file under `tests/fixtures/invalid/` is one
//! invalid manifest, added to the Chifeng model, with what must happen to it
//! written in its first lines:
//!
//! ```text
//! # case: what is wrong, in words
//! # expect-offline: substring | substring | ...   (in `govcloud render -f` stderr: object, field path, message)
//! # expect-audit: fails | n/a (why)               (`govcloud audit -f` refuses to load it too)
//! # expect-api: substring | n/a (why)             (the API server's refusal)
//! ```
//!
//! Offline, `govcloud render` must exit 1 with nothing on stdout, name the
//! file and say what to do, within a time and memory bound (hostile input:
//! alias bombs, deep nesting, huge strings). Against the real API server, each
//! case with an `expect-api` is sent (dry run, strict field validation) and
//! must be refused with that message.

use crate::support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::offline::copy_dir;

/// One file of the catalogue.
#[derive(Debug)]
struct Case {
    file: String,
    path: PathBuf,
    offline: Vec<String>,
    audit_fails: bool,
    api: Option<String>,
}

fn catalogue_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid")
}

fn chifeng() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/chifeng")
}

/// Every case, in file order; panics on a file whose header is incomplete.
fn cases() -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(catalogue_dir())
        .expect("tests/fixtures/invalid")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("read case");
            let text = String::from_utf8_lossy(&bytes);
            let file = path.file_name().expect("name").to_string_lossy().into_owned();
            let header = |key: &str| {
                text.lines()
                    .take_while(|l| l.starts_with('#'))
                    .find_map(|l| l.strip_prefix(&format!("# {key}:")).map(|v| v.trim().to_string()))
                    .unwrap_or_else(|| panic!("{file}: no `# {key}:` line in its header"))
            };
            let not_applicable = |v: &str| v.starts_with("n/a");
            let offline: Vec<String> =
                header("expect-offline").split(" | ").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            assert!(!offline.is_empty(), "{file}: expect-offline is empty");
            let audit = header("expect-audit");
            assert!(audit == "fails" || not_applicable(&audit), "{file}: expect-audit is `fails` or `n/a (why)`");
            let api = header("expect-api");
            let _ = header("case");
            Case { file, path, offline, audit_fails: audit == "fails", api: (!not_applicable(&api)).then_some(api) }
        })
        .collect()
}

/// The Chifeng model plus the case file, under its own name, in a temp dir.
fn model_with(case: &Case) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&chifeng(), dir.path());
    std::fs::copy(&case.path, dir.path().join(&case.file)).expect("copy case");
    dir
}

/// How long one command may take, and how much address space it may use:
/// hostile input must neither hang nor blow memory.
const TIME_LIMIT: Duration = Duration::from_secs(20);
const MEMORY_LIMIT_KIB: u64 = 4 * 1024 * 1024;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// Runs `govcloud args` under the time and memory limits.
fn govcloud(args: &[&str]) -> Run {
    let start = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_govcloud"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run govcloud");
    // Drain the pipes on threads so a large output cannot block the child.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut s);
        s
    });
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.join().expect("stdout thread")).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().expect("stderr thread")).into_owned();
    Run { code, stdout, stderr, elapsed }
}

/// What is wrong with how `render` (and `audit`) handled one case; empty when all is well.
fn check_offline(case: &Case) -> Vec<String> {
    let dir = model_with(case);
    let path = dir.path().to_str().expect("utf8 path");
    let mut wrong = Vec::new();
    let r = govcloud(&["render", "-f", path, "--lang", "en"]);
    let stderr_tail: String = r.stderr.chars().take(2000).collect();
    if r.code.is_none() {
        wrong.push(format!("render did not finish within {TIME_LIMIT:?} or was killed by a signal"));
    } else if r.code != Some(1) {
        wrong.push(format!("render exit code {:?}, expected 1", r.code));
    }
    if !r.stdout.is_empty() {
        wrong.push(format!("render printed {} bytes on stdout", r.stdout.len()));
    }
    if r.stderr.contains("panicked") || r.stderr.contains("overflow") {
        wrong.push("render panicked or overflowed".into());
    }
    if !r.stderr.contains(&case.file) {
        wrong.push(format!("render's stderr does not name {}", case.file));
    }
    if !r.stderr.contains("fix:") {
        wrong.push("render's stderr says no `fix:`".into());
    }
    for e in &case.offline {
        if !r.stderr.contains(e.as_str()) {
            wrong.push(format!("render's stderr lacks {e:?}"));
        }
    }
    // The audit loads the same way: what render cannot load, the audit cannot either.
    if case.audit_fails {
        let a = govcloud(&["audit", "-f", path]);
        if a.code.is_none() {
            wrong.push(format!("audit did not finish within {TIME_LIMIT:?} or was killed by a signal"));
        } else if a.code != Some(1) {
            wrong.push(format!("audit exit code {:?}, expected 1", a.code));
        }
        if a.stderr.contains("panicked") {
            wrong.push("audit panicked".into());
        }
        if !a.stdout.is_empty() {
            wrong.push(format!("audit printed {} bytes on stdout", a.stdout.len()));
        }
        if !a.stderr.contains(&case.file) || !a.stderr.contains("fix:") {
            wrong.push("audit's stderr does not name the file and the fix".into());
        }
    }
    if !wrong.is_empty() {
        wrong.push(format!("render took {:?}; its stderr:\n{stderr_tail}", r.elapsed));
    }
    wrong
}

#[test]
fn every_invalid_manifest_is_refused_offline_with_file_object_field_and_fix() {
    let cases = cases();
    assert!(cases.len() >= 60, "the catalogue has {} cases; it must have at least 60", cases.len());
    let start = Instant::now();
    // Two workers: each case runs two processes that each load the whole model.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let wrong = check_offline(case);
                    if !wrong.is_empty() {
                        failures.lock().expect("lock").push(format!("{}:\n  {}", case.file, wrong.join("\n  ")));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().expect("lock");
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed offline:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    eprintln!("{} invalid manifests refused offline in {:?}", cases.len(), start.elapsed());
}

/// Namespace the namespaced cases are sent to (the API server's rules do not
/// depend on it; the cases' own namespaces need not exist).
const NAMESPACE: &str = "govcloud-invalid-catalogue";

/// Sends every object of a case to the API server (dry run, strict field
/// validation); returns the refusals, or what went wrong instead.
async fn send(client: &kube::Client, case: &Case) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(&case.path).map_err(|e| format!("read: {e}"))?;
    let mut refusals = Vec::new();
    for doc in serde_norway::Deserializer::from_str(&text) {
        let value: serde_norway::Value = serde::Deserialize::deserialize(doc)
            .map_err(|e| format!("the case is not YAML, yet expects the API server to see it: {e}"))?;
        let mut json = serde_json::to_value(&value).map_err(|e| format!("to JSON: {e}"))?;
        let api_version = json["apiVersion"].as_str().unwrap_or_default().to_string();
        let kind = json["kind"].as_str().unwrap_or_default().to_string();
        let (group, version) =
            api_version.split_once('/').ok_or_else(|| format!("apiVersion {api_version:?} has no group"))?;
        let namespaced = !matches!(kind.as_str(), "NetworkZone" | "Tenant");
        let mut url = format!("/apis/{group}/{version}");
        if namespaced {
            url.push_str(&format!("/namespaces/{NAMESPACE}"));
            json["metadata"]["namespace"] = NAMESPACE.into();
        }
        url.push_str(&format!("/{}s", kind.to_lowercase()));
        let pp = kube::api::PostParams { dry_run: true, field_manager: Some("govcloud-invalid-catalogue".into()) };
        let body = serde_json::to_vec(&json).map_err(|e| e.to_string())?;
        let mut req = kube::core::Request::new(url).create(&pp, body).map_err(|e| format!("request: {e}"))?;
        let strict = format!("{}&fieldValidation=Strict", req.uri());
        *req.uri_mut() = strict.parse().map_err(|e| format!("uri: {e}"))?;
        match tokio::time::timeout(Duration::from_secs(15), client.request::<serde_json::Value>(req)).await {
            Err(_) => return Err("the API server did not answer within 15 s".into()),
            Ok(Ok(_)) => {}
            Ok(Err(kube::Error::Api(s))) => refusals.push(format!("{} {}: {}", s.code, s.reason, s.message)),
            Ok(Err(e)) => return Err(format!("request failed: {e}")),
        }
    }
    Ok(refusals)
}

#[tokio::test]
async fn the_api_server_refuses_every_case_it_can_see() {
    let start = Instant::now();
    support::install().await;
    let client = support::client().await;
    let ns: k8s_openapi::api::core::v1::Namespace = serde_json::from_value(
        serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}),
    )
    .expect("namespace");
    kube::Api::<k8s_openapi::api::core::v1::Namespace>::all(client.clone())
        .patch(
            NAMESPACE,
            &kube::api::PatchParams::apply("govcloud-invalid-catalogue").force(),
            &kube::api::Patch::Apply(&ns),
        )
        .await
        .expect("namespace");

    let cases: Vec<Case> = cases().into_iter().filter(|c| c.api.is_some()).collect();
    assert!(cases.len() >= 40, "only {} cases reach the API server", cases.len());
    use futures::StreamExt;
    let results: Vec<(&Case, Result<Vec<String>, String>)> = futures::stream::iter(cases.iter().map(|c| {
        let client = &client;
        async move { (c, send(client, c).await) }
    }))
    .buffer_unordered(8)
    .collect()
    .await;
    let mut failures = Vec::new();
    for (case, result) in &results {
        let expected = case.api.as_deref().unwrap_or_default();
        match result {
            Err(e) => failures.push(format!("{}: {e}", case.file)),
            Ok(refusals) if refusals.is_empty() => failures
                .push(format!("{}: accepted by the API server (expected a refusal with {expected:?})", case.file)),
            Ok(refusals) if !refusals.iter().any(|r| r.contains(expected)) => {
                failures.push(format!("{}: refused, but without {expected:?}:\n  {}", case.file, refusals.join("\n  ")))
            }
            Ok(_) => {}
        }
    }
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed against the API server:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    eprintln!("{} invalid manifests refused by the API server in {:?}", cases.len(), start.elapsed());
}
