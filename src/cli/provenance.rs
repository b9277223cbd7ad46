//! The provenance of the command's reports (see
//! `govcloud_core::provenance`): what was read, found out here at the edge:
//! the git commit of the files' work tree (by running `git`, failing soft to
//! "not a git tree"), the kubeconfig's context and API server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::args::ClusterSource;
use crate::audit::output::Lang;
use govcloud_core::provenance::{FileSource, Git, LiveCluster, Provenance, Source};

/// The provenance of a report made now from `paths` (none: the clusters of
/// `city`, or, with none either, the kubeconfig's cluster named `cluster`).
pub(super) fn provenance(
    paths: &[PathBuf],
    cluster: Option<&str>,
    city: &[ClusterSource],
    lang: Lang,
    filters: BTreeMap<String, String>,
) -> Provenance {
    let source = if !paths.is_empty() {
        Source::Files {
            files: paths.iter().map(|p| FileSource { path: p.display().to_string(), git: git(p) }).collect(),
        }
    } else if !city.is_empty() {
        Source::Live {
            clusters: city
                .iter()
                .map(|s| live(s.name.as_deref(), s.kubeconfig.as_deref(), s.context.as_deref()))
                .collect(),
        }
    } else {
        Source::Live { clusters: vec![live(cluster, None, None)] }
    };
    let mut p = Provenance::new(now(), source);
    p.lang = Some(if lang == Lang::Zh { "zh" } else { "en" }.to_string());
    p.filters = filters;
    p
}

/// Now, as a provenance gives it.
fn now() -> String {
    govcloud_core::provenance::time(k8s_openapi::jiff::Timestamp::now())
}

/// The git state of the work tree holding `path`.
fn git(path: &Path) -> Git {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let run = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match (run(&["rev-parse", "--verify", "HEAD"]), run(&["status", "--porcelain"])) {
        (Some(commit), Some(status)) if !commit.is_empty() => Git::Commit { commit, dirty: !status.is_empty() },
        _ => Git::NotAGitTree,
    }
}

/// A cluster read live through `kubeconfig` (none: the default one) and
/// `context` (none: its current one): the context's name and its server,
/// each unknown when the kubeconfig cannot tell (in a pod: the server from
/// the service environment).
fn live(name: Option<&str>, kubeconfig: Option<&Path>, context: Option<&str>) -> LiveCluster {
    use kube::config::Kubeconfig;
    let config = match kubeconfig {
        Some(path) => Kubeconfig::read_from(path).ok(),
        None => Kubeconfig::read().ok(),
    };
    let name = name.filter(|n| !n.is_empty()).map(str::to_string);
    let Some(config) = config else {
        let server = std::env::var("KUBERNETES_SERVICE_HOST").ok().map(|h| {
            let port = std::env::var("KUBERNETES_SERVICE_PORT").unwrap_or_else(|_| "443".into());
            format!("https://{h}:{port}")
        });
        return LiveCluster { name, context: None, server };
    };
    let context = context.map(str::to_string).or_else(|| config.current_context.clone());
    let cluster = context
        .as_deref()
        .and_then(|c| config.contexts.iter().find(|n| n.name == c))
        .and_then(|c| c.context.as_ref())
        .map(|c| c.cluster.clone());
    let server = cluster
        .and_then(|c| config.clusters.iter().find(|n| n.name == c))
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone());
    LiveCluster { name, context, server }
}
