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
/// the code is -1 when a signal ended it. The locale is unset whatever the
/// machine's, so a page without `--lang` is in the language govcloud falls back to (zh).
pub fn govcloud(args: &[&str]) -> (i32, String, String) {
    govcloud_in(args, &[])
}

/// [`govcloud`] with these locale variables (`LANG`, `LC_ALL`, `LC_MESSAGES`) set.
pub fn govcloud_in(args: &[&str], locale: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_govcloud"));
    cmd.args(args).env_remove("LANG").env_remove("LC_ALL").env_remove("LC_MESSAGES").envs(locale.iter().copied());
    let out = cmd.output().expect("run govcloud");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Debian's Chromium, when installed (`.ci/run` installs it). Without it a
/// test that would open a page says it skipped, except in CI (`CI` set),
/// where a missing browser fails the test.
pub fn chromium() -> Option<PathBuf> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().map(PathBuf::from).find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: Debian's chromium must be installed (.ci/run: apt-get install chromium)"
        );
        eprintln!(
            "SKIPPED: no /usr/bin/chromium here (CI installs it with apt-get install chromium); the page was not opened"
        );
    }
    found
}

/// The page `html` as headless Chromium renders it (its DOM), after saving a
/// screenshot of it, `window` (`WIDTHxHEIGHT`) in size, as PNG at `shot`;
/// fails the test when Chromium fails or the screenshot is not a real picture.
pub fn render_page(chromium: &Path, html: &Path, shot: &Path, window: &str) -> String {
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let profile = tempfile::tempdir().expect("profile");
    let profile = format!("--user-data-dir={}", profile.path().display());
    let url = format!("file://{}", html.display());
    let dom = Command::new(chromium).args(flags).arg(&profile).args(["--dump-dom", &url]).output().expect("chromium");
    let out = Command::new(chromium)
        .args(flags)
        .arg(&profile)
        .args([
            &format!("--window-size={}", window.replace('x', ",")),
            &format!("--screenshot={}", shot.display()),
            &url,
        ])
        .output()
        .expect("chromium");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(shot).expect("screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "screenshot of {} bytes", png.len());
    String::from_utf8_lossy(&dom.stdout).into_owned()
}

/// Every non-empty document of a YAML stream, as JSON. A document that is
/// not YAML fails the test.
pub fn docs(text: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(text)
        .map(|d| <serde_norway::Value as serde::Deserialize>::deserialize(d).expect("a YAML document"))
        .filter(|v| !v.is_null())
        .map(|v| serde_json::to_value(v).expect("YAML as JSON"))
        .collect()
}

/// Copies the directory tree `from` into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

/// Every `.yaml` or `.yml` file below `dir`, in order.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("a directory").map(|e| e.expect("an entry").path()).collect();
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

/// A NetworkZone document on one of the testenv's node pools (`extranet`,
/// `private` or `internet`, which is also the zone's kind), with `cidr`,
/// images from harbor.egov.local, and `extra` spec lines (`key: value`,
/// one per line, unindented). No trailing `---`.
pub fn zone_doc(name: &str, pool: &str, cidr: &str, extra: &str) -> String {
    // The testenv taints the private pool NoExecute (as the Chifeng model does).
    let effect = if pool == "private" { ", effect: NoExecute" } else { "" };
    let mut doc = format!(
        "apiVersion: govcloud.io/v1alpha1\nkind: NetworkZone\nmetadata: {{name: {name}}}\nspec:\n  kind: {pool}\n  displayName: {{zh: 测试区, en: {name}}}\n  nodePool: {{selector: {{govcloud.io/zone: {pool}}}, taint: {{key: govcloud.io/zone, value: {pool}{effect}}}}}\n  cidrs: [{cidr}]\n  allowedRegistries: [harbor.egov.local]\n"
    );
    for line in extra.lines().map(str::trim).filter(|l| !l.is_empty()) {
        doc.push_str("  ");
        doc.push_str(line);
        doc.push('\n');
    }
    doc
}

/// splitmix64: a few replayable random numbers without a dependency.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
