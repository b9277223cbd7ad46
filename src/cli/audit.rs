//! `govcloud audit`: what is audited (live, a city, or files) and the report.

use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use super::args::{AuditFormat, ClusterCidrs, ClusterSource, SeverityArg};
use super::city::{live_city, offline_city};
use super::manifests::docs_yaml;
use crate::render;

/// The audit `govcloud audit` reports: of the cluster of the kubeconfig, of
/// every cluster given (`--cluster-kubeconfig`, `--cluster-context`) merged
/// into one, or offline of the files given (one cluster with `--cluster`;
/// every cluster the model names, merged, without it).
pub(super) fn audited(
    paths: &[PathBuf],
    cidrs: &ClusterCidrs,
    sources: &[ClusterSource],
) -> Result<crate::audit::Audit, CliError> {
    let cluster_cidrs = &cidrs.cluster_cidrs;
    if !sources.is_empty() {
        let rt = tokio::runtime::Runtime::new()?;
        return rt.block_on(live_city(sources, cluster_cidrs));
    }
    let cluster = cidrs.cluster();
    if paths.is_empty() {
        let cluster = cluster.flatten();
        let rt = tokio::runtime::Runtime::new()?;
        return rt.block_on(async {
            let client = kube::Client::try_default().await.map_err(|e| CliError::NoCluster {
                doing: "audit",
                hint: "set KUBECONFIG, or audit manifests with -f",
                source: Box::new(e),
            })?;
            crate::operator::live_audit(&client, cluster_cidrs, cluster.as_deref())
                .await
                .map_err(|e| CliError::Operator { doing: String::new(), source: Box::new(e) })
        });
    }
    if cluster.is_none()
        && let Some(audit) = offline_city(paths, cluster_cidrs)?
    {
        return Ok(audit);
    }
    let (model, objects, _) = offline_inventory(paths, cluster_cidrs, cluster.flatten().as_deref())?;
    Ok(crate::audit::audit(&model, &objects))
}

pub(super) fn audit_cmd(
    audit: &crate::audit::Audit,
    format: AuditFormat,
    lang: crate::audit::output::Lang,
    fail_on: Option<SeverityArg>,
    api: crate::audit::output::ReportApi,
    output: Option<PathBuf>,
) -> Result<(), CliError> {
    use crate::audit::output;
    let text = match format {
        AuditFormat::Table => output::table(audit, lang),
        AuditFormat::Json => serde_json::to_string_pretty(&output::json(audit))? + "\n",
        AuditFormat::Openreports => docs_yaml(&output::reports(audit, api, &Default::default()))?,
        AuditFormat::Html => output::html(audit, lang),
    };
    match output {
        Some(path) => std::fs::write(&path, text)?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    if let Some(threshold) = fail_on {
        use crate::controls::Severity;
        let sev = match threshold {
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        };
        let failed = audit.failures_at_or_above(sev);
        if !failed.is_empty() {
            return Err(CliError::NonCompliant(failed.len(), format!("{threshold:?}").to_lowercase()));
        }
    }
    Ok(())
}

/// The model and the objects to audit, from files: the objects given, or
/// when none are, what the model renders (platform objects included).
/// The model (approved requests folded in), the objects, and the
/// ResourceRequests as filed.
type Inventory = (crate::model::Model, Vec<serde_json::Value>, Vec<crate::api::ResourceRequest>);

pub(super) fn offline_inventory(
    paths: &[PathBuf],
    cluster_cidrs: &[String],
    cluster: Option<&str>,
) -> Result<Inventory, CliError> {
    let (mut loaded, mut objects) = match crate::model::load_mixed(paths) {
        Ok(r) => r,
        Err(problems) => {
            for p in &problems {
                eprintln!("error: {p}");
            }
            return Err(CliError::Invalid(problems.len()));
        }
    };
    loaded.model.cluster_cidrs = cluster_cidrs.to_vec();
    loaded.model.cluster = cluster.map(String::from);
    // Objects from a cluster: its ConfigMaps' digests are what its apps' pod templates carry.
    loaded.model.config_map_digests = crate::model::config_map_digests(&objects);
    // As granted now: an approved request's quota is no drift.
    let requests = loaded.model.requests.clone();
    render::grant_requests(&mut loaded.model, k8s_openapi::jiff::Timestamp::now());
    if objects.is_empty() {
        let rendered = render::render(&loaded.model);
        for o in render::render_platform().iter().chain(rendered.objects.iter()) {
            objects.push(serde_json::to_value(o)?);
        }
    }
    // The requests as filed and decided are audited too (GC-REQ-001).
    for r in &requests {
        objects.push(serde_json::to_value(r)?);
    }
    // Objects from a cluster that serves ClusterNetworkPolicy: govcloud's are expected among them.
    loaded.model.admin_tier = crate::audit::serves_admin_tier(&objects);
    Ok((loaded.model, objects, requests))
}
