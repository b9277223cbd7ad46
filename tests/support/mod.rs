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
// Test helpers: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

pub mod offline;
pub mod web;
use offline::repo;

/// A kubeconfig that acts as `user` in `groups`: the test control plane's
/// admin kubeconfig, impersonating (for the CLI, kubectl and the console).
pub fn kubeconfig_as(user: &str, groups: &[&str]) -> PathBuf {
    let admin = kubeconfig();
    let mut kc: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(admin).expect("kubeconfig")).expect("yaml");
    for u in kc["users"].as_sequence_mut().expect("users") {
        u["user"]["as"] = serde_norway::Value::String(user.into());
        if !groups.is_empty() {
            u["user"]["as-groups"] = serde_norway::Value::Sequence(
                groups.iter().map(|g| serde_norway::Value::String(g.to_string())).collect(),
            );
        }
    }
    // A file name without `:` (KUBECONFIG separates paths with it) or `/`.
    let name: String = format!("as-{user}-{}", groups.join("+"))
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-_.+".contains(c) { c } else { '_' })
        .collect();
    let path = admin.with_file_name(format!("{name}.kubeconfig"));
    std::fs::write(&path, serde_norway::to_string(&kc).expect("yaml")).expect("write");
    path
}

/// Where the control plane for this test run is.
pub fn kubeconfig() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| match std::env::var_os("GOVCLOUD_TEST_KUBECONFIG") {
        Some(p) => PathBuf::from(p),
        None => auto_start().unwrap_or_else(|e| panic!("cannot start the test control plane: {e}")),
    })
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
        let up = Command::new(&testenv)
            .args(["up", "--dir"])
            .arg(&dir)
            .arg("--model")
            .arg(repo().join("examples/chifeng"))
            .status()
            .map_err(|e| e.to_string())?;
        if !up.success() {
            return Err(format!("testenv up failed; see {}/logs", dir.display()));
        }
    }
    Ok(dir.join("kubeconfig"))
}

async fn config() -> Config {
    config_at(kubeconfig()).await
}

async fn config_at(path: &Path) -> Config {
    let kc = Kubeconfig::read_from(path).expect("read kubeconfig");
    Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default()).await.expect("kubeconfig")
}

/// A cluster-admin client.
pub async fn client() -> Client {
    client_at(kubeconfig()).await
}

/// A cluster-admin client of the control plane whose admin kubeconfig is `path`.
pub async fn client_at(path: &Path) -> Client {
    Client::try_from(config_at(path).await).expect("client")
}

/// A control plane of a test's own (`testenv up` in a temporary directory,
/// on the first free port block), stopped when dropped.
pub struct OwnPlane {
    dir: tempfile::TempDir,
}

impl OwnPlane {
    /// Starts a control plane with `args` after `up --dir DIR` (for example
    /// `--model PATH --cluster NAME`), with govcloud's CRDs and policies installed.
    pub async fn up(args: &[&str]) -> OwnPlane {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = Command::new(repo().join("testenv/testenv"))
            .args(["up", "--dir"])
            .arg(dir.path())
            .args(args)
            .output()
            .expect("run testenv");
        let plane = OwnPlane { dir };
        assert!(out.status.success(), "testenv up {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        govcloud::operator::install_crds(&plane.client().await, "govcloud-system").await.expect("install CRDs");
        plane
    }

    /// Its admin kubeconfig.
    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    /// A cluster-admin client.
    pub async fn client(&self) -> Client {
        client_at(&self.kubeconfig()).await
    }
}

impl Drop for OwnPlane {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("testenv/testenv")).args(["down", "--dir"]).arg(self.dir.path()).output();
    }
}

/// A client that impersonates `user` (in `groups`), as a department user or auditor would act.
pub async fn impersonating(user: &str, groups: &[&str]) -> Client {
    impersonating_at(kubeconfig(), user, groups).await
}

/// [`impersonating`] on the control plane whose admin kubeconfig is `path`.
pub async fn impersonating_at(path: &Path, user: &str, groups: &[&str]) -> Client {
    let mut c = config_at(path).await;
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

/// Waits until namespace `ns`'s govcloud quota counts `resource` (its
/// `status.used` has it). Until the quota controller has discovered a
/// resource (a CRD installed moments ago: up to its discovery resync, 15 s
/// in testenv), the API server refuses every create of it in a namespace
/// whose quota names it ("status unknown for quota"), which is what a fresh
/// control plane gives a test that files the first ResourceRequest early.
pub async fn quota_counts(c: &Client, ns: &str, resource: &str) {
    use k8s_openapi::api::core::v1::ResourceQuota;
    eventually(&format!("{ns}'s quota counting {resource}"), Duration::from_secs(120), || async {
        let q = kube::Api::<ResourceQuota>::namespaced(c.clone(), ns)
            .get_opt(govcloud::meta::names::QUOTA)
            .await
            .ok()??;
        q.status?.used?.contains_key(resource).then_some(())
    })
    .await
}

/// The pinned Kubernetes version from `testenv/versions.env`.
pub fn pinned_kube_version() -> String {
    let text = std::fs::read_to_string(repo().join("testenv/versions.env")).expect("versions.env");
    text.lines().find_map(|l| l.strip_prefix("KUBE_VERSION=")).expect("KUBE_VERSION").trim().to_string()
}

// === the operator under test ===

/// Installs the CRDs and admission policies once per test process.
pub async fn install() {
    static DONE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    DONE.get_or_init(|| async {
        govcloud::operator::install_crds(&client().await, "govcloud-system").await.expect("install CRDs");
    })
    .await;
}

/// The identity of the operator of `scope` in tests (one service account per scope,
/// so the audit log tells each test's operator apart).
pub fn operator_user(scope: &str) -> String {
    format!("system:serviceaccount:govcloud-system:govcloud-operator-{scope}")
}

/// A kubeconfig that authenticates as the service account of the operator of `scope`.
pub async fn operator_kubeconfig(scope: &str) -> PathBuf {
    operator_kubeconfig_at(kubeconfig(), scope).await
}

/// [`operator_kubeconfig`] on the control plane whose admin kubeconfig is `admin`.
pub async fn operator_kubeconfig_at(admin: &Path, scope: &str) -> PathBuf {
    {
        use k8s_openapi::api::authentication::v1::TokenRequest;
        use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
        use k8s_openapi::api::rbac::v1::ClusterRoleBinding;
        use kube::api::{Api, Patch, PatchParams, PostParams};
        let c = client_at(admin).await;
        let pp = PatchParams::apply("govcloud-tests").force();
        let ns: Namespace = serde_json::from_value(
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "govcloud-system"}}),
        )
        .expect("ns");
        Api::<Namespace>::all(c.clone()).patch("govcloud-system", &pp, &Patch::Apply(&ns)).await.expect("namespace");
        let sa_name = format!("govcloud-operator-{scope}");
        let sa: ServiceAccount = serde_json::from_value(
            serde_json::json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": sa_name, "namespace": "govcloud-system"}}),
        )
        .expect("sa");
        let sas: Api<ServiceAccount> = Api::namespaced(c.clone(), "govcloud-system");
        sas.patch(&sa_name, &pp, &Patch::Apply(&sa)).await.expect("service account");
        // The operator runs with exactly the ClusterRole it is installed with.
        let role = govcloud::operator::install::operator_cluster_role();
        let roles: Api<kube::api::DynamicObject> = Api::all_with(
            c.clone(),
            &kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(
                "rbac.authorization.k8s.io",
                "v1",
                "ClusterRole",
            )),
        );
        roles.patch(govcloud::meta::names::OPERATOR, &pp, &Patch::Apply(&role)).await.expect("operator role");
        let crb: ClusterRoleBinding = serde_json::from_value(serde_json::json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": sa_name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": govcloud::meta::names::OPERATOR},
            "subjects": [{"kind": "ServiceAccount", "name": sa_name, "namespace": "govcloud-system"}]
        }))
        .expect("crb");
        Api::<ClusterRoleBinding>::all(c.clone()).patch(&sa_name, &pp, &Patch::Apply(&crb)).await.expect("binding");
        // And the Roles that let it hold the leader-election Lease and read
        // the API server's EndpointSlices in `default`.
        let lease = govcloud::operator::install::operator_lease_role("govcloud-system", &sa_name);
        let api_server = govcloud::operator::install::operator_api_server_role("govcloud-system", &sa_name);
        for o in lease.into_iter().chain(api_server) {
            let kind = o["kind"].as_str().expect("kind").to_string();
            let role_ns = o["metadata"]["namespace"].as_str().expect("namespace").to_string();
            let role_name = o["metadata"]["name"].as_str().expect("name").to_string();
            let ar = kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(
                "rbac.authorization.k8s.io",
                "v1",
                &kind,
            ));
            let api: Api<kube::api::DynamicObject> = Api::namespaced_with(c.clone(), &role_ns, &ar);
            let mut o = o;
            // One Role per scope, so tests do not share one.
            let suffix = role_name.trim_start_matches(govcloud::meta::names::OPERATOR);
            let name = format!("{sa_name}{suffix}");
            o["metadata"]["name"] = serde_json::Value::String(name.clone());
            if kind == "RoleBinding" {
                o["roleRef"]["name"] = serde_json::Value::String(name.clone());
            }
            api.patch(&name, &pp, &Patch::Apply(&o)).await.expect("operator role");
        }
        let tr: TokenRequest =
            serde_json::from_value(serde_json::json!({"spec": {"audiences": [], "expirationSeconds": 86400}}))
                .expect("tr");
        let token = sas
            .create_token_request(&sa_name, &PostParams::default(), &tr)
            .await
            .expect("token")
            .status
            .expect("status")
            .token;
        let admin_kc: serde_norway::Value =
            serde_norway::from_str(&std::fs::read_to_string(admin).expect("kubeconfig")).expect("yaml");
        let cluster = admin_kc["clusters"][0]["cluster"].clone();
        let kc = serde_json::json!({
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "testenv", "cluster": serde_json::to_value(&cluster).expect("cluster")}],
            "users": [{"name": "operator", "user": {"token": token}}],
            "contexts": [{"name": "operator", "context": {"cluster": "testenv", "user": "operator"}}],
            "current-context": "operator"
        });
        let path = admin.with_file_name(format!("operator-{scope}.kubeconfig"));
        std::fs::write(&path, serde_norway::to_string(&kc).expect("yaml")).expect("write");
        path
    }
}

/// A running `govcloud run` process, killed when dropped.
pub struct Operator {
    child: std::process::Child,
    /// Label selecting what this operator manages.
    pub scope: (String, String),
    log: PathBuf,
}

impl Operator {
    /// Starts `govcloud run` as the operator identity, managing only `scope`.
    pub async fn start(scope: &str, resync_seconds: u64) -> Operator {
        Self::start_with(scope, resync_seconds, &[], "").await
    }

    /// Like [`Operator::start`], with more arguments; `replica` tells the
    /// log files of replicas of one scope apart.
    pub async fn start_with(scope: &str, resync_seconds: u64, extra: &[&str], replica: &str) -> Operator {
        install().await;
        Self::start_at(kubeconfig(), scope, resync_seconds, extra, replica).await
    }

    /// Like [`Operator::start_with`], on the control plane whose admin
    /// kubeconfig is `admin` (where govcloud is installed already); an
    /// empty `scope` manages the whole cluster (on a plane of its own only).
    pub async fn start_at(admin: &Path, scope: &str, resync_seconds: u64, extra: &[&str], replica: &str) -> Operator {
        let kc = operator_kubeconfig_at(admin, if scope.is_empty() { "cluster" } else { scope }).await;
        let log_path = admin.with_file_name(format!("operator-{scope}{replica}.log"));
        let log = std::fs::File::create(&log_path).expect("log file");
        // An empty scope: the operator manages the whole cluster.
        let selector = format!("govcloud.io/scope={scope}");
        let selector: &[&str] = if scope.is_empty() { &[] } else { &["--selector", &selector] };
        let child = Command::new(env!("CARGO_BIN_EXE_govcloud"))
            .args(["run", "--metrics-address", "127.0.0.1:0", "--log-format", "json"])
            .args(selector)
            .args(["--resync-seconds", &resync_seconds.to_string()])
            .args(extra)
            .env("KUBECONFIG", kc)
            .env("RUST_LOG", govcloud::cli::DEFAULT_LOG_FILTER)
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start govcloud run");
        Operator { child, scope: ("govcloud.io/scope".into(), scope.into()), log: log_path }
    }

    /// The value of a counter on the operator's `/metrics` (summed over label sets matching `filter`).
    pub async fn counter(&self, name: &str, filter: &str) -> u64 {
        let body = self.get("/metrics").await;
        body.lines()
            .filter(|l| l.starts_with(name) && l.contains(filter))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }

    /// The whole `/metrics` text, or `/readyz`'s status line (`path`).
    pub async fn get(&self, path: &str) -> String {
        let addr = eventually("the operator's metrics address in its log", Duration::from_secs(30), || async {
            let text = std::fs::read_to_string(&self.log).ok()?;
            text.lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .find_map(|v| v["fields"]["address"].as_str().map(str::to_string))
        })
        .await;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut sock = tokio::net::TcpStream::connect(&addr).await.expect("connect to metrics");
        sock.write_all(format!("GET {path} HTTP/1.1\r\nhost: x\r\n\r\n").as_bytes()).await.expect("request");
        let mut body = String::new();
        sock.read_to_string(&mut body).await.expect("response");
        body
    }

    /// Sends SIGTERM (as the kubelet does) and waits for the exit, up to `within`.
    pub fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }

    /// Waits up to `within` for the process to exit by itself.
    pub fn exited(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }

    /// The operator's log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops the process abruptly (as a crash or eviction would).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Operator {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Path of the API server's audit log.
pub fn audit_log() -> PathBuf {
    kubeconfig().with_file_name("logs").join("audit.log")
}

/// Size of the audit log now (an offset to count from).
pub fn audit_offset() -> u64 {
    std::fs::metadata(audit_log()).map(|m| m.len()).unwrap_or(0)
}

/// Write requests (`create`, `update`, `patch`, `delete`) made by `user` since `offset`.
pub fn writes_since(offset: u64, user: &str) -> Vec<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(audit_log()).expect("audit log");
    f.seek(SeekFrom::Start(offset)).expect("seek");
    let mut text = String::new();
    f.read_to_string(&mut text).expect("read");
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["stage"] == "ResponseComplete" && e["user"]["username"] == user)
        .filter(|e| matches!(e["verb"].as_str(), Some("create" | "update" | "patch" | "delete" | "deletecollection")))
        .map(|e| format!("{} {}", e["verb"].as_str().unwrap_or_default(), e["requestURI"].as_str().unwrap_or_default()))
        .collect()
}

/// A short name usable as a zone name (letters and digits, at most 15).
pub fn short(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}{}{}", std::process::id() % 100_000, N.fetch_add(1, Ordering::Relaxed))
}

/// A pod every admission control of an extranet tenant namespace admits
/// (scheduled on the extranet nodes), changed by `f`.
pub fn pod(name: &str, f: impl FnOnce(&mut serde_json::Value)) -> serde_json::Value {
    let mut p = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
        "spec": {
            "nodeSelector": {"govcloud.io/zone": "extranet"},
            "tolerations": [{"key": "govcloud.io/zone", "operator": "Equal", "value": "extranet", "effect": "NoSchedule"}],
            "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{
                "name": "c", "image": "harbor.egov.local/a/c:1",
                "resources": {"requests": {"cpu": "50m", "memory": "32Mi", "ephemeral-storage": "16Mi"}, "limits": {"cpu": "100m", "memory": "64Mi", "ephemeral-storage": "64Mi"}},
                "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
            }]
        }
    });
    f(&mut p);
    p
}

/// Loads a model from YAML `text` and applies it as a platform engineer
/// would, its objects labelled with the test's `scope`.
pub async fn apply_text(c: &Client, text: &str, scope: &str) {
    let loaded = govcloud::model::load_str("test.yaml", text).unwrap_or_else(|e| panic!("{e:#?}"));
    govcloud::dev::apply_model(
        c,
        &loaded.model,
        &[("govcloud.io/scope".into(), scope.into())],
        Duration::from_secs(60),
    )
    .await
    .expect("apply model");
}
