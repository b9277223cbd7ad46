//! `govcloud audit`: what is audited (live, a city, or files) and the report.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::CliError;
use super::args::{AuditFormat, ClusterCidrs, ClusterSource, SeverityArg};
use super::city::{live_city, offline_city};
use super::inventory::offline_inventory;
use super::manifests::docs_yaml;

/// The audit `govcloud audit` reports: of the cluster of the kubeconfig, of
/// every cluster given (`--cluster-kubeconfig`, `--cluster-context`) merged
/// into one, or offline of the files given (one cluster with `--cluster`;
/// every cluster the model names, merged, without it).
pub(super) fn audited(
    paths: &[PathBuf],
    cidrs: &ClusterCidrs,
    api_server: &[String],
    sources: &[ClusterSource],
) -> Result<crate::audit::Audit, CliError> {
    let cluster_cidrs = &cidrs.cluster_cidrs;
    if !api_server.is_empty() && !sources.is_empty() {
        return Err(CliError::Input(
            "--api-server with --cluster-kubeconfig/--cluster-context: each cluster's audit reads its own API server's EndpointSlices; leave --api-server out".into(),
        ));
    }
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
            crate::operator::live_audit(&client, cluster_cidrs, api_server, cluster.as_deref())
                .await
                .map_err(|e| CliError::Operator { doing: String::new(), source: Box::new(e) })
        });
    }
    if cluster.is_none()
        && let Some(audit) = offline_city(paths, cluster_cidrs)?
    {
        if !api_server.is_empty() {
            return Err(CliError::Input(
                "--api-server with a model of several clusters: each has its own API server; audit one with --cluster NAME --api-server ADDR".into(),
            ));
        }
        return Ok(audit);
    }
    let (model, objects, _) = offline_inventory(paths, cluster_cidrs, api_server, cluster.flatten().as_deref())?;
    Ok(crate::audit::audit(&model, &objects))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn audit_cmd(
    audit: &crate::audit::Audit,
    format: AuditFormat,
    lang: crate::audit::output::Lang,
    fail_on: Option<SeverityArg>,
    api: crate::audit::output::ReportApi,
    output: Option<PathBuf>,
    filter: &crate::audit::filter::Filter,
    since: Option<&Path>,
    provenance: &govcloud_core::provenance::Provenance,
) -> Result<(), CliError> {
    use crate::audit::{filter, output};
    let zh = lang == output::Lang::Zh;
    let known = |a: &crate::audit::Audit| {
        filter.unknown(a.tenants.iter().map(|t| t.0.as_str()), a.zones.iter().map(|z| z.0.as_str()))
    };
    if let Some(message) = known(audit) {
        return Err(CliError::Input(message));
    }
    let changes = match since {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::Input(format!("--since {}: cannot read it: {e}", path.display())))?;
            let earlier: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                CliError::Input(format!(
                    "--since {}: not JSON ({e}); give the JSON of an earlier `govcloud audit --format json`",
                    path.display()
                ))
            })?;
            Some(
                filter::changes(&earlier, audit, filter)
                    .map_err(|e| CliError::Input(format!("--since {}: {e}", path.display())))?,
            )
        }
    };
    let kept;
    let audit = if filter.is_empty() {
        audit
    } else {
        kept = filter.apply(audit);
        &kept
    };
    let text = match format {
        AuditFormat::Table => {
            provenance.text(zh)
                + &output::table(audit, lang)
                + &changes.as_ref().map(filter::changes_table).unwrap_or_default()
        }
        AuditFormat::Json => {
            let mut doc = output::json(audit);
            doc["provenance"] = serde_json::to_value(provenance)?;
            if !filter.is_empty() {
                doc["filters"] = serde_json::to_value(filter)?;
            }
            if let Some(c) = &changes {
                doc["changes"] = serde_json::to_value(c)?;
            }
            serde_json::to_string_pretty(&doc)? + "\n"
        }
        AuditFormat::Openreports => {
            docs_yaml(&output::reports(audit, api, &Default::default(), &provenance.annotations()))?
        }
        AuditFormat::Html => output::page::with_provenance(&output::html(audit, lang), provenance, lang),
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

/// The filters of an audit as its provenance names them: each flag given
/// (without its dashes) and its value.
pub(super) fn filters_named(filter: &crate::audit::filter::Filter, since: Option<&Path>) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let flags = [("tenant", &filter.tenant), ("zone", &filter.zone), ("control", &filter.control)];
    for (flag, value) in flags {
        if let Some(v) = value {
            m.insert(flag.to_string(), v.clone());
        }
    }
    if filter.failures_only {
        m.insert("failures-only".to_string(), "true".to_string());
    }
    if let Some(p) = since {
        m.insert("since".to_string(), p.display().to_string());
    }
    m
}
