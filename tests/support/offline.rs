//! Helpers for the tests that need no cluster: where the repository is, the
//! `govcloud` command, and YAML documents as JSON values.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the `govcloud` binary built for these tests: (exit code, stdout, stderr);
/// the code is -1 when a signal ended it.
pub fn govcloud(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_govcloud")).args(args).output().expect("run govcloud");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Every non-empty document of a YAML stream, as JSON. A document that is
/// not YAML fails the test.
pub fn docs(text: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(text)
        .map(|d| <serde_yaml::Value as serde::Deserialize>::deserialize(d).expect("a YAML document"))
        .filter(|v| !v.is_null())
        .map(|v| serde_json::to_value(v).expect("YAML as JSON"))
        .collect()
}

/// Every `.yaml` or `.yml` file below `dir`, in order.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).expect("a directory").map(|e| e.expect("an entry").path()).collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            out.extend(yaml_files(&e));
        } else if matches!(e.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
            out.push(e);
        }
    }
    out
}
