//! The shape of the source, checked: modules import only from the layers
//! below them, and every label key, object name and API version is written
//! once, in `meta`.
//!
//! ```text
//!   meta < problem < api < model < controls < render < audit < evaluate < operator < dev < cli
//! ```
//!
//! Code inside `#[cfg(test)]` modules counts too: a unit test that needs a
//! higher layer belongs to that layer (or to `tests/`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers, bottom first: a module may use its own layer and those before it.
const LAYERS: &[&str] = &["meta", "problem", "api", "model", "controls", "render", "audit", "evaluate", "operator", "dev", "cli"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
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

/// The top-level module a file of src/ belongs to (`render` for
/// src/render/tenant.rs, `cli` for src/cli.rs); None for lib.rs and main.rs.
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// The file's lines without comments (line comments, doc comments).
fn code_lines(text: &str) -> Vec<(usize, String)> {
    text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with("//")).map(|(i, l)| (i + 1, strip_trailing_comment(l))).collect()
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

/// The top-level modules a line refers to through `crate::`, including the
/// grouped form `use crate::{a, b::c}`.
fn crate_refs(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            out.push(name);
        }
    }
    out
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut wrong = Vec::new();
    let mut seen_modules = std::collections::BTreeSet::new();
    for file in rust_files(&src()) {
        let Some(module) = module_of(&file) else { continue };
        let here = rank(&module).unwrap_or_else(|| panic!("{}: module {module} is in no layer; add it to LAYERS", file.display()));
        seen_modules.insert(module.clone());
        let text = std::fs::read_to_string(&file).expect("read a source file");
        for (n, line) in code_lines(&text) {
            for target in crate_refs(&line) {
                match rank(&target) {
                    Some(there) if there > here => wrong.push(format!("{}:{n}: {module} uses crate::{target}: {}", file.display(), line.trim())),
                    _ => {}
                }
            }
        }
    }
    assert!(wrong.is_empty(), "arrows running back up a layer:\n{}", wrong.join("\n"));
    for layer in LAYERS {
        assert!(seen_modules.contains(*layer), "layer {layer} has no module in src/");
    }
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
    const KEY_PREFIXES: &[&str] = &["govcloud.io/", "app.kubernetes.io/", "pod-security.kubernetes.io/", "kubectl.kubernetes.io/"];
    KEY_PREFIXES.iter().any(|p| lit.starts_with(p)) || lit.starts_with("govcloud-") || lit.starts_with("govcloud:") || lit.contains("govcloud.io/v")
}

#[test]
fn every_key_name_and_api_version_is_written_once_in_meta() {
    let mut places: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut outside = Vec::new();
    for file in rust_files(&src()) {
        let text = std::fs::read_to_string(&file).expect("read a source file");
        // Test oracles may spell names out; the product may not.
        let product = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
        for (n, line) in code_lines(product) {
            if line.trim_start().starts_with("#[") {
                continue; // attributes (the CRD derive's group) take literals only
            }
            for lit in literals(&line).into_iter().filter(|l| is_key_or_name(l)) {
                let at = format!("{}:{n}", file.display());
                if module_of(&file).as_deref() != Some("meta") {
                    outside.push(format!("{at}: \"{lit}\""));
                }
                places.entry(lit).or_default().push(at);
            }
        }
    }
    assert!(outside.is_empty(), "keys and names written outside src/meta (use its constants and functions):\n{}", outside.join("\n"));
    let twice: Vec<String> = places.iter().filter(|(_, at)| at.len() > 1).map(|(lit, at)| format!("\"{lit}\" at {}", at.join(", "))).collect();
    assert!(twice.is_empty(), "written more than once:\n{}", twice.join("\n"));
}

#[test]
fn the_checks_see_what_they_should() {
    assert_eq!(crate_refs("use crate::{api::Tenant, meta::names};"), ["api", "meta"]);
    assert_eq!(crate_refs("let x = crate::render::plan(m); crate::meta::GROUP"), ["render", "meta"]);
    assert_eq!(literals(r#"f("govcloud-quota", "a\"b") // "govcloud-x""#), ["govcloud-quota", "a\"b", "govcloud-x"]);
    assert_eq!(strip_trailing_comment(r#"f("a//b") // c"#), r#"f("a//b") "#);
    assert!(is_key_or_name("govcloud.io/zone") && is_key_or_name("govcloud-{suffix}") && !is_key_or_name("govcloud"));
    assert!(is_key_or_name("kinds (apiVersion govcloud.io/v1alpha1)"));
}
