//! Test support for tests that need the real control plane.
//!
//! The README's test command starts one control plane (`testenv up`) and
//! names it with `GOVCLOUD_TEST_KUBECONFIG`. When that variable is unset (a
//! plain `cargo test`), the first test that needs a cluster starts one under
//! `target/testenv-auto` (guarded by a file lock, shared by every test binary
//! of the run, reused by later runs while it is healthy) and leaves it running;
//! stop it with `testenv/testenv down --dir target/testenv-auto`.
//!
//! Each test gets its own names from [`unique`], so tests run in parallel.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

/// Where the control plane for this test run is.
pub fn kubeconfig() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| match std::env::var_os("GOVCLOUD_TEST_KUBECONFIG") {
        Some(p) => PathBuf::from(p),
        None => auto_start().unwrap_or_else(|e| panic!("cannot start the test control plane: {e}")),
    })
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn auto_start() -> Result<PathBuf, String> {
    let target = repo().join("target");
    std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    let dir = target.join("testenv-auto");
    let lock = std::fs::File::create(target.join("testenv-auto.lock")).map_err(|e| e.to_string())?;
    lock.lock().map_err(|e| e.to_string())?;
    let testenv = repo().join("testenv/testenv");
    let healthy = Command::new(&testenv).args(["status", "--dir"]).arg(&dir).output().is_ok_and(|o| o.status.success());
    if !healthy {
        let build = Command::new(repo().join("testenv/build.sh")).status().map_err(|e| e.to_string())?;
        if !build.success() {
            return Err("testenv/build.sh failed".into());
        }
        let _ = Command::new(&testenv).args(["down", "--dir"]).arg(&dir).status();
        let up =
            Command::new(&testenv).args(["up", "--dir"]).arg(&dir).arg("--model").arg(repo().join("examples/chifeng")).status().map_err(|e| e.to_string())?;
        if !up.success() {
            return Err(format!("testenv up failed; see {}/logs", dir.display()));
        }
    }
    Ok(dir.join("kubeconfig"))
}

async fn config() -> Config {
    let kc = Kubeconfig::read_from(kubeconfig()).expect("read kubeconfig");
    Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default()).await.expect("kubeconfig")
}

/// A cluster-admin client.
pub async fn client() -> Client {
    Client::try_from(config().await).expect("client")
}

/// A client that impersonates `user` (in `groups`), as a department user or auditor would act.
pub async fn impersonating(user: &str, groups: &[&str]) -> Client {
    let mut c = config().await;
    c.auth_info.impersonate = Some(user.to_string());
    c.auth_info.impersonate_groups = Some(groups.iter().map(|g| g.to_string()).collect());
    Client::try_from(c).expect("client")
}

/// A name no other test of this run uses: `prefix-<pid>-<n>`.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}-{}", std::process::id() % 100_000, N.fetch_add(1, Ordering::Relaxed))
}

/// Polls `check` until it returns `Some`, or panics after `timeout` with `what`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if start.elapsed() > timeout {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The pinned Kubernetes version from `testenv/versions.env`.
pub fn pinned_kube_version() -> String {
    let text = std::fs::read_to_string(repo().join("testenv/versions.env")).expect("versions.env");
    text.lines().find_map(|l| l.strip_prefix("KUBE_VERSION=")).expect("KUBE_VERSION").trim().to_string()
}
