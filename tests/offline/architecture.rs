//! The shape of the source, checked where the compiler cannot: every label
//! key, object name and API version is written once, in `govcloud-core`'s
//! `meta`.
//!
//! The layers themselves are crates (see `src/lib.rs`):
//!
//! ```text
//!   govcloud-core < govcloud-render < govcloud-audit < govcloud-evaluate, govcloud-import < govcloud-operator < govcloud
//! ```
//!
//! A crate can only name the crates it depends on and Cargo refuses a cycle,
//! so no import can run back up. That the pure crates need no client and no
//! async runtime is checked by building them alone (`make check`:
//! `cargo check -p govcloud-core -p govcloud-render -p govcloud-audit -p govcloud-evaluate -p govcloud-import`,
//! where kube has no `client` feature and tokio is not a dependency).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every source folder of the workspace: each crate's `src/` and the root package's.
fn sources() -> Vec<PathBuf> {
    let mut dirs = vec![root().join("src")];
    for entry in std::fs::read_dir(root().join("crates")).expect("crates/") {
        let dir = entry.expect("a directory entry").path().join("src");
        if dir.is_dir() {
            dirs.push(dir);
        }
    }
    dirs.sort();
    dirs
}

/// The one module where keys and names are written.
fn meta_dir() -> PathBuf {
    root().join("crates/core/src/meta")
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The file's lines without comments (line comments, doc comments).
fn code_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, strip_trailing_comment(l)))
        .collect()
}

/// A line without a trailing `// ...` comment outside string literals.
fn strip_trailing_comment(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut in_str = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'/' if !in_str && bytes.get(i + 1) == Some(&b'/') => return line[..i].to_string(),
            _ => {}
        }
        i += 1;
    }
    line.to_string()
}

/// String literals of a line (without their quotes); raw strings are not looked at.
fn literals(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '"' || line[..i].ends_with('\'') {
            continue;
        }
        let mut lit = String::new();
        while let Some((_, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, e)) = chars.next() {
                        lit.push(e);
                    }
                }
                '"' => break,
                c => lit.push(c),
            }
        }
        out.push(lit);
    }
    out
}

/// Whether a literal is (or builds) a label or annotation key, an owned
/// object's name, or govcloud's API version.
fn is_key_or_name(lit: &str) -> bool {
    const KEY_PREFIXES: &[&str] =
        &["govcloud.io/", "app.kubernetes.io/", "pod-security.kubernetes.io/", "kubectl.kubernetes.io/"];
    KEY_PREFIXES.iter().any(|p| lit.starts_with(p))
        || lit.starts_with("govcloud-")
        || lit.starts_with("govcloud:")
        || lit.contains("govcloud.io/v")
}

#[test]
fn every_key_name_and_api_version_is_written_once_in_meta() {
    let mut places: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut outside = Vec::new();
    // Unit tests (beside their module in tests.rs files) are test oracles.
    for file in sources().iter().flat_map(|dir| rust_files(dir)).filter(|f| !f.ends_with("tests.rs")) {
        let text = std::fs::read_to_string(&file).expect("read a source file");
        // Test oracles may spell names out; the product may not.
        let product = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
        for (n, line) in code_lines(product) {
            if line.trim_start().starts_with("#[") {
                continue; // attributes (the CRD derive's group) take literals only
            }
            for lit in literals(&line).into_iter().filter(|l| is_key_or_name(l)) {
                let at = format!("{}:{n}", file.display());
                if !file.starts_with(meta_dir()) {
                    outside.push(format!("{at}: \"{lit}\""));
                }
                places.entry(lit).or_default().push(at);
            }
        }
    }
    assert!(
        outside.is_empty(),
        "keys and names written outside crates/core/src/meta (use its constants and functions):\n{}",
        outside.join("\n")
    );
    let twice: Vec<String> = places
        .iter()
        .filter(|(_, at)| at.len() > 1)
        .map(|(lit, at)| format!("\"{lit}\" at {}", at.join(", ")))
        .collect();
    assert!(twice.is_empty(), "written more than once:\n{}", twice.join("\n"));
}

#[test]
fn the_checks_see_what_they_should() {
    assert!(sources().len() >= 6, "the root package and the five crates: {:?}", sources());
    assert!(rust_files(&meta_dir()).len() >= 5);
    assert_eq!(literals(r#"f("govcloud-quota", "a\"b") // "govcloud-x""#), ["govcloud-quota", "a\"b", "govcloud-x"]);
    assert_eq!(strip_trailing_comment(r#"f("a//b") // c"#), r#"f("a//b") "#);
    assert!(is_key_or_name("govcloud.io/zone") && is_key_or_name("govcloud-{suffix}") && !is_key_or_name("govcloud"));
    assert!(is_key_or_name("kinds (apiVersion govcloud.io/v1alpha1)"));
}
