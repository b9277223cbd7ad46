//! The control plane: testenv for the bench, its clients and watches.

use super::*;

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn testenv() -> PathBuf {
    repo().join("testenv/testenv")
}

/// A control plane started by the bench; stopped when dropped.
pub(crate) struct Cluster {
    pub(crate) dir: PathBuf,
    pub(crate) client: Client,
}

/// Leave the control planes running at the end (`--keep`).
pub(crate) static KEEP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl Drop for Cluster {
    fn drop(&mut self) {
        if KEEP.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!(
                "[bench] control plane in {} left running (--keep); stop it with testenv down --dir {}",
                self.dir.display(),
                self.dir.display()
            );
            return;
        }
        let _ = Command::new(testenv())
            .arg("down")
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        eprintln!("[bench] control plane in {} stopped", self.dir.display());
    }
}

impl Cluster {
    pub(crate) fn audit_log(&self) -> PathBuf {
        self.dir.join("logs/audit.log")
    }
    pub(crate) fn pid(&self, component: &str) -> Option<u32> {
        std::fs::read_to_string(self.dir.join("pids").join(format!("{component}.pid"))).ok()?.trim().parse().ok()
    }
}

pub(crate) async fn client_for(kubeconfig: &Path) -> Result<Client, String> {
    let kc = Kubeconfig::read_from(kubeconfig).map_err(|e| format!("{}: {e}", kubeconfig.display()))?;
    let mut config =
        Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default()).await.map_err(|e| e.to_string())?;
    // Thousands of objects: the default 295 s read timeout is fine, but lists of them are large.
    config.read_timeout = Some(Duration::from_secs(120));
    Client::try_from(config).map_err(|e| e.to_string())
}

pub(crate) async fn up(plan: &Plan, dir: &Path, args: &Args) -> Result<Cluster, String> {
    let port_base = args.port_base;
    let _ =
        Command::new(testenv()).arg("down").arg("--dir").arg(dir).stdout(Stdio::null()).stderr(Stdio::null()).status();
    eprintln!("[bench] starting a control plane in {} (port base {port_base})", dir.display());
    let status = Command::new(testenv())
        .arg("up")
        .arg("--dir")
        .arg(dir)
        .args(["--port-base", &port_base.to_string()])
        .args(["--nodes-per-zone", &plan.nodes_per_zone.to_string()])
        .args(["--node-pods", &plan.node_pods.to_string()])
        .args(["--node-cpu", &plan.node_cpu.to_string()])
        .args(["--node-memory", plan.node_memory])
        .args(args.controller_qps.into_iter().flat_map(|q| ["--controller-qps".to_string(), q.to_string()]))
        .arg("--model")
        .args(&plan.model_paths)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("testenv up: {e}"))?;
    // From here on the Cluster value stops it, whatever happens.
    let dir = dir.to_path_buf();
    if !status.success() {
        let _ = Command::new(testenv()).arg("down").arg("--dir").arg(&dir).status();
        return Err(format!("testenv up failed; see {}/logs", dir.display()));
    }
    let client = client_for(&dir.join("kubeconfig")).await?;
    Ok(Cluster { dir, client })
}

/// A reflector cache, stopped when dropped.
pub(crate) struct Watched<K: Resource + 'static>
where
    K::DynamicType: std::hash::Hash + Eq + Clone,
{
    pub(crate) store: reflector::Store<K>,
    pub(crate) task: tokio::task::JoinHandle<()>,
}

impl<K: Resource + 'static> Drop for Watched<K>
where
    K::DynamicType: std::hash::Hash + Eq + Clone,
{
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn watch<K>(api: Api<K>, labels: Option<&str>) -> Result<Watched<K>, String>
where
    K: Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + Sync + 'static,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone + Send + Sync,
{
    let (store, writer) = reflector::store();
    let cfg = match labels {
        Some(l) => watcher::Config::default().labels(l),
        None => watcher::Config::default(),
    };
    let stream = reflector::reflector(writer, watcher::watcher(api, cfg).default_backoff());
    let task = tokio::spawn(async move {
        stream.for_each(|_| futures::future::ready(())).await;
    });
    tokio::time::timeout(Duration::from_secs(120), store.wait_until_ready())
        .await
        .map_err(|_| "a watch did not sync within 120 s".to_string())?
        .map_err(|e| e.to_string())?;
    Ok(Watched { store, task })
}

pub(crate) fn is_ready(conds: &[Condition]) -> bool {
    conds.iter().any(|c| c.type_ == "Ready" && c.status == "True")
}

pub(crate) fn deployment_available(d: &Deployment) -> bool {
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let st = d.status.clone().unwrap_or_default();
    st.observed_generation >= d.metadata.generation
        && st.ready_replicas.unwrap_or(0) >= want
        && st.updated_replicas.unwrap_or(0) >= want
}
